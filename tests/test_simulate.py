"""Monte-Carlo SGD (diagrams.landscapes.simulate) against exact answers: the brute-force oracle on quadratic
landscapes (where the η-series terminates, so it is exact), SPEC §6's MeanEstimation formula,
closed forms for one step of Gauss, plain numpy loops for the schedule semantics (SPEC §1)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
import sympy.stats
from oracle_sgd import sgd_series

import diagrams.landscapes.simulate as simulate
from diagrams import Landscape, Schedule, simulate_sgd
from diagrams.landscapes.simulate import BLOCK, draw_samples, run_sgd

ETA = 0.1
W, V, X = sympy.symbols("w v x")

# Quadratic in θ (so θ_T is a polynomial of degree T in η and E[l(θ_T)] one of degree 2T),
# noisy Hessian and gradient, skewed three-point sample.
QUADRATIC_LOSS = (2 + X) * W**2 / 2 + W * V / 2 + (3 - X) * V**2 / 4 + X * (W - V) + X**2 * W / 3
QUADRATIC_DISTRIBUTION = {-1: sympy.Rational(1, 4), 0: sympy.Rational(1, 4), 2: sympy.Rational(1, 2)}
QUADRATIC_START = {W: sympy.Rational(1, 2), V: -1}


def quadratic_landscape() -> Landscape:
    return Landscape(QUADRATIC_LOSS, [W, V], X, QUADRATIC_DISTRIBUTION)


def polynomial_at(coefficients, eta: float) -> float:
    return sum(float(c) * eta**k for k, c in enumerate(coefficients))


def assert_within(estimate, exact, sigmas: float = 4.5):
    """|mean − exact| ≤ sigmas·stderr, componentwise (exact may be an array)."""
    z = np.abs(np.asarray(estimate.mean) - np.asarray(exact, dtype=float)) / np.asarray(estimate.stderr)
    assert np.all(z <= sigmas), f"mean {estimate.mean} vs exact {exact}: {z} standard errors"


@pytest.mark.parametrize("N,B,E", [(2, 1, 2), (4, 2, 1), (3, 3, 2), (3, 1, 1)])
def test_quadratic_landscape_matches_the_exact_oracle(N, B, E):
    T = E * N // B
    oracle = sgd_series(QUADRATIC_LOSS, [W, V], X, QUADRATIC_DISTRIBUTION, N, B, E, 2 * T, theta0=QUADRATIC_START)
    result = quadratic_landscape().simulate_sgd(Schedule(N, B, E), ETA, at=QUADRATIC_START, trials=200_000, seed=3)
    assert result.test_loss_method == "exact"
    for name in ("test_loss", "train_loss", "gap"):
        assert_within(result[name], polynomial_at(oracle[name], ETA))
    assert_within(result["displacement"], [polynomial_at(c, ETA) for c in oracle["displacement"]])


def test_confidence_intervals_cover_the_exact_value_at_the_nominal_rate():
    """Over 40 seeds the 95% interval for E[l(θ_T)] should miss the exact value about twice."""
    oracle = sgd_series(QUADRATIC_LOSS, [W, V], X, QUADRATIC_DISTRIBUTION, 2, 1, 2, 8, theta0=QUADRATIC_START)
    exact = polynomial_at(oracle["test_loss"], ETA)
    land = quadratic_landscape()
    misses = 0
    for seed in range(40):
        low, high = land.simulate_sgd(Schedule(2, 1, 2), ETA, at=QUADRATIC_START, trials=2000, seed=seed)[
            "test_loss"
        ].ci()
        misses += not (low <= exact <= high)
    assert misses <= 7  # P(Binomial(40, 0.05) ≥ 8) < 0.1%


@pytest.mark.parametrize("noise", ["rademacher", "normal"])
@pytest.mark.parametrize("theta0", [1.0, 0.0])
def test_mean_estimation_matches_the_exact_resummed_formula(noise, theta0):
    """SPEC §6: E[l(θ_T)] = (H/2)θ₀²(1−ηH)^{2T} + (η²S²H/2)(1−(1−ηH)^{2T})/(1−(1−ηH)²) for E = B = 1."""
    H, S, eta, T = 1.5, 0.8, 0.1, 30
    land = Landscape.mean_estimation(H=sympy.Rational(3, 2), S=sympy.Rational(4, 5), noise=noise)
    result = land.simulate_sgd(Schedule.sgd(T), eta, at={land.params[0]: theta0}, trials=100_000, seed=5)
    q = (1 - eta * H) ** 2
    exact = H / 2 * theta0**2 * q**T + eta**2 * S**2 * H / 2 * (1 - q**T) / (1 - q)
    assert_within(result["test_loss"], exact)
    assert result.test_loss_method == ("exact" if noise == "rademacher" else "moments")


def test_sampled_test_loss_is_unbiased():
    land = Landscape.mean_estimation(H=1, S=1, noise="normal")
    eta, T = 0.1, 20
    options = dict(trials=50_000, seed=2, test_loss="sampled", test_samples=16)
    result = land.simulate_sgd(Schedule.sgd(T), eta, at={land.params[0]: 1}, **options)
    q = (1 - eta) ** 2
    exact = q**T / 2 + eta**2 / 2 * (1 - q**T) / (1 - q)
    assert result.test_loss_method == "sampled"
    assert_within(result["test_loss"], exact)


def test_falls_back_to_sampling_when_sympy_cannot_average(monkeypatch):
    z = sympy.stats.Normal("z", 0, 1)
    land = Landscape(W**2 / 2 + W * sympy.sin(z), [W], z)  # not polynomial in the sample

    def refuse(*args, **kwargs):
        raise NotImplementedError("no closed form")

    monkeypatch.setattr(simulate.sympy.stats, "E", refuse)
    result = land.simulate_sgd(Schedule.sgd(3), 0.1, trials=2000, seed=0, test_samples=8)
    assert result.test_loss_method == "sampled"
    assert np.isfinite(result["test_loss"].mean)
    with pytest.raises(ValueError, match="sampled"):
        land.simulate_sgd(Schedule.sgd(3), 0.1, trials=10, test_loss="exact")


def test_gauss_one_step_matches_its_closed_form():
    """T = 1 from h = 0 (the paper's Gauss experiment): θ₁ = −η(1 − x²)/2, so
    E l(θ₁) = e^{η/2}/(2√(1+η)) and the gap is η e^{η/2}/(2(1+η)^{3/2})."""
    eta = 0.2
    land = Landscape.gauss()
    result = land.simulate_sgd(Schedule.sgd(1), eta, trials=400_000, seed=9)
    assert result.test_loss_method == "moments"
    assert_within(result["test_loss"], math.exp(eta / 2) / (2 * math.sqrt(1 + eta)))
    assert_within(result["gap"], eta * math.exp(eta / 2) / (2 * (1 + eta) ** 1.5))
    assert_within(result["train_loss"], math.exp(eta / 2) / (2 * (1 + eta) ** 1.5))
    assert_within(result["displacement"], [0.0])


@pytest.mark.parametrize(
    "make,mean",
    [
        (lambda: sympy.stats.Exponential("x", 2), 0.5),  # drawn with numpy
        (lambda: sympy.stats.Gamma("x", 2, 1), 2.0),  # drawn by sympy.stats.sample
        (lambda: sympy.stats.Bernoulli("x", sympy.Rational(1, 3)), 1 / 3),  # finite: its probabilities
    ],
)
def test_other_sample_distributions(make, mean):
    """One GD step on l_x = w²/2 − x·w from 0 moves to η·(mean of the batch), so E θ₁ = η·E x."""
    x = make()
    land = Landscape(W**2 / 2 - x * W, [W], x)
    result = land.simulate_sgd(Schedule.gd(4, 1), 0.5, trials=20_000, seed=1)
    assert_within(result["displacement"], [0.5 * mean])
    assert result.test_loss_method in ("exact", "moments")


def test_compiled_landscapes_are_not_kept_alive():
    import gc
    import weakref

    land = Landscape.mean_estimation()
    land.simulate_sgd(Schedule.sgd(2), 0.1, trials=10)
    ref = weakref.ref(land)
    del land
    gc.collect()
    assert ref() is None


# -- schedule semantics (SPEC §1) -----------------------------------------------------


def plain_sgd(gradient, theta0, xs, N, B, E, eta):
    """θ_{t+1} = θ_t − η·(1/B)Σ_{n ∈ batch t mod N/B} ∇l_{x_n}(θ_t), one trial, written plainly."""
    theta = np.array(theta0, dtype=float)
    for t in range(E * N // B):
        k = t % (N // B)
        theta = theta - eta * np.mean([gradient(theta, xs[n]) for n in range(k * B, k * B + B)], axis=0)
    return theta


def helix_gradient(theta, x):
    u, v, z = theta
    c, s = math.cos(z), math.sin(z)
    a = c * u + s * v
    cs, sn = math.cos(z - math.pi / 4), math.sin(z - math.pi / 4)
    return np.array([u + a * c + x * cs, v + a * s + x * sn, a * (-s * u + c * v) + x * (-sn * u + cs * v)])


@pytest.mark.parametrize("N,B,E", [(6, 2, 3), (4, 4, 2), (5, 1, 2), (3, 1, 1)])
def test_batches_follow_the_schedule_on_fixed_training_sets(N, B, E):
    land = Landscape.helix()
    rng = np.random.default_rng(0)
    xs = 3 * rng.normal(size=(4, N))  # large samples, so the order of batches matters
    theta0 = [0.3, -0.2, 0.1]
    got = run_sgd(land, Schedule(N, B, E), 0.3, theta0, xs)
    for trial in range(len(xs)):
        expected = plain_sgd(helix_gradient, theta0, xs[trial], N, B, E, 0.3)
        np.testing.assert_allclose(got[:, trial], expected, rtol=1e-12, atol=1e-12)
    if E > 1 and N > B:  # a reshuffled second epoch is detectably different
        swapped = plain_sgd(helix_gradient, theta0, xs[0][::-1], N, B, E, 0.3)
        assert not np.allclose(got[:, 0], swapped)


def test_non_polynomial_sample_dependence_uses_the_generic_path():
    z = sympy.stats.Normal("z", 0, 1)
    land = Landscape(W**2 / 2 + sympy.sin(z) * W + sympy.cos(W) * z**2 / 4, [W], z)
    xs = np.random.default_rng(1).normal(size=(3, 4))
    got = run_sgd(land, Schedule(4, 2, 2), 0.2, [0.5], xs)
    grad = lambda th, x: np.array([th[0] + math.sin(x) - math.sin(th[0]) * x**2 / 4])  # noqa: E731
    for trial in range(3):
        np.testing.assert_allclose(got[:, trial], plain_sgd(grad, [0.5], xs[trial], 4, 2, 2, 0.2), rtol=1e-12)


@pytest.mark.parametrize("schedule", [Schedule(6, 2, 3), Schedule.gd(5, 7), Schedule.sgd(4)])
def test_noiseless_landscape_is_plain_gradient_descent(schedule):
    loss = W**4 / 4 + sympy.cos(V) * W + V**2 / 2
    land = Landscape(loss, [W, V], X, {7: 1})  # the sample never matters
    theta = np.array([1.0, 0.5])
    for _ in range(schedule.T):
        w, v = theta
        theta = theta - 0.1 * np.array([w**3 + math.cos(v), -math.sin(v) * w + v])
    result = land.simulate_sgd(schedule, 0.1, at={W: 1, V: 0.5}, trials=50)
    np.testing.assert_allclose(result["displacement"].mean, theta - [1.0, 0.5], rtol=1e-12)
    np.testing.assert_allclose(result["displacement"].stderr, 0, atol=1e-14)
    w, v = theta
    assert result["test_loss"].mean == pytest.approx(w**4 / 4 + math.cos(v) * w + v**2 / 2, rel=1e-12)
    assert result["gap"].mean == pytest.approx(0, abs=1e-14)


def test_matrix_learning_rate_raises_indices():
    land = Landscape(W**2 + W * V + V**2, [W, V], X, {0: 1})
    eta = np.array([[0.1, 0.02], [0.02, 0.05]])
    theta = np.array([1.0, -2.0])
    for _ in range(5):
        theta = theta - eta @ np.array([2 * theta[0] + theta[1], theta[0] + 2 * theta[1]])
    result = land.simulate_sgd(Schedule.sgd(5), eta, at={W: 1, V: -2}, trials=4)
    np.testing.assert_allclose(result["displacement"].mean, theta - [1.0, -2.0], rtol=1e-12)


# -- randomness -------------------------------------------------------------------------


def test_trials_use_documented_streams():
    """Block b of BLOCK trials draws its training sets from SeedSequence(seed).spawn(blocks)[b]."""
    land = quadratic_landscape()
    seed, trials, schedule = 12, 3, Schedule(4, 2, 2)
    stream = np.random.SeedSequence(seed).spawn(1)[0]
    xs = draw_samples(land, (trials, 4), np.random.default_rng(stream))
    theta = run_sgd(land, schedule, ETA, [0.5, -1.0], xs)
    result = land.simulate_sgd(schedule, ETA, at=QUADRATIC_START, trials=trials, seed=seed)
    np.testing.assert_allclose(result["displacement"].mean, theta.mean(axis=1) - [0.5, -1.0], rtol=1e-12)


def test_reproducible_and_independent_of_batch_trials():
    land = Landscape.helix()
    run = lambda **kw: land.simulate_sgd(Schedule(4, 2, 3), 0.1, trials=3 * BLOCK + 17, **kw)  # noqa: E731
    a, b, c = run(seed=4), run(seed=4), run(seed=4, batch_trials=BLOCK)
    d = run(seed=5)
    for name in ("test_loss", "train_loss", "gap", "displacement"):
        np.testing.assert_array_equal(a[name].mean, b[name].mean)
        np.testing.assert_array_equal(a[name].stderr, b[name].stderr)
        np.testing.assert_allclose(a[name].mean, c[name].mean, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(a[name].stderr, c[name].stderr, rtol=1e-9)
        assert np.all(a[name].mean != d[name].mean)


def test_helix_short_run_is_finite_and_reproducible():
    land = Landscape.helix()
    kwargs = dict(trials=5000, seed=1, record_every=10)
    a = land.simulate_sgd(Schedule.sgd(50), 0.1, **kwargs)
    b = land.simulate_sgd(Schedule.sgd(50), 0.1, **kwargs)
    assert a.nonfinite == 0 and a.test_loss_method == "moments"
    for name, est in a.estimates.items():
        assert np.all(np.isfinite(est.mean)) and np.all(np.isfinite(est.stderr))
        np.testing.assert_array_equal(est.mean, b[name].mean)
    assert a["displacement"].mean.shape == (3,)
    assert a.steps.tolist() == [0, 10, 20, 30, 40, 50]
    assert a.trajectory["displacement"].mean.shape == (6, 3)
    assert a["test_loss"].mean > 0


# -- the result object and its options ----------------------------------------------------


def test_trajectory_records_start_and_end():
    land = Landscape.mean_estimation(H=1, S=1)
    theta = land.params[0]
    result = land.simulate_sgd(Schedule(6, 2, 2), 0.1, at={theta: 2}, trials=1000, seed=0, record_every=4)
    assert result.steps.tolist() == [0, 4, 6]
    traj = result.trajectory
    assert traj["test_loss"].mean[0] == pytest.approx(2.0) and traj["test_loss"].stderr[0] == 0
    np.testing.assert_array_equal(traj["displacement"].mean[0], [0.0])
    assert traj["gap"].mean[-1] == result["gap"].mean
    np.testing.assert_array_equal(traj["displacement"].mean[-1], result["displacement"].mean)


def test_sympy_observables_and_estimates():
    land = Landscape.mean_estimation(H=1, S=1)
    theta = land.params[0]
    result = land.simulate_sgd(
        Schedule.sgd(8), 0.1, at={theta: 1}, trials=3000, observables=("test_loss", theta**2 / 2)
    )
    assert set(result.estimates) == {"test_loss", theta**2 / 2}
    assert result[theta**2 / 2].mean == pytest.approx(result["test_loss"].mean, rel=1e-12)  # l(θ) = θ²/2
    est = result["test_loss"]
    low, high = est.ci()
    assert low < est.mean < high and high - low == pytest.approx(2 * 1.959963984540054 * est.stderr)
    assert est.n == 3000
    assert simulate_sgd(land, Schedule.sgd(8), 0.1, at={theta: 1}, trials=3000)["test_loss"].mean == est.mean


def test_divergence_is_counted_and_warned():
    land = Landscape.mean_estimation(H=1, S=1)
    with pytest.warns(RuntimeWarning, match="overflowed"):
        result = land.simulate_sgd(
            Schedule.sgd(2000), 3.0, at={land.params[0]: 1}, trials=10, observables=("displacement",)
        )
    assert result.nonfinite == 10


def test_invalid_arguments():
    land = Landscape.mean_estimation()
    theta = land.params[0]
    with pytest.raises(ValueError, match="integer N"):
        land.simulate_sgd(Schedule.sgd(sympy.Symbol("T")), 0.1, trials=10)
    with pytest.raises(ValueError, match="numeric learning rate"):
        land.simulate_sgd(Schedule.sgd(3), sympy.Symbol("eta"), trials=10)
    with pytest.raises(ValueError, match="not parameters"):
        land.simulate_sgd(Schedule.sgd(3), 0.1, trials=10, at={W: 1})
    with pytest.raises(ValueError, match="unknown observable"):
        land.simulate_sgd(Schedule.sgd(3), 0.1, trials=10, observables=("loss",))
    with pytest.raises(ValueError, match="not parameters"):
        land.simulate_sgd(Schedule.sgd(3), 0.1, trials=10, observables=(theta * W,))
    with pytest.raises(ValueError, match="trials"):
        land.simulate_sgd(Schedule.sgd(3), 0.1, trials=1)
    with pytest.raises(ValueError, match="2×2|1×1"):
        land.simulate_sgd(Schedule.sgd(3), np.eye(2), trials=10)
    with pytest.raises(ValueError, match="noise"):
        Landscape.mean_estimation(noise="cauchy")


# -- the paper's landscapes ---------------------------------------------------------------


def test_paper_landscapes_have_the_spec_statistics():
    u, v, z = Landscape.helix().params
    st = Landscape.helix().statistics(at={u: 0, v: 0, z: 0})
    assert [st.cumulant(((i,),)) for i in range(3)] == [0, 0, 0]  # a minimum
    assert st.cumulant(((2, 2),)) == 0  # flat along z
    assert st.cumulant(((0, 1, 2),)) == 1 and st.cumulant(((0, 0, 2),)) == 0
    assert st.cumulant(((0,), (0,))) == sympy.Rational(1, 2) and st.cumulant(((0,), (1,))) == -sympy.Rational(1, 2)
    assert st.cumulant(((2,), (2,))) == 0
    # along the valley the landscape is the same after a rotation: H and C rotate with z
    shifted = Landscape.helix().statistics(at={u: 0, v: 0, z: sympy.pi / 2})
    assert shifted.cumulant(((1, 1),)) == 2 and shifted.cumulant(((0, 0),)) == 1
    h = Landscape.gauss().params[0]
    assert sympy.simplify(Landscape.gauss().mean_loss() - (h + sympy.exp(-h)) / 2) == 0
    me = Landscape.mean_estimation(H=sympy.Symbol("H"), S=sympy.Symbol("S"))
    t = me.params[0]
    assert sympy.expand(me.mean_loss() - sympy.Symbol("H") * t**2 / 2) == 0
