"""Import 10,000 agreements with their parts from one XLSX file, and time it (issue 18).

    .venv/bin/python -m bench.spreadsheet_import                        # SQLite file, 10,000 rows
    .venv/bin/python -m bench.spreadsheet_import --database postgresql  # tracker_spreadsheet_bench
    .venv/bin/python -m bench.spreadsheet_import --agreements 1000 --profile

Builds a workbook like a research team's: agreements between 40 pairs of states spread over
seventy years, each with two participants (from a pool of 600 known and new names), two clauses
with categories, a signature date and a ratification. Then, on an empty database (an SQLite file
in a temporary directory, or PostgreSQL database ``tracker_spreadsheet_bench``, dropped and
created again), it times a dry run and the import itself through ``import_spreadsheet``, counts
the queries per agreement, and imports the same file again (everything must be matched, nothing
created). It prints the figures and never asserts: a measurement, not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import os
import pstats
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PG_URL = "postgres://postgres@127.0.0.1:5432/tracker_spreadsheet_bench"
PAIRS = [
    ("IR", "IQ"),
    ("IR", "TR"),
    ("IR", "AF"),
    ("IR", "PK"),
    ("IR", "RU"),
    ("IR", "CN"),
    ("IR", "SY"),
    ("IQ", "TR"),
    ("IQ", "SY"),
    ("IQ", "JO"),
    ("IQ", "SA"),
    ("IQ", "KW"),
    ("TR", "SY"),
    ("TR", "RU"),
    ("TR", "AZ"),
    ("TR", "GE"),
    ("RU", "CN"),
    ("RU", "KZ"),
    ("RU", "BY"),
    ("RU", "UA"),
    ("CN", "PK"),
    ("CN", "IN"),
    ("IN", "PK"),
    ("IN", "BD"),
    ("US", "CA"),
    ("US", "MX"),
    ("FR", "DE"),
    ("FR", "GB"),
    ("DE", "PL"),
    ("EG", "IL"),
    ("EG", "SD"),
    ("SA", "AE"),
    ("AE", "OM"),
    ("JP", "KR"),
    ("BR", "AR"),
    ("NG", "GH"),
    ("KE", "TZ"),
    ("ZA", "MZ"),
    ("AU", "NZ"),
    ("ID", "MY"),
]
CATEGORIES = ["border-security", "joint-exercises", "Intelligence and information exchange", "logistics"]
SYLLABLES = ["ka", "ri", "mo", "sa", "de", "lu", "no", "pe", "ta", "vi", "zo", "ba", "gu", "fe", "hi", "ja"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def _name(rng: random.Random) -> str:
    return f"{_word(rng)} {_word(rng)}{rng.choice(['an', 'ov', 'ez', 'son', 'i'])}"


def build_workbook(count: int, seed: int = 18) -> bytes:
    from openpyxl import Workbook

    rng = random.Random(seed)
    people = list(dict.fromkeys(_name(rng) for _ in range(700)))[:600]
    book = Workbook(write_only=True)
    agreements = book.create_sheet("agreements")
    participants = book.create_sheet("participants")
    clauses = book.create_sheet("clauses")
    events = book.create_sheet("events")
    agreements.append(
        ["id", "title", "party_a", "party_b", "kind", "signed_on", "place_of_signature", "dcad_id"]
    )
    participants.append(["agreement", "party", "person", "role", "office"])
    clauses.append(["agreement", "position", "text", "categories"])
    events.append(["agreement", "status", "date", "party"])
    for index in range(count):
        a, b = PAIRS[index % len(PAIRS)]
        # 250 agreements a pair at most, a little over three months apart: no two within the
        # duplicate rule's 30 days, so each row is its own agreement.
        day = datetime.date(1950, 1, 1) + datetime.timedelta(
            days=100 * (index // len(PAIRS)) + rng.randint(0, 20)
        )
        row_id = f"r{index}"
        agreements.append(
            [
                row_id,
                f"Agreement on {_word(rng)} {_word(rng)} cooperation",
                a,
                b,
                "agreement",
                day.isoformat(),
                "Geneva",
                f"D{index}",
            ]
        )
        # Two different people: a row naming one person twice as a signatory is refused.
        for party, person in zip((a, b), rng.sample(people, 2), strict=True):
            participants.append([row_id, party, person, "signed", "Minister"])
        for position in (1, 2):
            clauses.append(
                [row_id, position, f"The parties undertake {position} for {index}.", rng.choice(CATEGORIES)]
            )
        events.append([row_id, "ratified", (day + datetime.timedelta(days=200)).isoformat()[:7], a])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def prepare(database: str) -> str:
    if database == "postgresql":
        for command in (["dropdb", "--if-exists"], ["createdb"]):
            subprocess.run(
                [*command, "-h", "127.0.0.1", "-U", "postgres", "tracker_spreadsheet_bench"], check=True
            )
        return PG_URL
    path = Path(tempfile.mkdtemp(prefix="spreadsheet-bench-")) / "tracker.sqlite3"
    return f"sqlite:///{path}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agreements", type=int, default=10_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--profile", action="store_true", help="Print where the import's time goes.")
    parser.add_argument("--skip-dry-run", action="store_true")
    parser.add_argument(
        "--skip-second-import", action="store_true", help="Leave out the import of the same file again."
    )
    options = parser.parse_args()

    os.environ["DATABASE_URL"] = prepare(options.database)
    os.environ.setdefault("DEBUG", "true")
    os.environ["DJANGO_SETTINGS_MODULE"] = "tracker.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from agreements.models import Agreement
    from agreements.services.spreadsheet import Action, import_spreadsheet, read_workbook
    from agreements.services.spreadsheet import plan as planning

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    content = build_workbook(options.agreements)
    print(
        f"workbook: {options.agreements:,} agreements, {len(content) / 1e6:.1f} MB, "
        f"built in {time.perf_counter() - started:.1f} s"
    )

    queries = 0
    in_bulk = 0
    create_many = planning.agreements_create_many

    def counted_create_many(*, items):
        nonlocal in_bulk
        in_bulk += len(items)
        return create_many(items=items)

    planning.agreements_create_many = counted_create_many  # to tell how many rows went in bulk

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    def timed_run(label: str, **flags):
        nonlocal queries, in_bulk
        queries, in_bulk = 0, 0
        started = time.perf_counter()
        workbook = read_workbook(content, "bench.xlsx")
        read = time.perf_counter() - started
        profile = cProfile.Profile() if options.profile and not flags.get("dry_run") else None
        with connection.execute_wrapper(count):
            if profile:
                profile.enable()
            plan = import_spreadsheet(workbook=workbook, **flags)
            if profile:
                profile.disable()
        took = time.perf_counter() - started
        per = queries / max(1, len(plan.rows))
        print(
            f"{label}: {took:.1f} s in all ({read:.1f} s reading the file), "
            f"{len(plan.rows) / took:.0f} rows/s, "
            f"{queries:,} queries ({per:.1f} per row); "
            + ", ".join(f"{plan.count(action)} {action.value}" for action in Action)
            + f" ({in_bulk} created in bulk)"
        )
        for row in plan.refused[:3]:
            print("  refused:", "; ".join(str(problem) for problem in row.problems))
        if profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        return plan

    print(f"database: {connection.vendor}")
    if not options.skip_dry_run:
        timed_run("dry run", dry_run=True)
    timed_run("import")
    print(f"agreements stored: {Agreement.objects.count():,}")
    if not options.skip_second_import:
        timed_run("second import of the same file")
        print(f"agreements stored: {Agreement.objects.count():,}")


if __name__ == "__main__":
    main()
