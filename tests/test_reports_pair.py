"""The pair summary, on hand-built agreements whose answers are known."""

import datetime

import pytest

from agreements.choices import AgreementKind, EventType, Status
from agreements.dates import DatePrecision, PartialDate
from agreements.reports import ReportInputError, UnknownCountryError, pair_summary
from agreements.services import ClauseIn, EventIn, ParticipantIn

from .factories import PersonFactory, category, make_agreement

pytestmark = pytest.mark.django_db


def day(text: str) -> PartialDate:
    return PartialDate(datetime.date.fromisoformat(text))


def month(text: str) -> PartialDate:
    return PartialDate(datetime.date.fromisoformat(text), DatePrecision.MONTH)


def year(text: str) -> PartialDate:
    return PartialDate(datetime.date.fromisoformat(text), DatePrecision.YEAR)


@pytest.fixture
def treaty():
    """Iraq (party A) and Iran (party B): ratified by each in turn, in force, suspended, resumed, ended."""
    return make_agreement(
        title="Treaty of friendship",
        kind=AgreementKind.TREATY,
        events=[
            EventIn(EventType.SIGNED, day("2010-01-05")),
            EventIn(EventType.RATIFIED, day("2010-06-01"), party="IR"),
            EventIn(EventType.RATIFIED, month("2011-02-01"), party="IQ"),
            EventIn(EventType.IN_FORCE, day("2011-03-01")),
            EventIn(EventType.SUSPENDED, day("2014-06-01"), party="IQ"),
            EventIn(EventType.RESUMED, day("2016-02-01"), party="IQ"),
            EventIn(EventType.TERMINATED, year("2020-01-01")),
        ],
        clauses=[ClauseIn(1, "Joint fight against terrorism.", categories=[category("counterterrorism")])],
    )


def test_the_pair_is_the_same_in_either_order_and_case(treaty):
    make_agreement(title="Border memorandum", signed=datetime.date(2019, 9, 18))
    as_of = datetime.date(2018, 1, 1)
    assert pair_summary("IR", "IQ", as_of=as_of).data == pair_summary("iq", "ir", as_of=as_of).data


@pytest.mark.parametrize(
    ("as_of", "status", "ratified_by_iraq", "ratified_by_iran"),
    [
        ("2010-01-04", None, False, False),  # before the signature
        ("2010-03-01", Status.SIGNED, False, False),
        ("2010-06-01", Status.RATIFIED, False, True),  # Iran ratified that day
        ("2011-01-31", Status.RATIFIED, False, True),
        ("2011-02-01", Status.RATIFIED, True, True),  # Iraq "in February 2011": from the 1st
        ("2011-03-01", Status.IN_FORCE, True, True),
        ("2015-01-01", Status.SUSPENDED, True, True),
        ("2016-02-01", Status.IN_FORCE, True, True),
        ("2019-12-31", Status.IN_FORCE, True, True),
        ("2020-01-01", Status.TERMINATED, True, True),  # "in 2020" counts from 1 January
    ],
)
def test_status_as_of_follows_events_per_party_and_partial_dates(
    treaty, as_of, status, ratified_by_iraq, ratified_by_iran
):
    report = pair_summary("IR", "IQ", as_of=datetime.date.fromisoformat(as_of)).data
    (agreement,) = report["agreements"]
    assert report["party_a"]["code"] == "IQ"
    assert agreement["status"] == Status.TERMINATED
    assert agreement["status_on_as_of"] == status
    assert agreement["in_force_on_as_of"] is (status == Status.IN_FORCE)
    assert report["in_force_on_as_of"] == (1 if status == Status.IN_FORCE else 0)
    assert agreement["ratified_by_party_a_on_as_of"] is ratified_by_iraq
    assert agreement["ratified_by_party_b_on_as_of"] is ratified_by_iran


def test_counts_signatures_and_lists_in_date_order(treaty):
    make_agreement(title="Border memorandum", signed=datetime.date(2019, 9, 1), precision=DatePrecision.MONTH)
    make_agreement(
        title="Not signed yet", signed=None, events=[EventIn(EventType.NEGOTIATING, year("2021-01-01"))]
    )
    make_agreement(title="Another pair", parties=("IR", "SY"), signed=datetime.date(2001, 1, 1))
    report = pair_summary("IQ", "IR", as_of=datetime.date(2019, 9, 1)).data

    assert report["total"] == 3
    assert [a["title"] for a in report["agreements"]] == [
        "Treaty of friendship",
        "Border memorandum",
        "Not signed yet",
    ]
    assert report["first_signed"] == {"date": "2010-01-05", "precision": "day", "agreement": treaty.pk}
    assert report["latest_signed"]["date"] == "2019-09-01"
    assert report["latest_signed"]["precision"] == "month"
    assert {row["status"]: row["agreements"] for row in report["by_status"]} == {
        "terminated": 1,
        "signed": 1,
        "negotiating": 1,
    }
    # On 1 September 2019 the month-precision signature counts; the negotiation had not begun.
    assert {row["status"]: row["agreements"] for row in report["by_status_on_as_of"]} == {
        "in_force": 1,
        "signed": 1,
        None: 1,
    }
    assert {row["kind"]: row["agreements"] for row in report["by_kind"]} == {"treaty": 1, "memorandum": 2}
    assert "first day of that period" in report["notes"]["partial_dates"]


def test_category_matrix_rolls_subcategories_up_to_their_parent(treaty):
    logistics = make_agreement(
        title="Logistics memorandum",
        clauses=[
            ClauseIn(1, "Supply.", categories=[category("logistics")]),
            ClauseIn(2, "Training.", categories=[category("training-and-education"), category("logistics")]),
        ],
    )
    report = pair_summary("IR", "IQ").data
    matrix = {row["slug"]: row for row in report["categories"]}
    assert set(matrix) == {"counterterrorism", "defence-cooperation", "logistics", "training-and-education"}
    assert matrix["defence-cooperation"]["agreements"] == 1
    assert matrix["defence-cooperation"]["agreement_ids"] == [logistics.pk]
    assert matrix["logistics"]["parent"] == "defence-cooperation"
    assert matrix["counterterrorism"]["agreement_ids"] == [treaty.pk]
    # A parent comes before its subcategories.
    slugs = [row["slug"] for row in report["categories"]]
    assert slugs.index("defence-cooperation") < slugs.index("logistics")
    by_title = {a["title"]: a for a in report["agreements"]}
    assert by_title["Logistics memorandum"]["categories"] == ["logistics", "training-and-education"]


def test_agreements_carry_participants_events_and_periods(treaty):
    person = PersonFactory(name="Hossein Dehqan")
    make_agreement(
        title="Signed memorandum",
        participants=[ParticipantIn(person, "IR", office="Minister of Defence")],
    )
    report = pair_summary("IR", "IQ", as_of=datetime.date(2018, 1, 1)).data
    by_title = {a["title"]: a for a in report["agreements"]}
    assert by_title["Signed memorandum"]["participants"] == [
        {
            "role": "signed",
            "name": "Hossein Dehqan",
            "named": True,
            "description": "",
            "party": "IR",
            "body": None,
            "office": "Minister of Defence",
            "rank": "",
        }
    ]
    periods = by_title["Treaty of friendship"]["periods"]
    assert [(p["status"], p["start"], p["end"]) for p in periods] == [
        ("signed", "2010-01-05", "2010-06-01"),
        ("ratified", "2010-06-01", "2011-03-01"),
        ("in_force", "2011-03-01", "2014-06-01"),
        ("suspended", "2014-06-01", "2016-02-01"),
        ("in_force", "2016-02-01", "2020-01-01"),
        ("terminated", "2020-01-01", None),
    ]
    events = by_title["Treaty of friendship"]["events"]
    assert events[2] == {"status": "ratified", "date": "2011-02-01", "precision": "month", "party": "IQ"}


def test_a_pair_without_agreements_is_an_empty_report():
    report = pair_summary("FR", "DE").data
    assert report["total"] == 0
    assert report["agreements"] == []
    assert report["categories"] == []
    assert report["first_signed"] is None


def test_unknown_countries_and_same_country_are_refused():
    with pytest.raises(UnknownCountryError, match="ZZ"):
        pair_summary("IR", "ZZ")
    with pytest.raises(ReportInputError) as error:
        pair_summary("IR", "ir")
    assert "pair" in error.value.errors


@pytest.mark.parametrize("count", [2, 50])
def test_one_query_whatever_the_number_of_agreements(count, django_assert_num_queries):
    for index in range(count):
        make_agreement(
            title=f"Agreement {index}",
            clauses=[ClauseIn(1, "Text.", categories=[category("logistics")])],
            participants=[ParticipantIn(PersonFactory(), "IR")],
        )
    with django_assert_num_queries(1):
        report = pair_summary("IR", "IQ")
    assert report.data["total"] == count
