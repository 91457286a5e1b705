"""No lost updates: two editors race to change the same agreement, 200 times (issue 5).

    make race                       # or: .venv/bin/python -m bench.race [--rounds N]

Against our server under gunicorn on PostgreSQL (database ``tracker_faults``; with
``--database sqlite``, the SQLite file ``bench/.data/tracker_faults.sqlite3`` served with the
default settings), two editors, each with a token of their own, race in two ways:

- **fields**: both read the same agreement (its ETag), wait for each other at a barrier,
  then PATCH its summary with ``If-Match`` and a marker of their own;
- **clauses** (a nested collection): both read an agreement's clauses, then each adds a
  clause at the same next position with ``If-Match``. Without the precondition the two
  read-modify-writes of the collection would each keep only their own clause. A new
  agreement every 20 rounds keeps the collection small (every write re-saves all of an
  agreement's clauses, so a long one would measure that instead of the race).

Then a burst of creates (issue 20): ``--creators`` clients (16) each create ``--creates``
agreements (15) one after the other, all starting at once; every one must be answered 201
(on SQLite the writers queue for the busy timeout) and be in the database afterwards.

Then everything the server acknowledged (2xx) is checked in the database: each acknowledged
change must be in the agreement's history under the version its ETag named and must not
have been overwritten by a writer who had not seen it (the next version's writer read
it); each acknowledged clause must still be there. A lost update is an acknowledged write
that fails any of these. Also counted: acknowledged writes made on a version other than
the one their writer read (the writes that cause lost updates). ``--control`` sends
``If-Match: *`` instead, to show that the check does find lost updates when there are.
Prints ``lost updates: L, 412 responses: N`` and the details; exits 1 on a lost update or a
create of the burst that was not answered 201. See bench/README.md.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from .harness.common import argument_parser, say
from .harness.load import percentile
from .harness.servers import exit_on_sigterm
from .harness.sqlite import query
from .harness.tracker_api import (
    Answer,
    ApiClient,
    add_server_arguments,
    editor_tokens,
    etag_version,
    new_agreement,
    tracker_server,
)

WRITERS = ("race-editor-a", "race-editor-b")
CLAUSES_PER_AGREEMENT = 20


@dataclass
class Attempt:
    round: int
    writer: int
    marker: str
    read_version: int | None
    answer: Answer

    @property
    def written_version(self) -> int | None:
        return etag_version(self.answer) if self.answer.ok else None


def race(
    clients: list[ApiClient],
    rounds: int,
    read: Callable[[ApiClient, int], Answer],
    write: Callable[[ApiClient, int, str, str], Answer],
    label: str,
) -> list[Attempt]:
    """``rounds`` times: every client reads, then all write at once (a barrier), each its own marker."""
    barrier = threading.Barrier(len(clients))
    attempts: list[Attempt] = []
    lock = threading.Lock()

    def writer(index: int, client: ApiClient, round_number: int) -> None:
        seen = read(client, round_number)
        if not seen.ok:
            raise RuntimeError(f"{label}: the read failed with {seen.status} {seen.body[:200]!r}")
        marker = f"{label} round {round_number} writer {index} {time.time_ns()}"
        barrier.wait(timeout=30)
        answer = write(client, round_number, seen.headers["ETag"], marker)
        with lock:
            attempts.append(Attempt(round_number, index, marker, etag_version(seen), answer))

    for round_number in range(1, rounds + 1):
        threads = [
            threading.Thread(target=writer, args=(index, client, round_number))
            for index, client in enumerate(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return attempts


def check_fields(database_url: str, agreement_id: int, attempts: list[Attempt]) -> list[str]:
    """Every acknowledged PATCH in the history at its version and superseded only by a
    writer who had read it. One sentence per lost update."""
    # The service saves a change's fields (a record still at the old version), then bumps
    # the version (a record at the new one), in one transaction: the first record at a
    # version is the state that version names.
    history: dict[int, str] = {}
    for version, summary in query(
        database_url,
        "SELECT version, summary FROM agreements_historicalagreement WHERE id = %s "
        "ORDER BY version, history_id",
        [agreement_id],
    ):
        history.setdefault(version, summary)
    acknowledged = sorted((a for a in attempts if a.answer.ok), key=lambda a: a.written_version or 0)
    read_by_writer_of = {a.written_version: a.read_version for a in acknowledged}
    lost = []
    for attempt in acknowledged:
        version = attempt.written_version
        if history.get(version) != attempt.marker:
            lost.append(
                f"round {attempt.round}: version {version} is not this writer's change in the history"
            )
        elif version + 1 in history and read_by_writer_of.get(version + 1, version) != version:
            lost.append(f"round {attempt.round}: v{version} overwritten by a writer who had not read it")
    current = query(database_url, "SELECT summary FROM agreements_agreement WHERE id = %s", [agreement_id])
    if acknowledged and current[0][0] != acknowledged[-1].marker:
        lost.append("the agreement does not hold the last acknowledged change")
    return lost


def blind_writes(attempts: list[Attempt]) -> int:
    """Acknowledged changes made on a version other than the one their writer had read:
    the writes that overwrite what someone else had just saved."""
    return sum(
        a.answer.ok and (a.read_version is None or a.written_version != a.read_version + 1) for a in attempts
    )


def check_clauses(database_url: str, agreement_ids: list[int], attempts: list[Attempt]) -> list[str]:
    """Every acknowledged clause still there, and no clause that was refused."""
    stored = Counter(
        text
        for (text,) in query(
            database_url, "SELECT text FROM agreements_clause WHERE agreement_id = ANY(%s)", [agreement_ids]
        )
    )
    lost = [
        f"round {a.round}: acknowledged clause missing"
        for a in attempts
        if a.answer.ok and not stored[a.marker]
    ]
    lost += [
        f"round {a.round}: a refused clause was written"
        for a in attempts
        if not a.answer.ok and stored[a.marker]
    ]
    return lost


def summarise(label: str, attempts: list[Attempt], lost: list[str], rounds: int) -> None:
    statuses = Counter(a.answer.status for a in attempts)
    per_round = Counter(
        tuple(sorted(a.answer.status for a in attempts if a.round == n)) for n in range(1, rounds + 1)
    )
    shapes = ", ".join(f"{'+'.join(map(str, shape))} × {count}" for shape, count in per_round.most_common())
    say(f"{label}: {rounds} rounds, {len(attempts)} writes; answers {dict(sorted(statuses.items()))}")
    say(f"  per round (both answers): {shapes}")
    # The barrier makes the writes concurrent; this says how often they were in flight together.
    overlapped = sum(
        max(a.answer.started for a in pair) < min(a.answer.ended for a in pair)
        for n in range(1, rounds + 1)
        if len(pair := [a for a in attempts if a.round == n]) > 1
    )
    say(f"  rounds whose writes were in flight at the same time: {overlapped} of {rounds}")
    say(
        f"  lost updates: {len(lost)}, 412 responses: {statuses[412]}, "
        f"acknowledged on a stale read: {blind_writes(attempts)}"
    )
    for sentence in lost[:20]:
        say(f"  LOST {sentence}")


def create_burst(clients: list[ApiClient], creates: int) -> list[tuple[str, Answer]]:
    """Every client creates ``creates`` agreements one after the other, all clients at once;
    (title, answer) of each."""
    barrier = threading.Barrier(len(clients))
    made: list[tuple[str, Answer]] = []
    lock = threading.Lock()

    def creator(index: int, client: ApiClient) -> None:
        barrier.wait(timeout=60)
        for number in range(creates):
            title = f"Burst c{index} n{number} {time.time_ns()}"
            answer = client.request("POST", "/api/agreements/", new_agreement(title))
            with lock:
                made.append((title, answer))

    threads = [threading.Thread(target=creator, args=pair) for pair in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return made


def check_burst(database_url: str, made: list[tuple[str, Answer]]) -> tuple[int, int, int]:
    """(answered 201, of those in the database, not answered 201 but in the database all the same)."""
    stored = {
        title
        for (title,) in query(
            database_url,
            "SELECT title FROM agreements_agreement WHERE title = ANY(%s)",
            [[title for title, _ in made]],
        )
    }
    created = [title for title, answer in made if answer.status == 201]
    refused_but_saved = [title for title, answer in made if answer.status != 201 and title in stored]
    return len(created), sum(title in stored for title in created), len(refused_but_saved)


def summarise_burst(made: list[tuple[str, Answer]], check: tuple[int, int, int], elapsed: float) -> None:
    statuses = Counter(answer.status for _, answer in made)
    seconds = sorted(answer.seconds for _, answer in made)
    created, stored, refused_but_saved = check
    say(
        f"Burst of creates: {len(made)} in {elapsed:.1f} s; answers {dict(sorted(statuses.items()))}; "
        f"latency p50 {percentile(seconds, 50):.2f} s, p99 {percentile(seconds, 99):.2f} s, "
        f"max {seconds[-1]:.2f} s"
    )
    say(f"  answered 201 and in the database: {stored} of {created}; not 201 but saved: {refused_but_saved}")
    for _, answer in [pair for pair in made if pair[1].status != 201][:5]:
        say(f"  {answer.status or 'no answer'} {answer.error} {answer.body[:200]!r}")


def create(client: ApiClient) -> int:
    """A new agreement to race on; its id."""
    created = client.request("POST", "/api/agreements/", new_agreement(f"Race {time.time_ns()}"))
    if created.status != 201:
        raise RuntimeError(f"Could not create an agreement to race on: {created.status} {created.body!r}")
    return created.json()["id"]


def parse_arguments() -> argparse.Namespace:
    parser = argument_parser(__doc__)
    parser.add_argument("--rounds", type=int, default=200, help="races of each kind")
    parser.add_argument(
        "--control",
        action="store_true",
        help="send If-Match: * (overwrite whatever is there) to see the check find lost updates",
    )
    parser.add_argument("--creators", type=int, default=16, help="clients of the burst of creates")
    parser.add_argument("--creates", type=int, default=15, help="agreements each creator creates")
    add_server_arguments(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_arguments()
    exit_on_sigterm()
    with tracker_server(args) as server:
        clients = [
            ApiClient(server.url, token) for token in editor_tokens(args.database_url, server.url, WRITERS)
        ]
        agreement_id = create(clients[0])
        detail = f"/api/agreements/{agreement_id}/"
        nested_ids = [create(clients[0]) for _ in range(0, args.rounds, CLAUSES_PER_AGREEMENT)]

        def clauses(round_number: int) -> str:
            return f"/api/agreements/{nested_ids[(round_number - 1) // CLAUSES_PER_AGREEMENT]}/clauses/"

        say(
            f"Racing {len(clients)} editors, {args.rounds} rounds each way, on agreement {agreement_id} "
            f"and (clauses) agreements {nested_ids[0]}–{nested_ids[-1]}"
        )
        if args.control:
            say("Control run: If-Match: * on every write, so racing writers overwrite each other")

        started = time.perf_counter()
        fields = race(
            clients,
            args.rounds,
            read=lambda client, _: client.request("GET", detail),
            write=lambda client, _, tag, marker: client.request(
                "PATCH", detail, {"summary": marker}, {"If-Match": "*" if args.control else tag}
            ),
            label="fields",
        )
        nested = race(
            clients,
            args.rounds,
            read=lambda client, n: client.request("GET", clauses(n)),
            # The next position after the rounds before; both writers of a round pick the same.
            write=lambda client, n, tag, marker: client.request(
                "POST",
                clauses(n),
                {"position": (n - 1) % CLAUSES_PER_AGREEMENT + 1, "text": marker},
                {"If-Match": "*" if args.control else tag},
            ),
            label="clauses",
        )
        elapsed = time.perf_counter() - started
        say(f"Burst: {args.creators} clients × {args.creates} creates, all at once")
        tokens = [client.token for client in clients]
        creators = [ApiClient(server.url, tokens[n % len(tokens)]) for n in range(args.creators)]
        burst_started = time.perf_counter()
        burst = create_burst(creators, args.creates)
        burst_s = time.perf_counter() - burst_started

    lost_fields = check_fields(args.database_url, agreement_id, fields)
    lost_nested = check_clauses(args.database_url, nested_ids, nested)
    say("")
    summarise("Fields (PATCH summary, If-Match)", fields, lost_fields, args.rounds)
    summarise("Nested collection (POST a clause, If-Match)", nested, lost_nested, args.rounds)
    everything = fields + nested
    acknowledged = sum(a.answer.ok for a in everything)
    failed = sum(a.answer.status >= 500 or a.answer.status == 0 for a in everything)
    say(
        f"Totals: {len(everything)} writes in {elapsed:.1f} s, {acknowledged} acknowledged, "
        f"{failed} server errors or no answer"
    )
    burst_check = check_burst(args.database_url, burst)
    summarise_burst(burst, burst_check, burst_s)
    lost = len(lost_fields) + len(lost_nested)
    refused = len(burst) - burst_check[0]
    say(f"lost updates: {lost}, 412 responses: {sum(a.answer.status == 412 for a in everything)}")
    say(f"creates of the burst not answered 201: {refused} of {len(burst)}")
    sys.exit(1 if lost or refused or burst_check[1] != burst_check[0] else 0)


if __name__ == "__main__":
    main()
