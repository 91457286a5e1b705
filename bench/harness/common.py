"""What every script of ``bench`` shares: where things are, how a script speaks, its command
line, and how it writes its results.

Results go to ``bench/results/<name>-<time>.json`` (git-ignored); the servers' logs and other
working files to ``bench/results/work/``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"
WORK = RESULTS / "work"


def say(message: str) -> None:
    print(message, flush=True)


class _HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """The script's docstring as it is written, and every option's default."""


def argument_parser(description: str) -> argparse.ArgumentParser:
    """A parser whose help is ``description`` (the script's docstring) and names the script as
    it is run (``python -m bench.run``)."""
    spec = getattr(sys.modules["__main__"], "__spec__", None)
    prog = f"python -m {spec.name}" if spec is not None else None
    return argparse.ArgumentParser(prog=prog, description=description, formatter_class=_HelpFormatter)


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


def write_result(name: str, data: Any) -> Path:
    """``data`` as ``bench/results/<name>-<YYYYmmdd-HHMMSS>.json``; its path."""
    return write_json(RESULTS / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json", data)


def shown(path: Path) -> Path:
    """``path`` relative to the repository when it is inside it, for printing."""
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
