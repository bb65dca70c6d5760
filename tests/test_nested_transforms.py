"""Differentiating functions that call s2sgrad.grad, value_and_grad or jvp themselves.

``y = grad(h)(x, z)`` inside a differentiated function has a Hessian-vector
product as its adjoint and its tangent; ``jvp(h, ...)`` inside one is
differentiated as h's generated forward function (reverse over forward, forward
over forward). Every check is against finite differences of the function itself.
"""

import numpy
import pytest
from gradcheck import check_grad, check_jvp, check_structured_grad, check_zero_grad, numeric_difference

import s2sgrad

RNG = numpy.random.default_rng(7)
X = RNG.uniform(-1.0, 1.0, 3)


def energy(x, z):
    return numpy.sum(numpy.sin(x) * z) + numpy.sum(x**3) * z**2


slope = s2sgrad.grad(energy)
both_slopes = s2sgrad.grad(energy, wrt=(0, 1))
value_and_z_slope = s2sgrad.value_and_grad(energy, wrt=1)


def squared_slope(x, z):
    return numpy.sum(slope(x, z) ** 2)


def product_of_slopes(x, z):
    along_x, along_z = both_slopes(x, z)
    return numpy.sum(along_x * along_z) + along_z


def value_times_slope(x, z):
    value, along_z = value_and_z_slope(x, z)
    return value * along_z + value


def slope_made_inline(x, z):
    return numpy.sum(s2sgrad.grad(energy)(x, z) ** 2) + s2sgrad.grad(energy, wrt=1)(x, z)


def slopes_in_a_loop(x, z, n):
    total = 0.0
    for i in range(n):
        total = total + numpy.sum(slope(x * (i + 1), z))
        x = numpy.tanh(x)
    return total


def both_slopes_made_inline(x, z):
    along_x, along_z = s2sgrad.grad(energy, wrt=(0, 1))(x, z)  # a tuple argument, read at compile time
    return numpy.sum(along_x) * along_z


NESTED = [squared_slope, product_of_slopes, value_times_slope, slope_made_inline, both_slopes_made_inline]


@pytest.mark.parametrize("func", NESTED, ids=lambda f: f.__name__)
def test_grad_of_a_function_calling_grad(func):
    check_grad(func, (X, 1.3), wrt=(0, 1))


@pytest.mark.parametrize("func", NESTED, ids=lambda f: f.__name__)
def test_jvp_of_a_function_calling_grad(func):
    check_jvp(func, (X, 1.3), wrt=(0, 1))


@pytest.mark.parametrize("n", [1, 3])
def test_a_gradient_called_in_a_loop(n):
    """Each iteration's arguments are kept for the reverse sweep's Hessian-vector products."""
    check_grad(slopes_in_a_loop, (X, 0.7, n), wrt=(0, 1))


def test_a_gradient_called_in_a_loop_of_no_trips():
    check_zero_grad(slopes_in_a_loop, (X, 0.7, 0), wrt=(0, 1))


def test_float32_arguments_give_float32_gradients():
    check_grad(squared_slope, (X.astype(numpy.float32), 1.3), wrt=0)


def test_the_generated_code_calls_the_hessian_vector_product():
    text = s2sgrad.source(slope_made_inline, wrt=(0, 1))
    assert "t0 = s2sgrad.grad(energy)(x, z)" in text  # the user's spelling, in the forward sweep
    assert "grad_energy_vjp(" in text


def redefined_inside(x):
    return s2sgrad.grad(_target)(x) * 2.0


def _target(x):
    return x**3


def test_a_redefined_function_is_read_again():
    """``s2sgrad.grad(_target)`` is made at compile time: a new ``_target`` compiles the caller again."""
    global _target
    first = s2sgrad.grad(redefined_inside)(0.5)
    saved = _target
    try:
        _target = lambda x: x**4  # noqa: E731
        second = s2sgrad.grad(redefined_inside)(0.5)
    finally:
        _target = saved
    assert first == pytest.approx(2.0 * 6 * 0.5)
    assert second == pytest.approx(2.0 * 12 * 0.5**2)


def directional_energy(x, z, v):
    value, tangent = s2sgrad.jvp(energy, (x, z), (v, 0.5))
    return numpy.sum(tangent**2) + numpy.sum(value)


def test_vjp_of_jvp():
    """Reverse mode over the generated forward function of ``energy``: adjoints of primals and tangents."""
    check_grad(directional_energy, (X, 1.3, RNG.normal(size=3)), wrt=(0, 1, 2))


def test_jvp_of_jvp():
    """Forward over forward: a second directional derivative."""
    check_jvp(directional_energy, (X, 1.3, RNG.normal(size=3)), wrt=(0, 1, 2))


def test_hessian_of_a_function_calling_grad_is_a_clear_error():
    with pytest.raises(s2sgrad.TransformError, match="a third derivative through it is not supported"):
        s2sgrad.hessian(squared_slope)(X, 1.3)


def keyword_only(x, *, k=2.0):
    return numpy.sum(x**3) * k


keyword_only_slope = s2sgrad.grad(keyword_only)


def calls_keyword_only_slope(x):
    return numpy.sum(keyword_only_slope(x))


def test_a_gradient_of_keyword_parameters_is_rejected_at_the_call():
    with pytest.raises(s2sgrad.TransformError, match=r"s2sgrad\.grad\(keyword_only\), whose parameters") as caught:
        s2sgrad.grad(calls_keyword_only_slope)(X)
    assert caught.value.filename == __file__


def calls_a_hessian(x):
    return numpy.sum(s2sgrad.hessian(energy)(x, 1.0))


def test_a_function_calling_hessian_is_rejected_at_the_call():
    with pytest.raises(s2sgrad.TransformError, match=r"this calls s2sgrad\.hessian\(energy\)"):
        s2sgrad.grad(calls_a_hessian)(X)


def slope_then_write(x, z):
    y = x * 1.0
    along_x = slope(y, z)
    y[0] = 5.0 * z  # the reverse sweep needs y as the call saw it
    return numpy.sum(along_x * y)


def only_the_value(x, z):
    value, _ = value_and_z_slope(x, z)
    return value * value


class Spring:
    def energy(self, x, z):
        return numpy.sum(numpy.cos(x * z) * x)


spring_slope = s2sgrad.grad(Spring().energy, wrt=(0, 1))  # a bound method: the instance is not a parameter


def method_slopes(x, z):
    along_x, along_z = spring_slope(x, z)
    return numpy.sum(along_x**2) * along_z


@pytest.mark.parametrize("func", [slope_then_write, only_the_value, method_slopes], ids=lambda f: f.__name__)
def test_gradients_called_through_writes_unused_parts_and_methods(func):
    check_grad(func, (X, 1.3), wrt=(0, 1))


def with_default(x, z=1.5):
    return numpy.sum(numpy.exp(x * z))


default_slope = s2sgrad.grad(with_default)


def omits_the_default(x):
    return numpy.sum(default_slope(x) ** 2)


def test_a_gradient_called_without_its_default_argument():
    check_grad(omits_the_default, (X,))
    check_jvp(omits_the_default, (X,))


def test_a_default_assigned_after_the_first_call_is_the_one_used():
    """The call passes with_default's default as it is at the call (its code spelled 1.5 in before)."""
    g = s2sgrad.grad(omits_the_default)
    g(X)
    with_default.__defaults__ = (0.5,)
    try:
        direction = numpy.ones_like(X)
        numeric = numeric_difference(omits_the_default, (X,), 0, direction)
        assert abs(numpy.sum(g(X) * direction) - numeric.value) <= numeric.error
        check_grad(omits_the_default, (X,))
        check_jvp(omits_the_default, (X,))
    finally:
        with_default.__defaults__ = (1.5,)


def affine_energy(p, x):
    return p["w"] * numpy.sum(x**2) + p["b"] * x[0]


affine_slope = s2sgrad.grad(affine_energy, wrt=1)


def through_a_dict_of_parameters(p, x):
    return numpy.sum(affine_slope(p, x) ** 2)


def test_a_gradient_called_with_a_dict_of_parameters():
    """The dict's adjoint is a Hessian-vector product too (it was left out: None, silently)."""
    p = {"w": 1.3, "b": -0.4}
    check_structured_grad(through_a_dict_of_parameters, (p, X), index=0)
    check_grad(through_a_dict_of_parameters, (p, X), wrt=1)


def directional_in_a_loop(x, z, v):
    total = 0.0
    for i in range(3):
        value, tangent = s2sgrad.jvp(energy, (x * (i + 1), z), (v, None))  # z held constant
        total = total + numpy.sum(tangent * value)
    return total


def test_jvp_called_in_a_loop_with_a_constant_primal():
    args = (X, 1.3, RNG.normal(size=3))
    check_grad(directional_in_a_loop, args, wrt=(0, 1, 2))
    check_jvp(directional_in_a_loop, args, wrt=(0, 1, 2))


# ----- a transform of a function defined inside the differentiated one, reading its variables -----


def grad_of_an_inner_def(x):
    def inner(y):
        return x * y**2

    return x * s2sgrad.grad(inner)(2.0)  # x * 4x: its derivative is 8x, through the closure too


def test_the_gradient_of_an_inner_def_reaches_what_it_reads():
    assert s2sgrad.grad(grad_of_an_inner_def)(1.5) == pytest.approx(8 * 1.5, rel=1e-14)
    check_grad(grad_of_an_inner_def, (1.5,))
    check_jvp(grad_of_an_inner_def, (1.5,))


def inner_lambda_of_both(x, z):
    scaled = lambda y: numpy.sum(numpy.sin(y * x)) * z  # noqa: E731
    return numpy.sum(s2sgrad.grad(scaled)(x) * x)


def value_and_grad_of_an_inner_def(x, z):
    def inner(w):
        return numpy.sum(numpy.tanh(w * x)) * z

    value, slope = s2sgrad.value_and_grad(inner)(z)
    return value * slope


def lambda_written_in_the_call(x, z):
    return s2sgrad.grad(lambda w: w**3 * z + numpy.sum(x**2) * w)(z) * numpy.sum(x)


def last_parameter_by_a_negative_wrt(x, z):
    def inner(u, v):
        return numpy.sum(numpy.sin(u * v * z))

    return s2sgrad.grad(inner, wrt=-1)(x, 0.5 * z) + numpy.sum(s2sgrad.grad(inner, wrt=(0, -1))(x, 0.5)[0])


def inner_def_in_a_branch_and_loop(x, z):
    total = 0.0
    for i in range(2):
        if z > 0.0:

            def inner(y):
                return numpy.sum(y**2 * x) * (i + 1)  # noqa: B023 (called in this iteration)

        total = total + numpy.sum(s2sgrad.grad(inner)(x * z))
    return total


def negative_wrt_by_position(x, z):
    inner = lambda u, v: numpy.sum(u**2) * v * z  # noqa: E731 (a lambda bound to a name, as users write it)
    return numpy.sum(s2sgrad.grad(inner, -1)(x, z) * x)


INNER = [
    inner_lambda_of_both,
    value_and_grad_of_an_inner_def,
    lambda_written_in_the_call,
    last_parameter_by_a_negative_wrt,
    inner_def_in_a_branch_and_loop,
    negative_wrt_by_position,
]


@pytest.mark.parametrize("func", INNER, ids=lambda f: f.__name__)
def test_a_transform_of_an_inner_function(func):
    check_grad(func, (X, 1.3), wrt=(0, 1))
    check_jvp(func, (X, 1.3), wrt=(0, 1))


def test_the_transform_is_of_the_lifted_function_with_what_it_reads():
    text = s2sgrad.source(grad_of_an_inner_def)
    assert "t0 = s2sgrad.grad(inner_1)(2.0, x)" in text  # x, read by inner, passed on
    assert "grad_inner_vjp(" in text


def tuple_argument_of_an_inner_def(x):
    def inner(y):
        return y[0] * y[1]

    return numpy.sum(numpy.sin(numpy.array(s2sgrad.grad(inner)((x, x)))))


def test_an_inner_def_reading_nothing_of_the_function():
    check_grad(tuple_argument_of_an_inner_def, (0.7,))
    check_jvp(tuple_argument_of_an_inner_def, (0.7,))


def slope_of_a_function_argument(h, x):
    return s2sgrad.grad(h)(x) * x


def test_a_transform_of_a_function_passed_in():
    """Code is specialized on a function argument: its transform is made at compile time too."""
    check_grad(slope_of_a_function_argument, (_target, 0.7), wrt=1)


def kept_for_later(x):
    def inner(y):
        return x * y**2

    slope_of_inner = s2sgrad.grad(inner)
    return slope_of_inner(2.0)


def test_an_inner_function_transformed_but_not_called_at_once_is_rejected():
    with pytest.raises(s2sgrad.TransformError, match=r"'inner' can only be called here") as caught:
        s2sgrad.grad(kept_for_later)(1.5)
    assert caught.value.filename == __file__


class Spring:
    def __init__(self, k, rest):
        self.k, self.rest = k, rest


def spring_energy(x, spring):
    return 0.5 * spring.k * (x - spring.rest) ** 2


def force_times_x(x, spring):
    return s2sgrad.grad(spring_energy)(x, spring) * x


def test_an_object_passed_to_a_gradient_called_in_code():
    """The attributes the called gradient's function reads are found through the call s2sgrad.grad(h)(...)."""
    check_grad(force_times_x, (1.2, Spring(3.0, 0.5)), wrt=0)
