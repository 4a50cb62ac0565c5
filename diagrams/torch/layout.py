"""Parameters as one flat vector: the engine's θ ∈ ℝ^P, whatever shape the user's model keeps them in.

>>> import torch
>>> layout = ParameterLayout({"w": torch.ones(2, 3), "b": torch.zeros(3)})
>>> layout.size
9
>>> theta = layout.flatten({"w": torch.ones(2, 3), "b": torch.arange(3.0)})
>>> theta.tolist()
[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 2.0]
>>> layout.unflatten(theta)["b"].tolist()
[0.0, 1.0, 2.0]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from math import prod

import torch

__all__ = ["ParameterLayout"]


class ParameterLayout:
    """How a dict, tuple or list of tensors (or one tensor) maps onto a flat vector, in their order."""

    def __init__(self, params):
        if isinstance(params, torch.Tensor):
            self.kind, keys, tensors = "tensor", [None], [params]
        elif isinstance(params, Mapping):
            self.kind, keys, tensors = "dict", list(params), list(params.values())
        elif isinstance(params, Sequence) and not isinstance(params, (str, bytes)):
            self.kind, keys, tensors = "tuple", list(range(len(params))), list(params)
        else:
            raise TypeError(
                f"params must be a tensor, or a dict, tuple or list of tensors, got {type(params).__name__}"
            )
        for key, tensor in zip(keys, tensors):
            if not isinstance(tensor, torch.Tensor):
                raise TypeError(f"parameter {key!r} must be a tensor, got {type(tensor).__name__}")
            if not tensor.is_floating_point():
                raise TypeError(f"parameter {key!r} must be a floating-point tensor, got {tensor.dtype}")
        self.keys = tuple(keys)
        self.shapes = tuple(tuple(t.shape) for t in tensors)
        self.sizes = tuple(prod(shape) for shape in self.shapes)
        self.size = sum(self.sizes)
        if self.size == 0:
            raise ValueError("the model has no parameters")

    def flatten(self, params) -> torch.Tensor:
        """The parameters as one vector (a copy, detached from any graph)."""
        tensors = [params] if self.kind == "tensor" else [params[k] for k in self.keys]
        return torch.cat([t.detach().reshape(-1) for t in tensors])

    def unflatten(self, theta: torch.Tensor):
        """Views of ``theta`` shaped like the parameters (in the user's container type)."""
        pieces = [piece.reshape(shape) for piece, shape in zip(torch.split(theta, self.sizes), self.shapes)]
        if self.kind == "tensor":
            return pieces[0]
        if self.kind == "dict":
            return dict(zip(self.keys, pieces))
        return tuple(pieces)

    def __repr__(self) -> str:
        return f"ParameterLayout({self.kind}, {dict(zip(self.keys, self.shapes))}, size={self.size})"
