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
"""

from typing import Dict, FrozenSet, List, Tuple

import gast

from ..context import Context
from ..emit.unparse import unparse_tree
from ..nodes import blocks_of, name, names_read, names_written_in_place, walk, writes_of

PURE = (gast.Subscript, gast.BinOp, gast.UnaryOp, gast.Compare, gast.Slice, gast.Tuple)
LEAVES = (gast.Name, gast.Constant, gast.Load, gast.expr_context, gast.operator, gast.unaryop, gast.cmpop)


Known = Dict[str, Tuple[str, FrozenSet[str]]]  # value text -> (name holding it, names it reads)


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    _block(tree.body, {}, names_written_in_place(tree))
    return tree


def _block(stmts: List[gast.stmt], known: Known, written: "set[str]") -> None:
    """``written``: names whose buffers are written into, which must not come to share one (see nodes)."""
    for stmt in stmts:
        if blocks_of(stmt):
            known = _without(known, writes_of(stmt))
            for block in blocks_of(stmt):
                _block(block, dict(known), written)
            continue
        if not _is_pure_assignment(stmt) or stmt.targets[0].id in written:
            known = _without(known, writes_of(stmt))
            continue
        text, target = unparse_tree(stmt.value), stmt.targets[0].id
        if text in known and known[text][0] != target:
            stmt.value = name(known[text][0])
        known = _without(known, {target})
        operands = frozenset(names_read(stmt.value))
        if not isinstance(stmt.value, gast.Name) and target not in operands | written:
            known[text] = (target, operands)


def _without(known: Known, written: "set[str]") -> Known:
    return {text: (t, reads) for text, (t, reads) in known.items() if t not in written and not reads & written}


def _is_pure_assignment(stmt: gast.stmt) -> bool:
    if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)):
        return False
    value = stmt.value
    return isinstance(value, PURE) and all(isinstance(n, (*PURE, *LEAVES)) for n in walk(value))
