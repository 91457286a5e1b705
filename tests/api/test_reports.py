"""The reports under /api/reports/: JSON, streamed CSV, errors and the OpenAPI schema."""

import csv
import datetime
import io
import json

import pytest
from django.http import StreamingHttpResponse

from agreements.choices import EventType
from agreements.dates import PartialDate
from agreements.reports.tables import pair_summary_table
from agreements.services import ClauseIn, EventIn

from ..factories import category, make_agreement
from ..queries import time_limit_queries

pytestmark = pytest.mark.django_db


def body(response) -> str:
    assert isinstance(response, StreamingHttpResponse), "CSV must be streamed"
    return b"".join(response.streaming_content).decode()


def csv_rows(response) -> list[dict[str, str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(body(response))))


def test_pair_json_is_the_report(client, demo_data):
    response = client.get("/api/reports/pairs/IR-IQ/", {"as_of": "2018-01-01"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert (data["party_a"]["code"], data["party_b"]["code"], data["as_of"]) == ("IQ", "IR", "2018-01-01")
    assert data["total"] == 3
    assert {row["status"]: row["agreements"] for row in data["by_status_on_as_of"]} == {"signed": 2, None: 1}
    assert json.loads(client.get("/api/reports/pairs/iq-ir/", {"as_of": "2018-01-01"}).content) == data


@pytest.mark.parametrize("url", ["/api/reports/pairs/IR-IQ.csv", "/api/reports/pairs/IR-IQ/?format=csv"])
def test_pair_csv_has_iso_dates_and_precision_columns(client, url):
    make_agreement(title="Month only", signed=datetime.date(2017, 7, 1), precision="month")
    make_agreement(
        title="In force",
        events=[
            EventIn(EventType.SIGNED, PartialDate(datetime.date(2014, 12, 30))),
            EventIn(EventType.IN_FORCE, PartialDate(datetime.date(2015, 1, 1), "year")),
        ],
        clauses=[ClauseIn(1, "Supply.", categories=[category("logistics")])],
    )
    rows = csv_rows(client.get(url))
    header = list(rows[0])
    assert header[:3] == ["agreement_id", "party_a", "party_b"]
    for column in ("signed_on_precision", "in_force_from_precision", "ended_on_precision", "status_on_as_of"):
        assert column in header
    first, second = rows
    assert (first["title"], first["signed_on"], first["signed_on_precision"]) == (
        "In force",
        "2014-12-30",
        "day",
    )
    assert (first["in_force_from"], first["in_force_from_precision"], first["in_force_on_as_of"]) == (
        "2015-01-01",
        "year",
        "1",
    )
    assert first["categories"] == "logistics"
    assert (second["signed_on"], second["signed_on_precision"], second["in_force_on_as_of"]) == (
        "2017-07-01",
        "month",
        "0",
    )


def test_csv_header_matches_each_row_length(demo_data):
    from agreements.reports import pair_summary

    header, rows = pair_summary_table(pair_summary("IR", "IQ"))
    assert all(len(row) == len(header) for row in rows)


def test_partners_network_and_panel_in_both_formats(client, demo_data):
    partners = json.loads(client.get("/api/reports/countries/IR/").content)
    assert partners["country"]["code"] == "IR"
    assert partners["partners"][0]["partner"] == "IQ"
    assert csv_rows(client.get("/api/reports/countries/IR.csv"))[0]["partner"] == "IQ"

    network = json.loads(client.get("/api/reports/network/", {"category": "defence-cooperation"}).content)
    assert network["filters"] == {"category": "defence-cooperation"}
    assert [(e["party_a"], e["party_b"], e["agreements"]) for e in network["edges"]] == [("IQ", "IR", 2)]
    assert csv_rows(client.get("/api/reports/network.csv"))[0]["agreements"] == "3"

    panel = client.get("/api/reports/dyad-years.csv", {"start_year": 2014, "end_year": 2020})
    rows = csv_rows(panel)
    assert [(r["state_a"], r["state_b"], r["year"], r["agreements_signed"]) for r in rows][:2] == [
        ("IQ", "IR", "2014", "1"),
        ("IQ", "IR", "2015", "0"),
    ]
    assert {r["any_in_force"] for r in rows} == {"0"}
    streamed = client.get("/api/reports/dyad-years/", {"start_year": 2019, "end_year": 2020})
    data = json.loads(body(streamed))
    assert data["columns"][:5] == ["state_a", "state_b", "cow_a", "cow_b", "year"]
    assert data["rows"] == [
        ["IQ", "IR", 645, 630, 2019, 1, 0, 0, *[0] * (len(data["columns"]) - 8)],
        ["IQ", "IR", 645, 630, 2020, 0, 0, 0, *[0] * (len(data["columns"]) - 8)],
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/api/reports/pairs/IR-ZZ/",
        "/api/reports/pairs/ZZ-IR.csv",
        "/api/reports/countries/ZZ/",
        "/api/reports/countries/ZZ/?format=csv",
    ],
)
def test_unknown_country_is_a_404_naming_it(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "ZZ" in response.json()["detail"]


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/reports/pairs/IR-IQ/?as_of=2018-13-01", "as_of"),
        ("/api/reports/pairs/IR-IQ.csv?as_of=yesterday", "as_of"),
        ("/api/reports/pairs/IR-IQ/?asof=2018-01-01", "asof"),
        ("/api/reports/pairs/IR-IR/", "pair"),
        ("/api/reports/countries/IR/?as_of=2018-02-30", "as_of"),
        ("/api/reports/countries/IR/?kind=pact", "kind"),
        ("/api/reports/network/?status=asleep", "status"),
        ("/api/reports/network/?category=no-such-thing", "category"),
        ("/api/reports/network.csv?signed_from=2020&signed_to=2010", "signed_to"),
        ("/api/reports/network/?signed_from=nineteen", "signed_from"),
        ("/api/reports/dyad-years/?start_year=2020&end_year=2010", "end_year"),
        ("/api/reports/dyad-years.csv?country=ZZ", "country"),
        # Found by schemathesis: Django's BooleanField took "maybe" for yes (every pair, 30 s).
        ("/api/reports/dyad-years/?all_pairs=maybe", "all_pairs"),
        ("/api/reports/dyad-years.csv?all_pairs=null", "all_pairs"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(client, url, parameter):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["detail"]
    assert parameter in data["errors"]


@pytest.mark.parametrize("count", [2, 50])
def test_query_counts_per_request(client, count, django_assert_num_queries):
    for index in range(count):
        make_agreement(
            title=f"Agreement {index}", clauses=[ClauseIn(1, "Text.", categories=[category("logistics")])]
        )
    limit = time_limit_queries()  # REPORT_TIME_LIMIT on PostgreSQL
    # Each request reads the data version first (its ETag, and the key of the kept report).
    with django_assert_num_queries(2 + limit):
        assert client.get("/api/reports/pairs/IR-IQ/").status_code == 200
    with django_assert_num_queries(1 + limit):  # the same report, kept in the cache: only the version
        body(client.get("/api/reports/pairs/IR-IQ.csv"))
    with django_assert_num_queries(5 + limit):
        assert client.get("/api/reports/countries/IR/").status_code == 200
    with django_assert_num_queries(3 + limit):  # the edges (nodes are summed from them) + the category named
        assert client.get("/api/reports/network/", {"category": "logistics"}).status_code == 200


def test_the_reports_are_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/reports/pairs/{a}-{b}/",
        "/api/reports/countries/{code}/",
        "/api/reports/network/",
        "/api/reports/dyad-years/",
    ):
        operation = paths[path]["get"]
        assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/csv"}
        assert {"400", "404"} <= set(operation["responses"])
    parameters = {p["name"] for p in paths["/api/reports/network/"]["get"]["parameters"]}
    assert {"category", "kind", "status", "signed_from", "signed_to", "format"} <= parameters
    assert not any(path.endswith(".{format}") for path in paths)


def test_the_pair_between_two_days_as_json_and_csv_in_either_order(client, demo_data):
    params = {"from": "2014-01-01", "to": "2018-01-01"}
    response = client.get("/api/reports/pairs/IR-IQ/changes/", params)
    assert response.status_code == 200
    data = response.json()
    assert data == client.get("/api/reports/pairs/iq-ir/changes/", params).json()  # the same answer
    assert (data["name"], data["from"], data["to"], data["level"]) == (
        "Iran and Iraq",
        "2014-01-01",
        "2018-01-01",
        "state_level",
    )
    assert (data["party_a"]["code"], data["party_b"]["code"]) == ("IQ", "IR")
    assert [row["signed_on"] for row in data["signed"]] == ["2014-12-30", "2017-07-23"]
    assert data["summary"]["agreements_signed"] == 2
    assert {"changes", "level"} <= set(data["notes"])

    csv_response = client.get("/api/reports/pairs/IQ-IR/changes.csv", params)
    assert csv_response["Content-Disposition"] == (
        'attachment; filename="iran-and-iraq-changes-2014-01-01-to-2018-01-01.csv"'
    )
    rows = csv_rows(csv_response)
    signed = [row for row in rows if row["section"] == "agreement_signed"]
    assert [(row["date"], row["date_precision"], row["item"]) for row in signed] == [
        ("2014-12-30", "day", "memorandum"),
        ("2017-07-23", "day", "memorandum"),
    ]
    assert {row["section"] for row in rows} >= {"agreement_signed", "status_event"}


def test_file_names_give_the_pair_its_one_name(client, demo_data):
    response = client.get("/api/reports/pairs/IQ-IR.csv", {"as_of": "2018-03-01"})
    assert response["Content-Disposition"] == 'attachment; filename="iran-and-iraq-2018-03-01.csv"'
    rows = csv_rows(response)
    assert (rows[0]["party_a_name"], rows[0]["party_b_name"]) == ("Iraq", "Iran")
    assert "Counterterrorism" in {name for row in rows for name in row["category_names"].split("; ")}


def test_names_beside_codes_in_partners_and_commitments(client, demo_data):
    partners = client.get("/api/reports/countries/IR/").json()["partners"]
    assert partners[0]["categories"][0] == "border-security"
    assert partners[0]["category_names"][0] == "Border security"
    assert len(partners[0]["categories"]) == len(partners[0]["category_names"])
    network = client.get("/api/reports/network/").json()
    assert {node["code"]: node["in_force"] for node in network["nodes"]} == {"IQ": 0, "IR": 0}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"from": "2020-13-01"}, "from"),
        ({"to": "01/12/2026"}, "to"),
        ({"from": "2021-01-01", "to": "2020-01-01"}, "to"),
        ({"from": "0001-01-01"}, "from"),
        ({"to": "9999-12-31"}, "to"),
        ({"since": "2020-01-01"}, "since"),
        ({"level": "county"}, "level"),
    ],
)
def test_the_pair_between_two_days_names_a_bad_parameter(client, query, parameter):
    for url in ("/api/reports/pairs/IR-IQ/changes/", "/api/reports/pairs/IR-IQ/changes.csv"):
        response = client.get(url, query)
        assert response.status_code == 400, (url, query)
        assert response["Content-Type"] == "application/json"
        assert parameter in response.json()["errors"]


def test_an_as_of_outside_the_calendar_we_keep_is_a_400_not_a_500(client):
    # A window after 9999-12-31 overflowed Python's dates.
    response = client.get("/api/reports/commitments/", {"as_of": "9999-12-31", "within_days": 3660})
    assert response.status_code == 400
