"""Journey 5: an analyst reads the Iran–Iraq report: chart, matrix, table, CSV, one agreement."""

import csv
import io

import pytest
from playwright.sync_api import expect

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_analyst_reads_the_iran_iraq_report(page, demo_data):
    page.goto("/reports/")
    page.get_by_label("First country").select_option(label="Iran")
    page.get_by_label("Second country").select_option(label="Iraq")
    page.get_by_role("button", name="Show the pair").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Iran and Iraq")

    # ECharts draws into an SVG: one bar per agreement's signed period, one mark per event.
    chart = page.locator("#timeline-chart svg")
    expect(chart).to_be_visible()
    expect(chart.locator("path")).not_to_have_count(0)
    for year in ("2014", "2017", "2019"):
        expect(chart.locator("text", has_text=year).first).to_be_attached()

    matrix = page.locator("table.matrix")
    expect(matrix.locator("tbody th", has_text="Counterterrorism")).to_be_visible()
    expect(matrix.locator("thead .matrix-agreement")).to_have_count(3)
    table = page.locator("table.agreements tbody tr")
    expect(table).to_have_count(3)
    expect(table.first).to_contain_text("Hossein Dehqan")
    screenshot(page, "5-pair-report")

    with page.expect_download() as downloading:
        page.get_by_role("link", name="CSV").click()
    download = downloading.value
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["agreement_id", "party_a", "party_b"]
    assert len(rows) == 1 + 3

    page.locator("table.agreements").get_by_role(
        "link", name="Memorandum of understanding on military cooperation"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Memorandum of understanding on military cooperation"
    )
    expect(page.locator(".facts")).to_contain_text("23 July 2017")
    screenshot(page, "5-agreement-page")
