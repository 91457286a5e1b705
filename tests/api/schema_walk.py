"""Reading an OpenAPI document in tests: its operations, and request-body schemas with references followed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

METHODS = ("get", "put", "post", "patch", "delete", "head", "options")


def operations(schema: dict) -> dict[tuple[str, str], dict]:
    """``{("PATCH", "/api/agreements/{id}/"): operation}`` for every operation."""
    return {
        (method.upper(), path): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def defaults_in(schema: dict, node: Any, where: str, seen: frozenset[str] = frozenset()) -> Iterator[str]:
    """The path of every ``default`` under ``node``, following ``$ref``s (each once per branch)."""
    if isinstance(node, dict):
        reference = node.get("$ref")
        if reference and reference not in seen:
            name = reference.rsplit("/", 1)[-1]
            target = schema["components"]["schemas"][name]
            yield from defaults_in(schema, target, f"{where} → {name}", seen | {reference})
        for key, value in node.items():
            if key == "default":
                yield where
            elif key != "$ref":
                yield from defaults_in(schema, value, f"{where}/{key}", seen)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from defaults_in(schema, value, f"{where}/{index}", seen)
