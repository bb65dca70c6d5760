"""``grad(f, debug_nans=True)``: stop at the first statement whose result is not finite.

Generated code runs under a trace function (``sys.settrace``, this thread
only) that looks at every statement of every generated function it enters —
the gradient, the gradients of the functions it calls, forward and reverse
sweep alike. Before a statement runs, its operands are noted; after it, its
results (the names it assigns, or the value returned) are checked. The first
NaN or infinity raises :class:`NonFiniteError` naming the user's statement
(from the source map), the sweep, the generated statement, and a summary of
each operand (shape, min and max). Only generated code is traced, so a
function the forward sweep calls as it is (not differentiated) shows up as the
statement that called it. Tracing makes the gradient many times slower: it
is for finding a NaN, not for every run.

Coverage cannot measure this module's functions: they run inside the trace
hook (``run_checked`` in the frame that replaces coverage's own tracer),
where coverage sees no line (its C tracer on Python 3.11, sys.monitoring on
3.12 alike). Each is marked ``pragma: no cover (traced)`` for that reason;
tests/test_debug_nans.py checks what they report.
"""

import ast
import sys
from dataclasses import dataclass
from types import FrameType
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy

from ..source_map import GENERATED_PREFIX, Origin, lookup, user_origin
from .tracebacks import OWN_FRAME


class NonFiniteError(FloatingPointError):
    """A statement of generated code made a NaN or an infinity; the message says which and from what."""

    def __init__(
        self, message: str, origin: Optional[Origin], frame: Optional[FrameType] = None
    ) -> None:  # pragma: no cover (traced)
        super().__init__(message)
        self.origin = origin  # the user's statement, if known
        setattr(self, OWN_FRAME, frame)  # raised at the next line of this frame: its own note would name that


@dataclass(frozen=True)
class _Statement:
    """A statement of generated code: what it assigns and what it reads."""

    text: str
    targets: Tuple[str, ...]  # the names whose values are its results; () for a return
    operands: Tuple[str, ...]
    is_return: bool


def run_checked(function: Callable, args: Sequence[Any]) -> Any:  # pragma: no cover (traced)
    """``function(*args)``, raising :class:`NonFiniteError` at the first non-finite result of generated code."""
    previous = sys.gettrace()
    sys.settrace(_enter)
    try:
        return function(*args)
    finally:
        sys.settrace(previous)


def _enter(frame: FrameType, event: str, arg: Any) -> Optional[Callable]:  # pragma: no cover (traced)
    """The global trace function: a statement watcher for each generated frame, nothing for other code."""
    filename = frame.f_code.co_filename
    if event != "call" or not filename.startswith(GENERATED_PREFIX):
        return None
    statements = _statements(filename)
    return _Watcher(filename, statements).trace if statements else None


class _Watcher:  # pragma: no cover (traced)
    """Follows one generated frame: notes a statement's operands before it, checks its results after it."""

    def __init__(self, filename: str, statements: Dict[int, _Statement]) -> None:
        self.filename, self.statements = filename, statements
        self.pending: Optional[Tuple[int, _Statement, Dict[str, Any]]] = None

    def trace(self, frame: FrameType, event: str, arg: Any) -> Callable:
        if event == "exception":
            self.pending = None
        elif event in ("line", "return") and self.pending is not None:
            line, statement, operands = self.pending
            self.pending = None
            results = {"the returned value": arg} if statement.is_return else _values(frame, statement.targets)
            bad = next(((n, v) for n, v in results.items() if not _finite(v)), None)
            if bad is not None:
                raise NonFiniteError(self._report(frame, line, statement, operands, bad), self._origin(line), frame)
        if event == "line":
            statement = self.statements.get(frame.f_lineno)
            if statement is not None:
                self.pending = (frame.f_lineno, statement, _noted(frame, statement))
        return self.trace

    def _origin(self, line: int) -> Optional[Origin]:
        return user_origin(self.filename, line)

    def _report(
        self, frame: FrameType, line: int, statement: _Statement, operands: Dict[str, Any], bad: Tuple[str, Any]
    ) -> str:
        origin = self._origin(line)
        name, value = bad
        lines = [f"debug_nans: the first value that is not finite is {name} = {_summary(value)}"]
        if origin is not None:
            lines += [
                _MADE.get(origin.sweep, _MADE[""]),
                f'  File "{origin.filename}", line {origin.line}, in {origin.function}',
                f"    {origin.text}",
            ]
        lines.append(f"generated code ({frame.f_code.co_name}, line {line}): {statement.text}")
        lines += [f"  {n} = {_summary(v)}" for n, v in operands.items()]
        return "\n".join(lines)


_MADE = {
    "forward": "made in the forward sweep, by",
    "reverse": "made in the reverse sweep, differentiating",
    "": "made by the code generated from",
}


def _values(frame: FrameType, names: Tuple[str, ...]) -> Dict[str, Any]:  # pragma: no cover (traced)
    scope = frame.f_locals
    return {n: scope[n] for n in names if n in scope}


def _noted(frame: FrameType, statement: _Statement) -> Dict[str, Any]:  # pragma: no cover (traced)
    """The operands' values before the statement runs: copies of arrays it may change in place."""
    values = _values(frame, statement.operands)
    return {n: v.copy() if n in statement.targets and isinstance(v, numpy.ndarray) else v for n, v in values.items()}


def _finite(value: Any) -> bool:  # pragma: no cover (traced)
    if isinstance(value, (float, complex, numpy.floating, numpy.complexfloating)):
        return bool(numpy.isfinite(value))
    if isinstance(value, numpy.ndarray):
        return value.dtype.kind not in "fc" or bool(numpy.isfinite(value).all())
    if isinstance(value, (tuple, list)):
        return all(_finite(v) for v in value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    return True


def _summary(value: Any) -> str:  # pragma: no cover (traced)
    """``0.0``, or ``array (3,) float64, min 0, max 2, 1 nan`` (min and max of the finite elements)."""
    if not isinstance(value, numpy.ndarray) or value.ndim == 0 or value.dtype.kind not in "fciub":
        return repr(value) if len(repr(value)) <= 80 else f"{type(value).__name__} {repr(value)[:70]}..."
    parts = [f"array {value.shape} {value.dtype}"]
    finite = value[numpy.isfinite(value)] if value.dtype.kind in "fc" else value
    if finite.size and value.dtype.kind != "c":
        parts.append(f"min {finite.min():.6g}, max {finite.max():.6g}")
    if value.dtype.kind in "fc":
        nans, infs = int(numpy.isnan(value).sum()), int(numpy.isinf(value).sum())
        parts += [f"{count} {what}" for count, what in ((nans, "nan"), (infs, "inf")) if count]
    return ", ".join(parts)


_PARSED: Dict[str, Dict[int, _Statement]] = {}


def _statements(filename: str) -> Dict[int, _Statement]:  # pragma: no cover (traced)
    """The assignments and returns of a generated text, by line (parsed once per text)."""
    if filename not in _PARSED:
        source_map = lookup(filename)
        _PARSED[filename] = _parsed(source_map.text) if source_map else {}
    return _PARSED[filename]


def _parsed(text: str) -> Dict[int, _Statement]:  # pragma: no cover (traced)
    lines = text.splitlines()
    found: Dict[int, _Statement] = {}
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return)) and node.value is not None:
            targets = () if isinstance(node, ast.Return) else _stored(node)
            operands = _loaded(node.value) + (targets if isinstance(node, ast.AugAssign) else ())
            text_line = lines[node.lineno - 1].strip()
            found[node.lineno] = _Statement(
                text_line, targets, tuple(dict.fromkeys(operands)), isinstance(node, ast.Return)
            )
    return found


def _stored(node: ast.stmt) -> Tuple[str, ...]:  # pragma: no cover (traced)
    """The names an assignment gives values to (the array, for an element write ``y[i] = v``)."""
    targets: List[ast.expr] = node.targets if isinstance(node, ast.Assign) else [node.target]
    return tuple(dict.fromkeys(name for target in targets for name in _names_of(target)))


def _names_of(target: ast.expr) -> Iterator[str]:  # pragma: no cover (traced)
    if isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _names_of(element)
        return
    if isinstance(target, ast.Starred):
        target = target.value
    while isinstance(target, (ast.Subscript, ast.Attribute)):
        target = target.value
    if isinstance(target, ast.Name):
        yield target.id


def _loaded(expression: ast.expr) -> Tuple[str, ...]:  # pragma: no cover (traced)
    """The names an expression reads, except those called (functions) and those whose attribute it reads."""
    skipped = {id(n.func) for n in ast.walk(expression) if isinstance(n, ast.Call)}
    skipped |= {id(n.value) for n in ast.walk(expression) if isinstance(n, ast.Attribute)}
    return tuple(
        n.id
        for n in ast.walk(expression)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and id(n) not in skipped
    )
