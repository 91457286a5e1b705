"""What the bounded count saves on a page of a large list (issue 17, "counts that scale").

    .venv/bin/python -m bench.list_counts [--database-url URL] [--iterations 30]

On an existing database (``make bench``'s ``tracker_bench`` by default, 250,000 agreements;
nothing is written), in process with the servers' production settings, it times list pages
two ways in the same run, interleaved: with the product's ``API_EXACT_COUNT_LIMIT`` (a count
bounded at that many rows, PostgreSQL's estimate beyond) and with a limit no list reaches
(an exact ``COUNT(*)`` of the whole result, as before). It prints each page's median and the
ratio, and the counts both ways, so that the estimate's error can be seen beside the time it
saves. A measurement, not a test.
"""

from __future__ import annotations

import statistics

from django.test import override_settings

from .harness.common import argument_parser, say, write_result
from .harness.load import timed
from .harness.servers import configure_django, server_environment

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tracker_bench"
PAGES = {
    "first page": "/api/agreements/?page_size=50",
    "page 100": "/api/agreements/?page_size=50&page=100",
    "one kind (treaties)": "/api/agreements/?page_size=50&kind=treaty",
    "one pair (IQ,IR)": "/api/agreements/?page_size=50&pair=IQ,IR",
}
EXACT_ALWAYS = 10**12


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--iterations", type=int, default=30, help="requests per page and way, interleaved")
    args = parser.parse_args()
    configure_django(server_environment(args.database_url, secret_key="bench-only-not-a-secret"))
    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    bounded_limit = settings.API_EXACT_COUNT_LIMIT
    rows = []
    say(f"{'page':<22}{'bounded ms':>12}{'exact ms':>10}{'÷':>7}  count (bounded / exact)")
    for name, url in PAGES.items():
        times: dict[int, list[float]] = {bounded_limit: [], EXACT_ALWAYS: []}
        counts = {}
        for _ in range(args.iterations):
            for limit in times:
                with override_settings(API_EXACT_COUNT_LIMIT=limit):
                    times[limit] += timed(lambda url=url: client.get(url), 1)
                    counts[limit] = client.get(url).json()
        bounded, exact = (statistics.median(times[limit]) * 1000 for limit in times)
        ours, theirs = counts[bounded_limit], counts[EXACT_ALWAYS]
        marked = f"{ours['count']:,}" + ("" if ours["count_is_exact"] else " (est.)")
        ratio = bounded / exact
        say(f"{name:<22}{bounded:>12.1f}{exact:>10.1f}{ratio:>6.2f}×  {marked} / {theirs['count']:,}")
        rows.append(
            {
                "page": name,
                "url": url,
                "bounded_ms": bounded,
                "exact_ms": exact,
                "bounded_count": ours["count"],
                "bounded_count_is_exact": ours["count_is_exact"],
                "exact_count": theirs["count"],
            }
        )
    say(f"Written to {write_result('list-counts', {'limit': bounded_limit, 'pages': rows})}")


if __name__ == "__main__":
    main()
