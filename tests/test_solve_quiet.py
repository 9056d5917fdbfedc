"""HiGHS's banner is silenced without ever losing stdout, even with threads side by side."""

import os
import threading

from khcadre_sim.solve import _QuietFd


def test_threads_silencing_together_restore_stdout(capfd):
    barrier = threading.Barrier(8)

    def work() -> None:
        barrier.wait()
        for _ in range(200):
            with _QuietFd():
                os.write(1, b"hidden\n")

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    os.write(1, b"visible\n")
    out = capfd.readouterr().out
    assert "visible" in out and "hidden" not in out


def _model(cost, rows, upper):
    import numpy as np
    import scipy.sparse as sp

    from khcadre_sim.solve import ArrayModel

    a = sp.csc_matrix(np.array(rows, dtype=float))
    n = a.shape[1]
    return ArrayModel(cost=np.array(cost, dtype=float), a=a,
                      row_lower=np.full(a.shape[0], -np.inf), row_upper=np.array(upper, float),
                      col_lower=np.zeros(n), col_upper=np.ones(n),
                      integer=np.ones(n, dtype=bool))


def test_lp_first_proves_a_whole_relaxation_and_falls_back_otherwise():
    """An assignment (2 people × 2 posts, scores 3 1 / 2 3): its LP relaxation is whole, so
    lp_first reports the MILP's optimum (6: person 1 → post 1, person 2 → post 2) proven by the
    LP. A knapsack (values 5 4 3, weights 2 3 1, capacity 4) has a fractional relaxation (x2 =
    1/3): lp_first falls back to the MILP and still finds 8 (items 1 and 3)."""
    import numpy as np

    from khcadre_sim.solve import Status, solve_arrays

    assign = _model([-3, -1, -2, -3], [[1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 1, 0], [0, 1, 0, 1]],
                    [1, 1, 1, 1])
    res, x = solve_arrays(assign, lp_first=True)
    assert res.status is Status.OPTIMAL and "LP relaxation whole" in res.message
    assert res.objective == -6.0 and res.bound == -6.0 and res.gap == 0.0
    assert np.array_equal(x, [1, 0, 0, 1])
    knap = _model([-5, -4, -3], [[2, 3, 1]], [4])
    res, x = solve_arrays(knap, lp_first=True)
    assert res.status is Status.OPTIMAL and "LP relaxation whole" not in res.message
    assert res.objective == -8.0 and np.array_equal(np.round(x), [1, 0, 1])
