"""Results folders: written whole or not at all, and never over a folder khcadre did not write.

Rules of the house, in one place (every command that writes goes through :func:`output_dir`):

* Everything is written into a new temporary folder beside ``--out`` and moved into place with
  one rename when the command succeeded. A failure, Ctrl-C or SIGTERM removes the temporary
  folder and leaves ``--out`` as it was.
* An existing ``--out`` is replaced only when it is empty or was written by khcadre: a marker
  file (``.khcadre-run.json``, with the command, the time and the files written) says so. If a
  khcadre results folder holds files khcadre did not write, it is replaced only with
  ``--force``; a folder without the marker is never replaced.
* ``--out`` may not be — or contain — the data folder, the scenario file's folder, the current
  folder, the home folder or the file-system root.
* A symlinked ``--out`` is followed: the results land in its target and the link stays.
* Results folders get the usual permissions (0755 under umask 022), not a temporary folder's
  0700.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .errors import KhcadreError, Problem

MARKER = ".khcadre-run.json"
_SHOWN = 5  # foreign files named in an error before "…"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _files(folder: Path) -> list[str]:
    """Every file or link under ``folder`` (relative paths), hidden ones included."""
    out = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        rel = Path(root).relative_to(folder)
        out += [str(rel / f) if str(rel) != "." else f for f in files]
        # a symlink to a folder is listed as an entry, not walked into
        out += [str(rel / d) if str(rel) != "." else d for d in dirs
                if (Path(root) / d).is_symlink()]
    return sorted(out)


def _marker(folder: Path) -> dict | None:
    path = folder / MARKER
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("files"), list) else None


def _refuse(out: Path, message: str, fix: str) -> KhcadreError:
    return KhcadreError(Problem(file=str(out), column="--out", message=message, fix=fix))


def check_target(out: str | Path, protect: Iterable[tuple[str, Path]] = (),
                 force: bool = False) -> Path:
    """Resolve ``--out`` and raise a :class:`KhcadreError` if khcadre may not write there.

    ``protect`` holds (what, folder) pairs — e.g. ("the data folder", Path("data/x")) — that
    ``--out`` may neither be nor contain; the current folder, the home folder and the root are
    always protected. Returns the resolved target folder.
    """
    given = Path(out).expanduser()
    target = given.resolve()
    guarded = [("the current folder", Path.cwd()), ("your home folder", Path.home()),
               ("the file-system root", Path(target.anchor or "/")), *protect]
    for what, folder in guarded:
        folder = Path(folder).expanduser().resolve()
        if target == folder or target in folder.parents:
            relation = "is" if target == folder else "contains"
            raise _refuse(given, f"{relation} {what} ({folder}); khcadre writes only into a "
                          "results folder of its own",
                          "give --out a new folder name, e.g. --out results")
    if target.exists() and not target.is_dir():
        raise _refuse(given, "exists and is not a folder",
                      "give --out a new folder name, e.g. --out results")
    if target.is_dir():
        present = _files(target)
        if present:
            marker = _marker(target)
            if marker is None:
                shown = ", ".join(present[:_SHOWN]) + (" …" if len(present) > _SHOWN else "")
                raise _refuse(given, f"already holds files khcadre did not write ({shown}); "
                              "khcadre never replaces such a folder",
                              "give --out a new or empty folder, e.g. --out results")
            foreign = sorted(set(present) - set(marker["files"]) - {MARKER})
            if foreign and not force:
                shown = ", ".join(foreign[:_SHOWN]) + (" …" if len(foreign) > _SHOWN else "")
                raise _refuse(given, f"is a khcadre results folder, but it now also holds "
                              f"files khcadre did not write ({shown})",
                              "move those files elsewhere, or give --out a new folder, or add "
                              "--force to replace the folder with them")
    return target


@contextlib.contextmanager
def output_dir(out: str | Path, *, command: str, protect: Iterable[tuple[str, Path]] = (),
               force: bool = False) -> Iterator[Path]:
    """Yield a temporary folder; on success it becomes ``out`` in one rename (see module doc)."""
    target = check_target(out, protect, force)
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
    except OSError as exc:
        raise _refuse(Path(out), f"cannot create a folder in {parent} ({exc.strerror})",
                      "choose a folder you can write to") from None
    try:
        tmp.chmod(0o777 & ~_umask())
        yield tmp
        check_target(out, protect, force)  # files may have appeared there while we worked
        write_marker(tmp, command)
        _swap(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_marker(folder: Path, command: str) -> None:
    """Record that khcadre wrote ``folder``: the command, the time and every file in it."""
    from . import __version__

    files = [f for f in _files(folder) if f != MARKER]
    marker = {"written_by": "khcadre", "version": __version__, "command": command,
              "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "files": files}
    (folder / MARKER).write_text(json.dumps(marker, ensure_ascii=False, indent=1) + "\n",
                                 encoding="utf-8")


def _swap(tmp: Path, target: Path) -> None:
    """Put ``tmp`` in ``target``'s place; an interruption cannot leave both or neither."""
    signals = {signal.SIGINT, signal.SIGTERM}
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    backup = None
    try:
        if target.is_dir() and any(target.iterdir()):
            backup = target.with_name(f".{target.name}.old-{tmp.name.rsplit('-', 1)[-1]}")
            target.rename(backup)
        elif target.is_dir():
            target.rmdir()  # empty: nothing of anyone's is lost
        try:
            tmp.rename(target)
        except OSError:
            if backup is not None:
                backup.rename(target)
            raise
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)


def add_file(out: str | Path, name: str, write: Callable[[Path], None], *,
             protect: Iterable[tuple[str, Path]] = ()) -> None:
    """Add (or replace) the file ``name`` in a results folder khcadre wrote, keeping its marker
    true — for a long command that keeps what it finished as it goes (a sweep's batches).

    The folder must pass :func:`check_target` without ``--force`` (it holds a marker and no
    file khcadre did not write). ``write(path)`` writes the file beside the folder; it is then
    moved in and listed in the marker while Ctrl-C and SIGTERM wait, so an interruption leaves
    either the old folder or the new one, never a file the marker does not list.
    """
    target = check_target(out, protect, force=False)
    marker = _marker(target)
    if marker is None:
        raise _refuse(Path(out), "is not a khcadre results folder",
                      "give --out a new folder name, e.g. --out results")
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        write(tmp / "file")
        marker["files"] = sorted(set(marker["files"]) | {name})
        (tmp / MARKER).write_text(json.dumps(marker, ensure_ascii=False, indent=1) + "\n",
                                  encoding="utf-8")
        signals = {signal.SIGINT, signal.SIGTERM}
        old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
        try:
            dest = target / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / "file", dest)
            os.replace(tmp / MARKER, target / MARKER)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
