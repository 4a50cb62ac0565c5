"""A PyTorch model and a dataset as a landscape: estimated diagram values, resummed values, real SGD.

The per-sample loss ``loss(params, x)`` is any torch.func-compatible function
of the parameters (a tensor, or a dict, tuple or list of tensors) and one
sample ``x`` (a row of the data tensor, or a tuple of rows when the data is a
tuple of tensors).  The dataset is the population: samples are drawn from it
uniformly with replacement, as the theory's i.i.d. draws from 𝒟, and the test
loss is the mean loss over the whole dataset.  Optionally ``observable(params)``
is a scalar s(θ) to predict instead of the test loss.

Estimates.  :meth:`ModelLandscape.estimate` estimates the η-free value of
any diagram (the engine's ``uvalue(D)/η^order``, η a scalar) as the mean of
unbiased single-draw estimates (:mod:`diagrams.torch.sampling`), each computed
matrix-free by nested automatic differentiation (:mod:`diagrams.torch.matrix_free`).
Each diagram draws from its own random stream, derived from the seed and the
diagram, so different diagrams' estimates are independent (variances add in a
series) and every estimate is reproducible.

>>> import torch, diagrams as dg
>>> data = torch.tensor([-1.0, 0.0, 1.0, 2.0])
>>> model = ModelLandscape(lambda p, x: (p - x) ** 2 / 2, torch.tensor(0.0), data)
>>> values = model.estimate(2, samples=2000, seed=0)
>>> estimate = values[dg.parse("[a:b][ab]")]       # C·H = Var(x)·1 = 1.25, estimated
>>> abs(estimate.zscore(1.25)) < 4, estimate.stderr < 0.05
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from itertools import product
from numbers import Integral
from typing import cast

import numpy as np
import torch
from torch.func import grad, jvp, vmap

from ..core.diagram import Diagram
from ..core.enumeration import enumerate_diagrams
from ..core.observables import LOSS, Observable, as_observable
from ..core.schedule import Schedule
from ..landscapes.simulate import SimulationResult
from ..values.estimated import DISPLACEMENT, EstimatedValues, ResummedValues, RunningMoments, as_number
from .lanczos import RitzPairs, lanczos
from .layout import ParameterLayout
from .matrix_free import NodeFunctions, plain_draws
from .projected import ProjectedFunctions, projected_draws
from .propagators import check_form, propagator_grid
from .sampling import DrawPlan, diagram_rng

__all__ = ["ModelLandscape"]

#: Roughly this many floats per tensor held at once while estimating (32 MB in float64).
CHUNK_ENTRIES = 1 << 22

#: Population means (test loss, Hessian–vector products) visit the data this many rows at a time.
DATA_CHUNK = 4096


class ModelLandscape:
    """A per-sample loss, its parameters θ₀ and a dataset (the population), as a landscape.

    ``dtype`` (default float64) is applied to the parameters and to every
    floating-point data tensor; estimates and SGD run in it.

    A ``torch.nn.Module`` enters through ``torch.func.functional_call``:

    >>> import torch, diagrams as dg
    >>> net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    >>> def loss(params, sample):
    ...     inputs, target = sample
    ...     output = torch.func.functional_call(net, params, (inputs,))
    ...     return ((output - target) ** 2).sum() / 2
    >>> data = (torch.randn(50, 2), torch.randn(50, 1))
    >>> model = ModelLandscape(loss, dict(net.named_parameters()), data)
    >>> model.dim, model.estimate(1, samples=10, seed=0)[dg.parse("[a][a]")].stderr   # G·G is exact
    (13, 0.0)
    """

    def __init__(self, loss: Callable, params, data, *, observable: Callable | None = None, dtype=torch.float64):
        if not callable(loss):
            raise TypeError(f"loss must be a function loss(params, x), got {type(loss).__name__}")
        if observable is not None and not callable(observable):
            raise TypeError(
                f"observable must be a function observable(params) or None, got {type(observable).__name__}"
            )
        self.layout = ParameterLayout(params)
        self.dtype = dtype
        self.theta0 = self.layout.flatten(params).to(dtype)
        self.loss = loss
        self.observable_function = observable
        self._tuple_data = not isinstance(data, torch.Tensor)
        tensors = tuple(data) if self._tuple_data else (data,)
        if not tensors or not all(isinstance(t, torch.Tensor) for t in tensors):
            raise TypeError("data must be a tensor or a tuple of tensors (first dimension: samples)")
        sizes = {t.shape[0] if t.dim() else None for t in tensors}
        if len(sizes) != 1 or None in sizes:
            raise ValueError(
                f"every data tensor needs the same number of samples along its first dimension, got {sizes}"
            )
        self.data = tuple(t.detach().to(dtype) if t.is_floating_point() else t.detach() for t in tensors)
        size = sizes.pop()
        assert size is not None  # checked above
        self.size = size
        if self.size < 1:
            raise ValueError("the dataset is empty")
        self._rebuild()

    def _rebuild(self) -> None:
        self.device = self.theta0.device
        self.functions = NodeFunctions(self.sample_loss, self.observe, self.theta0, self.population_loss)

    # -- the landscape --------------------------------------------------------------

    @property
    def dim(self) -> int:
        """P, the number of parameters."""
        return self.layout.size

    @property
    def params(self):
        """θ₀ in the user's container (dict, tuple or tensor)."""
        return self.layout.unflatten(self.theta0)

    @property
    def observable(self) -> Observable | None:
        """The model's own observable as an :class:`Observable` (pass it as ``observable=``), or None."""
        if self.observable_function is None:
            return None
        return Observable("expression", self.observable_function)

    def sample_loss(self, theta: torch.Tensor, x) -> torch.Tensor:
        """l_x(θ) for a flat parameter vector θ and one sample x."""
        return self.loss(self.layout.unflatten(theta), x)

    def observe(self, theta: torch.Tensor) -> torch.Tensor:
        """s(θ), the model's observable, for a flat parameter vector θ."""
        assert self.observable_function is not None  # called only for a model with an observable
        return self.observable_function(self.layout.unflatten(theta))

    def samples(self, indices: torch.Tensor):
        """The samples at ``indices`` (a tensor, or a tuple of tensors like the data)."""
        picked = tuple(t[indices] for t in self.data)
        return picked if self._tuple_data else picked[0]

    def population_loss(self, theta: torch.Tensor) -> torch.Tensor:
        """l(θ) = the mean of l_x(θ) over the dataset (works under vmap and autodiff)."""
        total: torch.Tensor | int = 0  # a tensor after the first chunk (the dataset is not empty)
        for start in range(0, self.size, DATA_CHUNK):
            rows = torch.arange(start, min(start + DATA_CHUNK, self.size), device=self.device)
            total = total + vmap(self.sample_loss, in_dims=(None, 0))(theta, self.samples(rows)).sum()
        return cast(torch.Tensor, total / self.size)

    def hessian_vector_product(self, vector: torch.Tensor) -> torch.Tensor:
        """H v with H the Hessian of the population loss at θ₀ (forward-over-reverse, never forming H)."""
        return jvp(grad(self.population_loss), (self.theta0,), (vector,))[1]

    def ritz_pairs(self, rank: int, *, seed: int = 0, start: torch.Tensor | None = None) -> RitzPairs:
        """``rank`` Ritz pairs of the population Hessian by Lanczos (default start: the mean gradient)."""
        if start is None:
            start = grad(self.population_loss)(self.theta0)
        generator = torch.Generator().manual_seed(seed)
        return lanczos(self.hessian_vector_product, start.to(self.dtype), rank, generator=generator)

    def to(self, device) -> ModelLandscape:
        """The same landscape with its parameters and data on ``device``."""
        device = torch.device(device)
        if device == self.device:
            return self
        moved = object.__new__(ModelLandscape)
        moved.__dict__.update(self.__dict__)
        moved.theta0 = self.theta0.to(device)
        moved.data = tuple(t.to(device) for t in self.data)
        moved._rebuild()
        return moved

    def __repr__(self) -> str:
        return f"ModelLandscape(P={self.dim}, samples={self.size}, dtype={self.dtype}, device={self.device})"

    # -- estimates ---------------------------------------------------------------------

    def estimate(
        self,
        order: int,
        *,
        samples: int | Mapping[int, int],
        seed: int,
        root_tied: bool = False,
        diagrams: Iterable[Diagram] | None = None,
        observable=LOSS,
        device=None,
        chunk: int | None = None,
        rank: int | None = None,
        complement: str = "drop",
    ) -> EstimatedValues:
        """Estimated η-free values of every diagram of order ≤ ``order`` (or of ``diagrams``).

        ``samples`` draws per diagram (an int, or {order: int}); ``seed`` makes
        the result reproducible, each diagram using its own independent stream.
        ``root_tied=True`` estimates the root-tied diagrams (the generalization
        gap's) instead.  ``observable`` is ``"loss"``, ``"displacement"``
        (vector estimates, one entry per parameter) or :attr:`observable`.
        ``device`` runs the computation there (a GPU when torch sees one);
        ``chunk`` draws are vectorized at a time.

        The result is a kind of statistics for every series function.  A
        resummed series (``method=Resummed(...)``, with ``at_eta=``) is
        estimated on demand by :meth:`estimate_resummed` with the same
        ``samples``, ``seed``, ``observable`` and ``device``, in a basis of
        ``rank`` Ritz vectors, the rest of each value handled as
        ``complement`` says.
        """
        model = self if device is None else self.to(device)
        root = self._root(observable)
        chosen = _diagrams(order, root_tied, diagrams)
        estimates = {}
        for diagram in chosen:
            plan = DrawPlan(diagram, root)
            draws = _samples_for(samples, diagram.order)
            rng = diagram_rng(seed, diagram, "plain")
            indices = rng.integers(0, model.size, size=(draws, plan.slots))
            moments = RunningMoments()
            if plan.slots:
                step = chunk or _chunk(draws, model.dim * len(plan.maps))
                for start in range(0, draws, step):
                    moments.add(_plain_values(model, plan, indices[start : start + step]))
            else:  # no sample enters the value: it is exact, computed once (equal draws: stderr exactly 0)
                moments.add(np.repeat(_plain_values(model, plan, indices[:1]), draws, axis=0))
            estimates[diagram] = moments.estimate()
        kind = DISPLACEMENT if root == "displacement" else self._observable_of(root)
        options = dict(
            samples=samples,
            seed=seed,
            observable=observable,
            device=device,
            chunk=chunk,
            rank=rank,
            complement=complement,
        )
        return EstimatedValues(estimates, kind, dim=self.dim, resummer=partial(self._resummed_for_series, **options))

    def _resummed_for_series(self, propagation, eta: float, diagrams: Sequence[Diagram], **options) -> ResummedValues:
        """The resummed values a series of estimated values asks for (see :meth:`estimate`)."""
        order = max((D.order for D in diagrams), default=0)
        resummed = self.estimate_resummed(
            propagation.schedule,
            eta,
            order,
            diagrams=diagrams,
            form=propagation.form,
            limit=propagation.limit,
            **options,
        )
        assert isinstance(resummed, ResummedValues)  # one schedule, one η: one result
        return resummed

    def estimate_resummed(
        self,
        schedule: Schedule | Sequence[Schedule],
        eta,
        order: int,
        *,
        samples: int | Mapping[int, int],
        seed: int,
        rank: int | None = None,
        ritz: RitzPairs | None = None,
        root_tied: bool = False,
        diagrams: Iterable[Diagram] | None = None,
        observable=LOSS,
        form: str = "exact",
        limit: bool = False,
        complement: str = "drop",
        device=None,
        chunk: int | None = None,
    ) -> ResummedValues | tuple[ResummedValues, ...]:
        """Estimated resummed values (SPEC §6) of the linkless diagrams of order ≤ ``order``, at η = ``eta``.

        The eigenbasis is ``ritz`` or ``rank`` Lanczos Ritz pairs of the
        population Hessian (default rank min(P, 16); rank P is exact).  Each
        draw's value tensor over eigen-indices is contracted with the
        propagator sums Z(D) at η·(Ritz values); the same draws give the
        plain value in the basis and matrix-free, whose difference is the
        reported projection error.  ``complement="drop"`` keeps only the
        values' parts inside the basis; ``complement="flat"`` adds the part
        outside it (that difference, per draw) propagated as if H vanished
        there: times Z at zero rates, which is L(D).  Both are exact when the
        basis is complete.  ``schedule`` and ``eta`` may be
        sequences: the draws (the costly part) are then shared by every
        (schedule, η) pair, and a tuple of results is returned in the order
        of ``itertools.product(schedules, etas)``.  Options as for
        :meth:`estimate`; ``form``/``limit`` as for
        :func:`diagrams.expected_loss` with ``resum=True``.
        """
        schedules = [schedule] if isinstance(schedule, Schedule) else list(schedule)
        etas = [as_number(eta, "η")] if _is_number(eta) else [as_number(e, "η") for e in eta]
        for s in schedules:
            if not isinstance(s, Schedule):
                raise TypeError(f"schedule must be a Schedule or a sequence of them, got {s!r}")
            check_form(s, form, limit)
        if complement not in ("drop", "flat"):
            raise ValueError(f"complement must be 'drop' or 'flat', got {complement!r}")
        points = list(product(schedules, etas))
        model = self if device is None else self.to(device)
        root = self._root(observable)
        if ritz is None:
            ritz = model.ritz_pairs(min(self.dim, 16) if rank is None else rank, seed=seed)
        ritz = ritz.to(model.device)
        eigenvalues = ritz.values.detach().cpu().numpy()
        projected = ProjectedFunctions(model.functions, ritz.vectors)
        chosen = _diagrams(order, root_tied, diagrams)
        if diagrams is None:
            chosen = [D for D in chosen if D.is_linkless]
        elif not all(D.is_linkless for D in chosen):
            raise ValueError(
                f"only linkless diagrams are resummed, not {[str(D) for D in chosen if not D.is_linkless]}"
            )
        estimates: list[dict] = [{} for _ in points]
        errors = {}
        for diagram in chosen:
            plan = DrawPlan(diagram, root)
            grids = [
                torch.as_tensor(
                    propagator_grid(diagram, s, e, eigenvalues, form=form, limit=limit),
                    dtype=model.dtype,
                    device=model.device,
                )
                for s, e in points
            ]
            flat = [
                float(propagator_grid(diagram, s, e, np.zeros(1), form=form, limit=limit).reshape(()))
                if complement == "flat"
                else 0.0
                for s, e in points
            ]
            draws = _samples_for(samples, diagram.order)
            rng = diagram_rng(seed, diagram, "resummed")
            indices = rng.integers(0, model.size, size=(draws, plan.slots))
            sums = [RunningMoments() for _ in points]
            error = RunningMoments()
            top = max(diagram.degrees)
            width = max(model.dim * len(plan.maps), ritz.rank**diagram.order, ritz.rank ** max(top - 1, 0) * model.dim)
            step = chunk or _chunk(draws, width)
            for start in range(0, draws, step):
                block = torch.as_tensor(indices[start : start + step], device=model.device)
                batch = model.samples(block.T)
                resummed, in_basis = projected_draws(projected, plan, batch, block.shape[0], grids)
                exact = plain_draws(model.functions, plan, batch, block.shape[0])
                outside = exact - in_basis
                for moments, values, z0, (_, e) in zip(sums, resummed, flat, points):
                    moments.add((e**diagram.order * (values + z0 * outside)).detach().cpu().numpy())
                error.add(-outside.detach().cpu().numpy())
            for found, moments in zip(estimates, sums):
                found[diagram] = moments.estimate()
            errors[diagram] = error.estimate()
        kind = DISPLACEMENT if root == "displacement" else self._observable_of(root)
        results = tuple(
            ResummedValues(
                schedule=s,
                eta=e,
                observable=kind,
                form=form,
                limit=limit,
                estimates=found,
                projection_errors=errors,
                ritz_values=tuple(ritz.values.tolist()),
                residual_norms=tuple(ritz.residual_norms.tolist()),
                dim=self.dim,
                complement=complement,
            )
            for (s, e), found in zip(points, estimates)
        )
        return results[0] if isinstance(schedule, Schedule) and _is_number(eta) else results

    def _root(self, observable) -> str:
        """What the root of every diagram is: 'loss', 'displacement' or 'observable'."""
        if isinstance(observable, str) and observable == DISPLACEMENT:
            return "displacement"
        if isinstance(observable, Observable) and observable.kind == "expression":
            if self.observable_function is None or observable.detail is not self.observable_function:
                raise ValueError("an expression observable must be this model's own (ModelLandscape.observable)")
            return "observable"
        if as_observable(observable) == LOSS:
            return "loss"
        raise ValueError(f"observable must be 'loss', 'displacement' or the model's observable, got {observable!r}")

    def _observable_of(self, root: str):
        return LOSS if root == "loss" else self.observable

    # -- real SGD ----------------------------------------------------------------------------

    def simulate_sgd(
        self, schedule: Schedule, eta, *, trials: int, seed: int = 0, device=None, batch_trials: int | None = None
    ) -> SimulationResult:
        """Real SGD on the model, vectorized over trials (see :mod:`diagrams.torch.sgd`)."""
        from .sgd import simulate_sgd

        model = self if device is None else self.to(device)
        return simulate_sgd(model, schedule, eta, trials=trials, seed=seed, batch_trials=batch_trials)


def _plain_values(model: ModelLandscape, plan: DrawPlan, rows: np.ndarray) -> np.ndarray:
    """The diagram's value on each draw of ``rows`` (draws × slots of dataset indices)."""
    block = torch.as_tensor(rows, device=model.device)
    return plain_draws(model.functions, plan, model.samples(block.T), block.shape[0]).detach().cpu().numpy()


def _is_number(value) -> bool:
    return not isinstance(value, (Sequence, np.ndarray, torch.Tensor)) or isinstance(value, (str, bytes))


def _diagrams(order: int, root_tied: bool, diagrams: Iterable[Diagram] | None) -> list[Diagram]:
    if isinstance(order, bool) or not isinstance(order, Integral) or order < 0:
        raise ValueError(f"order must be a non-negative int, got {order!r}")
    if diagrams is None:
        return [D for d in range(order + 1) for D in enumerate_diagrams(d, root_tied=root_tied)]
    chosen = list(diagrams)
    for diagram in chosen:
        if not isinstance(diagram, Diagram):
            raise TypeError(f"diagrams must be Diagrams (see diagrams.parse), got {diagram!r}")
        if diagram.order > order:
            raise ValueError(f"the diagram {diagram} has order {diagram.order} > order={order}")
    return chosen


def _samples_for(samples, order: int) -> int:
    count = samples.get(order) if isinstance(samples, Mapping) else samples
    if count is None:
        raise ValueError(f"samples gives no count for order {order}: {dict(samples)}")
    if isinstance(count, bool) or not isinstance(count, Integral) or count < 2:
        raise ValueError(f"samples must be an int ≥ 2 (or a mapping of orders to such ints), got {count!r}")
    return int(count)


def _chunk(draws: int, width: int) -> int:
    """Draws per vectorized batch: about CHUNK_ENTRIES floats for the widest tensor."""
    return max(16, min(draws, CHUNK_ENTRIES // max(width, 1)))
