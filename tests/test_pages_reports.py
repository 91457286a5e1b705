"""The report pages, rendered with the demo data (the browser-journeys issue covers a real browser)."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from agreements.models import Agreement

from .factories import make_agreement

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
    with django_assert_num_queries(8):  # with_details, and the commitments' prefetch
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
    with django_assert_num_queries(1):
        page(client, "/reports/pairs/IR-IQ/")
    with django_assert_num_queries(5):  # the report's four, and the category choices of the filter form
        page(client, "/reports/countries/IR/")
    with django_assert_num_queries(4):  # the report's three, and the category choices
        page(client, "/reports/network/")


def test_charts_are_vendored_with_their_licence_and_pages_print():
    script = Path(finders.find("agreements/vendor/echarts/echarts.min.js"))
    assert script.stat().st_size > 500_000
    assert "Apache License" in (script.parent / "LICENSE").read_text()
    assert (script.parent / "NOTICE").exists()
    css = Path(finders.find("agreements/reports.css")).read_text()
    assert "@media print" in css
    assert not re.search(r"https?://", Path(finders.find("agreements/reports.js")).read_text())
