"""Dead code elimination: drop assignments whose values are never read.

After this pass every assignment's target is read later (by another
statement or the return), and no ``if`` or ``for`` is left with nothing to
do. Liveness flows around loops to a fixpoint. Side-effect statements
(``print``, ``assert``, stack pushes and pops, ``break``) stay, and so do
random draws and calls of the user's functions that run or draw (analyze.effects).
"""

import functools
from typing import Callable, Dict, List, Set, Tuple

import gast

from ..analyze.calls import is_user_function
from ..analyze.effects import draws, effect_statement
from ..context import Context
from ..nodes import SCOPE, names_read, reads_of, walk, writes_of


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    has_effect = functools.partial(_calls_for_effect, ctx, {})
    tree.body, _ = _sweep(tree.body, set(), True, has_effect)
    return tree


def _calls_for_effect(ctx: Context, known: Dict[int, bool], stmt: gast.stmt) -> bool:
    """``t = helper(x)`` where the helper prints (or runs another call for its effect), ``r = np.random.rand()``."""
    value = getattr(stmt, "value", None)
    if not isinstance(value, gast.Call):
        return False
    func = ctx.resolve(value.func)
    if id(func) not in known:
        is_user = functools.partial(is_user_function, ctx=ctx)
        known[id(func)] = draws(func) or (is_user(func) and bool(effect_statement(func, is_user)))
    return known[id(func)]


Effect = Callable[[gast.stmt], bool]


def _sweep(
    stmts: List[gast.stmt], live_after: Set[str], keep: bool, has_effect: Effect
) -> Tuple[List[gast.stmt], Set[str]]:
    """The block without dead statements (when ``keep``), and what is live before it."""
    live = set(live_after)
    kept: List[gast.stmt] = []
    for stmt in reversed(stmts):
        if isinstance(stmt, gast.If):
            # a try block's statements may raise, and which block ran is what the reverse sweep follows
            raising = _may_raise if getattr(stmt, SCOPE, ("",))[0] == "try" else has_effect
            body, live_body = _sweep(stmt.body, live, keep, raising)
            orelse, live_orelse = _sweep(stmt.orelse, live, keep, has_effect)
            if not body and not orelse:
                continue
            if keep:
                stmt.body, stmt.orelse = body, orelse
            live = live_body | live_orelse | set(names_read(stmt.test))
        elif isinstance(stmt, (gast.For, gast.While)):
            body, live = _loop(stmt, live, keep, has_effect)
            if not body:
                continue
        elif _is_dead(stmt, live) and not has_effect(stmt):
            continue
        else:
            live -= _killed(stmt)
            live |= reads_of(stmt)
        kept.append(stmt)
    return kept[::-1], live


def _may_raise(stmt: gast.stmt) -> bool:
    """All but copying a name or a literal (``no_error = True``)."""
    return not (isinstance(stmt, gast.Assign) and isinstance(stmt.value, (gast.Name, gast.Constant)))


def _loop(loop: gast.stmt, live_after: Set[str], keep: bool, has_effect: Effect) -> Tuple[List[gast.stmt], Set[str]]:
    """The loop's body without dead statements, and what is live before the loop."""
    header = set(names_read(loop.iter if isinstance(loop, gast.For) else loop.test))
    top = live_after | header
    while True:
        _, live_body = _sweep(loop.body, top, False, has_effect)
        joined = top | live_body
        if joined == top:
            break
        top = joined
    body, _ = _sweep(loop.body, top, keep, has_effect)
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
        return {n.id for t in stmt.targets for n in walk(t) if isinstance(n, gast.Name)}
    return set()


def _is_pop(stmt: gast.Assign) -> bool:
    value = stmt.value
    return isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and value.func.attr == "pop"
