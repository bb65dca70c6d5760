"""s2sgrad.custom_root: solvers differentiated by the implicit function theorem, not through their iterations.

Every derivative is checked against central finite differences of the function as
it runs (the plain solver's iterations), in reverse and forward mode and, where
the solution is a number, to second order; the generated code is checked to call
the residual's derivative instead of reversing the loop.
"""

import math
import re

import numpy as np
import pytest
from golden_cases import ROOT, load_module
from gradcheck import check_grad, check_jvp

import s2sgrad

EXAMPLE = load_module(ROOT / "examples" / "kepler_implicit.py")  # Kepler's equation and its Newton solver
kepler_plain, kepler = EXAMPLE.kepler, EXAMPLE.kepler_implicit


def position(e, M):
    E = kepler(e, M)
    return math.cos(E) - e + 0.5 * math.sin(E) * math.sqrt(1.0 - e * e)


def orbit(e, M0):
    total = 0.0
    for i in range(6):
        E = kepler(e, M0 + 0.7 * i)  # E is overwritten: the reverse sweep needs each one back
        total += E * math.cos(E)
    return total


def test_kepler_gradient_with_respect_to_eccentricity_and_mean_anomaly():
    check_grad(position, (0.3, 1.1), wrt=(0, 1))
    check_grad(position, (0.7, 2.5), wrt=(0, 1))
    check_grad(position, (0.3, 1.1), wrt=1)


def test_the_reverse_sweep_reads_the_residual_and_not_the_iterations():
    text = s2sgrad.source(position, wrt=("e", "M"), args=(0.3, 1.1))
    assert "grad_kepler_residual(E, e, M)" in text
    assert "backward_kepler(" not in text and "while" not in text and "_stack" not in text
    plain = s2sgrad.source(lambda e, M: kepler_plain(e, M) * 2.0, wrt=("e", "M"), args=(0.3, 1.1))
    assert "backward_kepler(" in plain and "residual" not in plain  # the default: through the iterations


def test_the_solver_itself_and_a_loop_of_calls():
    check_grad(kepler, (0.3, 1.1), wrt=(0, 1))
    E = kepler(0.3, 1.1)
    expected = (math.sin(E) / (1.0 - 0.3 * math.cos(E)), 1.0 / (1.0 - 0.3 * math.cos(E)))
    np.testing.assert_allclose(s2sgrad.grad(kepler, wrt=(0, 1))(0.3, 1.1), expected, rtol=1e-14)
    check_grad(orbit, (0.4, 0.3), wrt=(0, 1))


def test_forward_mode_and_second_derivatives_of_a_number_solution():
    report = s2sgrad.check_grad(position, 0.3, 1.1, wrt=(0, 1), modes=("rev", "fwd"), order=2)
    assert report.ok
    assert "jvp_kepler(" not in s2sgrad.source(position, wrt=("e", "M"), args=(0.3, 1.1), mode="forward")
    second = s2sgrad.grad(s2sgrad.grad(position, wrt=0), wrt=1)(0.3, 1.1)
    assert second == pytest.approx(s2sgrad.hessian(position, wrt=(0, 1))(0.3, 1.1)[0][1], rel=1e-12)


def ladder_residual(x, a):
    """Zero at ladder(a): a * a above 2, else sin(ladder(a + 1)) + a, a root it asks its own solver for."""
    if a > 2.0:
        return x - a * a
    return x - math.sin(ladder(a + 1.0)) - a


def ladder_steps(a):
    if a > 2.0:
        return a * a
    return math.sin(ladder_steps(a + 1.0)) + a


ladder = s2sgrad.custom_root(ladder_residual, ladder_steps)


def twice_the_ladder(a):
    return ladder(a) * 2.0


def test_a_residual_that_calls_its_own_solver_uses_its_own_derivative_at_run_time():
    # the residual's derivative needs the solver's, which needs the residual's again (found when it runs)
    check_grad(twice_the_ladder, (0.5,))  # two rungs below 2
    check_grad(twice_the_ladder, (1.7,))
    report = s2sgrad.check_grad(twice_the_ladder, 0.5, modes=("rev", "fwd"))
    assert report.ok and not report.skipped


def fixed_residual(x, W, b):
    return x - np.tanh(W @ x + b)


@s2sgrad.custom_root(fixed_residual)
def fixed_point(W, b, iterations=300):
    x = np.zeros(b.shape[0])
    for _ in range(iterations):
        x = np.tanh(W @ x + b)
    return x


def fixed_point_loss(W, b):
    x = fixed_point(W, b)
    return np.sum(x * x) + x[0]


RNG = np.random.default_rng(11)
W_CONTRACTING = 0.3 * RNG.standard_normal((4, 4))
B = RNG.standard_normal(4)


def test_a_fixed_point_of_a_vector_map():
    check_grad(fixed_point_loss, (W_CONTRACTING, B), wrt=(0, 1))
    report = s2sgrad.check_grad(fixed_point_loss, W_CONTRACTING, B, wrt=(0, 1), modes=("rev", "fwd"))
    assert report.ok
    text = s2sgrad.source(fixed_point_loss, wrt=("W", "b"), args=(W_CONTRACTING, B))
    assert "implicit_cotangent(jvp_fixed_residual, d_x, x, W, b)" in text


@s2sgrad.custom_root(fixed_residual)
def fixed_point_of_its_dtype(W, b):
    x = np.zeros_like(b)  # float32 for float32 parameters, as the whole computation
    for _ in range(100):
        x = np.tanh(W @ x + b)
    return x


def fixed_point_of_its_dtype_loss(W, b):
    x = fixed_point_of_its_dtype(W, b)
    return np.sum(x * x) + x[0]


def test_a_float32_solution_has_float32_derivatives():
    """The residual's Jacobian is taken along float32 directions (float64 ones made every derivative float64)."""
    check_grad(fixed_point_of_its_dtype_loss, (W_CONTRACTING.astype(np.float32), B.astype(np.float32)), wrt=(0, 1))


def system_residual(x, a, c):
    """Three nonlinear equations in three unknowns."""
    return np.array([x[0] ** 3 + x[1] - a[0], x[1] * x[2] + np.sin(x[0]) - a[1], x[2] + c * x[0] * x[1] - a[2]])


@s2sgrad.custom_root(system_residual)
def newton_system(a, c, x0):
    """Newton's method with its own Jacobian: not differentiated, so anything goes here."""
    x = x0.copy()
    for _ in range(60):
        J = np.array([[3 * x[0] ** 2, 1.0, 0.0], [np.cos(x[0]), x[2], x[1]], [c * x[1], c * x[0], 1.0]])
        x = x - np.linalg.solve(J, system_residual(x, a, c))
    return x


def system_loss(a, c, x0):
    x = newton_system(a, c, x0)
    return x[0] * x[1] + np.sum(np.exp(-x))


def test_a_three_by_three_nonlinear_system():
    a, x0 = np.array([2.0, 1.0, 1.5]), np.array([1.0, 1.0, 1.0])
    check_grad(system_loss, (a, 0.4, x0), wrt=(0, 1))
    assert s2sgrad.check_grad(system_loss, a, 0.4, x0, wrt=(0, 1), modes=("rev", "fwd")).ok
    d_x0 = s2sgrad.grad(system_loss, wrt=2)(a, 0.4, x0)  # the root does not depend on where Newton starts
    assert np.array_equal(d_x0, np.zeros(3))


X0, TARGETS = np.ones(3), np.array([2.0, 1.0, 1.5])


@s2sgrad.custom_root(system_residual)
def newton_to_default_targets(c, x0, a=TARGETS):
    return newton_system(a, c, x0)


def test_an_array_default_the_residual_reads_is_passed_as_the_array_it_is():
    check_grad(lambda c: newton_to_default_targets(c, X0)[0] ** 2, (0.4,))


def squares_residual(x, a):
    return x * x - a


@s2sgrad.custom_root(squares_residual)
def square_roots(a):
    return np.sqrt(a)


def test_a_residual_whose_reverse_sweep_keeps_no_record():
    """d(x*x - a)/da reads nothing the forward sweep computed: backward_F takes no record, forward_F is not run."""
    loss = lambda a: np.sum(np.sin(square_roots(a)))  # noqa: E731
    check_grad(loss, (np.array([0.5, 4.0, 2.0]),))
    text = s2sgrad.source(loss, args=(np.ones(3),))
    assert "record" not in text and "= forward_squares_residual(" not in text


def test_a_singular_jacobian_at_the_solution_is_an_error_saying_so():
    with pytest.raises(np.linalg.LinAlgError, match="singular at the solution"):
        s2sgrad.grad(lambda a: np.sum(square_roots(a)))(np.array([0.0, 4.0]))


def test_second_derivatives_through_an_array_solution_are_a_clear_error():
    with pytest.raises(s2sgrad.TransformError, match="implicit_cotangent"):
        s2sgrad.hessian(fixed_point_loss, wrt=1)(W_CONTRACTING, B)


def cubic_residual(z, a, b=5.0):
    return z**3 + a * z - b


@s2sgrad.custom_root(cubic_residual)
def cubic_root(a, b=5.0, z=1.0):
    for _ in range(40):
        z = z - cubic_residual(z, a, b) / (3.0 * z * z + a)
    return z


def test_defaults_and_parameters_the_residual_does_not_read():
    check_grad(lambda a: cubic_root(a) ** 2, (2.0,))
    check_grad(lambda a, b: cubic_root(a, b, 2.0) * a, (2.0, 3.0), wrt=(0, 1))
    assert s2sgrad.grad(lambda a, z: cubic_root(a, 5.0, z), wrt=1)(2.0, 1.5) == 0.0
    # a default the call leaves out is written as its value, as the user would read it
    assert re.search(r"grad_cubic_residual\(\w+, a, 5\.0\)", s2sgrad.source(cubed_root_of_a, args=(2.0,)))


def cubed_root_of_a(a):
    return cubic_root(a) * a


def test_a_residual_that_does_not_match_the_solver_is_an_error_at_its_line():
    def misnamed(E, ecc, M):
        return E - ecc * math.sin(E) - M

    with pytest.raises(s2sgrad.TransformError, match="'ecc' is not a parameter of the solver") as caught:
        s2sgrad.custom_root(misnamed, kepler_plain)
    assert caught.value.filename == __file__ and caught.value.line == misnamed.__code__.co_firstlineno
    with pytest.raises(s2sgrad.TransformError, match=r"\*args"):
        s2sgrad.custom_root(lambda *x: x[0], kepler_plain)
    with pytest.raises(TypeError, match="Python function"):
        s2sgrad.custom_root(math.sin, kepler_plain)


def pair_residual(x, a):
    return x - a


@s2sgrad.custom_root(pair_residual)
def pair(a):
    return a, a


def uses_pair(a):
    x = pair(a)
    return x[0]


def wide_residual(x, a):
    return x * np.ones(2) - a


@s2sgrad.custom_root(wide_residual)
def wide(a):
    return a


def unknown_residual(x, a):
    return np.asarray([x - a, x + a])


@s2sgrad.custom_root(unknown_residual)
def unknown(a):
    return a


def test_solutions_and_residuals_of_the_wrong_kind_are_errors():
    with pytest.raises(s2sgrad.TransformError, match="pair returns a sequence, not a float") as caught:
        s2sgrad.grad(uses_pair)(1.0)
    assert caught.value.line == uses_pair.__code__.co_firstlineno + 1
    with pytest.raises(s2sgrad.TransformError, match="one equation per element of the solution"):
        s2sgrad.grad(lambda a: wide(a) * 2.0)(1.0)
    with pytest.raises(ValueError, match=r"shape \(2,\) for a solution of shape \(\)"):  # known only when it runs
        s2sgrad.grad(lambda a: unknown(a) * 2.0)(1.0)


def test_the_decorated_solver_runs_the_solver():
    assert kepler(0.3, 1.1) == kepler_plain(0.3, 1.1)
    assert kepler.__name__ == "kepler" and cubic_root.__defaults__ == (5.0, 1.0)


def array_residual(x, a):
    return np.asarray(x * x - a)  # its kind is not known before it runs: the runtime helper's path


@s2sgrad.custom_root(array_residual)
def square_root(a):
    x = a
    for _ in range(60):
        x = 0.5 * (x + a / x)
    return x


def test_a_number_solution_whose_residual_kind_is_not_known():
    check_grad(lambda a: square_root(a) * a, (2.0,))
    assert s2sgrad.check_grad(lambda a: square_root(a) * a, 2.0, modes=("rev", "fwd")).ok
    assert "implicit_cotangent" in s2sgrad.source(lambda a: square_root(a) * a, args=(2.0,))


def scaled_root_from(x, z):
    return x * cubic_root(2.0, 5.0, z)  # z is only the starting point: the root does not move with it


def test_forward_mode_through_a_solver_whose_differentiated_argument_the_residual_does_not_read():
    check_jvp(scaled_root_from, (0.5, 1.5), wrt=(0, 1))
    assert s2sgrad.jvp(scaled_root_from, (0.5, 1.5), (0.0, 1.0))[1] == 0.0


def no_parameter():
    return 0.0


def newton_residual(x, a):
    return x * x - a


@s2sgrad.custom_root(newton_residual)
def newton(a, newton_iterations=60):  # a parameter named as custom_root's call of the iterations would be
    x = a
    for _ in range(newton_iterations):
        x = 0.5 * (x + a / x)
    return x


def test_a_residual_without_parameters_and_a_solver_parameter_named_like_its_iterations():
    with pytest.raises(s2sgrad.TransformError, match="the residual takes no parameter") as caught:
        s2sgrad.custom_root(no_parameter, kepler_plain)
    assert caught.value.line == no_parameter.__code__.co_firstlineno
    check_grad(lambda a: newton(a) * a, (2.0,))
