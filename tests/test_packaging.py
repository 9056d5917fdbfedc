"""A built wheel carries the data and scenarios: installed outside the repository (not
editable), `khcadre run --out results` works from an empty folder."""

import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path

from khcadre_sim.paths import ROOT


def test_wheel_installs_and_runs_from_an_empty_folder(tmp_path: Path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels),
                    str(ROOT)], check=True, capture_output=True)
    wheel = next(wheels.glob("khcadre-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("khcadre_sim/data/khanh_hoa/staff.csv",
                   "khcadre_sim/data/policy/parameters.toml", "khcadre_sim/scenarios/base.toml",
                   "khcadre_sim/scenario_keys.toml", "khcadre_sim/contract.toml"):
        assert needed in names, needed
    # every package of the source tree is in the wheel
    packages = {str(p.parent.relative_to(ROOT))
                for p in (ROOT / "khcadre_sim").rglob("__init__.py")}
    assert packages <= {str(Path(n).parent) for n in names if n.endswith("__init__.py")}

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = venv / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)
    # the dependencies come from this environment's site-packages as a plain path (its
    # editable khcadre finder is not activated: only .pth files of site dirs run)
    new_site = next((venv / "lib").glob("python3*/site-packages"))
    (new_site / "_test_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    empty = tmp_path / "somewhere"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import khcadre_sim; print(khcadre_sim.__file__)"], cwd=empty,
                           capture_output=True, text=True, check=True, env=env).stdout
    assert str(venv) in where  # the installed wheel, not the checkout
    proc = subprocess.run([str(venv / "bin" / "khcadre"), "run", "--out", "results"], cwd=empty,
                          capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (empty / "results" / "index.html").is_file()
    assert (empty / "results" / "placement" / "assignments.csv").is_file()
