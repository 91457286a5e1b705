"""The one table ``bench.run`` prints (and writes, with the rest, as ``bench/results/bench-<time>.json``).

Each cell summarises the rounds of one workload on one system: mean requests/s, mean
p50, worst p99, queries per request, and ``ours ÷ this`` — our throughput divided by
that system's, which is how the issue states its targets ("≥ 0.45× pgbench" means our
server does at least 0.45 of what pgbench does; "≥ 2.5× PostGraphile" means 2.5 times
as much).
"""

from __future__ import annotations

import statistics
from dataclasses import asdict

from .load import Measurement
from .workloads import OURS, Workload

Results = dict[str, dict[str, list[Measurement]]]  # workload key -> system -> one per round


def summarise(rounds: list[Measurement]) -> dict:
    return {
        "requests_per_second": statistics.fmean(m.requests_per_second for m in rounds),
        "p50_ms": statistics.fmean(m.p50_ms for m in rounds),
        "p99_ms": max(m.p99_ms for m in rounds),
        "requests": sum(m.requests for m in rounds),
        "errors": sum(m.errors for m in rounds),
        "rounds": [asdict(m) for m in rounds],
    }


def rows(workloads: list[Workload], results: Results) -> list[dict]:
    """One row per workload × system, with its ratio and, where the issue sets one, its target."""
    table = []
    for workload in workloads:
        measured = results.get(workload.key, {})
        if OURS not in measured:
            continue
        ours = summarise(measured[OURS])["requests_per_second"]
        for system in workload.systems:
            if system not in measured:
                continue
            cell = summarise(measured[system])
            ratio = ours / cell["requests_per_second"] if cell["requests_per_second"] else float("inf")
            target = workload.targets.get(system)
            queries = workload.queries.get(system)
            verdict = None
            if target is not None:
                verdict = ratio >= target
            if system == OURS and workload.max_queries is not None and queries is not None:
                verdict = queries <= workload.max_queries
            table.append(
                {
                    "workload": workload.key,
                    "label": workload.label,
                    "system": system,
                    **cell,
                    "queries_per_request": queries,
                    "ours_over_this": ratio,
                    "target": target,
                    "max_queries": workload.max_queries if system == OURS else None,
                    "meets_target": verdict,
                }
            )
    return table


def _target_text(row: dict) -> str:
    if row["system"] == OURS and row["max_queries"] is not None:
        text = f"queries ≤ {row['max_queries']}"
    elif row["target"] is not None:
        text = f"≥ {row['target']}×"
    else:
        return ""
    return f"{text} {'met' if row['meets_target'] else 'MISSED'}"


def format_table(table: list[dict]) -> str:
    header = (
        f"{'workload':44} {'system':13} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>9} "
        f"{'queries':>7} {'ours÷this':>9}  target"
    )
    lines = [header, "-" * len(header)]
    previous = None
    for row in table:
        label = row["label"] if row["workload"] != previous else ""
        if label and previous is not None:
            lines.append("")
        previous = row["workload"]
        queries = "" if row["queries_per_request"] is None else str(row["queries_per_request"])
        errors = f" ({row['errors']} errors)" if row["errors"] else ""
        lines.append(
            f"{label:44} {row['system']:13} {row['requests_per_second']:8.1f} {row['p50_ms']:8.2f} "
            f"{row['p99_ms']:9.2f} {queries:>7} {row['ours_over_this']:8.2f}×  {_target_text(row)}{errors}"
        )
    return "\n".join(lines)


def format_export(export: dict) -> str:
    if not export:
        return ""
    verdict_time = "met" if export["wall_ratio"] <= 1.2 else "MISSED"
    verdict_rss = "met" if export["peak_rss_mb"] < 200 else "MISSED"
    return (
        f"CSV export of all agreements ({export['rows']:,} rows, {export['bytes'] / 1e6:.1f} MB):\n"
        f"  COPY … TO STDOUT WITH CSV (psql):  {export['copy_s']:.2f} s (median of {export['rounds']})\n"
        f"  GET {export['path']} (curl): {export['http_s']:.2f} s → {export['wall_ratio']:.2f}× COPY "
        f"(target ≤ 1.2× {verdict_time})\n"
        f"  peak RSS of a fresh gunicorn worker: {export['peak_rss_mb']:.0f} MB "
        f"(before: {export['rss_before_mb']:.0f} MB; target < 200 MB {verdict_rss}); "
        f"queries: {export['queries']}"
    )
