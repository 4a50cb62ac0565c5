"""The PyTorch backend against exact answers.

Exact values come from tests/torch_exact.py, which materializes every sample's
derivative tensors of a tiny model and forms the population cumulants, so
``diagrams.uvalue(D, stats)`` is the value an estimate must reach; the
resummed exact values come from the engine's eigenbasis path
(``expected_loss(..., method=Resummed(), at_eta=...)``).  Estimates must agree
within 4 standard errors; values that are deterministic must come out with no
error at all.  Real SGD is checked against the exact resummed series of a
quadratic model with additive noise (where it is exact at every order).
"""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy

torch = pytest.importorskip("torch", reason="the PyTorch backend needs torch: pip install 'sgd-diagrams[torch]'")

from torch_exact import exact_statistics  # noqa: E402

import diagrams as dg  # noqa: E402
from diagrams.core.observables import coordinate  # noqa: E402
from diagrams.core.propagators import Propagation  # noqa: E402
from diagrams.torch import ModelLandscape, lanczos  # noqa: E402
from diagrams.torch.propagators import propagator_grid  # noqa: E402
from diagrams.values.estimated import DISPLACEMENT, Estimate  # noqa: E402

SIGMAS = 4.0


def logistic_model() -> ModelLandscape:
    """Logistic regression, 3 features + bias (P = 4), 40 fixed samples, a generic θ₀."""
    generator = torch.Generator().manual_seed(0)
    features = torch.randn(40, 3, generator=generator)
    labels = (torch.rand(40, generator=generator) < 0.5).double()

    def loss(p, x):
        inputs, label = x
        z = inputs @ p["w"] + p["b"]
        return torch.nn.functional.softplus(z) - label * z

    return ModelLandscape(loss, {"w": torch.tensor([0.5, -1.0, 0.8]), "b": torch.tensor(0.3)}, (features, labels))


A = torch.tensor([[2.0, 0.5, 0.0], [0.5, 1.0, 0.2], [0.0, 0.2, 0.5]], dtype=torch.float64)


def quadratic_model(observable=None) -> ModelLandscape:
    """l_x(θ) = ½θᵀAθ + xᵀθ: constant Hessian, additive skewed noise (P = 3, 30 samples)."""
    generator = torch.Generator().manual_seed(1)
    data = torch.randn(30, 3, generator=generator) ** 2 - 0.5
    return ModelLandscape(
        lambda p, x: p @ A @ p / 2 + x @ p, torch.tensor([1.0, -0.5, 0.25]), data, observable=observable
    )


@pytest.fixture(scope="module")
def logistic():
    model = logistic_model()
    return model, exact_statistics(model)


@pytest.fixture(scope="module")
def quadratic():
    model = quadratic_model()
    return model, exact_statistics(model)


@pytest.fixture(scope="module")
def logistic_values(logistic):
    """Estimates of every diagram of order ≤ 3, and of the root-tied ones of order ≤ 2."""
    model, _ = logistic
    return model.estimate(3, samples=1500, seed=3), model.estimate(2, samples=1500, seed=4, root_tied=True)


def exact_value(diagram, stats) -> float:
    return float(dg.uvalue(diagram, stats) / dg.eta**diagram.order)


def stacked(estimates) -> Estimate:
    """Per-coordinate estimates (a displacement) as one Estimate with array mean and stderr."""
    return Estimate(
        np.array([e.mean for e in estimates]), np.array([e.stderr for e in estimates]), min(e.n for e in estimates)
    )


def assert_agrees(estimate: Estimate, exact, what=""):
    """|mean − exact| ≤ 4 standard errors (plus rounding), componentwise."""
    mean, stderr, exact = (np.asarray(a, dtype=float) for a in (estimate.mean, estimate.stderr, exact))
    tolerance = SIGMAS * stderr + 1e-9 * (1 + np.abs(exact))
    assert np.all(np.abs(mean - exact) <= tolerance), f"{what}: {mean} ± {stderr} vs exact {exact}"


# -- item 2: every diagram of order ≤ 3 ------------------------------------------------------


@pytest.mark.parametrize("root_tied", [False, True], ids=["ordinary", "root-tied"])
def test_every_diagram_of_order_3_matches_the_exact_value(logistic, root_tied):
    model, stats = logistic
    values = model.estimate(3, samples={0: 500, 1: 1500, 2: 1500, 3: 1000}, seed=1, root_tied=root_tied)
    expected = [D for d in range(4) for D in dg.enumerate_diagrams(d, root_tied=root_tied)]
    assert list(values) == expected
    z_scores = []
    for diagram in expected:
        estimate, exact = values[diagram], exact_value(diagram, stats)
        assert_agrees(estimate, exact, str(diagram))
        assert estimate.n == {0: 500, 1: 1500, 2: 1500, 3: 1000}[diagram.order]
        if estimate.stderr > 1e-12:
            z_scores.append(abs(estimate.zscore(exact)))
    # the error bars are honest, not inflated: the z-scores spread like a standard normal's
    assert len(z_scores) >= len(expected) - 3 and 0.3 < np.median(z_scores) < 1.3


def random_only_through_noise(diagram) -> bool:
    """Whether a draw is random on a quadratic with constant Hessian.

    It is 0 on every draw with a node of degree ≥ 3 (J = 0) or a tied part
    holding a Hessian (κ(H, …) = 0); otherwise it is random exactly when some
    part ties gradients (a covariance or higher cumulant of the noise).
    """
    degrees, parts = diagram.degrees, [p for p in diagram.parts if len(p) > 1]
    if max(degrees) >= 3 or any(degrees[v] == 2 for part in parts for v in part):
        return False
    return bool(parts)


@pytest.mark.parametrize("root_tied", [False, True], ids=["ordinary", "root-tied"])
def test_quadratic_model_deterministic_values_have_no_error(quadratic, root_tied):
    model, stats = quadratic
    values = model.estimate(3, samples=200, seed=2, root_tied=root_tied)
    deterministic = 0
    for diagram, estimate in values.estimates.items():
        exact = exact_value(diagram, stats)
        if random_only_through_noise(diagram):
            assert estimate.stderr > 0, diagram
            assert_agrees(estimate, exact, str(diagram))
        else:  # G·G, G·H·G, J = 0, and κ(H, …) = 0 exactly on every draw
            deterministic += 1
            assert estimate.stderr <= 1e-12 * (1 + abs(exact)), diagram
            assert estimate.mean == pytest.approx(exact, rel=1e-9, abs=1e-12), diagram
    assert deterministic >= 10


# -- item 3: series with error bars ----------------------------------------------------------


@pytest.mark.parametrize(
    "schedule", [dg.Schedule.sgd(8), dg.Schedule(4, 1, 3), dg.Schedule(8, 2, 1)], ids=["sgd", "epochs", "batch"]
)
def test_plain_series_of_estimates_matches_the_exact_series(logistic, logistic_values, schedule):
    model, stats = logistic
    eta = 0.2
    values, gap_values = logistic_values
    loss = dg.expected_loss(values, schedule, 3)
    assert set(loss.powers) == {0, 1, 2, 3}
    assert_agrees(loss.at(eta), dg.expected_loss(stats, schedule, 3, at_eta=eta), "test loss")
    exact = sympy_coefficients(dg.expected_loss(stats, schedule, 2))
    for k in range(3):
        assert_agrees(loss.coefficient(k), exact[k], f"η^{k}")
    gap = dg.generalization_gap(gap_values, schedule, 2)
    assert_agrees(gap.at(eta), dg.generalization_gap(stats, schedule, 2, at_eta=eta), "gap")


def sympy_coefficients(expression) -> list[float]:
    return [float(c) for c in reversed(sympy.Poly(expression, dg.eta).all_coeffs())]


def test_quadratic_predictions_match_exact_closed_forms_and_real_sgd(quadratic):
    model, stats = quadratic
    schedule, eta = dg.Schedule.sgd(12), 0.15
    plain = dg.expected_loss(model.estimate(3, samples=1000, seed=5), schedule, 3)
    assert_agrees(plain.at(eta), dg.expected_loss(stats, schedule, 3, at_eta=eta), "plain test loss")
    resummed = model.estimate_resummed(schedule, eta, 3, samples=600, seed=6, rank=3)
    exact = dg.expected_loss(stats, schedule, 3, method=dg.Resummed(), at_eta=eta)
    prediction = dg.expected_loss(resummed, schedule, 3, method=dg.Resummed())
    assert_agrees(prediction, exact, "resummed test loss")
    gap = model.estimate_resummed(schedule, eta, 2, samples=600, seed=7, rank=3, root_tied=True)
    exact_gap = dg.generalization_gap(stats, schedule, 2, method=dg.Resummed(), at_eta=eta)
    assert_agrees(dg.generalization_gap(gap, schedule, 2, method=dg.Resummed()), exact_gap, "resummed gap")
    # the same, asked of the plain estimates: the model estimates the resummed values itself
    values = model.estimate(3, samples=600, seed=6, rank=3)
    assert_agrees(dg.expected_loss(values, schedule, 3, method=dg.Resummed(), at_eta=eta), exact, "estimate → resummed")
    # constant Hessian and additive noise: the resummed series is exact, so real SGD must agree
    sgd = model.simulate_sgd(schedule, eta, trials=3000, seed=8)
    for name, value in [("test_loss", exact), ("gap", exact_gap)]:
        combined = np.hypot(sgd[name].stderr, prediction.stderr if name == "test_loss" else 0.0)
        assert abs(sgd[name].mean - value) <= SIGMAS * combined, name


def test_displacement_and_model_observable(quadratic):
    model, stats = quadratic
    schedule, eta = dg.Schedule(6, 2, 2), 0.2
    values = model.estimate(2, samples=1500, seed=9, observable="displacement")
    assert values.observable == DISPLACEMENT
    series = dg.displacement(values, schedule, 2, at_eta=eta)
    exact = [float(e) for e in dg.displacement(stats, schedule, 2, at_eta=eta)]
    assert_agrees(stacked(series), exact, "displacement")
    one = values.value(dg.parse("[a][a]"), coordinate(1))
    assert one.coefficient(1).mean == values[dg.parse("[a][a]")].mean[1]
    # a linear observable s(θ) = wᵀθ: its values are wᵀ(displacement values) draw by draw (same streams)
    w = torch.tensor([0.5, -2.0, 1.0], dtype=torch.float64)
    linear = quadratic_model(observable=lambda p: w @ p)
    observed = linear.estimate(2, samples=1500, seed=9, observable=linear.observable)
    for diagram in observed:
        expected = float(w.numpy() @ values[diagram].mean) + (float(w @ linear.theta0) if diagram.order == 0 else 0.0)
        assert observed[diagram].mean == pytest.approx(expected, abs=1e-12)
    resummed = model.estimate_resummed(schedule, eta, 2, samples=1500, seed=10, rank=3, observable="displacement")
    exact_resummed = [float(e) for e in dg.displacement(stats, schedule, 2, method=dg.Resummed(), at_eta=eta)]
    assert_agrees(
        stacked(dg.displacement(resummed, schedule, 2, method=dg.Resummed())), exact_resummed, "resummed displacement"
    )


# -- item 4: Lanczos and the projection error --------------------------------------------------


def test_lanczos_reproduces_the_spectrum_and_restarts_on_invariant_subspaces(logistic):
    model, _ = logistic
    hessian = torch.func.hessian(model.population_loss)(model.theta0)  # formed only here, in a test
    pairs = model.ritz_pairs(model.dim)
    assert torch.allclose(pairs.values, torch.linalg.eigvalsh(hessian), atol=1e-12)
    assert torch.allclose(pairs.vectors.T @ pairs.vectors, torch.eye(model.dim, dtype=torch.float64), atol=1e-12)
    residuals = torch.linalg.vector_norm(hessian @ pairs.vectors - pairs.vectors * pairs.values, dim=0)
    assert residuals.max() < 1e-10 and pairs.residual_norms.max() < 1e-10
    partial = model.ritz_pairs(2)
    direct = torch.linalg.vector_norm(hessian @ partial.vectors - partial.vectors * partial.values, dim=0)
    assert torch.allclose(partial.residual_norms, direct, rtol=1e-6, atol=1e-12) and direct.max() > 1e-6
    # a start inside an invariant subspace: the iteration restarts and still spans everything
    diagonal = torch.tensor([3.0, 1.0, 2.0, 5.0], dtype=torch.float64)
    full = lanczos(lambda v: diagonal * v, torch.tensor([1.0, 0, 0, 0], dtype=torch.float64), 4)
    assert full.values.tolist() == pytest.approx([1.0, 2.0, 3.0, 5.0], abs=1e-12)


def test_projection_error_vanishes_for_a_complete_basis_and_is_reported_otherwise(logistic):
    model, stats = logistic
    schedule, eta = dg.Schedule.sgd(10), 0.3
    complete = model.estimate_resummed(schedule, eta, 2, samples=800, seed=11, rank=model.dim)
    assert complete.rank == model.dim and max(complete.residual_norms) < 1e-10
    for diagram, error in complete.projection_errors.items():
        assert abs(error.mean) < 1e-12 and error.stderr < 1e-12, diagram
    exact = dg.expected_loss(stats, schedule, 2, method=dg.Resummed(), at_eta=eta)
    assert_agrees(dg.expected_loss(complete, schedule, 2, method=dg.Resummed()), exact, "resummed, k = P")
    partial = model.estimate_resummed(schedule, eta, 2, samples=800, seed=11, rank=1)
    errors = [abs(e.zscore(0.0)) for D, e in partial.projection_errors.items() if e.stderr > 0]
    assert partial.rank == 1 and max(errors) > 10  # a one-vector basis loses a visible part of the values
    # "flat" puts the lost part back with plain propagators: at zero rates, L(D) times the value
    flat = model.estimate_resummed(schedule, eta, 2, samples=800, seed=11, rank=1, complement="flat")
    for diagram, estimate in flat.estimates.items():
        count = float(dg.count_embeddings(diagram, schedule))
        lost = partial.projection_errors[diagram].mean * count * eta**diagram.order
        assert estimate.mean == pytest.approx(partial.estimates[diagram].mean - lost, rel=1e-9, abs=1e-12)
    assert flat.complement == "flat"


def test_resummed_logistic_order_3_and_gap_match_the_exact_eigenbasis_path(logistic):
    model, stats = logistic
    schedule, etas = dg.Schedule.sgd(10), [0.1, 0.3]
    ritz = model.ritz_pairs(model.dim)
    loss = model.estimate_resummed(schedule, etas, 3, samples=1000, seed=12, ritz=ritz)
    gap = model.estimate_resummed(schedule, etas, 2, samples=1000, seed=13, ritz=ritz, root_tied=True)
    for eta, loss_at, gap_at in zip(etas, loss, gap):
        assert loss_at.eta == eta
        exact_loss = dg.expected_loss(stats, schedule, 3, method=dg.Resummed(), at_eta=eta)
        assert_agrees(dg.expected_loss(loss_at, schedule, 3, method=dg.Resummed()), exact_loss, "loss")
        exact_gap = dg.generalization_gap(stats, schedule, 2, method=dg.Resummed(), at_eta=eta)
        assert_agrees(dg.generalization_gap(gap_at, schedule, 2, method=dg.Resummed()), exact_gap, "gap")


# -- item 5: real SGD ---------------------------------------------------------------------------


def test_simulated_sgd_is_reproducible_and_follows_the_schedule():
    data = torch.tensor([-1.0, 1.0, 3.0])
    model = ModelLandscape(lambda p, x: (p - x) ** 2 / 2, torch.tensor(0.0), data)
    schedule = dg.Schedule(4, 2, 2)
    first = model.simulate_sgd(schedule, 0.5, trials=3000, seed=3)
    again = model.simulate_sgd(schedule, 0.5, trials=3000, seed=3, batch_trials=1)
    for name in ("test_loss", "train_loss", "gap"):
        assert again[name].mean == pytest.approx(first[name].mean, rel=1e-12)
    # θ ← θ − η(θ − batch mean): θ_T = (1 − η)^T θ₀ + η Σ_t (1 − η)^(T−1−t) x̄_t,
    # so E θ_T = (1 − (1 − η)^T) E x
    assert abs(first["displacement"].zscore(1 - 0.5**4)[0]) < SIGMAS
    assert first["gap"].mean > 0 and first.test_loss_method == "exact"


# -- API -----------------------------------------------------------------------------------------


def test_estimates_are_reproducible_independent_of_chunking(logistic):
    model, _ = logistic
    diagrams = [dg.parse("[a:b][ab]"), dg.parse("[a:ab][b]")]
    one = model.estimate(2, samples=300, seed=4, diagrams=diagrams)
    two = model.estimate(2, samples=300, seed=4, diagrams=diagrams, chunk=17, device="cpu")
    other = model.estimate(2, samples=300, seed=5, diagrams=diagrams)
    for diagram in diagrams:
        assert two[diagram].mean == pytest.approx(one[diagram].mean, rel=1e-12)
        assert other[diagram].mean != one[diagram].mean


def test_errors_name_the_problem(logistic):
    model, _ = logistic
    values = model.estimate(1, samples=50, seed=0)
    with pytest.raises(ValueError, match=r"\[a:b\]\[ab\] \(order 2\) was not estimated.*model.estimate\(2"):
        values.value(dg.parse("[a:b][ab]"))
    with pytest.raises(ValueError, match="estimated with the loss at the root"):
        values.value(dg.parse("[a][a]"), coordinate(0))
    with pytest.raises(ValueError, match="root-tied diagram .* needs the loss"):
        model.estimate(1, samples=50, seed=0, root_tied=True, observable="displacement")
    with pytest.raises(ValueError, match="samples must be an int ≥ 2"):
        model.estimate(1, samples=1, seed=0)
    with pytest.raises(ValueError, match="model's own"):
        model.estimate(1, samples=50, seed=0, observable=quadratic_model(lambda p: p.sum()).observable)
    with pytest.raises(TypeError, match="text is never evaluated"):
        values.value(dg.parse("[a][a]")) * "2"
    with pytest.raises(ValueError, match="concrete schedule"):
        model.estimate_resummed(dg.Schedule.sgd(dg.eta), 0.1, 1, samples=10, seed=0)
    with pytest.raises(ValueError, match=r"only linkless diagrams are resummed, not \['\[a\]\[ab\]\[b\]'\]"):
        model.estimate_resummed(dg.Schedule.sgd(3), 0.1, 2, samples=10, seed=0, diagrams=[dg.parse("[a][ab][b]")])
    with pytest.raises(TypeError, match="params must be"):
        ModelLandscape(lambda p, x: p, "θ", torch.zeros(3))


def test_the_core_imports_without_torch():
    script = (
        "import sys; sys.modules['torch'] = None\n"
        "import diagrams\n"
        "assert str(diagrams.parse('[a:b][ab]')) == '[a:b][ab]'\n"
        "from diagrams.values.estimated import EstimatedValues\n"
        "try:\n    import diagrams.torch\nexcept ImportError as error:\n    print(error)\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True)
    assert "pip install 'sgd-diagrams[torch]'" in done.stdout


# -- propagator grids ----------------------------------------------------------------------------


def brute_force_z(diagram, schedule, q) -> float:
    """Σ over every map of the non-root nodes to grid cells that is an embedding, of Π_e q_e^(Δt_e − 1)."""
    N, B = schedule.N, schedule.B
    T, per_epoch = schedule.T, N // B
    cells = [(n, t) for t in range(T) for n in range((t % per_epoch) * B, (t % per_epoch + 1) * B)]
    root, total = diagram.root, 0.0
    for cell in itertools.product(cells, repeat=diagram.order):
        time = [c[1] for c in cell] + [T]
        if any(time[v] >= time[p] for v, p in diagram.edges):
            continue
        if any(len({cell[v][0] for v in part if v != root}) > 1 for part in diagram.parts):
            continue
        total += math.prod(q[v] ** (time[p] - time[v] - 1) for v, p in diagram.edges)
    return total


@pytest.mark.parametrize(
    "schedule", [dg.Schedule.sgd(4), dg.Schedule(4, 2, 1), dg.Schedule(3, 1, 2), dg.Schedule.gd(2, 3)], ids=str
)
def test_propagator_grids_sum_the_embeddings(schedule):
    eigenvalues, eta = np.array([0.5, 2.0, -0.4]), 0.3
    diagrams = [dg.parse(t) for t in ("[a][a]", "[a:b][ab]", "[a:ab][b]", "[a][b][c][abc]", "[a:b:c][abc]", "[a:ab:b]")]
    for diagram in diagrams:
        grid = propagator_grid(diagram, schedule, eta, eigenvalues)
        for index in itertools.product(range(3), repeat=diagram.order):
            q = [1 - eta * eigenvalues[i] for i in index]
            assert grid[index] == pytest.approx(brute_force_z(diagram, schedule, q), rel=1e-12), (diagram, index)


def test_continuous_and_limit_grids_match_the_engine_closed_forms():
    schedule, eta, eigenvalues = dg.Schedule.sgd(50), 0.05, np.array([0.5, 2.0, 1.2])
    for diagram in (dg.parse("[a][b][ab]"), dg.parse("[a:b:c][abc]"), dg.parse("[a:ab][b]")):
        for form, limit in [("continuous", False), ("exact", True), ("continuous", True)]:
            grid = propagator_grid(diagram, schedule, eta, eigenvalues, form=form, limit=limit)
            for index in itertools.product(range(3), repeat=diagram.order):
                rates = [sympy.Float(eta * eigenvalues[i], 30) for i in index]

                exact = Propagation(schedule, form, limit).z(diagram, [rates[e] for e in range(diagram.order)])
                assert grid[index] == pytest.approx(float(exact), rel=1e-9), (diagram, form, limit, index)


def test_comparison_verdicts_need_agreement_and_precision():
    from diagrams.torch.experiment import Comparison, agreement_table, holding_range

    row = Comparison("test_loss", dg.Schedule.sgd(10), 0.1, sgd=Estimate(0.5, 0.01, 100), start=0.7)
    assert row.verdict(Estimate(0.51, 0.01, 100)) == "✓"  # 0.7 standard errors, error bar 0.01 ≤ 0.1·0.2
    assert row.verdict(Estimate(0.6, 0.01, 100)) == "✗"  # 7 standard errors
    assert row.verdict(Estimate(0.3, 0.1, 100)) == "?"  # agrees only thanks to its error bar
    rows = [
        Comparison(
            "gap",
            dg.Schedule.sgd(10),
            eta,
            Estimate(0.1, 0.001, 9),
            0.0,
            {1: Estimate(value, 0.001, 9)},
            {1: Estimate(0.1, 0.001, 9)},
            largest_rate=2 * eta,
        )
        for eta, value in [(0.01, 0.1), (0.1, 0.2)]
    ]
    assert holding_range(rows) == {("gap", "plain", 1): 0.2, ("gap", "resummed", 1): 2.0}  # ηλ_max·T, λ_max = 2
    table = agreement_table(rows, title="t")
    assert table.count("\n| gap |") == 2 and "0.2000 ± 0.0010 ✗" in table


def test_a_value_no_sample_enters_is_exact_whatever_the_rounding():
    # G·G and (for the displacement) G need no sample; a batched product once rounded its draws
    # differently, giving a standard error of 1e-19 instead of 0 on some datasets
    exact = [dg.parse("[]"), dg.parse("[a][a]")]
    for seed in range(12):
        generator = torch.Generator().manual_seed(seed)
        net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
        torch.nn.init.normal_(net[0].weight, generator=generator)
        data = (torch.randn(50, 2, generator=generator), torch.randn(50, 1, generator=generator))

        def loss(params, sample, net=net):
            inputs, target = sample
            return ((torch.func.functional_call(net, params, (inputs,)) - target) ** 2).sum() / 2

        model = ModelLandscape(loss, dict(net.named_parameters()), data)
        values = model.estimate(1, samples=37, seed=seed, diagrams=exact)
        assert all(values[D].stderr == 0.0 and values[D].n == 37 for D in exact), seed
        assert values[exact[1]].mean == pytest.approx(
            float(model.functions.mean_gradient @ model.functions.mean_gradient)
        )
