"""The one gradient checker every test uses.

Two independent routes, never the code's own output: central finite
differences of the original function (in random directions, so each check
costs two evaluations per direction), and the comparison of
``value_and_grad``'s value with the function's.
"""

import copy
from typing import Any, Callable, Optional, Sequence, Tuple, Union

import numpy

import s2sgrad

SEED = 1234


def numeric_directional(func: Callable, args: Sequence[Any], index: int, direction: Any, eps: float = 1e-6) -> float:
    """Central difference of ``func`` at ``args`` along ``direction`` in argument ``index``."""

    def at(step: float) -> float:
        moved = list(args)
        moved[index] = args[index] + step * direction
        return float(func(*moved))

    return (at(eps) - at(-eps)) / (2 * eps)


def check_grad(
    func: Callable,
    args: Sequence[Any],
    wrt: Union[int, Tuple[int, ...]] = 0,
    rtol: float = 1e-5,
    atol: float = 1e-7,
    directions: int = 3,
    reference: Optional[Callable] = None,
    optimize: bool = True,
) -> None:
    """Check ``grad(func, wrt)`` at ``args`` against finite differences in random directions.

    ``reference`` is what the finite differences evaluate (``func`` unless given: a function that
    changes its arguments is evaluated on copies of them); ``optimize`` is passed to s2sgrad.
    """
    rng = numpy.random.default_rng(SEED)
    indices = wrt if isinstance(wrt, tuple) else (wrt,)
    value, grads = s2sgrad.value_and_grad(func, wrt=indices, optimize=optimize)(*copy.deepcopy(args))
    func = reference or func
    assert numpy.allclose(value, func(*args), rtol=1e-12, atol=1e-12), "value differs from the function's"
    for index, g in zip(indices, grads):
        arg = args[index]
        assert type(g) is type(arg) or (isinstance(arg, float) and isinstance(g, float)), (
            f"gradient of argument {index} is {type(g).__name__}, not {type(arg).__name__}"
        )
        assert numpy.shape(g) == numpy.shape(arg), f"gradient shape {numpy.shape(g)} != {numpy.shape(arg)}"
        for _ in range(directions):
            direction = rng.standard_normal(numpy.shape(arg))
            direction = float(direction) if isinstance(arg, float) else direction
            expected = numeric_directional(func, args, index, direction)
            actual = float(numpy.sum(numpy.asarray(g) * direction))
            tolerance = atol + rtol * max(abs(expected), abs(actual), 1.0)
            assert abs(actual - expected) <= tolerance * 100, (
                f"d/d arg {index} along a random direction: s2sgrad {actual!r}, finite differences {expected!r}"
            )


def check_arguments_unchanged(func: Callable, args: Sequence[Any], wrt: Union[int, Tuple[int, ...]] = 0) -> None:
    """The gradient leaves the caller's arguments (arrays, and lists or tuples of them) as they were."""
    before = copy.deepcopy(list(args))
    s2sgrad.grad(func, wrt=wrt)(*args)
    for old, new in zip(before, args):
        assert _same(old, new), "the gradient changed an argument"


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, (list, tuple)):
        return len(old) == len(new) and all(_same(a, b) for a, b in zip(old, new))
    return bool(numpy.array_equal(old, new))


def numeric_jvp(func: Callable, args: Sequence[Any], tangents: Sequence[Any], eps: float = 1e-6) -> Any:
    """Central difference of ``func`` at ``args`` along ``tangents`` (None: the argument stays put)."""

    def at(step: float) -> Any:
        moved = [a if t is None else a + step * t for a, t in zip(args, tangents)]
        return numpy.asarray(func(*copy.deepcopy(moved)), dtype=float)

    return (at(eps) - at(-eps)) / (2 * eps)


def check_jvp(
    func: Callable,
    args: Sequence[Any],
    wrt: Union[int, Tuple[int, ...]] = 0,
    rtol: float = 1e-5,
    atol: float = 1e-7,
    directions: int = 2,
) -> None:
    """Check ``jvp(func)`` at ``args`` against finite differences, and against reverse mode where it applies.

    Random tangents for the arguments in ``wrt``; the others stay constant (tangent None).
    For a scalar output, ``jvp`` along ``v`` must equal ``<grad, v>`` (the inner-product identity).
    """
    rng = numpy.random.default_rng(SEED)
    indices = wrt if isinstance(wrt, tuple) else (wrt,)
    for _ in range(directions):
        tangents = [_random_like(rng, a) if i in indices else None for i, a in enumerate(args)]
        value, tangent = s2sgrad.jvp(func, copy.deepcopy(list(args)), tangents)
        assert numpy.allclose(value, func(*copy.deepcopy(list(args))), rtol=1e-12, atol=1e-12), "value differs"
        assert numpy.shape(tangent) == numpy.shape(value), f"tangent shape {numpy.shape(tangent)} != value's"
        expected = numeric_jvp(func, args, tangents)
        tolerance = (atol + rtol * numpy.maximum(numpy.abs(expected), 1.0)) * 100
        assert numpy.all(numpy.abs(numpy.asarray(tangent) - expected) <= tolerance), (
            f"jvp along random tangents: s2sgrad {tangent!r}, finite differences {expected!r}"
        )
        if numpy.ndim(value) == 0:
            grads = s2sgrad.grad(func, wrt=indices)(*copy.deepcopy(list(args)))
            reverse = sum(float(numpy.sum(numpy.asarray(g) * tangents[i])) for i, g in zip(indices, grads))
            assert reverse == pytest_approx(float(tangent)), f"jvp {tangent!r} != <grad, v> {reverse!r}"


def pytest_approx(value: float) -> Any:
    import pytest

    return pytest.approx(value, rel=1e-7, abs=1e-9)


def _random_like(rng: numpy.random.Generator, arg: Any) -> Any:
    direction = rng.standard_normal(numpy.shape(arg))
    return float(direction) if isinstance(arg, float) else direction
