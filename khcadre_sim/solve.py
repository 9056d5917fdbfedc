"""The one place that talks to LP/MIP solvers.

Formulation code builds a :class:`pulp.LpProblem`; :func:`solve` runs it with CBC (bundled
with PuLP 3.3) or HiGHS (``highspy``) and returns a small typed :class:`SolveResult` —
never a raw solver object, never a silent default when the solver failed.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

import pulp

from .errors import ModelError


class Status(StrEnum):
    OPTIMAL = "optimal"  # proven within the requested relative gap
    FEASIBLE = "feasible"  # a solution exists but optimality is not proven (e.g. time limit)
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    NOT_SOLVED = "not_solved"  # the solver stopped without any solution

    @property
    def has_solution(self) -> bool:
        return self in (Status.OPTIMAL, Status.FEASIBLE)


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


_highs_banner_silenced = False


def _silence_highs_banner() -> None:
    """HiGHS prints a copyright banner on stdout when the first solver object of a process is
    created, even with output off; create that first object with stdout sent to /dev/null so
    command-line output and notebooks stay clean (and do not depend on the HiGHS version)."""
    global _highs_banner_silenced
    if _highs_banner_silenced:
        return
    _highs_banner_silenced = True
    try:
        import highspy
    except ImportError:
        return  # reported as a clear ModelError by solve()
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


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
    """Silence C-level writes to stdout (HiGHS prints a banner when it is created)."""

    def __enter__(self) -> _QuietFd:
        import os
        import sys

        try:
            sys.stdout.flush()
            self._fd = os.dup(1)
            self._null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(self._null, 1)
        except OSError:  # no real stdout (e.g. some notebook front ends): nothing to silence
            self._fd = None
        return self

    def __exit__(self, *exc: object) -> None:
        import os

        if self._fd is not None:
            os.dup2(self._fd, 1)
            os.close(self._fd)
            os.close(self._null)


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
