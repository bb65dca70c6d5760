"""Forward mode: jvp against finite differences and against reverse mode, on every rule and program."""

import ast
import inspect
import math

import numpy
import pytest
from golden_cases import golden_cases
from gradcheck import check_grad, check_jvp, check_zero_grad, numeric_jvp
from rule_specs import SPECS, qualified_name
from test_control_flow import PROGRAMS as CONTROL_FLOW
from test_control_flow import horner_by_index, piecewise_loss
from test_programs import PROGRAMS as STRAIGHT_LINE
from test_programs import gaussian_log_likelihood, mlp_layer
from test_rules import built_in_rules

import s2sgrad
from s2sgrad import t


@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
def test_tangent_rule(spec):
    check_jvp(spec.test, spec.arguments(), wrt=spec.wrt)


def _program_params():
    seen = set()
    params = []
    for func, args, wrt in STRAIGHT_LINE:
        label = func.__name__ if func.__name__ not in seen else f"{func.__name__}-{len(args)}args"
        seen.add(func.__name__)
        params.append(pytest.param(func, args, wrt, id=label))
    params += [pytest.param(func, args, wrt, id=label) for label, func, args, wrt in CONTROL_FLOW]
    return params


@pytest.mark.parametrize(("func", "args", "wrt"), _program_params())
def test_program(func, args, wrt):
    check_jvp(func, args, wrt=wrt)


# ----- vector-valued functions -----

RNG = numpy.random.default_rng(7)
A34 = RNG.uniform(-1.0, 1.0, (3, 4))


def softmax(z):
    e = numpy.exp(z - numpy.max(z))
    return e / numpy.sum(e)


def layer_norm_rows(x, gamma):
    mean = numpy.mean(x, axis=1, keepdims=True)
    centered = x - mean
    scale = numpy.sqrt(numpy.mean(centered**2, axis=1, keepdims=True) + 1e-5)
    return gamma * centered / scale


def pendulum_flow(state, damping, steps):
    """An ODE flow map: explicit Euler steps of a damped pendulum."""
    theta, omega = state[0], state[1]
    for _ in range(steps):
        theta, omega = theta + 0.05 * omega, omega - 0.05 * (numpy.sin(theta) + damping * omega)
    return numpy.array([theta, omega])


def shifted(x):
    """A scalar plus an array: the tangent of the scalar spreads to the result's shape."""
    return x + A34


def exp_in_place(x, n):
    """``x = exp(x)`` in a loop: the tangent reads both the old and the new x."""
    for _ in range(n):
        x = numpy.exp(x) * 0.5
        x = numpy.exp(-x)
    return x


def write_after_add(x, c):
    """``y = x + c`` is a fresh array, then written: its tangent must not be x's."""
    y = x + c
    y[0] = 2.0 * x[1]
    return y * x


VECTOR_VALUED = [
    pytest.param(softmax, (RNG.uniform(-1.0, 1.0, 5),), 0, id="softmax"),
    pytest.param(layer_norm_rows, (RNG.uniform(-1.0, 1.0, (3, 4)), RNG.uniform(0.5, 1.5, 4)), (0, 1), id="layer_norm"),
    pytest.param(pendulum_flow, (numpy.array([0.4, -0.2]), 0.3, 30), (0, 1), id="ode_flow_map"),
    pytest.param(shifted, (0.7,), 0, id="scalar_plus_array"),
    pytest.param(exp_in_place, (RNG.uniform(-1.0, 1.0, 3), 3), 0, id="exp_in_place"),
    pytest.param(write_after_add, (RNG.uniform(-1.0, 1.0, 4), 0.5), (0, 1), id="write_after_add"),
]


@pytest.mark.parametrize(("func", "args", "wrt"), VECTOR_VALUED)
def test_vector_valued(func, args, wrt):
    check_jvp(func, args, wrt=wrt)


def test_tangent_has_the_shape_of_the_output():
    value, tangent = s2sgrad.jvp(shifted, (0.7,), (1.0,))
    assert tangent.shape == value.shape == (3, 4)
    assert numpy.array_equal(tangent, numpy.ones((3, 4)))


def test_tuple_output_and_constant_argument():
    def polar(r, phi):
        return r * math.cos(phi), r * math.sin(phi)

    value, tangent = s2sgrad.jvp(polar, (2.0, 0.3), (None, 1.0))
    assert value == polar(2.0, 0.3)
    assert tangent == pytest.approx((-2.0 * math.sin(0.3), 2.0 * math.cos(0.3)))


def test_the_caller_tangents_are_left_alone():
    x, t = RNG.uniform(-1.0, 1.0, 4), numpy.ones(4)
    s2sgrad.jvp(write_after_add, (x, 0.5), (t, None))
    assert numpy.array_equal(t, numpy.ones(4))


def shifted_then_written(x):
    y = x + numpy.zeros(3)  # y's tangent is x's own: broadcast_tangent passes an equal shape through
    y[0] = 5.0
    return numpy.sum(y * y) * numpy.sum(x * x)


def test_a_tangent_written_element_by_element_is_a_copy_of_the_callers():
    """t_y[0] = 0.0 must not write into t_x, the caller's tangent, which the return still reads."""
    x, t = numpy.array([0.5, -1.0, 2.0]), numpy.array([1.0, 2.0, 3.0])
    s2sgrad.jvp(shifted_then_written, (x,), (t,))
    assert numpy.array_equal(t, [1.0, 2.0, 3.0])
    check_jvp(shifted_then_written, (x,))


# ----- jacobian(mode="forward") -----


@pytest.mark.parametrize(("func", "args", "wrt"), VECTOR_VALUED[:3])
def test_forward_jacobian_matches_reverse(func, args, wrt):
    forward = s2sgrad.jacobian(func, wrt=wrt, mode="forward")(*args)
    reverse = s2sgrad.jacobian(func, wrt=wrt, mode="reverse")(*args)
    forward, reverse = (forward, reverse) if isinstance(wrt, tuple) else ((forward,), (reverse,))
    for f, r in zip(forward, reverse):
        assert f.shape == r.shape
        assert numpy.allclose(f, r, rtol=1e-10, atol=1e-12)


def test_forward_jacobian_against_finite_differences():
    z = RNG.uniform(-1.0, 1.0, 5)
    jac = s2sgrad.jacobian(softmax, mode="forward")(z)
    for k in range(5):
        direction = numpy.zeros(5)
        direction[k] = 1.0
        expected = numeric_jvp(softmax, (z,), (direction,))
        assert numpy.all(numpy.abs(jac[:, k] - expected.value) <= expected.error)


# ----- rules: registered tangents, and a missing one -----


def logistic(x):
    return 1.0 / (1.0 + numpy.exp(-x))


def scaled_power(x, p):
    return numpy.abs(x) ** p


s2sgrad.register_adjoint(logistic, vjp=lambda g, x: g * logistic(x) * (1.0 - logistic(x)), result="elementwise")


@s2sgrad.register_tangent(logistic)
def logistic_tangent(y, x):
    t[y] = t[x] * y * (1.0 - y)


def scaled_power_vjp(g, x, p):
    return g * p * numpy.abs(x) ** (p - 1.0) * numpy.sign(x), numpy.sum(g * numpy.abs(x) ** p * numpy.log(numpy.abs(x)))


s2sgrad.register_adjoint(scaled_power, vjp=scaled_power_vjp, result="elementwise")
s2sgrad.register_tangent(
    scaled_power,
    jvp=lambda x, p, t_x, t_p: (
        t_x * p * numpy.abs(x) ** (p - 1.0) * numpy.sign(x) + t_p * numpy.abs(x) ** p * numpy.log(numpy.abs(x))
    ),
    result="elementwise",
)


def uses_registered(x, p):
    return numpy.sum(logistic(x) * scaled_power(x, p))


def test_registered_tangents():
    check_jvp(uses_registered, (RNG.uniform(0.5, 1.5, 4), 1.7), wrt=(0, 1))


def test_registered_tangent_joins_the_adjoint():
    rule = s2sgrad.default_rules().lookup(logistic)
    assert rule.template is not None and rule.tangent is not None


def only_an_adjoint(x):
    return x * 3.0


s2sgrad.register_adjoint(only_an_adjoint, vjp=lambda g, x: 3.0 * g, result="elementwise")


def calls_only_an_adjoint(x):
    y = x + 1.0
    return only_an_adjoint(y)


def test_a_missing_tangent_is_an_error_at_the_users_line():
    with pytest.raises(s2sgrad.TransformError, match="no tangent rule for 'only_an_adjoint'") as error:
        s2sgrad.jvp(calls_only_an_adjoint, (1.0,), (1.0,))
    assert "test_forward.py" in str(error.value) and "return only_an_adjoint(y)" in str(error.value)


def test_a_tangent_must_assign_the_result():
    def bad(y, x):
        t[x] = t[y]

    with pytest.raises(s2sgrad.TransformError, match="a tangent assigns t\\[y\\]"):
        s2sgrad.register_tangent(numpy.sinc)(bad)


def test_every_differentiable_rule_has_a_tangent():
    rules = built_in_rules()
    missing = [
        qualified_name(f)
        for f in rules.callables()
        if rules.lookup(f).differentiable and rules.lookup(f).tangent is None
    ]
    assert not missing, missing


# ----- the generated source -----


@pytest.mark.skipif(not hasattr(ast, "unparse"), reason="astunparse (Python 3.8) adds parentheses to the text")
def test_source_in_forward_mode():
    def f(x, y):
        z = x * y
        return numpy.sin(z) + x

    text = s2sgrad.source(f, wrt=("x", "y"), args=(1.0, 2.0), mode="forward")
    assert "def jvp_f(x, y, t_x, t_y):" in text
    assert "t_z = t_x * y + x * t_y" in text
    assert "for " not in text and "stack" not in text


# ----- second derivatives: forward mode over the generated gradient -----


def rosenbrock(x):
    return numpy.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def damped_sum(x, n):
    """A loop with a branch: its gradient keeps values on stacks, which forward mode pops in step."""
    s = 0.0
    for i in range(n):
        if s < 1.0:  # noqa: SIM108 (a branch statement, on purpose)
            s = s + numpy.sum(numpy.sin(x * (i + 1)))
        else:
            s = s * numpy.sum(x * x)
    return s


def numeric_hessian(func, args, index):
    """Central differences of the gradient (itself checked against finite differences elsewhere)."""
    gradient = s2sgrad.grad(func, wrt=index)
    arg = args[index]
    columns = []
    for k in range(numpy.size(arg)):
        direction = numpy.zeros(numpy.shape(arg))
        direction.flat[k] = 1.0
        moved = [None] * len(args)
        moved[index] = direction if numpy.ndim(arg) else 1.0
        columns.append(numeric_jvp(gradient, args, moved))
    shape = numpy.shape(arg) * 2
    values = numpy.stack([c.value for c in columns], axis=-1).reshape(shape)
    return values, numpy.stack([c.error for c in columns], axis=-1).reshape(shape)


def sine_of_a_trace(a):
    """Through numpy.trace: forward mode over its adjoint runs the tangent of runtime.untrace (its g varies)."""
    return numpy.sin(numpy.trace(a @ a) + numpy.trace(a, offset=1))


def sine_of_a_variance_and_a_root(x):
    """Forward mode over the adjoint runs the tangents of runtime.moments_adjoint (its g varies) and of
    runtime.ieee_power (x ** -0.5's derivative, a negative constant power, stays ieee_power)."""
    return numpy.sum(numpy.sin(numpy.var(x, axis=1))) + numpy.sum(x**-0.5)


def log_sum_exp_of_a_row(x):
    """An output of one element, shape (1, 1): forward mode over the gradient seeded with ones of that shape."""
    return numpy.log(numpy.sum(numpy.exp(x), axis=1, keepdims=True)) * numpy.sum(x**2)


MLP_ARGUMENTS = (RNG.uniform(-1.0, 1.0, (3, 2)), *RNG.uniform(-1.0, 1.0, (2, 2)), RNG.uniform(-1.0, 1.0, (4, 3)))
HESSIANS = [
    pytest.param(rosenbrock, (RNG.uniform(-1.0, 1.0, 5),), 0, id="rosenbrock"),
    pytest.param(gaussian_log_likelihood, (0.2, -0.3, RNG.normal(size=8)), 0, id="gaussian_mu"),
    pytest.param(gaussian_log_likelihood, (0.2, -0.3, RNG.normal(size=8)), 1, id="gaussian_log_sigma"),
    pytest.param(
        mlp_layer,
        (RNG.uniform(-1, 1, (3, 2)), RNG.uniform(-1, 1, 2), RNG.uniform(-1, 1, 2), RNG.uniform(-1, 1, (4, 3))),
        0,
        id="mlp_loss",
    ),
    pytest.param(damped_sum, (RNG.uniform(-1.0, 1.0, 3), 6), 0, id="loop_with_branch"),
    pytest.param(piecewise_loss, (0.4,), 0, id="branch"),
    pytest.param(horner_by_index, (1.5, 5), 0, id="range_loop"),
    pytest.param(sine_of_a_trace, (RNG.uniform(-1.0, 1.0, (3, 3)),), 0, id="trace"),
    pytest.param(sine_of_a_variance_and_a_root, (RNG.uniform(0.5, 2.0, (3, 2)),), 0, id="var_and_power"),
    pytest.param(log_sum_exp_of_a_row, (RNG.uniform(-1.0, 1.0, (1, 3)),), 0, id="one_element_output"),
]


@pytest.mark.parametrize(("func", "args", "index"), HESSIANS)
def test_hessian_matches_finite_differences_of_the_gradient(func, args, index):
    hessian = s2sgrad.hessian(func, wrt=index)(*args)
    expected, error = numeric_hessian(func, args, index)
    assert numpy.shape(hessian) == numpy.shape(expected)
    assert numpy.all(numpy.abs(hessian - expected) <= error)
    assert numpy.allclose(hessian, numpy.transpose(hessian, _swap(numpy.ndim(args[index])))), "not symmetric"


def _swap(ndim):
    return tuple(range(ndim, 2 * ndim)) + tuple(range(ndim))


def test_hessian_of_several_arguments_is_a_tuple_of_blocks():
    args = (0.2, -0.3, RNG.normal(size=8))
    blocks = s2sgrad.hessian(gaussian_log_likelihood, wrt=(0, 1))(*args)
    assert isinstance(blocks[0][0], float) and isinstance(blocks[0][1], float)
    assert blocks[0][1] == pytest.approx(blocks[1][0])
    gradient = s2sgrad.grad(gaussian_log_likelihood, wrt=1)
    expected = numeric_jvp(gradient, args, [1.0, None, None])
    assert abs(blocks[1][0] - float(expected.value)) <= float(expected.error)


def test_hessian_vector_product_is_jvp_of_grad():
    x, v = RNG.uniform(-1.0, 1.0, 5), RNG.normal(size=5)
    gradient, product = s2sgrad.jvp(s2sgrad.grad(rosenbrock), (x,), (v,))
    assert numpy.allclose(gradient, s2sgrad.grad(rosenbrock)(x))
    assert numpy.allclose(product, s2sgrad.hessian(rosenbrock)(x) @ v, rtol=1e-12)
    expected = numeric_jvp(s2sgrad.grad(rosenbrock), (x,), (v,))
    assert numpy.all(numpy.abs(product - expected.value) <= expected.error)


def cubes(w):
    return numpy.sum(w**3)


def calls_cubes(w):
    return cubes(w) * 2.0 + numpy.sum(w)


def test_hessian_through_a_call():
    """The gradient calls the callee's forward and backward functions, which forward mode differentiates in turn."""
    w = numpy.array([1.0, -2.0, 0.5])
    assert numpy.allclose(s2sgrad.hessian(calls_cubes)(w), numpy.diag(12.0 * w))


class _Softplus:
    """A callable with a reverse rule only (a plain VJP): forward mode cannot differentiate it."""

    def __call__(self, x):
        return numpy.log1p(numpy.exp(x))

    def __repr__(self):
        return "softplus"


_softplus = _Softplus()
s2sgrad.register_adjoint(_softplus, vjp=lambda g, x: g / (1.0 + numpy.exp(-x)), result="elementwise")


def squared_softplus(x):
    return numpy.sum(_softplus(x) ** 2)


def test_hessian_through_a_callable_without_a_tangent_names_it():
    with pytest.raises(s2sgrad.TransformError, match=r"grad_squared_softplus: no tangent rule for 'softplus'"):
        s2sgrad.hessian(squared_softplus)(numpy.array([0.5, 1.0]))


def helper_tangents():
    from s2sgrad.rules import generated_code

    for template in vars(generated_code).values():
        pending = getattr(template, "__s2sgrad_rule__", None)
        if callable(template) and pending is not None:
            yield from (pytest.param(template, helper, id=helper.__name__) for helper in pending.callables)


@pytest.mark.parametrize(("template", "helper"), list(helper_tangents()))
def test_hessian_helper_tangents_bind_calls_as_the_helpers_do(template, helper):
    """A call of a helper in a generated gradient is bound by its tangent template's signature: after the result,
    the template takes the helper's parameters with the helper's defaults (another default: another call's tangent)."""
    template_parameters = list(inspect.signature(template).parameters.values())[1:]
    helper_parameters = inspect.signature(helper).parameters.values()
    assert [(p.name, p.default) for p in template_parameters] == [(p.name, p.default) for p in helper_parameters]


def products(x):
    return numpy.prod(x) ** 2 + numpy.sum(numpy.prod(numpy.reshape(x, (2, 2)) - 0.5, axis=1) ** 3)


def norms(x):
    return numpy.linalg.norm(x) ** 3 + numpy.linalg.norm(x[:2] - 0.5, ord=1) * numpy.linalg.norm(x, axis=0).sum()


def contractions(x):
    m = numpy.reshape(x, (2, 3))
    return numpy.inner(m, m).sum() ** 2 + numpy.sin(numpy.tensordot(m, m * x[0], axes=([1], [1]))).sum()


def solved(x):
    a = numpy.eye(3) * 3.0 + numpy.outer(x, x)
    return numpy.sum(numpy.linalg.solve(a, x) ** 2) + numpy.sum(numpy.linalg.solve(a, numpy.outer(x, x[::-1])))


def concatenated(x):
    y = numpy.concatenate([x * x, numpy.sin(x)])
    return numpy.sum(y * y[::-1])


def einsums(x):
    m = numpy.reshape(x, (2, 3))
    return numpy.einsum("ij,kj->", m, m * x[0]) ** 2 + numpy.einsum("ij,j->i", m, numpy.sin(m[0])).sum()


NAN_MASK = numpy.array([[False, True, False, False], [True, False, False, False]])


def nan_statistics(x):
    m = numpy.where(NAN_MASK, numpy.nan, numpy.reshape(x, (2, 4)))
    spread = numpy.sum(numpy.nanvar(m, axis=1)) * numpy.nanstd(m, ddof=1)
    return spread + numpy.nanquantile(m, 0.3) * numpy.nanprod(m, axis=0).sum() + numpy.sum(numpy.nancumsum(m) ** 2)


def sorted_squares(x):
    ordered = sorted([x[0], x[1] * 2.0, numpy.sin(x[2])], key=lambda v: -v)
    return ordered[0] ** 2 * 3.0 + ordered[1] * ordered[2]


@pytest.mark.parametrize(
    "func", [norms, contractions, solved, concatenated, einsums, products, nan_statistics, sorted_squares]
)
def test_hessian_through_linear_algebra_helpers(func):
    """Their gradients call the adjoint helpers of norm, inner, tensordot, solve, concatenate, einsum, prod,
    sorted and the nan statistics (a masked element's row and column of the Hessian are zero)."""
    args = (RNG.uniform(0.2, 1.0, {contractions: 6, einsums: 6, products: 4, nan_statistics: 8}.get(func, 3)),)
    hessian = s2sgrad.hessian(func)(*args)
    expected, error = numeric_hessian(func, args, 0)
    assert numpy.all(numpy.abs(hessian - expected) <= error)


MATRIX_NORMS = [
    pytest.param(ord_, shape, axis, keepdims, id=f"{ord_}-{'x'.join(map(str, shape))}-{axis}-{keepdims}")
    for ord_ in (2, -2, "nuc", 1, -1, numpy.inf, -numpy.inf, "fro")
    for shape, axis, keepdims in (((2, 3), None, False), ((4, 3), None, True), ((3, 2, 4), (2, 0), False))
]


@pytest.mark.parametrize(("ord_", "shape", "axis", "keepdims"), MATRIX_NORMS)
def test_hessian_vector_products_of_matrix_norms(ord_, shape, axis, keepdims):
    """Second derivatives through norm_adjoint: singular vectors that move (2, -2, nuc), piecewise-constant
    directions (1, inf), tall, wide and batched matrices."""

    def weighted_norm(x):
        norms = numpy.linalg.norm(x, ord_, axis, keepdims)
        return numpy.sum(norms * numpy.linspace(1.0, 2.0, numpy.size(norms)).reshape(numpy.shape(norms)))

    check_jvp(s2sgrad.grad(weighted_norm), (RNG.uniform(-1.0, 1.0, shape),))


def _scalar_parameters(case):
    params = list(inspect.signature(case.func).parameters)
    return [p for p in case.wrt if isinstance(case.args[params.index(p)], float)]


GRAD_OF_GRAD = [pytest.param(c, p, id=f"{c.name}-{p}") for c in golden_cases() for p in _scalar_parameters(c)]
LINEAR = {"for_else", "unused_argument", "zero_trip_loop"}  # cases linear in their float arguments at their point


@pytest.mark.parametrize(("case", "inner"), GRAD_OF_GRAD)
def test_grad_of_grad_of_each_golden_case_matches_finite_differences(case, inner):
    """grad(grad(f, p), wrt=...): a row of the Hessian, for every float argument of every golden case."""
    params = list(inspect.signature(case.func).parameters)
    check = check_zero_grad if case.name in LINEAR else check_grad
    # the finite differences run over arrays and floats: a dict or list argument is left out
    outer = [params.index(p) for p in case.wrt if not isinstance(case.args[params.index(p)], (dict, list, tuple))]
    check(s2sgrad.grad(case.func, wrt=inner), case.args, wrt=tuple(outer))


def mixed(x, y):
    return numpy.sum(numpy.sin(x * y)) + x**3 * numpy.sum(y * y)


def test_value_and_grad_of_grad_gives_the_first_and_second_derivative():
    y = RNG.uniform(-1.0, 1.0, 3)
    first, second = s2sgrad.value_and_grad(s2sgrad.grad(mixed))(0.4, y)
    assert first == s2sgrad.grad(mixed)(0.4, y)
    expected = numeric_jvp(s2sgrad.grad(mixed), (0.4, y), [1.0, None])
    assert abs(second - float(expected.value)) <= float(expected.error)


def test_grad_of_grad_with_respect_to_another_argument_is_a_mixed_derivative():
    """d/dy (d mixed / dx): an array of y's shape, the x-row of the Hessian."""
    check_grad(s2sgrad.grad(mixed, wrt=0), (0.4, RNG.uniform(-1.0, 1.0, 3)), wrt=1)


def test_grad_of_an_array_gradient_points_to_the_hessian():
    with pytest.raises(ValueError, match=r"needs it to return a number.*hessian"):
        s2sgrad.grad(s2sgrad.grad(mixed, wrt=1))(0.4, numpy.ones(3))


OTHER_TRANSFORMS = [
    pytest.param(s2sgrad.hessian, id="hessian"),
    pytest.param(s2sgrad.jacobian, id="jacobian"),
    pytest.param(lambda f: s2sgrad.grad(s2sgrad.grad(f)), id="grad of grad"),
]


@pytest.mark.parametrize("transform", OTHER_TRANSFORMS)
def test_differentiating_other_transforms_is_a_clear_error(transform):
    """Not a misleading error from s2sgrad's own source, nor (functools.wraps copying marks) a wrong number."""
    with pytest.raises(TypeError, match=r"made by s2sgrad\.(hessian|jacobian|grad of grad)"):
        s2sgrad.grad(transform(mixed))(0.4, numpy.ones(3))
    with pytest.raises(TypeError, match=r"made by s2sgrad"):
        s2sgrad.jvp(transform(mixed), (0.4, numpy.ones(3)), (1.0, None))


PROD_AXES = [(None, (4,), False), (1, (3, 4), True), (-1, (2, 3, 2), False), ((0, 2), (2, 3, 2), False)]


@pytest.mark.parametrize(("axis", "shape", "keepdims"), PROD_AXES)
def test_the_tangent_of_prods_adjoint_with_a_zero_factor(axis, shape, keepdims):
    """prod_adjoint's "zeros included" path: its tangent against central differences of prod_adjoint."""
    from s2sgrad.runtime import prod_adjoint, prod_adjoint_tangent

    x, t_x = RNG.normal(size=shape), RNG.normal(size=shape)
    x.flat[1] = 0.0
    g = RNG.normal(size=numpy.shape(numpy.prod(x, axis=axis, keepdims=keepdims)))
    t_g = RNG.normal(size=numpy.shape(g))
    moved = numeric_jvp(lambda g_, x_: prod_adjoint(g_, x_, axis, keepdims), (g, x), (t_g, t_x))
    tangent = prod_adjoint_tangent(g, t_g, x, t_x, axis, keepdims)
    assert numpy.all(numpy.abs(tangent - moved.value) <= moved.error)


def scaled_by_first(x, w):
    return x * w[0]


@s2sgrad.register_tangent(scaled_by_first)
def scaled_by_first_tangent(y, x, w):
    t[y] = t[x] * w[0]  # a plain subscript of an argument beside the t[...] notation


def test_a_tangent_rule_may_index_its_arguments():
    func = lambda x: numpy.sum(scaled_by_first(x, [1.5, 2.0]) ** 2)  # noqa: E731
    point, direction = (RNG.uniform(0.5, 1.5, 3),), (RNG.standard_normal(3),)
    _, tangent = s2sgrad.jvp(func, point, direction)
    expected = numeric_jvp(func, point, direction)
    assert abs(tangent - expected.value) <= expected.error
