"""The cohort Markov chain of one programme, by calendar month — exact or by Monte Carlo.

States of a person holding a place: *active at level k* (k = 0 … K−1), or *out* for one of the
causes of :data:`~.spec.CAUSES` — quit by choice, failed duties (a failed evaluation, or the
monthly ``fail_duties`` hazard), retirement, death or ill health, transfer by the state.  A cohort
is everyone admitted in one intake month.  Within a month, at age a = t − intake (months since
intake):

* a = 0: offers are accepted with probability ``acceptance``; the one-off is paid;
* a ≥ 1 (and a < C, C = commitment months, when ``after_commitment = "stop"``): first each active
  person leaves with the monthly probability ``exit_monthly`` (the sum of the cause hazards), the
  cause being c with probability ``hazard(c) / exit_monthly`` (competing risks); then, if a is a
  multiple of the evaluation period, the evaluation moves them up a level, down a level (the top
  and bottom levels absorb), or terminates the support (cause ``fail_duties``);
* every active person is paid the month's support at their level — in months a < C, and after
  them too when ``after_commitment = "continue_while_evaluations_pass"`` (the project's reading of
  the resolution's silence: "định kỳ đánh giá … làm căn cứ tiếp tục, điều chỉnh hoặc chấm dứt
  chính sách"); payments in months a ≥ C are also reported as ``post_commitment_paid``;
* after month a = C − 1 the person has completed the commitment (``completed``).

Refunds (Resolution §II.8: "trường hợp không hoàn thành nhiệm vụ hoặc tự ý nghỉ việc phải hoàn trả
kinh phí hỗ trợ"): a person whose support ends at age a < C for a cause of the programme's
``refund_causes`` owes ``share × amount × (C − a) / C`` with pro rata, else ``share × amount``, for
the one-off and for the monthly support received; a ``refund_collection`` share of what is owed
is recovered in the month of exit.  Other causes, and any exit at a ≥ C, owe nothing.

The *same* stepping code runs in two modes: the exact mode carries expected counts (binomial
draws replaced by their means, so the result is the exact expectation of the chain); the Monte
Carlo mode draws counts for ``draws`` independent copies at once — per cohort and level a
binomial number of leavers, a binomial split of them into refund-owing and other causes, and a
multinomial split (sequential binomials) of each group's level total into causes; no person is
drawn one by one.  Persons of one intake and level are exchangeable, so whoever leaves is a
uniformly random subset of them: the chain keeps the *mean* support received per person of each
intake and level (unchanged by leaving, re-averaged when evaluations merge levels) and refunds a
leaver that mean.  Expected values therefore agree exactly with the per-person model; the bands
ignore only the spread of individual pay histories within one level, which is zero when nobody
changes level.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .spec import CAUSES, Programme, Rates

EXIT_MEASURES = tuple(f"exits_{c}" for c in CAUSES)
MEASURES = ("one_off_paid", "monthly_paid", "post_commitment_paid", "refund_one_off",
            "refund_monthly", "refund_owed", "refund_cases", "accepted", "leavers", "terminated",
            *EXIT_MEASURES, "completed", "active")


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


def _thin(rng: np.random.Generator, n: np.ndarray, p: float) -> np.ndarray:
    """Binomial(n, p) counts where most n are 0 (splits of a month's few leavers): only the
    non-zero cells are drawn."""
    n = np.ascontiguousarray(n)
    if p <= 0:
        return np.zeros_like(n)
    if p >= 1:
        return n.copy()
    out = np.zeros_like(n)
    idx = np.flatnonzero(n)
    if idx.size:
        out.reshape(-1)[idx] = rng.binomial(n.reshape(-1)[idx], p)
    return out


def _split(thin: Callable[[np.ndarray, float], np.ndarray], n: np.ndarray,
           probs: list[float]) -> list[np.ndarray]:
    """Split counts ``n`` over categories of probabilities ``probs`` (summing to 1): a multinomial
    drawn as sequential binomials (exact mode: n × p each)."""
    parts, rest, left = [], n, 1.0
    for i, p in enumerate(probs):
        if i == len(probs) - 1:
            parts.append(rest)
            break
        x = thin(rest, min(1.0, p / left)) if left > 0 else rest * 0
        parts.append(x)
        rest, left = rest - x, left - p
    return parts


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
    if np.any(np.diff(intakes) <= 0):
        raise ValueError("intakes must be sorted and distinct")
    chain = _Chain(prog, rates, intakes, np.asarray(places), base_salary[:n_months], n_months,
                   rng, draws, per_intake)
    for t in range(n_months):
        chain.step(t)
    if not chain.exact:
        chain.collect_refunds(n_months)
    return chain.out


class _Chain:
    """The cohorts of one programme while the months are stepped: head counts ``n`` and mean
    support received ``avg`` by (level, intake, draw), and the measures recorded so far."""

    def __init__(self, prog: Programme, rates: Rates, intakes: np.ndarray, places: np.ndarray,
                 base_salary: np.ndarray, n_months: int, rng: np.random.Generator | None,
                 draws: int, per_intake: bool) -> None:
        self.prog, self.rates, self.intakes, self.places = prog, rates, intakes, places
        self.rng, self.exact, self.per_intake = rng, rng is None, per_intake
        self.draws = draws = 1 if rng is None else draws
        self.one_vnd, self.mon_vnd = amounts_by_month(prog, base_salary)
        self.factors = np.asarray(prog.level_factors, dtype=float)
        n_lv, n_in = len(self.factors), len(intakes)
        self.C, self.E = prog.commitment_months, prog.evaluation_months
        self.keep_paying = prog.after_commitment == "continue_while_evaluations_pass"
        # causes with a hazard, split into those owing a refund (within the commitment) and the
        # rest
        self.hz = hz = {c: rates.hazard(c) for c in CAUSES}
        self.h_all = sum(hz.values())
        self.ref = [c for c in CAUSES if hz[c] > 0 and c in prog.refund_causes]
        self.other = [c for c in CAUSES if hz[c] > 0 and c not in prog.refund_causes]
        self.h_ref = sum(hz[c] for c in self.ref)
        self.h_other = sum(hz[c] for c in self.other)
        self.refund_on_fail = "fail_duties" in prog.refund_causes
        # level first, draws last: sums over levels add a few contiguous blocks (fast)
        self.n = np.zeros((n_lv, n_in, draws), dtype=float if self.exact else np.int64)
        # mean support received per person of a level and intake; leaving does not change it
        # (leavers are a uniformly random subset), only merging levels at an evaluation does
        self.avg = np.zeros((n_lv, n_in, draws))
        self.one_at_intake = np.zeros(n_in)
        rows = n_in if per_intake else draws
        # month first: contiguous writes while stepping
        self.out = {m: np.zeros((n_months, rows)) for m in MEASURES}
        pt, pr, pl = rates.evaluation_terminate, rates.evaluation_raise, rates.evaluation_lower
        self.p_terminate = pt
        self.r_raise = pr / (1 - pt) if pt < 1 else 0.0
        self.r_lower = pl / (1 - pt - pr) if pt + pr < 1 else 0.0

    def draw(self, n: np.ndarray, p: float) -> np.ndarray:
        """Binomial(n, p) counts (exact mode: n × p)."""
        return n * p if self.exact else binomial(self.rng, n, p)

    def thin(self, n: np.ndarray, p: float) -> np.ndarray:
        """Binomial(n, p) where most n are 0 (exact mode: n × p)."""
        return n * p if self.exact else _thin(self.rng, n, p)

    def record(self, measure: str, t: int, lo: int, q: np.ndarray, idx=None) -> None:
        # q has shape (intakes in the slice, draws)
        if self.per_intake:
            if idx is None:
                self.out[measure][t, lo:lo + q.shape[0]] += q[:, 0]
            else:
                self.out[measure][t, idx] += q[:, 0]
        else:
            self.out[measure][t] += q.sum(axis=0)

    def step(self, t: int) -> None:
        """One calendar month: leaving by cause and evaluations (cohorts of age ≥ 1), then the
        month's new cohort, then the month's support."""
        intakes = self.intakes
        # c0: first cohort still within its commitment (age ≤ C − 1); cohorts before it have
        # completed it and are still followed only while support continues after it
        c0 = int(np.searchsorted(intakes, t - self.C + 1, "left"))
        lo = 0 if self.keep_paying else c0
        # cohorts of age ≥ 1 in the slice: leaving by cause, then evaluation
        hi = int(np.searchsorted(intakes, t - 1, "right"))
        if hi > lo:
            ages = t - intakes[lo:hi]
            if self.h_all > 0:
                self.leave(t, lo, hi, c0, ages)
            self.evaluate(t, lo, ages)
        self.admit(t)
        self.pay(t, lo, c0)

    def leave(self, t: int, lo: int, hi: int, c0: int, ages: np.ndarray) -> None:
        """Leavers of the month among cohorts lo … hi−1, by cause; refunds within the
        commitment."""
        na = self.n[:, lo:hi, :]
        if self.exact:
            leave = self.draw(na, self.h_all)
        else:  # levels nobody holds yet (before the first evaluation) need no draws
            leave = np.zeros_like(na)
            for k in np.flatnonzero(na.reshape(len(self.factors), -1).any(axis=1)):
                leave[k] = self.draw(na[k], self.h_all)
        na -= leave  # a view: updates n in place
        by_cohort = leave.sum(axis=0)  # (cohorts, draws)
        self.record("leavers", t, lo, by_cohort)
        # Who leaves for a refund-owing cause: by level within the commitment (the refund
        # depends on the level's mean support received), in one count after it.  The split into
        # causes needs only totals (per cohort in the per-intake mode): splitting a sum of
        # independent multinomials is the same law.
        per_intake, ref, other = self.per_intake, self.ref, self.other
        k0 = max(c0 - lo, 0)  # cohorts k0… of the slice are within their commitment
        total = by_cohort if per_intake else by_cohort.sum(axis=0, keepdims=True)
        if not ref:
            owing_in, owing = None, total * 0
        else:
            share = self.h_ref / self.h_all
            owing_in = leave[:, k0:] if not other else self.thin(leave[:, k0:], share)
            after = by_cohort[:k0] if per_intake else by_cohort[:k0].sum(axis=0, keepdims=True)
            after = after if not other else self.thin(after, share)
            within = owing_in.sum(axis=0)
            owing = (np.concatenate([after, within]) if per_intake
                     else after + within.sum(axis=0, keepdims=True))
        for group, h_group, count in ((ref, self.h_ref, owing),
                                      (other, self.h_other, total - owing)):
            if group:
                parts = _split(self.thin, count, [self.hz[c] / h_group for c in group])
                for c, q in zip(group, parts, strict=True):
                    self.record(f"exits_{c}", t, lo, q)
        if owing_in is not None and hi > c0:  # only within the commitment: refunds
            self.exit_refund(owing_in, self.avg[:, c0:hi, :], slice(c0, hi), ages[k0:], t, c0)

    def evaluate(self, t: int, lo: int, ages: np.ndarray) -> None:
        """Cohorts at an evaluation month: support ended (cause fail_duties), raised or
        lowered a level (the top and bottom levels absorb), re-averaging support received."""
        ev = np.flatnonzero(ages % self.E == 0)
        if not ev.size:
            return
        idx = lo + ev
        ne, ae = self.n[:, idx, :], self.avg[:, idx, :]
        term = self.draw(ne, self.p_terminate)
        rest = ne - term
        up = self.draw(rest, self.r_raise)
        rest = rest - up
        down = self.draw(rest, self.r_lower)
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
        self.n[:, idx, :], self.avg[:, idx, :] = new_n, _ratio(new_c, new_n)
        term_total = term.sum(axis=0)
        self.record("terminated", t, lo, term_total, idx)
        self.record("exits_fail_duties", t, lo, term_total, idx)
        within = ages[ev] < self.C
        if self.refund_on_fail and within.any():
            self.exit_refund(term[:, within], ae[:, within], idx[within], ages[ev][within], t,
                             lo, idx[within])

    def exit_refund(self, k_out: np.ndarray, avg_out: np.ndarray, sl, ages: np.ndarray,
                    t: int, lo: int, idx=None) -> None:
        """Refund owed and collected for persons whose support ends early for a refund-owing
        cause (k_out: by level; every cohort in ``sl`` is within its commitment)."""
        prog, C = self.prog, self.C
        frac = (C - ages) / C if prog.refund_pro_rata else np.ones(len(ages))
        count = k_out.sum(axis=0)
        owed_one = count * (prog.refund_one_off_share * self.one_at_intake[sl] * frac)[:, None]
        owed_mon = (k_out * avg_out).sum(axis=0) * (prog.refund_monthly_share * frac)[:, None]
        # Monte Carlo: thinned by collect_refunds
        share = self.rates.refund_collection if self.exact else 1.0
        self.record("refund_owed", t, lo, owed_one + owed_mon, idx)
        self.record("refund_one_off", t, lo, owed_one * share, idx)
        self.record("refund_monthly", t, lo, owed_mon * share, idx)
        self.record("refund_cases", t, lo, count.astype(float), idx)

    def admit(self, t: int) -> None:
        """The month's new cohort, if any: acceptance and the one-off."""
        intakes = self.intakes
        j = int(np.searchsorted(intakes, t, "left"))
        if j < len(intakes) and intakes[j] == t:
            acceptance = self.rates.acceptance
            if self.exact:
                acc = np.full((1, 1), self.places[j] * acceptance)
            else:
                acc = self.rng.binomial(int(self.places[j]), acceptance, size=(1, self.draws))
            self.n[self.prog.start_level, j, :] = acc[0]
            self.one_at_intake[j] = self.one_vnd[t]
            self.record("accepted", t, j, acc.astype(float))
            self.record("one_off_paid", t, j, acc * self.one_vnd[t])

    def pay(self, t: int, lo: int, c0: int) -> None:
        """Monthly support for every cohort in its months 0 … C−1 (and later, if it
        continues)."""
        hi = int(np.searchsorted(self.intakes, t, "right"))
        if hi <= lo:
            return
        pay_level = self.mon_vnd[t] * self.factors
        self.avg[:, lo:hi, :] += pay_level[:, None, None]
        na = self.n[:, lo:hi, :]
        paid = np.tensordot(pay_level, na, axes=(0, 0))
        self.record("monthly_paid", t, lo, paid)
        if c0 > lo:
            self.record("post_commitment_paid", t, lo, paid[:c0 - lo])
        active = na.sum(axis=0).astype(float)
        self.record("active", t, lo, active)
        done = np.flatnonzero(t - self.intakes[lo:hi] == self.C - 1)
        if done.size:
            self.record("completed", t, lo, active[done], lo + done)

    def collect_refunds(self, n_months: int) -> None:
        """Monte Carlo: each person owing a refund pays it with probability refund_collection,
        independently of everything else.  Drawing how many of a year's refund-owing exits pay,
        and recovering that share of the year's amounts owed, keeps the expectation exact with
        one draw per year instead of one per month (the amounts owed differ a little between
        people through the pro-rata rule; that spread is left out of the bands)."""
        out = self.out
        cases = out["refund_cases"]
        for y0 in range(0, n_months, 12):
            ys = slice(y0, min(y0 + 12, n_months))
            count = cases[ys].sum(axis=0)
            share = _ratio(self.draw(count.astype(np.int64), self.rates.refund_collection),
                           count)
            out["refund_one_off"][ys] *= share
            out["refund_monthly"][ys] *= share


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
    keep_paying = prog.after_commitment == "continue_while_evaluations_pass"
    pt, pr, pl = rates.evaluation_terminate, rates.evaluation_raise, rates.evaluation_lower
    hz = [(c, rates.hazard(c)) for c in CAUSES if rates.hazard(c) > 0]
    h_all = sum(h for _, h in hz)
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
                end = n_months if keep_paying else min(s + C, n_months)
                for t in range(s, end):
                    a = t - s
                    cause, by_evaluation = "", False
                    if a >= 1:
                        u = rnd.random()
                        if u < h_all:  # one uniform picks whether and why the person leaves
                            cum = 0.0
                            for c, h in hz:
                                cum += h
                                cause = c
                                if u < cum:
                                    break
                        elif a % E == 0:
                            u = rnd.random()
                            if u < pt:
                                cause, by_evaluation = "fail_duties", True
                            elif u < pt + pr:
                                level = min(level + 1, K - 1)
                            elif u < pt + pr + pl:
                                level = max(level - 1, 0)
                    if cause:
                        o["terminated" if by_evaluation else "leavers"][t] += 1
                        o[f"exits_{cause}"][t] += 1
                        if a < C and cause in prog.refund_causes:
                            frac = (C - a) / C if prog.refund_pro_rata else 1.0
                            owed_one = prog.refund_one_off_share * one_vnd[s] * frac
                            owed = owed_one + prog.refund_monthly_share * received * frac
                            o["refund_owed"][t] += owed
                            o["refund_cases"][t] += 1
                            if rnd.random() < rates.refund_collection:
                                o["refund_one_off"][t] += owed_one
                                o["refund_monthly"][t] += owed - owed_one
                        break
                    pay = mon_vnd[t] * prog.level_factors[level]
                    received += pay
                    o["monthly_paid"][t] += pay
                    if a >= C:
                        o["post_commitment_paid"][t] += pay
                    o["active"][t] += 1
                    if a == C - 1:
                        o["completed"][t] += 1
    return out
