"""s2sgrad.check_grad and ``s2sgrad check``: its finite differences, its verdicts, its report."""

import importlib.util
import math
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import s2sgrad
from s2sgrad.tools import finite_differences as fd

ROOT = pathlib.Path(__file__).resolve().parent.parent


# ----- the finite differences: right within their own error estimate, and the estimate is small -----

SMOOTH = [
    # (function, point, tangent, exact J @ tangent)
    (lambda x: x**3, (1.7,), (1.0,), 3 * 1.7**2),
    (
        lambda x, y: math.sin(x) * math.exp(y),
        (0.4, -0.3),
        (1.0, 2.0),
        math.cos(0.4) * math.exp(-0.3) * 1.0 + math.sin(0.4) * math.exp(-0.3) * 2.0,
    ),
    (lambda x: 1.0 / (1.0 + x * x), (0.8,), (1.0,), -2 * 0.8 / (1 + 0.64) ** 2),
    (lambda w: np.exp(w), (np.array([0.1, 2.0]),), (np.array([1.0, -1.0]),), np.exp([0.1, 2.0]) * [1.0, -1.0]),
]


@pytest.mark.parametrize("func, point, tangent, exact", SMOOTH)
def test_directional_differences_are_within_their_error_estimate(func, point, tangent, exact):
    estimate = fd.directional(func, point, tangent)
    assert np.all(np.abs(estimate.value - exact) <= estimate.error)
    assert np.all(estimate.error <= 1e-8 * np.maximum(1.0, np.abs(exact)))


def test_a_tangent_of_none_keeps_its_argument_and_arguments_are_not_changed():
    w = np.array([1.0, 2.0])

    def scaled_in_place(w, c):
        w *= c  # a function that changes its argument sees a fresh copy at each evaluation
        return float(np.sum(w))

    estimate = fd.directional(scaled_in_place, (w, 3.0), (None, 1.0))
    assert abs(estimate.value - 3.0) <= estimate.error and list(w) == [1.0, 2.0]


def test_second_differences_match_an_exact_hessian():
    w = np.array([0.3, 0.7, 1.1])

    def f(w):
        return float(np.prod(np.sin(w)))

    s, c = np.sin(w), np.cos(w)
    for (i, j), exact in {(0, 1): c[0] * c[1] * s[2], (2, 2): -s[0] * s[1] * s[2]}.items():
        u, v = np.eye(3)[i], np.eye(3)[j]
        estimate = fd.second_directional(f, (w,), (u,), (v,))
        assert abs(estimate.value - exact) <= estimate.error <= 1e-6


# ----- check_grad's verdicts -----


def loss(w, X, y):
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def test_right_derivatives_pass_with_a_report():
    rng = np.random.default_rng(0)
    w, X, y = rng.standard_normal(3), rng.standard_normal((6, 3)), (rng.random(6) > 0.5).astype(float)
    report = s2sgrad.check_grad(loss, w, X, y, wrt=("w", "X"), order=2)
    assert report.ok and set(report.groups) == {"value", "rev", "fwd", "fwd-rev", "hessian"}
    assert len(report.groups["rev"]) == 3 + 18  # element by element: both arguments are small
    assert "reverse mode vs finite differences: ok, 21 numbers" in str(report)


def test_array_outputs_float32_and_large_arguments():
    rng = np.random.default_rng(1)

    def softplus(v):
        return np.log1p(np.exp(v)) * v[0]

    report = s2sgrad.check_grad(softplus, rng.standard_normal(50))  # an array output; random directions
    assert report.ok and len(report.groups["rev"]) == 3 * 50
    assert s2sgrad.check_grad(softplus, rng.standard_normal(4).astype(np.float32)).ok


def rule_module(tmp_path: pathlib.Path, adjoint: str, tangent: str) -> pathlib.Path:
    """A module registering rules for its own ``cube``, and ``f`` calling it."""
    path = tmp_path / "ruled.py"
    path.write_text(
        textwrap.dedent(
            f"""
            import numpy as np
            import s2sgrad


            def cube(x):
                return x * x * x


            s2sgrad.register_adjoint(cube, vjp=lambda g, x: g * {adjoint}, result="elementwise")
            s2sgrad.register_tangent(cube, jvp=lambda x, t_x: t_x * {tangent}, result="elementwise")


            def f(x, y):
                return cube(x) * np.sin(y) + y
            """
        )
    )
    return path


def load(path: pathlib.Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "adjoint, tangent, failing",
    [
        ("3.000001 * x * x", "3 * x * x", {"rev", "fwd-rev"}),  # an adjoint off by 1e-6 relative
        ("3 * x * x", "3.000001 * x * x", {"fwd", "fwd-rev"}),  # a tangent off by 1e-6 relative
    ],
)
def test_a_wrong_rule_fails_naming_the_mode_and_the_entry(tmp_path, adjoint, tangent, failing):
    module = load(rule_module(tmp_path, adjoint, tangent))
    with pytest.raises(s2sgrad.GradientCheckError) as info:
        s2sgrad.check_grad(module.f, 0.9, 0.4, wrt=("x", "y"))
    report = info.value.report
    assert isinstance(info.value, AssertionError)
    assert {group for group, entries in report.groups.items() if not all(e.ok for e in entries)} == failing
    assert [e.where for e in report.failures()] == ["x"] * len(failing)  # only x goes through the rule
    assert "worst:\n    x " in str(info.value)


def test_a_mode_that_cannot_compile_is_reported_not_checked():
    def square(x):
        return x * x

    s2sgrad.register_adjoint(square, vjp=lambda g, x: g * 2 * x, result="elementwise")  # no tangent rule

    def f(x):
        return square(x) + x

    report = s2sgrad.check_grad(f, 1.5)
    assert set(report.groups) == {"value", "rev"} and "square': forward mode cannot" in report.skipped["fwd"]
    assert "forward mode vs finite differences: not checked:" in str(report)
    with pytest.raises(s2sgrad.TransformError, match="forward mode cannot differentiate it"):  # nothing to check
        s2sgrad.check_grad(f, 1.5, modes=("fwd",))


def test_bad_requests_are_errors():
    with pytest.raises(TypeError, match="must be a float"):
        s2sgrad.check_grad(lambda n: n * 2.0, 3)
    with pytest.raises(ValueError, match="modes"):
        s2sgrad.check_grad(lambda x: x, 1.0, modes=("backward",))
    with pytest.raises(ValueError, match="order"):
        s2sgrad.check_grad(lambda x: x, 1.0, order=3)


# ----- the command line, through a real subprocess -----


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "s2sgrad", *args], capture_output=True, text=True, cwd=ROOT)


def test_check_exits_0_on_the_seed_and_1_on_a_wrong_registered_rule(tmp_path):
    right = run("check", "examples/seed.py:f", "--args", "2.0, 3.0", "--order", "2")
    assert right.returncode == 0, right.stdout + right.stderr
    assert "check_grad f wrt x, y: ok" in right.stdout and "Hessian" in right.stdout
    wrong = run("check", f"{rule_module(tmp_path, '3.000001 * x * x', '3 * x * x')}:f", "--args", "0.9, 0.4")
    assert wrong.returncode == 1, wrong.stdout + wrong.stderr
    assert "FAILED" in wrong.stdout and "reverse mode vs finite differences: 1 of 2 out of tolerance" in wrong.stdout


def test_check_errors_exit_2():
    result = run("check", "examples/seed.py:f", "--args", "2, 3")  # integers: nothing to differentiate
    assert result.returncode == 2 and "nothing to check" in result.stderr


def test_a_gradient_that_raises_exits_2_naming_the_users_line(tmp_path):
    path = tmp_path / "root.py"
    path.write_text("import math\n\n\ndef f(x):\n    b = x * x\n    return math.sqrt(b) + x\n")
    result = run("check", f"{path}:f", "--args", "0.0")  # d sqrt(b) / db = 1 / (2 sqrt(b)): 1 / 0.0
    assert result.returncode == 2 and "ZeroDivisionError" in result.stderr
    assert f'File "{path}", line 6, in f\n    return math.sqrt(b) + x' in result.stderr


def product(x, y):
    return x * y


def product_of_all(*xs):
    return xs[0] * xs[1]


def sines(x):
    return np.sin(x)


def sine_energy(x):
    return np.sum(np.sin(x) * x)


def test_bad_requests_of_arguments_and_of_second_derivatives_are_errors():
    with pytest.raises(TypeError, match="pass 'y' as a positional argument"):
        s2sgrad.check_grad(product, 1.0, wrt=1)
    with pytest.raises(TypeError, match=r"check_grad of second derivatives cannot differentiate \*xs yet"):
        s2sgrad.check_grad(product_of_all, 1.0, 2.0, wrt=0, order=2)
    with pytest.raises(ValueError, match="needs a function with a float output"):
        s2sgrad.check_grad(sines, np.ones(2), order=2)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_second_derivatives_of_small_arguments_are_checked_for_every_pair(dtype):
    report = s2sgrad.check_grad(sine_energy, np.array([0.3, -0.7, 1.1], dtype=dtype), order=2)
    assert report.ok and len(report.groups["hessian"]) == 6  # (0,0) (0,1) (0,2) (1,1) (1,2) (2,2)
