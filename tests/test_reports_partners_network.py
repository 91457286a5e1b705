"""Partners of a country and the pair network, on hand-built agreements."""

import datetime

import pytest

from agreements.choices import AgreementKind, EventType, Status
from agreements.dates import DatePrecision, PartialDate
from agreements.reports import AgreementFilters, UnknownCountryError, country_partners, pair_network
from agreements.services import ClauseIn, EventIn

from .factories import category, make_agreement

pytestmark = pytest.mark.django_db


def in_force(signed: str, entered: str) -> list[EventIn]:
    return [
        EventIn(EventType.SIGNED, PartialDate(datetime.date.fromisoformat(signed))),
        EventIn(EventType.IN_FORCE, PartialDate(datetime.date.fromisoformat(entered))),
    ]


@pytest.fixture
def agreements():
    """Iran: three with Iraq (one in force, one on logistics), one with Syria; Iraq–Syria has one."""
    make_agreement(title="A", parties=("IR", "IQ"), events=in_force("2014-12-30", "2015-06-01"))
    make_agreement(
        title="B",
        parties=("IQ", "IR"),
        signed=datetime.date(2017, 7, 1),
        precision=DatePrecision.MONTH,
        clauses=[ClauseIn(1, "Logistics.", categories=[category("logistics")])],
    )
    make_agreement(
        title="C", parties=("IR", "IQ"), signed=datetime.date(2019, 9, 18), kind=AgreementKind.TREATY
    )
    make_agreement(
        title="D",
        parties=("IR", "SY"),
        signed=datetime.date(2020, 1, 1),
        clauses=[ClauseIn(1, "Terror.", categories=[category("counterterrorism")])],
    )
    make_agreement(title="E", parties=("IQ", "SY"), signed=datetime.date(2018, 5, 5))


def test_partners_are_ranked_with_counts_by_status(agreements):
    report = country_partners("ir", as_of=datetime.date(2016, 1, 1))
    assert report.country.code == "IR"
    first, second = report.partners
    assert (first["rank"], first["partner"], first["partner_name"], first["partner_cow_code"]) == (
        1,
        "IQ",
        "Iraq",
        645,
    )
    assert first["agreements"] == 3
    assert first["in_force_on_as_of"] == 1
    assert first["by_status"][Status.IN_FORCE] == 1
    assert first["by_status"][Status.SIGNED] == 2
    assert sum(first["by_status"].values()) == 3
    assert (first["first_signed"], first["first_signed_precision"]) == (datetime.date(2014, 12, 30), "day")
    assert (first["latest_signed"], first["latest_signed_precision"]) == (datetime.date(2019, 9, 18), "day")
    # The logistics clause counts for its top-level category.
    assert first["categories"] == ["defence-cooperation"]
    assert (second["partner"], second["agreements"], second["categories"]) == ("SY", 1, ["counterterrorism"])


def test_partners_before_entry_into_force_and_with_filters(agreements):
    assert country_partners("IR", as_of=datetime.date(2015, 5, 31)).partners[0]["in_force_on_as_of"] == 0
    by_category = country_partners("IR", filters=AgreementFilters(category=category("defence-cooperation")))
    assert [(p["partner"], p["agreements"]) for p in by_category.partners] == [("IQ", 1)]
    by_kind = country_partners("IR", filters=AgreementFilters(kind=AgreementKind.TREATY))
    assert [(p["partner"], p["agreements"]) for p in by_kind.partners] == [("IQ", 1)]
    # The month-precision signature "July 2017" falls in 2017.
    by_years = country_partners("IR", filters=AgreementFilters(signed_from=2017, signed_to=2017))
    assert [(p["partner"], p["latest_signed_precision"]) for p in by_years.partners] == [("IQ", "month")]


def test_partners_of_an_unknown_country():
    with pytest.raises(UnknownCountryError, match="XX"):
        country_partners("XX")


def test_network_nodes_and_edges(agreements):
    report = pair_network()
    edges = {(e["party_a"], e["party_b"]): e for e in report.edges}
    assert set(edges) == {("IQ", "IR"), ("IR", "SY"), ("IQ", "SY")}
    assert edges[("IQ", "IR")]["agreements"] == 3
    assert edges[("IQ", "IR")]["in_force"] == 1
    assert (edges[("IQ", "IR")]["first_year"], edges[("IQ", "IR")]["latest_year"]) == (2014, 2019)
    assert report.edges[0]["party_a"] == "IQ"  # the busiest pair first
    nodes = {n["code"]: n for n in report.nodes}
    assert {code: (n["agreements"], n["partners"]) for code, n in nodes.items()} == {
        "IR": (4, 2),
        "IQ": (4, 2),
        "SY": (2, 2),
    }


def test_network_filters(agreements):
    by_category = pair_network(filters=AgreementFilters(category=category("defence-cooperation")))
    assert [(e["party_a"], e["party_b"], e["agreements"]) for e in by_category.edges] == [("IQ", "IR", 1)]
    assert {n["code"] for n in by_category.nodes} == {"IQ", "IR"}
    by_status = pair_network(filters=AgreementFilters(status=Status.IN_FORCE))
    assert [(e["party_a"], e["agreements"]) for e in by_status.edges] == [("IQ", 1)]
    by_years = pair_network(filters=AgreementFilters(signed_from=2018, signed_to=2020))
    assert {(e["party_a"], e["party_b"]) for e in by_years.edges} == {
        ("IQ", "IR"),
        ("IR", "SY"),
        ("IQ", "SY"),
    }
    assert pair_network(filters=AgreementFilters(signed_from=2021)).edges == []


@pytest.mark.parametrize("count", [2, 50])
def test_query_counts_do_not_grow_with_the_data(count, django_assert_num_queries):
    partners = ["IQ", "SY", "TR", "AF", "PK"]
    for index in range(count):
        make_agreement(
            title=f"Agreement {index}",
            parties=("IR", partners[index % len(partners)]),
            clauses=[ClauseIn(1, "Text.", categories=[category("logistics")])],
        )
    # The country; counts by pair; first and latest signatures; categories.
    with django_assert_num_queries(4):
        country_partners("IR")
    # The edges; the nodes are summed from them.
    with django_assert_num_queries(1):
        pair_network()
