"""Which interface a request is for, told by its path."""

from __future__ import annotations

API_PREFIX = "/api/"
ADMIN_PREFIX = "/admin/"


def is_api_path(path: str) -> bool:
    """Whether ``path`` belongs to the REST API (whose answers, errors included, are JSON)."""
    return path.startswith(API_PREFIX)


def interface_of(path: str) -> str:
    """The interface recorded in the history for a request to ``path``: admin, api or web."""
    if path.startswith(ADMIN_PREFIX):
        return "admin"
    return "api" if is_api_path(path) else "web"
