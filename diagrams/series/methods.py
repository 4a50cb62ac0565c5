"""How a series sums its diagrams: plainly (η on every edge) or resummed (propagators on the edges).

>>> PLAIN
Plain()
>>> Resummed("continuous", limit=True)
Resummed(form='continuous', limit=True)
>>> Resummed("smooth")
Traceback (most recent call last):
...
ValueError: form must be one of ('exact', 'continuous'), got 'smooth'
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.propagators import FORMS, Propagation
from ..core.schedule import Schedule

__all__ = ["Plain", "Resummed", "PLAIN", "Method", "as_method"]


@dataclass(frozen=True)
class Plain:
    """The η-series (SPEC §5): every diagram of order ≤ d that embeds, each edge carrying η."""

    resummed = False

    def propagation(self, schedule: Schedule) -> None:
        return None


@dataclass(frozen=True)
class Resummed:
    """Resummation (SPEC §6): linkless diagrams of order ≤ d, each edge carrying a propagator.

    ``form="exact"`` uses (I − ηH)^{Δt−1}η, ``form="continuous"`` the
    paper's exp(−ηHΔt) with sums turned into integrals; ``limit=True`` gives
    the stationary value as T → ∞ (it exists when H is positive definite,
    and for the exact form 0 < ηλ < 2 for every eigenvalue λ of H; the
    engine refuses where it can tell that it does not).  Continuous forms and
    limits need a single-epoch or full-batch schedule.
    """

    form: str = "exact"
    limit: bool = False

    resummed = True

    def __post_init__(self):
        if self.form not in FORMS:
            raise ValueError(f"form must be one of {FORMS}, got {self.form!r}")
        if not isinstance(self.limit, bool):
            raise TypeError(f"limit must be True or False, got {self.limit!r}")

    def propagation(self, schedule: Schedule) -> Propagation:
        return Propagation(schedule, self.form, self.limit)


PLAIN = Plain()

Method = Plain | Resummed


def as_method(method: object) -> Method:
    """Check that ``method`` is a :class:`Plain` or :class:`Resummed` method."""
    if isinstance(method, (Plain, Resummed)):
        return method
    raise TypeError(f"method must be diagrams.PLAIN or diagrams.Resummed(form, limit=...), not {method!r}")
