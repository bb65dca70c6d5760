"""Every derivative rule against finite differences, through the specs in rule_specs.py."""

import types
from typing import Callable

import numpy
import pytest
from gradcheck import check_grad, check_zero_grad
from rule_specs import CONSTANT_SPECS, EIG_IS_REAL, SPECS, qualified_name

import s2sgrad
from s2sgrad.rules import default_rules, generated_code

# spec id -> what s2sgrad gets wrong there (each test is expected to fail until fixed)
KNOWN_BUGS: dict = {}


def _params(specs: list, known: dict) -> list:
    params = []
    for spec in specs:
        marks = [pytest.mark.xfail(reason=known[spec.id], strict=True)] if spec.id in known else []
        params.append(pytest.param(spec, id=spec.id, marks=marks))
    return params


def _in_float32(test: Callable) -> Callable:
    """``test`` with the module's weight arrays in float32, so that the whole computation is float32."""
    namespace = {k: v.astype(numpy.float32) if isinstance(v, numpy.ndarray) else v for k, v in test.__globals__.items()}
    return types.FunctionType(test.__code__, namespace, test.__name__, test.__defaults__, test.__closure__)


def _float32_specs() -> list:
    """Per callable, the first spec whose arguments are arrays and whose computation stays float32 in float32.

    One per callable: each costs a compilation. (Specs that mix in float64, e.g. ``1.0 + (x > 0)``, are skipped.)
    """
    seen, chosen = set(), []
    for spec in SPECS:
        if spec.name in seen or any(kind is float for kind in spec.kinds):
            continue
        args = [numpy.asarray(a, dtype=numpy.float32) for a in spec.arguments()]
        if numpy.result_type(_in_float32(spec.test)(*args)) == numpy.float32:
            seen.add(spec.name)
            chosen.append(spec)
    return chosen


@pytest.mark.parametrize("spec", _params(SPECS, KNOWN_BUGS))
def test_rule(spec):
    check_grad(spec.test, spec.arguments(), wrt=spec.wrt, signed_arguments=True)


@pytest.mark.parametrize("spec", _params(SPECS, KNOWN_BUGS))
def test_rule_unoptimized(spec):
    """The raw transform, before the optimizer rewrites it, is right on its own."""
    check_grad(spec.test, spec.arguments(), wrt=spec.wrt, signed_arguments=True, optimize=False)


# NumPy 1.x promotes a float32 array with a Python float by value (before NEP 50), so which results stay
# float32 differs there; the float32 checks are of NumPy 2's rules.
NEP50 = int(numpy.__version__.split(".")[0]) >= 2


@pytest.mark.skipif(not NEP50, reason="float32 promotion follows NumPy 2's rules (NEP 50)")
@pytest.mark.parametrize("spec", [pytest.param(s, id=s.id) for s in _float32_specs()])
def test_rule_float32(spec):
    """float32 in, float32 gradient out, agreeing with float64 differences to float32 precision."""
    args = [numpy.asarray(a, dtype=numpy.float32) for a in spec.arguments()]
    check_grad(_in_float32(spec.test), args, wrt=spec.wrt, signed_arguments=True)


@pytest.mark.parametrize("spec", [pytest.param(s, id=s.id) for s in CONSTANT_SPECS])
def test_zero_derivative_is_exactly_zero(spec):
    """A callable whose derivative is 0 gives exactly 0 (the composite specs above check it next to other terms)."""
    check_zero_grad(spec.test, spec.arguments(), wrt=spec.wrt)


def built_in_rules():
    """A fresh default table: the shared one also holds rules that other tests register."""
    return default_rules.__wrapped__()


def test_every_registered_callable_has_a_spec():
    # s2sgrad.jvp's rule is checked by tests/test_nested_transforms.py: a spec cannot pass it a function
    # compared with ==: a distribution's method (scipy.stats.norm.pdf) is a new bound method at each read
    # numpy.float32 by test_float32_cast_passes_the_derivative_through: differences cannot see through its rounding
    # numpy.linalg.eig where NumPy returns complex eigenvalues (2.5 on): test_documented_paths checks its error
    covered = [spec.func for spec in SPECS] + list(generated_code.HELPERS) + [s2sgrad.jvp, numpy.float32]
    covered += [] if EIG_IS_REAL else [numpy.linalg.eig]
    missing = [qualified_name(f) for f in built_in_rules().callables() if not any(f == c for c in covered)]
    assert not missing, f"no spec in tests/rule_specs.py for: {', '.join(missing)}"


WEIGHTS = numpy.array([0.7, 1.3, -0.4, 2.1])


def float32_cast(x):
    return numpy.sum(numpy.float64(numpy.float32(x)) ** 2 * WEIGHTS) + numpy.float32(x[0]) * x[1]


def test_float32_cast_passes_the_derivative_through():
    """numpy.float32 rounds a float64: float64 differences see its steps, not a derivative. At values it keeps
    exactly, the gradient is the one of the same function without the cast (by hand), in the argument's dtype."""
    x = numpy.array([0.5, -1.25, 2.0, 0.375])  # float32 numbers
    expected = 2.0 * x * WEIGHTS + numpy.array([x[1], x[0], 0.0, 0.0])
    gradient = s2sgrad.grad(float32_cast)(x)
    assert gradient.dtype == numpy.float64  # its value went through the float32 value's float32 adjoint
    assert numpy.allclose(gradient, expected, rtol=1e-6, atol=0.0)
    direction = numpy.array([0.3, -0.2, 0.9, 0.5])
    _, tangent = s2sgrad.jvp(float32_cast, (x,), (direction,))
    assert numpy.isclose(tangent, expected @ direction, rtol=1e-6)  # the tangent of a float32 value is float32
    in_float32 = s2sgrad.grad(float32_cast)(x.astype(numpy.float32))
    assert in_float32.dtype == numpy.float32 and numpy.allclose(in_float32, expected, rtol=1e-6)


def test_every_spec_names_a_registered_callable():
    rules = built_in_rules()
    unknown = sorted({spec.name for spec in SPECS + CONSTANT_SPECS if spec.func not in rules})
    assert not unknown, f"specs for callables without a rule: {', '.join(unknown)}"


def test_spec_ids_are_unique_and_known_bugs_name_specs():
    ids = [spec.id for spec in SPECS]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert set(KNOWN_BUGS) <= set(ids), sorted(set(KNOWN_BUGS) - set(ids))


@pytest.mark.skipif(not NEP50, reason="which results stay float32 follows NumPy 2's rules (NEP 50)")
def test_float32_specs_cover_the_rules_that_count_or_select():
    """The rules whose adjoints build shares, counts or masks (once float64 by accident) keep a float32 check."""
    chosen = {spec.name for spec in _float32_specs()}
    wanted = {"numpy.maximum", "numpy.fmin", "numpy.max", "numpy.amin", "numpy.prod", "numpy.trace", "numpy.clip"}
    assert wanted <= chosen, sorted(wanted - chosen)


def power_of_zero_exponent(x):
    return numpy.sum(numpy.power(x, 0.0))


def power_of_zero_base(y):
    return numpy.sum(numpy.power(0.0, y))


def test_power_is_flat_where_it_is_constant():
    """x ** 0 is 1 for every x, and 0 ** y is 0 for every y > 0: their derivatives are 0 there, also at x = 0
    (not 0 * inf, nor 0 * log 0). A spec cannot hold these points: random tangents move 0 ** y to negative bases."""
    check_zero_grad(power_of_zero_exponent, (numpy.array([0.0, 1.5, -0.7]),))
    check_zero_grad(power_of_zero_base, (numpy.array([1.7, 0.4, 2.0]),))


def test_nan_quantiles_over_several_axes_say_so():
    def median_of_planes(x):
        return numpy.sum(numpy.nanmedian(x, axis=(0, 1)))

    x = numpy.arange(24.0).reshape(2, 3, 4)
    x[0, 1, 2] = numpy.nan
    with pytest.raises(NotImplementedError, match="over one axis or all of them"):
        s2sgrad.grad(median_of_planes)(x)
