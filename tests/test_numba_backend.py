"""backend="numba": generated gradients compiled with numba, equal to the Python backend's and to finite differences."""

import math
import sys
import warnings

import numpy
import pytest
from gradcheck import check_grad
from test_cache import run_cell

import s2sgrad
from s2sgrad import runtime
from s2sgrad.emit import numba_backend


def horner(x, c):
    s = 0.0
    for a in c:
        s = s * x + a
    return s


def force(x, v, stiffness, friction):
    return -stiffness * x * (1.0 + 0.1 * x * x) - friction * math.tanh(v)


def duffing_energy(stiffness, friction, x, v, h, steps):
    """A Duffing oscillator with tanh friction, by semi-implicit Euler steps; its energy at the end."""
    for _ in range(steps):
        v = v + h * force(x, v, stiffness, friction)
        x = x + h * v
    return 0.5 * v * v + 0.5 * stiffness * x * x


def rosenbrock(x):
    s = 0.0
    for i in range(len(x) - 1):
        s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return s


def huber(w, t, y, delta):
    loss = 0.0
    for i in range(len(y)):
        r = y[i] - w * t[i]
        if abs(r) <= delta:
            loss += 0.5 * r * r
        else:
            loss += delta * (abs(r) - 0.5 * delta)
    return loss


def newton_cube_root(a, z):
    for _ in range(50):
        step = (z**3 - a) / (3.0 * z * z)
        z = z - step
        if abs(step) < 1e-12:
            break
    return z


def barrier(x, y, n):
    """numpy.maximum, numpy.log, a power and a division: the helpers ieee_divide, ieee_power and greater_share."""
    s = 0.0
    for i in range(n):
        s = numpy.maximum(s, x * i - y) + numpy.log(x + i) - numpy.sqrt(y) ** 1.5 / (1.0 + s * s)
    return s


def weighted_sums(x, n):
    """numpy.sum of a product each step: the reverse sweep keeps the product's shape (runtime.shape_of), not it."""
    s = 0.0
    for i in range(n):
        s += numpy.sum(x * x) * (i + 1.0)
    return s


def tanh_chain(W, x):
    """A matrix times a vector in a loop: the outer products summed after it (runtime.outer_sum's twin)."""
    h = x
    for _ in range(6):
        h = numpy.tanh(W @ h)
    return numpy.sum(h * h)


RNG = numpy.random.default_rng(7)
T = numpy.linspace(-2.0, 2.0, 40)
PROGRAMS = [
    (horner, (0.9, RNG.standard_normal(12)), (0, 1)),
    (duffing_energy, (4.0, 0.3, 1.0, 0.0, 0.01, 200), (0, 1, 2)),
    (rosenbrock, (1.0 + 0.5 * RNG.standard_normal(10),), 0),
    (huber, (1.2, T, 1.5 * T + RNG.standard_normal(40), 0.5), (0, 3)),
    (newton_cube_root, (5.0, 1.5), 0),
    (barrier, (0.7, 0.9, 5), (0, 1)),
    (weighted_sums, (RNG.standard_normal(6), 4), 0),
    (tanh_chain, (0.4 * RNG.standard_normal((4, 4)), RNG.standard_normal(4)), (0, 1)),
]


@pytest.fixture
def numba():
    return pytest.importorskip("numba")


@pytest.mark.parametrize(("func", "args", "wrt"), PROGRAMS, ids=[p[0].__name__ for p in PROGRAMS])
def test_compiled_gradient_equals_the_python_one_and_finite_differences(numba, func, args, wrt):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # these compile: no fallback warning
        compiled = s2sgrad.grad(func, wrt=wrt, backend="numba")(*args)
        check_grad(func, args, wrt, backend="numba")
    python = s2sgrad.grad(func, wrt=wrt)(*args)
    for c, p in zip(compiled, python) if isinstance(wrt, tuple) else [(compiled, python)]:
        assert numpy.shape(c) == numpy.shape(p) and numpy.asarray(c).dtype == numpy.asarray(p).dtype
        numpy.testing.assert_allclose(c, p, rtol=1e-13, atol=1e-15)


def log_of(x):
    return 2.0 * numpy.log(x)


def test_a_derivative_at_a_pole_is_inf_as_in_python(numba):
    with numpy.errstate(divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error")  # compiled: no fallback warning
        assert s2sgrad.grad(log_of, backend="numba")(0.0) == s2sgrad.grad(log_of)(0.0) == math.inf


def test_debug_nans_steps_through_the_python_code(numba):
    with pytest.raises(s2sgrad.NonFiniteError), numpy.errstate(divide="ignore"):
        s2sgrad.grad(log_of, backend="numba", debug_nans=True)(0.0)


def count(n):
    return n + 1


def calls_a_python_function(x):
    return x * x * count(2)


def test_what_numba_cannot_compile_runs_as_python_with_one_warning(numba):
    g = s2sgrad.grad(calls_a_python_function, backend="numba")
    with pytest.warns(RuntimeWarning, match=r'calls_a_python_function: backend="numba" runs .* as Python.*count'):
        assert g(2.0) == 12.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one warning per function, not per call
        assert g(3.0) == 18.0
    with pytest.warns(RuntimeWarning, match="count"):  # value_and_grad's variant: its own warning
        check_grad(calls_a_python_function, (2.0,), backend="numba")


def every_helper(x, y):
    """zeros_like, sign, unreduce, ieee_power, ieee_divide and greater_share in its gradient."""
    s = 0.0
    for i in range(3):
        s = numpy.maximum(s, y * i - 1.0) + numpy.sum(numpy.abs(x)) * y**i / (1.0 + i) + numpy.log(y + i)
    return s


def test_with_numbas_jit_disabled_the_same_code_runs_as_python(numba, monkeypatch):
    # NUMBA_DISABLE_JIT=1, for debugging: njit returns the function itself, which calls each helper's stand-in
    monkeypatch.setattr(numba.config, "DISABLE_JIT", True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback: the numba backend's own code ran
        check_grad(every_helper, (numpy.array([0.5, -1.5, 2.0]), 0.3), wrt=(0, 1), backend="numba")


def halved(n):
    return n / 2


HALVED = halved  # numba's version in the test (numba is optional)


def times_a_numba_function(x, n):
    k = float(HALVED(n))
    return x * x * k


def test_the_users_own_numba_error_is_raised_as_the_function_raises_it(numba, monkeypatch):
    monkeypatch.setitem(globals(), "HALVED", numba.njit(halved))
    g = s2sgrad.grad(times_a_numba_function, backend="numba")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # compiled, the numba function inside
        assert g(2.0, 3) == 2 * 2.0 * 1.5
    with pytest.raises(numba.core.errors.TypingError, match="truediv"):
        times_a_numba_function(2.0, "a")  # a string: numba cannot type n / 2
    with pytest.warns(RuntimeWarning, match="runs the generated gradient as Python"), pytest.raises(
        numba.core.errors.TypingError, match="truediv"
    ):
        g(2.0, "a")  # the compiled gradient fails, then the Python one fails as the function does
    with warnings.catch_warnings(), pytest.raises(numba.core.errors.TypingError, match="truediv"):
        warnings.simplefilter("error")
        g(2.0, "a")  # Python from then on: the user's error, not a second fallback


SCALES = numpy.array([1.0, 2.0, 3.0])


def reads_a_global_array(x):
    s = 0.0
    for i in range(3):
        s += SCALES[i] * x * x
    return s


def test_a_mutable_global_is_read_live_as_in_python(numba):
    g = s2sgrad.grad(reads_a_global_array, backend="numba")
    with pytest.warns(RuntimeWarning, match="SCALES"):
        assert g(1.0) == 12.0
    SCALES[0] = 4.0  # numba would have frozen the array at its first call
    try:
        assert g(1.0) == 18.0
    finally:
        SCALES[0] = 1.0


def squares(x):
    s = 0.0
    for i in range(3):
        s += numpy.sum(x * x) * i
    return s


def test_each_argument_kind_gets_its_own_variant(numba, monkeypatch):
    built = []
    original = numba_backend.accelerated
    monkeypatch.setattr(numba_backend, "accelerated", lambda g, label: built.append(g) or original(g, label))
    g = s2sgrad.grad(squares, backend="numba")
    vector, matrix = numpy.array([1.0, 2.0]), numpy.ones((2, 2))
    numpy.testing.assert_allclose(g(vector), 6.0 * vector, rtol=1e-15)
    numpy.testing.assert_allclose(g(matrix), 6.0 * matrix, rtol=1e-15)
    numpy.testing.assert_allclose(g(vector), 6.0 * vector, rtol=1e-15)
    assert len(built) == 2  # one per kind, each reused


def test_a_redefined_helper_compiles_again(numba, tmp_path):
    text = "def helper(x):\n    return x * x\n\ndef f(x, n):\n    s = 0.0\n    for i in range(n):\n"
    ns = run_cell({}, tmp_path / "cell1.py", text + "        s = s + helper(x)\n    return s\n")
    g = s2sgrad.grad(ns["f"], backend="numba")
    assert g(3.0, 2) == 12.0
    run_cell(ns, tmp_path / "cell2.py", "def helper(x):\n    return x ** 3\n")
    assert g(3.0, 2) == pytest.approx(54.0, rel=1e-15)


def test_value_and_grad(numba):
    value, gradient = s2sgrad.value_and_grad(horner, backend="numba")(2.0, numpy.array([1.0, 0.0, -1.0]))
    assert (value, gradient) == (3.0, 4.0)


@pytest.mark.parametrize(("func", "args", "wrt"), PROGRAMS, ids=[p[0].__name__ for p in PROGRAMS])
def test_jvp_equals_the_python_one(numba, func, args, wrt):
    indices = wrt if isinstance(wrt, tuple) else (wrt,)
    tangents = [numpy.full(numpy.shape(a), 0.5)[()] if i in indices else None for i, a in enumerate(args)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compiled = s2sgrad.jvp(func, args, tangents, backend="numba")
    numpy.testing.assert_allclose(compiled, s2sgrad.jvp(func, args, tangents), rtol=1e-13)
    gradient = s2sgrad.grad(func, wrt=indices)(*args)  # an independent route: <gradient, tangents>
    along = sum(numpy.sum(g * tangents[i]) for i, g in zip(indices, gradient))
    assert compiled[1] == pytest.approx(along, rel=1e-10)


def factorial_times(x, n):
    if n <= 0:
        return x
    return x * factorial_times(x, n - 1)


def calls_a_recursive_function(x):
    return factorial_times(x, 3)


def test_a_recursive_callee_runs_as_python_with_a_warning(numba):
    with pytest.warns(RuntimeWarning, match=r'calls_a_recursive_function: backend="numba" runs .* as Python'):
        check_grad(calls_a_recursive_function, (1.5,), backend="numba")


VECTOR = numpy.array([1.5, -2.0, 0.0])
TWIN_CALLS = [  # each helper with each kind of argument its numba twin takes
    (runtime.zeros_like, (VECTOR,)),
    (runtime.zeros_like, (1.5,)),
    (runtime.sign, (VECTOR,)),
    (runtime.sign, (-1.5,)),
    (runtime.unreduce, (2.0, VECTOR)),
    (runtime.unreduce, (2.0, 1.5)),
    (runtime.ieee_divide, (1.5, 0.0)),
    (runtime.ieee_divide, (3, 2)),
    (runtime.ieee_power, (0.0, -0.5)),
    (runtime.ieee_power, (2.0, 3)),
    (runtime.greater_share, (1.5, 1.5)),
    (runtime.greater_share, (1.5, -1.5)),
]
UNTYPED_CALLS = [  # arguments the twins do not take: numba reports it, and the gradient runs as Python
    (runtime.zeros_like, ((1.0, 2.0),)),
    (runtime.sign, (3,)),
    (runtime.unreduce, (VECTOR, VECTOR)),
    (runtime.ieee_divide, (VECTOR, VECTOR)),
    (runtime.ieee_power, (2, 3)),
    (runtime.greater_share, (VECTOR, VECTOR)),
]


def _through_twin(numba, helper, args):
    twin = numba_backend._twins()[helper]
    return numba.njit(lambda *a: twin(*a))(*args)


@pytest.mark.parametrize(
    ("helper", "args"), TWIN_CALLS, ids=[f"{h.__name__}-{i}" for i, (h, _) in enumerate(TWIN_CALLS)]
)
def test_each_runtime_helpers_numba_twin_equals_it(numba, helper, args):
    with numpy.errstate(divide="ignore"):
        expected = helper(*args)
        numpy.testing.assert_array_equal(_through_twin(numba, helper, args), expected, strict=True)


@pytest.mark.parametrize(("helper", "args"), UNTYPED_CALLS, ids=[h.__name__ for h, _ in UNTYPED_CALLS])
def test_a_twin_given_arguments_it_does_not_take_is_a_numba_typing_error(numba, helper, args):
    with pytest.raises(numba.core.errors.TypingError, match="No implementation"):
        _through_twin(numba, helper, args)


def test_descending_ranges_keep_lines_and_comments():
    text = "def f(n, m):\n    # a comment\n    for i in reversed(range(n)):\n        for j in reversed(range(m, n)):\n"
    text += "            for k in reversed(range(n)[:trips]):\n"
    expected = "def f(n, m):\n    # a comment\n    for i in range(n - 1, -1, -1):\n"
    expected += "        for j in range(n - 1, m - 1, -1):\n            for k in range(min(n, trips) - 1, -1, -1):\n"
    assert numba_backend.numba_text(text + "                pass\n") == expected + "                pass\n"


def test_a_descending_range_with_a_step_is_left_to_numba():
    text = "for i in reversed(range(0, n, 2)):\n    pass\n"  # numba itself reports reversed() unsupported
    assert numba_backend.numba_text(text) == text


def test_without_numba_an_import_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba raises ImportError
    with pytest.raises(ImportError, match=r"pip install numba"):
        s2sgrad.grad(horner, backend="numba")


def test_an_unknown_backend_is_an_error():
    with pytest.raises(ValueError, match="backend must be one of"):
        s2sgrad.grad(horner, backend="jax")
