"""Which names of a generated function may share a buffer, and which statements write into one.

normalize.memory models the user's code, flow-sensitively, before the
transform. A pass that keeps a reference to an array past the statement that
read it (optimize.outer appends it to a list, to use it after the loop) needs
the same question answered on the generated code: may a later statement write
into that array in place? This model answers it conservatively, for the whole
function at once (flow-insensitive: a name stands for every value it ever holds).

Classes. Two names are in one class when one may ever hold the other's object, a
view of its buffer, or a container holding it: ``a = b``, ``v = y[1:]``,
``t = x.T``, ``d = unbroadcast(g, x)`` (a helper may return its argument),
``items.append(v)``, ``v = items.pop()``, ``lst = lst + [v]``. Arithmetic on
arrays, ufuncs and the allocating helpers make new objects and join nothing.
Names of Python numbers (their kinds, or their primal's for an adjoint) hold
no buffer and join nothing. The parameters (which the caller may pass twice),
the globals, and whatever an unknown function returns form one class, ``GLOBAL``.

Writes. ``n += v`` (unless ``n`` holds a number), ``n[i] = v``, ``n.a = v``,
a method of ``n`` other than a list's, a call with ``out=`` or of a NumPy function
that writes into an argument, and any call of an unknown function (a callee's
forward or backward function, a function the user registered a rule for), which
may write into its arguments and the globals, and keep one argument in another:
its arguments join ``GLOBAL``.
"""

from typing import Dict, Iterable, List, Optional, Set

import gast
import numpy

from .. import runtime
from ..context import Context
from ..kinds import Kind
from ..nodes import COMMENT, SCOPE, walk
from ..normalize.memory import IN_PLACE

GLOBAL = "<global>"  # not an identifier: no name of the function collides with it
# Helpers whose result is a new object that holds none of their arguments'.
ALLOCATING = {runtime.zeros_like, runtime.outer_sum, runtime.matmul_lhs, runtime.matmul_rhs}
# Helpers whose result is their first argument, a view of it, a copy of it (of a list: holding its items) or a
# new array: the other arguments are read for their shapes.
FIRST_ARGUMENT = {runtime.unbroadcast, runtime.unreduce, runtime.fresh_copy, runtime.writable_copy}
# Builtins that return a number (or numbers they make), and builtins that return their arguments or items of them;
# neither writes into an argument.
NUMERIC_BUILTINS = {len, range, int, float, bool, isinstance, abs}
READING_BUILTINS = {reversed, zip, enumerate, min, max, list, tuple, sorted}
# Where the functions with derivative rules that the model trusts come from (see _is_library).
LIBRARIES = {"numpy", "scipy", "math", "cmath", "builtins", "_operator", "operator"}
# Methods of a list that change the list, not its items.
LIST_METHODS = {"append", "pop", "extend", "insert", "clear", "remove", "reverse"}


class Sharing:
    """The classes of names that may share a buffer, in one function."""

    def __init__(self, tree: gast.FunctionDef, ctx: Context) -> None:
        self.ctx = ctx
        self._parent: Dict[str, str] = {}
        nodes = walk(tree)
        self.lists = _lists(nodes)
        names = [n for n in nodes if isinstance(n, gast.Name)]
        outside = {n.id for n in names} - {n.id for n in names if not isinstance(n.ctx, gast.Load)}
        self._join(GLOBAL, *outside, *(a.id for a in tree.args.args))
        for node in nodes:
            self._joins_of(node)
            scope = getattr(node, SCOPE, None)
            if scope is not None and scope[0] == "with" and scope[2] is not None:  # ``with m as v``: what m gives
                self._join(GLOBAL, *(n.id for n in walk(scope[2]) if isinstance(n, gast.Name)))

    def class_of(self, names: Iterable[str]) -> Set[str]:
        """The class representatives of ``names``."""
        return {self._find(n) for n in names}

    def is_global(self, name: str) -> bool:
        """Whether ``name`` may hold what the caller, a global or an unknown function holds too."""
        return self._find(name) == self._find(GLOBAL)

    def written(self, node: gast.AST) -> Set[str]:
        """The classes that statements in ``node`` (nested ones included) may write into in place."""
        found: Set[str] = set()
        for child in walk(node):
            if isinstance(child, gast.AugAssign):
                holds_number = isinstance(child.target, gast.Name) and self._is_number(child.target.id)
                found |= set() if holds_number else {_root_of(child.target)}
            elif isinstance(child, gast.Assign):
                for target in child.targets:
                    found |= {_root_of(target)} if isinstance(target, (gast.Subscript, gast.Attribute)) else set()
            elif isinstance(child, gast.Call):
                found |= self._written_by_call(child)
        return self.class_of(found)

    def refs(self, value: gast.expr) -> Set[str]:
        """The names whose objects ``value`` may be, view or hold (``GLOBAL`` for what comes from outside)."""
        if isinstance(value, gast.Name):
            return set() if self._is_number(value.id) else {value.id}
        if isinstance(value, (gast.Constant, gast.UnaryOp, gast.Compare)):
            return set()  # a literal, a new array or a number
        if isinstance(value, gast.BinOp):
            return self._binop_refs(value)
        if isinstance(value, (gast.Subscript, gast.Attribute, gast.Starred)):
            return self.refs(value.value)  # a view, an item, an attribute
        if isinstance(value, (gast.BoolOp, gast.List, gast.Tuple, gast.Set)):
            return self._all_refs(value.values if isinstance(value, gast.BoolOp) else value.elts)
        if isinstance(value, gast.IfExp):
            return self._all_refs([value.body, value.orelse])
        if isinstance(value, gast.Call):
            return self._call_refs(value)
        return {GLOBAL, *(n.id for n in walk(value) if isinstance(n, gast.Name))}  # anything else: all it reads

    # ----- classes -----

    def _find(self, name: str) -> str:
        parent = self._parent.setdefault(name, name)
        while parent != self._parent[parent]:
            parent = self._parent[parent]
        self._parent[name] = parent
        return parent

    def _join(self, first: str, *others: str) -> None:
        for other in others:
            self._parent[self._find(other)] = self._find(first)

    def _joins_of(self, node: gast.AST) -> None:
        """Join what one statement (or a list method's call) makes share."""
        if isinstance(node, gast.Assign):
            refs = self.refs(node.value)
            for target in node.targets:
                self._join_target(target, refs)
        elif isinstance(node, gast.AugAssign) and not self._is_number(getattr(node.target, "id", "")):
            if not self._is_array(getattr(node.target, "id", "")):  # ``lst += [v]`` holds v; an array copies it
                self._join_target(node.target, self.refs(node.value))
        elif isinstance(node, gast.For):
            self._join_target(node.target, self.refs(node.iter))
        elif isinstance(node, gast.Call) and self._list_method(node) in ("append", "extend", "insert"):
            self._join(node.func.value.id, *self._all_refs(node.args))
        elif isinstance(node, gast.Call) and GLOBAL in self._written_by_call(node):
            self._join(GLOBAL, *self._written_by_call(node))  # an unknown call may keep an argument in another

    def _join_target(self, target: gast.expr, refs: Set[str]) -> None:
        """A name target joins ``refs``; ``y[i] = v`` and ``o.a = v`` join them to ``y``, ``o``."""
        if isinstance(target, (gast.Tuple, gast.List)):
            for element in target.elts:
                self._join_target(element, refs)
        elif not (isinstance(target, gast.Name) and self._is_number(target.id)):
            self._join(_root_of(target), *refs)

    # ----- what values refer to -----

    def _all_refs(self, values: Iterable[gast.expr]) -> Set[str]:
        return set().union(*(self.refs(v) for v in values))

    def _binop_refs(self, value: gast.BinOp) -> Set[str]:
        """Arithmetic makes a new object; ``+`` and ``*`` of a list or tuple hold its items."""
        if not isinstance(value.op, (gast.Add, gast.Mult)):
            return set()
        if any(self._is_numeric(operand) for operand in (value.left, value.right)):
            return set()  # with an array or a float, the result is a new array or a number
        return self._all_refs([value.left, value.right])

    def _call_refs(self, value: gast.Call) -> Set[str]:
        func = self.ctx.resolve(value.func)
        arguments = self._all_refs([*value.args, *(k.value for k in value.keywords)])
        if self._list_method(value):
            return self.refs(value.func.value)  # ``items.pop()``: an item
        if _has_out(value, func):
            return arguments
        if func in NUMERIC_BUILTINS or func in ALLOCATING or isinstance(func, numpy.ufunc):  # a new array
            return set()
        if func in FIRST_ARGUMENT and value.args:
            return self.refs(value.args[0])
        if func in READING_BUILTINS or _is_library(func, self.ctx):
            return arguments  # a helper or a NumPy function may return an argument or a view of it
        return arguments | self.refs(value.func) | {GLOBAL}

    def _written_by_call(self, call: gast.Call) -> Set[str]:
        if self._list_method(call) or getattr(call.func, "id", None) == COMMENT:
            return set()
        func = self.ctx.resolve(call.func)
        if func in NUMERIC_BUILTINS or func in READING_BUILTINS:
            return set()
        if _is_library(func, self.ctx) and func not in IN_PLACE and not _has_out(call, func):
            return set()
        return self._all_refs([*call.args, *(k.value for k in call.keywords)]) | self.refs(call.func) | {GLOBAL}

    def _list_method(self, call: gast.Call) -> str:
        """The method's name, for ``items.append(v)`` and the like on a name that only ever holds a list."""
        func = call.func
        is_list = isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and func.value.id in self.lists
        return func.attr if is_list and func.attr in LIST_METHODS else ""

    # ----- kinds -----

    def _kind(self, name: str) -> Kind:
        kinds = self.ctx.kinds
        return kinds.get(name) or kinds.get(self.ctx.primals.get(name, ""), Kind("unknown"))

    def _is_number(self, name: str) -> bool:
        """A name that only holds Python or NumPy numbers: immutable, no buffer to share."""
        kind = self._kind(name)
        return name in self.ctx.scalar_adjoints or kind.tag in ("scalar", "shape") or kind == Kind("integer", 0)

    def _is_array(self, name: str) -> bool:
        return self._kind(name).tag == "array"

    def _is_numeric(self, operand: gast.expr) -> bool:
        """An operand that makes ``+`` and ``*`` arithmetic: an array, a float (not a list or tuple)."""
        if isinstance(operand, gast.Name):
            return self._is_array(operand.id) or self._kind(operand.id).tag == "scalar"
        if isinstance(operand, gast.Constant):
            return isinstance(operand.value, float)
        if isinstance(operand, gast.BinOp):
            return isinstance(operand.op, (gast.Sub, gast.Div, gast.MatMult, gast.Pow)) or any(
                self._is_numeric(o) for o in (operand.left, operand.right)
            )
        if isinstance(operand, gast.Subscript) or (isinstance(operand, gast.Attribute) and operand.attr == "T"):
            return isinstance(operand.value, gast.Name) and self._is_array(operand.value.id)  # ``xs[t]``, ``W.T``
        if isinstance(operand, gast.Call):
            return isinstance(self.ctx.resolve(operand.func), numpy.ufunc)
        return isinstance(operand, gast.UnaryOp)


def _has_out(call: gast.Call, func: object) -> bool:
    """An output array passed: ``out=y``, or a ufunc's positional one (``numpy.tanh(x, y)``)."""
    positional = isinstance(func, numpy.ufunc) and len(call.args) > func.nin
    return positional or any(k.arg == "out" for k in call.keywords)


def _is_library(func: object, ctx: Context) -> bool:
    """A runtime helper, a ufunc, or a NumPy, SciPy, math or builtin function with a derivative rule: it writes into no
    argument (IN_PLACE and outputs aside) and returns no global object. A function the user registered a rule
    for might do either."""
    module = getattr(func, "__module__", None) or ""
    if isinstance(func, numpy.ufunc) or module == runtime.__name__:
        return True
    return func in ctx.rules and module.split(".")[0] in LIBRARIES


def _root_of(target: gast.expr) -> str:
    """The name ``y[i][j]`` or ``o.a[i]`` writes through (``GLOBAL`` for ``f()[i]``)."""
    while isinstance(target, (gast.Subscript, gast.Attribute, gast.Starred)):
        target = target.value
    return target.id if isinstance(target, gast.Name) else GLOBAL


def _lists(nodes: List[gast.AST]) -> Set[str]:
    """Names that only ever hold lists the function made: ``t3_stack = []``, and only lists are assigned to them."""
    assigned: Dict[str, List[Optional[gast.expr]]] = {}
    for node in nodes:
        if isinstance(node, (gast.Assign, gast.AugAssign, gast.For)):
            for target in node.targets if isinstance(node, gast.Assign) else [node.target]:
                value = node.value if isinstance(node, gast.Assign) and isinstance(target, gast.Name) else None
                for stored in walk(target):
                    if isinstance(stored, gast.Name) and isinstance(stored.ctx, gast.Store):
                        assigned.setdefault(stored.id, []).append(value)
    return {n for n, values in assigned.items() if all(isinstance(v, gast.List) for v in values)}
