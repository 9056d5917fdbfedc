"""Results folders: never over a user's files, written whole or not at all (khcadre_sim.outputs)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from khcadre_sim.cli import main
from khcadre_sim.outputs import MARKER
from khcadre_sim.paths import BUNDLED_PROVINCE, SCENARIOS

SYNTH = ["synth", "--seed", "1", "--scale", "0.3"]


def khcadre(*args: str, cwd: Path | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "khcadre_sim.cli", *args], cwd=cwd,
                          capture_output=True, text=True, check=False, **kw)


def test_a_folder_holding_a_users_file_is_never_replaced(tmp_path: Path, capsys):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "báo cáo.docx").write_bytes(b"user's work")
    assert main([*SYNTH, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "báo cáo.docx" in err[0] and "khcadre did not write" in err[0]
    assert (out / "báo cáo.docx").read_bytes() == b"user's work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents"]  # no temporary leftovers
    # --force does not make khcadre replace a folder it did not write
    assert main([*SYNTH, "--out", str(out), "--force"]) == 2
    assert (out / "báo cáo.docx").exists()


def test_run_on_a_folder_with_a_users_file_keeps_it(tmp_path: Path):
    out = tmp_path / "ket_qua"
    out.mkdir()
    (out / "ghi chú.txt").write_text("giữ lại", encoding="utf-8")
    proc = khcadre("run", "--out", str(out))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert (out / "ghi chú.txt").read_text(encoding="utf-8") == "giữ lại"
    assert sorted(p.name for p in out.iterdir()) == ["ghi chú.txt"]


def test_empty_folder_is_used_and_rerun_replaces_a_khcadre_folder(tmp_path: Path):
    out = tmp_path / "r"
    out.mkdir()
    assert main([*SYNTH, "--out", str(out)]) == 0
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert marker["written_by"] == "khcadre" and "staff.csv" in marker["files"]
    assert marker["command"].startswith("khcadre synth")
    (out / "staff.csv").unlink()  # a subset of what khcadre wrote is still khcadre's folder
    assert main([*SYNTH, "--out", str(out)]) == 0
    assert (out / "staff.csv").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_a_users_file_added_to_a_results_folder_needs_force(tmp_path: Path, capsys):
    out = tmp_path / "r"
    assert main([*SYNTH, "--out", str(out)]) == 0
    (out / "my notes.txt").write_text("mine", encoding="utf-8")
    assert main([*SYNTH, "--out", str(out)]) == 2
    assert "my notes.txt" in capsys.readouterr().err
    assert (out / "my notes.txt").exists()
    assert main([*SYNTH, "--out", str(out), "--force"]) == 0
    assert not (out / "my notes.txt").exists()


@pytest.mark.parametrize("where", ["cwd", "parent_of_cwd", "home", "data", "parent_of_data",
                                   "scenario_folder", "root"])
def test_protected_folders_are_refused(tmp_path: Path, monkeypatch, capsys, where):
    data = tmp_path / "province"
    data.mkdir()
    for f in BUNDLED_PROVINCE.iterdir():
        (data / f.name).write_bytes(f.read_bytes())
    scen_dir = tmp_path / "scen"
    scen_dir.mkdir()
    (scen_dir / "s.toml").write_text("[meta]\nname = 'x'\n", encoding="utf-8")
    work = tmp_path / "work" / "here"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    out = {"cwd": ".", "parent_of_cwd": "..", "home": "~", "data": str(data),
           "parent_of_data": str(tmp_path), "scenario_folder": str(scen_dir), "root": "/"}[where]
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    code = main(["review", "--data", str(data), "--scenario", str(scen_dir / "s.toml"),
                 "--out", out])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--out" in err[0] and "fix:" in err[0]
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before


def test_symlinked_out_is_followed(tmp_path: Path):
    real = tmp_path / "real"
    link = tmp_path / "link"
    assert main([*SYNTH, "--out", str(real)]) == 0
    link.symlink_to(real, target_is_directory=True)
    assert main([*SYNTH, "--out", str(link)]) == 0
    assert link.is_symlink() and (real / "staff.csv").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]


def test_results_folder_has_ordinary_permissions(tmp_path: Path):
    old = os.umask(0o022)
    try:
        assert main([*SYNTH, "--out", str(tmp_path / "r")]) == 0
    finally:
        os.umask(old)
    assert (tmp_path / "r").stat().st_mode & 0o777 == 0o755


def test_read_only_location_is_one_clear_line(tmp_path: Path, capsys):
    if os.geteuid() == 0:  # root writes anywhere a permission allows: use a kernel folder
        target = Path("/sys/khcadre-results")
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        target = locked / "r"
    try:
        assert main([*SYNTH, "--out", str(target)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "cannot create a folder" in err[0] and "fix:" in err[0]
        assert not target.exists()
    finally:
        if os.geteuid() != 0:
            target.parent.chmod(0o755)


def test_out_below_a_file_is_one_clear_line(tmp_path: Path, capsys):
    (tmp_path / "plan.txt").write_text("x", encoding="utf-8")
    assert main([*SYNTH, "--out", str(tmp_path / "plan.txt" / "r")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_existing_file_as_out(tmp_path: Path, capsys):
    target = tmp_path / "plan.xlsx"
    target.write_bytes(b"x")
    assert main([*SYNTH, "--out", str(target)]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert target.read_bytes() == b"x"


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_run_leaves_previous_results_and_no_temporary_folder(tmp_path: Path, sig,
                                                                         code):
    out = tmp_path / "r"
    assert main([*SYNTH, "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    # The real command line, with the writing of the files slowed down so that the signal
    # always lands while the temporary folder is being filled (not after, on a busy machine).
    slow = ("import sys, time\n"
            "import khcadre_sim.io as io\n"
            "write = io.write_province\n"
            "def slow(province, folder):\n"
            "    write(province, folder)\n"
            "    time.sleep(60)\n"
            "io.write_province = slow\n"
            "from khcadre_sim.cli import main\n"
            "sys.exit(main(sys.argv[1:]))\n")
    # Ctrl-C as at a terminal: a job started in the background inherits SIGINT ignored (and
    # khcadre, like Python, then leaves it ignored), so give the child the default disposition
    proc = subprocess.Popen([sys.executable, "-c", slow, "synth", "--seed", "2", "--out",
                             str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 60
    while time.time() < deadline and not any(
            p.name.startswith(".r.tmp-") and (p / "staff.csv").exists()
            for p in tmp_path.iterdir()):
        time.sleep(0.02)
    assert proc.poll() is None, "the command finished before it could be interrupted"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_bundled_scenarios_folder_is_protected_by_default(capsys):
    assert main(["review", "--out", str(SCENARIOS)]) == 2
    assert "scenario" in capsys.readouterr().err
