"""An automated accessibility check for the browser journeys: axe-core, vendored (no CDN).

``assert_accessible(page, name)`` runs axe on the page as it stands (WCAG 2.1 A and AA, and
axe's best practices) and fails on any violation axe rates serious or critical, naming the
rule, the help text and the first elements concerned. Lesser findings are returned for the
journey to print or ignore.

axe is evaluated through the DevTools protocol, as a browser extension would run it, so the
page's Content-Security-Policy (scripts from our own origin only) stays as it is served.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

_RUN = """async (tags) => {
  const options = { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] };
  const result = await axe.run(document, options);
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
  }));
}"""


@cache
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    return page.evaluate(_RUN, TAGS)


def assert_accessible(page: Page, name: str) -> list[dict[str, Any]]:
    """No serious or critical violation on ``page``; the other violations, for a look."""
    violations = axe_violations(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{name}: accessibility violations:\n" + "\n".join(
        f"  {v['impact']} {v['id']}: {v['help']} ({', '.join(v['nodes'])})" for v in blocking
    )
    return [v for v in violations if v["impact"] not in BLOCKING]
