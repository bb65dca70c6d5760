"""``f(*xs)`` and ``f(**options)``: the arguments one by one, where their number (their keys) is known.

Later stages bind a call's arguments to parameters node by node (a rule's, a
called function's), so a starred argument is written out here, when the
compiler can tell how many values it holds: a ``*args`` parameter (its length
is part of what the code is specialized on, like a kind), a tuple or list
written out, ``list(xs)``, ``tuple(xs)``, a slice of one with constant
bounds, a sum of those, and a name every assignment gives the same length. A
list (dict) keeps its length (keys) only if nothing may change them: it is
read by index, written by index (a dict: at a key it has), unpacked with
``*``, copied by ``list``/``tuple``/``dict`` or measured by ``len``, and
nothing else. ``**kwargs`` likewise: a ``**kwargs`` parameter, a dict written
out with string keys, or a name of one. Starred items of a tuple or list
display are written out the same way. What stays starred is rejected by
normalize.anf where it is differentiated (an opaque ``print(*xs)`` runs as written).

    before                                   after (called with three arguments)
    def f(*args):                            def f(args):
        return g(h(args[0]), *args[1:])          return g(h(args[0]), args[1], args[2])
"""

import builtins
from typing import Dict, List, NamedTuple, Optional, Set, Tuple, Union

import gast

from ..context import Context
from ..kinds import Kind
from ..nodes import const, constant_value, located, name, walk
from ..parse.resolve import MISSING

Shape = Union[int, Tuple[str, ...]]  # a sequence's length, or a dict's keys
COPIES = {builtins.list: False, builtins.tuple: True, builtins.dict: False}  # whether the copy is immutable
UNKNOWN_LENGTH = "unpacking with * a value whose length the compiler cannot tell is not supported"
HINT = (
    "pass the arguments one by one, or unpack a value whose length the compiler can tell: "
    "a *args parameter, a tuple or list written out, or a slice of one with constant bounds."
)
UNKNOWN_KEYS = "unpacking with ** a dict whose keys the compiler cannot tell is not supported"
KEYWORDS_HINT = "pass the keywords one by one, or unpack a **kwargs parameter or a dict written out with string keys."


class _Known(NamedTuple):
    shape: Shape
    immutable: bool  # a tuple: no statement can change its length


_PENDING = _Known(-1, True)  # a name not all of whose assignments are known yet (the fixpoint below)


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    shapes = _Shapes(tree, ctx)
    for node in walk(tree):
        if isinstance(node, gast.Call):
            node.args = shapes.written_out(node.args)
            node.keywords = shapes.keywords_written_out(node.keywords)
        elif isinstance(node, (gast.Tuple, gast.List)) and isinstance(node.ctx, gast.Load):
            node.elts = shapes.written_out(node.elts)
    return tree


class _Shapes:
    """The length (keys) of each name that holds one length (one set of keys) wherever it is read."""

    def __init__(self, tree: gast.FunctionDef, ctx: Context) -> None:
        self.ctx = ctx
        self.bindings: Dict[str, List[Optional[gast.expr]]] = {}  # None: bound by something unknown
        self.parameters: Dict[str, Optional[_Known]] = {}
        for param in tree.args.args:
            kind = ctx.param_kinds.get(param.id)
            self.parameters[param.id] = None if kind is None or kind.items is None else _gathered(kind)
        nodes = [node for stmt in tree.body for node in walk(stmt)]
        assigned = set()
        for node in nodes:
            if isinstance(node, gast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], gast.Name):
                self.bindings.setdefault(node.targets[0].id, []).append(node.value)
                assigned.add(id(node.targets[0]))
        for node in nodes:  # a loop variable, an unpacked value: bound to something unknown
            if isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load) and id(node) not in assigned:
                self.bindings.setdefault(node.id, []).append(None)
        self.known = self._solve()
        for identifier in self._changeable(nodes):  # a list or dict used otherwise may change
            known = self.known.get(identifier)
            if known is not None and not known.immutable:
                self.known[identifier] = None

    def _changeable(self, nodes: List[gast.AST]) -> Set[str]:
        """The names read somewhere in a way that may change their length (keys)."""
        keeping: Set[int] = set()  # the Name nodes read in a way that keeps it
        for node in nodes:
            keeping.update(id(n) for n in self._reads_keeping_shape(node))
        return {
            n.id for n in nodes if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) and id(n) not in keeping
        }

    def _reads_keeping_shape(self, node: gast.AST) -> List[gast.Name]:
        """The names ``node`` reads in a way that keeps their length (keys)."""
        is_read = isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name)
        if is_read and (isinstance(node.ctx, gast.Load) or self._write_keeps_shape(node)):
            return [node.value]
        if isinstance(node, gast.Starred) and isinstance(node.value, gast.Name):
            return [node.value]
        if isinstance(node, gast.keyword) and node.arg is None and isinstance(node.value, gast.Name):
            return [node.value]
        if isinstance(node, gast.Call) and (_copy_of(node, self.ctx) or self.ctx.resolve(node.func) is builtins.len):
            return [a for a in node.args if isinstance(a, gast.Name)]
        return []

    def _write_keeps_shape(self, node: gast.Subscript) -> bool:
        """``xs[i] = v`` keeps a list's length; ``d[key] = v`` a dict's keys if it has ``key``."""
        if isinstance(node.slice, gast.Slice):
            return False
        known = self.known.get(node.value.id)
        return known is None or isinstance(known.shape, int) or constant_value(node.slice) in known.shape

    def _solve(self) -> Dict[str, Optional[_Known]]:
        """Each name's shape: the one every assignment gives it, found at a fixpoint (None: not one)."""
        known: Dict[str, Optional[_Known]] = {n: _PENDING for n in {*self.bindings, *self.parameters}}
        while True:
            before = dict(known)
            for identifier in known:
                found = [self.parameters[identifier]] if identifier in self.parameters else []
                found += [None if v is None else self.of(v, known) for v in self.bindings.get(identifier, [])]
                settled = [f for f in found if f is not _PENDING]
                if None in settled or len({f.shape for f in settled}) > 1:
                    known[identifier] = None
                elif settled:
                    known[identifier] = _Known(settled[0].shape, all(f.immutable for f in settled))
            if known == before:
                return {n: (None if k is _PENDING else k) for n, k in known.items()}

    def of(self, node: gast.expr, known: Dict[str, Optional[_Known]]) -> Optional[_Known]:
        """What ``node`` evaluates to holds: None if not known, _PENDING if not yet."""
        if isinstance(node, gast.Name):
            return known.get(node.id)
        if isinstance(node, (gast.Tuple, gast.List)):
            parts = [self.of(e.value, known) if isinstance(e, gast.Starred) else _Known(1, True) for e in node.elts]
            return _joined(parts, isinstance(node, gast.Tuple))
        if isinstance(node, gast.Dict):
            keys = tuple(constant_value(k) for k in node.keys)
            return _Known(keys, False) if all(isinstance(k, str) for k in keys) else None
        if isinstance(node, gast.Subscript):
            indices = self.slice_indices(node, known)
            return (
                indices if indices in (None, _PENDING) else _Known(len(indices), self.of(node.value, known).immutable)
            )
        copied = _copy_of(node, self.ctx)
        if copied is not None:
            inner = self.of(node.args[0], known)
            if inner is None or inner is _PENDING:
                return inner
            return None if isinstance(inner.shape, int) == (copied is dict) else _Known(inner.shape, COPIES[copied])
        if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Add):  # (a, b) + rest
            parts = [self.of(node.left, known), self.of(node.right, known)]
            immutable = {p.immutable for p in parts if p is not None}
            return _joined(parts, immutable == {True}) if len(immutable) == 1 else None
        return None

    def slice_indices(self, node: gast.Subscript, known: Dict[str, Optional[_Known]]) -> object:
        """The indices ``xs[1:]`` reads, ``range(len(xs))[1:]`` (constant bounds); None if unknown, or _PENDING."""
        base = self.of(node.value, known)
        bounds = node.slice
        if base in (None, _PENDING) or not isinstance(base.shape, int) or not isinstance(bounds, gast.Slice):
            return None if base is not _PENDING else _PENDING
        # a bound left out is None; a bound that is not a literal (xs[:k]) is MISSING: its length is unknown
        parts = [
            constant_value(b, MISSING) if b is not None else None for b in (bounds.lower, bounds.upper, bounds.step)
        ]
        if not all(p is None or type(p) is int for p in parts) or parts[2] == 0:
            return None
        return range(base.shape)[slice(*parts)]

    # ----- writing starred arguments out -----

    def written_out(self, items: List[gast.expr]) -> List[gast.expr]:
        """A call's arguments (a display's items) with each ``*xs`` written out as ``xs[0], xs[1], ...``."""
        out: List[gast.expr] = []
        for item in items:
            elements = self.elements(item.value, item) if isinstance(item, gast.Starred) else None
            out += [item] if elements is None else elements  # one left starred: normalize.anf rejects it
        return out

    def elements(self, node: gast.expr, starred: gast.Starred) -> Optional[List[gast.expr]]:
        """What ``*node`` passes, one by one; None if the compiler cannot tell how many."""
        if isinstance(node, (gast.Tuple, gast.List)):
            return self.written_out(node.elts)
        if _copy_of(node, self.ctx) in (builtins.list, builtins.tuple):
            return self.elements(node.args[0], starred)  # *list(xs) passes what *xs does
        if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Add):  # *(xs + (a,)): xs's, then a
            left, right = self.elements(node.left, starred), self.elements(node.right, starred)
            return None if left is None or right is None else left + right
        indices, base = None, node
        if isinstance(node, gast.Subscript):
            indices, base = self.slice_indices(node, self.known), node.value
        elif isinstance(node, gast.Name) and self.known.get(node.id) is not None:
            shape = self.known[node.id].shape
            indices = range(shape) if isinstance(shape, int) else None
        if indices is None or not isinstance(base, gast.Name):
            return None
        return [_item(base.id, i, starred) for i in indices]

    def keywords_written_out(self, keywords: List[gast.keyword]) -> List[gast.keyword]:
        """A call's keywords with each ``**options`` written out as ``a=options["a"], ...``."""
        out: List[gast.keyword] = []
        for keyword in keywords:
            value = keyword.value
            known = self.known.get(value.id) if isinstance(value, gast.Name) else None
            if keyword.arg is not None:
                out.append(keyword)
            elif isinstance(value, gast.Dict) and all(isinstance(constant_value(k), str) for k in value.keys):
                out += [gast.keyword(arg=constant_value(k), value=v) for k, v in zip(value.keys, value.values)]
            elif known is not None and isinstance(known.shape, tuple):
                out += [gast.keyword(arg=k, value=_item(value.id, k, value)) for k in known.shape]
            else:
                out.append(keyword)  # left as written: normalize.anf rejects it where it is differentiated
        return out


def _gathered(kind: Kind) -> _Known:
    """What a ``*args`` parameter gathers: its length; what a ``**kwargs`` one gathers: its keys."""
    keys = tuple(key for key, _ in kind.items)
    return _Known(keys, False) if kind.tag == "dict" else _Known(len(keys), True)


def _joined(parts: List[Optional[_Known]], immutable: bool) -> Optional[_Known]:
    """A display of these parts (or their sum): as long as they are together."""
    if None in parts or any(not isinstance(p.shape, int) for p in parts):
        return None
    return _PENDING if _PENDING in parts else _Known(sum(p.shape for p in parts), immutable)


def _copy_of(node: gast.AST, ctx: Context) -> Optional[type]:
    """``list``, ``tuple`` or ``dict`` for a call ``list(xs)`` (and so on) of one argument, else None."""
    if not isinstance(node, gast.Call) or len(node.args) != 1 or node.keywords:
        return None
    func = ctx.resolve(node.func)
    return next((c for c in COPIES if func is c), None)


def _item(identifier: str, index: Union[int, str], where: gast.AST) -> gast.Subscript:
    return located(gast.Subscript(value=name(identifier), slice=const(index), ctx=gast.Load()), where)
