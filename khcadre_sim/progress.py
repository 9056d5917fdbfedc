"""Progress of long work, on stderr, for people at a terminal — and silence for everyone else.

Library code marks the steps that can take more than a couple of seconds (placement rounds,
workload blocks, Monte Carlo draws, projection years) with :func:`bar`; nothing is shown unless
the command line switched progress on (:func:`enable`: a terminal on stderr and no ``--quiet``).
Notebooks, tests and scripts that import the package see nothing. Bars are drawn by tqdm.
Details go to the ``khcadre`` logger (``--log-level``).
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from typing import Any

log = logging.getLogger("khcadre")

_enabled = False
_lang = "vi"


def enable(on: bool, lang: str = "vi") -> None:
    """Show progress bars from now on (the command line calls this)."""
    global _enabled, _lang
    _enabled, _lang = bool(on), lang


def enabled() -> bool:
    return _enabled


class _Silent:
    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, text: str) -> None:
        pass


@contextlib.contextmanager
def bar(total: int | None, what: tuple[str, str], unit: str = "") -> Iterator[Any]:
    """A progress bar over ``total`` steps described by ``what`` = (Vietnamese, English)."""
    if not _enabled:
        yield _Silent()
        return
    from tqdm import tqdm

    desc = what[0] if _lang == "vi" else what[1]
    with tqdm(total=total, desc=desc, unit=unit or "it", file=sys.stderr, leave=False,
              mininterval=0.5) as b:
        yield b
