"""Journey 9: the reports read well — names not codes, one date style, one name per pair, pages that
use their space, charts to take away, the pair between two dates, paper, and an accessibility check
(axe-core, vendored) on every report page. Screenshots: tests/screenshots/9-*.png."""

import datetime
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from agreements.choices import EventType, ImplementationKind
from agreements.dates import PartialDate
from agreements.models import Agreement, ClauseCategory
from agreements.services import ClauseIn, CommitmentIn, EventIn, ImplementationEventIn

from ..factories import category, make_agreement
from .accessibility import assert_accessible
from .conftest import SCREENSHOTS, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# What an A4 page leaves inside reports.css's margins (186 × 269 mm at 96 dpi).
A4 = {"width": 703, "height": 1017}


def charts_ready(page) -> None:
    expect(page.locator("html[data-charts='ready']")).to_be_attached()


def saved(page, button_name: str) -> bytes:
    with page.expect_download() as downloading:
        page.get_by_role("button", name=button_name).click()
    return downloading.value.path().read_bytes()


def test_the_pair_reads_well_and_its_chart_can_be_taken_away(page, demo_data, problems):
    # Asked in the other order, the pair answers under its one name and URL.
    page.goto("/reports/pairs/IQ-IR/")
    expect(page).to_have_url(re.compile(r"/reports/pairs/IR-IQ/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Iran and Iraq")
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Iran and Iraq")
    charts_ready(page)

    # No day chosen: one status column, no "On <today>" twin.
    status = page.locator("table", has=page.locator("caption", has_text="By status"))
    expect(status.locator("thead th")).to_have_count(2)
    expect(page.locator("table.agreements thead th", has_text="On ")).to_have_count(0)

    # The as-of box is text in ISO with its example, whatever the browser's locale.
    box = page.get_by_label("As of")
    assert box.get_attribute("type") == "text"
    expect(page.locator("#id_as_of_helptext")).to_contain_text("YYYY-MM-DD, e.g. 2018-03-01")
    box.fill("2018-03-01")
    page.get_by_role("button", name="Update").click()
    expect(page.locator(".lead")).to_contain_text("On 1 March 2018")
    expect(status.locator("thead th")).to_have_text(["Status", "Now", "On 1 March 2018"])
    expect(page.locator("table.agreements thead th", has_text="On 1 March 2018")).to_have_count(1)
    # Who took part: countries by name.
    expect(page.locator("table.agreements tbody")).to_contain_text("(Iran, Ministry of Defence")
    charts_ready(page)

    png = saved(page, "Save the timeline as PNG")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = saved(page, "Save the timeline as SVG").decode()
    assert "<svg" in svg
    assert "Memorandum of understanding" in svg
    assert_accessible(page, "pair page")
    screenshot(page, "9-pair-page")

    # A mistyped day comes back with the form and the error beside the box.
    problems.allowed["/reports/pairs/IR-IQ/"] = 400  # a date typed day first: the 400 page, on purpose
    page.get_by_label("As of").fill("03/01/2018")
    page.get_by_role("button", name="Update").click()
    expect(page.locator(".field-error")).to_have_text("Give a date as YYYY-MM-DD, e.g. 2018-03-01.")
    assert_accessible(page, "bad date")


def test_a_busy_pair_keeps_its_matrix_legible(page):
    for index in range(60):
        make_agreement(
            title=f"Agreement no. {index + 1} on joint border posts and liaison officers",
            signed=datetime.date(1990 + index // 3, 1 + index % 12, 1 + index % 28),
            clauses=[
                ClauseIn(1, "Posts.", categories=[category("joint-patrols")]),
                ClauseIn(
                    2, "Officers.", categories=[category(("intelligence-sharing", "logistics")[index % 2])]
                ),
            ],
        )
    page.goto("/reports/pairs/IR-IQ/")
    matrix = page.locator("table.matrix-transposed")
    expect(matrix.locator("tbody tr")).to_have_count(60)
    expect(matrix.locator("thead .matrix-category")).to_have_count(5)
    # One agreement per row: its (short) title and its date, never a bare date.
    first = matrix.locator("tbody tr").first.locator("th")
    expect(first).to_contain_text("Agreement no. 1 on joint border posts")
    expect(first).to_contain_text("1 January 1990")
    width = matrix.evaluate("table => table.getBoundingClientRect().width")
    assert width <= page.viewport_size["width"], "the matrix on its side fits across the page"
    assert_accessible(page, "busy pair")
    matrix.scroll_into_view_if_needed()
    screenshot(page, "9-matrix-busy-pair")


def test_a_country_with_a_dominant_partner(page):
    for index in range(45):
        make_agreement(title=f"With Iraq {index}", signed=datetime.date(2001, 1, 1 + index % 28))
    partners = [
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
        "RU",
    ]
    for partner in partners:
        make_agreement(title=f"With {partner}", parties=("IR", partner))
    make_agreement(
        title="Border security",
        parties=("IR", "TR"),
        clauses=[ClauseIn(1, "B.", categories=[category("border-security")])],
    )
    page.goto("/reports/countries/IR/")
    charts_ready(page)
    chart = page.locator("#partners-chart svg")
    expect(chart.locator("text", has_text="(logarithmic scale)")).to_be_attached()
    expect(chart.locator("text", has_text="3 other partners")).to_be_attached()
    # Categories by name, not slug.
    expect(page.locator("table.partners")).to_contain_text("Border security")
    expect(page.locator("table.partners")).not_to_contain_text("border-security")
    assert_accessible(page, "country page")
    screenshot(page, "9-country-dominant-partner")
    page.get_by_role("button", name="Show on a linear scale").click()
    expect(chart.locator("text", has_text="(logarithmic scale)")).to_have_count(0)
    assert saved(page, "Save the partners chart as PNG").startswith(b"\x89PNG")


def test_the_network_fills_the_window_and_can_be_read_as_tables(page):
    call_command("generate_synthetic_data", agreements=3000, seed=19, verbosity=0)
    page.goto("/reports/network/")
    charts_ready(page)
    chart = page.locator("#network-chart")
    height = chart.evaluate("element => element.getBoundingClientRect().height")
    assert height >= 0.9 * page.viewport_size["height"] - 60, height
    expect(chart.locator("svg text", has_text="Countries with an agreement in force")).to_be_attached()
    zoom = "echarts.getInstanceByDom(document.getElementById('network-chart')).getOption().series[0].zoom"
    before = page.evaluate(zoom)
    page.get_by_role("button", name="Zoom in on the network").click()
    assert page.evaluate(zoom) > before
    page.get_by_role("button", name="Show the whole network").click()
    assert page.evaluate(zoom) == 1
    expect(page.get_by_role("region", name="Table of countries").locator("tbody tr")).not_to_have_count(0)
    expect(page.get_by_role("region", name="Table of pairs").locator("tbody tr").first).to_contain_text(
        " and "
    )
    assert_accessible(page, "network")
    chart.scroll_into_view_if_needed()
    screenshot(page, "9-network")


def test_the_pair_between_two_dates(page, demo_data):
    memorandum = Agreement.objects.get(title="Border cooperation memorandum")
    make_agreement(
        title="Crossings protocol",
        events=[
            EventIn(EventType.SIGNED, PartialDate(datetime.date(2021, 3, 1))),
            EventIn(EventType.IN_FORCE, PartialDate(datetime.date(2021, 6, 1), "month")),
        ],
        commitments=[
            CommitmentIn(
                1,
                "Open two crossings.",
                party="IR",
                due=PartialDate(datetime.date(2022, 1, 1)),
                events=[
                    ImplementationEventIn(ImplementationKind.MET, PartialDate(datetime.date(2021, 12, 20)))
                ],
            ),
            CommitmentIn(
                2, "Exchange liaison officers.", party="IQ", due=PartialDate(datetime.date(2023, 1, 1))
            ),
        ],
    )
    page.goto(f"/reports/pairs/{memorandum.party_a_id}-{memorandum.party_b_id}/")
    page.get_by_role("link", name="What changed between two dates").click()
    expect(page).to_have_url(re.compile(r"/reports/pairs/IR-IQ/changes/\?from=\d{4}-\d\d-\d\d&to="))
    page.get_by_label("From").fill("2020-01-01")
    page.get_by_label("To", exact=True).fill("2026-12-01")
    page.get_by_role("button", name="Update").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Iran and Iraq: what changed")
    expect(page.locator(".lead")).to_contain_text("From 1 January 2020 to 1 December 2026")
    commitments = page.get_by_role("region", name="Table of commitments")
    expect(commitments.locator("tbody tr")).to_have_count(2)
    expect(commitments).to_contain_text("Met")
    expect(commitments).to_contain_text("Missed")
    expect(page.get_by_role("region", name="Table of agreements signed")).to_contain_text("1 March 2021")
    expect(page.get_by_role("region", name="Table of status changes")).to_contain_text("June 2021: In force")
    assert_accessible(page, "changes page")
    screenshot(page, "9-changes")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="CSV").click()
    assert downloading.value.suggested_filename == "iran-and-iraq-changes-2020-01-01-to-2026-12-01.csv"
    assert "commitment" in downloading.value.path().read_text(encoding="utf-8")


def test_the_pair_prints_on_a4_without_cut_off_columns(new_context, demo_data):
    for index in range(12):  # enough for the matrix to turn on its side, every category a column
        make_agreement(
            title=f"Protocol no. {index + 1} on crossings, patrols and the exchange of liaison officers",
            signed=datetime.date(2019, 1 + index, 2),
            clauses=[ClauseIn(1, "All.", categories=list(ClauseCategory.objects.all()))],
        )
    page = new_context().new_page()
    page.set_viewport_size(A4)
    page.goto("/reports/pairs/IR-IQ/?as_of=2018-03-01")
    charts_ready(page)
    page.emulate_media(media="print")
    expect(page.locator(".report-form")).to_be_hidden()
    expect(page.locator(".chart-tools").first).to_be_hidden()
    # The charts redraw at the printed width, without their toolbox.
    chart_width = page.evaluate("document.querySelector('#timeline-chart svg').getBoundingClientRect().right")
    assert chart_width <= A4["width"]
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('table')].filter(
               t => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length"""
    )
    assert overflowing == 0
    screenshot(page, "9-print-preview")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.pdf(path=str(SCREENSHOTS / "9-print-preview.pdf"), format="A4", print_background=True)


@pytest.mark.parametrize(
    "url",
    [
        "/reports/",
        "/reports/pairs/IR-IQ/",
        "/reports/pairs/IR-IQ/?as_of=2018-03-01",
        "/reports/pairs/IR-IQ/changes/?from=2014-01-01&to=2020-01-01",
        "/reports/countries/IR/",
        "/reports/network/",
        "/reports/commitments/?as_of=2018-01-01",
        "/reports/pairs/IR-IQ/?as_of=tomorrow",  # the 400 page with its form
        "/reports/pairs/IR-ZZ/",  # the 404 page
    ],
)
def test_every_report_page_passes_the_accessibility_check(page, demo_data, problems, url):
    if "tomorrow" in url:
        problems.allowed[url.split("?")[0]] = 400
    elif "ZZ" in url:
        problems.allowed[url] = 404
    page.goto(url)
    assert_accessible(page, url)


def test_the_agreement_page_passes_the_accessibility_check(page, demo_data):
    agreement = Agreement.objects.get(title="Memorandum of understanding on military cooperation")
    page.goto(f"/agreements/{agreement.pk}/")
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Iran and Iraq")
    assert_accessible(page, "agreement page")
