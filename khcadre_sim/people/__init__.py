"""People over time (Resolution §II.1–§II.4, §II.8): retirement and exits, output-based
evaluation, training with evaluated effect, time-limited rotation and need-driven recruitment —
each a pure, seeded function on the validated tables that returns new tables and an event log
(:mod:`khcadre_sim.people.events`), so the 2026–2030 projection can compose them and a notebook
can call any one alone."""

from . import catalogue, evaluation, events, rotation, training

__all__ = ["catalogue", "evaluation", "events", "rotation", "training"]
