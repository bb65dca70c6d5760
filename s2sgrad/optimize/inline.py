"""Put single-use temporaries back into the expression that uses them.

Normalization gives every operation its own temporary; once the transform is
done, a temporary assigned once and read once, by a later statement of the same
block, with nothing in between changing what it reads, is substituted into that
statement. The forward sweep then reads like the source, and CPython runs
fewer statements. Only pure values move (operators, subscripts, functions with
derivative rules), so no side effect changes place; the user's own names stay.

    before                      after
    t0 = s * x                  s_stack.append(s)
    s_stack.append(s)           s = s * x + i
    s = t0 + i
"""

from typing import Dict, List, Set

import gast

from .. import runtime
from ..analyze.dataflow import live_after
from ..context import Context
from ..emit.unparse import unparse_tree
from ..nodes import blocks_of, comment_text, copy_tree, header_of, names_read, reads_of, walk, writes_of

PURE_BUILTINS = {len, min, max, abs, range, reversed}
MAX_LINE = 88  # characters of a statement after substitution


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    _block(tree.body, live_after(tree), ctx)
    return tree


def _block(stmts: List[gast.stmt], live: Dict[int, Set[str]], ctx: Context) -> None:
    for stmt in stmts:
        for block in blocks_of(stmt):
            _block(block, live, ctx)
    i = 0
    while i < len(stmts):
        stmt = stmts[i]
        if _movable(stmt, ctx) and _substitute_later(stmts, i, live):
            del stmts[i]
            continue
        i += 1


def _movable(stmt: gast.stmt, ctx: Context) -> bool:
    if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)):
        return False
    return stmt.targets[0].id in ctx.namer.temporaries and is_pure(stmt.value, ctx)


def _substitute_later(stmts: List[gast.stmt], index: int, live: Dict[int, Set[str]]) -> bool:
    """Substitute ``stmts[index]``'s value into the statement that reads it, if nothing interferes.

    That statement is the value's only reader: the temporary is dead after it
    (a sweep may set the name again for a use of its own). Values stay in their
    sweep (a forward value is not computed in the reverse sweep), a ``while``
    test is not a place (it is evaluated again on every trip), and a statement
    does not grow past one readable line.
    """
    definition = stmts[index]
    temp, value = definition.targets[0].id, definition.value
    operands = set(names_read(value))
    for later in stmts[index + 1 :]:
        if comment_text(later) is not None:
            return False  # the start of the reverse sweep: a forward value is not computed there
        places = [n for part in header_of(later) for n in walk(part) if _is_read(n, temp)]
        if places:
            if isinstance(later, gast.While) or temp in live[id(later)] or names_read(later).count(temp) > 1:
                return False
            if len(unparse_tree(later)) + len(unparse_tree(value)) - len(temp) > MAX_LINE:
                return False
            places[0].__class__ = _Placeholder  # replaced below; keeps the node's position
            _replace(later, value)
            return True
        if temp in reads_of(later) or writes_of(later) & (operands | {temp}):
            return False  # read inside a nested block, or an operand changes first
    return False


class _Placeholder(gast.Name):
    """Marks the one read being replaced."""


def _replace(stmt: gast.stmt, value: gast.expr) -> None:
    for node in walk(stmt):
        for field, child in gast.iter_fields(node):
            if isinstance(child, _Placeholder):
                setattr(node, field, copy_tree(value))
            elif isinstance(child, list):
                for k, item in enumerate(child):
                    if isinstance(item, _Placeholder):
                        child[k] = copy_tree(value)


def _is_read(node: gast.AST, temp: str) -> bool:
    return isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and node.id == temp


def is_pure(value: gast.expr, ctx: Context) -> bool:
    """Operators, subscripts and calls of functions with derivative rules, helpers or PURE_BUILTINS: no effect."""
    for node in walk(value):
        if isinstance(node, gast.Call):
            func = ctx.resolve(node.func)
            known = func in ctx.rules or getattr(func, "__module__", None) == runtime.__name__
            if not (known or func in PURE_BUILTINS):
                return False
    return True  # no ':=', yield or await: normalization lowers the first and rejects the others
