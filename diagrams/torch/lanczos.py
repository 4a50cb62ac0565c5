"""Lanczos with full reorthogonalization: Ritz pairs of a symmetric operator known only by its products.

For the Hessian H of the population loss, ``matvec`` is a Hessian–vector
product (one forward-over-reverse pass), so H is never formed.  After k steps
the orthonormal Lanczos vectors V_k and the tridiagonal T_k = V_kᵀ H V_k give
Ritz pairs (λ_i, V_k s_i) from T_k s_i = λ_i s_i, with residuals
‖H y_i − λ_i y_i‖ = β_k |s_{k,i}|, β_k the norm of the next Lanczos vector
before normalization.  Every new vector is orthogonalized twice against all
earlier ones ("twice is enough"), so the basis stays orthonormal; when the
Krylov space is exhausted (β ≈ 0) the iteration restarts from a random vector
orthogonal to the basis, so k = dim always yields a complete eigenbasis.

Reference: G. H. Golub and C. F. Van Loan, *Matrix Computations*, 4th ed.,
§10.1 (the Lanczos iteration) and §10.3.1 (complete reorthogonalization).

>>> import torch
>>> A = torch.diag(torch.tensor([3.0, 1.0, 2.0], dtype=torch.float64))
>>> pairs = lanczos(lambda v: A @ v, torch.ones(3, dtype=torch.float64), 3)
>>> [round(x, 12) for x in pairs.values.tolist()]
[1.0, 2.0, 3.0]
>>> bool(pairs.residual_norms.max() < 1e-12)
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

__all__ = ["RitzPairs", "lanczos"]


@dataclass(frozen=True)
class RitzPairs:
    """Ritz values (ascending), Ritz vectors (columns, orthonormal) and Lanczos residual norms ‖Hy − λy‖."""

    values: torch.Tensor
    vectors: torch.Tensor
    residual_norms: torch.Tensor

    @property
    def rank(self) -> int:
        return int(self.values.shape[0])

    def to(self, device) -> RitzPairs:
        return RitzPairs(self.values.to(device), self.vectors.to(device), self.residual_norms.to(device))

    def __repr__(self) -> str:
        return (
            f"RitzPairs(rank={self.rank}, values in [{self.values.min().item():.4g}, {self.values.max().item():.4g}], "
            f"max residual {self.residual_norms.max().item():.2g})"
        )


def lanczos(
    matvec: Callable[[torch.Tensor], torch.Tensor],
    start: torch.Tensor,
    rank: int,
    *,
    generator: torch.Generator | None = None,
) -> RitzPairs:
    """``rank`` Ritz pairs of the symmetric operator ``matvec`` from the Krylov space of ``start``."""
    dim = start.shape[0]
    if isinstance(rank, bool) or not isinstance(rank, int) or not 1 <= rank <= dim:
        raise ValueError(f"rank must be an int from 1 to the dimension {dim}, got {rank!r}")
    basis = torch.zeros(dim, rank, dtype=start.dtype, device=start.device)
    alphas = torch.zeros(rank, dtype=start.dtype, device=start.device)
    betas = torch.zeros(rank, dtype=start.dtype, device=start.device)  # betas[j]: coupling of vectors j and j+1
    vector = _fresh(start, basis[:, :0], generator)
    scale = 0.0
    for j in range(rank):
        basis[:, j] = vector
        w = matvec(vector)
        alphas[j] = torch.dot(w, vector)
        w = w - alphas[j] * vector - (betas[j - 1] * basis[:, j - 1] if j else 0)
        for _ in range(2):  # full reorthogonalization, twice
            w = w - basis[:, : j + 1] @ (basis[:, : j + 1].T @ w)
        beta = torch.linalg.vector_norm(w)
        scale = max(scale, abs(alphas[j].item()) + beta.item())
        betas[j] = beta
        if j + 1 < rank:
            if beta.item() <= 1e-10 * max(scale, 1e-300):  # invariant subspace: restart orthogonally
                betas[j] = 0.0
                restart = torch.randn(dim, generator=generator, dtype=start.dtype).to(start.device)
                vector = _fresh(restart, basis[:, : j + 1], generator)
            else:
                vector = w / beta
    tridiagonal = torch.diag(alphas) + torch.diag(betas[:-1], 1) + torch.diag(betas[:-1], -1)
    values, vectors = torch.linalg.eigh(tridiagonal)
    residuals = betas[-1].abs() * vectors[-1, :].abs()
    return RitzPairs(values, basis @ vectors, residuals)


def _fresh(vector: torch.Tensor, basis: torch.Tensor, generator) -> torch.Tensor:
    """``vector`` orthogonalized against ``basis`` and normalized (a random one if nothing of it is left)."""
    for _ in range(3):
        original = torch.linalg.vector_norm(vector).item()
        if original > 0:
            for _ in range(2):
                vector = vector - basis @ (basis.T @ vector)
            norm = torch.linalg.vector_norm(vector).item()
            if norm > 1e-8 * original:
                return vector / norm
        vector = torch.randn(vector.shape[0], generator=generator, dtype=vector.dtype).to(vector.device)
    raise ValueError("could not find a vector orthogonal to the Lanczos basis")
