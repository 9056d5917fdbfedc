"""A corpus of bad inputs and bad command lines, each run through the real command line.

Every case must: exit 2, print exactly one line — ``error: <where>: <what> — fix: <how>`` — and
no traceback, write nothing (no results folder, no temporary folder), and leave an earlier
results folder exactly as it was. Cases run two at a time (the machine has two cores).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from khcadre_sim.paths import BUNDLED_PROVINCE


@dataclass
class Case:
    name: str
    args: list[str]  # {data} {out} {tmp} {results} are filled in
    setup: Callable[[Path], None] | None = None  # edits the case's own copy of the data
    expect: str = ""  # a fragment the error line must contain
    needs_data: bool = False
    extra: dict = field(default_factory=dict)


def edit(table: str, fn: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[Path], None]:
    def apply(data: Path) -> None:
        path = data / f"{table}.csv"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        fn(frame).to_csv(path, index=False)
    return apply


def cell(table: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    def fn(f: pd.DataFrame) -> pd.DataFrame:
        f.loc[row, column] = value
        return f
    return edit(table, fn)


def write(name: str, text: str | bytes) -> Callable[[Path], None]:
    def apply(data: Path) -> None:
        path = data / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return apply


def scenario(text: str) -> Callable[[Path], None]:
    return write("s.toml", text)


def remove(name: str) -> Callable[[Path], None]:
    return lambda data: (data / name).unlink()


def nfd_duplicate(data: Path) -> None:
    import unicodedata

    path = data / "staff.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "staff_id"] = "Cán-bộ-01"
    frame.loc[1, "staff_id"] = unicodedata.normalize("NFD", "Cán-bộ-01")
    frame.to_csv(path, index=False)


def duplicate_header(data: Path) -> None:
    path = data / "workload.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] += ",annual_cases"
    lines[1:] = [line + ",5" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def csv_beside_xlsx(data: Path) -> None:
    pd.read_csv(data / "workload.csv", dtype=str).to_excel(data / "workload.xlsx", index=False)


def two_on_one_post(data: Path) -> None:
    path = data / "staff.csv"
    staff = pd.read_csv(path, dtype=str, keep_default_na=False)
    held = staff.index[staff["position_id"] != ""]
    staff.loc[held[1], "position_id"] = staff.loc[held[0], "position_id"]
    staff.to_csv(path, index=False)


def folder_with_user_file(tmp: Path) -> None:
    (tmp / "docs").mkdir()
    (tmp / "docs" / "kế hoạch.docx").write_bytes(b"user")


D = ["--data", "{data}"]
S = ["--scenario", "{data}/s.toml"]
OUT = ["--out", "{out}"]

CASES = [
    # ------------------------------------------------------------------ command lines
    Case("no command", []),
    Case("unknown command", ["frobnicate"]),
    Case("unknown option", ["review", "--colour", "red", *OUT]),
    Case("missing --out", ["review"], expect="--out"),
    Case("--out without a value", ["review", "--out"]),
    Case("negative seed", ["synth", "--seed", "-1", *OUT], expect="--seed"),
    Case("seed not a number", ["synth", "--seed", "abc", *OUT]),
    Case("seed too large", ["synth", "--seed", "99999999999", *OUT]),
    Case("scale zero", ["synth", "--scale", "0", *OUT], expect="--scale"),
    Case("scale negative", ["synth", "--scale", "-2", *OUT]),
    Case("scale nan", ["synth", "--scale", "nan", *OUT]),
    Case("scale inf", ["synth", "--scale", "inf", *OUT]),
    Case("scale too large", ["synth", "--scale", "1000", *OUT]),
    Case("negative time limit", ["place", "--time-limit", "-5", *OUT], expect="--time-limit"),
    Case("zero time limit", ["place", "--time-limit", "0", *OUT]),
    Case("nan time limit", ["place", "--time-limit", "nan", *OUT]),
    Case("unknown solver", ["place", "--solver", "gurobi", *OUT]),
    Case("too few draws", ["incentives", "--draws", "10", *OUT], expect="--draws"),
    Case("negative draws", ["incentives", "--draws", "-1", *OUT]),
    Case("draws not whole", ["incentives", "--draws", "1e3", *OUT]),
    Case("unknown language", ["workload", "--lang", "fr", *OUT]),
    Case("data folder missing", ["review", "--data", "{tmp}/nowhere", *OUT],
         expect="folder not found"),
    Case("data is a file", ["review", "--data", "{data}/staff.csv", *OUT], needs_data=True),
    Case("scenario missing", ["review", "--scenario", "{tmp}/none.toml", *OUT],
         expect="not found"),
    Case("scenario is a folder", ["review", "--scenario", "{tmp}", *OUT]),
    Case("time shares file missing", ["workload", "--time-shares", "{tmp}/x.csv", *OUT]),
    Case("standards file missing", ["workload", "--standards", "{tmp}/x.csv", *OUT]),
    Case("--out is the current folder", ["review", "--out", "."], expect="current folder"),
    Case("--out is the parent folder", ["review", "--out", ".."]),
    Case("--out is home", ["review", "--out", "~"], expect="home"),
    Case("--out is the data folder", ["review", *D, "--out", "{data}"], needs_data=True,
         expect="data folder"),
    Case("--out contains the data folder", ["review", *D, "--out", "{tmp}"],
         needs_data=True),
    Case("--out is the scenario's folder",
         ["review", *S, "--out", "{data}"], setup=scenario("[meta]\nname = 'x'\n"),
         needs_data=True),
    Case("--out is an existing file", ["review", "--out", "{data}/staff.csv"],
         needs_data=True, expect="not a folder"),
    Case("--out holds a user's file", ["review", "--out", "{tmp}/docs"],
         extra={"prepare": folder_with_user_file}, expect="kế hoạch.docx"),
    # ------------------------------------------------------------------ scenario values
    Case("weight nan", ["review", *S, *OUT],
         setup=scenario("[levers.placement.weights]\nfill = nan\n"), expect="finite"),
    Case("hazard inf", ["incentives", *S, *OUT],
         setup=scenario("[uncertainties.incentives]\ntransfer_monthly = inf\n")),
    Case("move cap negative", ["place", *S, *OUT],
         setup=scenario("[levers.placement.move_caps]\ntotal = -3\n")),
    Case("move cap not whole", ["place", *S, *OUT],
         setup=scenario("[levers.placement.move_caps]\ntotal = 1.5\n")),
    Case("young age nan", ["place", *S, *OUT],
         setup=scenario("[levers.placement.manager_floors]\nyoung_age = nan\n")),
    Case("manager floor share above 1", ["place", *S, *OUT],
         setup=scenario("[levers.placement.manager_floors]\nfemale_share = 1.5\n")),
    Case("distance zero", ["place", *S, *OUT],
         setup=scenario("[levers.placement]\nmax_distance_km = 0.0\n")),
    Case("gap above 1", ["place", *S, *OUT],
         setup=scenario("[constants.placement]\ngap_rel = 2.0\n")),
    Case("placement time limit negative", ["place", *S, *OUT],
         setup=scenario("[constants.placement]\ntime_limit = -1.0\n")),
    Case("unplaced requirement short", ["review", *S, *OUT],
         setup=scenario("[levers.review]\nunplaced_requirement = [60.0, 50.0]\n"),
         expect="unplaced_requirement"),
    Case("unplaced requirement text", ["review", *S, *OUT],
         setup=scenario("[levers.review]\nunplaced_requirement = \"high\"\n")),
    Case("group weights do not sum to 1", ["review", *S, *OUT],
         setup=scenario("[levers.review.group_weights]\nurban = [0.5, 0.5, 0.5]\n")),
    Case("levelling level above 1", ["review", *S, *OUT],
         setup=scenario("[levers.evaluation.levelling]\nalpha = 1.5\n"), expect="alpha"),
    Case("levelling correction unknown", ["review", *S, *OUT],
         setup=scenario("[levers.evaluation.levelling]\ncorrection = \"bonferroni\"\n"),
         expect="correction"),
    Case("quarterly noise negative", ["review", *S, *OUT],
         setup=scenario("[uncertainties.evaluation]\nquarter_sd = -1.0\n")),
    Case("training budget negative", ["review", *S, *OUT],
         setup=scenario("[levers.training]\nbudget_vnd_per_year = -1\n"),
         expect="budget_vnd_per_year"),
    Case("digital share above 1", ["review", *S, *OUT],
         setup=scenario("[levers.training]\ndigital_min_share = 1.2\n")),
    Case("courses per person not whole", ["review", *S, *OUT],
         setup=scenario("[levers.training]\nmax_courses_per_person = 1.5\n")),
    Case("rotation term zero", ["review", *S, *OUT],
         setup=scenario("[levers.rotation_terms]\nterm_years = 0\n"), expect="term_years"),
    Case("rotation promote rating unknown", ["review", *S, *OUT],
         setup=scenario("[levers.rotation_terms]\npromote_min_rating = \"best\"\n")),
    Case("unknown key", ["review", *S, *OUT],
         setup=scenario("[levers.review]\nmajor_gap_point = 5\n"), expect="unknown key"),
    Case("unknown section", ["review", *S, *OUT], setup=scenario("[leverz]\na = 1\n")),
    Case("invalid TOML", ["review", *S, *OUT], setup=scenario("[levers.review\n"),
         expect="TOML"),
    Case("scenario not UTF-8", ["review", *S, *OUT],
         setup=write("s.toml", "[meta]\nname = 'Hòa Bình'\n".encode("latin-1", "replace"))),
    Case("extends loop", ["review", *S, *OUT], setup=scenario('extends = "s.toml"\n'),
         expect="loop"),
    Case("extends missing file", ["review", *S, *OUT],
         setup=scenario('extends = "nowhere.toml"\n')),
    Case("negative base salary", ["incentives", *S, *OUT],
         setup=scenario("[constants.parameters.base_salary]\nvalues = [ { from = 2026-07-01, "
                        "value = -2530000, source = \"x\" } ]\n"), expect="base_salary"),
    Case("unknown parameter", ["review", *S, *OUT],
         setup=scenario("[constants.parameters.no_such]\nvalues = [ { from = 2026-07-01, "
                        "value = 1, source = \"x\" } ]\n")),
    Case("seed negative in scenario", ["review", *S, *OUT],
         setup=scenario("[meta]\nseed = -4\n")),
    Case("seed not whole in scenario", ["review", *S, *OUT],
         setup=scenario("[meta]\nseed = 1.5\n")),
    Case("draws zero", ["incentives", *S, *OUT],
         setup=scenario("[constants.incentives]\ndraws = 0\n")),
    Case("commune cap above 1", ["incentives", *S, *OUT],
         setup=scenario("[levers.incentives]\ncommune_cap_share = 1.5\n")),
    Case("reference year out of range", ["review", *S, *OUT],
         setup=scenario("[constants]\nreference_year = 2040\n")),
    Case("target load zero", ["workload", *S, *OUT],
         setup=scenario("[levers.workload]\ntarget_load = 0.0\n")),
    Case("thresholds crossed", ["workload", *S, *OUT],
         setup=scenario("[constants.workload]\nunderload_threshold = 1.5\n")),
    # ------------------------------------------------------------------ province data
    Case("population 1e20", ["review", *D, *OUT], setup=cell("territories", 0, "population",
                                                             "1e20"), expect="population"),
    Case("area inf", ["review", *D, *OUT], setup=cell("territories", 3, "area_km2", "inf")),
    Case("cases inf", ["workload", *D, *OUT], setup=cell("workload", 5, "annual_cases", "inf")),
    Case("cases nan", ["workload", *D, *OUT], setup=cell("workload", 5, "annual_cases", "nan")),
    Case("birth year 1800", ["review", *D, *OUT], setup=cell("staff", 2, "birth_year", "1800")),
    Case("negative years in post", ["review", *D, *OUT],
         setup=cell("staff", 2, "years_in_post", "-1")),
    Case("latitude 200", ["review", *D, *OUT], setup=cell("territories", 1, "lat", "200")),
    Case("unknown unit type", ["review", *D, *OUT],
         setup=cell("territories", 1, "unit_type", "city")),
    Case("score nan text", ["review", *D, *OUT],
         setup=cell("staff", 4, "score_political", "nan")),
    Case("dangling territory", ["review", *D, *OUT],
         setup=cell("positions", 2, "territory_id", "99999"), expect="does not exist"),
    Case("broken dataset.json", ["review", *D, *OUT], setup=write("dataset.json", "{synth"),
         expect="dataset.json"),
    Case("dataset.json not an object", ["review", *D, *OUT], setup=write("dataset.json", "[1]")),
    Case("duplicate header", ["workload", *D, *OUT], setup=duplicate_header),
    Case("csv beside xlsx", ["review", *D, *OUT], setup=csv_beside_xlsx, expect="workload"),
    Case("same ID in NFC and NFD", ["review", *D, *OUT], setup=nfd_duplicate,
         expect="duplicate"),
    Case("empty staff file", ["review", *D, *OUT], setup=write("staff.csv", ""),
         expect="empty"),
    Case("header only", ["review", *D, *OUT],
         setup=write("workload.csv", "territory_id,field,annual_cases\n")),
    Case("binary garbage", ["review", *D, *OUT],
         setup=write("workload.csv", bytes(range(256)) * 4)),
    Case("xlsx that is not a workbook", ["review", *D, *OUT],
         setup=lambda d: ((d / "staff.csv").unlink(),
                          (d / "staff.xlsx").write_text("a,b\n1,2\n", encoding="utf-8"))),
    Case("missing table", ["review", *D, *OUT], setup=remove("positions.csv"),
         expect="not found"),
    Case("missing column", ["review", *D, *OUT],
         setup=edit("staff", lambda f: f.drop(columns=["gender"])), expect="gender"),
    Case("two people on one post", ["review", *D, *OUT], setup=two_on_one_post,
         expect="already held"),
    Case("ratings history quarter 5", ["review", *D, *OUT], expect="quarter",
         setup=write("ratings_history.csv", "staff_id,year,quarter,score\nSYN-000001,2026,5,80\n")),
    Case("training record of nobody", ["review", *D, *OUT], expect="does not exist",
         setup=write("training_records.csv",
                     "staff_id,course_id,year,passed\nNOBODY,DS-01,2026,true\n")),
    Case("birth date outside birth year", ["review", *D, *OUT], expect="birth year",
         setup=edit("staff", lambda f: f.assign(birth_date=["1993-06-01"] + [""] * (len(f) - 1)))),
]


def _prepare(case: Case, tmp: Path) -> list[str]:
    data = tmp / "province"
    if case.needs_data or case.setup is not None or "{data}" in " ".join(case.args):
        shutil.copytree(BUNDLED_PROVINCE, data)
        if case.setup is not None:
            case.setup(data)
    if "prepare" in case.extra:
        case.extra["prepare"](tmp)
    fill = {"data": str(data), "out": str(tmp / "results"), "tmp": str(tmp),
            "results": str(tmp / "results")}
    return [a.format(**fill) for a in case.args]


def _snapshot(tmp: Path) -> dict[str, bytes]:
    return {str(p.relative_to(tmp)): p.read_bytes() for p in sorted(tmp.rglob("*"))
            if p.is_file()}


def _run(case: Case, tmp: Path, previous: Path) -> tuple[Case, subprocess.CompletedProcess,
                                                           dict, dict]:
    args = _prepare(case, tmp)
    # an earlier khcadre results folder at --out: it must survive the failed command intact
    shutil.copytree(previous, tmp / "results", symlinks=True)
    before = _snapshot(tmp)
    proc = subprocess.run([sys.executable, "-m", "khcadre_sim.cli", *args], cwd=tmp,
                          capture_output=True, text=True, check=False, timeout=300)
    return case, proc, before, _snapshot(tmp)


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("earlier") / "results"
    proc = subprocess.run([sys.executable, "-m", "khcadre_sim.cli", "synth", "--scale", "0.2",
                           "--out", str(out)], capture_output=True, text=True, check=True)
    assert proc.returncode == 0
    return out


def test_the_corpus_is_large_and_named_uniquely():
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)


def test_every_bad_input_is_one_clear_line_and_touches_nothing(tmp_path_factory, previous):
    folders = {c.name: tmp_path_factory.mktemp("case") for c in CASES}
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda c: _run(c, folders[c.name], previous), CASES))
    failures = []
    for case, proc, before, after in runs:
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        problems = []
        if proc.returncode != 2:
            problems.append(f"exit {proc.returncode}")
        if "Traceback" in proc.stderr:
            problems.append("traceback")
        errors = [line for line in lines if line.startswith("error:")]
        if len(errors) != 1:
            problems.append(f"{len(errors)} error lines")
        elif " — fix: " not in errors[0]:
            problems.append("no fix in the error line")
        elif case.expect and case.expect not in errors[0]:
            problems.append(f"error line lacks {case.expect!r}")
        if after != before:
            changed = sorted(set(after) ^ set(before) | {k for k in before
                                                          if after.get(k) != before[k]})
            problems.append(f"files changed: {changed[:3]}")
        if problems:
            failures.append(f"{case.name}: {', '.join(problems)} | {lines[-3:]}")
    assert not failures, "\n".join(failures)
