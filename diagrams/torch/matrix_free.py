"""A diagram's value on one draw of samples, by nested automatic differentiation (never a Hessian).

The value contracts the tree's node tensors along its edges (SPEC §4).  Bottom
up, every non-root node v turns its children's vectors u₁…u_m into the vector

    u_v = ∇_θ [ D^m l_{x_v}(θ)[u₁, …, u_m] ]  at θ₀

(a leaf's is the gradient ∇l_{x_v}(θ₀)): m nested forward-mode derivatives
along the children's vectors, then one reverse-mode gradient.  The root
contracts its children into a scalar, D^m l_{x_root}(θ₀)[u₁,…,u_m] for the
loss (D^m s for a model observable s), or returns its one child's vector for
the displacement θ − θ₀ (whose derivatives vanish beyond the first).  Every
node uses its own sample x_v, as :class:`~diagrams.torch.sampling.DrawPlan`
assigns them, except the exact ones (a node of degree 1 alone in its part is
the mean gradient G; the order-0 root is the mean loss); all functions are
vectorized over draws with ``torch.func.vmap``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property, wraps

import torch
from torch.func import grad, jvp, vmap

from .sampling import DrawPlan

__all__ = ["directional", "cached_per_instance", "NodeFunctions", "plain_draws"]


def directional(function: Callable, directions: Sequence[torch.Tensor]) -> Callable:
    """θ ↦ D^m function(θ)[u₁, …, u_m]: nested forward-mode derivatives along the directions.

    >>> import torch
    >>> f = directional(lambda t: (t**3).sum(), [torch.tensor([1.0, 0.0]), torch.tensor([1.0, 0.0])])
    >>> f(torch.tensor([2.0, 5.0])).item()     # ∂²/∂t₀² of t₀³ at t₀ = 2
    12.0
    """
    for u in directions:
        function = _derivative_along(function, u)
    return function


def _derivative_along(function: Callable, u: torch.Tensor) -> Callable:
    return lambda theta: jvp(function, (theta,), (u,))[1]


def cached_per_instance(method: Callable) -> Callable:
    """``functools.cache`` for a method, the cache kept on the instance (so it is freed with it)."""
    name = f"_cached_{method.__name__}"

    @wraps(method)
    def cached(self, *args):
        store = self.__dict__.setdefault(name, {})
        if args not in store:
            store[args] = method(self, *args)
        return store[args]

    return cached


class NodeFunctions:
    """The vectorized node computations of one model (``sample_loss(θ, x)``, ``observable(θ)``).

    ``population_loss(θ)`` is the mean loss over the dataset: the exact parts
    (mean gradient G, mean loss l(θ₀)) are computed from it once.
    """

    def __init__(
        self, sample_loss: Callable, observable: Callable | None, theta0: torch.Tensor, population_loss: Callable
    ):
        self.sample_loss, self.observable, self.theta0 = sample_loss, observable, theta0
        self.population_loss = population_loss

    @cached_property
    def mean_gradient(self) -> torch.Tensor:
        """G = ∇l(θ₀), over the whole dataset."""
        return grad(self.population_loss)(self.theta0).detach()

    @cached_property
    def mean_loss(self) -> torch.Tensor:
        """l(θ₀), over the whole dataset."""
        return self.population_loss(self.theta0).detach()

    @cached_per_instance
    def vector(self, children: int) -> Callable:
        """(x, u₁…u_m) ↦ ∇_θ D^m l_x(θ₀)[u₁…u_m], vectorized over draws."""

        def one(theta, x, *us):
            return grad(directional(lambda t: self.sample_loss(t, x), us))(theta)

        return vmap(one, in_dims=(None, 0, *[0] * children))

    @cached_per_instance
    def loss_root(self, children: int) -> Callable:
        """(x, u₁…u_m) ↦ D^m l_x(θ₀)[u₁…u_m], vectorized over draws."""

        def one(theta, x, *us):
            return directional(lambda t: self.sample_loss(t, x), us)(theta)

        return vmap(one, in_dims=(None, 0, *[0] * children))

    @cached_per_instance
    def observable_root(self, children: int) -> Callable:
        """(u₁…u_m) ↦ D^m s(θ₀)[u₁…u_m], vectorized over draws (m ≥ 1)."""

        def one(theta, *us):
            return directional(self.observable, us)(theta)

        return vmap(one, in_dims=(None, *[0] * children))


def plain_draws(functions: NodeFunctions, plan: DrawPlan, batch, draws: int) -> torch.Tensor:
    """The diagram's value on each draw: shape (draws,), or (draws, P) for the displacement.

    ``batch`` holds the samples of every slot for every draw, with leading
    axes (slots, draws) (see :class:`~diagrams.torch.sampling.DrawPlan`); the
    maps' weighted sum is an unbiased estimate of the value.  Each node is
    evaluated once for each distinct assignment of samples to its subtree
    (:attr:`DrawPlan.node_keys`), all of them in one vectorized call.
    """
    diagram, theta0 = plan.diagram, functions.theta0
    children, root = diagram.children, diagram.root
    vectors: dict[int, torch.Tensor] = {}  # per node, filled in postorder
    for v in range(diagram.order + 1):  # postorder: children first
        kids = [_gather(vectors[c], plan.child_keys[v][i]) for i, c in enumerate(children[v])]
        if v == root:
            break
        if plan.node_slots[v] == (None,):  # a leaf alone in its part: the mean gradient
            vectors[v] = functions.mean_gradient.expand(1, draws, -1)
            continue
        samples = _gather_samples(batch, plan.node_slots[v])
        vectors[v] = _rows(functions.vector(len(kids)), len(plan.node_keys[v]), draws, theta0, samples, *kids)
    weights = torch.tensor(plan.weights, dtype=theta0.dtype, device=theta0.device)
    maps = len(plan.maps)
    if plan.root == "loss" and not kids:  # order 0: the mean loss
        return functions.mean_loss.expand(draws)
    if plan.root == "loss" and plan.node_slots[root][0] is None:  # degree 1 alone: the mean gradient
        values = kids[0] @ functions.mean_gradient
    elif plan.root == "loss":
        samples = _gather_samples(batch, plan.node_slots[root])
        values = _rows(functions.loss_root(len(kids)), maps, draws, theta0, samples, *kids)
    elif plan.root == "observable":
        if kids:
            values = _rows(functions.observable_root(len(kids)), maps, draws, theta0, *kids)
        else:
            assert functions.observable is not None  # a plan rooted at the observable: the model has one
            values = functions.observable(theta0).expand(maps, draws)
    elif len(kids) == 1:
        values = kids[0]
    else:  # θ − θ₀ has no derivatives of order ≠ 1
        return torch.zeros(draws, theta0.shape[0], dtype=theta0.dtype, device=theta0.device)
    return torch.tensordot(weights, values, dims=1)


def _gather(tensor: torch.Tensor, index: tuple[int, ...]) -> torch.Tensor:
    """Rows ``index`` of a (keys, draws, …) tensor."""
    return tensor[torch.tensor(index, device=tensor.device)]


def _gather_samples(batch, slots: tuple[int, ...]):
    """The samples of ``slots`` (one per key): leading axes (keys, draws)."""
    index = torch.tensor(slots)
    if isinstance(batch, tuple):
        return tuple(t[index.to(t.device)] for t in batch)
    return batch[index.to(batch.device)]


def _rows(function: Callable, keys: int, draws: int, theta0: torch.Tensor, *inputs) -> torch.Tensor:
    """``function`` (vectorized over its first axis) on (keys, draws, …) inputs, flattened to keys·draws rows."""
    flat = [tuple(t.flatten(0, 1) for t in x) if isinstance(x, tuple) else x.flatten(0, 1) for x in inputs]
    out = function(theta0, *flat)
    return out.reshape(keys, draws, *out.shape[1:])
