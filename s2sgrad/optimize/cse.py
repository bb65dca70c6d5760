"""Common subexpressions: a value computed again while its first copy still holds is reused.

Within a block (and into the blocks nested in it), a pure operation on names
and literals — a subscript, arithmetic, a comparison — that an earlier
assignment computed, with neither that assignment's target nor any operand
changed since, becomes a copy of that target (which copy propagation then
removes). The reverse sweep recomputes values such as ``x[i]`` once per use;
this keeps one.

    before              after
    t4 = x[i]           t4 = x[i]
    t9 = x[i]           t9 = t4

Calls of ``math`` functions and NumPy ufuncs count as pure operations too. A
number such a call computed is also reused inside a later expression (the
adjoint of ``sin`` reads ``cos`` of what a recomputed ``t7 = math.cos(E)``
holds): ``d_E += e * d_t4 * math.cos(E)`` becomes ``d_E += e * d_t4 * t7``.
Only numbers, which no statement can change in place; an array stays a new one.
"""

from typing import Dict, FrozenSet, List, Tuple

import gast
import numpy

from ..context import Context
from ..emit.unparse import unparse_tree
from ..kinds import SCALAR
from ..nodes import blocks_of, name, names_read, names_written_in_place, reads_of, walk, writes_of

PURE = (gast.Subscript, gast.BinOp, gast.UnaryOp, gast.Compare, gast.Slice, gast.Tuple)
LEAVES = (gast.Name, gast.Constant, gast.Load, gast.expr_context, gast.operator, gast.unaryop, gast.cmpop)


Known = Dict[str, Tuple[str, FrozenSet[str]]]  # value text -> (name holding it, names it reads)
Inline = Dict[str, Tuple[int, FrozenSet[str]]]  # a pure call's text -> (the statement computing it, names it reads)


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    _block(tree.body, {}, names_written_in_place(tree), ctx)
    return tree


def _block(stmts: List[gast.stmt], known: Known, written: "set[str]", ctx: Context) -> None:
    """``written``: names whose buffers are written into, which must not come to share one (see nodes)."""
    inline: Inline = {}  # the pure calls computed inside expressions of this block
    i = 0
    while i < len(stmts):
        stmt = stmts[i]
        if blocks_of(stmt):
            known = _without(known, writes_of(stmt))
            inline = _unchanged(inline, writes_of(stmt))
            for block in blocks_of(stmt):
                _block(block, dict(known), written, ctx)
            i += 1
            continue
        reuse = _NumbersReused(known, ctx)
        reuse.visit(stmt)
        inline.update((text, (i, operands)) for text, operands in reuse.computed if text not in inline)
        if not is_pure_assignment(stmt, ctx) or stmt.targets[0].id in written:
            known = _without(known, writes_of(stmt))
            inline = _unchanged(inline, writes_of(stmt))
            i += 1
            continue
        text, target = _text(stmt.value, ctx), stmt.targets[0].id
        if text in known and known[text][0] != target:
            stmt.value = name(known[text][0])
        elif text in inline and _movable_before(stmt, stmts, inline[text][0], ctx):
            # computed inline earlier, with nothing changed since: assign it there, and reuse it
            first = inline.pop(text)[0]
            stmts.insert(first, stmts.pop(i))
            _NumbersReused({text: (target, frozenset())}, ctx).visit(stmts[first + 1])
            inline = {t: (at + (at >= first), reads) for t, (at, reads) in inline.items()}  # one place down
        known = _without(known, {target})
        inline = _unchanged(inline, {target})
        operands = frozenset(names_read(stmt.value))
        if not isinstance(stmt.value, gast.Name) and target not in operands | written:
            known[text] = (target, operands)
        i += 1


def _text(value: gast.expr, ctx: Context) -> str:
    """A value's text, a product's or sum's of numbers and arrays with its operands in order (``b * a`` is
    ``a * b``: the same number, the same array); others' as written (``+`` joins lists, strings)."""
    if isinstance(value, gast.BinOp) and isinstance(value.op, (gast.Mult, gast.Add)):
        operands = [value.left, value.right]
        if all(_is_number_or_array(e, ctx) for e in operands):
            left, right = sorted(unparse_tree(e) for e in operands)
            return f"{left} {'*' if isinstance(value.op, gast.Mult) else '+'} {right}"
    return unparse_tree(value)


def _is_number_or_array(node: gast.expr, ctx: Context) -> bool:
    if isinstance(node, gast.Constant):
        return type(node.value) in (int, float)
    if not isinstance(node, gast.Name):
        return False
    kind = ctx.kinds.get(node.id)
    return node.id in ctx.scalar_adjoints or (kind is not None and kind.tag in ("scalar", "integer", "array"))


def _unchanged(inline: Inline, written: "set[str]") -> Inline:
    """The inline computations none of whose operands is in ``written``."""
    return {text: (at, reads) for text, (at, reads) in inline.items() if not reads & written}


def _movable_before(stmt: gast.Assign, stmts: List[gast.stmt], first: int, ctx: Context) -> bool:
    """``target = call`` may run before ``stmts[first]``: a number, whose name nothing from there reads or sets."""
    target = stmt.targets[0].id
    between = stmts[first : stmts.index(stmt)]
    return ctx.kinds.get(target) == SCALAR and not any(target in reads_of(s) | writes_of(s) for s in between)


class _NumbersReused(gast.NodeTransformer):
    """Replaces a pure call inside a statement by the name already holding its value, if that is a number."""

    def __init__(self, known: Known, ctx: Context) -> None:
        self.known, self.ctx = known, ctx
        self.computed: List[Tuple[str, FrozenSet[str]]] = []  # the pure calls left in place, and their operands

    def visit_Assign(self, node: gast.Assign) -> gast.Assign:
        node.value = self.generic_visit(node.value) if isinstance(node.value, gast.Call) else self.visit(node.value)
        return node  # a whole value is left to _block, which also knows what is written in place

    def visit_Call(self, node: gast.Call) -> gast.expr:
        self.generic_visit(node)
        if not _is_pure_call(node, self.ctx):
            return node
        text = unparse_tree(node)
        holder = self.known.get(text, (None,))[0]
        if holder is not None and self.ctx.kinds.get(holder) == SCALAR:
            return name(holder)
        self.computed.append((text, frozenset(names_read(node))))
        return node


def _without(known: Known, written: "set[str]") -> Known:
    return {text: (t, reads) for text, (t, reads) in known.items() if t not in written and not reads & written}


def is_pure_assignment(stmt: gast.stmt, ctx: Context) -> bool:
    """``name = value`` where value is arithmetic, subscripts, comparisons and pure calls of names and literals."""
    if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)):
        return False
    value = stmt.value
    if not isinstance(value, (*PURE, gast.Call)):
        return False
    functions = {id(n.func) for n in walk(value) if isinstance(n, gast.Call) and _is_pure_call(n, ctx)}
    return all(
        isinstance(n, (*PURE, *LEAVES)) or id(n) in functions or (isinstance(n, gast.Call) and id(n.func) in functions)
        for n in walk(value)
    )


def _is_pure_call(node: gast.Call, ctx: Context) -> bool:
    """A call of a ``math`` function or a NumPy ufunc, without keywords: the same arguments, the same value."""
    if node.keywords:
        return False
    func = ctx.resolve(node.func)
    return isinstance(func, numpy.ufunc) or (callable(func) and getattr(func, "__module__", None) == "math")
