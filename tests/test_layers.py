"""The layers of docs/architecture.md, held against the code's imports.

Each module of ``agreements`` belongs to one layer; a layer may import only the layers
listed for it. A new import that crosses a line (the read side reaching into the
services, the API into the admin, the models into anything above them) fails here with
the file and the import, rather than in a review months later.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "agreements"

# The layer of each top-level module or package of ``agreements``.
LAYERS = {
    "domain": {
        *("models", "querysets", "choices", "dates", "lifecycle"),
        *("pairs", "parsing", "search", "history", "commitments", "names", "accounts", "planner"),
        "dataversion",
    },
    "write side": {"services"},
    "read side": {"reports"},
    "web": {"web"},
    "api": {"api"},
    "admin": {"admin"},
    "pages": {"views", "templatetags", "urls"},
    "notify": {"notify"},
    "commands": {"management"},
    "app": {"__init__", "apps", "migrations", "data"},
}
# What each layer may import (besides itself). Never: the API and the admin or the pages
# importing each other, the read side importing an interface or the services, the domain
# importing anything above it.
ALLOWED = {
    "domain": set(),
    "write side": {"domain"},
    "read side": {"domain"},
    "web": {"domain", "read side"},
    "api": {"domain", "write side", "read side", "web"},
    "admin": {"domain", "write side", "read side", "web"},
    # The pages write only what a reader follows (``services.watches``), never an entered fact.
    "pages": {"domain", "read side", "web", "write side", "notify"},
    "notify": {"domain", "write side", "read side"},
    "commands": {"domain", "write side", "read side", "web", "notify"},
    "app": {"domain"},
}


def layer_of(module: str) -> str:
    top = module.split(".")[1] if module.count(".") else ""
    for layer, members in LAYERS.items():
        if top in members:
            return layer
    raise AssertionError(f"{module} is in no layer of tests/test_layers.py; add it where it belongs")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """The ``agreements`` modules ``path`` imports, absolute, with their line numbers."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, node.module] if node.module else base)
            names = [target] if node.module else [f"{target}.{alias.name}" for alias in node.names]
            found += [(node.lineno, name) for name in names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, name) for line, name in found if name.startswith("agreements.")]


def test_every_import_follows_the_layers():
    crossings = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = layer_of(module_name(path) + ("" if path.name != "__init__.py" else ".__init__"))
        for line, target in imports_of(path):
            goal = layer_of(target)
            if goal != source and goal not in ALLOWED[source]:
                where = f"{path.relative_to(PACKAGE.parent)}:{line}"
                crossings.append(f"{where} ({source}) imports {target} ({goal})")
    assert crossings == [], "\n".join(crossings)
