"""Report 4: the dyad-year panel, one row per country pair and year (the ATOP / DCAD form).

"In force during the year" means in force on at least one day of it: the agreement
has a status period 'in force' that overlaps the year (a suspension or an ending in
mid-year leaves the year counted). A date known only to the month or the year counts
from the first day of that period, so an agreement in force "from 2016" counts for
2016. "Signed that year" counts agreements by the year of their (first) signature. Only
state-level agreements count unless ``level`` says otherwise (sub-national arrangements
are not agreements between the two states).

Rows are produced by one SQL statement and read through a server-side cursor on
PostgreSQL, so the panel for every pair since 1945 streams in constant memory.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.db import connection, transaction

from ..choices import LevelScope, Status
from ..models import Agreement, ClauseCategory, Country
from .inputs import FIRST_PANEL_YEAR, resolve_countries, today
from .sql import TABLES, Dialect, current_dialect, level_condition

CHUNK_ROWS = 5_000
BASE_COLUMNS = (
    "state_a",
    "state_b",
    "cow_a",
    "cow_b",
    "year",
    "agreements_signed",
    "agreements_in_force",
    "any_in_force",
)


@dataclass(frozen=True)
class DyadYearPanel:
    """The panel's shape; ``rows()`` runs the query and yields tuples in ``columns`` order."""

    start_year: int
    end_year: int
    country: str | None
    all_pairs: bool
    level: str
    categories: tuple[tuple[int, str], ...] = field(repr=False)  # (id, slug) of top-level categories

    @property
    def columns(self) -> tuple[str, ...]:
        return BASE_COLUMNS + tuple(category_column(slug) for _, slug in self.categories)

    @property
    def years(self) -> int:
        return self.end_year - self.start_year + 1

    def pair_count(self) -> int:
        """How many pairs the panel has a row for each year (one query)."""
        if self.all_pairs:
            countries = Country.objects.count()
            return countries - 1 if self.country else countries * (countries - 1) // 2
        agreements = Agreement.objects.all()
        if self.country:
            agreements = agreements.involving(self.country)
        return agreements.values("party_a_id", "party_b_id").distinct().count()

    def query(self, dialect: Dialect | None = None) -> tuple[str, dict]:
        return dyad_year_query(dialect or current_dialect(), self)

    def rows(self) -> Iterator[tuple]:
        sql, params = self.query()
        # A transaction lets PostgreSQL's server-side cursor hand rows over as they are
        # produced (outside one, Django declares it WITH HOLD, which materialises first).
        # Not on SQLite: its transactions take the write lock (transaction_mode IMMEDIATE),
        # which a panel streamed for seconds would hold against every writer; a plain
        # SELECT already streams there, reading one snapshot (WAL).
        postgres = connection.vendor == "postgresql"
        with transaction.atomic() if postgres else nullcontext(), connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(CHUNK_ROWS):
                yield from chunk


def category_column(slug: str) -> str:
    return "in_force_" + slug.replace("-", "_")


def dyad_year_panel(
    *,
    start_year: int = FIRST_PANEL_YEAR,
    end_year: int | None = None,
    country: str | None = None,
    all_pairs: bool = False,
    level: str = LevelScope.STATE_LEVEL,
) -> DyadYearPanel:
    """The panel from ``start_year`` to ``end_year`` (default: this year), optionally for one country,
    counting the agreements of ``level`` (state-level unless asked)."""
    if country:
        country = next(iter(resolve_countries(country)))
    categories = tuple(
        ClauseCategory.objects.filter(parent__isnull=True).order_by("slug").values_list("id", "slug")
    )
    return DyadYearPanel(start_year, end_year or today().year, country or None, all_pairs, level, categories)


def dyad_year_query(d: Dialect, panel: DyadYearPanel) -> tuple[str, dict]:
    t = TABLES
    involving = "AND (a.party_a_id = %(country)s OR a.party_b_id = %(country)s)" if panel.country else ""
    involving += " " + level_condition("a.level", panel.level)
    if panel.all_pairs:
        only = "AND (c1.code = %(country)s OR c2.code = %(country)s)" if panel.country else ""
        pairs = (
            f"SELECT c1.code AS party_a_id, c2.code AS party_b_id FROM {t['country']} c1 "
            f"JOIN {t['country']} c2 ON c1.code < c2.code WHERE TRUE {only}"
        )
    else:
        pairs = f"SELECT DISTINCT a.party_a_id, a.party_b_id FROM {t['agreement']} a WHERE TRUE {involving}"
    flags = ", ".join(
        f"MAX(CASE WHEN COALESCE(k.parent_id, k.id) = {category_id} THEN 1 ELSE 0 END) AS c{category_id}"
        for category_id, _ in panel.categories
    )
    flag_columns = "".join(f", MAX(COALESCE(f.c{i}, 0)) AS c{i}" for i, _ in panel.categories)
    flag_output = "".join(f", COALESCE(f.c{i}, 0)" for i, _ in panel.categories)
    in_force = f"'{Status.IN_FORCE.value}'"
    flags_cte = f"""flags AS (
    SELECT c.agreement_id{", " + flags if flags else ""}
      FROM {t["clause"]} c
      JOIN {t["clause_categories"]} cc ON cc.clause_id = c.id
      JOIN {t["category"]} k ON k.id = cc.clausecategory_id
     WHERE c.agreement_id IN (SELECT agreement_id FROM spans)
     GROUP BY c.agreement_id
),"""
    sql = f"""
WITH RECURSIVE years(year) AS (
    SELECT CAST(%(start)s AS integer) UNION ALL SELECT year + 1 FROM years WHERE year < %(end)s
),
pairs AS ({pairs}),
signed AS (
    SELECT a.party_a_id, a.party_b_id, {d.year("a.signed_on")} AS year, COUNT(*) AS n
      FROM {t["agreement"]} a
     WHERE a.signed_on >= {d.date_param("first_day")}
       AND a.signed_on < {d.date_param("after_last_day")} {involving}
     GROUP BY a.party_a_id, a.party_b_id, {d.year("a.signed_on")}
),
spans AS (
    -- Each 'in force' period as the years it touches ("end" is exclusive).
    SELECT sp.agreement_id, a.party_a_id, a.party_b_id,
           {d.year("sp.start")} AS first_year,
           COALESCE({d.year_before('sp."end"')}, %(end)s) AS last_year
      FROM {t["period"]} sp JOIN {t["agreement"]} a ON a.id = sp.agreement_id
     WHERE sp.status = {in_force} AND sp.start < {d.date_param("after_last_day")}
       AND (sp."end" IS NULL OR sp."end" > {d.date_param("first_day")}) {involving}
),
{flags_cte}
in_force AS (
    SELECT s.party_a_id, s.party_b_id, y.year, COUNT(DISTINCT s.agreement_id) AS n{flag_columns}
      FROM spans s
      JOIN years y ON y.year BETWEEN s.first_year AND s.last_year
      LEFT JOIN flags f ON f.agreement_id = s.agreement_id
     GROUP BY s.party_a_id, s.party_b_id, y.year
)
SELECT p.party_a_id, p.party_b_id, ca.cow_code, cb.cow_code, y.year,
       COALESCE(s.n, 0), COALESCE(f.n, 0), CASE WHEN f.n > 0 THEN 1 ELSE 0 END{flag_output}
  FROM pairs p
  CROSS JOIN years y
  JOIN {t["country"]} ca ON ca.code = p.party_a_id
  JOIN {t["country"]} cb ON cb.code = p.party_b_id
  LEFT JOIN signed s ON s.party_a_id = p.party_a_id AND s.party_b_id = p.party_b_id AND s.year = y.year
  LEFT JOIN in_force f ON f.party_a_id = p.party_a_id AND f.party_b_id = p.party_b_id AND f.year = y.year
 ORDER BY p.party_a_id, p.party_b_id, y.year
"""
    params = {
        "start": panel.start_year,
        "end": panel.end_year,
        "first_day": datetime.date(panel.start_year, 1, 1),
        "after_last_day": datetime.date(panel.end_year + 1, 1, 1),
        "country": panel.country,
    }
    return sql, params
