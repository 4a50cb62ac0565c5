"""A diagram's value tensor over eigen-indices on one draw, for resummation in a Ritz basis.

With orthonormal Ritz vectors Q = (q₁ … q_k) of the Hessian, the node tensor
∇^m l_x(θ₀) projected on the basis is the m-th derivative at c = 0 of
c ↦ l_x(θ₀ + Qc), a function of k variables: one reverse-mode gradient and
m − 1 forward-mode Jacobians, never a P × P matrix.  The diagram's value
tensor V_x[i₁…i_d] (one eigen-index per edge) is the product of its nodes'
projected tensors (each node on its own sample, summed over the plan's maps
with their weights), and the resummed value of the draw is Σ_i V_x[i]·Z[i]
with Z the propagator sums at the Ritz values (SPEC §6); Σ_i V_x[i] is the
plain value in the basis, equal to the matrix-free one when k = P.

Node tensors are symmetric, so a node's tensor is laid into the d edge axes
of V by a reshape (its axes go to its edges, size 1 elsewhere), whatever the
order of its edges.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

import torch
from torch.func import jacfwd, jacrev, vmap

from .matrix_free import NodeFunctions, cached_per_instance
from .sampling import DrawPlan, power_sum_weights

__all__ = ["ProjectedFunctions", "projected_draws"]


class ProjectedFunctions:
    """Node tensors of one model in the Ritz basis ``basis`` (P × k)."""

    def __init__(self, functions: NodeFunctions, basis: torch.Tensor):
        self.functions, self.basis = functions, basis
        theta0 = functions.theta0
        self.origin = torch.zeros(basis.shape[1], dtype=theta0.dtype, device=theta0.device)

    @cached_per_instance
    def loss_tensor(self, degree: int) -> Callable:
        """x ↦ ∇^degree l_x(θ₀) in the basis: shape (draws, k, …, k), vectorized over draws."""
        sample_loss, theta0 = self.functions.sample_loss, self.functions.theta0

        def restricted(c, x):
            return sample_loss(theta0 + self.basis @ c, x)

        return vmap(lambda x: _derivative(restricted, degree)(self.origin, x))

    @cached_per_instance
    def observable_tensor(self, degree: int) -> torch.Tensor:
        """∇^degree s(θ₀) in the basis (no draw axis)."""
        observable, theta0 = self.functions.observable, self.functions.theta0
        assert observable is not None  # asked for only when the diagrams' root is the model's observable
        return _derivative(lambda c: observable(theta0 + self.basis @ c), degree)(self.origin).detach()

    @property
    def mean_gradient(self) -> torch.Tensor:
        """Qᵀ G (no draw axis)."""
        return self.basis.T @ self.functions.mean_gradient


def _derivative(function: Callable, degree: int) -> Callable:
    """The ``degree``-th derivative of a function of a vector (first argument): reverse once, then forward."""
    if degree == 0:
        return function
    derivative = jacrev(function)
    for _ in range(degree - 1):
        derivative = jacfwd(derivative)
    return derivative


def projected_draws(
    functions: ProjectedFunctions, plan: DrawPlan, batch, draws: int, propagators: Sequence[torch.Tensor]
) -> tuple[list[torch.Tensor], torch.Tensor]:
    """Per draw, Σ_i V_x[i]·Z[i] for each propagator grid Z (shape (k,)·order), and the plain Σ_i V_x[i].

    ``batch`` holds the samples of every slot for every draw (leading axes
    (slots, draws)).  Results have shape (draws,), or (draws, P) for the
    displacement.  Node tensors depend only on a node's degree and sample,
    so each is computed once per chunk of draws; each part's estimator is
    summed by power sums (:func:`~diagrams.torch.sampling.power_sum_weights`).
    """
    diagram = plan.diagram
    root, order = diagram.root, diagram.order
    theta0 = functions.functions.theta0
    dtype, device = theta0.dtype, theta0.device
    k = functions.basis.shape[1]
    if plan.root == "displacement" and diagram.degrees[root] != 1:  # θ − θ₀ has no derivatives of order ≠ 1
        zero = torch.zeros(draws, theta0.shape[0], dtype=dtype, device=device)
        return [zero for _ in propagators], zero
    if order == 0:
        if plan.root == "loss":
            value = functions.functions.mean_loss
        else:
            observable = functions.functions.observable
            assert observable is not None  # a plan rooted at the observable: the model has one
            value = observable(theta0).detach()
        value = value.expand(draws)
        return [value for _ in propagators], value
    incident = [[*diagram.children[v], *([v] if v != root else [])] for v in range(order + 1)]
    tensors: dict[tuple, torch.Tensor] = {}

    def node_tensor(v: int, slot) -> torch.Tensor:
        """Node v's projected tensor on its slot, shaped (draws or 1, …) over the d edge axes."""
        key = (len(incident[v]), slot, v == root and plan.root == "observable")
        if key not in tensors:
            degree = len(incident[v])
            if key[2]:
                tensor = functions.observable_tensor(degree).unsqueeze(0)
            elif slot is None:  # a leaf alone in its part
                tensor = functions.mean_gradient.unsqueeze(0)
            else:
                tensor = functions.loss_tensor(degree)(_slot(batch, slot))
            tensors[key] = tensor
        tensor = tensors[key]
        shape = [tensor.shape[0]] + [k if e in incident[v] else 1 for e in range(order)]
        return tensor.reshape(shape)

    # Σ over maps of weight · V_x = Π over parts of the part's estimator, by power sums
    total: torch.Tensor | None = None
    for part in diagram.parts:
        placed = [v for v in part if not (v == root and plan.root == "displacement")]
        if not placed:
            continue
        factor = _part_estimator(placed, node_tensor, dict(plan.sampled_parts).get(part))
        total = factor if total is None else total * factor
    assert total is not None  # order ≥ 1: a non-root node is placed
    total = total.expand(draws, *total.shape[1:])
    if plan.root == "displacement":  # V_x[μ, …] = Q[μ, i_root-edge] · (the rest)
        (edge,) = incident[root]
        others = tuple(1 + e for e in range(order) if e != edge)

        def to_parameters(tensor):
            reduced = tensor.sum(dim=others) if others else tensor
            return reduced.reshape(draws, k) @ functions.basis.T

        return [to_parameters(total * grid) for grid in propagators], to_parameters(total)
    flat = total.reshape(draws, -1)
    return [flat @ grid.reshape(-1) for grid in propagators], flat.sum(dim=1)


def _part_estimator(nodes: list[int], tensor: Callable, offset: int | None) -> torch.Tensor:
    """A part's unbiased cumulant estimator Σ_σ c(σ) Π_{B∈σ} S_B (:func:`power_sum_weights`), or its exact tensor."""
    if offset is None:  # not sampled: one exact node
        (v,) = nodes
        return tensor(v, None)
    j = len(nodes)
    sums: dict[tuple[int, ...], torch.Tensor] = {}
    terms = []
    for sigma, c in power_sum_weights(j):
        for block in sigma:
            if block not in sums:
                # j ≥ 1 terms: a tensor, never the empty sum's 0
                sums[block] = cast(
                    torch.Tensor, sum(_product([tensor(nodes[i], offset + s) for i in block]) for s in range(j))
                )
        terms.append(float(c) * _product([sums[block] for block in sigma]))
    return sum(terms[1:], terms[0])


def _product(tensors: list[torch.Tensor]) -> torch.Tensor:
    result = tensors[0]
    for t in tensors[1:]:
        result = result * t
    return result


def _slot(batch, slot: int):
    """The samples of one slot for every draw (``batch`` has leading axes (slots, draws))."""
    return tuple(t[slot] for t in batch) if isinstance(batch, tuple) else batch[slot]
