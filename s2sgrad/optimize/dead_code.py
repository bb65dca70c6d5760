"""Dead code elimination: drop assignments whose values are never read.

After this pass every assignment's target is read later (by another
statement or the return), and no ``if`` or ``for`` is left with nothing to
do. Liveness flows around loops to a fixpoint. Side-effect statements
(``print``, ``assert``, stack pushes and pops, ``break``) stay.
"""

from typing import List, Set, Tuple

import gast

from ..context import Context
from ..nodes import names_read, reads_of, writes_of


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    tree.body, _ = _sweep(tree.body, set(), keep=True)
    return tree


def _sweep(stmts: List[gast.stmt], live_after: Set[str], keep: bool) -> Tuple[List[gast.stmt], Set[str]]:
    """The block without dead statements (when ``keep``), and what is live before it."""
    live = set(live_after)
    kept: List[gast.stmt] = []
    for stmt in reversed(stmts):
        if isinstance(stmt, gast.If):
            body, live_body = _sweep(stmt.body, live, keep)
            orelse, live_orelse = _sweep(stmt.orelse, live, keep)
            if not body and not orelse:
                continue
            if keep:
                stmt.body, stmt.orelse = body, orelse
            live = live_body | live_orelse | set(names_read(stmt.test))
        elif isinstance(stmt, (gast.For, gast.While)):
            body, live = _loop(stmt, live, keep)
            if not body:
                continue
        elif _is_dead(stmt, live):
            continue
        else:
            live -= _killed(stmt)
            live |= reads_of(stmt)
        kept.append(stmt)
    return kept[::-1], live


def _loop(loop: gast.stmt, live_after: Set[str], keep: bool) -> Tuple[List[gast.stmt], Set[str]]:
    """The loop's body without dead statements, and what is live before the loop."""
    header = set(names_read(loop.iter if isinstance(loop, gast.For) else loop.test))
    top = live_after | header
    while True:
        _, live_body = _sweep(loop.body, top, keep=False)
        joined = top | live_body
        if joined == top:
            break
        top = joined
    body, _ = _sweep(loop.body, top, keep)
    if keep:
        loop.body = body
    return body, top


def _is_dead(stmt: gast.stmt, live: Set[str]) -> bool:
    if isinstance(stmt, gast.Assign):
        return not _is_pop(stmt) and not writes_of(stmt) & live
    if isinstance(stmt, gast.AugAssign):
        return not writes_of(stmt) & live
    return False


def _killed(stmt: gast.stmt) -> Set[str]:
    """Names whose previous value the statement overwrites entirely."""
    if isinstance(stmt, gast.Assign) and all(isinstance(t, gast.Name) for t in stmt.targets):
        return {n.id for t in stmt.targets for n in gast.walk(t) if isinstance(n, gast.Name)}
    return set()


def _is_pop(stmt: gast.Assign) -> bool:
    value = stmt.value
    return isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and value.func.attr == "pop"
