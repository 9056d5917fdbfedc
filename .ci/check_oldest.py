"""Check that .ci/oldest.txt pins every dependency of pyproject.toml to its lower bound.

Every requirement (build, runtime, dev) must have a ``>=`` lower bound, and .ci/oldest.txt must
pin it with ``==`` to that same version; a pin for a package pyproject.toml no longer names is
an error too. Standard library only, so it runs before any virtual environment exists.
"""

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def release(version: str) -> tuple[int, ...]:
    """'2.0' and '2.0.0' compare equal; only plain release numbers are expected here."""
    parts = [int(p) for p in version.strip().split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def lower_bounds(pyproject: dict) -> dict[str, str]:
    reqs = list(pyproject["build-system"]["requires"])
    reqs += pyproject["project"]["dependencies"]
    for extra in pyproject["project"].get("optional-dependencies", {}).values():
        reqs += extra
    out: dict[str, str] = {}
    for req in reqs:
        m = NAME.match(req.split(";")[0])
        assert m is not None, req
        lows = [s.strip()[2:] for s in m.group(2).split(",") if s.strip().startswith(">=")]
        out[canonical(m.group(1))] = lows[0] if lows else ""
    return out


def pins(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            out[canonical(name)] = version.strip()
    return out


def main() -> int:
    bounds = lower_bounds(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8")))
    pinned = pins((ROOT / ".ci" / "oldest.txt").read_text(encoding="utf-8"))
    errors = []
    for name, low in sorted(bounds.items()):
        if not low:
            errors.append(f"pyproject.toml: '{name}' has no '>=' lower bound")
        elif name not in pinned:
            errors.append(f".ci/oldest.txt: no pin for '{name}' (add {name}=={low})")
        elif not pinned[name] or release(pinned[name]) != release(low):
            errors.append(f".ci/oldest.txt: '{name}=={pinned[name]}' but pyproject.toml says "
                          f">={low}; make them equal")
    errors += [f".ci/oldest.txt: '{name}' is not a dependency in pyproject.toml"
               for name in sorted(set(pinned) - set(bounds))]
    for e in errors:
        print(e, file=sys.stderr)
    if not errors:
        print(f".ci/oldest.txt pins all {len(bounds)} dependencies at their lower bounds")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
