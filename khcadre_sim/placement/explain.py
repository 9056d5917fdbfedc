"""Plain-words explanations: rules that cannot be met, and what each rule costs."""

from __future__ import annotations

import math

import numpy as np

from .formulation import Rows, floor_groups, rotation_pairs
from .scoring import Candidates
from .settings import RULES, PlacementSettings

_PEOPLE = {"young": "young people", "female": "women", "minority": "ethnic-minority people"}


def precheck(c: Candidates, s: PlacementSettings) -> list[str]:
    """Conflicts visible from the data alone (no solve), each as one sentence."""
    out: list[str] = []
    stay_posts = c.cur_post[c.stayer]
    doubled = np.unique(stay_posts[np.bincount(stay_posts, minlength=c.n_posts)[stay_posts] > 1])
    if len(doubled):
        out.append(f"{len(doubled)} posts are held today by two or more people who must all "
                   f"stay (recently moved), e.g. post {c.post_ids[doubled[0]]}.")
    if s.manager_floors.enabled:
        pinned = c.stayer & (c.cur_post >= 0)
        pinned_posts = np.zeros(c.n_posts, dtype=bool)
        pinned_posts[c.cur_post[pinned]] = True
        for g in floor_groups(c, s):
            share = g.floor
            if share <= 0:
                continue
            adj, people = g.words, _PEOPLE[g.group]
            posts = g.posts
            member = g.member
            must_fill = int((posts & c.filled_today).sum()) if s.keep_filled_posts else 0
            pinned_other = int((pinned & ~member & posts[np.maximum(c.cur_post, 0)]).sum())
            need = max(math.ceil(share * must_fill - 1e-9),
                       math.ceil(share / (1 - share) * pinned_other - 1e-9)
                       if share < 1 else must_fill)
            pair_ok = posts[c.pj] & member[c.si] & (~pinned_posts[c.pj] | c.is_current)
            eligible = len(np.unique(c.si[pair_ok]))
            rise = share - (g.today or 0.0)
            if share > 1:
                out.append(f"The {adj}-manager floor in {g.where} is {share:.1%} "
                           f"(today's share {g.today or 0.0:.1%} + {rise:.1%}): a "
                           f"share above 100% cannot be met while any manager post is filled.")
            elif eligible < need:
                if g.mode == "no_fall":
                    what = (f"The rule that the {adj} share among managers in {g.where} may not "
                            f"fall below today's {g.today or 0.0:.1%}"
                            + (f" + {rise:.1%} = {share:.1%}" if rise > 1e-12 else ""))
                else:
                    what = f"The {adj}-manager floor of {share:.0%} in {g.where}"
                out.append(
                    f"{what} needs at least {need} {adj} managers ({share:.1%} of the "
                    f"{must_fill} manager posts that must stay filled, {pinned_other} of them "
                    f"held by others who must stay) but only {eligible} {people} are eligible "
                    f"for a manager post there (field, competency, distance and non-local "
                    f"rules).")
    n_rot, cap = s.rotation.planning_pool_to_hard_areas, s.move_caps.total
    if s.rotation.enabled and n_rot > 0:
        rot = rotation_pairs(c)
        eligible = np.unique(c.si[rot])
        if len(eligible) < n_rot:
            out.append(f"Rotating {n_rot} planning-pool cadres to hard areas is "
                       f"impossible: only {len(eligible)} planning-pool cadres are free to move "
                       f"and eligible for a hard-area post in another commune.")
        if s.move_caps.enabled:
            holders = eligible[c.cur_post[eligible] >= 0]
            free = len(eligible) - len(holders)
            if n_rot > cap + free:
                k = n_rot - free
                out.append(f"Rotating {n_rot} planning-pool cadres needs at least "
                           f"{k} change{'s' if k != 1 else ''} of post (rotated cadres who hold "
                           f"a post today), but the cap on changes of post allows only "
                           f"{cap}.")
    return out


def describe_slack(rows: Rows, slack: np.ndarray | None, s: PlacementSettings) -> list[str]:
    """Rules the best effort still misses, with the shortfall, one sentence per rule row
    (rows of the same kind summarised)."""
    if slack is None:
        return []
    out: list[str] = []
    hit = np.flatnonzero(slack > 1e-6)
    counts: dict[str, int] = {}
    for r in hit:
        rule, amount = rows.rule[r], float(slack[r])
        if rule == "manager_floors":
            k = math.ceil(amount - 1e-6)
            out.append(f"Floor '{rows.label[r]}' cannot be met: even the best placement is short "
                       f"by about {k} such manager{'s' if k != 1 else ''}.")
        elif rule == "rotation":
            n_rot = s.rotation.planning_pool_to_hard_areas
            out.append(f"Only {n_rot - amount:.0f} of the {n_rot} "
                       f"planning-pool rotations to hard areas are possible together with the "
                       f"other rules.")
        elif rule == "move_caps":
            cap = rows.limit[r] if rows.limit is not None else float("nan")
            need = cap + amount
            what = "arrival" if "arrivals" in rows.label[r] else "change of post"
            if round(need) != 1:
                what = "arrivals" if what == "arrival" else "changes of post"
            out.append(f"Cap '{rows.label[r]}' would have to allow about {need:.0f} "
                       f"{what} to meet the other rules.")
        else:
            counts[rule] = counts.get(rule, 0) + 1
    words = {"stay": "people who must stay (recently moved) cannot keep their post",
             "keep_filled_posts": "posts filled today cannot stay filled",
             "keep_placed": "people holding a post today cannot keep a post",
             "assignment": "people or posts cannot be matched one-to-one"}
    for rule, k in counts.items():
        text = words.get(rule, rule)
        if k == 1:
            text = text.replace("people who", "person who").replace("posts ", "post ").replace(
                "people ", "person ").replace("cannot keep their", "cannot keep their")
        out.append(f"{k} {text} under the other rules.")
    return out


def rule_label(rule: str) -> str:
    return RULES[rule][1]
