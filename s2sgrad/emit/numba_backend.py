"""``backend="numba"``: the generated gradient compiled with ``numba.njit``, or run as Python when numba cannot.

The generated text stays what ``s2sgrad.source`` shows. Its numba variant is
derived from it by one rewrite, located with ``ast`` and applied in place so that
lines and comments stay where they were: ``reversed(range(...))`` (and its first
``trips`` iterations, ``reversed(range(...)[:trips])``), which numba cannot type,
becomes the equivalent descending ``range``. The runtime helpers the
text calls are bound to twins with numba implementations for the argument types
where they are exact (``numba.extending.overload``: ``zeros_like`` of a float is
0.0, of an array ``np.zeros_like``); any other type is a typing error. A called
function's ``forward_h``/``backward_h`` are compiled the same way, and bound to
the caller's variant in their place.

A gradient numba cannot compile, at its first call or at a later call with new
argument types, runs as the Python function from then on, with one warning
naming the function and numba's reason. So does a gradient that calls a helper
without a twin, a recursive callee, or that reads a mutable global (an array, a
list): numba freezes globals into the compiled code, where Python reads them
live. The guards of a variant compare every global it read by identity (a float
constant rebound is a new value to freeze), so a redefined helper or constant
compiles again.
"""

import ast
import dataclasses
import functools
import re
import textwrap
import types
import warnings
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional

import numpy

from .. import runtime, source_map
from ..cache import Guards

if TYPE_CHECKING:  # a type only: the pipeline imports this stage
    from ..pipeline import Generated

INSTALL = "pip install numba  (or: pip install 's2sgrad[numba]')"
_FACTORY = "__s2sgrad_numba_factory__"


def require_numba() -> Any:
    """The numba module, or an ImportError that says how to install it."""
    try:
        import numba
    except ImportError as exc:
        raise ImportError(f'backend="numba" needs numba, which is not installed: {INSTALL}') from exc
    return numba


def accelerated(generated: "Generated", label: str) -> "Generated":
    """``generated`` whose ``function`` runs numba-compiled code, falling back to ``generated.function``."""
    guards = _strict(generated.guards)
    reason = _unsupported(generated) or _mutable_read(generated.guards)
    if reason is not None:
        _warn(label, reason)
        return dataclasses.replace(generated, guards=guards)
    compiled = _compiled(generated, {})
    return dataclasses.replace(generated, function=_with_fallback(compiled, generated.function, label), guards=guards)


def numba_text(text: str) -> str:
    """The generated text with ``reversed(range(...))`` written as a descending ``range``, lines unchanged."""
    lines = text.splitlines(keepends=True)
    rewrites = sorted(_range_rewrites(text), key=lambda r: (r[0], r[1]), reverse=True)
    for line, col, end, new in rewrites:  # right to left: earlier columns stay valid
        lines[line - 1] = lines[line - 1][:col] + new + lines[line - 1][end:]
    return "".join(lines)


def _range_rewrites(text: str) -> List[tuple]:
    """(line, col, end col, replacement) for each ``reversed(range(...))`` (one line each, as unparsed).

    Also ``reversed(range(...)[:trips])``, the iterations a loop with a ``break`` ran: ``trips``
    is a count, never negative, so the slice ends at ``min(stop, start + trips)``.
    """
    found = []
    for node in ast.walk(ast.parse(text)):
        if not (_is_call_of(node, "reversed") and len(node.args) == 1):
            continue
        ran, trips = node.args[0], None
        if isinstance(ran, ast.Subscript) and _is_head(ran.slice):
            ran, trips = ran.value, ast.get_source_segment(text, _index(ran.slice).upper)
        if not _is_call_of(ran, "range") or not 1 <= len(ran.args) <= 2:  # a step: numba reports reversed()
            continue
        bounds = [ast.get_source_segment(text, a) for a in ran.args]
        start, stop = bounds if len(bounds) == 2 else ("0", bounds[0])
        if trips is not None:
            stop = f"min({stop}, {trips})" if start == "0" else f"min({stop}, {start} + {trips})"
        last = "-1" if start == "0" else f"{start} - 1"
        found.append((node.lineno, node.col_offset, node.end_col_offset, f"range({stop} - 1, {last}, -1)"))
    return found


def _index(node: ast.AST) -> ast.AST:
    return node.value if isinstance(node, getattr(ast, "Index", ())) else node  # Python 3.8 wraps it


def _is_head(node: ast.AST) -> bool:
    """``[:k]``: a slice with only an upper bound."""
    node = _index(node)
    return isinstance(node, ast.Slice) and node.lower is None and node.step is None and node.upper is not None


def _is_call_of(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name and not node.keywords


# ----- compiling: the function and its callees -----


def _compiled(generated: "Generated", done: Dict[int, Any]) -> Any:
    """The numba dispatcher of ``generated.function`` (and, for a callee, of its forward function)."""
    numba = require_numba()
    replacements: Dict[Any, Any] = {}
    for callee in generated.callees:
        _compiled(callee, done)
        for python in (callee.function, callee.forward_function):
            if python is not None:
                replacements[id(python)] = done[id(python)]
    for python in (generated.function, generated.forward_function):
        if python is not None and id(python) not in done:
            done[id(python)] = numba.njit(_variant(python, replacements))
    return done[id(generated.function)]


def _variant(python: types.FunctionType, replacements: Dict[int, Any]) -> types.FunctionType:
    """``python`` recompiled from its numba text, with helpers and callees bound to their numba versions."""
    known = source_map.lookup(python.__code__.co_filename)
    body = numba_text(_definition(known.text, python.__name__))
    free = python.__code__.co_freevars
    values = {v: c.cell_contents for v, c in zip(free, python.__closure__ or ())}
    values = {v: replacements.get(id(x), _twin(x)) for v, x in values.items()}
    module_text = f"def {_FACTORY}({', '.join(free)}):\n{textwrap.indent(body, '    ')}    return {python.__name__}\n"
    filename = python.__code__.co_filename.replace(source_map.GENERATED_PREFIX, f"{source_map.GENERATED_PREFIX}numba ")
    origin = next(iter(known.origins.values()), None)  # the user's file: the comments name lines of it
    source_map.register(filename, module_text, origin.filename if origin else "", origin.function if origin else "")
    namespace: Dict[str, Any] = {}
    exec(compile(module_text, filename, "exec"), python.__globals__, namespace)  # defines the factory only
    return namespace[_FACTORY](*(values[v] for v in free))


def _definition(module_text: str, name: str) -> str:
    """The ``def name`` inside compile_function's factory text, dedented."""
    tree = ast.parse(module_text)
    factory = tree.body[0]
    inner = next(n for n in factory.body if isinstance(n, ast.FunctionDef) and n.name == name)
    lines = module_text.splitlines(keepends=True)
    start = inner.lineno - 1 - len(inner.decorator_list)
    return textwrap.dedent("".join(lines[start : inner.end_lineno]))


def _with_fallback(compiled: Any, python: Callable, label: str) -> Callable:
    """Run ``compiled``; when numba cannot compile it (for these argument types), ``python`` from then on."""
    from numba.core.errors import NumbaError

    current = [compiled]

    @functools.wraps(python)
    def gradient(*args: Any) -> Any:
        try:
            return current[0](*args)
        except NumbaError as exc:
            if current[0] is python:  # from the user's own numba code, called by the Python gradient
                raise
            current[0] = python
            _warn(label, _first_line(str(exc)))
            return python(*args)

    return gradient


def _first_line(message: str) -> str:
    """numba's reason: its first line after the "Failed in nopython mode pipeline" header, without colours.

    A line ending in a colon ("No implementation of function ... found for signature:") takes the next one.
    """
    lines = [line.strip() for line in _ANSI.sub("", message).splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("Failed in ")] or ["(no message)"]
    return f"{lines[0]} {lines[1]}" if lines[0].endswith(":") and len(lines) > 1 else lines[0]


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _warn(label: str, reason: str) -> None:
    warnings.warn(
        f'{label}: backend="numba" runs the generated gradient as Python: numba cannot compile it ({reason})',
        RuntimeWarning,
        stacklevel=4,
    )


# ----- what numba cannot run correctly, known before trying -----


def _unsupported(generated: "Generated") -> Optional[str]:
    """Why the gradient (or a callee's) cannot be compiled: a helper with no numba twin."""
    for each in (generated, *generated.all_callees()):  # a recursive call is a Deferred value: numba reports it
        for python in filter(None, (each.function, each.forward_function)):
            for value in (c.cell_contents for c in python.__closure__ or ()):
                if getattr(value, "__module__", None) == runtime.__name__ and value not in _twins():
                    return f"the helper {value.__name__} has no numba version"
    return None


def _mutable_read(guards: Guards) -> Optional[str]:
    for guard in guards:
        value = guard[3]() if guard[5] else guard[3]
        if isinstance(value, (numpy.ndarray, list, dict, set)):
            return f"it reads {guard[2]!r}, a {type(value).__name__} numba would freeze at its first call"
    return None


def _strict(guards: Guards) -> Guards:
    """The same guards, each by identity: numba froze every value it read."""
    return Guards([*g[:4], False, g[5]] for g in guards)


# ----- the runtime helpers' numba twins -----


@functools.lru_cache(maxsize=None)  # made, and numba imported, once: at the first numba compilation
def _twins() -> Dict[Callable, Callable]:
    """Stub functions with a numba implementation per argument type, keyed by the helper they stand for."""
    from numba import types as nt
    from numba.extending import overload

    # No annotations on stubs and implementations: numba requires their signatures to match exactly.
    def zeros_like(x):  # type: ignore[no-untyped-def]
        return runtime.zeros_like(x)

    def sign(x):  # type: ignore[no-untyped-def]
        return runtime.sign(x)

    def unreduce(g, x):  # type: ignore[no-untyped-def]
        return runtime.unreduce(g, x)

    @overload(zeros_like)
    def _zeros_like(x):  # type: ignore[no-untyped-def]
        if isinstance(x, nt.Array):
            return lambda x: numpy.zeros_like(x)
        if isinstance(x, nt.Number):
            return lambda x: 0.0
        return None

    @overload(sign)
    def _sign(x):  # type: ignore[no-untyped-def]
        if isinstance(x, nt.Array):
            return lambda x: numpy.sign(x)
        if isinstance(x, nt.Float):  # runtime.sign of a Python float: 0.0 * x keeps a NaN
            return lambda x: 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0 * x
        return None

    @overload(unreduce)
    def _unreduce(g, x):  # type: ignore[no-untyped-def]  # a full reduction (no axis): g spread over x's shape
        if isinstance(g, nt.Float) and isinstance(x, nt.Array) and isinstance(x.dtype, nt.Float):
            return lambda g, x: numpy.full(x.shape, g, dtype=x.dtype)
        if isinstance(g, nt.Float) and isinstance(x, nt.Float):
            return lambda g, x: g
        return None

    def shape_of(x):  # type: ignore[no-untyped-def]
        return runtime.shape_of(x)

    @overload(shape_of)
    def _shape_of(x):  # type: ignore[no-untyped-def]  # an array's shape and dtype without data, as in Python
        if isinstance(x, nt.Array):
            return lambda x: numpy.broadcast_to(numpy.zeros((), x.dtype), x.shape)
        return None

    def ieee_divide(a, b):  # type: ignore[no-untyped-def]
        return runtime.ieee_divide(a, b)

    def ieee_power(a, b):  # type: ignore[no-untyped-def]
        return runtime.ieee_power(a, b)

    def greater_share(x, y):  # type: ignore[no-untyped-def]
        return runtime.greater_share(x, y)

    @overload(ieee_divide)
    def _ieee_divide(a, b):  # type: ignore[no-untyped-def]
        if isinstance(a, nt.Number) and isinstance(b, nt.Number):  # numpy.divide: ±inf or nan, never an exception
            return lambda a, b: a / b if b != 0 else numpy.divide(a, b)
        return None

    @overload(ieee_power)
    def _ieee_power(a, b):  # type: ignore[no-untyped-def]
        if isinstance(a, nt.Float) and isinstance(b, nt.Number):  # numpy.power: 0.0 ** -0.5 is inf
            return lambda a, b: a**b if a != 0.0 else numpy.power(a, b)
        return None

    @overload(greater_share)
    def _greater_share(x, y):  # type: ignore[no-untyped-def]
        if isinstance(x, nt.Float) and isinstance(y, nt.Float):  # 1 where x > y, 0.5 at a tie, 0 elsewhere
            return lambda x, y: 0.5 if x == y else 1.0 if x > y else 0.0
        return None

    def outer_sum(columns, rows):  # type: ignore[no-untyped-def]
        return runtime.outer_sum(columns, rows)

    @overload(outer_sum)
    def _outer_sum(columns, rows):  # type: ignore[no-untyped-def]  # compiled, a product per step costs little
        if all(isinstance(v, nt.List) and isinstance(v.dtype, nt.Array) and v.dtype.ndim == 1 for v in (columns, rows)):
            return _outer_products_added
        return None

    return {
        runtime.zeros_like: zeros_like,
        runtime.outer_sum: outer_sum,
        runtime.sign: sign,
        runtime.unreduce: unreduce,
        runtime.shape_of: shape_of,
        runtime.ieee_divide: ieee_divide,
        runtime.ieee_power: ieee_power,
        runtime.greater_share: greater_share,
    }


def _outer_products_added(columns, rows):  # type: ignore[no-untyped-def]
    """``runtime.outer_sum`` of lists of vectors, for numba: one outer product after another (of one shape)."""
    total = numpy.outer(columns[0], rows[0])
    for k in range(1, len(columns)):
        column, row = columns[k], rows[k]
        if column.shape[0] != total.shape[0] or row.shape[0] != total.shape[1]:
            raise ValueError("outer_sum: vectors of different lengths")
        for i in range(total.shape[0]):
            for j in range(total.shape[1]):
                total[i, j] += column[i] * row[j]
    return total


def _twin(value: Any) -> Any:
    """The numba twin of a runtime helper; anything else as it is."""
    return next((twin for helper, twin in _twins().items() if helper is value), value)  # by identity: any value
