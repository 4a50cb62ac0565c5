"""Exact statistics of a small PyTorch model: population cumulant tensors from every sample's derivative tensors.

A test helper, independent of the estimators it checks: it materializes
∇^k l_x(θ₀) for every sample x of the dataset with ``torch.func.jacrev``/
``jacfwd`` (fine for a handful of parameters), then forms each joint cumulant
of the uniform distribution over the dataset by the moment–cumulant formula
over set partitions, as arrays for :meth:`diagrams.Statistics.numeric`.
"""

from __future__ import annotations

from itertools import combinations_with_replacement

import numpy as np
import torch
from torch.func import jacfwd, jacrev, vmap

from diagrams import Statistics
from diagrams.core.partitions import mobius, set_partitions

LETTERS = "abcdefghijklmopqrstuvwxyz"  # no 'n': it indexes samples


def per_sample_tensors(model, max_degree: int) -> list[np.ndarray]:
    """[l_x, ∇l_x, ∇²l_x, …] at θ₀ for every sample x: arrays of shape (samples, P, …, P)."""
    rows = torch.arange(model.size)
    data = model.samples(rows)
    tensors = []
    function = model.sample_loss
    for degree in range(max_degree + 1):
        if degree == 1:
            function = jacrev(function)
        elif degree > 1:
            function = jacfwd(function)
        tensors.append(vmap(function, in_dims=(None, 0))(model.theta0, data).detach().numpy())
    return tensors


def joint_cumulant(tensors: list[np.ndarray], degrees: tuple[int, ...]) -> np.ndarray:
    """κ(∇^{k₁}l_x, …, ∇^{k_j}l_x) over the dataset, axes node by node (Σ_π μ(π) Π_B E[⊗_{v∈B}])."""
    letters, start = [], 0
    for k in degrees:
        letters.append(LETTERS[start : start + k])
        start += k
    output = "".join(letters)
    total = np.zeros((tensors[1].shape[1],) * start)
    for blocks in set_partitions(len(degrees)):
        moments, subscripts = [], []
        for block in blocks:
            spec = ",".join("n" + letters[i] for i in block) + "->" + "".join(letters[i] for i in block)
            moments.append(np.einsum(spec, *(tensors[degrees[i]] for i in block)) / tensors[0].shape[0])
            subscripts.append("".join(letters[i] for i in block))
        total = total + mobius(len(blocks)) * np.einsum(",".join(subscripts) + "->" + output, *moments)
    return total


def exact_statistics(model, *, max_degree: int = 3, max_nodes: int = 4, max_total: int = 6) -> Statistics:
    """Statistics.numeric with every joint cumulant of up to ``max_nodes`` tensors of degree ≤ ``max_degree``."""
    tensors = per_sample_tensors(model, max_degree)
    kappa = {(0,): np.asarray(tensors[0].mean())}
    for j in range(1, max_nodes + 1):
        for degrees in combinations_with_replacement(range(1, max_degree + 1), j):
            if sum(degrees) <= max_total:
                kappa[degrees] = joint_cumulant(tensors, degrees)
    return Statistics.numeric(dim=model.dim, kappa=kappa)
