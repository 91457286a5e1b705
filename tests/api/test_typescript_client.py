"""A TypeScript client type-checks against types generated from the live schema.

``openapi-typescript`` turns ``/api/schema/`` into ``schema.d.ts``; ``tsc --noEmit`` then checks
``tests/typescript/client.ts`` against it, whose ``@ts-expect-error`` lines must be errors (a
missing If-Match, a string id). The tools are npm packages pinned in
``tests/typescript/package-lock.json``; ``.ci/run`` installs them (``npm ci``). Without them the
test is skipped, except in CI (``CI=true``) or with ``REQUIRE_NODE=1``, where it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.generated_client, pytest.mark.django_db]

TOOLS = Path(__file__).resolve().parent.parent / "typescript"
BIN = TOOLS / "node_modules" / ".bin"


def tool(name: str) -> Path:
    path = BIN / name
    if shutil.which("node") and path.exists():
        return path
    missing = f"{name} is not installed: run `npm ci` in {TOOLS} (Node.js and npm needed)"
    if os.environ.get("CI", "").lower() == "true" or os.environ.get("REQUIRE_NODE") == "1":
        pytest.fail(missing)
    pytest.skip(missing)


def run(argv: list[str | Path], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(part) for part in argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
        check=False,
    )


def test_a_typescript_client_type_checks_against_the_generated_types(client, tmp_path):
    generate, tsc = tool("openapi-typescript"), tool("tsc")
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_bytes(schema.content)
    shutil.copy(TOOLS / "client.ts", tmp_path / "client.ts")

    generated = run([generate, "schema.json", "--output", "schema.d.ts"], tmp_path)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "If-Match" in (tmp_path / "schema.d.ts").read_text()

    checked = run(
        [
            tsc,
            "--noEmit",
            "--strict",
            "--target",
            "es2022",
            "--module",
            "es2022",
            "--moduleResolution",
            "bundler",
            "--lib",
            "es2022,dom",
            "client.ts",
        ],
        tmp_path,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize(
    ("environment", "outcome"),
    [
        ({}, pytest.skip.Exception),
        ({"CI": "true"}, pytest.fail.Exception),
        ({"REQUIRE_NODE": "1"}, pytest.fail.Exception),
    ],
)
def test_missing_tools_skip_only_outside_ci(monkeypatch, tmp_path, environment, outcome):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("REQUIRE_NODE", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(f"{__name__}.BIN", tmp_path / "nothing-installed")
    with pytest.raises(outcome, match="npm ci"):
        tool("tsc")
