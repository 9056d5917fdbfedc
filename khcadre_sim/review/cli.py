"""``khcadre review``: the competency review has no options of its own."""

from __future__ import annotations

import argparse
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options beyond the common ones (--data, --scenario, --out, --lang)."""


def options(args: argparse.Namespace) -> dict[str, Any]:
    return {}
