"""Every example in examples/ runs as shipped, and the new ones reach what they claim.

The golden tests check each example's generated gradient against finite
differences; these run the programs themselves and check their outcomes by
independent routes (SciPy's own finite differences, a closed-form ODE solution,
finite differences at Newton's minimizer).
"""

import importlib.util
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from gradcheck import check_structured_grad, numeric_difference

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
NEEDS = {"scipy_logistic_fit": "scipy", "dask_logistic": "dask.array"}  # optional extras: skipped without them


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_the_example_runs_as_a_program(path):
    if path.stem in NEEDS:
        pytest.importorskip(NEEDS[path.stem])
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_scipy_reaches_the_same_optimum_with_far_fewer_evaluations():
    pytest.importorskip("scipy")
    example = load("scipy_logistic_fit")
    with_gradient, without = example.fit(jac=True), example.fit(jac=False)
    assert with_gradient.success and without.success
    np.testing.assert_allclose(with_gradient.x, without.x, atol=1e-4)  # SciPy's differences: an independent route
    assert with_gradient.nfev * 3 < without.nfev


def test_the_rnn_learns_the_mean():
    example = load("rnn_sgd")
    held_out = (example.SEQUENCES[300:], example.TARGETS[300:])
    params = example.train(epochs=1)
    assert example.mean_loss(params, *held_out) < 0.05 * np.mean(held_out[1] ** 2)  # 20x better than answering 0


def test_ode_sensitivities_match_the_closed_form():
    example = load("ode_sensitivity")
    point = (0.8, 10.0, 0.5)
    exact = example.exact_sensitivities(*point)

    def closed_form(r, K, x0):
        e = np.exp(r * example.T)
        return K * x0 * e / (K + x0 * (e - 1.0))

    for i in range(3):  # the hand-written derivatives, against differences of the formula
        difference = numeric_difference(closed_form, point, i, np.float64(1.0))
        assert abs(exact[i] - difference.value) <= difference.error + 1e-12
    reverse, forward = example.sensitivities(*point)
    np.testing.assert_allclose(reverse, forward, rtol=1e-12)
    np.testing.assert_allclose(reverse, exact, rtol=1e-6)  # RK4 with 200 steps: its own error is about 1e-8


def test_newton_converges_quadratically_to_a_stationary_point():
    example = load("newton_hessian")
    x, norms = example.newton(np.zeros(4))
    assert norms[-1] < 1e-12 and len(norms) <= 10
    assert norms[-2] < 1e-4 and norms[-1] < 10 * norms[-2] ** 2  # quadratic: the error squares
    for i in range(4):  # finite differences of the objective itself vanish there
        difference = numeric_difference(example.objective, (x, example.A, example.B), 0, np.eye(4)[i])
        assert abs(difference.value) <= difference.error + 1e-8


def test_the_model_class_fits_and_its_bound_method_has_the_right_gradient():
    example = load("model_class")
    model = example.TinyMLP(2, 16)
    check_structured_grad(model.loss, (model.params, example.X, example.Y))
    losses = model.fit(example.X, example.Y, steps=1000)
    assert losses[-1] < 0.01 * losses[0]
    assert np.mean((model.predict(example.X) - example.Y) ** 2) < 0.01 * np.var(example.Y)


def test_the_dask_example_matches_numpy_on_the_first_rows_and_stays_lazy():
    pytest.importorskip("dask.array")
    example = load("dask_logistic")
    X, y = example.data(4000, 300)
    w, b = 0.3 * example.TRUE_W, -0.2
    d_w, d_b = example.gradient(w, b, X, y)
    assert type(d_w).__module__.startswith("dask") and type(d_b).__module__.startswith("dask")
    assert example.check_on_the_first_rows(w, b, X, y, 1000) < 1e-12  # summed in another order: rounding only
    head_X, head_y = X[:1000].compute(), y[:1000].compute()
    d_w_head = example.gradient(w, b, head_X, head_y)[0]
    for direction in np.eye(example.FEATURES)[:3]:  # NumPy's gradient itself, against finite differences
        difference = numeric_difference(example.loss, (w, b, head_X, head_y), 0, direction)
        assert abs(d_w_head @ direction - difference.value) <= difference.error
