"""Types of command-line options: each rejects a bad value with one line saying why (argparse
turns the message into ``error: khcadre <command>: argument --x: <message>``)."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"'{text}' is not a finite number")
    return value


def positive_number(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be greater than 0")
    return value


def whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """A whole number in [low, high] (an argparse type)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if value < low or (high is not None and value > high):
            span = f"at least {low:,}" if high is None else f"between {low:,} and {high:,}"
            raise argparse.ArgumentTypeError(f"'{text}' must be {span}")
        return value
    parse.__name__ = "whole number"
    return parse


def scale_factor(text: str) -> float:
    value = positive_number(text)
    if value > 50:
        raise argparse.ArgumentTypeError(f"'{text}' must be at most 50")
    return value
