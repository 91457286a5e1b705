"""Serving for real (issue 16): ``make serve``, the static files it serves, and rate limits
that hold per client across processes and instances (two gunicorns, one Redis)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import requests

from .servers import ROOT, gunicorn, production_environment
from .shared_cache import URL as REDIS_URL
from .shared_cache import redis_prefix  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("unset", "named"),
    [
        (["SECRET_KEY", "ALLOWED_HOSTS"], "set SECRET_KEY and ALLOWED_HOSTS"),
        (["SECRET_KEY"], "set SECRET_KEY (in"),
        (["ALLOWED_HOSTS"], "set ALLOWED_HOSTS (in"),
    ],
)
def test_make_serve_refuses_to_start_without_its_settings_and_names_them(unset, named, tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env |= {"SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "127.0.0.1", "DATABASE_URL": f"sqlite:///{tmp_path}/db"}
    for name in unset:
        env.pop(name)
    result = subprocess.run(
        [sys.executable, "-m", "tracker.serve"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert named in result.stderr
    assert not (tmp_path / "db").exists(), "nothing is done before the settings are there"


def test_make_serve_says_when_no_shared_cache_counts_the_limits(production_server):
    log = production_server.output()
    assert "No shared cache (CACHE_URL is not set): rate limits" in log
    assert "counted per process" in log
    assert "served by WhiteNoise" in log


def test_static_files_are_served_hashed_compressed_and_cached_for_a_year(production_server):
    login = requests.get(f"{production_server.url}/admin/login/", timeout=10)
    assert login.status_code == 200
    stylesheet = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', login.text)
    assert stylesheet, "the admin links its stylesheet under a hashed name"
    response = requests.get(
        production_server.url + stylesheet.group(1), headers={"Accept-Encoding": "gzip"}, timeout=10
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response.headers["Content-Encoding"] == "gzip"
    for path in ["/favicon.ico", "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"]:
        assert requests.get(production_server.url + path, timeout=10).status_code == 200, path


def test_limits_hold_per_client_across_two_instances_sharing_redis(redis_prefix, tmp_path):  # noqa: F811
    """Two gunicorns (and so two processes), one Redis: one client gets its limit once, not
    once per process. With each process counting on its own it got 10 of 12 here."""
    env = production_environment(
        CACHE_URL=REDIS_URL, CACHE_KEY_PREFIX=redis_prefix, THROTTLE_ANON="5/minute", THROTTLE_USER="5/minute"
    )
    with gunicorn(env, tmp_path, "first") as first, gunicorn(env, tmp_path, "second") as second:
        answers = [
            requests.get(f"{server.url}/api/countries/IR/", timeout=10).status_code
            for server in [first, second] * 6
        ]
        refused = requests.get(f"{first.url}/api/reports/network/", timeout=10)
    assert sorted(answers) == [200] * 5 + [429] * 7, answers
    assert refused.status_code == 429, "the reports count against the same limit"
    assert int(refused.headers["Retry-After"]) > 0
