"""Bound methods, classmethods, functools.partial, functools.wraps wrappers and lru_cache objects."""

import functools

import numpy
import pytest
from gradcheck import check_grad

import s2sgrad


class Model:
    def loss(self, x, w):
        return w * numpy.sin(x) * x

    @classmethod
    def cube(cls, x):
        return x**3

    @staticmethod
    def square(x):
        return x * x


def twice(f):
    @functools.wraps(f)
    def wrapper(x):
        return 2 * f(x)

    return wrapper


@twice
def doubled_square(x):
    return x * x


def product(x, y, z=1.0):
    return x * y * z


@functools.lru_cache(maxsize=None)
def cached_cube(x):
    return x**3


def test_a_bound_method_counts_wrt_without_the_instance():
    loss = Model().loss
    assert s2sgrad.grad(loss)(0.5, 2.0) == pytest.approx(2.0 * (numpy.cos(0.5) * 0.5 + numpy.sin(0.5)))
    assert s2sgrad.grad(loss, wrt="w")(0.5, 2.0) == pytest.approx(numpy.sin(0.5) * 0.5)
    check_grad(loss, (0.5, 2.0), wrt=(0, 1))


def test_classmethod_and_staticmethod():
    assert s2sgrad.grad(Model.cube)(2.0) == 12.0
    assert s2sgrad.grad(Model().cube)(2.0) == 12.0
    assert s2sgrad.grad(Model.square)(3.0) == 6.0
    check_grad(Model.cube, (2.0,))


def test_a_wraps_wrapper_is_differentiated_as_it_runs():
    assert s2sgrad.grad(doubled_square)(3.0) == 12.0  # not 6: the wrapper doubles
    check_grad(doubled_square, (3.0,))


def test_a_partial_passes_its_arguments():
    assert s2sgrad.grad(functools.partial(product, 2.0))(3.0) == 2.0  # d/dy of 2 * y
    by_keyword = functools.partial(product, z=4.0)
    assert s2sgrad.grad(by_keyword, wrt=1)(3.0, 2.0) == 12.0
    check_grad(by_keyword, (3.0, 2.0), wrt=(0, 1))
    assert s2sgrad.grad(functools.partial(Model().loss, w=3.0))(0.5) == pytest.approx(
        3.0 * (numpy.cos(0.5) * 0.5 + numpy.sin(0.5))
    )


def test_a_partial_whose_keywords_are_written_after_the_first_call():
    """A partial reads its keywords dict at each call; so does its gradient (it kept a copy made at grad())."""
    by_keyword = functools.partial(product, z=4.0)
    g = s2sgrad.grad(by_keyword, wrt=1)
    assert g(3.0, 2.0) == 12.0
    by_keyword.keywords["z"] = 5.0
    assert g(3.0, 2.0) == 15.0
    assert g(3.0, 2.0, z=1.0) == 3.0  # the call's keyword wins, as in Python
    nested = functools.partial(functools.partial(product, z=4.0))
    h = s2sgrad.grad(nested)
    assert h(3.0, 2.0) == 8.0
    nested.keywords["z"] = 0.5  # the outer partial's keyword replaces the inner one's
    assert h(3.0, 2.0) == 1.0
    check_grad(nested, (3.0, 2.0), wrt=(0, 1))


def test_an_lru_cache_differentiates_the_function_it_caches():
    assert s2sgrad.grad(cached_cube)(2.0) == 12.0
    check_grad(cached_cube, (2.0,))


def test_other_callables_are_a_clear_error():
    with pytest.raises(TypeError, match=r"not a Python function.*register_adjoint"):
        s2sgrad.grad(numpy.sin)
