"""``check_grad``: s2sgrad's derivatives at a point, against finite differences and each other.

Each route s2sgrad offers is compared with central finite differences of the
function itself (an independent route: the function is only evaluated), with
the differences' own error estimate as the tolerance: reverse mode
(``value_and_grad``, or ``jacobian`` for an array output), forward mode
(``jvp``), and forward against reverse, which agree to rounding. With
``order=2`` the Hessian (forward over reverse) is also compared with second
differences. A small argument is checked element by element, a larger one
along random directions (a fixed seed: the same report every run).
"""

import copy
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy

from .. import api
from .. import kinds as K
from ..errors import TransformError
from . import finite_differences as fd

PER_ELEMENT = 32  # an argument up to this size is checked one element at a time
PER_ELEMENT_SECOND = 8  # second derivatives: every pair of elements when the wrt arguments have this many
RANDOM_DIRECTIONS = 3
SEED = 0
ROUNDING = {"float64": 1e-9, "float32": 1e-4}  # forward and reverse agree to this, relative to |J| |v|
FLOAT32_RTOL = 1e-4  # a float32 derivative agrees with float64 differences to a few float32 ulps of its scale
FLOOR = 1e-3  # forward vs reverse: of the finite differences' error, for derivatives that are 0
WORST = 5  # entries shown per failing comparison

REVERSE, FORWARD = "rev", "fwd"
LABELS = {
    REVERSE: "reverse mode vs finite differences",
    FORWARD: "forward mode vs finite differences",
    "fwd-rev": "forward vs reverse mode",
    "value": "value vs the function's",
    "hessian": "Hessian (forward over reverse) vs second differences",
}


@dataclass(frozen=True)
class Entry:
    """One compared number: where, what s2sgrad gave, what it is compared with, and the tolerance."""

    where: str
    actual: float
    expected: float
    tolerance: float

    @property
    def ratio(self) -> float:
        """|actual - expected| / tolerance: above 1 is a mismatch."""
        gap = abs(self.actual - self.expected)
        return gap / self.tolerance if self.tolerance > 0 else (0.0 if gap == 0 else numpy.inf)

    @property
    def ok(self) -> bool:
        return self.ratio <= 1.0


@dataclass
class GradCheckReport:
    """The comparisons of one ``check_grad`` call, grouped (``"rev"``, ``"fwd"``, ``"fwd-rev"``, ...)."""

    title: str
    groups: Dict[str, List[Entry]] = field(default_factory=dict)
    skipped: Dict[str, str] = field(default_factory=dict)  # route -> why it could not run

    @property
    def ok(self) -> bool:
        return not self.failures()

    def failures(self) -> List[Entry]:
        return [e for entries in self.groups.values() for e in entries if not e.ok]

    def __str__(self) -> str:
        count = sum(len(entries) for entries in self.groups.values())
        verdict = "ok" if self.ok else f"FAILED ({len(self.failures())} of {count} numbers out of tolerance)"
        lines = [f"{self.title}: {verdict}"]
        for group, entries in self.groups.items():
            worst = sorted(entries, key=lambda e: -e.ratio)
            if all(e.ok for e in entries):
                numbers = f"{len(entries)} number{'s' if len(entries) > 1 else ''}"
                lines.append(f"  {LABELS[group]}: ok, {numbers}, worst at {worst[0].ratio:.2g} of tolerance")
                continue
            bad = [e for e in entries if not e.ok]
            lines.append(f"  {LABELS[group]}: {len(bad)} of {len(entries)} out of tolerance; worst:")
            lines += [
                f"    {e.where:<24} s2sgrad {e.actual!r:<24} expected {e.expected!r} ± {e.tolerance:.2g}"
                f"  (off by {e.ratio:.3g}x tolerance)"
                for e in worst[:WORST]
                if not e.ok
            ]
        lines += [f"  {LABELS.get(route, route)}: not checked: {why}" for route, why in self.skipped.items()]
        return "\n".join(lines)


class GradientCheckError(AssertionError):
    """A derivative disagrees with finite differences (or forward with reverse); ``report`` says where."""

    def __init__(self, report: GradCheckReport) -> None:
        super().__init__(str(report))
        self.report = report


def check_grad(
    func: Callable,
    *args: Any,
    wrt: api.Wrt = 0,
    modes: Sequence[str] = (REVERSE, FORWARD),
    order: int = 1,
) -> GradCheckReport:
    """Check s2sgrad's derivatives of ``func`` at ``args`` against central finite differences.

    Args:
        func: the function; its output a float or a float array (order 2: a float).
        args: the point, positional arguments.
        wrt: the arguments to differentiate: positions or names, as for :func:`s2sgrad.grad`.
        modes: ``"rev"`` (reverse mode), ``"fwd"`` (forward mode); both also compare with each other.
        order: 1, or 2 to check the Hessian (forward over reverse) as well.

    Returns:
        The report (``print`` it for a table) when every number is within tolerance.

    Raises:
        GradientCheckError: an ``AssertionError`` whose message is the report, naming the worst entries.
    """
    unknown = set(modes) - {REVERSE, FORWARD}
    if unknown or not modes:
        raise ValueError(f"modes must hold 'rev' and/or 'fwd', not {tuple(modes)!r}")
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, not {order!r}")
    point = _Point.of(func, args, wrt)
    report = GradCheckReport(f"check_grad {getattr(func, '__name__', func)} wrt {', '.join(point.names)}")
    directions = list(point.directions())
    differences = [fd.directional(func, args, tangents) for _, tangents in directions]
    errors: Dict[str, TransformError] = {}  # the routes s2sgrad cannot compile
    routes = {mode: _route(errors, mode, lambda m=mode: _derivatives(point, m, directions, report)) for mode in modes}
    if all(derivatives is None for derivatives in routes.values()):
        raise errors[modes[0]]  # nothing to check: the function cannot be differentiated as asked
    for mode, derivatives in routes.items():
        if derivatives is not None:
            report.groups[mode] = _compared(point, directions, derivatives, differences)
    if routes.get(REVERSE) is not None and routes.get(FORWARD) is not None:
        report.groups["fwd-rev"] = _agreement(point, directions, routes[FORWARD], routes[REVERSE], differences)
    if order == 2:
        hessian = _route(errors, "hessian", lambda: _hessian_entries(point))
        if hessian is not None:
            report.groups["hessian"] = hessian
    report.skipped = {route: str(error).splitlines()[0] for route, error in errors.items()}
    if not report.ok:
        raise GradientCheckError(report)
    return report


@dataclass
class _Point:
    """The function, its arguments, and which of them are differentiated (positions and names)."""

    func: Callable
    args: Tuple[Any, ...]
    names: Tuple[str, ...]  # one per differentiated argument: ``xs[1]`` for the second that ``*xs`` gathers
    positions: Tuple[int, ...]
    wrt: Tuple[str, ...]  # the parameters, as s2sgrad's transforms name them
    gathered: Tuple[str, ...] = ()  # those among them that are ``*args``: their gradient is a tuple

    @classmethod
    def of(cls, func: Callable, args: Sequence[Any], wrt: api.Wrt) -> "_Point":
        wrt_names, _ = api._wrt_names(func, wrt)
        parameters = api._signature(func).parameters
        order = list(parameters)
        names: List[str] = []
        positions: List[int] = []
        gathered = tuple(n for n in wrt_names if parameters[n].kind == inspect.Parameter.VAR_POSITIONAL)
        for name in wrt_names:
            start = order.index(name)
            spread = range(start, max(len(args), start + 1)) if name in gathered else [start]
            names += [f"{name}[{i - start}]" for i in spread] if name in gathered else [name]
            positions += spread
        for name, position in zip(names, positions):
            if position >= len(args):
                raise TypeError(f"check_grad: pass {name!r} as a positional argument")
            if not K.kind_of(args[position]).is_float:
                raise TypeError(f"check_grad: {name!r} must be a float or a float array, not {args[position]!r}")
        return cls(func, tuple(args), tuple(names), tuple(positions), wrt_names, gathered)

    def directions(self) -> Iterator[Tuple[str, List[Optional[Any]]]]:
        """``(label, tangents)``: each element's axis for small arguments, else random directions."""
        rng = numpy.random.default_rng(SEED)
        for name, position in zip(self.names, self.positions):
            arg = self.args[position]
            if numpy.size(arg) <= PER_ELEMENT:
                for index in numpy.ndindex(numpy.shape(arg)):
                    axis = numpy.zeros(numpy.shape(arg))
                    axis[index] = 1.0
                    yield _element(name, index), self.tangents(position, axis)
            else:
                for i in range(RANDOM_DIRECTIONS):
                    yield f"{name} along random {i}", self.tangents(position, rng.standard_normal(numpy.shape(arg)))

    def tangents(self, position: int, direction: Any) -> List[Optional[Any]]:
        """``direction`` (as a float for a scalar argument) for one argument, None for the others."""
        arg = self.args[position]
        direction = numpy.asarray(direction, dtype=arg.dtype) if numpy.ndim(arg) else float(direction)
        return [direction if i == position else None for i in range(len(self.args))]

    def check_not_gathered(self, what: str) -> None:
        if self.gathered:
            raise TypeError(f"check_grad of {what} cannot differentiate *{self.gathered[0]} yet: use wrt=")

    def precision(self) -> str:
        return "float32" if any(_is_float32(self.args[p]) for p in self.positions) else "float64"


def _element(name: str, index: tuple) -> str:
    return f"{name}[{', '.join(map(str, index))}]" if index else name


def _route(errors: Dict[str, TransformError], name: str, run: Callable[[], Any]) -> Any:
    """``run()``, or None (and the error kept) when s2sgrad cannot compile that route."""
    try:
        return run()
    except TransformError as exc:
        errors[name] = exc
        return None


def _derivatives(
    point: _Point, mode: str, directions: List[Tuple[str, list]], report: GradCheckReport
) -> List[Tuple[Any, Any]]:
    """``(J v, |J| |v|)`` for each direction ``v``: the derivative and the scale of its rounding."""
    args = copy.deepcopy(point.args)
    if mode == FORWARD:
        out = []
        for _, tangents in directions:
            moved = [
                point.tangents(i, numpy.zeros(numpy.shape(a)))[i] if i in point.positions and t is None else t
                for i, (a, t) in enumerate(zip(args, tangents))
            ]
            tangent = numpy.asarray(api.jvp(point.func, copy.deepcopy(args), moved)[1], dtype=float)
            out.append((tangent, numpy.abs(tangent)))
        return out
    blocks = _reverse_jacobian(point, args, report)
    magnitudes = [numpy.abs(b) for b in blocks]
    out = []
    for _, tangents in directions:
        moved = [tangents[p] for p in point.positions]
        out.append(
            (_applied(blocks, moved), _applied(magnitudes, [None if t is None else numpy.abs(t) for t in moved]))
        )
    return out


def _applied(blocks: List[Any], tangents: List[Optional[Any]]) -> Any:
    """``sum(J_i @ t_i)`` over the arguments that move, each contraction over that argument's axes."""
    return sum(_contract(block, t) for block, t in zip(blocks, tangents) if t is not None)


def _reverse_jacobian(point: _Point, args: Tuple[Any, ...], report: GradCheckReport) -> List[Any]:
    """One block ``d out / d arg`` per wrt argument, by reverse mode; the value is checked on the way."""
    expected = numpy.asarray(point.func(*copy.deepcopy(args)))
    if expected.ndim:
        point.check_not_gathered("a function that returns an array")
        return list(api.jacobian(point.func, wrt=point.wrt, mode="reverse")(*copy.deepcopy(args)))
    value, by_parameter = api.value_and_grad(point.func, wrt=point.wrt)(*copy.deepcopy(args))
    grads = [g for name, grad in zip(point.wrt, by_parameter) for g in (grad if name in point.gathered else [grad])]
    rtol = 1e-5 if point.precision() == "float32" else 1e-12
    report.groups["value"] = [Entry("value", float(value), float(expected), rtol * max(1.0, abs(float(expected))))]
    return [numpy.asarray(g, dtype=float) for g in grads]


def _contract(block: Any, tangent: Any) -> Any:
    """``block @ tangent`` over the argument's axes (the trailing ones of the block)."""
    tangent = numpy.asarray(tangent, dtype=float)
    return numpy.tensordot(numpy.asarray(block, dtype=float), tangent, axes=tangent.ndim)


def _compared(
    point: _Point, directions: List[Tuple[str, list]], derivatives: List[Tuple[Any, Any]], differences: List[Any]
) -> List[Entry]:
    entries = []
    for (label, _), (actual, scale), expected in zip(directions, derivatives, differences):
        tolerance = numpy.asarray(expected.error, dtype=float)
        if point.precision() == "float32":
            tolerance = tolerance + FLOAT32_RTOL * scale
        entries += _entries(label, actual, expected.value, tolerance)
    return entries


def _agreement(
    point: _Point,
    directions: List[Tuple[str, list]],
    forward: List[Tuple[Any, Any]],
    reverse: List[Tuple[Any, Any]],
    differences: List[fd.Estimate],
) -> List[Entry]:
    """Forward and reverse mode compute the same numbers in another order: equal up to rounding.

    Rounding is relative to the terms summed (``|J| |v|``), plus a thousandth of what finite differences
    can resolve: a derivative that is 0 may come out as 1e-17 one way and 0 the other.
    """
    rtol = ROUNDING[point.precision()]
    entries = []
    for (label, _), (fwd, _), (rev, scale), numeric in zip(directions, forward, reverse, differences):
        magnitude = numpy.maximum(scale, numpy.maximum(numpy.abs(fwd), numpy.abs(rev)))
        tolerance = rtol * magnitude + FLOOR * numpy.asarray(numeric.error)
        entries += _entries(label, fwd, rev, tolerance)
    return entries


def _entries(label: str, actual: Any, expected: Any, tolerance: Any) -> List[Entry]:
    """One entry per output element (the output's index appended to the label for an array output)."""
    actual, expected, tolerance = numpy.broadcast_arrays(
        numpy.asarray(actual, dtype=float), numpy.asarray(expected, dtype=float), numpy.asarray(tolerance, dtype=float)
    )
    if actual.ndim == 0:
        return [Entry(label, float(actual), float(expected), float(tolerance))]
    return [
        Entry(f"{label} -> out[{', '.join(map(str, i))}]", float(actual[i]), float(expected[i]), float(tolerance[i]))
        for i in numpy.ndindex(actual.shape)
    ]


def _hessian_entries(point: _Point) -> List[Entry]:
    """``u @ H @ v`` from ``hessian`` against second differences, for pairs of directions."""
    args = copy.deepcopy(point.args)
    if numpy.ndim(point.func(*copy.deepcopy(args))) != 0:
        raise ValueError("check_grad(order=2) needs a function with a float output")
    point.check_not_gathered("second derivatives")
    blocks = api.hessian(point.func, wrt=point.wrt)(*copy.deepcopy(args))
    entries = []
    for (label_u, u), (label_v, v) in _pairs(point):
        actual = sum(
            float(
                numpy.tensordot(
                    numpy.tensordot(
                        numpy.asarray(u[p], dtype=float), numpy.asarray(blocks[a][b]), axes=numpy.ndim(u[p])
                    ),
                    numpy.asarray(v[q], dtype=float),
                    axes=numpy.ndim(v[q]),
                )
            )
            for a, p in enumerate(point.positions)
            for b, q in enumerate(point.positions)
            if u[p] is not None and v[q] is not None
        )
        expected = fd.second_directional(point.func, args, u, v)
        tolerance = expected.error
        if point.precision() == "float32":
            tolerance += FLOAT32_RTOL * abs(actual)
        entries.append(Entry(f"d²/d{label_u} d{label_v}", actual, expected.value, tolerance))
    return entries


def _pairs(point: _Point) -> Iterator[Tuple[Tuple[str, list], Tuple[str, list]]]:
    """Every pair of element axes (each unordered pair once) when the arguments are small, else random pairs."""
    size = sum(numpy.size(point.args[p]) for p in point.positions)
    if size <= PER_ELEMENT_SECOND:
        axes = list(point.directions())
        for i, first in enumerate(axes):
            for second in axes[i:]:
                yield first, second
        return
    rng = numpy.random.default_rng(SEED)
    for i in range(RANDOM_DIRECTIONS):
        u, v = (
            [rng.standard_normal(numpy.shape(a)) if k in point.positions else None for k, a in enumerate(point.args)]
            for _ in range(2)
        )
        yield (f" random {i}", u), (f" random {i}'", v)


def _is_float32(value: Any) -> bool:
    return getattr(value, "dtype", None) == numpy.float32
