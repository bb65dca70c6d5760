"""Calls that unpack ``*args`` and ``**kwargs``: written out one by one where the length (keys) is known.

What a ``*args`` parameter gathers has the length of the call that gathered it,
part of what the code is specialized on; so ``f(*args[1:])`` in a forwarding
wrapper passes its arguments one by one, and the wrapper's gradient has one
adjoint per forwarded argument. Everything is checked against finite
differences (tests/gradcheck.py), in reverse and forward mode.
"""

import numpy
import pytest
from gradcheck import check_grad, check_jvp

import s2sgrad

# ----- the functions forwarded to -----


def product_sum(a, b=2.0, c=0.5):
    return numpy.sum(a * b) + c * numpy.sum(a)


def gaussian_logpdf(x, mean, cov):
    """A user function with the shape of a log density: solve and slogdet of a symmetric matrix."""
    diff = x - mean
    _, logdet = numpy.linalg.slogdet(cov)
    return -0.5 * (diff @ numpy.linalg.solve(cov, diff) + logdet)


def symmetrize(m):
    lower = numpy.tril(m)
    return 0.5 * (lower + lower.T)


# ----- forwarding wrappers, as tests and libraries write them -----

first_symmetrized = lambda *args: numpy.linalg.cholesky(symmetrize(args[0]), *args[1:])  # noqa: E731
head_transformed = lambda *args: product_sum(numpy.sin(args[0]), *args[1:])  # noqa: E731


def symmetrized_argument(fun, argnum):
    def symmetrized(*args, **kwargs):
        args = list(args)
        args[argnum] = 0.5 * (args[argnum] + args[argnum].T)
        return fun(*args, **kwargs)

    return symmetrized


symmetric_logpdf = symmetrized_argument(gaussian_logpdf, 2)


def wrapper(*args, **kwargs):
    return product_sum(*args, **kwargs)


def forwarded_to(fun):
    def forwarding(*args, **kwargs):
        return fun(*args, **kwargs)

    return forwarding


einsum_of, norm_of = forwarded_to(numpy.einsum), forwarded_to(numpy.linalg.norm)


def settings_among_the_arguments(x, y):
    """The subscripts and the order travel in *args beside the arrays: each item has its own kind."""
    return einsum_of("ij,j->", x, y) + norm_of(y, 1) + norm_of(y, ord=2)


def passes_on(*args):
    """A callee that itself takes *args, called with what this one gathered."""
    return head_transformed(*args) * 2.0


# ----- the differentiated functions: plain parameters, calling the wrappers -----


def cholesky_of_symmetrized(a):
    return numpy.sum(first_symmetrized(a) * numpy.arange(1.0, 10.0).reshape(3, 3))


def one_argument(x):
    return passes_on(x)  # *args[1:] is empty


def two_arguments(x, y):
    return passes_on(x, y)


def three_arguments(x, y, z):
    return head_transformed(x, y, z)


def logpdf_of(x, mean, cov):
    return symmetric_logpdf(x, mean, cov)


def keywords_forwarded(x, y, z):
    return wrapper(x, c=z, b=y)  # keys in another order than the parameters


def list_unpacked(x, y, z):
    values = [x, y]
    values[0] = values[0] * 2.0  # written by index: still two values
    return product_sum(*values, z)


def tuple_unpacked(x, y):
    pair = (x, y)
    return numpy.hypot(*pair) + numpy.hypot(*(pair[:1] + (2.0,)))  # noqa: RUF005 (a sum of tuples, unpacked)


def dict_unpacked(x, y):
    options = {"b": y, "c": 0.25}
    return product_sum(x, **options) + product_sum(x, **{"c": y})


def total(pair, scales):
    return pair[0] * pair[1] + scales[0] * pair[0]


def displays_passed(x, y):
    return total((x, y * 2.0), [y, 3.0])  # a tuple and a list written out: one adjoint per element


def reversed_slice(*args):
    return product_sum(*args[::-1])


def listed_then_unpacked(x, y):
    pair = (x, y * 2.0)
    return product_sum(*list(pair)) + product_sum(*tuple(pair[1:]))  # *list(xs) passes what *xs does


def sliced_by_a_variable(x, y, k):
    values = (x, y, 0.5)
    return product_sum(*values[:k])


POINT = numpy.array([[2.0, 0.3, -0.4], [0.5, 1.5, 0.2], [0.1, 0.6, 1.8]])
COV = numpy.array([[1.5, 0.4], [0.2, 1.2]])


@pytest.mark.parametrize(
    "func, args",
    [
        (cholesky_of_symmetrized, (POINT,)),
        (one_argument, (0.7,)),
        (two_arguments, (0.7, numpy.array([1.5, -0.5]))),
        (three_arguments, (numpy.array([0.3, 1.1]), 1.7, 0.6)),
        (logpdf_of, (numpy.array([0.4, -0.3]), numpy.array([0.1, 0.2]), COV)),
        (keywords_forwarded, (numpy.array([0.3, 1.1]), 1.7, 0.6)),
        (list_unpacked, (0.8, 1.3, 0.4)),
        (tuple_unpacked, (0.8, 1.3)),
        (dict_unpacked, (numpy.array([0.3, 1.1]), 1.7)),
        (displays_passed, (0.8, 1.3)),
        (listed_then_unpacked, (0.8, 1.3)),
        (settings_among_the_arguments, (POINT, numpy.array([0.4, -1.3, 0.7]))),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_forwarded_arguments_differentiate(func, args):
    wrt = tuple(range(len(args)))
    check_grad(func, args, wrt=wrt)
    check_jvp(func, args, wrt=wrt)


def test_the_wrapper_itself_has_one_adjoint_per_gathered_argument():
    gradient = s2sgrad.grad(head_transformed)(0.7, 1.5, 0.25)
    assert isinstance(gradient, tuple) and len(gradient) == 3
    s2sgrad.check_grad(head_transformed, 0.7, 1.5, 0.25)  # each gathered argument, both modes
    s2sgrad.check_grad(reversed_slice, 0.7, 1.5)
    s2sgrad.check_grad(reversed_slice, 0.7, 1.5, 0.25)


def test_the_length_gathered_is_part_of_the_specialization():
    """One gradient called with two, then three, then two arguments: each length compiled for itself."""
    gradient = s2sgrad.grad(reversed_slice)
    assert gradient(2.0, 3.0) == pytest.approx((3.0, 2.5))  # product_sum(a=3, b=2) = a b + a / 2
    assert gradient(2.0, 3.0, 1.0) == pytest.approx((1.0, 1.0, 5.0))  # product_sum(a=1, b=3, c=2) = a b + c a
    assert gradient(2.0, 3.0) == pytest.approx((3.0, 2.5))


def test_the_kinds_of_a_tuple_argument_are_part_of_the_specialization():
    """A tuple of floats, then a tuple holding an array: the second call is not served the first's code."""

    def weighted(pair):
        return numpy.sum(pair[0] * pair[1])

    gradient = s2sgrad.grad(weighted)
    assert gradient((1.0, 2.0)) == pytest.approx((2.0, 1.0))
    d_array, d_float = gradient((numpy.ones(3), 2.0))
    assert d_array == pytest.approx(numpy.full(3, 2.0)) and d_float == pytest.approx(3.0)


def prints_a_list(x, labels):
    print(*labels)  # not differentiated: runs as written, whatever the list's length
    return x * x


def test_a_starred_call_that_is_not_differentiated_runs_as_written(capsys):
    assert s2sgrad.grad(prints_a_list)(1.5, ["a", "b"]) == pytest.approx(3.0)
    assert capsys.readouterr().out == "a b\n"


def test_wrt_past_the_named_parameters_says_what_args_gathers():
    with pytest.raises(ValueError, match=r"its \*args gathers the arguments from position 0 on: wrt='args'"):
        s2sgrad.grad(reversed_slice, wrt=1)(2.0, 3.0)


def test_second_derivatives_through_a_forwarding_wrapper():
    """Forward mode over the generated gradient: its call passes the gathered tuple as a display."""
    x, y = numpy.array([0.3, 0.5]), numpy.array([1.2, -0.7])
    expected = numpy.diag(-2.0 * numpy.sin(x) * (y + 0.5))  # d2/dx2 of 2 (sum(sin(x) y) + 0.5 sum(sin(x)))
    assert s2sgrad.hessian(two_arguments)(x, y) == pytest.approx(expected)
    second = s2sgrad.grad(s2sgrad.grad(one_argument))(0.7)  # 2 (sin(x) 2 + 0.5 sin(x))
    assert second == pytest.approx(-5.0 * numpy.sin(0.7))


def test_a_slice_whose_bounds_are_not_constants_is_an_unknown_length():
    with pytest.raises(s2sgrad.TransformError, match="whose length the compiler cannot tell"):
        s2sgrad.grad(sliced_by_a_variable, wrt=(0, 1))(0.8, 1.3, 2)
