"""Landscapes: a sample loss l_x(θ) and a sample distribution, with exact statistics.

>>> import sympy
>>> from diagrams import Landscape
>>> w, x = sympy.symbols("w x")
>>> land = Landscape(w**2 / 2 + x * w, [w], x, {-1: sympy.Rational(1, 2), 1: sympy.Rational(1, 2)})
>>> st = land.statistics(at={w: 1})
>>> st.cumulant(((0,),)), st.cumulant(((0,), (0,))), st.cumulant(((0, 0),))
(1, 1, 1)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sympy
import sympy.stats
from sympy.stats.rv import RandomSymbol

from ..core.numbers import to_exact, to_sympy
from ..values.landscape import LandscapeStatistics

__all__ = ["Landscape"]


#: Float probabilities may miss a total of 1 by this much; they are then rescaled to sum to exactly 1.
PROBABILITY_TOLERANCE = 1e-9


class Landscape:
    """A sample loss ``loss`` in the parameters ``params`` and the sample ``sample``.

    ``distribution`` is a dict {sample value: probability} for a discrete
    sample; omit it when ``sample`` is a sympy.stats random variable such as
    ``sympy.stats.Normal('z', 0, 1)``.  Probabilities are non-negative and
    sum to 1.  Exact ones (ints, Fractions, sympy numbers) are kept; a float
    is read as the nearest fraction with a denominator of at most 10¹² (so
    0.1 is 1/10), and floats that sum to 1 within
    :data:`PROBABILITY_TOLERANCE` are rescaled to sum to exactly 1.

    >>> Landscape(sympy.Symbol("w") * sympy.Symbol("x"), [sympy.Symbol("w")], sympy.Symbol("x"), {0: 0.3, 1: 0.7}).distribution
    {0: 3/10, 1: 7/10}
    """

    def __init__(self, loss, params: Sequence[sympy.Symbol], sample, distribution: Mapping | None = None):
        if not isinstance(loss, sympy.Basic):
            raise TypeError(f"loss must be a sympy expression, not {type(loss).__name__} (text is never evaluated)")
        self.loss = loss
        self.params = tuple(params)
        if not self.params or not all(isinstance(p, sympy.Symbol) for p in self.params):
            raise ValueError("params must be a non-empty sequence of sympy Symbols")
        self.sample = sample
        if distribution is None:
            if not isinstance(sample, RandomSymbol):
                raise ValueError(
                    "give a distribution {value: probability} or make sample a sympy.stats random variable"
                )
            self.distribution = None
        else:
            self.distribution = _probabilities(distribution)

    @property
    def dim(self) -> int:
        return len(self.params)

    def expectation(self, expr) -> sympy.Expr:
        """E over the sample of an expression in the sample symbol."""
        if self.distribution is None:
            return sympy.simplify(sympy.stats.E(expr))
        return sympy.expand(sum(p * expr.subs(self.sample, v) for v, p in self.distribution.items()))

    def mean_loss(self) -> sympy.Expr:
        """The test loss l(θ) = E_x l_x(θ)."""
        return self.expectation(self.loss)

    def statistics(self, at: Mapping | None = None) -> LandscapeStatistics:
        """Exact joint cumulants of the loss's derivatives at θ₀ = ``at`` (default all zeros)."""
        point = {p: 0 for p in self.params}
        point.update(dict(at or {}))
        unknown = set(point) - set(self.params)
        if unknown:
            raise ValueError(f"'at' names symbols that are not parameters: {sorted(map(str, unknown))}")
        return LandscapeStatistics(self, {p: to_sympy(v) for p, v in point.items()})

    def __repr__(self) -> str:
        return f"Landscape({self.loss}, params={list(self.params)}, sample={self.sample})"

    # -- Monte-Carlo SGD (see diagrams.simulate) -------------------------------------

    def simulate_sgd(self, schedule, eta, *, trials: int, at: Mapping | None = None, seed: int = 0, **options):
        """Monte-Carlo SGD from θ₀ = ``at`` on ``trials`` fresh training sets; see :func:`diagrams.simulate.simulate_sgd`.

        ``options``: ``observables``, ``batch_trials``, ``record_every``,
        ``test_loss``, ``test_samples``.  Returns a
        :class:`~diagrams.simulate.SimulationResult` (mean, standard error and
        95% interval per observable).

        >>> from diagrams import Schedule
        >>> land = Landscape.mean_estimation(H=1, S=0)  # noiseless: every trial is plain GD
        >>> res = land.simulate_sgd(Schedule.gd(4, 3), 0.5, at={land.params[0]: 1}, trials=10)
        >>> res["displacement"].mean, res["displacement"].stderr, res["test_loss"].mean
        (array([-0.875]), array([0.]), 0.0078125)
        """
        from .simulate import simulate_sgd

        return simulate_sgd(self, schedule, eta, at=at, trials=trials, seed=seed, **options)

    # -- the paper's example landscapes (SPEC §8) -----------------------------------

    @classmethod
    def gauss(cls) -> Landscape:
        """Gauss: l_x(h) = (h + x² e^{−h})/2 with x ~ N(0, 1); one weight h, start at h = 0.

        The negative log-likelihood (up to constants) of a centred Gaussian
        with log-variance h, fitted to standard-normal data.  h = 0 is the
        test minimum (l(h) = (h + e^{−h})/2, G = 0, H = 1/2) and the gradient
        noise (1 − x²)/2 is a shifted χ², so it is skewed (S ≠ 0).  The paper
        uses it to compare SGD with its SDE approximation from the test
        minimum (time discretization and non-Gaussian noise, which SDE does
        not model; appendix figure "vs-sde", 2·10⁵ trials, T = 1).

        >>> land = Landscape.gauss()
        >>> h = land.params[0]
        >>> st = land.statistics(at={h: 0})
        >>> st.cumulant(((0,),)), st.cumulant(((0, 0),)), st.cumulant(((0,), (0,))), st.cumulant(((0,), (0,), (0,)))
        (0, 1/2, 1/2, -1)
        """
        h = sympy.Symbol("h")
        x = sympy.stats.Normal("x", 0, 1)
        return cls((h + x**2 * sympy.exp(-h)) / 2, [h], x)

    @classmethod
    def helix(cls) -> Landscape:
        """Helix: θ = (u, v, z), x ~ N(0, 1), l_x = H(θ)/2 + x·S(θ); start at θ = 0.

        H = u² + v² + (cos z·u + sin z·v)² and S = cos(z − π/4)·u + sin(z − π/4)·v.
        The z-axis is a valley of global minima (H_zz = 0) along which the
        curvature and the gradient noise rotate together, so the landscape
        is invariant under a shift of z combined with a rotation of (u, v).
        The paper (section "Minima that are flat with respect to C attract
        SGD", Cor. "entropic", figure panel 4) predicts that SGD drifts along
        +z by η²/6 per step while SDE predicts no drift (SPEC §8, §9).

        >>> land = Landscape.helix()
        >>> u, v, z = land.params
        >>> st = land.statistics(at={u: 0, v: 0, z: 0})
        >>> [st.cumulant(((i, i),)) for i in range(3)], st.cumulant(((0, 1, 2),)), st.cumulant(((0,), (1,)))
        ([2, 1, 0], 1, -1/2)
        """
        u, v, z = sympy.symbols("u v z")
        x = sympy.stats.Normal("x", 0, 1)
        curvature = u**2 + v**2 + (sympy.cos(z) * u + sympy.sin(z) * v) ** 2
        noise = sympy.cos(z - sympy.pi / 4) * u + sympy.sin(z - sympy.pi / 4) * v
        return cls(curvature / 2 + x * noise, [u, v, z], x)

    @classmethod
    def mean_estimation(cls, H=1, S=1, noise: str = "rademacher") -> Landscape:
        """MeanEstimation: l_x(θ) = Hθ²/2 + xSθ, one weight θ; E x = 0, E x² = 1.

        ``noise="rademacher"``: x = ±1 with probability 1/2 each (a discrete
        distribution, so every statistic and the test loss are exact
        finite sums); ``noise="normal"``: x ~ N(0, 1).  H is the Hessian and
        S² the gradient covariance; H and S may be numbers or sympy symbols
        (simulation needs numbers).  The paper uses it for Cor. "overfit"
        (sharp and flat minima both overfit less than medium ones: GD with
        fixed C over a range of H) and for its l₂-regularization experiment;
        SPEC §6 gives its exact resummed test loss after E = B = 1 SGD,
        (H/2)θ₀²(1−ηH)^{2T} + (η²S²H/2)(1−(1−ηH)^{2T})/(1−(1−ηH)²).

        >>> land = Landscape.mean_estimation(H=2, S=3)
        >>> st = land.statistics(at={land.params[0]: 1})
        >>> st.cumulant(((0,),)), st.cumulant(((0, 0),)), st.cumulant(((0,), (0,)))
        (2, 2, 9)
        """
        theta = sympy.Symbol("theta")
        H, S = to_sympy(H), to_sympy(S)
        if noise == "rademacher":
            x = sympy.Symbol("x")
            return cls(
                H * theta**2 / 2 + x * S * theta, [theta], x, {-1: sympy.Rational(1, 2), 1: sympy.Rational(1, 2)}
            )
        if noise == "normal":
            x = sympy.stats.Normal("x", 0, 1)
            return cls(H * theta**2 / 2 + x * S * theta, [theta], x)
        raise ValueError(f"noise must be 'rademacher' or 'normal', got {noise!r}")


def _probabilities(distribution: Mapping) -> dict:
    """{sample value: probability} checked: non-negative, summing to 1 (floats see :class:`Landscape`)."""
    if not isinstance(distribution, Mapping) or not distribution:
        raise ValueError("a distribution is a non-empty dict {sample value: probability}")
    found = {}
    floats = False
    for value, probability in distribution.items():
        if isinstance(probability, float) or hasattr(probability, "dtype"):
            floats = True
            p = to_exact(probability)
        else:
            p = to_sympy(probability)
        if p.is_negative or (p.is_number and p < 0):
            raise ValueError(f"probabilities must be non-negative, got {probability} for the sample value {value}")
        found[to_sympy(value)] = p
    total = sympy.Add(*found.values())
    if total == 1:
        return found
    if floats and total.is_number and abs(float(total) - 1) <= PROBABILITY_TOLERANCE:
        return {value: p / total for value, p in found.items()}
    raise ValueError(f"probabilities must sum to 1, got {total}")
