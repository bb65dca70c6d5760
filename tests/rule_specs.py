"""One gradient-check spec per callable in the rule table, as data.

A spec names a registered callable and gives a small real-scalar function that
uses it, the kinds of its arguments (``float`` for a Python float, a tuple for
the shape of an ndarray), the interval the arguments are drawn from, the
arguments to differentiate and the tolerance. ``tests/test_rules.py`` checks
every spec with ``check_grad``.

Each test function is a lambda alone on its line, because s2sgrad reads the
lambda's source. Results that are not elementwise in the argument are weighted
by one of the fixed arrays ``W*`` before summing, so every element counts.
Zero-derivative callables are checked the same way: using them must leave the
gradient right (the arguments are drawn away from their jumps).
"""

import copy
import math
import operator
import types
import zlib
from dataclasses import dataclass
from typing import Any, Callable, List, Sequence, Tuple, Type, Union

import numpy

from s2sgrad.runtime import append, astype, column_of, copied, einsum_subscripts, get, item, keys_of

try:  # an optional extra: its rules and specs are there when SciPy is
    import scipy.linalg
    import scipy.signal
    import scipy.special
    import scipy.stats
except ImportError:  # pragma: no cover - CI without SciPy
    scipy = None

Kind = Union[Type[float], Tuple[int, ...]]
Interval = Tuple[float, float]

_RNG = numpy.random.default_rng(20240501)
W2 = _RNG.uniform(0.5, 1.5, 2)
W3 = _RNG.uniform(0.5, 1.5, 3)
W4 = _RNG.uniform(0.5, 1.5, 4)
W12 = _RNG.uniform(0.5, 1.5, 12)
W33 = _RNG.uniform(0.5, 1.5, (3, 3))
W34 = _RNG.uniform(0.5, 1.5, (3, 4))
W234 = _RNG.uniform(0.5, 1.5, (2, 3, 4))
W23 = _RNG.uniform(0.5, 1.5, (2, 3))
W24 = _RNG.uniform(0.5, 1.5, (2, 4))
W44 = _RNG.uniform(0.5, 1.5, (4, 4))
W32 = _RNG.uniform(0.5, 1.5, (3, 2))
W322 = _RNG.uniform(0.5, 1.5, (3, 2, 2))
# fixed integer arguments of the indexing functions (repeats included, so that a sum over copies is checked);
# lists, as the float32 checks turn every array of this module into float32
TAKEN = [[1, 3, 3, 0], [2, 2, 0, 1], [0, 3, 1, 1]]
UNSORTED = numpy.array([0.3, -1.1, 1.7, 0.6])  # values far apart: sorting them has no kink nearby
TAKEN_DOWN = [[2, 0, 2, 1], [1, 1, 0, 0], [2, 2, 0, 1]]
# rows with no zero, one zero (its element's partial is the product of the others) and two zeros
ZEROS_IN_ROWS = numpy.array([[1.5, -0.8, 1.1, 0.9], [0.7, 0.0, -1.3, 1.2], [0.0, 1.4, 0.0, -0.6]])
DIAG = 3.0 * numpy.eye(3)  # added to random matrices to keep them well conditioned
ON_ROW = 4.0 * numpy.eye(3)[:, :, None]  # ON_ROW[r] adds 4 to row r of a (3, n) array: a banded matrix's diagonal
SPREAD = numpy.diag([3.0, 8.0, 13.0])  # added to random matrices to keep their eigenvalues real and apart
# NumPy 2.5 on returns eig's eigenvalues as complex numbers even when they are real: no rule spec can pass there
EIG_IS_REAL = not numpy.iscomplexobj(numpy.linalg.eig(numpy.eye(2))[0])
EIG_KINDS = [((3, 3),)] if EIG_IS_REAL else []

# argument-kind variants: each tuple is one check
SCALAR = [(float,)]
ARRAY = [((3, 4),)]
EITHER = SCALAR + ARRAY
SCALARS = [(float, float)]
WHERE = [((3, 4), (3, 4), (4,)), ((3, 4), float, float), ((4,), (3, 1), float)]
BROADCAST = [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (3, 4)), ((3, 4), float), (float, (3, 4)), (float, float)]
ROW_STACK = getattr(numpy, "row_stack", numpy.vstack)  # deprecated in NumPy 2
PRODUCTS = [((3, 5), (5, 4)), ((4, 5), (5,)), ((3,), (3, 4)), ((4,), (4,))]  # results broadcast against W234


@dataclass(frozen=True)
class Spec:
    """One gradient check of one registered callable."""

    func: Any  # the callable whose rule is checked
    test: Callable[..., Any]  # a real-scalar function that uses it
    kinds: Tuple[Kind, ...]
    domains: Tuple[Interval, ...]  # one per argument
    wrt: Union[int, Tuple[int, ...]]
    note: str
    points: Tuple[Any, ...] = ()  # fixed arguments, for points no random draw hits (exact zeros)

    @property
    def name(self) -> str:
        return qualified_name(self.func)

    @property
    def id(self) -> str:
        note = self.note.replace(" ", "_")
        return "-".join(filter(None, [self.name, note, ",".join(map(_kind_label, self.kinds))]))

    def arguments(self) -> List[Any]:
        """The arguments to check at: the same ones on every run."""
        if self.points:
            return [numpy.array(p) if isinstance(p, numpy.ndarray) else p for p in self.points]
        rng = numpy.random.default_rng(zlib.crc32(self.id.encode()))
        return [_draw(rng, kind, domain) for kind, domain in zip(self.kinds, self.domains)]


def qualified_name(func: Any) -> str:
    """``numpy.sin``, ``math.sin``, ``operator.add``, ``abs``, ``scipy.stats.norm.pdf``."""
    if isinstance(func, types.MethodType):  # a distribution's method: named by its distribution
        owner = getattr(func.__self__, "name", type(func.__self__).__name__)
        return f"{'.'.join(func.__module__.split('.')[:2])}.{owner}.{func.__name__}"
    module = (getattr(func, "__module__", None) or "numpy").lstrip("_")
    name = getattr(func, "__name__", repr(func))
    if isinstance(func, numpy.ufunc) and getattr(numpy, name, None) is not func:
        module = "scipy.special"  # ufuncs carry no module; the others in the rule table are SciPy's
    return name if module == "builtins" else f"{module}.{name}"


def spec(
    func: Any,
    test: Callable[..., Any],
    kinds: Sequence[Tuple[Kind, ...]] = ARRAY,
    domain: Union[Interval, Sequence[Interval]] = (-2.0, 2.0),
    wrt: Union[int, Tuple[int, ...], None] = None,
    note: str = "",
) -> List[Spec]:
    """The checks of ``func`` through ``test``, one per argument-kind variant.

    Args:
        kinds: the variants; each gives the kind of every argument of ``test``.
        domain: one ``(low, high)`` for all arguments, or one per argument.
        wrt: the arguments to differentiate; all of them by default.
    """
    specs = []
    for variant in kinds:
        domains = tuple(domain) if isinstance(domain[0], tuple) else (tuple(domain),) * len(variant)
        every = tuple(range(len(variant)))
        which = wrt if wrt is not None else every if len(every) > 1 else 0
        specs.append(Spec(func, test, tuple(variant), domains, which, note))
    return specs


def both_sides(func: Any, test: Callable[..., Any]) -> List[Spec]:
    """Checks of a binary extremum on arrays: one argument near 0, so the other wins where it has either sign."""
    return spec(func, test, WIDER_FIRST, ((-1.0, 1.0), (-0.02, 0.02))) + spec(
        func, test, WIDER_SECOND, ((-0.02, 0.02), (-1.0, 1.0))
    )


def at_points(func: Any, test: Callable[..., Any], *points: Any, note: str) -> List[Spec]:
    """One check of ``func`` through ``test`` at the fixed arguments ``points`` (all differentiated)."""
    kinds = tuple(float if isinstance(p, float) else numpy.shape(p) for p in points)
    wrt = tuple(range(len(points))) if len(points) > 1 else 0
    return [Spec(func, test, kinds, ((0.0, 0.0),) * len(points), wrt, note, tuple(points))]


def _kind_label(kind: Kind) -> str:
    return "float" if kind is float else "x".join(map(str, kind)) or "0d"


def _draw(rng: numpy.random.Generator, kind: Kind, domain: Interval) -> Any:
    return float(rng.uniform(*domain)) if kind is float else rng.uniform(*domain, kind)


def _flatten(*groups: List[Spec]) -> List[Spec]:
    return [s for group in groups for s in group]


POSITIVE = (0.5, 2.0)
ANY = (-2.0, 2.0)
SECOND_POSITIVE = ((-2.0, 2.0), POSITIVE)  # a divisor, or a point away from the origin
POWER = (POSITIVE, (-1.5, 1.5))
# a distribution's (x, location, scale), or (x, shape a, shape b): broadcast against each other
BROADCAST3 = [((3, 4), (4,), (3, 1)), ((3, 4), float, float)]
LOC_SCALE = (ANY, ANY, POSITIVE)
BETA_DOMAINS = ((0.1, 0.9), POSITIVE, POSITIVE)
T_KINDS = [((3, 4), (4,), (3, 4), (3, 1)), ((3, 4), float, float, float)]
T_DOMAINS = (ANY, (2.1, 5.0), ANY, POSITIVE)
COUNTS = [[0.0, 1.0, 2.0, 5.0], [3.0, 0.0, 1.0, 4.0], [2.0, 2.0, 7.0, 1.0]]  # Poisson counts: data, never moved
ORDERS = [[0], [1], [2]]  # polygamma's orders, one per row: a list, as the float32 checks make arrays float32
MODULUS = ((2.1, 2.9), (1.0, 1.04))  # x / y stays in (2, 3): no jump of floor(x / y) nearby
NEGATIVE_MODULUS = ((-2.9, -2.1), (1.0, 1.04))  # x / y in (-3, -2): fmod rounds toward 0, mod down
# extrema: array arguments where each side wins somewhere; scalars where one side wins
WIDER_FIRST = [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 4), float)]
WIDER_SECOND = [((3, 1), (3, 4)), (float, (3, 4))]
FIRST_WINS = ((1.0, 2.0), (-1.0, 0.5))
SECOND_WINS = ((-1.0, 0.5), (1.0, 2.0))

OPERATORS = _flatten(
    spec(operator.add, lambda x, y: numpy.sum((x + y) * W34), BROADCAST),
    spec(operator.add, lambda x: numpy.sum((x + x) * W34), note="same operand"),
    spec(numpy.add, lambda x, y: numpy.sum(numpy.add(x, y) * W34), BROADCAST),
    spec(operator.sub, lambda x, y: numpy.sum((x - y) * W34), BROADCAST),
    spec(numpy.subtract, lambda x, y: numpy.sum(numpy.subtract(x, y) * W34), BROADCAST),
    spec(operator.mul, lambda x, y: numpy.sum(x * y * W34), BROADCAST),
    spec(operator.mul, lambda x: numpy.sum(x * x * W34), EITHER, note="same operand"),
    spec(operator.mul, lambda x, y: numpy.sum(x * y * W34), BROADCAST[1:3], wrt=1, note="wrt y"),
    spec(numpy.multiply, lambda x, y: numpy.sum(numpy.multiply(x, y) * W34), BROADCAST),
    spec(operator.truediv, lambda x, y: numpy.sum(x / y * W34), BROADCAST, SECOND_POSITIVE),
    spec(operator.truediv, lambda x: numpy.sum((x / x + x) * W34), domain=POSITIVE, note="same operand"),
    spec(numpy.divide, lambda x, y: numpy.sum(numpy.divide(x, y) * W34), BROADCAST, SECOND_POSITIVE),
    spec(operator.pow, lambda x, y: numpy.sum(x**y * W34), BROADCAST, POWER),
    spec(operator.pow, lambda x: numpy.sum(x**3 * W34), EITHER, note="constant exponent"),
    spec(operator.pow, lambda x: numpy.sum(x**x * W34), domain=POSITIVE, note="same operand"),
    spec(numpy.power, lambda x, y: numpy.sum(numpy.power(x, y) * W34), BROADCAST, POWER),
    spec(operator.mod, lambda x, y: numpy.sum(x % y * W34), BROADCAST, MODULUS),
    spec(numpy.remainder, lambda x, y: numpy.sum(numpy.mod(x, y) * W34), BROADCAST, MODULUS),
    spec(operator.floordiv, lambda x, y: numpy.sum((x - x // y * y) * W34), BROADCAST, MODULUS),
    spec(numpy.floor_divide, lambda x, y: numpy.sum(numpy.floor_divide(x, y) * x * y), BROADCAST, MODULUS),
    spec(
        operator.matmul, lambda x, y: numpy.sum((x @ y) * W234), [*PRODUCTS, ((2, 3, 5), (5, 4)), ((3, 5), (2, 5, 4))]
    ),
    spec(numpy.matmul, lambda x, y: numpy.sum(numpy.matmul(x, y) * W234), [*PRODUCTS, ((2, 3, 5), (2, 5, 4))]),
    spec(operator.neg, lambda x: numpy.sum(-x * W34), EITHER),
    spec(numpy.negative, lambda x: numpy.sum(numpy.negative(x) * W34), EITHER),
    spec(operator.pos, lambda x: numpy.sum(+x * W34), EITHER),
    spec(numpy.positive, lambda x: numpy.sum(numpy.positive(x) * W34), EITHER),
    spec(abs, lambda x: numpy.sum(abs(x) * W34), EITHER),
    spec(operator.abs, lambda x: numpy.sum(operator.abs(x) * W34), EITHER),
    spec(numpy.absolute, lambda x: numpy.sum(numpy.abs(x) * W34), EITHER),
    spec(numpy.fabs, lambda x: numpy.sum(numpy.fabs(x) * W34), EITHER),
)

SCALAR_MATH = _flatten(
    spec(math.sin, lambda x: math.sin(x), SCALAR),
    spec(math.cos, lambda x: math.cos(x), SCALAR),
    spec(math.tan, lambda x: math.tan(x), SCALAR, (-1.2, 1.2)),
    spec(math.asin, lambda x: math.asin(x), SCALAR, (-0.9, 0.9)),
    spec(math.acos, lambda x: math.acos(x), SCALAR, (-0.9, 0.9)),
    spec(math.atan, lambda x: math.atan(x), SCALAR, (-3.0, 3.0)),
    spec(math.atan2, lambda y, x: math.atan2(y, x), SCALARS, SECOND_POSITIVE),
    spec(math.hypot, lambda x, y: math.hypot(x, y), SCALARS, SECOND_POSITIVE),
    spec(math.sinh, lambda x: math.sinh(x), SCALAR),
    spec(math.cosh, lambda x: math.cosh(x), SCALAR),
    spec(math.tanh, lambda x: math.tanh(x), SCALAR),
    spec(math.exp, lambda x: math.exp(x), SCALAR),
    spec(math.expm1, lambda x: math.expm1(x), SCALAR),
    spec(math.log, lambda x: math.log(x), SCALAR, POSITIVE),
    spec(math.log, lambda x, b: math.log(x, b), SCALARS, (POSITIVE, (1.5, 4.0)), note="base"),
    spec(math.log, lambda x, b: math.log(x, b), SCALARS, ((1.5, 3.0), (0.2, 0.8)), note="base below 1"),
    spec(math.log, lambda x: math.log(x, 2.0) * x, SCALAR, POSITIVE, note="constant base"),
    spec(math.log, lambda x, b: math.log(x * x, b * b) + b, SCALARS, ((1.5, 3.0), (1.5, 3.0)), note="base of squares"),
    spec(math.log1p, lambda x: math.log1p(x), SCALAR, (-0.5, 2.0)),
    spec(math.log2, lambda x: math.log2(x), SCALAR, POSITIVE),
    spec(math.log10, lambda x: math.log10(x), SCALAR, POSITIVE),
    spec(math.sqrt, lambda x: math.sqrt(x), SCALAR, POSITIVE),
    spec(math.pow, lambda x, y: math.pow(x, y), SCALARS, POWER),
    spec(math.fabs, lambda x: math.fabs(x), SCALAR),
    spec(math.copysign, lambda x, y: math.copysign(x, y) * (y + 3.0), SCALARS, ((0.2, 2.0), (-2.0, -0.2))),
    spec(math.copysign, lambda x, y: math.copysign(x * x, y) + y, SCALARS, ((-2.0, -0.2), (0.2, 2.0)), note="signs"),
    spec(math.fsum, lambda x, y: math.fsum([x, y * x, 2.0]), SCALARS),
    spec(math.fsum, lambda x: math.fsum(x * x), [((4,),)], note="of an array"),
    spec(math.erf, lambda x: math.erf(x), SCALAR),
    spec(math.erfc, lambda x: math.erfc(x), SCALAR),
    spec(float, lambda x: float(x) * x, SCALAR),
    spec(float, lambda x: float(numpy.sum(x * W34)) ** 2, note="of a numpy scalar"),
    spec(math.floor, lambda x: x * (math.floor(x) + 3.5), SCALAR, (-3.0, 3.0)),
    spec(math.ceil, lambda x: x * (math.ceil(x) + 3.5), SCALAR, (-3.0, 3.0)),
    spec(math.trunc, lambda x: x * (math.trunc(x) + 3.5), SCALAR, (-3.0, 3.0)),
    spec(math.isnan, lambda x: x * (2.0 - math.isnan(x)), SCALAR),
    spec(math.isinf, lambda x: x * (2.0 - math.isinf(x)), SCALAR),
    spec(math.isfinite, lambda x: x * (1.0 + math.isfinite(x)), SCALAR),
    spec(round, lambda x: x * (round(x) + 3.5), SCALAR, (-3.0, 3.0)),
    spec(round, lambda x: x * (round(x, 1) + 3.5), SCALAR, (-3.0, 3.0), note="ndigits"),
    spec(int, lambda x: x * (int(x) + 3.5), SCALAR, (-3.0, 3.0)),
    spec(len, lambda x: numpy.sum(x * W34) * len(x)),
    spec(sorted, lambda x, y: sorted([x, y, 0.5])[0] * 2.0 + sorted([y, x])[1] ** 2, SCALARS),
    spec(sorted, lambda x, y: sorted([x * y, y, x], reverse=True)[1] * 1.5 + x, SCALARS, note="reverse"),
    at_points(sorted, lambda x: sorted(x)[1] * 2.0 + sorted(x)[3] ** 2, UNSORTED, note="of an array"),
)

ELEMENTWISE = _flatten(
    spec(numpy.exp, lambda x: numpy.sum(numpy.exp(x) * W34), EITHER),
    spec(numpy.expm1, lambda x: numpy.sum(numpy.expm1(x) * W34), EITHER),
    spec(numpy.exp2, lambda x: numpy.sum(numpy.exp2(x) * W34), EITHER),
    spec(numpy.log, lambda x: numpy.sum(numpy.log(x) * W34), EITHER, POSITIVE),
    spec(numpy.log1p, lambda x: numpy.sum(numpy.log1p(x) * W34), EITHER, (-0.5, 2.0)),
    spec(numpy.log2, lambda x: numpy.sum(numpy.log2(x) * W34), EITHER, POSITIVE),
    spec(numpy.log10, lambda x: numpy.sum(numpy.log10(x) * W34), EITHER, POSITIVE),
    spec(numpy.sqrt, lambda x: numpy.sum(numpy.sqrt(x) * W34), EITHER, POSITIVE),
    spec(numpy.cbrt, lambda x: numpy.sum(numpy.cbrt(x) * W34), EITHER, POSITIVE),
    spec(numpy.square, lambda x: numpy.sum(numpy.square(x) * W34), EITHER),
    spec(numpy.reciprocal, lambda x: numpy.sum(numpy.reciprocal(x) * W34), EITHER, POSITIVE),
    spec(numpy.logaddexp, lambda x, y: numpy.sum(numpy.logaddexp(x, y) * W34), BROADCAST),
    spec(numpy.sin, lambda x: numpy.sum(numpy.sin(x) * W34), EITHER),
    spec(numpy.cos, lambda x: numpy.sum(numpy.cos(x) * W34), EITHER),
    spec(numpy.tan, lambda x: numpy.sum(numpy.tan(x) * W34), EITHER, (-1.2, 1.2)),
    spec(numpy.arcsin, lambda x: numpy.sum(numpy.arcsin(x) * W34), EITHER, (-0.9, 0.9)),
    spec(numpy.arccos, lambda x: numpy.sum(numpy.arccos(x) * W34), EITHER, (-0.9, 0.9)),
    spec(numpy.arctan, lambda x: numpy.sum(numpy.arctan(x) * W34), EITHER, (-3.0, 3.0)),
    spec(numpy.arctan2, lambda y, x: numpy.sum(numpy.arctan2(y, x) * W34), BROADCAST, SECOND_POSITIVE),
    spec(numpy.hypot, lambda x, y: numpy.sum(numpy.hypot(x, y) * W34), BROADCAST, SECOND_POSITIVE),
    spec(numpy.sinh, lambda x: numpy.sum(numpy.sinh(x) * W34), EITHER),
    spec(numpy.cosh, lambda x: numpy.sum(numpy.cosh(x) * W34), EITHER),
    spec(numpy.tanh, lambda x: numpy.sum(numpy.tanh(x) * W34), EITHER),
    spec(numpy.arcsinh, lambda x: numpy.sum(numpy.arcsinh(x) * W34), EITHER),
    spec(numpy.arccosh, lambda x: numpy.sum(numpy.arccosh(x) * W34), EITHER, (1.2, 3.0)),
    spec(numpy.arctanh, lambda x: numpy.sum(numpy.arctanh(x) * W34), EITHER, (-0.9, 0.9)),
    both_sides(numpy.maximum, lambda x, y: numpy.sum(numpy.maximum(x, y) * W34)),
    spec(numpy.maximum, lambda x, y: numpy.maximum(x, y) + 0.5 * y, SCALARS, FIRST_WINS, note="x wins"),
    spec(numpy.maximum, lambda x, y: numpy.maximum(x, y) + 0.5 * x, SCALARS, SECOND_WINS, note="y wins"),
    spec(numpy.maximum, lambda x: numpy.sum(numpy.maximum(x, x) * W34), note="tie"),
    both_sides(numpy.fmax, lambda x, y: numpy.sum(numpy.fmax(x, y) * W34)),
    spec(numpy.fmax, lambda x, y: numpy.fmax(x, y) + 0.5 * y, SCALARS, FIRST_WINS, note="x wins"),
    spec(numpy.fmax, lambda x, y: numpy.fmax(x, y) + 0.5 * x, SCALARS, SECOND_WINS, note="y wins"),
    both_sides(numpy.minimum, lambda x, y: numpy.sum(numpy.minimum(x, y) * W34)),
    spec(numpy.minimum, lambda x, y: numpy.minimum(x, y) + 0.5 * y, SCALARS, SECOND_WINS, note="x wins"),
    spec(numpy.minimum, lambda x, y: numpy.minimum(x, y) + 0.5 * x, SCALARS, FIRST_WINS, note="y wins"),
    spec(max, lambda x, y: max(x, y) * 1.5 + max(y, -2.0), SCALARS, FIRST_WINS, note="builtin x wins"),
    spec(max, lambda x, y: max(x, y) * 1.5 + max(x, -2.0), SCALARS, SECOND_WINS, note="builtin y wins"),
    spec(min, lambda x, y: min(x, y) * 1.5 + min(y, 3.0), SCALARS, SECOND_WINS, note="builtin x wins"),
    spec(min, lambda x, y: min(x, y) * 1.5 + min(x, 3.0), SCALARS, FIRST_WINS, note="builtin y wins"),
    spec(max, lambda x, y: max([x, y * y, 0.25]) * 1.5 + max(-x, y, -3.0), SCALARS, FIRST_WINS, note="builtin list"),
    spec(min, lambda x, y: min((x, y * 2.0, 5.0)) * 1.5 + min(x - 3.0, y), SCALARS, FIRST_WINS, note="builtin tuple"),
    at_points(max, lambda x: max(x) * 2.0 + min(x) ** 2, UNSORTED, note="builtin of an array"),
    at_points(max, lambda x: max(x, key=abs) * 2.0 + min(x, key=abs), UNSORTED, note="builtin with key"),
    spec(max, lambda x, y: max([], default=x) * y + min([y], default=x), SCALARS, note="builtin default"),
    both_sides(numpy.fmin, lambda x, y: numpy.sum(numpy.fmin(x, y) * W34)),
    spec(numpy.fmin, lambda x, y: numpy.fmin(x, y) + 0.5 * y, SCALARS, SECOND_WINS, note="x wins"),
    spec(numpy.fmin, lambda x, y: numpy.fmin(x, y) + 0.5 * x, SCALARS, FIRST_WINS, note="y wins"),
    spec(numpy.where, lambda x, y: numpy.sum(numpy.where(x > 0.0, x, y) * W34), BROADCAST[:4]),
    spec(numpy.where, lambda c, x, y: numpy.sum(numpy.where(c > 0, x, y) * W34), WHERE, wrt=(1, 2), note="condition"),
    spec(numpy.clip, lambda x: numpy.sum(numpy.clip(x, -0.5, 0.5) * W34)),
    spec(numpy.clip, lambda x: numpy.clip(x, -0.5, 0.5) * 2.0, SCALAR, (-0.4, 0.4), note="inside"),
    spec(numpy.clip, lambda x: numpy.clip(x, -0.5, 0.5) + 0.5 * x, SCALAR, (0.6, 2.0), note="above"),
    spec(numpy.clip, lambda x: numpy.clip(x, -0.5, 0.5) + 0.5 * x, SCALAR, (-2.0, -0.6), note="below"),
    spec(numpy.clip, lambda x: numpy.sum(numpy.clip(x, None, 0.5) * W34), note="upper only"),
    spec(numpy.clip, lambda x, lo: numpy.sum(numpy.clip(x, lo, 1.0) * W34), [((3, 4), (4,))], wrt=0, note="bound"),
    spec(numpy.sign, lambda x: numpy.sum(x * numpy.sign(x) * W34), EITHER),
    spec(numpy.floor, lambda x: numpy.sum(x * (numpy.floor(x) + 3.5) * W34), EITHER, (-3.0, 3.0)),
    spec(numpy.ceil, lambda x: numpy.sum(x * (numpy.ceil(x) + 3.5) * W34), EITHER, (-3.0, 3.0)),
    spec(numpy.round, lambda x: numpy.sum(x * (numpy.round(x) + 3.5) * W34), EITHER, (-3.0, 3.0)),
    spec(numpy.rint, lambda x: numpy.sum(x * (numpy.rint(x) + 3.5) * W34), EITHER, (-3.0, 3.0)),
    spec(numpy.trunc, lambda x: numpy.sum(x * (numpy.trunc(x) + 3.5) * W34), EITHER, (-3.0, 3.0)),
    spec(numpy.isnan, lambda x: numpy.sum(x * (2.0 - numpy.isnan(x)) * W34), EITHER),
    spec(numpy.isinf, lambda x: numpy.sum(x * (2.0 - numpy.isinf(x)) * W34), EITHER),
    spec(numpy.isfinite, lambda x: numpy.sum(x * (1.0 + numpy.isfinite(x)) * W34), EITHER),
    spec(numpy.greater, lambda x: numpy.sum(x * (1.0 + numpy.greater(x, 0.5)) * W34), EITHER),
    spec(numpy.greater_equal, lambda x: numpy.sum(x * (1.0 + numpy.greater_equal(x, 0.5)) * W34), EITHER),
    spec(numpy.less, lambda x: numpy.sum(x * (1.0 + numpy.less(x, 0.5)) * W34), EITHER),
    spec(numpy.less_equal, lambda x: numpy.sum(x * (1.0 + numpy.less_equal(x, 0.5)) * W34), EITHER),
    spec(numpy.equal, lambda x: numpy.sum(x * numpy.equal(x, x) * W34), EITHER),
    spec(numpy.not_equal, lambda x: numpy.sum(x * (1.0 + numpy.not_equal(x, 0.5)) * W34), EITHER),
    spec(numpy.heaviside, lambda x: numpy.sum(x * numpy.heaviside(x, 0.5) * W34), EITHER),
)

REDUCTIONS = _flatten(
    spec(numpy.sum, lambda x: numpy.sum(x * W34) + numpy.sum(x), EITHER),
    spec(numpy.sum, lambda x: numpy.sum(numpy.sum(x, axis=0) * W4), note="axis=0"),
    spec(numpy.sum, lambda x: numpy.sum(numpy.sum(x, axis=-1) * W3), note="axis=-1"),
    spec(numpy.sum, lambda x: numpy.sum(numpy.sum(x, axis=1, keepdims=True) * W34), note="keepdims"),
    spec(numpy.sum, lambda x: numpy.sum(numpy.sum(x, keepdims=True) * W34), note="all keepdims"),
    spec(numpy.sum, lambda x: numpy.sum(numpy.sum(x, axis=(0, 2)) * W3), [((2, 3, 4),)], note="axes"),
    spec(numpy.mean, lambda x: numpy.mean(x) ** 2, EITHER),
    spec(numpy.mean, lambda x: numpy.sum(numpy.mean(x, axis=0) * W4), note="axis=0"),
    spec(numpy.mean, lambda x: numpy.sum(numpy.mean(x, axis=1, keepdims=True) * W34), note="keepdims"),
    spec(numpy.mean, lambda x: numpy.sum(numpy.mean(x, axis=(0, 2)) * W3), [((2, 3, 4),)], note="axes"),
    spec(numpy.prod, lambda x: numpy.prod(x), [((2, 3),)], POSITIVE),
    spec(numpy.prod, lambda x: numpy.sum(numpy.prod(x, axis=1) * W3), domain=POSITIVE, note="axis=1"),
    spec(numpy.prod, lambda x: numpy.sum(numpy.prod(x, axis=0, keepdims=True) * W34), note="keepdims"),
    at_points(numpy.prod, lambda x: numpy.prod(x), numpy.array([[1.5, 0.0, -0.7], [0.8, 1.2, -1.1]]), note="one zero"),
    at_points(numpy.prod, lambda x: numpy.sum(numpy.prod(x, axis=1) * W3), ZEROS_IN_ROWS, note="zeros axis=1"),
    at_points(numpy.prod, lambda x: numpy.sum(numpy.prod(x, axis=0) * W3), ZEROS_IN_ROWS.T, note="zeros axis=0"),
    spec(numpy.prod, lambda x: numpy.sum(numpy.prod(x, axis=(0, 2)) * W3), [((2, 3, 4),)], POSITIVE, note="axes"),
    spec(
        numpy.prod,
        lambda x: numpy.sum(numpy.prod(x, (-1, 0), keepdims=True) * W3[:, None]),
        [((2, 3, 2),)],
        note="axes keepdims",
    ),
    at_points(
        numpy.prod,
        lambda x: numpy.sum(numpy.prod(x, axis=(0, 1)) * W2),
        ZEROS_IN_ROWS.reshape(2, 3, 2),
        note="zeros axes",
    ),
    spec(numpy.max, lambda x: numpy.max(x), EITHER),
    spec(numpy.max, lambda x: numpy.sum(numpy.max(x, axis=0) * W4), note="axis=0"),
    spec(numpy.max, lambda x: numpy.sum(numpy.max(x, axis=1, keepdims=True) * W34), note="keepdims"),
    spec(numpy.max, lambda x: numpy.max(numpy.stack([x, x])), note="tie"),
    spec(numpy.max, lambda x: numpy.sum(numpy.max(x, axis=(0, 2)) * W3), [((2, 3, 4),)], note="axes"),
    spec(numpy.amax, lambda x: numpy.sum(numpy.amax(x, axis=1) * W3), note="alias"),
    spec(numpy.min, lambda x: numpy.min(x), EITHER),
    spec(numpy.min, lambda x: numpy.sum(numpy.min(x, axis=0) * W4), note="axis=0"),
    spec(numpy.amin, lambda x: numpy.sum(numpy.amin(x, axis=1, keepdims=True) * W34), note="alias-keepdims"),
    spec(numpy.var, lambda x: numpy.var(x)),
    spec(numpy.var, lambda x: numpy.sum(numpy.var(x, axis=0) * W4), note="axis=0"),
    spec(numpy.var, lambda x: numpy.sum(numpy.var(x, axis=1, ddof=1) * W3), note="ddof=1"),
    spec(numpy.var, lambda x: numpy.var(x, ddof=1), note="all ddof=1"),
    spec(numpy.var, lambda x: numpy.sum(numpy.var(x, axis=(0, 2)) * W3), [((2, 3, 4),)], note="axes"),
    spec(numpy.var, lambda x: numpy.sum(numpy.var(x, axis=1, keepdims=True) * W34), note="keepdims"),
    spec(numpy.std, lambda x: numpy.std(x)),
    spec(numpy.std, lambda x: numpy.sum(numpy.std(x, axis=0, ddof=1) * W4), note="ddof=1"),
    spec(numpy.std, lambda x: numpy.sum(numpy.std(x, axis=1, keepdims=True) * W34), note="keepdims"),
    # over one element the std is 0 for every x: its derivative is 0 (not inf * 0)
    spec(numpy.std, lambda x: numpy.sum((numpy.std(x, axis=0) + x[0]) * W4), [((1, 4),)], note="one element"),
    spec(numpy.linalg.norm, lambda x: numpy.linalg.norm(x), [((4,),), ((3, 4),)]),
    spec(numpy.linalg.norm, lambda x: numpy.linalg.norm(x, 1), [((4,),)], note="ord=1"),
    spec(numpy.linalg.norm, lambda x: numpy.linalg.norm(x, ord=2), [((4,),)], note="ord=2"),
    spec(numpy.linalg.norm, lambda x: numpy.linalg.norm(x, ord=numpy.inf), [((4,),)], note="ord=inf"),
    spec(numpy.linalg.norm, lambda x: numpy.linalg.norm(x, -numpy.inf), [((4,),)], note="ord=-inf"),
    spec(numpy.linalg.norm, lambda x: numpy.linalg.norm(x, 3) + numpy.linalg.norm(x, 0), [((4,),)], note="ord=3, 0"),
    spec(numpy.linalg.norm, lambda x: numpy.linalg.norm(x, ord=-1.5), [((4,),)], note="ord=-1.5"),
    spec(numpy.linalg.norm, lambda x: numpy.sum(numpy.linalg.norm(x, 4, axis=1) * W3), note="ord=4 axis=1"),
    spec(numpy.linalg.norm, lambda x: numpy.linalg.norm(x, "fro"), note="fro"),
    spec(numpy.linalg.norm, lambda x: numpy.sum(numpy.linalg.norm(x, axis=1) * W3), note="axis=1"),
    spec(numpy.linalg.norm, lambda x: numpy.sum(numpy.linalg.norm(x, ord=1, axis=0) * W4), note="ord=1 axis=0"),
    spec(numpy.linalg.norm, lambda x: numpy.sum(numpy.linalg.norm(x, numpy.inf, 1) * W3), note="ord=inf axis=1"),
    spec(numpy.linalg.norm, lambda x: numpy.sum(numpy.linalg.norm(x, axis=1, keepdims=True) * W34), note="keepdims"),
    spec(numpy.cumsum, lambda x: numpy.sum(numpy.cumsum(x) * W12)),
    spec(numpy.cumsum, lambda x: numpy.sum(numpy.cumsum(x, axis=0) * W34), note="axis=0"),
    spec(numpy.cumsum, lambda x: numpy.sum(numpy.cumsum(x, axis=1) * W34), note="axis=1"),
    spec(numpy.diff, lambda x: numpy.sum(numpy.diff(x) * W34), [((3, 5),)]),
    spec(numpy.diff, lambda x: numpy.sum(numpy.diff(x, 2) * W3), [((5,),)], note="n=2"),
    spec(numpy.diff, lambda x: numpy.sum(numpy.diff(x, axis=0) * W34), [((4, 4),)], note="axis=0"),
    spec(numpy.gradient, lambda x: numpy.sum(numpy.gradient(x) * W4), [((4,),)]),
    spec(numpy.gradient, lambda x: numpy.sum(numpy.gradient(x, 0.5, edge_order=2) * W4), [((4,),)], note="order 2"),
    spec(numpy.gradient, lambda x: numpy.sum(numpy.gradient(x)[0] * W34 + numpy.gradient(x)[1] ** 2)),
    spec(numpy.gradient, lambda x: numpy.sum(numpy.gradient(x, 2.0, 0.5)[1] * W34), note="spacings"),
    spec(numpy.gradient, lambda x: numpy.sum(numpy.gradient(x, axis=1, edge_order=2) * W34), note="axis=1"),
    spec(numpy.trace, lambda x: numpy.trace(x), [((3, 3),)]),
    spec(numpy.trace, lambda x: numpy.trace(x, 1), note="offset=1"),
    spec(numpy.trace, lambda x: numpy.trace(x, offset=-1), note="offset=-1"),
    spec(numpy.trace, lambda x: numpy.sum(numpy.trace(x, 0, 1, 2) * W2), [((2, 3, 4),)], note="axes 1 2"),
    spec(numpy.trace, lambda x: numpy.sum(numpy.trace(x, -1, 2, 0) * W3), [((3, 3, 4),)], note="axes 2 0"),
    spec(numpy.trace, lambda x: numpy.trace(x, 1, axis1=1, axis2=0), note="swapped axes"),
    spec(numpy.trace, lambda x: numpy.sum(x.trace(axis1=1, axis2=2) * W3), [((3, 4, 4),)], note="method"),
)

PRODUCTS_AND_LINALG = _flatten(
    spec(numpy.dot, lambda x, y: numpy.sum(numpy.dot(x, y) * W234), [*PRODUCTS, (float, (3, 4)), ((3, 4), float)]),
    # N-d operands: x's last axis with y's second-to-last (or only) axis
    spec(numpy.dot, lambda x, y: numpy.sum(numpy.dot(x, y) * W23), [((2, 3, 4), (4,)), ((2, 3, 4), (2, 4, 3))]),
    spec(numpy.dot, lambda x, y: numpy.sum(numpy.dot(x, y) * W24), [((2, 3), (2, 3, 4))]),
    spec(numpy.inner, lambda x, y: numpy.sum(numpy.inner(x, y) * W234), [((4,), (4,)), ((4, 5), (5,))]),
    spec(numpy.inner, lambda x, y: numpy.sum(numpy.inner(x, y) * W34), [((3, 5), (4, 5))], note="matrices"),
    spec(
        numpy.inner, lambda x, y: numpy.sum(numpy.inner(x, y) * W34), [(float, (3, 4)), ((3, 4), float)], note="scalar"
    ),
    spec(numpy.outer, lambda x, y: numpy.sum(numpy.outer(x, y) * W34), [((3,), (4,)), ((3,), (2, 2))]),
    spec(numpy.tensordot, lambda x, y: numpy.sum(numpy.tensordot(x, y) * W34), [((3, 2, 5), (2, 5, 4))]),
    spec(numpy.tensordot, lambda x, y: numpy.sum(numpy.tensordot(x, y, 1) * W34), [((3, 5), (5, 4))], note="axes=1"),
    spec(numpy.tensordot, lambda x, y: numpy.sum(numpy.tensordot(x, y, 0) * W34), [((3,), (4,))], note="axes=0"),
    spec(numpy.tensordot, lambda x, y: numpy.sum(numpy.tensordot(x, y, ([0], [1])) * W34), [((5, 3), (4, 5))]),
    # contracted axes listed out of order, on each side: the leftover axes come back in each array's own order
    spec(
        numpy.tensordot, lambda x, y: numpy.sum(numpy.tensordot(x, y, [(1, 0), (2, 1)]) * W34), [((2, 4, 3), (4, 2, 4))]
    ),
    spec(
        numpy.tensordot, lambda x, y: numpy.sum(numpy.tensordot(x, y, [(0, 2), (2, 0)]) * W34), [((2, 3, 5), (5, 4, 2))]
    ),
    spec(numpy.einsum, lambda x, y: numpy.sum(numpy.einsum("ij,jk->ik", x, y) * W34), [((3, 5), (5, 4))]),
    spec(
        numpy.einsum,
        lambda x, y: numpy.sum(numpy.einsum("ij,jk->ik", x, y) * W34),
        [((3, 5), (5, 4))],
        wrt=1,
        note="wrt y",
    ),
    spec(numpy.einsum, lambda x: numpy.sum(numpy.einsum("ij->j", x) * W4), note="one operand"),
    spec(numpy.einsum, lambda x, y: numpy.einsum("i,i", x, y), [((4,), (4,))], note="implicit output"),
    spec(numpy.einsum, lambda x, y: numpy.sum(numpy.einsum("ij,kj", x, y) * W34), [((3, 5), (4, 5))], note="implicit"),
    spec(numpy.einsum, lambda x, y, z: numpy.einsum("i,ij,j->", x, y, z), [((3,), (3, 4), (4,))], note="three"),
    spec(numpy.einsum, lambda x, y: numpy.sum(numpy.einsum("...ij,jk->...ik", x, y) * W34), [((2, 3, 5), (5, 4))]),
    spec(numpy.einsum, lambda x, y: numpy.sum(numpy.einsum("...j,j...", x, y) * W3), [((3, 4), (4, 1))], note="..."),
    spec(numpy.einsum, lambda x: numpy.sum(numpy.einsum("...ii->...i", x) * W23), [((2, 3, 3),)], note="diagonal"),
    # the interleaved form: operands and sublists of integers (normalize.anf spells the subscripts at run time)
    spec(
        einsum_subscripts, lambda x, y: numpy.sum(numpy.einsum(x, [0, 1], y, [1, 2], [0, 2]) * W34), [((3, 5), (5, 4))]
    ),
    spec(
        numpy.einsum,
        lambda x, y: numpy.sum(numpy.einsum(x, [..., 1], y, [1, 0]) * W34),
        [((3, 5), (5, 4))],
        note="sublists",
    ),
    # a length-1 axis broadcast against a longer one, named by a letter or inside the ...
    spec(numpy.einsum, lambda x, y: numpy.sum(numpy.einsum("ij,ij->ij", x, y) * W34), [((1, 4), (3, 4))]),
    spec(numpy.einsum, lambda x, y: numpy.sum(numpy.einsum("...,...", x, y) * W34), [((3, 1), (4,))], note="..."),
    spec(numpy.linalg.det, lambda a: numpy.linalg.det(a + DIAG), [((3, 3),)], (-1.0, 1.0)),
    spec(numpy.linalg.det, lambda a: numpy.sum(numpy.linalg.det(a + DIAG) * W2), [((2, 3, 3),)], note="batched"),
    spec(numpy.linalg.inv, lambda a: numpy.sum(numpy.linalg.inv(a + DIAG) * W33), [((3, 3),)]),
    spec(numpy.linalg.solve, lambda a, b: numpy.sum(numpy.linalg.solve(a + DIAG, b) * W3), [((3, 3), (3,))]),
    spec(numpy.linalg.solve, lambda a, b: numpy.sum(numpy.linalg.solve(a + DIAG, b) * W34), [((3, 3), (3, 4))]),
)

SHAPES = _flatten(
    spec(numpy.reshape, lambda x: numpy.sum(numpy.reshape(x, (3, 4)) * W34), [((12,),), ((4, 3),)]),
    spec(numpy.reshape, lambda x: numpy.sum(numpy.reshape(x, (3, -1)) * W34), [((2, 6),)], note="-1"),
    spec(
        numpy.reshape,
        lambda x: numpy.sum(numpy.reshape(x, (3, 4), order="F") * W34),
        [((4, 3),), ((2, 6),), ((2, 2, 3),)],
        note="order=F",
    ),
    spec(numpy.reshape, lambda x: numpy.sum(x.reshape((3, 4), order="F") * W34), [((6, 2),)], note="method order=F"),
    spec(numpy.reshape, lambda x: numpy.sum(numpy.reshape(x, (12,), "F") * W12), note="positional order=F"),
    spec(numpy.ravel, lambda x: numpy.sum(numpy.ravel(x) * W12)),
    spec(numpy.ravel, lambda x: numpy.sum(numpy.ravel(x, "F") * W12), note="order=F"),
    spec(numpy.squeeze, lambda x: numpy.sum(numpy.squeeze(x) * W34), [((3, 1, 4),)]),
    spec(numpy.squeeze, lambda x: numpy.sum(numpy.squeeze(x, 0) * W34), [((1, 3, 4),)], note="axis"),
    spec(numpy.atleast_1d, lambda x: numpy.sum(numpy.atleast_1d(x) * W4), [(float,), ((4,),)]),
    spec(numpy.atleast_2d, lambda x: numpy.sum(numpy.atleast_2d(x) * W34), [(float,), ((4,),)]),
    spec(numpy.expand_dims, lambda x: numpy.sum(numpy.expand_dims(x, 0) * W34)),
    spec(numpy.transpose, lambda x: numpy.sum(numpy.transpose(x) * W34), [((4, 3),)]),
    spec(numpy.transpose, lambda x: numpy.sum(numpy.transpose(x, (2, 0, 1)) * W234), [((3, 4, 2),)], note="axes"),
    spec(numpy.swapaxes, lambda x: numpy.sum(numpy.swapaxes(x, 0, 2) * W234), [((4, 3, 2),)]),
    spec(numpy.moveaxis, lambda x: numpy.sum(numpy.moveaxis(x, 2, 0) * W234), [((3, 4, 2),)]),
    spec(numpy.broadcast_to, lambda x: numpy.sum(numpy.broadcast_to(x, (3, 4)) * W34), [(float,), ((4,),), ((3, 1),)]),
    spec(numpy.copy, lambda x: numpy.sum(numpy.copy(x) * W34), EITHER),
    spec(numpy.array, lambda x: numpy.sum(numpy.array(x) * W34)),
    spec(numpy.array, lambda x, y: numpy.sum(numpy.array([x, y, x]) * W3), SCALARS, note="list"),
    spec(numpy.array, lambda x, y: numpy.sum(numpy.array([x, y]) * W234), [((3, 4), (3, 4))], note="list"),
    spec(numpy.asarray, lambda x: numpy.sum(numpy.asarray(x) * W34)),
    spec(numpy.asarray, lambda x, y: numpy.sum(numpy.asarray([y, x, y]) * W3), SCALARS, note="list"),
    spec(numpy.concatenate, lambda x, y: numpy.sum(numpy.concatenate([x, y]) * W34), [((1, 4), (2, 4))]),
    spec(numpy.concatenate, lambda x, y: numpy.sum(numpy.concatenate([y, x, y], axis=1) * W34), [((3, 2), (3, 1))]),
    spec(numpy.concatenate, lambda x, y: numpy.sum(numpy.concatenate((x, y), axis=None) * W12), [((2, 3), (6,))]),
    spec(numpy.stack, lambda x, y: numpy.sum(numpy.stack([x, y]) * W234), [((3, 4), (3, 4))]),
    spec(numpy.stack, lambda x, y: numpy.sum(numpy.stack([x, y, x], axis=1) * W234), [((2, 4), (2, 4))]),
    spec(append, lambda x, y: numpy.sum(numpy.stack(append([x * 2.0], y)) * W234), [((3, 4), (3, 4))]),
    spec(sum, lambda x, y: numpy.sum(sum([x, y * x]) * W34), [((3, 4), (3, 4))], note="builtin, of a list"),
    spec(sum, lambda x: numpy.sum(sum(x, 1.0) * W4), [((3, 4),)], note="builtin, of an array's rows"),
    spec(list, lambda x, y: numpy.sum(list([x, y * x])[1] * W34) + numpy.sum(list(x)[2] * W4), [((3, 4), (3, 4))]),
    spec(tuple, lambda x, y: numpy.sum(tuple([x, y * x])[1] * W34) + numpy.sum(tuple(x)[1] * W4), [((3, 4), (3, 4))]),
    spec(dict, lambda x, y: numpy.sum(dict({"a": x, "b": y * x})["b"] * W34) + numpy.sum(x * y), [((3, 4), (3, 4))]),
    spec(get, lambda x, y: numpy.sum(get({"a": x}, "a", y) * get({"a": x}, "b", y) * W34), [((3, 4), (3, 4))]),
    spec(keys_of, lambda x: numpy.sum(x * W34) * len(keys_of({"a": x, "b": 2.0 * x}))),
    spec(copied, lambda x, y: numpy.sum(copied([x, y * x])[1] * W34) + numpy.sum(copied(x) * x), [((3, 4), (3, 4))]),
    spec(
        copied,
        lambda x, y: numpy.sum(copied({"a": x, "b": y})["b"] * x) + numpy.sum(copied(x, "F") * W34),
        [((3, 4), (3, 4))],
        note="dict, order",
    ),
    spec(
        copy.copy, lambda x, y: numpy.sum(copy.copy([x, y])[0] * y) + copy.copy(2.0) * numpy.sum(x), [((3, 4), (3, 4))]
    ),
    spec(numpy.stack, lambda x, y: numpy.sum(numpy.stack((x, y, y, x), axis=-1) * W34), [((3,), (3,))], note="axis=-1"),
    spec(numpy.hstack, lambda x, y: numpy.sum(numpy.hstack([x, y]) * W4), [((1,), (3,))]),
    spec(numpy.hstack, lambda x, y: numpy.sum(numpy.hstack([x, y]) * W34), [((3, 1), (3, 3))]),
    spec(numpy.vstack, lambda x, y: numpy.sum(numpy.vstack([x, y, x]) * W34), [((4,), (4,))]),
    spec(numpy.vstack, lambda x, y: numpy.sum(numpy.vstack([x, y]) * W34), [((1, 4), (2, 4))]),
    spec(numpy.dstack, lambda x, y: numpy.sum(numpy.dstack([x, y]) * W322), [((3, 2), (3, 2, 1))]),
    spec(numpy.dstack, lambda x, y: numpy.sum(numpy.ravel(numpy.dstack((x, y))) * W12), [((6,), (6,))]),
    spec(column_of, lambda x: numpy.sum(column_of(x) * W4[:, None]), [((4,),)]),
    spec(column_of, lambda x: numpy.sum(column_of(x) * W34), [((3, 4),), (float,)]),
    # an array is a sequence of its rows: its adjoint is one array of its shape
    spec(numpy.hstack, lambda x: numpy.sum(numpy.hstack(x) * W12), [((3, 4),)]),
    spec(numpy.vstack, lambda x: numpy.sum(numpy.vstack(x) * W34), [((3, 4),)]),
    spec(numpy.dstack, lambda x: numpy.sum(numpy.dstack(x) * W34), [((4, 3),)]),
    spec(numpy.column_stack, lambda x: numpy.sum(numpy.column_stack(x) * W34), [((4, 3),)]),
    spec(numpy.concatenate, lambda x: numpy.sum(numpy.concatenate(x) * W12), [((3, 4),)]),
)

ZERO_DERIVATIVE_ARRAYS = _flatten(
    spec(numpy.shape, lambda x: numpy.sum(x * W34) * numpy.shape(x)[1]),
    spec(numpy.ndim, lambda x: numpy.sum(x * W34) * numpy.ndim(x)),
    spec(numpy.size, lambda x: numpy.sum(x * W34) / numpy.size(x)),
    spec(numpy.argmax, lambda x: x[numpy.argmax(x)] * 2.0, [((4,),)]),
    spec(numpy.argmin, lambda x: x[numpy.argmin(x)] * 2.0, [((4,),)]),
    spec(numpy.argsort, lambda x: numpy.sum(x[numpy.argsort(x)] * W4), [((4,),)]),
    spec(numpy.zeros_like, lambda x: numpy.sum((x - numpy.zeros_like(x)) ** 2)),
    spec(numpy.ones_like, lambda x: numpy.sum((x + numpy.ones_like(x)) ** 2)),
    spec(numpy.empty_like, lambda x: numpy.sum(x * W34) * numpy.size(numpy.empty_like(x))),
    spec(numpy.zeros, lambda x: numpy.sum((x + numpy.zeros((3, 4))) ** 2 * W34), [((4,),)]),
    spec(numpy.ones, lambda x: numpy.sum(x * numpy.ones((3, 4)) * W34), [((3, 1),)]),
    spec(numpy.empty, lambda x: numpy.sum(x * W34) * numpy.size(numpy.empty((2, 3)))),
    spec(numpy.eye, lambda x: numpy.sum((x @ numpy.eye(4)) * W34)),
    spec(numpy.identity, lambda x: numpy.trace(x @ (x + numpy.identity(3))), [((3, 3),)]),
    spec(numpy.arange, lambda x: numpy.sum(x * numpy.arange(4) * W34)),
    spec(numpy.count_nonzero, lambda x: numpy.sum(x * W34) * (1 + numpy.count_nonzero(x > 0.5))),
    spec(numpy.all, lambda x: numpy.sum(x * (1.0 + numpy.all(x > -5.0)) * W34)),
    spec(numpy.any, lambda x: numpy.sum(x * (1.0 + numpy.any(x > 1.5)) * W34)),
    spec(numpy.allclose, lambda x: numpy.sum(x * (1.0 + numpy.allclose(x, x * 3.0 / 3.0)) * W34)),
    spec(numpy.array_equal, lambda x: numpy.sum(x * (2.0 - numpy.array_equal(x, x + 1.0)) * W34)),
    spec(numpy.int8, lambda x: numpy.sum(x[numpy.int8(x[:, 0] > 0.0)] * W34)),
    spec(numpy.int16, lambda x: numpy.sum(x[numpy.int16(x[:, 0] > 0.0)] * W34)),
    spec(numpy.int32, lambda x: numpy.sum(x[numpy.int32(x[:, 0] > 0.0)] * W34)),
    spec(numpy.int64, lambda x: numpy.sum(x[numpy.int64(x[:, 0] > 0.0)] * W34)),
    spec(numpy.uint8, lambda x: numpy.sum(x[numpy.uint8(x[:, 0] > 0.0)] * W34)),
    spec(numpy.uint16, lambda x: numpy.sum(x[numpy.uint16(x[:, 0] > 0.0)] * W34)),
    spec(numpy.uint32, lambda x: numpy.sum(x[numpy.uint32(x[:, 0] > 0.0)] * W34)),
    spec(numpy.uint64, lambda x: numpy.sum(x[numpy.uint64(x[:, 0] > 0.0)] * W34)),
)

REARRANGING = _flatten(
    spec(numpy.diag, lambda x: numpy.sum(numpy.diag(x) * W44), [((4,),)]),
    spec(numpy.diag, lambda x: numpy.sum(numpy.diag(x, -1) * W44), [((3,),)], note="k=-1 vector"),
    spec(numpy.diag, lambda x: numpy.sum(numpy.diag(x) * W3), [((3, 4),), ((4, 3),)], note="of a matrix"),
    spec(numpy.diag, lambda x: numpy.sum(numpy.diag(x, 1) * W3), [((3, 4),)], note="k=1 of a matrix"),
    spec(numpy.diagonal, lambda x: numpy.sum(numpy.diagonal(x) * W3), [((3, 4),)]),
    spec(numpy.diagonal, lambda x: numpy.sum(numpy.diagonal(x, -1) * W2), [((3, 4),)], note="offset=-1"),
    spec(numpy.diagonal, lambda x: numpy.sum(numpy.diagonal(x, 0, 1, 2) * W23), [((2, 3, 4),)], note="axes 1 2"),
    spec(numpy.diagonal, lambda x: numpy.sum(numpy.diagonal(x, 1, 2, 0) * W3), [((2, 3, 4),)], note="axes 2 0"),
    spec(numpy.diagonal, lambda x: numpy.sum(x.diagonal() * W3), [((3, 3),)], note="method"),
    spec(numpy.tril, lambda x: numpy.sum(numpy.tril(x) * W34)),
    spec(numpy.tril, lambda x: numpy.sum(numpy.tril(x, -1) * W234), [((2, 3, 4),)], note="k=-1"),
    spec(numpy.tril, lambda x: numpy.sum(numpy.tril(x, 1) * W44), [((4,),)], note="of a vector"),
    spec(numpy.triu, lambda x: numpy.sum(numpy.triu(x) * W34)),
    spec(numpy.triu, lambda x: numpy.sum(numpy.triu(x, k=2) * W34), note="k=2"),
    spec(numpy.repeat, lambda x: numpy.sum(numpy.repeat(x, 2) * W24.ravel()), [((2, 2),)]),
    spec(numpy.repeat, lambda x: numpy.sum(numpy.repeat(x, 4) * W4), SCALAR, note="of a float"),
    spec(numpy.repeat, lambda x: numpy.sum(numpy.repeat(x, 2, axis=1) * W34), [((3, 2),)], note="axis=1"),
    spec(numpy.repeat, lambda x: numpy.sum(numpy.repeat(x, [1, 0, 2], axis=0) * W34), note="counts axis=0"),
    spec(numpy.repeat, lambda x: numpy.sum(x.repeat(3, axis=-1) * W12), [((4,),)], note="method"),
    spec(numpy.tile, lambda x: numpy.sum(numpy.tile(x, (3, 1)) * W34), [((4,),)]),
    spec(numpy.tile, lambda x: numpy.sum(numpy.tile(x, 2) * W34), [((3, 2),)], note="int"),
    spec(numpy.tile, lambda x: numpy.sum(numpy.tile(x, (2, 3, 2)) * W234), [((2,),)], note="more reps than axes"),
    spec(numpy.tile, lambda x: numpy.sum(numpy.tile(x, 4) * W4), SCALAR, note="of a float"),
    spec(numpy.roll, lambda x: numpy.sum(numpy.roll(x, 5) * W34)),
    spec(numpy.roll, lambda x: numpy.sum(numpy.roll(x, -1, axis=1) * W34), note="axis=1"),
    spec(numpy.roll, lambda x: numpy.sum(numpy.roll(x, (1, -2), axis=(0, 1)) * W34), note="two axes"),
    spec(numpy.rollaxis, lambda x: numpy.sum(numpy.rollaxis(x, 2) * W234), [((3, 4, 2),)]),
    spec(numpy.rollaxis, lambda x: numpy.sum(numpy.rollaxis(x, 0, 3) * W234), [((4, 2, 3),)], note="start=3"),
    spec(numpy.rollaxis, lambda x: numpy.sum(numpy.rollaxis(x, -1, 1) * W234), [((2, 4, 3),)], note="start=1"),
    spec(numpy.moveaxis, lambda x: numpy.sum(numpy.moveaxis(x, (0, 1), (2, 0)) * W234), [((4, 2, 3),)], note="two"),
    spec(numpy.flip, lambda x: numpy.sum(numpy.flip(x) * W34)),
    spec(numpy.flip, lambda x: numpy.sum(numpy.flip(x, 1) * W234), [((2, 3, 4),)], note="axis=1"),
    spec(numpy.flip, lambda x: numpy.sum(numpy.flip(x, (0, 2)) * W234), [((2, 3, 4),)], note="axes"),
    spec(numpy.fliplr, lambda x: numpy.sum(numpy.fliplr(x) * W34)),
    spec(numpy.flipud, lambda x: numpy.sum(numpy.flipud(x) * W34)),
    spec(numpy.flipud, lambda x: numpy.sum(numpy.flipud(x) * W4), [((4,),)], note="vector"),
    spec(numpy.rot90, lambda x: numpy.sum(numpy.rot90(x) * W34), [((4, 3),)]),
    spec(numpy.rot90, lambda x: numpy.sum(numpy.rot90(x, 2) * W34), note="k=2"),
    spec(numpy.rot90, lambda x: numpy.sum(numpy.rot90(x, -1) * W34), [((4, 3),)], note="k=-1"),
    spec(numpy.rot90, lambda x: numpy.sum(numpy.rot90(x, 1, (1, 2)) * W234), [((2, 4, 3),)], note="axes"),
    spec(numpy.pad, lambda x: numpy.sum(numpy.pad(x, 1) * W34), [((1, 2),)]),
    spec(numpy.pad, lambda x: numpy.sum(numpy.pad(x, ((0, 1), (1, 1))) * W34), [((2, 2),)], note="widths"),
    spec(numpy.pad, lambda x: numpy.sum(numpy.pad(x, (2, 1)) * W4), [((1,),)], note="before after"),
    spec(numpy.pad, lambda x: numpy.sum(numpy.pad(x, 1, constant_values=1.5) ** 2 * W34), [((1, 2),)], note="value"),
    spec(numpy.take, lambda x: numpy.sum(numpy.take(x, [0, 2, 2, 11]) * W4)),
    spec(numpy.take, lambda x: numpy.sum(numpy.take(x, [2, 0, 2], axis=0) * W34), note="axis=0"),
    spec(numpy.take, lambda x: numpy.sum(numpy.take(x, TAKEN, axis=1) * W4), [((2, 4),)], note="index array"),
    spec(numpy.take, lambda x: numpy.sum(numpy.take(x, [5, -7, 1, -1], axis=1, mode="wrap") * W34), note="wrap"),
    spec(numpy.take, lambda x: numpy.sum(numpy.take(x, [9, -3, 1, 1], axis=1, mode="clip") * W34), note="clip"),
    spec(numpy.take, lambda x: numpy.sum(x.take([1, -1], axis=0) * W24), note="method"),
    spec(numpy.take_along_axis, lambda x: numpy.sum(numpy.take_along_axis(x, numpy.array(TAKEN), 1) * W34)),
    spec(
        numpy.take_along_axis,
        lambda x: numpy.sum(numpy.take_along_axis(x, numpy.array(TAKEN_DOWN), 0) * W34),
        note="axis=0",
    ),
    spec(
        numpy.take_along_axis,
        lambda x: numpy.sum(numpy.take_along_axis(x, numpy.array(TAKEN_DOWN[:1]), 0) * W4),
        [((3, 4),)],
        note="broadcast indices",
    ),
    spec(
        numpy.take_along_axis,
        lambda x: numpy.sum(numpy.take_along_axis(x, numpy.array(TAKEN[0]), None) * W4),
        note="None",
    ),
    spec(
        numpy.split, lambda x: numpy.sum(numpy.split(x, 3)[0] * W24) + numpy.sum(numpy.split(x, 3)[2] ** 2), [((6, 4),)]
    ),
    spec(numpy.split, lambda x: numpy.sum(numpy.split(x, [1, 3], axis=1)[1] * W32), note="at indices"),
    spec(numpy.array_split, lambda x: numpy.sum(numpy.array_split(x, 2)[0] * W34), [((5, 4),)]),
    spec(numpy.hsplit, lambda x: numpy.sum(numpy.hsplit(x, 2)[1] * W32) + numpy.sum(numpy.hsplit(x, 2)[0] ** 2)),
    spec(numpy.vsplit, lambda x: numpy.sum(numpy.vsplit(x, 2)[1] * W23), [((4, 3),)]),
    spec(numpy.dsplit, lambda x: numpy.sum(numpy.dsplit(x, [3])[0] * W23[..., None]), [((2, 3, 4),)]),
    spec(numpy.column_stack, lambda x, y: numpy.sum(numpy.column_stack([x, y]) * W34), [((3,), (3, 3))]),
    spec(numpy.column_stack, lambda x, y: numpy.sum(numpy.column_stack((x, y, x, y)) * W34), [((3,), (3,))]),
    # NumPy 2.5 removed row_stack
    spec(ROW_STACK, lambda x, y: numpy.sum(numpy.row_stack([x, y]) * W34), [((4,), (2, 4))], note="row_stack")
    if hasattr(numpy, "row_stack")
    else [],
    spec(numpy.append, lambda x, y: numpy.sum(numpy.append(x, y) * W12), [((2, 3), (6,)), ((3, 3), (3,))]),
    spec(numpy.append, lambda x, y: numpy.sum(numpy.append(x, y, axis=1) * W34), [((3, 1), (3, 3))], note="axis=1"),
    spec(numpy.append, lambda x: numpy.sum(numpy.append(x, 2.0) * W4), [((3,),)], note="constant"),
    spec(numpy.atleast_3d, lambda x: numpy.sum(numpy.atleast_3d(x) * W4[:, None]), [(float,), ((4,),)]),
    spec(
        numpy.kron, lambda x, y: numpy.sum(numpy.kron(x, y) * W34), [((3, 2), (1, 2)), ((2,), (3, 2)), ((3, 4), float)]
    ),
    spec(numpy.kron, lambda x, y: numpy.sum(numpy.kron(x, y) * W234), [((2, 3, 2), (1, 1, 2))], note="3-d"),
    spec(numpy.cross, lambda x, y: numpy.sum(numpy.cross(x, y) * W33), [((3, 3), (3, 3)), ((3,), (3, 3))]),
    spec(numpy.cross, lambda x, y: numpy.sum(numpy.cross(x, y, axis=0) * W34), [((3, 4), (3, 4))], note="axis=0"),
    spec(
        numpy.cross, lambda x, y: numpy.sum(numpy.cross(x, y, axisa=0, axisc=0) * W34), [((3, 4), (4, 3))], note="axes"
    ),
    spec(numpy.vdot, lambda x, y: numpy.vdot(x, y), [((3, 4), (3, 4)), ((12,), (3, 4))]),
)

KNOTS = [-1.0, -0.3, 0.4, 1.0, 1.6]  # xp of numpy.interp: a list (the float32 checks make arrays float32)
KNOT_VALUES = [0.5, -0.2, 1.3, 0.7, 1.1]
NAN_AND_INFINITIES = numpy.array(
    [[1.5, numpy.nan, -0.5, numpy.inf], [0.7, -1.2, -numpy.inf, 0.3], [2.0, 0.9, 1.1, -0.4]]
)
# a zero and values on either side of it: sinc's derivative is 0 there
AROUND_ZERO = numpy.array([0.0, 0.4, -1.3, 2.2])

MORE_ELEMENTWISE = _flatten(
    spec(numpy.logaddexp2, lambda x, y: numpy.sum(numpy.logaddexp2(x, y) * W34), BROADCAST),
    spec(numpy.fmod, lambda x, y: numpy.sum(numpy.fmod(x, y) * W34), BROADCAST, MODULUS),
    spec(numpy.fmod, lambda x, y: numpy.sum(numpy.fmod(x, y) * W34), BROADCAST[:2], NEGATIVE_MODULUS, note="negative"),
    spec(numpy.sinc, lambda x: numpy.sum(numpy.sinc(x) * W34), EITHER),
    at_points(numpy.sinc, lambda x: numpy.sum(numpy.sinc(x) * W4), AROUND_ZERO, note="at 0"),
    spec(numpy.degrees, lambda x: numpy.sum(numpy.degrees(x) * W34), EITHER),
    spec(numpy.rad2deg, lambda x: numpy.sum(numpy.rad2deg(x) * W34), EITHER),
    spec(numpy.radians, lambda x: numpy.sum(numpy.radians(x) * W34), EITHER),
    spec(numpy.deg2rad, lambda x: numpy.sum(numpy.deg2rad(x) * W34), EITHER),
    spec(numpy.copysign, lambda x, y: numpy.sum(numpy.copysign(x, y) * W34 + y), BROADCAST),
    spec(numpy.nan_to_num, lambda x: numpy.sum(numpy.nan_to_num(x) * W34), EITHER),
    at_points(
        numpy.nan_to_num,
        lambda x: numpy.sum(numpy.nan_to_num(x, posinf=5.0, neginf=-5.0) ** 2 * W34),
        NAN_AND_INFINITIES,
        note="nan and infinities",
    ),
    spec(numpy.real, lambda x: numpy.sum(numpy.real(x) * W34), EITHER),
    spec(numpy.real, lambda x: numpy.sum(x.real * W34), note="attribute"),
    spec(numpy.real_if_close, lambda x: numpy.sum(numpy.real_if_close(x) * W34), EITHER),
    spec(numpy.angle, lambda x: numpy.sum(x * (1.0 + numpy.angle(x)) * W34), EITHER),
    spec(numpy.isclose, lambda x: numpy.sum(x * (1.0 + numpy.isclose(x, 0.5, atol=0.3)) * W34), EITHER),
    spec(numpy.imag, lambda x: numpy.sum((x + numpy.imag(x)) * W34), EITHER),
    spec(numpy.imag, lambda x: numpy.sum((x - x.imag) * W34), note="attribute"),
    spec(numpy.conjugate, lambda x: numpy.sum(numpy.conjugate(x) * W34), EITHER),
    spec(numpy.conjugate, lambda x: numpy.sum(x.conj() * W34), note="method"),
    spec(numpy.float64, lambda x: numpy.sum(numpy.float64(x) ** 2 * W34), EITHER),
    spec(numpy.float64, lambda x: numpy.sum(numpy.float64(numpy.sum(x * W34)) ** 2), note="of a numpy scalar"),
    spec(astype, lambda x: numpy.sum(x.astype(float) ** 2 * W34)),
    spec(astype, lambda x: numpy.sum(x * x.astype(int) * W34), domain=(0.1, 2.9), note="int"),
    spec(astype, lambda x: numpy.sum(x.astype("float64", copy=False) * W34), note="copy=False"),
    spec(item, lambda x: x.item() ** 2, [((1,),), ((1, 1),)]),
    spec(item, lambda x: x.item(5) * x.item(-1) + x.item(1, 2), note="positions"),
    spec(item, lambda x: x.item((2, 0)) ** 2 + numpy.sum(x), note="tuple"),
    spec(numpy.select, lambda x, y: numpy.sum(numpy.select([x > 0.5, y < 0.0], [x, y], 0.3) * W34), WIDER_FIRST),
    # the choices as one array (a sequence of its rows): their adjoint is one array
    spec(numpy.select, lambda x: numpy.sum(numpy.select(x > 0.0, x * x, 0.3) * W4), [((3, 4),)], note="array"),
    spec(
        numpy.select,
        lambda x, y: numpy.sum(numpy.select([x > 0.0], [x * y], default=y) * W34),
        BROADCAST[:2],
        note="default",
    ),
    spec(numpy.interp, lambda x: numpy.sum(numpy.interp(x, KNOTS, KNOT_VALUES) * W34), EITHER, (-0.9, 1.5)),
    spec(
        numpy.interp,
        lambda x, f: numpy.sum(numpy.interp(x, KNOTS, f) * W34),
        [((3, 4), (5,)), (float, (5,))],
        ((-1.4, 1.9), ANY),
        note="values",
    ),
    spec(
        numpy.interp,
        lambda x, f: numpy.sum(numpy.interp(x, KNOTS, f, left=0.5, right=-1.0) * W34),
        [((3, 4), (5,))],
        ((-2.0, 2.5), ANY),
        note="left right",
    ),
    spec(numpy.full, lambda x: numpy.sum(numpy.full((3, 4), x) * W34), [(float,), ((4,),)]),
    spec(numpy.full, lambda x: numpy.sum(numpy.full((3, 4), x, dtype=int) * W34) + x, SCALAR, (0.1, 0.9), note="int"),
    spec(numpy.full_like, lambda x, y: numpy.sum(numpy.full_like(x, y) * x * W34), [((3, 4), float)]),
    # dtype=float: in the float32 checks, a fill value cast to float32 would round what the differences see
    spec(numpy.full_like, lambda x, y: numpy.sum(numpy.full_like(x, y, dtype=float) * x * W34), [((3, 4), (4,))]),
    spec(
        numpy.full_like,
        lambda x, y: numpy.sum(numpy.full_like(x, y, dtype=int) * W34) + y * numpy.sum(x),
        [((4,), float)],
        ((-2.0, 2.0), (0.1, 0.9)),
        note="int",
    ),
    spec(numpy.linspace, lambda x, y: numpy.sum(numpy.linspace(x, y, 12) * W12), SCALARS),
    spec(numpy.linspace, lambda x, y: numpy.sum(numpy.linspace(x, y, 4, endpoint=False) * W4), SCALARS, note="open"),
    spec(numpy.linspace, lambda x, y: numpy.sum(numpy.linspace(x, y, 3, axis=1) * W234), [((4,), (2, 4))], note="axis"),
    spec(numpy.linspace, lambda x: numpy.sum(numpy.linspace(0.0, x, 4) * W4), [((3, 1),)], note="array stop"),
    spec(numpy.linspace, lambda x, y: numpy.linspace(x, y, 5, retstep=True)[1] * 3.0 + x * y, SCALARS, note="step"),
)

NANS = numpy.array([[1.5, numpy.nan, -0.5, 0.8], [0.7, -1.2, numpy.nan, numpy.nan], [2.0, 0.9, 1.1, -0.4]])
# ties and zeros for the order statistics and cumprod: each tie is checked at a value no other element has
TIED = numpy.array([[0.3, 1.2, 0.3, -0.7], [1.1, -0.4, 0.9, -0.4], [0.5, 0.5, 2.0, -1.5]])
MIDDLE_TIES = numpy.array([[0.3, 1.2, 0.3, -0.7], [0.9, -0.4, 0.9, 2.0], [-1.1, 0.6, 0.6, 1.4]])  # both middles
WITH_ZEROS = numpy.array([[1.5, 0.0, -0.7, 1.2], [0.0, 0.8, 0.0, -1.1], [0.9, -1.3, 1.4, 0.6]])

MORE_REDUCTIONS = _flatten(
    spec(numpy.cumprod, lambda x: numpy.sum(numpy.cumprod(x) * W12)),
    spec(numpy.cumprod, lambda x: numpy.sum(numpy.cumprod(x, axis=0) * W34), note="axis=0"),
    spec(numpy.cumprod, lambda x: numpy.sum(numpy.cumprod(x, axis=-1) * W34), note="axis=-1"),
    spec(numpy.cumprod, lambda x: numpy.sum(x.cumprod(1) * W234), [((2, 3, 4),)], note="method"),
    at_points(numpy.cumprod, lambda x: numpy.sum(numpy.cumprod(x, axis=1) * W34), WITH_ZEROS, note="zeros"),
    at_points(numpy.cumprod, lambda x: numpy.sum(numpy.cumprod(x, axis=0) * W34), WITH_ZEROS, note="zeros axis=0"),
    spec(numpy.average, lambda x: numpy.average(x) ** 2, EITHER),
    spec(numpy.average, lambda x: numpy.sum(numpy.average(x, axis=0) * W4), note="axis=0"),
    spec(
        numpy.average, lambda x, w: numpy.sum(numpy.average(x, 1, w) * W3), [((3, 4), (4,))], (ANY, POSITIVE), note="w"
    ),
    spec(
        numpy.average,
        lambda x, w: numpy.sum(numpy.average(x, axis=0, weights=w, keepdims=True) * W34),
        [((3, 4), (3, 4))],
        (ANY, POSITIVE),
        note="weights keepdims",
    ),
    spec(numpy.average, lambda x, w: numpy.average(x, weights=w), [((3, 4), (3, 4))], (ANY, POSITIVE), note="all w"),
    spec(numpy.ptp, lambda x: numpy.ptp(x)),
    spec(numpy.ptp, lambda x: numpy.sum(numpy.ptp(x, axis=1) * W3), note="axis=1"),
    spec(numpy.ptp, lambda x: numpy.sum(numpy.ptp(x, 0, keepdims=True) * W34), note="keepdims"),
    at_points(numpy.ptp, lambda x: numpy.sum(numpy.ptp(x, axis=1) * W3), TIED, note="ties"),
    spec(numpy.nansum, lambda x: numpy.nansum(x * W34)),
    at_points(numpy.nansum, lambda x: numpy.sum(numpy.nansum(x, axis=0) * W4), NANS, note="nans"),
    at_points(numpy.nansum, lambda x: numpy.sum(numpy.nansum(x, 1, keepdims=True) * W34), NANS, note="nans keepdims"),
    spec(numpy.nanmean, lambda x: numpy.nanmean(x) ** 2),
    at_points(numpy.nanmean, lambda x: numpy.nanmean(x * W34), NANS, note="nans"),
    at_points(numpy.nanmean, lambda x: numpy.sum(numpy.nanmean(x, axis=1) * W3), NANS, note="nans axis=1"),
    at_points(numpy.nanmax, lambda x: numpy.sum(numpy.nanmax(x, axis=1) * W3) + numpy.nanmax(x), NANS, note="nans"),
    at_points(numpy.nanmin, lambda x: numpy.sum(numpy.nanmin(x, 0, keepdims=True) * W4), NANS, note="nans"),
    spec(numpy.nanprod, lambda x: numpy.sum(numpy.nanprod(x, axis=1) * W3)),
    at_points(numpy.nanprod, lambda x: numpy.nanprod(x * W34), NANS, note="nans"),
    at_points(numpy.nanprod, lambda x: numpy.sum(numpy.nanprod(x, 0, keepdims=True) * W4), NANS, note="nans axis=0"),
    spec(numpy.nancumsum, lambda x: numpy.sum(numpy.nancumsum(x) * W12)),
    at_points(numpy.nancumsum, lambda x: numpy.sum(numpy.nancumsum(x, axis=1) * W34), NANS, note="nans"),
    spec(numpy.nancumprod, lambda x: numpy.sum(numpy.nancumprod(x, axis=0) * W34)),
    at_points(numpy.nancumprod, lambda x: numpy.sum(numpy.nancumprod(x) * W12), NANS, note="nans"),
    spec(numpy.nanvar, lambda x: numpy.sum(numpy.nanvar(x, axis=0) * W4)),
    at_points(numpy.nanvar, lambda x: numpy.nanvar(x), NANS, note="nans"),
    at_points(numpy.nanvar, lambda x: numpy.sum(numpy.nanvar(x, 1, ddof=1) * W3), NANS, note="nans ddof=1"),
    at_points(numpy.nanvar, lambda x: numpy.sum(numpy.nanvar(x, 0, keepdims=True) * W4), NANS, note="nans keepdims"),
    spec(numpy.nanstd, lambda x: numpy.nanstd(x, ddof=1)),
    at_points(numpy.nanstd, lambda x: numpy.sum(numpy.nanstd(x, axis=1) * W3), NANS, note="nans"),
    at_points(numpy.nanstd, lambda x: numpy.sum(numpy.nanstd(x, 0, ddof=1) * W4), NANS, note="nans ddof=1"),
    spec(numpy.nanmedian, lambda x: numpy.sum(numpy.nanmedian(x, axis=1) * W3)),
    at_points(numpy.nanmedian, lambda x: numpy.nanmedian(x) + numpy.nansum(x * W34), NANS, note="nans"),
    at_points(numpy.nanmedian, lambda x: numpy.sum(numpy.nanmedian(x, 1, keepdims=True) * W34), NANS, note="nans kd"),
    spec(numpy.nanquantile, lambda x: numpy.sum(numpy.nanquantile(x, [0.2, 0.7], axis=0) * W24)),
    at_points(numpy.nanquantile, lambda x: numpy.sum(numpy.nanquantile(x, 0.3, axis=1) * W3), NANS, note="nans"),
    at_points(numpy.nanquantile, lambda x: numpy.sum(numpy.nanquantile(x, [0.1, 0.6]) * W2), NANS, note="nans qs"),
    spec(numpy.nanpercentile, lambda x: numpy.nanpercentile(x, 35.0)),
    at_points(numpy.nanpercentile, lambda x: numpy.sum(numpy.nanpercentile(x, 40, 0) * W4), NANS, note="nans"),
    spec(numpy.sort, lambda x: numpy.sum(numpy.sort(x) * W34)),
    spec(numpy.sort, lambda x: numpy.sum(numpy.sort(x, axis=0) * W34), note="axis=0"),
    spec(numpy.sort, lambda x: numpy.sum(numpy.sort(x, axis=None) * W12), note="axis=None"),
    # at a tie of differently weighted positions sort has a kink; with equal weights each element gets one
    at_points(numpy.sort, lambda x: numpy.sum(numpy.sort(x) ** 3), TIED, note="ties"),
    spec(numpy.median, lambda x: numpy.median(x) ** 2 + numpy.sum(x), [((5,),), ((3, 4),)]),
    spec(numpy.median, lambda x: numpy.sum(numpy.median(x, axis=0) * W4), note="axis=0 odd"),
    spec(numpy.median, lambda x: numpy.sum(numpy.median(x, axis=1) * W3), note="axis=1 even"),
    spec(numpy.median, lambda x: numpy.sum(numpy.median(x, 1, keepdims=True) * W34), note="keepdims"),
    at_points(numpy.median, lambda x: numpy.sum(numpy.median(x, axis=1) * W3), MIDDLE_TIES, note="ties"),
    spec(numpy.partition, lambda x: numpy.sum(numpy.partition(x, 2) * W34)),
    spec(numpy.partition, lambda x: numpy.sum(numpy.partition(x, (0, 2), axis=0) * W34), note="axis=0"),
    spec(numpy.partition, lambda x: numpy.partition(x, 3, axis=None)[3] * 2.0 + numpy.sum(x**2), note="axis=None"),
    spec(numpy.quantile, lambda x: numpy.quantile(x, 0.3) * 2.0 + numpy.sum(x)),
    spec(numpy.quantile, lambda x: numpy.sum(numpy.quantile(x, [0.1, 0.75], axis=1) * W23), note="qs axis=1"),
    spec(numpy.quantile, lambda x: numpy.sum(numpy.quantile(x, 0.6, axis=0, keepdims=True) * W34), note="keepdims"),
    spec(numpy.quantile, lambda x: numpy.sum(numpy.quantile(x, [0.2, 1.0]) * W2), note="qs all"),
    spec(numpy.percentile, lambda x: numpy.sum(numpy.percentile(x, [25.0, 90.0], axis=0) * W24)),
    spec(numpy.percentile, lambda x: numpy.percentile(x, 40.0) ** 2, [((7,),)], note="vector"),
)

# Factorizations: eigen- and singular vectors enter through sign-free expressions (their squares, u s vh),
# as their signs are NumPy's choice; random matrices have distinct eigenvalues and singular values.
LINALG = _flatten(
    spec(numpy.linalg.cholesky, lambda a: numpy.sum(numpy.linalg.cholesky(a @ a.T + DIAG) * W33), [((3, 3),)]),
    spec(numpy.linalg.cholesky, lambda a: numpy.sum(numpy.linalg.cholesky(a + DIAG) * W33), [((3, 3),)], note="lower"),
    spec(
        numpy.linalg.cholesky, lambda a: numpy.sum(numpy.linalg.cholesky(a + DIAG) * W33), [((2, 3, 3),)], note="stack"
    ),
    spec(numpy.linalg.slogdet, lambda a: numpy.linalg.slogdet(a + DIAG)[1], [((3, 3),)], (-1.0, 1.0)),
    spec(
        numpy.linalg.slogdet,
        lambda a: numpy.linalg.slogdet(a - DIAG)[0] * numpy.linalg.slogdet(a - DIAG)[1],
        [((3, 3),)],
        (-1.0, 1.0),
        note="negative",
    ),
    spec(
        numpy.linalg.slogdet, lambda a: numpy.sum(numpy.linalg.slogdet(a + DIAG)[1] * W2), [((2, 3, 3),)], note="stack"
    ),
    spec(numpy.linalg.eigh, lambda a: numpy.sum(numpy.linalg.eigh(a + a.T)[0] * W3), [((3, 3),)]),
    spec(numpy.linalg.eigh, lambda a: numpy.sum(numpy.linalg.eigh(a + a.T)[1] ** 2 * W33), [((3, 3),)], note="vectors"),
    spec(
        numpy.linalg.eigh,
        lambda a: numpy.sum(numpy.linalg.eigh(a)[0] * W3) + numpy.sum(numpy.linalg.eigh(a)[1] ** 2 * W33),
        [((3, 3),)],
        note="lower",
    ),
    spec(numpy.linalg.eigh, lambda a: numpy.sum(numpy.linalg.eigh(a, "U")[1] ** 2 * W33), [((3, 3),)], note="upper"),
    spec(numpy.linalg.eigh, lambda a: numpy.sum(numpy.linalg.eigh(a)[0] * W3), [((2, 3, 3),)], note="stack"),
    # a + SPREAD, entries of a in (-1, 1): disjoint Gershgorin discs of radius 2 about 3, 8 and 13, each holding
    # one eigenvalue, which is then real (a complex one would bring its conjugate into the same disc)
    spec(numpy.linalg.eig, lambda a: numpy.sum(numpy.linalg.eig(a + SPREAD)[0] * W3), EIG_KINDS, (-1.0, 1.0)),
    spec(
        numpy.linalg.eig,
        lambda a: numpy.sum(numpy.linalg.eig(a + SPREAD)[1] * W33),
        EIG_KINDS,
        (-1.0, 1.0),
        note="vectors",
    ),
    spec(
        numpy.linalg.eig,
        lambda a: numpy.sum(numpy.linalg.eig(a + SPREAD)[0] ** 2 * W23) + numpy.sum(numpy.linalg.eig(a + SPREAD)[1]),
        [((2, 3, 3),)] if EIG_IS_REAL else [],
        (-1.0, 1.0),
        note="stack",
    ),
    spec(numpy.linalg.pinv, lambda a: numpy.sum(numpy.linalg.pinv(a) * W34), [((4, 3),)]),
    spec(numpy.linalg.pinv, lambda a: numpy.sum(numpy.linalg.pinv(a) * W34.T), [((3, 4),)], note="wide"),
    spec(numpy.linalg.pinv, lambda a: numpy.sum(numpy.linalg.pinv(a + DIAG) * W33), [((3, 3),)], note="square"),
    spec(numpy.linalg.qr, lambda a: numpy.sum(numpy.linalg.qr(a)[0] * W34.T), [((4, 3),)], note="q"),
    spec(numpy.linalg.qr, lambda a: numpy.sum(numpy.linalg.qr(a)[1] * W33), [((4, 3),), ((3, 3),)], note="r"),
    spec(
        numpy.linalg.qr,
        lambda a: numpy.sum(numpy.linalg.qr(a)[0] * numpy.swapaxes(W234, 1, 2)) + numpy.sum(numpy.linalg.qr(a)[1] ** 2),
        [((2, 4, 3),)],
        note="stack",
    ),
    spec(numpy.linalg.svd, lambda a: numpy.sum(numpy.linalg.svd(a, compute_uv=False) * W3), [((3, 4),), ((4, 3),)]),
    spec(
        numpy.linalg.svd,
        lambda a: (
            numpy.sum(numpy.linalg.svd(a, full_matrices=False)[0] ** 2 * W34.T)
            + numpy.sum(numpy.linalg.svd(a, full_matrices=False)[2] ** 2 * W33)
        ),
        [((4, 3),)],
        note="vectors",
    ),
    spec(
        numpy.linalg.svd,
        lambda a: numpy.sum(numpy.linalg.svd(a, False)[0][:, :2] @ numpy.linalg.svd(a, False)[2][:2] * W34),
        [((3, 4),)],
        note="rank 2 part",
    ),
    spec(numpy.linalg.svd, lambda a: numpy.sum(numpy.linalg.svd(a)[1] * W3), [((3, 3),)], note="square"),
    spec(
        numpy.linalg.lstsq,
        lambda a, b: numpy.sum(numpy.linalg.lstsq(a, b)[0] * W3) + numpy.sum(numpy.linalg.lstsq(a, b)[1]),
        [((4, 3), (4,))],
    ),
    spec(
        numpy.linalg.lstsq,
        lambda a, b: numpy.sum(numpy.linalg.lstsq(a, b)[0] * W32) + numpy.sum(numpy.linalg.lstsq(a, b)[3] * W3),
        [((4, 3), (4, 2))],
        note="columns",
    ),
    spec(numpy.linalg.lstsq, lambda a, b: numpy.sum(numpy.linalg.lstsq(a, b)[0] * W4), [((3, 4), (3,))], note="wide"),
)

SCIPY_SPECIAL = (
    []
    if scipy is None
    else _flatten(
        spec(scipy.special.expit, lambda x: numpy.sum(scipy.special.expit(x) * W34), EITHER),
        spec(scipy.special.logit, lambda x: numpy.sum(scipy.special.logit(x) * W34), EITHER, (0.1, 0.9)),
        spec(scipy.special.erf, lambda x: numpy.sum(scipy.special.erf(x) * W34), EITHER),
        spec(scipy.special.erfc, lambda x: numpy.sum(scipy.special.erfc(x) * W34), EITHER),
        spec(scipy.special.gammaln, lambda x: numpy.sum(scipy.special.gammaln(x) * W34), EITHER, (0.2, 4.0)),
        # digamma's __name__ is psi: the note names it as the rule file spells it (tools/mutate.py selects by -k)
        spec(
            scipy.special.digamma,
            lambda x: numpy.sum(scipy.special.digamma(x) * W34),
            EITHER,
            (0.2, 4.0),
            note="digamma",
        ),
        spec(scipy.special.polygamma, lambda x: numpy.sum(scipy.special.polygamma(0, x) * W34), EITHER, POSITIVE),
        spec(
            scipy.special.polygamma,
            lambda x: numpy.sum(scipy.special.polygamma(3, x) * W34),
            EITHER,
            (-0.9, -0.2),
            note="n=3 x<0",
        ),
        spec(
            scipy.special.polygamma,
            lambda x: numpy.sum(scipy.special.polygamma(ORDERS, x) * W34),
            EITHER,
            POSITIVE,
            note="orders broadcast",
        ),
        spec(
            scipy.special.multigammaln,
            lambda a: numpy.sum(scipy.special.multigammaln(a, 3) * W34) + scipy.special.multigammaln(a[0, 0], 1),
            ARRAY,
            (1.2, 4.0),
        ),
        spec(scipy.special.multigammaln, lambda a: scipy.special.multigammaln(a, 2), SCALAR, (0.8, 3.0), note="d=2"),
        spec(scipy.special.xlogy, lambda x, y: numpy.sum(scipy.special.xlogy(x, y) * W34), BROADCAST, SECOND_POSITIVE),
        spec(scipy.special.logsumexp, lambda x: scipy.special.logsumexp(x), EITHER),
        spec(scipy.special.logsumexp, lambda x: numpy.sum(scipy.special.logsumexp(x, axis=1) * W3), note="axis=1"),
        spec(
            scipy.special.logsumexp,
            lambda x: numpy.sum(scipy.special.logsumexp(x, 0, keepdims=True) * W34),
            note="keepdims",
        ),
        spec(
            scipy.special.logsumexp,
            lambda x, b: numpy.sum(scipy.special.logsumexp(x, axis=1, b=b) * W3),
            [((3, 4), (3, 4)), ((3, 4), (4,))],
            (ANY, POSITIVE),
            note="b",
        ),
        spec(scipy.special.softmax, lambda x: numpy.sum(scipy.special.softmax(x) * W34)),
        spec(scipy.special.softmax, lambda x: numpy.sum(scipy.special.softmax(x, axis=1) * W34), note="axis=1"),
        spec(scipy.special.log_softmax, lambda x: numpy.sum(scipy.special.log_softmax(x) * W34)),
        spec(scipy.special.log_softmax, lambda x: numpy.sum(scipy.special.log_softmax(x, 0) * W34), note="axis=0"),
        spec(scipy.special.gamma, lambda x: numpy.sum(scipy.special.gamma(x) * W34), EITHER, (0.3, 3.0)),
        spec(scipy.special.gamma, lambda x: numpy.sum(scipy.special.gamma(x) * W34), EITHER, (-0.9, -0.1), note="<0"),
        spec(scipy.special.rgamma, lambda x: numpy.sum(scipy.special.rgamma(x) * W34), EITHER, (-0.9, 3.0)),
        spec(scipy.special.gammasgn, lambda x: numpy.sum(x * scipy.special.gammasgn(x) * W34), EITHER, (-0.9, -0.1)),
        spec(
            scipy.special.betaln,
            lambda a, b: numpy.sum(scipy.special.betaln(a, b) * W34),
            BROADCAST,
            (POSITIVE, POSITIVE),
        ),
        spec(
            scipy.special.beta, lambda a, b: numpy.sum(scipy.special.beta(a, b) * W34), BROADCAST, (POSITIVE, POSITIVE)
        ),
        spec(scipy.special.gammainc, lambda x: numpy.sum(scipy.special.gammainc(1.7, x) * W34), EITHER, POSITIVE),
        spec(scipy.special.gammaincc, lambda x: numpy.sum(scipy.special.gammaincc(W34, x) * W34), EITHER, POSITIVE),
        spec(scipy.special.betainc, lambda x: numpy.sum(scipy.special.betainc(1.5, 2.5, x) * W34), EITHER, (0.1, 0.9)),
        spec(scipy.special.erfinv, lambda x: numpy.sum(scipy.special.erfinv(x) * W34), EITHER, (-0.9, 0.9)),
        spec(scipy.special.erfcinv, lambda x: numpy.sum(scipy.special.erfcinv(x) * W34), EITHER, (0.1, 1.9)),
        spec(scipy.special.j0, lambda x: numpy.sum(scipy.special.j0(x) * W34), EITHER, (-4.0, 4.0)),
        spec(scipy.special.j1, lambda x: numpy.sum(scipy.special.j1(x) * W34), EITHER, (-4.0, 4.0)),
        spec(scipy.special.y0, lambda x: numpy.sum(scipy.special.y0(x) * W34), EITHER, (0.3, 4.0)),
        spec(scipy.special.y1, lambda x: numpy.sum(scipy.special.y1(x) * W34), EITHER, (0.3, 4.0)),
        spec(scipy.special.i0, lambda x: numpy.sum(scipy.special.i0(x) * W34), EITHER),
        spec(scipy.special.i1, lambda x: numpy.sum(scipy.special.i1(x) * W34), EITHER),
        spec(scipy.special.jv, lambda x: numpy.sum(scipy.special.jv(2.5, x) * W34), EITHER, (0.3, 4.0)),
        spec(scipy.special.yn, lambda x: numpy.sum(scipy.special.yn(3, x) * W34), EITHER, (0.3, 4.0)),
        spec(scipy.special.iv, lambda x: numpy.sum(scipy.special.iv(1.5, x) * W34), EITHER, (0.3, 2.0)),
        spec(scipy.special.ive, lambda x: numpy.sum(scipy.special.ive(2, x) * W34), EITHER),
    )
)

SCIPY_STATS = (
    []
    if scipy is None
    else _flatten(
        spec(
            scipy.stats.norm.pdf, lambda x, m, s: numpy.sum(scipy.stats.norm.pdf(x, m, s) * W34), BROADCAST3, LOC_SCALE
        ),
        spec(
            scipy.stats.norm.logpdf,
            lambda x, m, s: numpy.sum(scipy.stats.norm.logpdf(x, m, s) * W34),
            BROADCAST3,
            LOC_SCALE,
        ),
        spec(
            scipy.stats.norm.cdf, lambda x, m, s: numpy.sum(scipy.stats.norm.cdf(x, m, s) * W34), BROADCAST3, LOC_SCALE
        ),
        spec(scipy.stats.norm.sf, lambda x, m, s: numpy.sum(scipy.stats.norm.sf(x, m, s) * W34), BROADCAST3, LOC_SCALE),
        spec(
            scipy.stats.norm.logcdf,
            lambda x, m, s: numpy.sum(scipy.stats.norm.logcdf(x, m, s) * W34),
            BROADCAST3,
            LOC_SCALE,
        ),
        spec(
            scipy.stats.norm.logsf,
            lambda x, m, s: numpy.sum(scipy.stats.norm.logsf(x, m, s) * W34),
            BROADCAST3,
            LOC_SCALE,
        ),
        spec(scipy.stats.norm.logcdf, lambda x: numpy.sum(scipy.stats.norm.logcdf(x) * W34), EITHER, note="x only"),
        spec(scipy.stats.t.pdf, lambda x, v, m, s: numpy.sum(scipy.stats.t.pdf(x, v, m, s) * W34), T_KINDS, T_DOMAINS),
        spec(
            scipy.stats.t.logpdf,
            lambda x, v, m, s: numpy.sum(scipy.stats.t.logpdf(x, v, m, s) * W34),
            T_KINDS,
            T_DOMAINS,
        ),
        spec(
            scipy.stats.t.cdf, lambda x, m, s: numpy.sum(scipy.stats.t.cdf(x, 3.5, m, s) * W34), BROADCAST3, LOC_SCALE
        ),
        spec(
            scipy.stats.t.logcdf,
            lambda x, m, s: numpy.sum(scipy.stats.t.logcdf(x, 3.5, m, s) * W34),
            BROADCAST3,
            LOC_SCALE,
        ),
        spec(
            scipy.stats.gamma.pdf,
            lambda x, a: numpy.sum(scipy.stats.gamma.pdf(x, a) * W34),
            BROADCAST,
            (POSITIVE, POSITIVE),
        ),
        spec(
            scipy.stats.gamma.logpdf,
            lambda x, a: numpy.sum(scipy.stats.gamma.logpdf(x, a) * W34),
            BROADCAST,
            (POSITIVE, POSITIVE),
        ),
        spec(scipy.stats.gamma.cdf, lambda x: numpy.sum(scipy.stats.gamma.cdf(x, 1.7) * W34), EITHER, POSITIVE),
        spec(
            scipy.stats.beta.pdf,
            lambda x, a, b: numpy.sum(scipy.stats.beta.pdf(x, a, b) * W34),
            BROADCAST3,
            BETA_DOMAINS,
        ),
        spec(
            scipy.stats.beta.logpdf,
            lambda x, a, b: numpy.sum(scipy.stats.beta.logpdf(x, a, b) * W34),
            BROADCAST3,
            BETA_DOMAINS,
        ),
        spec(scipy.stats.beta.cdf, lambda x: numpy.sum(scipy.stats.beta.cdf(x, 1.5, 2.5) * W34), EITHER, (0.1, 0.9)),
        spec(scipy.stats.chi2.pdf, lambda x: numpy.sum(scipy.stats.chi2.pdf(x, 3) * W34), EITHER, POSITIVE),
        spec(scipy.stats.chi2.logpdf, lambda x: numpy.sum(scipy.stats.chi2.logpdf(x, 1) * W34), EITHER, POSITIVE),
        spec(scipy.stats.chi2.cdf, lambda x: numpy.sum(scipy.stats.chi2.cdf(x, 2) * W34), EITHER, POSITIVE),
        # x omitting its last coordinate first: its float32 check keeps x on the simplex (a normalized float32
        # x sums to 1 only within 1e-7, and SciPy demands 1e-9)
        spec(
            scipy.stats.dirichlet.logpdf,
            lambda x, a: numpy.sum(scipy.stats.dirichlet.logpdf(x, a) * W2),
            [((3, 2), (4,))],
            ((0.1, 0.3), POSITIVE),
            note="last omitted",
        ),
        spec(
            scipy.stats.dirichlet.logpdf,
            lambda x, a: scipy.stats.dirichlet.logpdf(x / numpy.sum(x, axis=0), a),
            [((4,), (4,))],
            POSITIVE,
        ),
        spec(
            scipy.stats.dirichlet.logpdf,
            lambda x, a: numpy.sum(scipy.stats.dirichlet.logpdf(x / numpy.sum(x, axis=0), a) * W3),
            [((4, 3), (4,))],
            POSITIVE,
            note="points",
        ),
        spec(
            scipy.stats.dirichlet.pdf,
            lambda x, a: scipy.stats.dirichlet.pdf(x, a),
            [((3,), (4,))],
            ((0.1, 0.3), POSITIVE),
            note="last omitted",
        ),
        spec(
            scipy.stats.dirichlet.pdf,
            lambda x, a: numpy.sum(scipy.stats.dirichlet.pdf(x / numpy.sum(x, axis=0), a) * W3),
            [((4,), (4,)), ((4, 3), (4,))],
            POSITIVE,
        ),
        # cov either built symmetric positive definite from the argument, or perturbed directly: SciPy reads its
        # lower triangle only, so the upper entries have a zero derivative
        spec(
            scipy.stats.multivariate_normal.logpdf,
            lambda x, m, a: numpy.sum(scipy.stats.multivariate_normal.logpdf(x, m, a @ a.T + DIAG) * W4),
            [((4, 3), (3,), (3, 3))],
            note="points",
        ),
        spec(
            scipy.stats.multivariate_normal.logpdf,
            lambda x, m, c: scipy.stats.multivariate_normal.logpdf(x, mean=m, cov=c + DIAG, allow_singular=True),
            [((3,), (3,), (3, 3))],
            (ANY, ANY, (-0.5, 0.5)),
            note="cov itself",
        ),
        spec(
            scipy.stats.multivariate_normal.logpdf,
            lambda x, m, c: numpy.sum(scipy.stats.multivariate_normal.logpdf(x, m, c) * W4),
            [((4, 2), (2,), (2,)), ((4,), float, float)],
            (ANY, ANY, POSITIVE),
            note="diagonal cov",
        ),
        spec(
            scipy.stats.multivariate_normal.pdf,
            lambda x, m, c: numpy.sum(scipy.stats.multivariate_normal.pdf(x, m, c + DIAG) * W2),
            [((2, 3), (3,), (3, 3)), ((3,), (3,), (3, 3))],
            (ANY, ANY, (-0.5, 0.5)),
        ),
        spec(
            scipy.stats.multivariate_normal.pdf,
            lambda x, a: scipy.stats.multivariate_normal.pdf(x, cov=a @ a.T + DIAG),
            [((3,), (3, 3))],
            note="no mean",
        ),
        spec(
            scipy.stats.multivariate_normal.entropy,
            lambda m, c: scipy.stats.multivariate_normal.entropy(m, c + DIAG) + numpy.sum(m * W3),  # m: 0 + W3
            [((3,), (3, 3))],
            (ANY, (-0.5, 0.5)),
        ),
        spec(
            scipy.stats.multivariate_normal.entropy,
            lambda a: scipy.stats.multivariate_normal.entropy(cov=a @ a.T + DIAG),
            [((3, 3),)],
            note="spd",
        ),
        spec(
            scipy.stats.poisson.pmf, lambda mu: numpy.sum(scipy.stats.poisson.pmf(COUNTS, mu) * W34), EITHER, POSITIVE
        ),
        spec(
            scipy.stats.poisson.logpmf,
            lambda mu: numpy.sum(scipy.stats.poisson.logpmf(COUNTS, mu) * W34),
            EITHER,
            POSITIVE,
        ),
        spec(
            scipy.stats.poisson.cdf, lambda mu: numpy.sum(scipy.stats.poisson.cdf(COUNTS, mu) * W34), EITHER, POSITIVE
        ),
    )
)


def _sqrtm_stacks() -> bool:
    """Whether this SciPy's sqrtm takes a stack of matrices (newer versions batch)."""
    try:
        return numpy.shape(scipy.linalg.sqrtm(numpy.ones((2, 1, 1)))) == (2, 1, 1)
    except ValueError:
        return False


CONVOLVED = [((4,), (2,)), ((3,), (5,)), ((4, 3), (2, 2)), ((2, 3), (4, 3))]  # either input the longer

SCIPY_LINALG_AND_SIGNAL = (
    []
    if scipy is None
    else _flatten(
        spec(
            scipy.linalg.solve_sylvester,
            lambda a, b, q: numpy.sum(scipy.linalg.solve_sylvester(a + DIAG, b + DIAG, q) * W33),
            [((3, 3), (3, 3), (3, 3))],
        ),
        spec(
            scipy.linalg.solve_sylvester,
            lambda a, b, q: numpy.sum(scipy.linalg.solve_sylvester(a + DIAG, b - DIAG[:2, :2], q) * W32),
            [((3, 3), (2, 2), (3, 2))],
            (-1.0, 1.0),
            note="rectangular",
        ),
        # SPREAD keeps the eigenvalues real, positive and apart, so the square root is real
        spec(scipy.linalg.sqrtm, lambda a: numpy.sum(scipy.linalg.sqrtm(a + SPREAD) * W33), [((3, 3),)], (-1.0, 1.0)),
        spec(
            scipy.linalg.sqrtm,
            lambda a: numpy.sum(scipy.linalg.sqrtm(a @ numpy.swapaxes(a, -1, -2) + DIAG) * W33),
            [((2, 3, 3),)] if _sqrtm_stacks() else [],
            note="stacked",
        ),
        spec(
            scipy.linalg.solve_banded,
            lambda ab, b: numpy.sum(scipy.linalg.solve_banded((1, 1), ab + ON_ROW[1], b) * W4),
            [((3, 4), (4,))],
        ),
        spec(
            scipy.linalg.solve_banded,
            lambda ab, b: numpy.sum(scipy.linalg.solve_banded((2, 0), ab + ON_ROW[0], b) * W34.T),
            [((3, 4), (4, 3))],
            note="lower",
        ),
        spec(
            scipy.linalg.solve_banded,
            lambda ab, b: numpy.sum(scipy.linalg.solve_banded((0, 2), ab + ON_ROW[2], b) * W4),
            [((3, 4), (4,))],
            note="upper",
        ),
        spec(scipy.signal.convolve, lambda x, y: numpy.sum(scipy.signal.convolve(x, y) ** 2), CONVOLVED),
        spec(
            scipy.signal.convolve,
            lambda x, y: numpy.sum(scipy.signal.convolve(x, y, "same") ** 2),
            CONVOLVED,
            note="same",
        ),
        spec(
            scipy.signal.convolve,
            lambda x, y: numpy.sum(scipy.signal.convolve(x, y, mode="valid", method="direct") ** 2),
            CONVOLVED,
            note="valid",
        ),
    )
)

SPECS = (
    OPERATORS
    + SCALAR_MATH
    + ELEMENTWISE
    + REDUCTIONS
    + PRODUCTS_AND_LINALG
    + SHAPES
    + ZERO_DERIVATIVE_ARRAYS
    + REARRANGING
    + MORE_ELEMENTWISE
    + MORE_REDUCTIONS
    + LINALG
    + SCIPY_SPECIAL
    + SCIPY_STATS
    + SCIPY_LINALG_AND_SIGNAL
)

# Callables whose derivative is 0, alone: the gradient must be exactly 0 (tests/test_rules.py, check_zero_grad).
# The specs above use each of them next to a term with a non-zero gradient.
CONSTANT_SPECS = _flatten(
    spec(numpy.sign, lambda x: numpy.sum(numpy.sign(x) * W34), EITHER),
    spec(numpy.floor, lambda x: numpy.sum(numpy.floor(x) * W34), EITHER, (-3.0, 3.0)),
    spec(numpy.ceil, lambda x: numpy.sum(numpy.ceil(x) * W34), EITHER, (-3.0, 3.0)),
    spec(numpy.round, lambda x: numpy.sum(numpy.round(x) * W34), EITHER, (-3.0, 3.0)),
    spec(numpy.rint, lambda x: numpy.sum(numpy.rint(x) * W34), EITHER, (-3.0, 3.0)),
    spec(numpy.trunc, lambda x: numpy.sum(numpy.trunc(x) * W34), EITHER, (-3.0, 3.0)),
    spec(numpy.greater, lambda x: numpy.sum(numpy.greater(x, 0.5) * W34), EITHER),
    spec(numpy.greater_equal, lambda x: numpy.sum(numpy.greater_equal(x, 0.5) * W34), EITHER),
    spec(numpy.less, lambda x: numpy.sum(numpy.less(x, 0.5) * W34), EITHER),
    spec(numpy.less_equal, lambda x: numpy.sum(numpy.less_equal(x, 0.5) * W34), EITHER),
    spec(numpy.heaviside, lambda x: numpy.sum(numpy.heaviside(x, 0.5) * W34), EITHER),
    spec(numpy.floor_divide, lambda x: numpy.sum(numpy.floor_divide(x, 0.7) * W34), EITHER),
    spec(operator.floordiv, lambda x: numpy.sum(x // 0.7 * W34), EITHER),
    spec(numpy.clip, lambda x: numpy.clip(x, -0.5, 0.5) * 2.0, SCALAR, (0.6, 2.0), note="above"),
    spec(numpy.clip, lambda x: numpy.clip(x, -0.5, 0.5) * 2.0, SCALAR, (-2.0, -0.6), note="below"),
    spec(numpy.count_nonzero, lambda x: numpy.count_nonzero(x > 0.5) * 1.5),
    spec(numpy.argmax, lambda x: numpy.argmax(x) * 1.5, [((4,),)]),
    spec(math.floor, lambda x: math.floor(x) * 1.5, SCALAR, (-3.0, 3.0)),
    spec(math.ceil, lambda x: math.ceil(x) * 1.5, SCALAR, (-3.0, 3.0)),
    spec(math.trunc, lambda x: math.trunc(x) * 1.5, SCALAR, (-3.0, 3.0)),
    spec(round, lambda x: round(x) * 1.5, SCALAR, (-3.0, 3.0)),
    spec(round, lambda x: round(x, 1) * 1.5, SCALAR, (-3.0, 3.0), note="ndigits"),
    spec(int, lambda x: int(x) * 1.5, SCALAR, (-3.0, 3.0)),
    spec(numpy.imag, lambda x: numpy.sum(numpy.imag(x) * W34), EITHER),
    spec(astype, lambda x: numpy.sum(x.astype(int) * W34), domain=(0.1, 2.9), note="int"),
)
