"""Unbiased sampling of a diagram's value: which sample each node is evaluated on, with what weight.

A part of a diagram evaluates to the joint cumulant of its nodes' tensors for
one shared sample (SPEC §4).  By the moment–cumulant formula that cumulant is
Σ_π μ(π) Π_{blocks B of π} E[Π_{v∈B} ∇^{k_v} l_x]; a product of expectations
over *different* blocks is the expectation on *independent* samples.  So a
part of j nodes draws j independent samples, and every map f from its nodes to
those samples contributes its product of node tensors (node v on sample
f(v)) with the weight

    μ(r) · (j − r)! / j!,   r = |f(nodes)|,  μ(r) = (−1)^{r−1}(r − 1)!,

μ of the partition into the fibres of f, shared among the j!/(j − r)!
injective labellings of those blocks by samples.  This is the U-statistic of
the moment–cumulant formula: unbiased, symmetric in the j samples, and exactly
zero on every draw when one of the part's tensors does not depend on the
sample (a part holding a constant Hessian, say), as that cumulant is.

The diagram's value contracts the parts' cumulants along its edges.  The
contraction is multilinear and different parts draw different samples, so one
draw of every part's samples, summed over the product of the parts' maps with
the product of their weights, and contracted node by node with each node on
its own sample, is an unbiased estimate of the diagram's value.

>>> [(f, str(w)) for f, w in sample_maps(2)]
[((0, 0), '1/2'), ((0, 1), '-1/2'), ((1, 0), '-1/2'), ((1, 1), '1/2')]
>>> sum(w for _, w in sample_maps(3))        # a constant's cumulant with itself vanishes
Fraction(0, 1)
"""

from __future__ import annotations

import zlib
from fractions import Fraction
from functools import lru_cache
from itertools import product
from math import factorial

import numpy as np

from ..core.diagram import Diagram
from ..core.partitions import mobius, set_partitions

__all__ = ["sample_maps", "power_sum_weights", "diagram_rng", "DrawPlan", "ROOTS"]


@lru_cache(maxsize=16)
def sample_maps(size: int) -> tuple[tuple[tuple[int, ...], Fraction], ...]:
    """Every map of a part's ``size`` nodes to ``size`` samples, with its weight (see the module docstring)."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"a part has a positive number of nodes, got {size!r}")
    found = []
    for images in product(range(size), repeat=size):
        r = len(set(images))
        found.append((images, Fraction(mobius(r) * factorial(size - r), factorial(size))))
    return tuple(found)


@lru_cache(maxsize=16)
def power_sum_weights(size: int) -> tuple[tuple[tuple[tuple[int, ...], ...], Fraction], ...]:
    """The estimator of :func:`sample_maps` regrouped by power sums: [(σ, c(σ))] over set partitions σ.

    With S_B = Σ_s Π_{v∈B} X_v(x_s) (one sum over the part's samples per
    block B of nodes), Σ_f w(f) Π_v X_v(x_{f(v)}) = Σ_σ c(σ) Π_{B∈σ} S_B,
    where c(σ) = Σ_{π ≤ σ} w_π μ(π, σ) (Möbius inversion on the partition
    lattice: Π_B S_B sums the maps constant on σ's blocks).  Bell(size)
    products instead of size^size: worth it when the X_v are tensors.

    >>> [(blocks, str(c)) for blocks, c in power_sum_weights(2)]
    [(((0, 1),), '1'), (((0,), (1,)), '-1/2')]
    """
    found = []
    for partition in set_partitions(size):
        sigma = tuple(tuple(sorted(block)) for block in sorted(partition, key=min))
        coefficient = Fraction(0)
        for pieces in product(*(list(set_partitions(len(block))) for block in sigma)):
            blocks = sum(len(piece) for piece in pieces)  # |π| for this π ≤ σ
            w = Fraction(mobius(blocks) * factorial(size - blocks), factorial(size))
            mu = 1
            for piece in pieces:
                mu *= mobius(len(piece))
            coefficient += w * mu
        if coefficient:
            found.append((sigma, coefficient))
    return tuple(found)


def diagram_rng(seed: int, diagram: Diagram, purpose: str) -> np.random.Generator:
    """A random stream of its own for each (seed, diagram, purpose): estimates of different diagrams are independent.

    >>> from diagrams import parse
    >>> a = diagram_rng(0, parse("[a][a]"), "plain").integers(10**9)
    >>> b = diagram_rng(0, parse("[a:a]"), "plain").integers(10**9)
    >>> bool(a == diagram_rng(0, parse("[a][a]"), "plain").integers(10**9)), bool(a == b)
    (True, False)
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    key = (zlib.crc32(purpose.encode()), *diagram.text.encode())
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=key))


#: What sits at the root of a diagram: the loss on a sample, a model observable s(θ), or θ − θ₀.
ROOTS = ("loss", "observable", "displacement")


class DrawPlan:
    """How one draw estimates a diagram: the sample slots of its nodes under every map, and the maps' weights.

    A draw holds ``slots`` independent samples; part p owns the slots
    ``offset_p … offset_p + |p| − 1``.  ``maps[i]`` gives every node's slot
    under the i-th product of the parts' maps, and ``weights[i]`` its weight.
    A node whose part is known exactly has the slot ``None``: a node of
    degree 1 alone in its part (a leaf, or the root of degree 1) is the mean
    gradient G, computed once over the whole dataset, and the root of order 0
    the mean loss l(θ₀); a model observable or the displacement at the root
    is not random at any order.

    A non-root node's vector depends only on the slots of its subtree, so it
    is computed once per distinct ``node_keys[v]`` (on slot
    ``node_slots[v][j]`` for the j-th); the root has one row per map.
    ``child_keys[v][i][j]`` is the row of v's i-th child that v's j-th row uses.
    ``sampled_parts`` lists the sampled parts with their first slot.

    >>> from diagrams import parse
    >>> plan = DrawPlan(parse("[a:b][ab]"), "loss")
    >>> plan.slots, len(plan.maps), plan.maps[1], plan.weights[1]
    (3, 4, (0, 1, 2), -0.5)
    >>> DrawPlan(parse("[a:b][ab]"), "observable").maps[1]
    (0, 1, None)
    >>> DrawPlan(parse("[a][b][ab]"), "loss").maps       # exact leaves (G); only the root is sampled
    ((None, None, 0),)
    >>> DrawPlan(parse("[a][ab][b]"), "loss").maps       # G·H_x·G: only the middle node is sampled
    ((None, 0, None),)
    >>> plan.node_slots[0], plan.child_keys[2]      # a leaf on either of its part's slots; the root's maps
    ((0, 1), ((0, 0, 1, 1), (0, 1, 0, 1)))
    """

    def __init__(self, diagram: Diagram, root: str):
        if root not in ROOTS:
            raise ValueError(f"the root is one of {ROOTS}, not {root!r}")
        if diagram.is_root_tied and root != "loss":
            raise ValueError(f"the root-tied diagram {diagram} needs the loss at its root, not the {root}")
        self.diagram, self.root = diagram, root
        sampled = [part for part in diagram.parts if not _exact(diagram, part, root)]
        offsets, slots = [], 0
        for part in sampled:
            offsets.append(slots)
            slots += len(part)
        self.slots = slots
        self.sampled_parts = tuple(zip(sampled, offsets))
        maps, weights = [], []
        for choice in product(*(sample_maps(len(part)) for part in sampled)):
            node_slot: list[int | None] = [None] * (diagram.order + 1)
            weight = Fraction(1)
            for part, offset, (images, w) in zip(sampled, offsets, choice):
                for v, image in zip(part, images):
                    node_slot[v] = offset + image
                weight *= w
            maps.append(tuple(node_slot))
            weights.append(float(weight))
        self.maps, self.weights = tuple(maps), tuple(weights)
        subtrees: list[tuple[int, ...]] = []
        for v in range(diagram.order + 1):  # postorder: children come before their parent
            subtrees.append(tuple(sorted([v, *(w for c in diagram.children[v] for w in subtrees[c])])))
        self.subtrees = tuple(subtrees)
        # Per node, one row per distinct assignment of slots to its subtree (per map at the root).
        rows, index = [], []
        for v in range(diagram.order + 1):
            found: dict[tuple, tuple] = {}
            for assignment in self.maps:
                found.setdefault(self.key(v, assignment) if v != diagram.root else assignment, assignment)
            rows.append(tuple(found.values()))
            index.append({key: i for i, key in enumerate(found)})
        self.node_keys = tuple(tuple(self.key(v, r) for r in rows[v]) for v in range(diagram.order + 1))
        self.node_slots = tuple(tuple(r[v] for r in rows[v]) for v in range(diagram.order + 1))
        self.child_keys = tuple(
            tuple(tuple(index[c][self.key(c, r)] for r in rows[v]) for c in diagram.children[v])
            for v in range(diagram.order + 1)
        )

    def key(self, node: int, slots: tuple) -> tuple:
        """What a node's vector depends on: the node and its subtree's slots under the map ``slots``."""
        return (node, tuple(slots[w] for w in self.subtrees[node]))

    def __repr__(self) -> str:
        return f"DrawPlan({self.diagram}, root={self.root!r}, slots={self.slots}, maps={len(self.maps)})"


def _exact(diagram: Diagram, part: tuple[int, ...], root: str) -> bool:
    """Whether a part's value is computed exactly rather than sampled (see :class:`DrawPlan`)."""
    if len(part) > 1:
        return False
    (v,) = part
    if v == diagram.root and root != "loss":
        return True
    return diagram.degrees[v] <= 1
