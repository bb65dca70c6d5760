"""grad of a function whose output is an array of one element (shape (1,), (1, 1), ...).

As autograd does, grad takes it as the number it holds: the gradient is that
element's, the reverse sweep seeded with ones of the output's shape and dtype
(the rules take an adjoint of their result's shape: a seed 1.0 made
``unreduce`` fail with an AxisError). value_and_grad returns the value as it
is. Every gradient is checked against finite differences of the function.
"""

import numpy
import pytest
from gradcheck import check_grad, check_jvp

import s2sgrad

RNG = numpy.random.default_rng(11)


def sum_kept(x):
    return numpy.sum(numpy.sin(x), keepdims=True)


def sum_over_rows(x):
    return numpy.sum(numpy.sin(x), axis=0)


def sum_over_columns_kept(x):
    return numpy.sum(numpy.sin(x), axis=1, keepdims=True)


def gram(x):
    return numpy.tanh(x.T @ x)


def log_sum_exp_kept(x):
    m = numpy.max(x, axis=1, keepdims=True)
    return m + numpy.log(numpy.sum(numpy.exp(x - m), axis=1, keepdims=True))


def squared(x):
    return x * x


def cube_in_an_array(x):
    return numpy.array([x**3])


CASES = [
    pytest.param(sum_kept, RNG.uniform(-1.0, 1.0, (3, 3)), id="sum_keepdims"),
    pytest.param(sum_over_rows, RNG.uniform(-1.0, 1.0, (3, 1)), id="sum_axis0"),
    pytest.param(sum_over_columns_kept, RNG.uniform(-1.0, 1.0, (1, 3)), id="sum_axis1_keepdims"),
    pytest.param(gram, RNG.uniform(-1.0, 1.0, (3, 1)), id="matmul"),
    pytest.param(log_sum_exp_kept, RNG.uniform(-1.0, 1.0, (1, 4)), id="log_sum_exp"),
    pytest.param(squared, numpy.array([0.7]), id="elementwise"),
]


@pytest.mark.parametrize(("func", "arg"), CASES)
def test_gradient_of_a_one_element_output(func, arg):
    check_grad(func, (arg,))


@pytest.mark.parametrize(("func", "arg"), CASES)
def test_float32_arguments_give_float32_gradients(func, arg):
    check_grad(func, (arg.astype(numpy.float32),))


def test_a_number_in_an_array():
    check_grad(cube_in_an_array, (0.7,))


def test_value_and_grad_returns_the_value_as_it_is():
    x = RNG.uniform(-1.0, 1.0, (1, 3)).astype(numpy.float32)
    value, gradient = s2sgrad.value_and_grad(sum_over_columns_kept)(x)
    assert value.shape == (1, 1) and value.dtype == numpy.float32
    assert numpy.array_equal(value, sum_over_columns_kept(x))
    assert gradient.shape == (1, 3) and gradient.dtype == numpy.float32


def pair(x):
    return numpy.stack([x, x])


def empty(x):
    return x[:0]


def complex_element(x):
    return x * numpy.array([1j])


@pytest.mark.parametrize(
    ("func", "arg", "returned"),
    [(pair, 1.0, r"shape \(2,\)"), (empty, numpy.ones(2), r"shape \(0,\)"), (complex_element, 1.0, "a complex")],
)
def test_other_outputs_are_still_rejected(func, arg, returned):
    with pytest.raises(ValueError, match=rf"needs a real scalar output \(or an array of one element\).*{returned}"):
        s2sgrad.grad(func)(arg)


def test_hessian_of_a_vector_output_is_rejected():
    with pytest.raises(ValueError, match=r"hessian of 'squared' needs a real scalar output.*shape \(2,\)"):
        s2sgrad.hessian(squared)(numpy.ones(2))


def test_grad_of_grad():
    """Forward mode over the gradient, seeded with ones of the output's shape."""
    check_grad(s2sgrad.grad(cube_in_an_array), (0.7,))


def test_jvp_of_grad():
    check_jvp(s2sgrad.grad(log_sum_exp_kept), (RNG.uniform(-1.0, 1.0, (1, 4)),))


def sum_of_inner_gradient(x):
    return numpy.sum(s2sgrad.grad(sum_over_columns_kept)(x) * x)


def value_times_inner_gradient(x):
    value, gradient = s2sgrad.value_and_grad(log_sum_exp_kept)(x)
    return numpy.sum(value * gradient)


@pytest.mark.parametrize("func", [sum_of_inner_gradient, value_times_inner_gradient], ids=lambda f: f.__name__)
def test_a_differentiated_function_calling_grad(func):
    """The called gradient's adjoint is a Hessian-vector product (and the value's adjoint, a number)."""
    x = RNG.uniform(-1.0, 1.0, (1, 3))
    check_grad(func, (x,))
    check_jvp(func, (x,))
