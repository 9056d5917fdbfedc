"""The cohort Markov chain of one programme, by calendar month — exact or by Monte Carlo.

States of a person holding a place: *active at level k* (k = 0 … K−1), *left* (quit public
service before the end of the commitment → refund owed), *terminated* (failed an evaluation →
refund owed if the programme says so), *completed* (served the whole commitment).  A cohort is
everyone admitted in one intake month.  Within a month, at age a = t − intake (months since
intake):

* a = 0: offers are accepted with probability ``acceptance``; the one-off is paid;
* 1 ≤ a < C (C = commitment months): first each active person leaves with the monthly
  ``attrition`` hazard; then, if a is a multiple of the evaluation period, the evaluation moves
  them up a level, down a level (the top and bottom levels absorb), or terminates the support;
* every active person with a < C is paid the month's support at their level;
* after month a = C − 1 the person has completed the commitment.

A leaver at age a has served a months; the refund owed is ``share × amount × (C − a) / C`` with
pro rata, else ``share × amount``, for the one-off and for the monthly support received; a
``refund_collection`` share of what is owed is recovered in the month of exit.

The *same* stepping code runs in two modes: the exact mode carries expected counts (binomial
draws replaced by their means, so the result is the exact expectation of the chain); the Monte
Carlo mode draws binomial counts for ``draws`` independent copies at once.  Persons of one intake
and level are exchangeable, so whoever leaves is a uniformly random subset of them: the chain keeps
the *mean* support received per person of each intake and level (unchanged by leaving, re-averaged
when evaluations merge levels) and refunds a leaver that mean.  Expected values therefore agree
exactly with the per-person model; the bands ignore only the spread of individual pay histories
within one level, which is zero when nobody changes level.
"""

from __future__ import annotations

import numpy as np

from .spec import Programme, Rates

MEASURES = ("one_off_paid", "monthly_paid", "refund_one_off", "refund_monthly", "refund_owed",
            "accepted", "leavers", "terminated", "completed", "active")


def amounts_by_month(prog: Programme, base_salary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One-off and monthly amounts in VND for each calendar month (base salary by date)."""
    one = prog.one_off * (base_salary if prog.one_off_unit == "base_salary" else 1.0)
    mon = prog.monthly * (base_salary if prog.monthly_unit == "base_salary" else 1.0)
    return np.broadcast_to(one, base_salary.shape).astype(float), \
        np.broadcast_to(mon, base_salary.shape).astype(float)


def binomial(rng: np.random.Generator, n: np.ndarray, p: float) -> np.ndarray:
    """Binomial(n, p) counts, elementwise, drawn by inversion of the CDF when p is small.

    Monthly hazards are small, so most counts are 0: one uniform per element settles those
    (u ≤ (1 − p)^n), and only the rest walk up the CDF (pmf recursion).  Exact in distribution,
    about four times faster than ``Generator.binomial`` here; larger p uses ``Generator.binomial``.
    """
    n = np.asarray(n)
    if p <= 0:
        return np.zeros_like(n)
    if p > 0.1:
        return rng.binomial(n, p)
    u = rng.random(n.shape)
    pmf0 = np.exp(n * np.log1p(-p))  # P(X = 0)
    x = np.zeros(n.shape, dtype=n.dtype)
    idx = np.flatnonzero(u > pmf0)
    if idx.size == 0:
        return x
    nf, uf = n.reshape(-1)[idx].astype(float), u.reshape(-1)[idx]
    pmf = pmf0.reshape(-1)[idx]
    cdf = pmf.copy()
    xs = np.zeros(idx.size, dtype=n.dtype)
    odds = p / (1 - p)
    walking, k = np.arange(idx.size), 0
    while walking.size:
        pmf[walking] *= (nf[walking] - k) / (k + 1) * odds
        cdf[walking] += pmf[walking]
        xs[walking] = k + 1
        walking = walking[(uf[walking] > cdf[walking]) & (k + 1 < nf[walking])]
        k += 1
    x.reshape(-1)[idx] = xs
    return x


def _ratio(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    return np.divide(part, whole, out=np.zeros(np.broadcast(part, whole).shape, dtype=float),
                     where=whole > 0)


def run_chain(prog: Programme, rates: Rates, intakes: np.ndarray, places: np.ndarray,
              base_salary: np.ndarray, n_months: int, *, rng: np.random.Generator | None = None,
              draws: int = 1, per_intake: bool = False) -> dict[str, np.ndarray]:
    """Step the chain over calendar months 0 … n_months−1.

    ``intakes`` (sorted, distinct month indices) and ``places`` (places granted per intake) give the
    cohorts.  With ``rng=None`` the exact expectation is returned; otherwise ``draws`` Monte Carlo
    copies.  Each measure comes back as an array (n_months, draws), or (n_months, intakes) with
    ``per_intake`` (exact mode only).  ``base_salary`` must cover n_months.
    """
    intakes = np.asarray(intakes, dtype=np.int64)
    places = np.asarray(places)
    if np.any(np.diff(intakes) <= 0):
        raise ValueError("intakes must be sorted and distinct")
    exact = rng is None
    if exact:
        draws = 1

        def draw(n, p):
            return n * p
    else:
        def draw(n, p):
            return binomial(rng, n, p)
    one_vnd, mon_vnd = amounts_by_month(prog, base_salary[:n_months])
    factors = np.asarray(prog.level_factors, dtype=float)
    n_lv, n_in = len(factors), len(intakes)
    C, E = prog.commitment_months, prog.evaluation_months
    # level first, draws last: sums over levels add a few contiguous blocks (fast)
    n = np.zeros((n_lv, n_in, draws), dtype=float if exact else np.int64)
    # mean support received per person of a level and intake; leaving does not change it
    # (leavers are a uniformly random subset), only merging levels at an evaluation does
    avg = np.zeros((n_lv, n_in, draws))
    one_at_intake = np.zeros(n_in)
    rows = n_in if per_intake else draws
    # month first: contiguous writes while stepping
    out = {m: np.zeros((n_months, rows)) for m in (*MEASURES, "_exits_refunded")}

    def record(measure: str, t: int, lo: int, q: np.ndarray, idx=None) -> None:
        # q has shape (intakes in the slice, draws)
        if per_intake:
            if idx is None:
                out[measure][t, lo:lo + q.shape[0]] += q[:, 0]
            else:
                out[measure][t, idx] += q[:, 0]
        else:
            out[measure][t] += q.sum(axis=0)

    pt, pr, pl = rates.evaluation_terminate, rates.evaluation_raise, rates.evaluation_lower
    r_raise = pr / (1 - pt) if pt < 1 else 0.0
    r_lower = pl / (1 - pt - pr) if pt + pr < 1 else 0.0

    def exit_refund(k_out: np.ndarray, avg_out: np.ndarray, sl, ages: np.ndarray,
                    t: int, lo: int, idx=None) -> None:
        """Refund owed and collected for persons leaving support early (k_out: by level)."""
        frac = (C - ages) / C if prog.refund_pro_rata else np.ones(len(ages))
        count = k_out.sum(axis=0)
        owed_one = count * (prog.refund_one_off_share * one_at_intake[sl] * frac)[:, None]
        owed_mon = (k_out * avg_out).sum(axis=0) * (prog.refund_monthly_share * frac)[:, None]
        share = rates.refund_collection if exact else 1.0  # Monte Carlo: thinned below
        record("refund_owed", t, lo, owed_one + owed_mon, idx)
        record("refund_one_off", t, lo, owed_one * share, idx)
        record("refund_monthly", t, lo, owed_mon * share, idx)
        record("_exits_refunded", t, lo, count.astype(float), idx)

    for t in range(n_months):
        # cohorts in their months 1 … C−1: attrition, then evaluation
        lo = int(np.searchsorted(intakes, t - C + 1, "left"))
        hi = int(np.searchsorted(intakes, t - 1, "right"))
        if hi > lo:
            sl = slice(lo, hi)
            ages = t - intakes[sl]
            na = n[:, sl, :]
            if exact:
                leave = draw(na, rates.attrition_monthly)
            else:  # levels nobody holds yet (before the first evaluation) need no draws
                leave = np.zeros_like(na)
                for k in np.flatnonzero(na.reshape(n_lv, -1).any(axis=1)):
                    leave[k] = draw(na[k], rates.attrition_monthly)
            na -= leave  # a view: updates n in place
            record("leavers", t, lo, leave.sum(axis=0))
            exit_refund(leave, avg[:, sl, :], sl, ages, t, lo)
            ev = np.flatnonzero(ages % E == 0)
            if ev.size:
                idx = lo + ev
                ne, ae = n[:, idx, :], avg[:, idx, :]
                term = draw(ne, pt)
                rest = ne - term
                up = draw(rest, r_raise)
                rest = rest - up
                down = draw(rest, r_lower)
                new_n = rest - down
                new_c = new_n * ae  # summed support received, to re-average after the moves
                # raise: k → k+1, the top level absorbs; lower: k → k−1, the bottom absorbs
                c_up, c_down = up * ae, down * ae
                new_n[1:] += up[:-1]
                new_n[-1] += up[-1]
                new_c[1:] += c_up[:-1]
                new_c[-1] += c_up[-1]
                new_n[:-1] += down[1:]
                new_n[0] += down[0]
                new_c[:-1] += c_down[1:]
                new_c[0] += c_down[0]
                n[:, idx, :], avg[:, idx, :] = new_n, _ratio(new_c, new_n)
                record("terminated", t, lo, term.sum(axis=0), idx)
                if prog.refund_on_termination:
                    exit_refund(term, ae, idx, t - intakes[idx], t, lo, idx)
        # new cohort: acceptance and the one-off
        j = int(np.searchsorted(intakes, t, "left"))
        if j < n_in and intakes[j] == t:
            if exact:
                acc = np.full((1, 1), places[j] * rates.acceptance)
            else:
                acc = rng.binomial(int(places[j]), rates.acceptance, size=(1, draws))
            n[prog.start_level, j, :] = acc[0]
            one_at_intake[j] = one_vnd[t]
            record("accepted", t, j, acc.astype(float))
            record("one_off_paid", t, j, acc * one_vnd[t])
        # monthly support for every cohort in its months 0 … C−1
        hi = int(np.searchsorted(intakes, t, "right"))
        if hi > lo:
            sl = slice(lo, hi)
            pay_level = mon_vnd[t] * factors
            avg[:, sl, :] += pay_level[:, None, None]
            na = n[:, sl, :]
            record("monthly_paid", t, lo, np.tensordot(pay_level, na, axes=(0, 0)))
            active = na.sum(axis=0).astype(float)
            record("active", t, lo, active)
            done = np.flatnonzero(t - intakes[sl] == C - 1)
            if done.size:
                record("completed", t, lo, active[done], lo + done)
    exits = out.pop("_exits_refunded")
    if not exact:
        # Each person owing a refund pays it with probability refund_collection, independently
        # of everything else.  Drawing how many of a year's refund-owing exits pay, and
        # recovering that share of the year's amounts owed, keeps the expectation exact with one
        # draw per year instead of one per month (the amounts owed differ a little between
        # people through the pro-rata rule; that spread is left out of the bands).
        for y0 in range(0, n_months, 12):
            ys = slice(y0, min(y0 + 12, n_months))
            count = exits[ys].sum(axis=0)
            share = _ratio(draw(count.astype(np.int64), rates.refund_collection), count)
            out["refund_one_off"][ys] *= share
            out["refund_monthly"][ys] *= share
    return out


def person_loop(prog: Programme, rates: Rates, intakes: np.ndarray, places: np.ndarray,
                base_salary: np.ndarray, n_months: int, draws: int,
                seed: int = 0) -> dict[str, np.ndarray]:
    """The same model, one person and one month at a time (reference for tests and benchmark).

    Returns the same measures as :func:`run_chain`, shape (n_months, draws).
    """
    import random

    rnd = random.Random(seed)
    one_vnd, mon_vnd = amounts_by_month(prog, base_salary[:n_months])
    C, E = prog.commitment_months, prog.evaluation_months
    K = len(prog.level_factors)
    pt, pr, pl = rates.evaluation_terminate, rates.evaluation_raise, rates.evaluation_lower
    out = {m: np.zeros((n_months, draws)) for m in MEASURES}
    for d in range(draws):
        o = {m: out[m][:, d] for m in MEASURES}
        for s, k_places in zip(intakes, places, strict=True):
            for _ in range(int(k_places)):
                if s >= n_months or rnd.random() >= rates.acceptance:
                    continue
                o["accepted"][s] += 1
                o["one_off_paid"][s] += one_vnd[s]
                level, received = prog.start_level, 0.0
                for t in range(s, min(s + C, n_months)):
                    a = t - s
                    exit_kind = ""
                    if a >= 1:
                        if rnd.random() < rates.attrition_monthly:
                            exit_kind = "left"
                        elif a % E == 0:
                            u = rnd.random()
                            if u < pt:
                                exit_kind = "terminated"
                            elif u < pt + pr:
                                level = min(level + 1, K - 1)
                            elif u < pt + pr + pl:
                                level = max(level - 1, 0)
                    if exit_kind:
                        o["leavers" if exit_kind == "left" else "terminated"][t] += 1
                        if exit_kind == "left" or prog.refund_on_termination:
                            frac = (C - a) / C if prog.refund_pro_rata else 1.0
                            owed_one = prog.refund_one_off_share * one_vnd[s] * frac
                            owed = owed_one + prog.refund_monthly_share * received * frac
                            o["refund_owed"][t] += owed
                            if rnd.random() < rates.refund_collection:
                                o["refund_one_off"][t] += owed_one
                                o["refund_monthly"][t] += owed - owed_one
                        break
                    pay = mon_vnd[t] * prog.level_factors[level]
                    received += pay
                    o["monthly_paid"][t] += pay
                    o["active"][t] += 1
                    if a == C - 1:
                        o["completed"][t] += 1
    return out
