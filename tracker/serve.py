"""`make serve`: the site in production mode on one command.

    SECRET_KEY=… ALLOWED_HOSTS=tracker.example.org make serve     # = python -m tracker.serve

Refuses to start without ``SECRET_KEY`` and ``ALLOWED_HOSTS`` (from the environment or
``.env``), saying which is missing; then, with ``DEBUG`` off: ``migrate``,
``collectstatic`` (hashed, compressed files that WhiteNoise serves with far-future cache
headers), a few lines on what is in force (static files, rate limits and where they are
counted, proxies, HTTPS), and gunicorn with ``gunicorn.conf.py``. Arguments are passed to
gunicorn (``--bind 0.0.0.0:8000``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = ("SECRET_KEY", "ALLOWED_HOSTS")


def missing_settings(environment: dict[str, str]) -> list[str]:
    """The required settings that ``environment`` (with ``.env`` read into it) lacks."""
    return [name for name in REQUIRED if not environment.get(name, "").strip()]


def read_dotenv() -> None:
    """``.env`` beside manage.py into the environment, as the settings read it (the environment wins)."""
    import environ

    environ.Env.read_env(ROOT / ".env")


def summary() -> list[str]:
    """What is in force, in a few plain lines (Django set up)."""
    from django.conf import settings

    from agreements.web.throttling import Rate, describe_limits

    from .replicas import databases as replicas

    for rate in settings.RATE_LIMITS.values():
        Rate.parse(rate)  # a malformed rate stops the start, not a request
    lines = [f"Static files: {settings.STATIC_ROOT}, served by WhiteNoise (hashed names, cached for a year)."]
    limits = "; ".join(describe_limits())
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        lines.append(f"Rate limits ({limits}) counted in Redis at CACHE_URL: shared by every process.")
    elif settings.RATE_LIMITS_ENABLED:
        lines.append(
            f"No shared cache (CACHE_URL is not set): rate limits ({limits}) are counted per process, "
            "so each gunicorn process allows that much on its own. Set CACHE_URL=redis://… to share them."
        )
    else:
        lines.append("Rate limits are off (RATE_LIMITS=false).")
    lines.append(
        replicas.describe(
            settings.DATABASES,
            shared_cache=settings.CACHES["default"]["BACKEND"].endswith("RedisCache"),
            read_your_writes_s=settings.REPLICA_READ_YOUR_WRITES_SECONDS,
        )
    )
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        lines.append(f"Trusted proxies: {proxies}; the client is the address they report in X-Forwarded-For.")
    else:
        lines.append("Trusted proxies: none (TRUSTED_PROXIES=0); X-Forwarded-For is ignored.")
    if settings.SECURE_PROXY_SSL_HEADER:
        lines.append("HTTPS: a TLS-terminating proxy in front (BEHIND_TLS_PROXY=true).")
    elif settings.SECURE_SSL_REDIRECT:
        lines.append(
            "HTTPS: plain-HTTP requests are redirected to https://; put a TLS-terminating proxy in "
            "front (BEHIND_TLS_PROXY=true), or set SECURE_SSL_REDIRECT=false to try it over plain HTTP "
            "on this machine."
        )
    else:
        lines.append("HTTPS: not redirected to (SECURE_SSL_REDIRECT=false).")
    return lines


def main(argv: Sequence[str]) -> int:
    read_dotenv()
    missing = missing_settings(dict(os.environ))
    if missing:
        print(
            f"make serve: set {' and '.join(missing)} (in the environment or .env) to serve in production "
            "mode, e.g. SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))') "
            "ALLOWED_HOSTS=tracker.example.org make serve",
            file=sys.stderr,
        )
        return 2
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    call_command("migrate", interactive=False, verbosity=1)
    call_command("collectstatic", interactive=False, verbosity=0)
    for line in summary():
        print(f"make serve: {line}", flush=True)
    connections.close_all()
    gunicorn = [sys.executable, "-m", "gunicorn", "tracker.wsgi", "--config", str(ROOT / "gunicorn.conf.py")]
    os.chdir(ROOT)
    os.execv(sys.executable, [*gunicorn, *argv])
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
