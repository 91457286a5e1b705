"""HTTP caching by data version (issue 17, item 3): what a 304 and a kept report are worth.

    .venv/bin/python -m bench.http_caching [--agreements 100000] [--seconds 8] [--rounds 2]

On its own database (``tracker_caching_bench``, filled with synthetic agreements unless it
already holds them), two servers under gunicorn with the product's settings and Redis as the
shared cache: one as deployed, one with ``REPORT_CACHE_SECONDS=0`` (reports computed every
time, as before). wrk drives, in interleaved rounds:

* an agreement's detail, uncached (the rate the issue's 304 target is measured against);
* the same detail with its ETag in If-None-Match (304);
* the busiest pair's report, uncached (the second server), kept in the cache (repeated), and
  with its ETag in If-None-Match (304);
* the first page of the list with its ETag (304).

It prints requests/s per workload and the ratios the issue's targets name, with the load
average, and writes them under ``bench/results/``. A measurement, not a test.
"""

from __future__ import annotations

import os
import urllib.request

from .harness.common import WORK, argument_parser, say, write_result
from .harness.dataset import prepare_postgres
from .harness.load import Measurement, Request, settle, wrk
from .harness.sample import choose_sample
from .harness.servers import Servers, configure_django, server_environment, start_gunicorn

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tracker_caching_bench"
PREFIX = "tracker_caching_bench"


def etag_of(url: str) -> str:
    with urllib.request.urlopen(url, timeout=120) as answer:
        answer.read()
        return answer.headers["ETag"]


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--agreements", type=int, default=100_000, help="synthetic agreements wanted")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"named {PREFIX}…")
    parser.add_argument("--seconds", type=float, default=8, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per process")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--cache-prefix", default="caching:bench")
    args = parser.parse_args()

    env = server_environment(args.database_url, secret_key="bench-only-not-a-secret")
    env |= {"CACHE_URL": args.cache_url, "CACHE_KEY_PREFIX": args.cache_prefix}
    dataset = prepare_postgres(args.database_url, args.agreements, env, prefix=PREFIX)
    configure_django(env)
    sample = choose_sample()
    a, b, busy = sample.busy_pair
    say(f"Busiest pair {a}-{b} ({busy} agreements); detail {sample.middle_id}")

    with Servers(WORK / "logs") as servers:
        cached = start_gunicorn(servers, "cached", env, workers=args.workers, threads=args.threads)
        computing = {**env, "REPORT_CACHE_SECONDS": "0"}
        uncached = start_gunicorn(servers, "uncached", computing, workers=args.workers, threads=args.threads)
        detail = f"{cached.url}/api/agreements/{sample.middle_id}/"
        pair = f"/api/reports/pairs/{a}-{b}/"
        first_page = f"{cached.url}/api/agreements/?page_size=50"
        workloads = {
            "detail, uncached": Request(detail),
            "detail, If-None-Match (304)": Request(detail, headers=(("If-None-Match", etag_of(detail)),)),
            "busy pair, uncached": Request(uncached.url + pair),
            "busy pair, kept in the cache": Request(cached.url + pair),
            "busy pair, If-None-Match (304)": Request(
                cached.url + pair, headers=(("If-None-Match", etag_of(cached.url + pair)),)
            ),
            "first page, If-None-Match (304)": Request(
                first_page, headers=(("If-None-Match", etag_of(first_page)),)
            ),
        }
        rounds: dict[str, list[Measurement]] = {name: [] for name in workloads}
        for number in range(args.rounds):
            for name, request in workloads.items():
                settle(args.database_url)
                measured = wrk(request, seconds=args.seconds, connections=args.connections)
                rounds[name].append(measured)
                say(f"round {number + 1}: {name}: {measured.requests_per_second:,.0f} req/s")
    best = {name: max(m.requests_per_second for m in found) for name, found in rounds.items()}
    load = os.getloadavg()
    detail_rate = best["detail, uncached"]
    ratios = {
        "304 detail ÷ uncached detail (target ≥ 2)": best["detail, If-None-Match (304)"] / detail_rate,
        "304 busy pair ÷ uncached detail (target ≥ 2)": best["busy pair, If-None-Match (304)"]
        / best["detail, uncached"],
        "busy pair kept ÷ uncached (target ≥ 20)": best["busy pair, kept in the cache"]
        / best["busy pair, uncached"],
    }
    print(f"\n{'workload':<36} {'req/s (best round)':>20} {'p50 ms':>8}")
    for name, found in rounds.items():
        top = max(found, key=lambda m: m.requests_per_second)
        print(f"{name:<36} {top.requests_per_second:>20,.0f} {top.p50_ms:>8.1f}")
    for name, value in ratios.items():
        print(f"{name}: {value:.1f}×")
    print(f"load average after the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    write_result(
        "http_caching",
        {
            "dataset": dataset,
            "busy_pair": [a, b, busy],
            "rounds": {name: [vars(m) for m in found] for name, found in rounds.items()},
            "best": best,
            "ratios": ratios,
            "load_average": load,
        },
    )


if __name__ == "__main__":
    main()
