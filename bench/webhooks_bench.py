"""Webhooks under load (issue 18): 10,000 changes through two workers to a local receiver.

    make webhooks-bench             # or: .venv/bin/python -m bench.webhooks_bench [--events N]

Against PostgreSQL database ``tracker_bench_webhooks`` (created and migrated here; its
outbox and webhook tables are emptied before each run). Eight subscriptions each follow one
pair; a producer commits ``--events`` outbox rows (``ChangeEvent``, as writes add them),
spread over the eight pairs, in batches of ``--batch`` at ``--rate`` events a second (0: as
fast as it can), while ``--workers`` processes of ``manage.py deliver_webhooks`` send them to
a receiver on loopback (``http.server`` in a thread of this process).

Two runs: **healthy** (every request answered 200) and **failing** (``--failure-rate`` of the
requests, 10 %, answered 500; the workers retry after 0.2 s, doubling to 1 s). Each prints:

- events/s: events delivered ÷ (last delivery − first commit);
- commit → delivery p50 / p99: from the producer's COMMIT to the receiver's acknowledgement;
- duplicates: acknowledged deliveries whose delivery id had been acknowledged already;
- losses: events committed but never acknowledged;
- out of order: acknowledgements of a subscription older than one it had already acknowledged.

Targets: ≥ 200 events/s healthy, p99 ≤ 2 s, 0 duplicates, 0 losses (both runs). Exits 1 when
a duplicate, a loss or a disorder is found. Results: ``bench/results/webhooks-<time>.json``.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import psycopg

from .harness.common import ROOT, WORK, argument_parser, say, write_result
from .harness.dataset import check_own, create_database, manage
from .harness.load import percentile

sys.path.insert(0, str(ROOT))
from tests.webhook_receiver import receiver

PAIRS = [
    ("IQ", "IR"),
    ("IQ", "TR"),
    ("IR", "TR"),
    ("IQ", "SY"),
    ("IR", "SY"),
    ("SY", "TR"),
    ("IQ", "JO"),
    ("IR", "JO"),
]
SECRET = "bench-secret-of-some-thirty-chars"
TABLES = (
    "agreements_webhookattempt, agreements_webhookdelivery, agreements_webhooksubscription, "
    "agreements_changeeventcategory, agreements_changeevent"
)


def reset(url: str, target: str) -> None:
    """Empty the outbox and the webhooks; one subscription per pair, from the start."""
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")
        owner = db.execute("SELECT id FROM auth_user WHERE username = 'webhooks-bench'").fetchone()
        if owner is None:
            owner = db.execute(
                "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,"
                " is_staff, is_active, date_joined)"
                " VALUES ('!', false, 'webhooks-bench', '', '', '', true, true, now()) RETURNING id"
            ).fetchone()
        for n, (a, b) in enumerate(PAIRS):
            db.execute(
                "INSERT INTO agreements_webhooksubscription (owner_id, target_url, description, secret,"
                " pairs, countries, categories, kinds, state, failing_reason, cursor, leased_by,"
                " created_at, updated_at)"
                " VALUES (%s, %s, %s, %s, %s, '[]', '[]', '[]', 'active', '', 0, '', now(), now())",
                (owner[0], f"{target}/{n}", f"{a}-{b}", SECRET, json.dumps([f"{a}-{b}"])),
            )


def produce(url: str, events: int, batch: int, rate: float) -> dict[int, float]:
    """Commit the events in batches; each event's number (its agreement id) → commit time."""
    committed: dict[int, float] = {}
    started = time.perf_counter()
    with psycopg.connect(url) as db:
        for first in range(1, events + 1, batch):
            numbers = range(first, min(first + batch, events + 1))
            rows = [(n, f"Agreement {n}", *PAIRS[n % len(PAIRS)]) for n in numbers]
            with db.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO agreements_changeevent (kind, created_at, agreement_id, title, party_a,"
                    " party_b, categories, summary, details, interface)"
                    " VALUES ('agreement_added', now(), %s, %s, %s, %s, '[]', 'Added.', '{}', 'bench')",
                    rows,
                )
            db.commit()
            now = time.time()
            committed.update((n, now) for n in numbers)
            if rate:
                pause = started + len(committed) / rate - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
    return committed


def start_workers(url: str, count: int, log: Path) -> list[subprocess.Popen]:
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "DJANGO_SETTINGS_MODULE")}
    env |= {
        "DATABASE_URL": url,
        "DEBUG": "true",
        "LOG_LEVEL": "WARNING",
        "WEBHOOK_RETRY_BASE": "0.2",
        "WEBHOOK_RETRY_CAP": "1",
    }
    output = log.open("w")
    return [
        subprocess.Popen(
            [sys.executable, "manage.py", "deliver_webhooks", "--poll", "0.05"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        for _ in range(count)
    ]


def run(url: str, mode: str, args) -> dict:
    rng = random.Random(18)
    failure = args.failure_rate if mode == "failing" else 0.0

    def answer(number: int, body: bytes) -> tuple[int, float]:
        return (500 if rng.random() < failure else 200), 0.0

    with receiver(answer) as hook:
        reset(url, hook.url)
        WORK.mkdir(parents=True, exist_ok=True)
        workers = start_workers(url, args.workers, WORK / f"webhooks-{mode}.log")
        try:
            committed = produce(url, args.events, args.batch, args.rate)
            deadline = time.monotonic() + args.timeout
            while len({r.headers["X-Webhook-Delivery"] for r in hook.acknowledged()}) < args.events:
                if time.monotonic() > deadline:
                    say(f"  gave up waiting after {args.timeout} s")
                    break
                time.sleep(0.1)
            time.sleep(0.5)  # anything sent twice would arrive now
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait(30)
        acknowledged = hook.acknowledged()
        requests = len(hook.received)
    first_ack: dict[int, float] = {}
    seen: set[str] = set()
    duplicates = disorder = 0
    last = defaultdict(int)
    for request in acknowledged:
        body = json.loads(request.body)
        delivery, number, webhook = body["delivery"], body["agreement"]["id"], body["webhook"]
        if delivery in seen:
            duplicates += 1
            continue
        seen.add(delivery)
        first_ack[number] = request.at
        if number < last[webhook]:
            disorder += 1
        last[webhook] = number
    latencies = sorted(first_ack[n] - committed[n] for n in first_ack)
    span = max(first_ack.values()) - min(committed.values()) if first_ack else float("nan")
    result = {
        "mode": mode,
        "events": args.events,
        "requests": requests,
        "refused": requests - len(acknowledged),
        "delivered": len(first_ack),
        "events_per_s": len(first_ack) / span if span else 0.0,
        "p50_s": percentile(latencies, 50),
        "p99_s": percentile(latencies, 99),
        "duplicates": duplicates,
        "losses": len(set(committed) - set(first_ack)),
        "out_of_order": disorder,
        "per_event_counts": dict(
            Counter(Counter(r.headers["X-Webhook-Delivery"] for r in acknowledged).values())
        ),
    }
    say(
        f"  {mode}: {result['delivered']:,}/{args.events:,} delivered in {span:.1f} s → "
        f"{result['events_per_s']:.0f} events/s; commit→delivery p50 {result['p50_s']:.3f} s, "
        f"p99 {result['p99_s']:.3f} s; {result['refused']:,} requests refused by the receiver; "
        f"duplicates {duplicates}, losses {result['losses']}, out of order {disorder}"
    )
    return result


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/tracker_bench_webhooks")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--rate", type=float, default=400, help="events a second offered (0: as fast as possible)"
    )
    parser.add_argument("--batch", type=int, default=20, help="events per producer commit")
    parser.add_argument("--failure-rate", type=float, default=0.10)
    parser.add_argument("--modes", default="healthy,failing")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the last delivery")
    args = parser.parse_args()
    check_own(args.database_url, "tracker_bench_webhooks")
    create_database(args.database_url)
    manage({**os.environ, "DATABASE_URL": args.database_url, "DEBUG": "true"}, "migrate", "--no-input", "-v0")
    say(
        f"{args.events:,} changes, {len(PAIRS)} subscriptions, {args.workers} workers, "
        f"offered at {args.rate or 'full speed'} events/s"
    )
    results = [run(args.database_url, mode, args) for mode in args.modes.split(",")]
    path = write_result("webhooks", {"arguments": vars(args), "results": results})
    say(f"Results: {path}")
    if any(r["duplicates"] or r["losses"] or r["out_of_order"] for r in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
