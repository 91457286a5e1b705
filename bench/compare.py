"""The same requests against two servers, alternately: is one side slower, and by how much?

    # two versions of the code on the same data (issue 13: "no workload more than 10 % slower")
    .venv/bin/python -m bench.compare \\
        --a-root ../before --a-database-url postgres://postgres@127.0.0.1:5432/tracker_bench_before \\
        --b-database-url postgres://postgres@127.0.0.1:5432/tracker_bench_after --limit 1.10

    # this code on two sizes of data (issue 17, item 7: "1M against 250k within 1.3x")
    .venv/bin/python -m bench.compare \\
        --a-database-url postgres://postgres@127.0.0.1:5432/tracker_bench \\
        --b-database-url postgres://postgres@127.0.0.1:5432/tracker_bench_1m --limit 1.30

Side A and side B are each a checkout of the code (``--a-root``, ``--b-root``; this one by
default: a git worktree of an older commit shares this virtualenv) and a PostgreSQL database
(names starting with ``tracker_bench``). Each side's server runs under gunicorn from its own
checkout, with the production-like settings of ``bench.run`` and kept reports off
(``REPORT_CACHE_SECONDS=0``), so that a report is computed at every request, as the older code
did.

To compare code on the same rows, fill side A's database with the older code's generator and
copy it for side B (``CREATE DATABASE … TEMPLATE …``), then migrate the copy with the newer
code: the same agreements, each in its code's shape. This script does not fill or migrate.

The requests are ``bench.run``'s of our server (first and deep cursor page, detail, busy and
typical pair summary, common and rare search), with the rows each side's database points at
(``bench.harness.sample``: the same rows when the data are the same). wrk drives each workload
on both sides, in ABBA order across rounds so that a drifting machine weighs on both alike.
It prints, per workload, each side's best round, and B's time a request ÷ A's, against
``--limit``; it writes the figures under ``bench/results/`` and exits 1 when a workload is
over the limit. A measurement, not a test: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

from .harness.common import ROOT, WORK, argument_parser, say, write_result
from .harness.dataset import check_own, database_name
from .harness.load import Measurement, settle, wrk
from .harness.sample import Sample, choose_sample
from .harness.servers import Server, Servers, configure_django, server_environment, start_gunicorn
from .harness.workloads import OURS, define

PREFIX = "tracker_bench"


@dataclass
class Side:
    name: str
    root: Path
    database_url: str
    sample: Sample | None = None
    server: Server | None = None

    def describe(self) -> str:
        where = "this checkout" if self.root == ROOT else str(self.root)
        return f"{self.name}: {database_name(self.database_url)}, code of {where}"


def sample_of(side: Side) -> Sample:
    """``bench.harness.sample``'s choice of rows in the side's database (only the columns every
    version of the schema has are read)."""
    import environ
    from django.db import connections

    alias = f"compare_{side.name}"
    settings = dict(connections.databases["default"])
    target = environ.Env.db_url_config(side.database_url)
    settings.update({key: value for key, value in target.items() if key != "ENGINE"})
    connections.databases[alias] = settings
    try:
        return choose_sample(using=alias)
    finally:
        connections[alias].close()


def parse_arguments() -> argparse.Namespace:
    parser = argument_parser(__doc__)
    parser.add_argument("--a-root", type=Path, default=ROOT, help="side A's checkout")
    parser.add_argument("--a-database-url", required=True, help=f"side A's database, named {PREFIX}…")
    parser.add_argument("--b-root", type=Path, default=ROOT, help="side B's checkout")
    parser.add_argument("--b-database-url", required=True, help=f"side B's database, named {PREFIX}…")
    parser.add_argument("--limit", type=float, default=1.10, help="the most B's time may be of A's")
    parser.add_argument("--seconds", type=float, default=8, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=4, help="rounds, in ABBA order")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="gunicorn processes a side")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads a process")
    parser.add_argument("--only", nargs="*", help="workload keys to run (default: all)")
    return parser.parse_args()


def main() -> int:
    args = parse_arguments()
    sides = [
        Side("A", args.a_root.resolve(), args.a_database_url),
        Side("B", args.b_root.resolve(), args.b_database_url),
    ]
    for side in sides:
        check_own(side.database_url, PREFIX)
    configure_django(server_environment(args.b_database_url, secret_key="bench-only-not-a-secret"))
    for side in sides:
        side.sample = sample_of(side)
        say(f"{side.describe()}; {side.sample.agreements:,} agreements, busiest pair {side.sample.busy_pair}")
    workloads = {side.name: {w.key: w for w in define(side.sample, None)} for side in sides}
    keys = [key for key in workloads["A"] if not args.only or key in args.only]

    results: dict[str, dict[str, list[Measurement]]] = {key: {"A": [], "B": []} for key in keys}
    with Servers(WORK) as servers:
        for side in sides:
            env = server_environment(side.database_url, secret_key="bench-only-not-a-secret")
            env["REPORT_CACHE_SECONDS"] = "0"
            name = f"compare-{side.name}"
            side.server = start_gunicorn(
                servers, name, env, workers=args.workers, threads=args.threads, root=side.root
            )
            say(f"{side.name} on {side.server.url}")
        for round_number in range(args.rounds):
            order = sides if round_number % 2 == 0 else sides[::-1]
            for key in keys:
                for side in order:
                    request = workloads[side.name][key].calls[OURS].on(side.server.url)
                    settle(side.database_url)
                    measurement = wrk(request, seconds=args.seconds, connections=args.connections)
                    results[key][side.name].append(measurement)
            say(f"round {round_number + 1} of {args.rounds} done")

    say(f"\n{'workload':<44} {'A req/s':>9} {'B req/s':>9} {'B ÷ A time':>11}  limit {args.limit:.2f}")
    over = []
    rows = []
    for key in keys:
        best = {name: max(m.requests_per_second for m in runs) for name, runs in results[key].items()}
        ratio = best["A"] / best["B"]
        verdict = "ok" if ratio <= args.limit else "OVER"
        if verdict == "OVER":
            over.append(key)
        label = workloads["B"][key].label
        say(f"{label:<44} {best['A']:>9.1f} {best['B']:>9.1f} {ratio:>10.2f}x  {verdict}")
        rows.append(
            {
                "workload": key,
                "label_a": workloads["A"][key].label,
                "label_b": label,
                "a_requests_per_second": [m.requests_per_second for m in results[key]["A"]],
                "b_requests_per_second": [m.requests_per_second for m in results[key]["B"]],
                "b_time_over_a": ratio,
            }
        )
    path = write_result(
        "compare",
        {
            "sides": [side.describe() for side in sides],
            "limit": args.limit,
            "load_average": os.getloadavg(),
            "workloads": rows,
        },
    )
    say(f"load average {os.getloadavg()[0]:.1f}; written to {path.relative_to(ROOT)}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
