"""Central finite differences with an estimate of their own error.

A derivative checked against finite differences needs a tolerance that means
something: too loose and a wrong rule passes, too tight and a right one fails.
Each estimate here is Richardson-extrapolated from central differences at
three steps ``h``, ``h/2``, ``h/4`` (truncation error O(h⁴)), and carries an
error estimate: the gap between the two extrapolations (which bounds the
truncation error of the finer one) plus the rounding error of the function's
values divided by the step, times a safety factor. For smooth functions in
float64 that is about 1e-10 of the derivative for first derivatives and 1e-7
for second ones.

Arguments are moved in float64 (a float32 array is differenced in float64:
float32 steps would drown the derivative) and copied for every evaluation,
so a function that changes its arguments sees fresh ones each time.
"""

import copy
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Sequence

import numpy

STEP = 1e-3  # first derivatives: h⁴ ~ 1e-12 of the fifth derivative, rounding ~ 1e-10 of the values
SECOND_STEP = 1e-2  # second derivatives divide by h²: a larger step keeps rounding at ~ 1e-8 of the values
SAFETY = 4.0  # the estimate is of the error's size, not a bound: leave a factor for its own error
ROUNDING_ULPS = 64  # each value carries a few ulps of rounding, more after long sums


@dataclass(frozen=True)
class Estimate:
    """A finite-difference derivative (the output's shape) and the size of its error (the same shape)."""

    value: Any
    error: Any


def directional(func: Callable, args: Sequence[Any], tangents: Sequence[Optional[Any]]) -> Estimate:
    """The derivative of ``func`` at ``args`` along ``tangents`` (None: that argument stays put).

    Equals the Jacobian-vector product ``J @ tangents``; for an array output,
    ``value`` and ``error`` are arrays of the output's shape.
    """
    scale = _norm(tangents)
    units = [None if t is None else numpy.asarray(t, dtype=float) / scale for t in tangents]
    values: List[Any] = []

    def at(step: float) -> Any:
        values.append(_evaluate(func, args, [(units, step)]))
        return values[-1]

    central = [(at(h) - at(-h)) / (2 * h) for h in _steps(STEP)]
    return _extrapolated(central, values, STEP / 4, scale)


def second_directional(func: Callable, args: Sequence[Any], first: Sequence[Any], second: Sequence[Any]) -> Estimate:
    """The mixed second derivative of ``func`` along ``first`` then ``second`` (``first @ H @ second``).

    ``(f(x+hu+hv) - f(x+hu-hv) - f(x-hu+hv) + f(x-hu-hv)) / 4h²`` at three steps, extrapolated.
    """
    scale_u, scale_v = _norm(first), _norm(second)
    u = [None if t is None else numpy.asarray(t, dtype=float) / scale_u for t in first]
    v = [None if t is None else numpy.asarray(t, dtype=float) / scale_v for t in second]
    values: List[Any] = []

    def at(su: float, sv: float) -> Any:
        values.append(_evaluate(func, args, [(u, su), (v, sv)]))
        return values[-1]

    central = [(at(h, h) - at(h, -h) - at(-h, h) + at(-h, -h)) / (4 * h * h) for h in _steps(SECOND_STEP)]
    return _extrapolated(central, values, (SECOND_STEP / 4) ** 2, scale_u * scale_v)


def _steps(step: float) -> List[float]:
    return [step, step / 2, step / 4]


def _extrapolated(central: List[Any], values: List[Any], divisor: float, scale: float) -> Estimate:
    """One Richardson step per pair of differences; the two results' gap bounds the finer one's error.

    Central differences err by c h² + O(h⁴): halving h, ``finer + (finer - rough) / 3`` removes the h² term.
    ``divisor`` is what the smallest step's difference divides the values' rounding by.
    """
    coarse, fine = (finer + (finer - rough) / 3 for rough, finer in zip(central, central[1:]))
    rounding = ROUNDING_ULPS * numpy.finfo(float).eps * numpy.max(numpy.abs(values), axis=0) / divisor
    error = SAFETY * (numpy.abs(fine - coarse) + rounding)
    return Estimate(_plain(fine * scale), _plain(error * scale))


def _evaluate(func: Callable, args: Sequence[Any], moves: List[Any]) -> Any:
    """``func`` at ``args`` moved by ``step * unit`` for each ``(units, step)``, on copies, as float64."""
    moved = []
    for i, arg in enumerate(args):
        shifts = [step * units[i] for units, step in moves if units[i] is not None]
        if shifts:
            moved.append(_as_float64(arg) + sum(shifts))
        else:
            moved.append(copy.deepcopy(arg))
    return numpy.asarray(func(*moved), dtype=float)


def _norm(tangents: Sequence[Optional[Any]]) -> float:
    total = sum(float(numpy.sum(numpy.square(t))) for t in tangents if t is not None)
    return float(numpy.sqrt(total)) or 1.0


def _as_float64(arg: Any) -> Any:
    return numpy.asarray(arg, dtype=numpy.float64) if numpy.ndim(arg) else float(arg)


def _plain(value: Any) -> Any:
    """A float for a scalar output, else the array."""
    return float(value) if numpy.ndim(value) == 0 else value
