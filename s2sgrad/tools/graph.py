"""``s2sgrad.graph(f, *args)``: the computational graph at a point, with forward values and adjoints.

The graph is read from the unoptimized gradient, which keeps one operation per
assignment (the core language): each assignment of its forward sweep is a
node, an edge runs from the node (or argument) that last assigned each name
the operation reads, and the last node is the function's output. The gradient
runs once, traced, and each node is annotated with the value of its name and
of its adjoint ``d_<name>`` when the gradient returns: exact for straight-line
code. A node inside a loop shows the value its last iteration left and the
adjoint the reverse loop left (that of the first iteration); a node in a branch
shows what its name holds at the end. Such nodes say so.

DOT text (``format="dot"``) for Graphviz, or SVG (``format="svg"``) laid out and
drawn here: no Graphviz binary is needed.
"""

import sys
from collections import Counter
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

import gast
import numpy

from .. import api
from ..emit import unparse_tree
from ..kinds import kind_of
from ..pipeline import compile_reverse
from ..source_map import lookup
from ..transform.reverse import ReverseOptions
from . import svg


@dataclass
class Node:
    """An argument, an operation or the output, with its value and adjoint at the point."""

    key: str
    label: str  # ``t0 = x ** 2``, ``x``, or ``f(x, y)``
    value: Any
    adjoint: Any = None  # None: not differentiated (or not reached)
    note: str = ""  # why value and adjoint are not those of a single evaluation
    kind: str = "operation"  # "argument", "operation" or "output"

    def lines(self) -> List[str]:
        lines = [self.label, f"value {format_value(self.value)}"]
        if self.adjoint is not None:
            lines.append(f"adjoint {format_value(self.adjoint)}")
        if self.note:
            lines.append(f"({self.note})")
        return lines


@dataclass
class Graph:
    name: str
    nodes: List[Node] = field(default_factory=list)
    edges: List[Tuple[str, str, str]] = field(default_factory=list)  # (from key, to key, the name carried)

    def to_dot(self) -> str:
        out = [f'digraph "{self.name}" {{', "  node [shape=box, style=rounded];"]
        for node in self.nodes:
            shape = {"argument": "ellipse", "output": "doubleoctagon"}.get(node.kind, "box")
            label = "\\n".join(_dot_escape(line) for line in node.lines())
            out.append(f'  "{node.key}" [label="{label}", shape={shape}];')
        out += [f'  "{a}" -> "{b}" [label="{_dot_escape(name)}"];' for a, b, name in self.edges]
        return "\n".join([*out, "}"]) + "\n"

    def to_svg(self) -> str:
        return svg.draw(
            [(n.key, n.lines(), n.kind) for n in self.nodes], self.edges, title=f"{self.name}: computational graph"
        )


def graph(func: Callable, *args: Any, wrt: Optional[api.Wrt] = None, format: str = "svg") -> str:
    """The computational graph of ``func`` at ``args``, as SVG (default) or DOT text.

    Args:
        wrt: the arguments whose adjoints flow (positions or names); default every float argument.
        format: ``"svg"`` (drawn here, no Graphviz needed) or ``"dot"``.
    """
    if format not in ("svg", "dot"):
        raise ValueError(f"format must be 'svg' or 'dot', not {format!r}")
    built = build(func, args, wrt)
    return built.to_svg() if format == "svg" else built.to_dot()


def build(func: Callable, args: Tuple[Any, ...], wrt: Optional[api.Wrt] = None) -> Graph:
    """The graph of ``func`` at ``args`` (see the module's docstring)."""
    target = api._target(func)
    full = target.bind(tuple(args), {})
    parameters = api._parameters(target.function)
    if wrt is None:
        wrt = tuple(i for i, a in enumerate(args) if kind_of(a).is_float)
        if not wrt:
            raise TypeError(f"graph of {target.function.__name__!r}: no argument is a float or a float array")
    names, _ = api._wrt_names(target.function, wrt if isinstance(wrt, (tuple, list)) else (wrt,))
    kinds = api._kinds_from_args(target.function, full)
    api._check_wrt_kinds(target.function, names, kinds)
    options = ReverseOptions(with_value=True, tuple_wrt=True)
    generated = compile_reverse(target.function, names, kinds, options, do_optimize=False).function
    statements = _forward_statements(generated)
    values, adjoints, (value, gradients) = _run_traced(generated, full, {s.line: s.name for s in statements})

    result = Graph(target.function.__name__)
    defined: Dict[str, str] = {}  # name -> key of the node that last assigned it
    for name, arg in zip(parameters, full):
        adjoint = gradients[names.index(name)] if name in names else None
        result.nodes.append(Node(name, name, arg, adjoint, kind="argument"))
        defined[name] = name
    assignments = Counter(s.name for s in statements)
    for i, statement in enumerate(statements):
        key = f"n{i}"
        # d_<name> when the gradient returns is this node's adjoint only if nothing else assigns the name
        single = assignments[statement.name] == 1 and not statement.block
        adjoint = adjoints.get(f"d_{statement.name}") if single else None
        note = statement.block or ("" if single else "its name is assigned again: adjoint not shown")
        label = f"{statement.name} = {statement.expression}"
        result.nodes.append(Node(key, label, values.get(statement.line), adjoint, note))
        result.edges += [(defined[r], key, r) for r in statement.reads if r in defined]
        defined[statement.name] = key
    output = f"{result.name}({', '.join(parameters)})"
    seed = adjoints.get(generated.__code__.co_varnames[generated.__code__.co_argcount - 1])
    result.nodes.append(Node("out", output, value, seed, kind="output"))
    if statements:
        result.edges.append((defined[statements[-1].name], "out", statements[-1].name))
    return result


class _Statement(NamedTuple):
    """An assignment of the forward sweep: ``name = expression``."""

    line: int  # in the generated text
    name: str
    expression: str
    reads: List[str]
    block: str  # "" at the top level, else why its value is one of several


def _run_traced(
    generated: Callable, args: tuple, assigned: Dict[int, str]
) -> Tuple[Dict[int, Any], Dict[str, Any], Any]:
    """Run the gradient; the value each line of ``assigned`` gave its name (the last time it ran), the local
    variables when the gradient returns, and what it returns."""
    values: Dict[int, Any] = {}
    final: Dict[str, Any] = {}
    pending: List[int] = []  # the assignment that has just run: read its name at the next event

    # The two trace functions run inside sys.settrace, where coverage sees no line (as in tools/nans.py);
    # tests/test_graph.py checks every value they record.
    def local(frame: FrameType, event: str, arg: Any) -> Callable:  # pragma: no cover (inside sys.settrace)
        if pending and event in ("line", "return"):
            line = pending.pop()
            values[line] = frame.f_locals.get(assigned[line])
        if event == "line" and frame.f_lineno in assigned:
            pending.append(frame.f_lineno)
        if event == "return":
            final.update(frame.f_locals)
        return local

    def enter(frame: FrameType, event: str, arg: Any) -> Optional[Callable]:  # pragma: no cover (as local)
        return local if frame.f_code is generated.__code__ and not final else None

    previous = sys.gettrace()
    sys.settrace(enter)
    try:
        returned = generated(*args)
    finally:
        sys.settrace(previous)
    return values, final, returned


def _forward_statements(generated: Callable) -> List[_Statement]:
    """Each assignment of a name in the forward sweep, in order."""
    source_map = lookup(generated.__code__.co_filename)
    tree = gast.parse(source_map.text)
    definition = next(n for n in gast.walk(tree) if isinstance(n, gast.FunctionDef) and n.name == generated.__name__)
    found: List[_Statement] = []

    def visit(body: List[gast.stmt], block: str) -> None:
        for stmt in body:
            origin = source_map.origin(stmt.lineno)
            if origin is not None and origin.sweep == "reverse":
                return
            if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name):
                if not isinstance(stmt.value, gast.List):  # a stack made for the reverse sweep
                    text = unparse_tree(stmt.value).strip()
                    found.append(_Statement(stmt.lineno, stmt.targets[0].id, text, _reads(stmt.value), block))
            elif isinstance(stmt, (gast.For, gast.While)):
                visit(stmt.body, "in a loop: the value of its last iteration; adjoints differ per iteration")
            elif isinstance(stmt, gast.If):
                visit(stmt.body + stmt.orelse, block or "in a branch: the value if it ran")

    visit(definition.body, "")
    return found


def _reads(expression: gast.expr) -> List[str]:
    called = {id(n.func) for n in gast.walk(expression) if isinstance(n, gast.Call)}
    names = [n.id for n in gast.walk(expression) if isinstance(n, gast.Name) and id(n) not in called]
    return list(dict.fromkeys(names))


def format_value(value: Any) -> str:
    """``4``, ``0.25``, ``[1 2.5]`` for up to 4 elements, else ``array (10, 3), min -1.2, max 3``."""
    if isinstance(value, (bool, int, float, numpy.number)):
        return f"{float(value):.6g}" if isinstance(value, (float, numpy.floating)) else str(value)
    if isinstance(value, numpy.ndarray) and value.size <= 4:
        return numpy.array2string(value, precision=4, separator=" ")
    if isinstance(value, numpy.ndarray) and value.dtype.kind in "iuf":
        return f"array {value.shape}, min {value.min():.4g}, max {value.max():.4g}"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
