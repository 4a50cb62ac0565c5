"""The paper's corollaries as independent formulas, corrected where SPEC §9 says so.

Source: S. C. Tenka, *A Perturbative Analysis of Stochastic Gradient Descent*
(COLT 2021 submission; ``bohrium/perturb``, file ``colt/perturb-colt.tex``).
Everything here is written from the paper's statements and from first
principles (moment recursions, Lyapunov equations, matrix powers); nothing
imports the ``diagrams`` package, so the tests in ``test_reproductions.py``
compare the engine against formulas it did not produce.

Conventions: η is a scalar; "eigenbasis" means an orthonormal eigenbasis of
the Hessian H (columns of ``basis``), in which a tensor's components are
``rotate(tensor, basis)``; indices are contracted with δ (η factored out).
"""

from __future__ import annotations

from itertools import product

import numpy as np
import sympy

# -- (a) Cor. "overfit": GD (B = N, T steps) started at a test minimum -----------------


def overfit_gd_1d(C, H, N, T, eta, form="exact"):
    """Test loss minus l(θ⋆) after T steps of GD, 1-D: C(1 − K_T)²/(2NH).

    K_T = (1 − ηH)^T (``form='exact'``, the value of the resummed diagram
    ``[a:b][ab]``) or exp(−ηHT) (``'continuous'``, the paper's form).
    """
    decay = (1 - eta * H) ** T if form == "exact" else sympy.exp(-eta * H * T)
    return C * (1 - decay) ** 2 / (2 * N * H)


def gap_gd_1d(C, H, N, T, eta, form="exact"):
    """Generalization gap after T steps of GD from a test minimum, 1-D: C(1 − K_T)/(NH)."""
    decay = (1 - eta * H) ** T if form == "exact" else sympy.exp(-eta * H * T)
    return C * (1 - decay) / (N * H)


def gd_quadratic_exact(A, C, N, T, eta):
    """(overfitting, gap) of GD on l_x = θᵀAθ/2 + ξ_x·θ (E ξ = 0, Cov ξ = C) from θ₀ = θ⋆ = 0.

    No eigenbasis and no diagrams: GD on the training loss θᵀAθ/2 + ξ̄·θ gives
    θ_T = −(I − K^T) A⁻¹ ξ̄ with K = I − ηA and Cov ξ̄ = C/N, so
    E[l(θ_T)] − l(θ⋆) = tr(A M C Mᵀ)/(2N) with M = (I − K^T)A⁻¹, and the gap
    E[l − l_train] = −E[ξ̄·θ_T] = tr((I − K^T)A⁻¹C)/N.
    """
    A, C = np.asarray(A, float), np.asarray(C, float)
    I = np.eye(len(A))
    M = (I - np.linalg.matrix_power(I - eta * A, T)) @ np.linalg.inv(A)
    return np.trace(A @ M @ C @ M.T) / (2 * N), np.trace(
        (I - np.linalg.matrix_power(I - eta * A, T)) @ np.linalg.inv(A) @ C
    ) / N


def gd_quadratic_eigen(A, C, N, T, eta, form="exact"):
    """The paper's eigenbasis forms of Cor. "overfit": Σ_μ C'_μμ(1 − k_μ)²/(2Nλ_μ) and Σ_μ C'_μμ(1 − k_μ)/(Nλ_μ).

    k_μ = (1 − ηλ_μ)^T (exact) or exp(−ηλ_μT) (the paper's continuous form).
    """
    lam, basis = np.linalg.eigh(np.asarray(A, float))
    Cp = rotate(np.asarray(C, float), basis)
    k = (1 - eta * lam) ** T if form == "exact" else np.exp(-eta * lam * T)
    diag = np.diag(Cp)
    return float(np.sum(diag * (1 - k) ** 2 / (2 * N * lam))), float(np.sum(diag * (1 - k) / (N * lam)))


# -- tensors in an eigenbasis ------------------------------------------------------------


def rotate(tensor, basis):
    """Components of a covariant tensor in the orthonormal basis given by the columns of ``basis``."""
    out = np.asarray(tensor, float)
    for axis in range(out.ndim):
        out = np.moveaxis(np.tensordot(out, basis, axes=([axis], [0])), -1, axis)
    return out


# -- (b) Cor. "vsode": the skewness term, E = B = 1 ------------------------------------


def skewness_term(S, J, H, eta, T=None, form="exact"):
    """Contribution of the gradient-noise skewness S to E[l(θ_T)], from the resummed ``[a:b:c][abc]``.

    In an eigenbasis of H (eigenvalues λ):

        exact:       −(η³/6) Σ_{μνλ} S'_{μνλ} J'_{μνλ} (1 − y^T)/(1 − y),  y = Π(1 − ηλ)
        continuous:  −(η³/6) Σ S'J' (1 − exp(−Tη(λ_μ+λ_ν+λ_λ)))/(η(λ_μ+λ_ν+λ_λ))   (Cor. "vsode")

    ``T=None`` gives T → ∞: −(η³/6)ΣS'J'/(1 − y), resp. −(η²/6)ΣS'J'/(λ_μ+λ_ν+λ_λ).
    The sign is minus (the appendix's "+Tη³/6" is a slip, SPEC §9).
    """
    lam, basis = np.linalg.eigh(np.asarray(H, float))
    Sp, Jp = rotate(S, basis), rotate(J, basis)
    total = 0.0
    for i, j, k in product(range(len(lam)), repeat=3):
        rate = eta * (lam[i] + lam[j] + lam[k])
        if form == "exact":
            y = (1 - eta * lam[i]) * (1 - eta * lam[j]) * (1 - eta * lam[k])
            z = 1 / (1 - y) if T is None else (1 - y**T) / (1 - y)
        else:
            z = 1 / rate if T is None else (1 - np.exp(-T * rate)) / rate
        total += Sp[i, j, k] * Jp[i, j, k] * z
    return -(eta**3) / 6 * total


# -- (c) Cor. "entropic": drift along a flat direction -----------------------------------


def entropic_drift(C, J_flat, H_block, eta, form="spec"):
    """Per-step expected displacement along a flat direction e (H e = 0), T → ∞, E = B = 1.

    ``C`` and ``H_block`` are the noise covariance and Hessian restricted to
    the non-flat subspace (where C lives), ``J_flat[μ, ν] = J_{μνλ}e^λ``.
    In an eigenbasis of ``H_block``:

        spec (SPEC §9):  −(η²/2) Σ_{μν} C'_{μν} J'_{μν} / (λ_μ + λ_ν)
        exact:           −(η³/2) Σ_{μν} C'_{μν} J'_{μν} / (1 − (1 − ηλ_μ)(1 − ηλ_ν))

    The exact form is the discrete-time stationary value; the two differ by a
    factor 1 + O(η).
    """
    lam, basis = np.linalg.eigh(np.asarray(H_block, float))
    Cp, Jp = rotate(C, basis), rotate(J_flat, basis)
    total = 0.0
    for i, j in product(range(len(lam)), repeat=2):
        if form == "spec":
            total += Cp[i, j] * Jp[i, j] / (lam[i] + lam[j])
        else:
            total += Cp[i, j] * Jp[i, j] / (1 - (1 - eta * lam[i]) * (1 - eta * lam[j])) * eta
    return -(eta**2) / 2 * total


def stationary_covariance(H_block, C, eta, discrete=True):
    """Stationary Cov(θ) of the linearized noisy descent θ ← θ − η(Hθ + ξ), Cov ξ = C, without an eigenbasis.

    discrete:   Σ = KΣKᵀ + η²C, K = I − ηH   (exact for the linear recursion)
    continuous: HΣ + ΣH = ηC                 (the Ornstein–Uhlenbeck / Lyapunov limit)

    solved as a linear system with Kronecker products.
    """
    H_block, C = np.asarray(H_block, float), np.asarray(C, float)
    m = len(H_block)
    I = np.eye(m)
    if discrete:
        K = I - eta * H_block
        op, rhs = np.eye(m * m) - np.kron(K, K), eta**2 * C
    else:
        op, rhs = np.kron(H_block, I) + np.kron(I, H_block), eta * C
    return np.linalg.solve(op, rhs.reshape(-1)).reshape(m, m)


def entropic_displacement_nondegenerate(C, J, H, eta):
    """T → ∞ total displacement from a non-degenerate minimum, continuous form (SPEC-corrected).

    Resumming ``[a:b][abc][c]`` with exp propagators: the gap between the
    noise and the J node gives η²∫exp(−ηt(λ_a+λ_b)) = η/(λ_a+λ_b), the root
    edge gives η∫exp(−ηtλ_c) = 1/λ_c, and the factor is (−1)³/2:

        Δθ^μ = −(η/2) Σ_{abc} C'_{ab} J'_{abc} V^μ_c / ((λ_a + λ_b) λ_c).

    The paper's Cor. "entropic" prints −(η³/2)ΣC'(1/(η(λ_a+λ_b)))J'(1/λ_c),
    which is this times η ("drops a 1/η", SPEC §9).
    """
    lam, basis = np.linalg.eigh(np.asarray(H, float))
    Cp, Jp = rotate(C, basis), rotate(J, basis)
    m = len(lam)
    eigen = np.zeros(m)
    for a, b, c in product(range(m), repeat=3):
        eigen[c] += Cp[a, b] * Jp[a, b, c] / ((lam[a] + lam[b]) * lam[c])
    return -eta / 2 * (basis @ eigen)


# -- (d) Helix (SPEC §8), derived by hand at θ = 0 ---------------------------------------
#
# H(θ)/2 = (u² + v²)/2 + (cos z·u + sin z·v)²/2 has Hessian diag(2, 1, 0) at 0;
# ∂_z of its (u, v) block at z = 0 is [[0, 1], [1, 0]], so J_uvz = 1 and every
# other J component (up to symmetry) vanishes.  ∇(x·S) at 0 is
# x·(cos(−π/4), sin(−π/4), 0) = x(1, −1, 0)/√2, so C = [[1, −1], [−1, 1]]/2 on (u, v).
HELIX_HESSIAN = np.diag([2.0, 1.0, 0.0])
HELIX_C_BLOCK = np.array([[0.5, -0.5], [-0.5, 0.5]])
HELIX_J_FLAT = np.array([[0.0, 1.0], [1.0, 0.0]])  # J_{μνz} on (u, v)
