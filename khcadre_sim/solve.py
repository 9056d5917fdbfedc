"""The one place that talks to LP/MIP solvers.

Formulation code builds a :class:`pulp.LpProblem`; :func:`solve` runs it with CBC (bundled
with PuLP 3.3) or HiGHS (``highspy``) and returns a small typed :class:`SolveResult` —
never a raw solver object, never a silent default when the solver failed.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import pulp

from .errors import ModelError


class Status(StrEnum):
    OPTIMAL = "optimal"  # proven within the requested relative gap
    FEASIBLE = "feasible"  # a solution exists but optimality is not proven (e.g. time limit)
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    NOT_SOLVED = "not_solved"  # the solver stopped without any solution
    COMPUTED = "computed"  # a direct computation, no optimisation: complete and exact as defined

    @property
    def has_solution(self) -> bool:
        return self in (Status.OPTIMAL, Status.FEASIBLE, Status.COMPUTED)


@dataclass(frozen=True)
class SolveResult:
    """What a solve proved: the status, the objective, the best bound and the relative gap."""

    status: Status
    objective: float | None
    bound: float | None
    gap: float | None  # |objective - bound| / max(1, |objective|); 0 when proven optimal
    seconds: float
    solver: str
    seed: int | None = None
    message: str = ""

    @property
    def is_ok(self) -> bool:
        return self.status.has_solution

    def to_dict(self) -> dict:
        d = asdict(self)
        d["status"] = str(self.status)
        return d


SOLVERS = ("cbc", "highs")


def relative_gap(objective: float, bound: float) -> float:
    return abs(objective - bound) / max(1.0, abs(objective))


def _cbc_bound_from_log(log_text: str) -> float | None:
    """CBC prints 'Gap: … ' and 'Lower/Upper bound:' lines when stopped; read the bound."""
    for pattern in (r"Lower bound:\s*(-?[\d.eE+-]+)", r"Upper bound:\s*(-?[\d.eE+-]+)"):
        m = re.search(pattern, log_text)
        if m:
            try:
                return float(m.group(1))
            except ValueError:
                return None
    return None


def _silence_highs_banner() -> None:
    """HiGHS prints a copyright banner on stdout when the first solver object of a process is
    created, even with output off; PuLP creates that object, so create one first, quietly
    (command-line output and notebooks stay clean whatever the HiGHS version)."""
    try:
        import highspy
    except ImportError:
        return  # reported as a clear ModelError by solve()
    with _QuietFd():
        highspy.Highs()


def solve(
    problem: pulp.LpProblem,
    *,
    solver: str = "cbc",
    time_limit: float | None = None,
    gap_rel: float = 1e-4,
    seed: int | None = 0,
    log: bool = False,
    threads: int = 1,
) -> SolveResult:
    """Solve ``problem`` and report status, objective, bound and gap.

    ``time_limit`` (seconds) returns the best solution found with its gap. The solver's log is
    printed only when ``log`` is true.
    """
    solver = solver.lower()
    if solver not in SOLVERS:
        raise ModelError(f"unknown solver '{solver}' — use one of: {', '.join(SOLVERS)}")
    is_mip = any(v.cat == pulp.LpInteger for v in problem.variables())
    started = time.perf_counter()
    if solver == "cbc":
        with tempfile.TemporaryDirectory(prefix="khcadre-cbc-") as tmp:
            log_path = Path(tmp) / "cbc.log"
            options = [] if seed is None else [f"randomCbcSeed {seed + 1}"]
            cmd = pulp.PULP_CBC_CMD(
                msg=log,
                timeLimit=time_limit,
                gapRel=gap_rel,
                threads=threads,
                options=options,
                logPath=str(log_path),
            )
            problem.solve(cmd)
            log_text = log_path.read_text(errors="replace") if log_path.exists() else ""
        name = "cbc"
        stopped_on_limit = "Stopped on time" in log_text or "stopped on time" in log_text.lower()
        bound = _cbc_bound_from_log(log_text) if stopped_on_limit else None
    else:
        if not log:
            _silence_highs_banner()
        try:
            cmd = pulp.HiGHS(
                msg=log,
                timeLimit=time_limit,
                gapRel=gap_rel,
                threads=threads,
                **({"random_seed": seed} if seed is not None else {}),
            )
        except Exception as exc:  # noqa: BLE001 - report a missing optional solver clearly
            raise ModelError(
                f"HiGHS is not available ({exc}) — install it with: pip install highspy"
            ) from exc
        if not cmd.available():
            raise ModelError("HiGHS is not available — install it with: pip install highspy")
        problem.solve(cmd)
        name = "highs"
        bound = None
        stopped_on_limit = False
        model = getattr(problem, "solverModel", None)
        if model is not None:
            info = model.getInfo()
            if is_mip:
                # PuLP hands HiGHS a minimisation; flip the bound back for a maximisation
                bound = float(info.mip_dual_bound) * (-1 if problem.sense == pulp.LpMaximize else 1)
            model_status = model.getModelStatus()
            stopped_on_limit = "time" in model.modelStatusToString(model_status).lower()
    seconds = time.perf_counter() - started

    status_code = problem.status
    sol_status = problem.sol_status
    objective = pulp.value(problem.objective) if problem.objective is not None else 0.0
    if status_code == pulp.LpStatusOptimal and sol_status == pulp.LpSolutionOptimal and not (
        stopped_on_limit
    ):
        status = Status.OPTIMAL
        bound = objective if bound is None else bound
    elif sol_status in (pulp.LpSolutionIntegerFeasible, pulp.LpSolutionOptimal) or (
        status_code == pulp.LpStatusOptimal and stopped_on_limit
    ):
        status = Status.FEASIBLE
    elif status_code == pulp.LpStatusInfeasible or sol_status == pulp.LpSolutionInfeasible:
        status = Status.INFEASIBLE
    elif status_code == pulp.LpStatusUnbounded or sol_status == pulp.LpSolutionUnbounded:
        status = Status.UNBOUNDED
    else:
        status = Status.NOT_SOLVED

    if not status.has_solution:
        objective = None
        bound = None
        gap = None
    else:
        objective = float(objective if objective is not None else 0.0)
        if bound is None:
            gap = None
        else:
            # a bound on the wrong side of the objective means the solver reported the root LP
            # of a minimisation as "lower" etc.; keep it, the gap stays meaningful in size.
            gap = relative_gap(objective, bound)
            if status is Status.OPTIMAL and gap > max(gap_rel, 1e-9) * 1.0001 and is_mip:
                status = Status.FEASIBLE
    return SolveResult(
        status=status,
        objective=objective,
        bound=bound,
        gap=gap,
        seconds=round(seconds, 6),
        solver=name,
        seed=seed,
        message=pulp.LpStatus.get(status_code, str(status_code)),
    )


@dataclass(frozen=True)
class LPArrays:
    """Solution of a linear programme given as arrays: values, objective and row duals.

    ``duals_ub`` holds the row duals y of the minimisation (reduced cost of a column a with
    cost c is ``c - a·y``); ``duals_eq`` is unused by :class:`LPSession`.
    """

    status: Status
    objective: float | None
    x: object  # numpy array or None
    duals_ub: object
    duals_eq: object
    seconds: float
    message: str = ""


class _QuietFd:
    """Silence C-level writes to stdout while HiGHS objects are created (its banner).

    The process has one stdout: threads solving side by side share one redirection (the first
    to enter saves and redirects it, the last to leave restores it), under a lock, so no thread
    can restore another's redirection and leave stdout pointing at /dev/null."""

    _lock = threading.Lock()
    _depth = 0
    _saved: int | None = None
    _null: int | None = None

    def __enter__(self) -> _QuietFd:
        cls = type(self)
        with cls._lock:
            if cls._depth == 0:
                try:
                    sys.stdout.flush()
                    cls._saved = os.dup(1)
                    cls._null = os.open(os.devnull, os.O_WRONLY)
                    os.dup2(cls._null, 1)
                except OSError:  # no real stdout (some notebook front ends): nothing to silence
                    cls._saved = cls._null = None
            cls._depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        cls = type(self)
        with cls._lock:
            cls._depth -= 1
            if cls._depth == 0 and cls._saved is not None:
                os.dup2(cls._saved, 1)
                os.close(cls._saved)
                os.close(cls._null)  # type: ignore[arg-type]
                cls._saved = cls._null = None


class LPSession:
    """A linear programme kept in HiGHS between solves, so columns can be added and the
    problem re-solved from the previous basis (column generation).

    Minimises ``cost·x`` with ``row_lower ≤ A x ≤ row_upper`` and ``0 ≤ x``. After
    :meth:`run`, the reduced cost of a column a with cost c is ``c - a·row_duals``.
    """

    def __init__(self, row_lower, row_upper, *, log: bool = False) -> None:  # noqa: ANN001
        import numpy as np

        try:
            import highspy
        except ImportError as exc:
            raise ModelError("HiGHS is needed for pricing — install it with: pip install highspy"
                             ) from exc
        with _QuietFd():
            self._h = highspy.Highs()
        self._h.setOptionValue("output_flag", bool(log))
        self._h.setOptionValue("random_seed", 0)
        # one thread, like the MIP solves: HiGHS keeps one thread scheduler per process and
        # refuses a later solve asking for a different thread count
        self._h.setOptionValue("threads", 1)
        self._inf = highspy.kHighsInf
        lo = np.where(np.isfinite(row_lower), row_lower, -self._inf)
        hi = np.where(np.isfinite(row_upper), row_upper, self._inf)
        empty_i = np.zeros(0, dtype=np.int32)
        self._h.addRows(len(lo), lo, hi, 0, empty_i, empty_i, np.zeros(0))
        self.n_cols = 0

    def add_columns(self, cost, csc) -> None:  # noqa: ANN001
        """Append columns given as a SciPy CSC matrix with as many rows as the LP."""
        import numpy as np

        n = csc.shape[1]
        if n == 0:
            return
        self._h.addCols(n, np.asarray(cost, dtype=float), np.zeros(n), np.full(n, self._inf),
                        csc.nnz, csc.indptr[:-1].astype(np.int32),
                        csc.indices.astype(np.int32), csc.data.astype(float))
        self.n_cols += n

    def set_option(self, name: str, value: object) -> None:
        self._h.setOptionValue(name, value)

    def set_row_bounds(self, rows, lower, upper) -> None:  # noqa: ANN001
        """Change the bounds of some rows (the next :meth:`run` starts from the last basis)."""
        import numpy as np

        lo = np.where(np.isfinite(lower), lower, -self._inf).astype(float)
        hi = np.where(np.isfinite(upper), upper, self._inf).astype(float)
        self._h.changeRowsBounds(len(lo), np.asarray(rows, dtype=np.int32), lo, hi)

    def run(self) -> LPArrays:
        import numpy as np

        started = time.perf_counter()
        self._h.run()
        seconds = time.perf_counter() - started
        status_text = self._h.modelStatusToString(self._h.getModelStatus())
        if status_text != "Optimal":
            status = Status.INFEASIBLE if "nfeasible" in status_text else Status.NOT_SOLVED
            return LPArrays(status, None, None, None, None, seconds, status_text)
        sol = self._h.getSolution()
        return LPArrays(Status.OPTIMAL, float(self._h.getInfo().objective_function_value),
                        np.array(sol.col_value), np.array(sol.row_dual), None, seconds,
                        status_text)


_SMALL_MIP = {"mip_heuristic_run_rins": False, "mip_heuristic_run_root_reduced_cost": False,
              "mip_allow_restart": False}


@dataclass(frozen=True)
class ArrayModel:
    """A linear or mixed-integer programme given as arrays.

    Minimise ``cost·x`` subject to ``row_lower ≤ a·x ≤ row_upper`` and ``col_lower ≤ x ≤
    col_upper``; ``integer[j]`` marks integer columns. ``a`` is a SciPy sparse matrix; infinite
    bounds are ``±numpy.inf``. Formulation code builds it; only this module solves it.
    """

    cost: Any
    a: Any
    row_lower: Any
    row_upper: Any
    col_lower: Any
    col_upper: Any
    integer: Any

    @property
    def n_cols(self) -> int:
        return len(self.cost)

    @property
    def n_rows(self) -> int:
        return len(self.row_lower)


def solve_arrays(
    model: ArrayModel,
    *,
    solver: str = "highs",
    time_limit: float | None = None,
    gap_rel: float = 1e-4,
    seed: int | None = 0,
    start: Any = None,
    log: bool = False,
    threads: int = 1,
    small_mip: bool = False,
    lp_first: bool = False,
    options: dict[str, Any] | None = None,
) -> tuple[SolveResult, Any]:
    """Solve an :class:`ArrayModel`; return what was proven and the column values (or None).

    HiGHS is called in process without any modelling layer; ``start`` (a full, feasible column
    vector) is handed to it as the first incumbent. ``small_mip`` tunes HiGHS for many small
    MILPs solved from a good start: no RINS and root-reduced-cost heuristics and no restarts —
    on the workload rebalancing blocks this saves about 40% of the time, with the same proofs.
    ``options`` are further HiGHS options. CBC gets the same model through PuLP (the start is
    not used there). ``lp_first`` (HiGHS): solve the LP relaxation first (primal simplex, no
    presolve); when its optimum is whole it is the MILP's optimum, proven by the LP's own
    objective as the bound — for assignment-like models whose relaxation is usually whole,
    ten times faster than the MILP. Otherwise the MILP is solved as usual.

    What HiGHS reports is checked against the solution it returns: the objective is recomputed
    as ``cost·x``, and ``x`` must satisfy every bound, row and integrality within 1e-5 (HiGHS
    accepts 1e-6 in its presolved space). When the reported objective disagrees with ``cost·x``,
    the bound lies above the objective, or a model with a feasible start comes back without a
    solution — HiGHS 1.16's presolve does each on some of the workload models — the model is
    solved again with presolve off and that answer is reported (and if it is still in doubt,
    the solution without a bound). A time limit returns the best solution with its bound and
    gap and status ``feasible`` — never ``optimal`` unless the gap is proven.
    """
    solver = solver.lower()
    if solver not in SOLVERS:
        raise ModelError(f"unknown solver '{solver}' — use one of: {', '.join(SOLVERS)}")
    if solver == "cbc":
        return _solve_arrays_pulp(model, time_limit=time_limit, gap_rel=gap_rel, seed=seed,
                                  log=log, threads=threads)
    kw = dict(time_limit=time_limit, gap_rel=gap_rel, seed=seed, log=log, threads=threads,
              small_mip=small_mip)
    if lp_first:
        whole = _whole_relaxation(model, options, kw)
        if whole is not None:
            return whole
    res, x, reported = _highs_once(model, start=start, options=options, **kw)
    doubt = _doubt(model, res, x, reported, start)
    if doubt:
        # HiGHS's presolve is the usual culprit (1.16 on these models: an objective offset
        # after a MIP start, a feasible model declared infeasible): solve again without it
        first = res
        res, x, reported = _highs_once(model, start=start,
                                       options={**(options or {}), "presolve": "off"}, **kw)
        res = dataclasses.replace(res, seconds=round(res.seconds + first.seconds, 6),
                                  message=f"{res.message}; solved again without presolve "
                                  f"({doubt})")
        doubt = _doubt(model, res, x, reported, start)
        if doubt and res.status.has_solution:
            # the solution stands, its proof does not
            res = dataclasses.replace(res, status=Status.FEASIBLE, bound=None, gap=None,
                                      message=f"{res.message}; bound dropped ({doubt})")
    return res, x


def _whole_relaxation(model: ArrayModel, options: dict[str, Any] | None,
                      kw: dict[str, Any]) -> tuple[SolveResult, Any] | None:
    """The MILP's proven optimum from its LP relaxation when that is whole, else None."""
    import numpy as np

    integer = np.asarray(model.integer, dtype=bool)
    if not integer.any():
        return None
    relaxed = dataclasses.replace(model, integer=np.zeros(model.n_cols, dtype=bool))
    lp_options = {"presolve": "off", "simplex_strategy": 4, **(options or {})}
    res, x, reported = _highs_once(relaxed, start=None, options=lp_options, **kw)
    if res.status is not Status.OPTIMAL or x is None or _doubt(relaxed, res, x, reported, None):
        return None
    if np.max(np.abs(x[integer] - np.round(x[integer])), initial=0.0) > 1e-9:
        return None
    x = np.where(integer, np.round(x), x)
    if _violation(model, x) > 1e-9:
        return None
    objective = float(np.asarray(model.cost, dtype=float) @ x)
    bound = min(float(res.bound), objective) if res.bound is not None else objective
    return dataclasses.replace(res, objective=objective, bound=bound,
                               gap=relative_gap(objective, bound),
                               message=f"{res.message}; LP relaxation whole"), x


def _doubt(model: ArrayModel, res: SolveResult, x: Any, reported: float | None,
           start: Any) -> str:
    """Why the answer of a HiGHS run cannot be taken as it is ("" when it can)."""
    if x is None:
        if start is not None and _violation(model, start) <= 1e-6:
            return f"came back {res.status} although the start is feasible"
        return ""
    if not _agrees(reported, res.objective):
        return f"HiGHS reported {reported:.12g} for a solution worth {res.objective:.12g}"
    if res.bound is not None and res.bound > res.objective + 1e-9 * max(1.0, abs(res.objective)):
        return f"bound {res.bound:.12g} above the objective {res.objective:.12g}"
    return ""


def _agrees(reported: float | None, objective: float | None) -> bool:
    if reported is None or objective is None:
        return True
    return abs(reported - objective) <= 1e-9 * max(1.0, abs(objective))


def _highs_once(model: ArrayModel, *, start: Any, time_limit: float | None, gap_rel: float,
                seed: int | None, log: bool, threads: int, small_mip: bool,
                options: dict[str, Any] | None) -> tuple[SolveResult, Any, float | None]:
    """One HiGHS run: the checked result, the column values, and the objective HiGHS reported."""
    import numpy as np

    try:
        import highspy
    except ImportError as exc:
        raise ModelError("HiGHS is not available — install it with: pip install highspy"
                         ) from exc
    started = time.perf_counter()
    integer = np.asarray(model.integer, dtype=bool)
    is_mip = bool(integer.any())
    a = model.a.tocsc()
    inf = highspy.kHighsInf

    def finite(v: Any) -> Any:
        v = np.asarray(v, dtype=float)
        return np.where(np.isposinf(v), inf, np.where(np.isneginf(v), -inf, v))

    lp = highspy.HighsLp()
    lp.num_col_ = model.n_cols
    lp.num_row_ = model.n_rows
    lp.col_cost_ = np.asarray(model.cost, dtype=float)
    lp.col_lower_ = finite(model.col_lower)
    lp.col_upper_ = finite(model.col_upper)
    lp.row_lower_ = finite(model.row_lower)
    lp.row_upper_ = finite(model.row_upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = model.n_cols
    lp.a_matrix_.num_row_ = model.n_rows
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    if is_mip:
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                           for i in integer]
    with _QuietFd():
        h = highspy.Highs()
    h.setOptionValue("output_flag", bool(log))
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("mip_rel_gap", float(gap_rel))
    if seed is not None:
        h.setOptionValue("random_seed", int(seed))
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    tuned = dict(_SMALL_MIP) if small_mip and is_mip else {}
    for name, value in {**tuned, **(options or {})}.items():
        h.setOptionValue(name, value)
    h.passModel(lp)
    if start is not None and is_mip:
        sol = highspy.HighsSolution()
        sol.col_value = np.asarray(start, dtype=float)
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    seconds = time.perf_counter() - started
    model_status = h.getModelStatus()
    text = h.modelStatusToString(model_status)
    info = h.getInfo()
    if is_mip:
        text += f" ({int(info.mip_node_count)} nodes)"
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    ms = highspy.HighsModelStatus
    x = np.array(h.getSolution().col_value) if has_solution else None
    reported = float(info.objective_function_value) if has_solution else None
    violation = _violation(model, x) if x is not None else 0.0
    if x is not None and violation > 1e-5:
        text += f"; solution violates the model by {violation:.2g}"
        x, has_solution, reported = None, False, None
    objective = float(np.asarray(model.cost, dtype=float) @ x) if x is not None else None
    bound = None
    if model_status == ms.kOptimal and has_solution:
        status = Status.OPTIMAL
        bound = float(info.mip_dual_bound) if is_mip else reported
    elif has_solution:
        status = Status.FEASIBLE
        if is_mip and np.isfinite(info.mip_dual_bound):
            bound = float(info.mip_dual_bound)
    elif model_status == ms.kInfeasible:
        status = Status.INFEASIBLE
    elif model_status in (ms.kUnbounded, ms.kUnboundedOrInfeasible):
        status = Status.UNBOUNDED
    else:
        status = Status.NOT_SOLVED
    gap = None
    if objective is not None and bound is not None:
        gap = relative_gap(objective, bound)
        if status is Status.OPTIMAL and is_mip and gap > max(gap_rel, 1e-9) * 1.0001:
            status = Status.FEASIBLE  # HiGHS's own gap measure differs; ours decides
    return SolveResult(status=status, objective=objective, bound=bound, gap=gap,
                       seconds=round(seconds, 6), solver="highs", seed=seed,
                       message=text), x, reported


def _violation(model: ArrayModel, x: Any) -> float:
    """Largest violation of a bound, row or integrality by ``x``."""
    import numpy as np

    ax = model.a @ x
    worst = [np.max(model.row_lower - ax, initial=0.0), np.max(ax - model.row_upper, initial=0.0),
             np.max(model.col_lower - x, initial=0.0), np.max(x - model.col_upper, initial=0.0)]
    integer = np.asarray(model.integer, dtype=bool)
    if integer.any():
        worst.append(float(np.max(np.abs(x[integer] - np.round(x[integer])))))
    return float(max(worst))


def _solve_arrays_pulp(model: ArrayModel, **options: Any) -> tuple[SolveResult, Any]:
    """The same array model through PuLP (for CBC)."""
    import numpy as np

    prob = pulp.LpProblem("array_model", pulp.LpMinimize)
    lo, hi = np.asarray(model.col_lower, float), np.asarray(model.col_upper, float)
    xs = [pulp.LpVariable(f"x{j}", lowBound=None if np.isneginf(lo[j]) else float(lo[j]),
                          upBound=None if np.isposinf(hi[j]) else float(hi[j]),
                          cat=pulp.LpInteger if model.integer[j] else pulp.LpContinuous)
          for j in range(model.n_cols)]
    prob += pulp.lpSum(float(c) * x for c, x in zip(model.cost, xs, strict=True) if c)
    a = model.a.tocsr()
    for i in range(model.n_rows):
        sl = slice(a.indptr[i], a.indptr[i + 1])
        expr = pulp.LpAffineExpression([(xs[j], float(v)) for j, v in
                                        zip(a.indices[sl], a.data[sl], strict=True)])
        rlo, rhi = float(model.row_lower[i]), float(model.row_upper[i])
        if rlo == rhi:
            prob += expr == rlo, f"r{i}"
        else:
            if np.isfinite(rlo):
                prob += expr >= rlo, f"r{i}_lo"
            if np.isfinite(rhi):
                prob += expr <= rhi, f"r{i}_hi"
    res = solve(prob, solver="cbc", **options)
    x = (np.array([x.value() or 0.0 for x in xs]) if res.status.has_solution else None)
    return res, x
