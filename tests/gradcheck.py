"""The one gradient checker every test uses.

Two independent routes, never the code's own output: central finite
differences of the original function, and the comparison of
``value_and_grad``'s value with the function's.

The finite differences are float64 central differences at three steps,
``h``, ``h / 2`` and ``h / 4``, combined pairwise by Richardson extrapolation
(error O(h⁴)). The tolerance of each comparison is the error estimate of that
difference: the gap between the two extrapolations (which bounds the
truncation error of the finer), plus the rounding error of the evaluations
divided by the smallest step. There is no other slack: for smooth functions the
tolerance is about 1e-10 of the derivative, so a gradient scaled by 1 + 1e-6
fails. Each argument is checked along random directions, and element by
element when it has at most ``PER_ELEMENT`` elements. A directional
derivative too close to 0 for its sign to be known fails the check: a test
point there cannot tell a gradient from its negation.
"""

import copy
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Optional, Sequence, Tuple, Union

import numpy

import s2sgrad

SEED = 1234
STEP = 1e-3  # along a unit direction, then halved twice: h⁴ ~ 1e-12 of the fifth derivative
PER_ELEMENT = 16  # arguments up to this size are also checked one element at a time
SAFETY = 4.0  # the estimate is of the error's size, not a bound: leave a factor for its own error
SIGN_MARGIN = 100.0  # a checked derivative must exceed its tolerance this many times
FLOAT32_RTOL = 1e-4  # a float32 gradient agrees with float64 differences to a few float32 ulps of its scale


@dataclass(frozen=True)
class Difference:
    """A finite-difference directional derivative and the size of its error."""

    value: float
    error: float


def numeric_difference(func: Callable, args: Sequence[Any], index: int, direction: Any) -> Difference:
    """Richardson-extrapolated central difference of ``func`` along ``direction`` in argument ``index``."""
    scale = float(numpy.linalg.norm(direction)) or 1.0
    unit = direction / scale
    values = []

    def at(step: float) -> float:
        moved = list(args)
        moved[index] = _as_float64(args[index]) + step * unit
        values.append(float(numpy.reshape(func(*moved), ())))  # a number, or an array of one element
        return values[-1]

    central = [(at(h) - at(-h)) / (2 * h) for h in (STEP, STEP / 2, STEP / 4)]
    # one Richardson step per pair of steps removes the h² term; the two results differ by O(h⁴),
    # which bounds the error of the finer one
    coarse, extrapolated = (fine + (fine - rough) / 3 for rough, fine in zip(central, central[1:]))
    # rounding: each value carries a few ulps (more after long sums); the differences divide by the smallest step
    rounding = 64 * numpy.finfo(float).eps * max(abs(v) for v in values) / (STEP / 4)
    error = SAFETY * (abs(extrapolated - coarse) + rounding)
    return Difference(extrapolated * scale, error * scale)


def numeric_directional(func: Callable, args: Sequence[Any], index: int, direction: Any) -> float:
    """The finite-difference derivative of ``func`` at ``args`` along ``direction`` in argument ``index``."""
    return numeric_difference(func, args, index, direction).value


def check_grad(
    func: Callable,
    args: Sequence[Any],
    wrt: Union[int, Tuple[int, ...]] = 0,
    directions: int = 3,
    optimize: bool = True,
    signed_arguments: bool = False,
    reference: Optional[Callable] = None,
    backend: str = "python",
) -> None:
    """Check ``value_and_grad(func, wrt, backend=backend)`` at ``args`` against finite differences.

    Each argument is checked along ``directions`` random directions, and along
    each element's axis if it is small; float32 arguments must get float32
    gradients, compared with float64 differences at float32 precision. Some
    argument's (with ``signed_arguments``, every argument's) derivatives
    along random directions must be far enough from 0 to have a sign; an
    argument whose derivative is 0 at the point is checked to be 0 within
    the tolerance of the differences. ``reference`` is what the differences
    and the value comparison evaluate (``func`` unless given: a function that
    changes its arguments is evaluated on copies of them).
    """
    rng = numpy.random.default_rng(SEED)
    indices = wrt if isinstance(wrt, tuple) else (wrt,)
    gradient = s2sgrad.value_and_grad(func, wrt=indices, optimize=optimize, backend=backend)
    value, grads = gradient(*copy.deepcopy(args))
    func = reference or func
    expected_value = func(*args)
    value_tolerance = 1e-5 if _is_float32(expected_value) else 1e-12
    assert numpy.allclose(value, expected_value, rtol=value_tolerance, atol=value_tolerance), (
        "value differs from the function's"
    )
    signed = []
    for index, g in zip(indices, grads):
        arg = args[index]
        _check_type(index, arg, g)
        checks = [_check_along(func, args, index, g, label, d) for label, d in _directions(rng, arg, directions)]
        # random directions (the first ones) must show a sign; per-element zeros are fine
        signed.append(all(checks[: directions if numpy.shape(arg) else 1]))
    unsigned = [i for i, ok in zip(indices, signed) if not ok]
    assert not (unsigned if signed_arguments else all(not ok for ok in signed)), (
        f"the derivatives of arguments {unsigned} along random directions are too close to 0 to tell their sign "
        "(a negated gradient would pass): move the point"
    )


def check_structured_grad(func: Callable, args: Sequence[Any], index: int = 0, directions: int = 3) -> None:
    """Check the gradient of a dict, list or tuple argument part by part against finite differences."""
    container = args[index]
    g = s2sgrad.grad(func, wrt=index)(*args)
    assert type(g) is type(container), f"the gradient of a {type(container).__name__} is a {type(g).__name__}"
    keys = list(container) if isinstance(container, dict) else list(range(len(container)))
    assert (list(g) if isinstance(g, dict) else list(range(len(g)))) == keys, "the gradient's parts differ"
    rng = numpy.random.default_rng(SEED)
    signed = []
    for key in keys:
        part_func, part_args = narrowed(func, args, index, key)
        _check_type(index, container[key], g[key])
        directions_of_part = _directions(rng, container[key], directions)
        signed.append(
            any(
                [
                    _check_along(part_func, part_args, index, g[key], f"[{key!r}] {label}", d)
                    for label, d in directions_of_part
                ]
            )
        )
    assert any(signed), "no part's derivative is far enough from 0 to tell its sign: move the point"


def narrowed(func: Callable, args: Sequence[Any], index: int, key: Any) -> Tuple[Callable, Tuple[Any, ...]]:
    """``func`` and ``args`` with the container argument ``index`` narrowed to its part ``key``."""
    whole = args[index]

    def moved(*narrowed_args: Any) -> Any:
        rebuilt = dict(whole) if isinstance(whole, dict) else list(whole)
        rebuilt[key] = narrowed_args[index]
        rebuilt = tuple(rebuilt) if isinstance(whole, tuple) else rebuilt
        return func(*narrowed_args[:index], rebuilt, *narrowed_args[index + 1 :])

    return moved, (*args[:index], whole[key], *args[index + 1 :])


def check_zero_grad(func: Callable, args: Sequence[Any], wrt: Union[int, Tuple[int, ...]] = 0) -> None:
    """A function that is locally constant in ``wrt`` has a gradient of exactly zero there.

    The finite differences must be exactly 0 too (every step gives the same
    value), so this fails both for a wrong rule and for a point next to a jump.
    """
    indices = wrt if isinstance(wrt, tuple) else (wrt,)
    grads = s2sgrad.grad(func, wrt=indices)(*args)
    rng = numpy.random.default_rng(SEED)
    for index, g in zip(indices, grads):
        _check_type(index, args[index], g)
        assert not numpy.any(numpy.asarray(g)), f"d/d arg {index} is {g!r}, not exactly zero"
        for label, direction in _directions(rng, args[index], 3):
            numeric = numeric_difference(func, args, index, direction)
            assert numeric.value == 0.0, f"{label}: finite differences {numeric.value!r}: not constant here"


def _check_type(index: int, arg: Any, g: Any) -> None:
    assert type(g) is type(arg) or (isinstance(arg, float) and isinstance(g, float)), (
        f"gradient of argument {index} is {type(g).__name__}, not {type(arg).__name__}"
    )
    assert numpy.shape(g) == numpy.shape(arg), f"gradient shape {numpy.shape(g)} != {numpy.shape(arg)}"
    if isinstance(arg, numpy.ndarray):
        assert g.dtype == arg.dtype, f"gradient of a {arg.dtype} argument {index} is {g.dtype}"


def _check_along(func: Callable, args: Sequence[Any], index: int, g: Any, label: str, direction: Any) -> bool:
    """Compare ``g`` with finite differences along ``direction``; whether the derivative there has a sign."""
    numeric = numeric_difference(func, args, index, direction)
    actual = float(numpy.sum(numpy.asarray(g, dtype=float) * direction))
    tolerance = numeric.error
    if _is_float32(args[index]):
        tolerance += FLOAT32_RTOL * float(numpy.sum(numpy.abs(numpy.asarray(g, dtype=float) * direction)))
    where = f"d/d arg {index} {label}: s2sgrad {actual!r}, finite differences {numeric.value!r} ± {tolerance:.2g}"
    assert abs(actual - numeric.value) <= tolerance, where
    # a sign is known when the differences are far from 0 and a negated gradient is out of tolerance
    return abs(numeric.value) > max(SIGN_MARGIN * numeric.error, tolerance)


def _directions(rng: numpy.random.Generator, arg: Any, count: int) -> Iterator[Tuple[str, Any]]:
    """Random unit-normal directions, then each element's axis for small arguments."""
    shape = numpy.shape(arg)
    if not shape:
        yield "along 1", 1.0
        return
    for i in range(count):
        yield f"along random direction {i}", rng.standard_normal(shape)
    size = int(numpy.prod(shape))
    if size <= PER_ELEMENT:
        for flat in range(size):
            axis = numpy.zeros(shape)
            axis.flat[flat] = 1.0
            yield f"element {numpy.unravel_index(flat, shape)}", axis


def _as_float64(arg: Any) -> Any:
    """A float32 argument is differenced in float64: float32 steps would drown the derivative."""
    return arg.astype(numpy.float64) if _is_float32(arg) else arg


def _is_float32(value: Any) -> bool:
    return getattr(value, "dtype", None) == numpy.float32


def check_arguments_unchanged(func: Callable, args: Sequence[Any], wrt: Union[int, Tuple[int, ...]] = 0) -> None:
    """The gradient leaves the caller's arguments (arrays, and lists, tuples or dicts of them) as they were."""
    before = copy.deepcopy(list(args))
    s2sgrad.grad(func, wrt=wrt)(*args)
    for old, new in zip(before, args):
        assert _same(old, new), "the gradient changed an argument"


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, (list, tuple)):
        return len(old) == len(new) and all(_same(a, b) for a, b in zip(old, new))
    if isinstance(old, dict):
        return old.keys() == new.keys() and all(_same(old[k], new[k]) for k in old)
    return bool(numpy.array_equal(old, new))


def planted(value_and_grad: Callable, bug: str) -> Callable:
    """``value_and_grad`` with every gradient scaled by 1 + 1e-6 (``"scale"``) or offset by 1e-7 of its scale.

    The checker's own test: every ``check_grad`` must fail against it.
    """

    def planted_value_and_grad(*args: Any, **kwargs: Any) -> Callable:
        inner = value_and_grad(*args, **kwargs)

        def run(*call_args: Any, **call_kwargs: Any) -> Any:
            value, grads = inner(*call_args, **call_kwargs)
            return value, _perturbed(grads, bug, _largest(grads))

        return run

    return planted_value_and_grad


def _perturbed(grads: Any, bug: str, scale: float) -> Any:
    if isinstance(grads, tuple):
        return tuple(_perturbed(g, bug, scale) for g in grads)
    return grads * (1 + 1e-6) if bug == "scale" else grads + 1e-7 * scale


def _largest(grads: Any) -> float:
    if isinstance(grads, tuple):
        return max((_largest(g) for g in grads), default=0.0)
    return float(numpy.max(numpy.abs(grads), initial=0.0))


def numeric_jvp(func: Callable, args: Sequence[Any], tangents: Sequence[Any]) -> Difference:
    """The finite-difference derivative of ``func`` along ``tangents`` (None: the argument stays put).

    Richardson-extrapolated central differences, as ``numeric_difference``, element by element for an
    array output: ``value`` and ``error`` have the output's shape.
    """
    values = []

    def at(step: float) -> Any:
        moved = [a if t is None else _as_float64(a) + step * t for a, t in zip(args, tangents)]
        values.append(numpy.asarray(func(*copy.deepcopy(moved)), dtype=float))
        return values[-1]

    central = [(at(h) - at(-h)) / (2 * h) for h in (STEP, STEP / 2, STEP / 4)]
    coarse, extrapolated = (fine + (fine - rough) / 3 for rough, fine in zip(central, central[1:]))
    rounding = 64 * numpy.finfo(float).eps * numpy.max([numpy.abs(v) for v in values], axis=0) / (STEP / 4)
    return Difference(extrapolated, SAFETY * (numpy.abs(extrapolated - coarse) + rounding))


def check_jvp(func: Callable, args: Sequence[Any], wrt: Union[int, Tuple[int, ...]] = 0, directions: int = 2) -> None:
    """Check ``jvp(func)`` at ``args`` against finite differences, and against reverse mode where it applies.

    Random tangents for the arguments in ``wrt``; the others stay constant (tangent None). The
    tolerance is the differences' own error estimate. For a scalar output, ``jvp`` along ``v`` must
    equal ``<grad, v>`` (the inner-product identity) to rounding.
    """
    rng = numpy.random.default_rng(SEED)
    indices = wrt if isinstance(wrt, tuple) else (wrt,)
    for _ in range(directions):
        tangents = [_random_like(rng, a) if i in indices else None for i, a in enumerate(args)]
        value, tangent = s2sgrad.jvp(func, copy.deepcopy(list(args)), tangents)
        assert numpy.allclose(value, func(*copy.deepcopy(list(args))), rtol=1e-12, atol=1e-12), "value differs"
        assert numpy.shape(tangent) == numpy.shape(value), f"tangent shape {numpy.shape(tangent)} != value's"
        expected = numeric_jvp(func, args, tangents)
        assert numpy.all(numpy.abs(numpy.asarray(tangent) - expected.value) <= expected.error), (
            f"jvp along random tangents: s2sgrad {tangent!r}, finite differences {expected.value!r} "
            f"(error estimate {expected.error!r})"
        )
        if numpy.ndim(value) == 0:
            grads = s2sgrad.grad(func, wrt=indices)(*copy.deepcopy(list(args)))
            reverse = sum(float(numpy.sum(numpy.asarray(g) * tangents[i])) for i, g in zip(indices, grads))
            assert abs(reverse - float(tangent)) <= 1e-9 * max(1.0, abs(reverse)), (
                f"jvp {tangent!r} != <grad, v> {reverse!r}"
            )


def _random_like(rng: numpy.random.Generator, arg: Any) -> Any:
    direction = rng.standard_normal(numpy.shape(arg))
    return float(direction) if isinstance(arg, float) else direction
