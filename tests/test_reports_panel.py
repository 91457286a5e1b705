"""The dyad-year panel: one row per pair and year.

"In force during the year" means in force on at least one day of it; a date known only
to the month or the year counts from the first day of that period.
"""

import datetime

import pytest
from django.db import connection

from agreements.choices import EventType
from agreements.dates import DatePrecision, PartialDate
from agreements.reports import dyad_year_panel
from agreements.reports.panel import BASE_COLUMNS
from agreements.services import ClauseIn, EventIn

from .factories import category, make_agreement

pytestmark = pytest.mark.django_db


def on(text: str, precision: str = DatePrecision.DAY) -> PartialDate:
    return PartialDate(datetime.date.fromisoformat(text), precision)


def rows(panel) -> dict[tuple[str, str, int], dict]:
    return {(r[0], r[1], r[4]): dict(zip(panel.columns, r, strict=True)) for r in panel.rows()}


def test_demo_agreements_are_signed_but_never_in_force(demo_data):
    panel = dyad_year_panel(start_year=2014, end_year=2020)
    table = rows(panel)
    assert sorted(table) == [("IQ", "IR", year) for year in range(2014, 2021)]
    signed = {year: table[("IQ", "IR", year)]["agreements_signed"] for year in range(2014, 2021)}
    assert signed == {2014: 1, 2015: 0, 2016: 0, 2017: 1, 2018: 0, 2019: 1, 2020: 0}
    first = table[("IQ", "IR", 2014)]
    assert (first["cow_a"], first["cow_b"]) == (645, 630)
    for row in table.values():
        # Memoranda that were only signed never entered into force.
        assert row["agreements_in_force"] == 0
        assert row["any_in_force"] == 0
        assert all(row[column] == 0 for column in panel.columns if column.startswith("in_force_"))


@pytest.fixture
def in_force_agreements():
    """Iraq–Iran: a treaty in force 2011–2019 with a suspension covering all of 2015, and a
    logistics agreement in force "from 2016" (year precision)."""
    make_agreement(
        title="Treaty",
        events=[
            EventIn(EventType.SIGNED, on("2010-01-05")),
            EventIn(EventType.IN_FORCE, on("2011-03-01", DatePrecision.MONTH)),
            EventIn(EventType.SUSPENDED, on("2014-06-01"), party="IQ"),
            EventIn(EventType.RESUMED, on("2016-02-01"), party="IQ"),
            EventIn(EventType.TERMINATED, on("2020-01-01", DatePrecision.YEAR)),
        ],
        clauses=[ClauseIn(1, "Terrorism.", categories=[category("counterterrorism")])],
    )
    make_agreement(
        title="Logistics",
        events=[
            EventIn(EventType.SIGNED, on("2015-03-10")),
            EventIn(EventType.IN_FORCE, on("2016-01-01", DatePrecision.YEAR)),
        ],
        clauses=[ClauseIn(1, "Supply.", categories=[category("logistics")])],
    )


def test_in_force_during_the_year_flags(in_force_agreements):
    panel = dyad_year_panel(start_year=2009, end_year=2021)
    table = {year: row for (_, _, year), row in rows(panel).items()}
    in_force = {year: row["agreements_in_force"] for year, row in table.items()}
    assert in_force == {
        2009: 0,
        2010: 0,  # signed, not yet in force
        2011: 1,  # from March
        2012: 1,
        2013: 1,
        2014: 1,  # suspended in June: in force for part of the year
        2015: 0,  # suspended all year
        2016: 2,  # resumed in February; the other "from 2016"
        2017: 2,
        2018: 2,
        2019: 2,
        2020: 1,  # the treaty ended "in 2020", counted from 1 January
        2021: 1,
    }
    assert {year: row["any_in_force"] for year, row in table.items()} == {
        year: int(count > 0) for year, count in in_force.items()
    }
    terror = {year for year, row in table.items() if row["in_force_counterterrorism"]}
    assert terror == {2011, 2012, 2013, 2014, 2016, 2017, 2018, 2019}
    # Logistics is a subcategory of defence cooperation.
    defence = {year for year, row in table.items() if row["in_force_defence_cooperation"]}
    assert defence == set(range(2016, 2022))
    assert {year for year, row in table.items() if row["agreements_signed"]} == {2010, 2015}


def test_columns_have_one_flag_per_top_level_category():
    panel = dyad_year_panel(start_year=2000, end_year=2001)
    assert panel.columns[: len(BASE_COLUMNS)] == BASE_COLUMNS
    assert "in_force_defence_cooperation" in panel.columns
    assert "in_force_logistics" not in panel.columns  # a subcategory


def test_only_pairs_with_agreements_unless_all_pairs(in_force_agreements):
    make_agreement(title="Syria", parties=("IR", "SY"), signed=datetime.date(2001, 1, 1))
    pairs = {(a, b) for a, b, _ in rows(dyad_year_panel(start_year=2019, end_year=2019))}
    assert pairs == {("IQ", "IR"), ("IR", "SY")}
    only_iraq = {(a, b) for a, b, _ in rows(dyad_year_panel(start_year=2019, end_year=2019, country="IQ"))}
    assert only_iraq == {("IQ", "IR")}
    everyone = rows(dyad_year_panel(start_year=2019, end_year=2020, country="IR", all_pairs=True))
    from agreements.models import Country

    assert len(everyone) == 2 * (Country.objects.count() - 1)
    assert everyone[("FR", "IR", 2019)]["agreements_in_force"] == 0
    assert everyone[("IQ", "IR", 2019)]["agreements_in_force"] == 2


def test_rows_come_from_a_generator_in_pair_and_year_order(in_force_agreements):
    panel = dyad_year_panel(start_year=1945, end_year=2026)
    produced = panel.rows()
    assert iter(produced) is produced  # nothing is read until the rows are asked for
    years = [row[4] for row in produced]
    assert years == list(range(1945, 2027))


@pytest.mark.parametrize("count", [2, 50])
def test_two_queries_whatever_the_data(count, django_assert_num_queries):
    partners = ["IQ", "SY", "TR", "AF", "PK"]
    for index in range(count):
        make_agreement(title=f"Agreement {index}", parties=("IR", partners[index % len(partners)]))
    # Top-level categories, then the rows; on PostgreSQL inside a savepoint (its server-side
    # cursor needs a transaction), which SQLite does without (its would take the write lock).
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 2):
        assert sum(1 for _ in dyad_year_panel(start_year=2000, end_year=2020).rows()) == 21 * min(count, 5)
