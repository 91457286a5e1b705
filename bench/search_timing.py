"""``python -m bench.search_timing``: the searches (and the heaviest report) in process, on
PostgreSQL and on SQLite side by side (issue 20).

Quicker than ``bench.run --database sqlite`` (no gunicorn, no wrk, no data preparation) on a
machine too busy for servers: each database is timed by a process of its own, with the
servers' production settings and Django's test client (no HTTP), the best and the median of
``--repeat`` requests after one untimed request, the engines alternating round by round. Both
databases must already hold the same synthetic data (``generate_synthetic_data``, same seed):
the sample is chosen on each, as ``bench.run`` chooses it.

    python -m bench.search_timing --postgres postgres://…/tracker_x --sqlite /tmp/x.sqlite3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

from .harness.common import say
from .harness.servers import configure_django, server_environment

PAGE = 50


def workloads(rare: str) -> list[tuple[str, str]]:
    return [
        ("search q=memorandum (50)", f"/api/agreements/?q=memorandum&page_size={PAGE}"),
        ("search q=<one title's number> (50)", f"/api/agreements/?q={rare}&page_size={PAGE}"),
        ("search, two words (50)", f"/api/agreements/?q=memorandum+{rare}&page_size={PAGE}"),
        (
            'search, a phrase "memorandum of understanding"',
            '/api/agreements/?q="memorandum+of+understanding"',
        ),
        ("search, a word found nowhere", "/api/agreements/?q=zzzzqx"),
        ("network report, one category", "/api/reports/network/?category=defence-cooperation"),
    ]


def measure(database_url: str, repeat: int) -> None:
    """In this process: time each workload on ``database_url``; print one JSON line."""
    configure_django(server_environment(database_url, "bench-search-timing"))
    from django.test import Client

    from .harness.sample import choose_sample

    sample = choose_sample()
    client = Client(HTTP_HOST="127.0.0.1")
    results = {}
    for label, url in workloads(sample.rare_term):
        response = client.get(url)  # untimed: caches, the connection
        if response.status_code != 200:  # e.g. a report over its time bound (503): said, not timed
            results[label] = {"best_ms": None, "median_ms": None, "count": f"HTTP {response.status_code}"}
            continue
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        body = response.json()
        count = body.get("count", len(body.get("edges", body.get("results", []))))
        results[label] = {"best_ms": min(times), "median_ms": statistics.median(times), "count": count}
    print(json.dumps({"rare_term": sample.rare_term, "results": results}))


def run_engine(database_url: str, repeat: int) -> dict:
    command = [
        sys.executable,
        "-m",
        "bench.search_timing",
        "--measure",
        database_url,
        "--repeat",
        str(repeat),
    ]
    finished = subprocess.run(command, capture_output=True, text=True)
    if finished.returncode != 0:
        raise SystemExit(f"{database_url}: {finished.stderr[-3000:]}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", help="postgres://… URL of a database holding the data")
    parser.add_argument("--sqlite", help="path of a SQLite file holding the same data")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per workload and round")
    parser.add_argument("--rounds", type=int, default=2, help="rounds, alternating the engines")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.repeat)
        return
    engines = {"PostgreSQL": args.postgres, "SQLite": f"sqlite:///{args.sqlite}"}
    rounds: dict[str, list[dict]] = {name: [] for name in engines}
    for number in range(args.rounds):
        order = list(engines) if number % 2 == 0 else list(reversed(engines))
        for name in order:
            say(f"round {number + 1}: {name}")
            rounds[name].append(run_engine(engines[name], args.repeat))
    labels = list(rounds["PostgreSQL"][0]["results"])
    best = {
        name: {
            label: min((run["results"][label]["best_ms"] or float("inf")) for run in runs) for label in labels
        }
        for name, runs in rounds.items()
    }
    counts = {name: runs[0]["results"] for name, runs in rounds.items()}
    rare = rounds["SQLite"][0]["rare_term"]
    print(f"rare term: {rare}; best of {args.repeat} × {args.rounds} rounds, in process")
    print(f"{'workload':50} {'PG ms':>9} {'SQLite ms':>10} {'÷':>7}  matches PG / SQLite")
    for label in labels:
        pg, lite = best["PostgreSQL"][label], best["SQLite"][label]
        matches = f"{counts['PostgreSQL'][label]['count']} / {counts['SQLite'][label]['count']}"
        print(f"{label:50} {pg:9.1f} {lite:10.1f} {lite / pg:6.2f}×  {matches}")


if __name__ == "__main__":
    main()
