"""The report pages, rendered with the demo data (the browser-journeys issue covers a real browser)."""

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from agreements.dates import PartialDate
from agreements.models import Agreement
from agreements.services import ClauseIn

from .factories import category, make_agreement
from .queries import time_limit_queries

pytestmark = pytest.mark.django_db


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def test_home_leads_to_the_reports(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/reports/"


def test_entry_page_picks_countries_with_labelled_controls(client):
    html = page(client, "/reports/")
    for control in ("pick-a", "pick-b", "pick-country"):
        assert f'<label for="{control}">' in html
        assert f'id="{control}"' in html
    assert 'action="/api/reports/dyad-years/"' in html
    response = client.get("/reports/", {"a": "ir", "b": "iq"})
    assert response["Location"] == "/reports/pairs/IR-IQ/"
    assert client.get("/reports/", {"country": "ir"})["Location"] == "/reports/countries/IR/"
    assert client.get("/reports/", {"a": "I1", "b": "IQ"}).status_code == 400


def test_pair_page_tells_the_story_of_the_demo_agreements(client, demo_data):
    html = page(client, "/reports/pairs/IR-IQ/")
    assert "<h1>Iran and Iraq</h1>" in html  # in the order asked for
    assert "3 agreements" in html
    assert "30 December 2014" in html
    assert "18 September 2019" in html
    assert 'id="timeline-chart"' in html
    assert 'role="img"' in html
    assert 'id="timeline-data"' in html
    assert "Category × agreement" in html
    assert "Intelligence and information exchange" in html
    for agreement in Agreement.objects.all():
        assert f'href="/agreements/{agreement.pk}/"' in html
    assert 'href="/api/reports/pairs/IR-IQ/?format=csv"' in html
    assert 'href="/api/reports/pairs/IR-IQ/"' in html
    assert "first day of that period" in html
    assert '<th scope="col">' in html
    assert '<th scope="row">' in html
    assert "echarts.min.js" in html


def test_pair_page_as_of_and_links_keep_it(client, demo_data):
    html = page(client, "/reports/pairs/IR-IQ/?as_of=2018-01-01")
    assert "On <strong>1 January 2018</strong>" in html
    assert 'href="/api/reports/pairs/IR-IQ/?as_of=2018-01-01&amp;format=csv"' in html


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("/reports/pairs/IQ-IR/?as_of=2018-01-01", "/reports/pairs/IR-IQ/?as_of=2018-01-01"),
        ("/reports/pairs/iq-ir/", "/reports/pairs/IR-IQ/"),
        ("/reports/pairs/IQ-IR/changes/?from=2020-01-01", "/reports/pairs/IR-IQ/changes/?from=2020-01-01"),
        # By name, not by code: Algeria (DZ) before Germany (DE).
        ("/reports/pairs/DE-DZ/", "/reports/pairs/DZ-DE/"),
    ],
)
def test_a_pair_has_one_url_in_alphabetical_order_of_names(client, url, canonical):
    response = client.get(url)
    assert response.status_code == 302  # temporary: the order follows names, which may change
    assert response["Location"] == canonical


def test_one_name_for_a_pair_in_titles_lists_and_breadcrumbs(client, demo_data):
    html = page(client, "/reports/pairs/IR-IQ/")
    assert "<title>Iran and Iraq · " in html
    assert "Iraq and Iran" not in html
    network = page(client, "/reports/network/")
    assert 'href="/reports/pairs/IR-IQ/">Iran and Iraq</a>' in network
    assert "Iraq – Iran" not in network
    agreement = Agreement.objects.get(title="Memorandum of understanding on military cooperation")
    detail = page(client, f"/agreements/{agreement.pk}/")
    assert 'href="/reports/pairs/IR-IQ/">Iran and Iraq</a>' in detail
    country = page(client, "/reports/countries/IQ/")
    assert 'href="/reports/pairs/IR-IQ/"' in country
    assert client.get("/reports/", {"a": "IQ", "b": "IR"})["Location"] == "/reports/pairs/IR-IQ/"


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/reports/pairs/IR-ZZ/", 404, "ZZ"),
        ("/reports/countries/ZZ/", 404, "ZZ"),
        ("/reports/pairs/IR-IQ/?as_of=2018-02-30", 400, "as_of"),
        ("/reports/network/?kind=pact", 400, "kind"),
        ("/reports/countries/IR/?signed_from=2020&signed_to=2000", 400, "signed_to"),
    ],
)
def test_pages_explain_bad_requests(client, url, status, message):
    assert message in page(client, url, status)


def test_country_page_lists_partners(client, demo_data):
    html = page(client, "/reports/countries/IR/")
    assert "Iran and its partners" in html
    assert 'href="/reports/pairs/IR-IQ/"' in html
    assert 'id="partners-chart"' in html
    assert 'href="/api/reports/countries/IR/?format=csv"' in html


def test_network_page_draws_and_tabulates_pairs(client, demo_data):
    html = page(client, "/reports/network/")
    assert 'id="network-chart"' in html
    assert "Iran and Iraq" in html
    assert '<label for="id_category">' in html
    html = page(client, "/reports/network/?category=cyber-security")
    assert "No agreements match these filters." in html


def test_agreement_page_shows_everything(client, demo_data, django_assert_num_queries):
    agreement = Agreement.objects.get(title="Memorandum of understanding on military cooperation")
    with django_assert_num_queries(9):  # the data version (its ETag), with_details, the commitments' prefetch
        html = page(client, f"/agreements/{agreement.pk}/")
    assert "Hossein Dehqan" in html
    assert "Hussein Dehqan" in html
    assert "23 July 2017" in html
    assert "Logistics" in html
    assert 'href="/reports/pairs/IR-IQ/"' in html
    page(client, "/agreements/999999/", 404)


def test_synthetic_agreements_are_marked(client):
    generated = make_agreement(title="Generated")
    Agreement.objects.filter(pk=generated.pk).update(is_synthetic=True)
    assert "Synthetic data." in page(client, "/reports/pairs/IR-IQ/")


@pytest.mark.parametrize("count", [2, 50])
def test_page_query_counts(client, count, django_assert_num_queries):
    for index in range(count):
        make_agreement(title=f"Agreement {index}", parties=("IR", ["IQ", "SY", "TR"][index % 3]))
    limit = time_limit_queries()  # REPORT_TIME_LIMIT on PostgreSQL
    # Each page reads the data version first (its ETag, and the key of the kept report).
    with django_assert_num_queries(2 + limit):
        page(client, "/reports/pairs/IR-IQ/")
    with django_assert_num_queries(6 + limit):  # the report's four, and the category choices of the form
        page(client, "/reports/countries/IR/")
    with django_assert_num_queries(3 + limit):  # the report's one, and the category choices
        page(client, "/reports/network/")


def test_charts_are_vendored_with_their_licence_and_pages_print():
    script = Path(finders.find("agreements/vendor/echarts/echarts.min.js"))
    assert script.stat().st_size > 500_000
    assert "Apache License" in (script.parent / "LICENSE").read_text()
    assert (script.parent / "NOTICE").exists()
    css = Path(finders.find("agreements/reports.css")).read_text()
    assert "@media print" in css
    assert not re.search(r"https?://", Path(finders.find("agreements/reports.js")).read_text())


def test_the_as_of_box_is_iso_text_with_an_example_not_the_browsers_date_picker(client, demo_data):
    html = page(client, "/reports/pairs/IR-IQ/")
    box = re.search(r'<input[^>]*name="as_of"[^>]*>', html).group(0)
    assert 'type="text"' in box
    assert 'placeholder="YYYY-MM-DD"' in box
    assert 'aria-describedby="id_as_of_helptext"' in box
    assert 'id="id_as_of_helptext">YYYY-MM-DD, e.g. 2018-03-01' in html
    # A date typed another way is refused by the form, which comes back with the error beside it.
    html = page(client, "/reports/pairs/IR-IQ/?as_of=03/01/2018", 400)
    assert 'value="03/01/2018"' in html
    assert 'class="field-error" role="alert">Give a date as YYYY-MM-DD, e.g. 2018-03-01.' in html


def test_columns_for_another_day_only_when_one_is_asked(client, demo_data):
    html = page(client, "/reports/pairs/IR-IQ/")
    assert ">Now<" not in html
    assert "Status now" not in html
    assert "Not yet signed on that day" not in html
    assert "Today <strong>0</strong> are in force." in html
    html = page(client, "/reports/pairs/IR-IQ/?as_of=2015-01-01")
    assert '<th scope="col" class="num">Now</th><th scope="col" class="num">On 1 January 2015</th>' in html
    assert "Status now" in html
    assert "Not yet signed on that day" in html


def test_names_not_codes_where_people_read(client, demo_data):
    country = page(client, "/reports/countries/IR/")
    assert "Border security, Counterterrorism" in country
    table = country.split('id="partners-heading"')[1]
    assert "border-security" not in table
    pair = page(client, "/reports/pairs/IR-IQ/")
    assert "(Iran, Ministry of Defence" in pair  # a participant's party by name
    assert "(IR, " not in pair


def test_the_matrix_heads_its_columns_with_short_titles_and_dates(client, demo_data):
    html = page(client, "/reports/pairs/IR-IQ/")
    assert "matrix-transposed" not in html
    heads = re.findall(r'<th scope="col" class="matrix-agreement">(.*?)</th>', html, re.S)
    assert len(heads) == 3
    assert "30 December 2014" in heads[0]
    assert 'title="Memorandum of understanding on defence cooperation"' in heads[0]
    # Cut at a word, with the rest kept for screen readers.
    assert '<span aria-hidden="true">…</span><span class="visually-hidden">' in heads[0]


def test_a_busy_pair_turns_the_matrix_on_its_side(client):
    for index in range(60):
        make_agreement(
            title=f"Synthetic agreement no. {index} on border posts and patrols",
            signed=datetime.date(2000 + index % 25, 1 + index % 12, 1 + index % 28),
            clauses=[
                ClauseIn(1, "Text.", categories=[category("border-security" if index % 2 else "logistics")])
            ],
        )
    html = page(client, "/reports/pairs/IR-IQ/")
    assert "matrix-transposed" in html
    rows = re.findall(
        r'<tr>\s*<th scope="row"><a href="/agreements/\d+/"', html.split("matrix-transposed")[1]
    )
    assert len(rows) == 60
    heads = re.findall(r'class="matrix-category[^"]*"><span>(.*?)</span></th>', html)
    assert [re.sub(r"<[^>]+>|› ", "", head) for head in heads] == [
        "Border security",
        "Defence cooperation",
        "Logistics",
    ]
    assert (
        'role="region" aria-label="Table of clause categories" tabindex="0"' in html
    )  # scrolls by keyboard too


def test_the_partners_chart_keeps_the_strongest_and_scales_for_a_dominant_partner(client):
    for index in range(40):
        make_agreement(title=f"With Iraq {index}", signed=datetime.date(2001, 1, 1 + index % 28))
    for partner in (
        "SY",
        "TR",
        "AF",
        "PK",
        "AM",
        "AZ",
        "KW",
        "QA",
        "OM",
        "AE",
        "SA",
        "JO",
        "LB",
        "EG",
        "IN",
        "CN",
    ):
        make_agreement(title=f"With {partner}", parties=("IR", partner))
    response = client.get("/reports/countries/IR/")
    chart = response.context["chart"]
    assert len(chart["partners"]) == 16
    assert chart["partners"][0] == {"name": "Iraq", "agreements": 40, "in_force": 0}
    assert chart["partners"][-1]["name"] == "2 other partners"
    assert chart["partners"][-1]["agreements"] == 2
    assert chart["log"] is True
    assert "Show on a linear scale" in response.content.decode()


def test_the_pair_between_two_days_page(client, demo_data):
    pair = page(client, "/reports/pairs/IR-IQ/")
    link = re.search(r'href="(/reports/pairs/IR-IQ/changes/\?from=[^"]+)"', pair).group(1)
    html = page(client, link.replace("&amp;", "&"))
    assert "Iran and Iraq: what changed" in html
    html = page(client, "/reports/pairs/IR-IQ/changes/?from=2014-01-01&to=2018-01-01")
    assert "From <strong>1 January 2014</strong> to <strong>1 January 2018</strong>" in html
    assert "Memorandum of understanding on defence cooperation" in html
    assert "Border cooperation memorandum" not in html.split('id="corrections-heading"')[0]
    assert 'href="/api/reports/pairs/IR-IQ/changes/?from=2014-01-01&amp;to=2018-01-01&amp;format=csv"' in html
    assert (
        "the end (2014-01-01) comes before the start"
        in page(client, "/reports/pairs/IR-IQ/changes/?from=2018-01-01&to=2014-01-01", 400).lower()
    )
    # From the pair page with a day chosen: what changed since then.
    dated = page(client, "/reports/pairs/IR-IQ/?as_of=2015-06-01")
    assert "/reports/pairs/IR-IQ/changes/?from=2015-06-01&amp;to=" in dated


def test_commitments_page_names_pairs_and_parties(client):
    from agreements.services import CommitmentIn

    make_agreement(
        title="Crossings",
        commitments=[
            CommitmentIn(1, "Open two crossings.", party="IR", due=PartialDate(datetime.date(2017, 9, 1)))
        ],
    )
    html = page(client, "/reports/commitments/?as_of=2018-01-01")
    assert 'href="/reports/pairs/IR-IQ/">Iran and Iraq</a>' in html
    assert "<td>Iran</td>" in html
