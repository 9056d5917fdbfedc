"""People over time (Resolution §II.1–§II.4, §II.8): retirement and exits, output-based
evaluation, training with evaluated effect, time-limited rotation and need-driven recruitment —
each a pure, seeded function on the validated tables that returns new tables and an event log
(:mod:`khcadre_sim.people.events`), so the 2026–2030 projection can compose them and a notebook
can call any one alone.

Public API (this package)::

    table, log = exits.retirements(staff, params, 2027, positions)     # the statutory roadmap
    table, log = exits.exits(staff, positions, territories, scenario, 2027, rng)  # other causes
    result = recruitment.recruitment(province, shortage, scenario, 2027, rng)     # need → recruits
    scenario.with_overrides(recruitment.programme_overrides(scenario, result.programme_offers))
"""

from . import catalogue, evaluation, events, exits, recruitment, rotation, training

__all__ = ["catalogue", "evaluation", "events", "exits", "recruitment", "rotation", "training"]
