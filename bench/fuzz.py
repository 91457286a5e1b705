"""`make fuzz`: schemathesis against a running server on PostgreSQL (issue 5).

    make fuzz                                     # = .venv/bin/python -m bench.fuzz
    make fuzz FUZZ_ARGS="--max-examples 20"       # the bounded run CI does

1. Prepares PostgreSQL database ``tracker_fuzz`` (only names starting with
   ``tracker_fuzz`` are accepted): created if missing, migrated, the demo data loaded,
   a small synthetic dataset added, and an editor with an API token.
2. Starts our server under gunicorn on a loopback port, production-like (``DEBUG`` off)
   except plain HTTP and no throttling, with the bench harness, which stops it by PID.
3. Runs ``st run`` (``bench/fuzz/schemathesis.toml``: NUL bytes allowed, valid and invalid
   requests, four checks: no 5xx, status codes, content types and bodies as the schema
   says) over every operation of ``/api/schema/``, once with the editor's token and once
   anonymously, ``--max-examples`` generated cases per operation (1,000 by default).
4. Prints, per phase, the number of operations and cases, the duration and the number
   of server errors and schema violations; exits non-zero on any failure.

A full run (1,000 cases an operation, two phases) takes longer than one sitting on a 2-core
machine, so it can be made in pieces: ``--minutes N`` stops schemathesis after N minutes,
and every operation that finished all its phases without a failure is written to
``bench/fuzz/full-run.json`` (committed) under the SHA-256 of the schema it was fuzzed
against; ``--resume`` then fuzzes only the operations that file does not yet hold for this
schema. When the schema changes, the record no longer counts and the next run starts over.

Everything is written to ``tracker_fuzz``; the generated writes accumulate there, which
is harmless (the next run migrates and reloads the same demo data on top).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from .harness.common import ROOT, argument_parser, say
from .harness.dataset import MANAGE, check_own, create_database, manage, synthetic_agreements
from .harness.servers import Servers, server_environment, start_gunicorn

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tracker_fuzz"
DATABASE_PREFIX = "tracker_fuzz"  # the only databases this script creates or writes to
CONFIG = ROOT / "bench" / "fuzz" / "schemathesis.toml"
# Operations fuzzed in full and clean, per phase, under the schema's hash (committed).
RECORD = ROOT / "bench" / "fuzz" / "full-run.json"
FULL = 1000  # cases an operation in a full run: only such runs are recorded
OUTPUT = ROOT / "bench" / "fuzz" / "output"  # git-ignored: logs and reports of the last run
ST = Path(sys.executable).parent / "st"  # schemathesis, installed beside this Python
EDITOR = "fuzz-editor"
# DELETE /api/auth/token/ would revoke the token and turn the rest of the authenticated phase
# into an anonymous one; the anonymous phase still calls it.
NOT_WITH_THE_TOKEN = "auth_token_destroy"
# Names of the schemathesis checks in its reports, and what we call a failure of each.
SERVER_ERRORS = {"not_a_server_error"}
SCHEMA_VIOLATIONS = {"status_code_conformance", "content_type_conformance", "response_schema_conformance"}


def prepare_database(database_url: str, synthetic: int, env: dict[str, str]) -> str:
    """Create and migrate the database, load the demo and synthetic data; the editor's token."""
    check_own(database_url, DATABASE_PREFIX)
    create_database(database_url)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "load_agreements", str(ROOT / "fixtures" / "iran-iraq.json"))
    present = synthetic_agreements(database_url)
    if present < synthetic:
        # Enough rows that list pages, filters and the reports have something to page through.
        manage(env, "generate_synthetic_data", "--agreements", str(synthetic - present), "--append")
    script = (
        "from django.contrib.auth import get_user_model\n"
        "from django.contrib.auth.models import Group\n"
        "from rest_framework.authtoken.models import Token\n"
        f"user, _ = get_user_model().objects.get_or_create(username={EDITOR!r})\n"
        "user.set_unusable_password(); user.is_staff = True; user.save()\n"
        "user.groups.add(Group.objects.get(name='Editors'))\n"
        "print(Token.objects.get_or_create(user=user)[0].key)\n"
    )
    result = subprocess.run(
        [*MANAGE, "shell", "-c", script],
        check=True,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip().splitlines()[-1]


@dataclass
class Phase:
    name: str
    max_examples: int
    returncode: int = 0
    seconds: float = 0.0
    operations: int = 0
    cases: int = 0
    cases_per_operation: dict[str, int] = field(default_factory=dict)
    fuzzing_cases_per_operation: dict[str, int] = field(default_factory=dict)
    failures: Counter = field(default_factory=Counter)  # failing cases per check
    examples: dict[tuple[str, str], str] = field(default_factory=dict)  # one per operation and check
    errors: list[str] = field(default_factory=list)
    finished: set[str] = field(default_factory=set)  # operations whose fuzzing phase ended
    failing: set[str] = field(default_factory=set)  # operations with a failing case or an error
    stopped: bool = False  # ended by --minutes, not by running out of operations
    skipped: int = 0  # operations left out because the record holds them (--resume)

    @property
    def server_errors(self) -> int:
        return sum(n for check, n in self.failures.items() if check in SERVER_ERRORS)

    @property
    def schema_violations(self) -> int:
        return sum(n for check, n in self.failures.items() if check in SCHEMA_VIOLATIONS)

    @property
    def passed(self) -> bool:
        if self.failures or self.errors:
            return False
        return (self.returncode == 0 or self.stopped) and (self.cases > 0 or self.skipped > 0)

    @property
    def clean(self) -> set[str]:
        """Operations that went through every schemathesis phase without a failure."""
        return self.finished - self.failing


def _label(event: dict) -> str | None:
    """``METHOD /path`` of an ndjson event that concerns one operation."""
    for key in ("label", "verbose_name"):
        value = event.get(key)
        if isinstance(value, str) and value[:1].isupper():
            return value
    return None


def read_report(phase: Phase, path: Path) -> None:
    """Count cases per operation, failures per check and errors from the ndjson event log."""
    per_operation: Counter = Counter()
    fuzzing: Counter = Counter()
    for line in path.read_text().splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:  # the last line of a run stopped by --minutes
            continue
        kind, body = next(iter(event.items()))
        if kind == "ScenarioFinished":
            label = body.get("label") or (body.get("recorder") or {}).get("label")
            recorder = body.get("recorder") or {}
            cases = recorder.get("cases") or {}
            per_operation[label] += len(cases)
            if body.get("phase") == "fuzzing":
                fuzzing[label] += len(cases)
                phase.finished.add(label)
            for case_id, checks in (recorder.get("checks") or {}).items():
                for check in checks:
                    if check.get("status") == "failure":
                        phase.failures[check["name"]] += 1
                        phase.failing.add(label)
                        failure = (check.get("failure_info") or {}).get("failure") or {}
                        phase.examples.setdefault(
                            (label, check["name"]), f"{failure.get('title')} ({case_id})"
                        )
                    elif check.get("status") == "error":
                        phase.failing.add(label)
                        phase.errors.append(f"{label}: check {check['name']} raised ({case_id})")
        elif kind == "NonFatalError":
            phase.failing.add(body.get("label"))
            phase.errors.append(f"{body.get('label')}: {body.get('info', {}).get('message', body)}")
        elif kind == "FatalError":
            phase.errors.append(str(body.get("exception", body)))
    phase.cases_per_operation = dict(per_operation)
    phase.fuzzing_cases_per_operation = dict(fuzzing)
    phase.operations = len(per_operation)
    phase.cases = sum(per_operation.values())


def run_phase(
    name: str, base_url: str, args: argparse.Namespace, token: str | None, schema: Schema, done: set[str]
) -> Phase:
    """One ``st run``; ``done``: operations (``METHOD /path``) to leave out, already fuzzed in full."""
    phase = Phase(name, args.max_examples)
    report = OUTPUT / f"{name}.ndjson"
    argv = [
        str(ST),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base_url}/api/schema/?format=json",
        "--url",
        base_url,
        "--max-examples",
        str(args.max_examples),
        "--workers",
        str(args.st_workers),
        "--phases",
        args.st_phases,
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
    ]
    if args.seed is not None:
        argv += ["--seed", str(args.seed)]
    if token:
        argv += ["--header", f"Authorization: Token {token}"]
        argv += ["--exclude-operation-id", NOT_WITH_THE_TOKEN]
    # Never sent in this phase: the token's revocation (with a token), and what the record holds.
    never = {label for label, key in schema.operation_ids.items() if token and key == NOT_WITH_THE_TOKEN}
    left_out = done & set(schema.operation_ids)
    for label in sorted(left_out):
        argv += ["--exclude-operation-id", schema.operation_ids[label]]
    phase.skipped = len(left_out)
    if left_out and left_out >= set(schema.operation_ids) - never:
        say(f"=== {name}: every operation is already in {RECORD.name} for this schema ===")
        return phase
    budget = f", for at most {args.minutes:g} minutes" if args.minutes else ""
    say(
        f"=== {name}: st run, {args.max_examples} cases per operation"
        f"{f', {len(left_out)} operations already done left out' if left_out else ''}{budget} ==="
    )
    started = time.perf_counter()
    with (OUTPUT / f"{name}.log").open("w") as log:
        process = subprocess.Popen(argv, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            phase.returncode = process.wait(timeout=args.minutes * 60 if args.minutes else None)
        except subprocess.TimeoutExpired:
            # Stopped by the budget: what finished is in the event log, the rest is for --resume.
            process.send_signal(signal.SIGINT)
            try:
                phase.returncode = process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                phase.returncode = process.wait()
            phase.stopped = True
    phase.seconds = time.perf_counter() - started
    read_report(phase, report)
    if not phase.stopped:
        # Every operation of the schema must have been sent cases (a new one, such as POST
        # /api/intake/, is fuzzed with the rest): one that was not would pass unseen.
        for label in sorted(set(schema.operation_ids) - set(phase.cases_per_operation) - never - left_out):
            phase.errors.append(f"{label}: no case was sent")
    if token and not token_is_valid(args.database_url, token):
        phase.errors.append("the token was revoked during the phase: most of it ran unauthenticated")
    if phase.passed:
        report.unlink()  # about 4 kB a case; kept only when it holds a failure to look at
    return phase


@dataclass(frozen=True)
class Schema:
    """The server's schema: its hash, and the operationId of each ``METHOD /path`` (as the report
    labels operations)."""

    sha256: str
    operation_ids: dict[str, str]

    @classmethod
    def of(cls, base_url: str) -> Schema:
        with urllib.request.urlopen(f"{base_url}/api/schema/?format=json", timeout=60) as answer:
            document = json.load(answer)
        methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
        operation_ids = {
            f"{method.upper()} {path}": operation["operationId"]
            for path, item in document["paths"].items()
            for method, operation in item.items()
            if method in methods
        }
        canonical = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
        return cls(hashlib.sha256(canonical).hexdigest(), operation_ids)


def read_record(schema: Schema) -> dict:
    """The record of operations fuzzed in full, or an empty one when it was made on another schema."""
    empty = {"schema_sha256": schema.sha256, "max_examples": FULL, "phases": {}}
    if not RECORD.exists():
        return empty
    record = json.loads(RECORD.read_text())
    if record.get("schema_sha256") != schema.sha256:
        other = record.get("schema_sha256", "?")[:12]
        say(f"{RECORD.name} was made on another schema ({other}): starting over")
        return empty
    return record


def write_record(record: dict, phase: Phase) -> int:
    """Add the phase's operations fuzzed in full without a failure; how many were added."""
    operations = record["phases"].setdefault(phase.name, {})
    today = datetime.date.today().isoformat()
    added = 0
    for label in sorted(phase.clean - set(operations)):
        operations[label] = {
            "cases": phase.cases_per_operation.get(label, 0),
            "fuzzing_cases": phase.fuzzing_cases_per_operation.get(label, 0),
            "date": today,
        }
        added += 1
    record["phases"][phase.name] = dict(sorted(operations.items()))
    RECORD.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    return added


def token_is_valid(database_url: str, token: str) -> bool:
    with psycopg.connect(database_url) as connection:
        return bool(connection.execute("SELECT 1 FROM authtoken_token WHERE key = %s", [token]).fetchone())


def summary(phase: Phase) -> str:
    verdict = "passed" if phase.passed else "FAILED"
    if phase.passed and phase.stopped:
        verdict = "passed so far (stopped by --minutes; --resume goes on)"
    lines = [
        f"{phase.name}: {phase.cases:,} cases over {phase.operations} operations in "
        f"{phase.seconds / 60:.1f} min; {phase.server_errors} server errors, "
        f"{phase.schema_violations} schema violations, {len(phase.errors)} errors "
        f"(st exit {phase.returncode}): {verdict}",
    ]
    if phase.cases_per_operation:
        counts = sorted(phase.cases_per_operation.values())
        lines.append(
            f"  cases per operation, all phases: fewest {counts[0]:,}, median {counts[len(counts) // 2]:,}"
        )
    if phase.fuzzing_cases_per_operation:
        # Hypothesis stops early on an operation whose inputs it has exhausted (few parameters)
        # or when too many generated cases are filtered out (a path id that must exist).
        counts = phase.fuzzing_cases_per_operation
        short = sorted((n, label) for label, n in counts.items() if n < phase.max_examples)
        lines.append(
            f"  fuzzing phase: {sum(counts.values()):,} cases; {len(counts) - len(short)} of {len(counts)} "
            f"operations reached {phase.max_examples:,}"
            + "".join(f"\n    {label}: {n:,} (Hypothesis stopped early)" for n, label in short)
        )
    for check, count in sorted(phase.failures.items()):
        lines.append(f"  {check}: {count} failing cases")
    for (label, check), example in sorted(phase.examples.items()):
        lines.append(f"    {label} {check}: {example}")
    lines.extend(f"  error: {error}" for error in phase.errors[:20])
    if not phase.passed:
        lines.append(f"  details: {OUTPUT / (phase.name + '.log')}")
    return "\n".join(lines)


def server_log_summary(log: Path) -> str:
    """How many 500s the server logged, and how many of them were the database being away.

    Another engineer's fault tests restart PostgreSQL now and then; requests in that window
    fail with OperationalError. They still count as failures (rerun), but say so.
    """
    text = log.read_text(errors="replace") if log.exists() else ""
    # Each 500 is logged as "Internal Server Error: <path>" followed by its traceback.
    entries = text.split("Internal Server Error:")[1:]
    errors = len(entries)
    unreachable = sum("OperationalError" in entry for entry in entries)
    note = f", {unreachable} with the database unreachable (a restart: rerun)" if unreachable else ""
    # An exception while a streamed response (the CSV export) is being sent cannot become a
    # 500 any more: gunicorn logs it and cuts the connection (schemathesis: a network error).
    cut = text.count("Error handling request")
    return f"server log: {errors} requests answered 500{note}; {cut} responses cut off by an error"


def main() -> int:
    parser = argument_parser(__doc__)
    parser.add_argument("--database-url", default=os.environ.get("FUZZ_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--max-examples", type=int, default=1000, help="cases per operation")
    parser.add_argument("--synthetic", type=int, default=300, help="synthetic agreements to add")
    # One worker: with two threads, CPython 3.11's ast.parse (which Hypothesis calls to describe
    # its strategies) fails now and then with "AST constructor recursion depth mismatch"
    # (CPython gh-106905), an error of the fuzzer that would fail a run at random.
    parser.add_argument("--st-workers", type=int, default=1, help="concurrent schemathesis workers")
    parser.add_argument("--server-workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--seed", type=int, default=None, help="schemathesis seed, to repeat a run")
    parser.add_argument(
        "--st-phases",
        default="examples,coverage,fuzzing",
        help="schemathesis phases; coverage (boundary values of every parameter, ~2,500 cases a run "
        "whatever --max-examples says) is the slow one",
    )
    parser.add_argument(
        "--phases", default="authenticated,anonymous", help="which of authenticated,anonymous to run"
    )
    parser.add_argument(
        "--minutes", type=float, default=0, help="stop each phase's schemathesis after this long (0: never)"
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help=f"leave out the operations bench/fuzz/{RECORD.name} holds as fuzzed in full on this schema",
    )
    args = parser.parse_args()
    full = args.max_examples >= FULL and "fuzzing" in args.st_phases.split(",")
    if args.resume and not full:
        parser.error(f"--resume continues a full run: --max-examples {FULL} or more, with the fuzzing phase")

    OUTPUT.mkdir(parents=True, exist_ok=True)
    env = server_environment(args.database_url, secret_key="fuzz-only-not-a-secret")
    say(f"Preparing {check_own(args.database_url, DATABASE_PREFIX)}")
    token = prepare_database(args.database_url, args.synthetic, env)
    phases: list[Phase] = []
    started = time.perf_counter()
    with Servers(OUTPUT) as servers:
        server = start_gunicorn(servers, "fuzz-server", env, workers=args.server_workers)
        say(f"Server on {server.url} (PID {server.pid})")
        schema = Schema.of(server.url)
        record = read_record(schema)
        say(f"Schema {schema.sha256[:12]}: {len(schema.operation_ids)} operations")
        for name in args.phases.split(","):
            done = set(record["phases"].get(name, {})) if args.resume else set()
            phase = run_phase(
                name, server.url, args, token if name == "authenticated" else None, schema, done
            )
            phases.append(phase)
            say(summary(phase))
            if full:
                added = write_record(record, phase)
                held = len(record["phases"][name])
                say(f"  {RECORD.name}: {added} operations added, {held} of {len(schema.operation_ids)} held")
    say(server_log_summary(OUTPUT / "fuzz-server.log"))
    total = sum(phase.cases for phase in phases)
    failed = [phase.name for phase in phases if not phase.passed]
    say(
        f"=== make fuzz: {total:,} cases in {(time.perf_counter() - started) / 60:.1f} min, "
        f"{sum(p.server_errors for p in phases)} server errors, "
        f"{sum(p.schema_violations for p in phases)} schema violations: "
        + (f"FAILED ({', '.join(failed)})" if failed else "passed")
        + " ==="
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
