"""Make ``break``, ``continue`` and ``return`` structural: every block has one exit.

The reverse sweep mirrors the forward code's structure, so it must be able to
tell from the structure alone which statements ran. Three rewrites get there:

1. ``return`` inside a loop sets a result, raises a flag and leaves the loop;
   after the loop, ``if flag: return result`` (``if flag: break`` in an
   enclosing loop).
2. Statements after a branch that may exit move into the branch's paths that
   fall through (copied when several do), so nothing follows an exit.
3. ``continue`` is then the last statement of its path and is dropped; the
   function's several ``return v`` become ``result = v`` and one final
   ``return result``. ``break`` stays: it ends a branch, and the reverse sweep
   replays only the iterations that ran (their number is recorded).

    before                              after
    for i in range(n):                  for i in range(n):
        if x[i] < 0:                        t = x[i] < 0
            continue                        if t:
        s = s + x[i]                            pass
                                            else:
                                                s = s + x[i]
"""

import copy
from typing import List, Optional

import gast

from ..context import Context
from ..nodes import assign, const, located, name

EXITS = (gast.Break, gast.Continue, gast.Return)


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    result: List[str] = []
    body = _structured(_returns_leave_loops(tree.body, ctx, None, result))
    if not body or (_falls_off(body) and not result):
        last = tree.body[-1] if tree.body else tree
        raise ctx.error(last, f"{tree.name!r} must end with 'return <value>'", "return the value to differentiate.")
    if _falls_off(body):  # after a loop that did not return, Python returns None: no value to differentiate
        message = const(f"{tree.name} returned None (no return statement ran), which cannot be differentiated")
        _end_paths_that_fall_off(body, located(gast.Assert(test=const(False), msg=message), body[-1]))
    tree.body = _single_return(body, ctx, result)
    return tree


# ----- 1. returns inside loops -----


def _returns_leave_loops(stmts: List[gast.stmt], ctx: Context, flag: Optional[str], result: list) -> List[gast.stmt]:
    """Rewrite returns inside loops; ``result`` holds the name of the result variable once made."""
    out: List[gast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, gast.Return) and flag is not None:
            out += [assign(_result_name(ctx, result), _returned(stmt, ctx), stmt), assign(flag, const(True), stmt)]
            out.append(located(gast.Break(), stmt))
        elif isinstance(stmt, gast.If):
            stmt.body = _returns_leave_loops(stmt.body, ctx, flag, result)
            stmt.orelse = _returns_leave_loops(stmt.orelse, ctx, flag, result)
            out.append(stmt)
        elif isinstance(stmt, (gast.For, gast.While)) and _contains_return(stmt.body):
            inner = flag or ctx.namer.fresh("returned")
            if flag is None:
                out.append(assign(inner, const(False), stmt))
            stmt.body = _returns_leave_loops(stmt.body, ctx, inner, result)
            leave = located(gast.Break(), stmt) if flag else gast.Return(value=name(result[0]))
            out += [stmt, located(gast.If(test=name(inner), body=[located(leave, stmt)], orelse=[]), stmt)]
        else:
            out.append(stmt)
    return out


def _result_name(ctx: Context, result: list) -> str:
    if not result:
        result.append(ctx.namer.fresh("result"))
    return result[0]


def _returned(stmt: gast.Return, ctx: Context) -> gast.expr:
    if stmt.value is None:
        raise ctx.error(stmt, "a bare 'return' returns None, which cannot be differentiated", "return a value.")
    return stmt.value


def _contains_return(stmts: List[gast.stmt]) -> bool:
    return any(isinstance(n, gast.Return) for s in stmts for n in gast.walk(s))


# ----- 2. nothing after an exit -----


def _structured(stmts: List[gast.stmt]) -> List[gast.stmt]:
    out: List[gast.stmt] = []
    for i, stmt in enumerate(stmts):
        out.append(stmt)
        if isinstance(stmt, EXITS):
            return out  # what follows is unreachable
        if isinstance(stmt, (gast.For, gast.While)):
            stmt.body = _without_continue(_structured(stmt.body))
        elif isinstance(stmt, gast.If) and _may_exit(stmt):
            rest = stmts[i + 1 :]
            stmt.body = _structured(stmt.body + _copy_unless(_always_exits(stmt.body), rest))
            stmt.orelse = _structured(stmt.orelse + _copy_unless(_always_exits(stmt.orelse), rest))
            return out
        elif isinstance(stmt, gast.If):  # loops inside it have exits of their own
            stmt.body, stmt.orelse = _structured(stmt.body), _structured(stmt.orelse)
    return out


def _copy_unless(exits: bool, rest: List[gast.stmt]) -> List[gast.stmt]:
    return [] if exits else copy.deepcopy(rest)


def _may_exit(stmt: gast.stmt) -> bool:
    if isinstance(stmt, EXITS):
        return True
    if isinstance(stmt, gast.If):
        return any(_may_exit(s) for s in stmt.body + stmt.orelse)
    return False  # a loop's own break and continue stay inside it; returns left loops in step 1


def _always_exits(stmts: List[gast.stmt]) -> bool:
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, gast.If):
        return _always_exits(last.body) and _always_exits(last.orelse)
    return isinstance(last, EXITS) or any(isinstance(s, EXITS) for s in stmts[:-1])


def _falls_off(stmts: List[gast.stmt]) -> bool:
    """True if some path of the function body ends without a ``return``."""
    if not stmts:
        return True
    last = stmts[-1]
    if isinstance(last, gast.If):
        return _falls_off(last.body) or _falls_off(last.orelse)
    return not isinstance(last, gast.Return)


def _end_paths_that_fall_off(stmts: List[gast.stmt], fail: gast.stmt) -> None:
    if stmts and isinstance(stmts[-1], gast.If):
        _end_paths_that_fall_off(stmts[-1].body, fail)
        _end_paths_that_fall_off(stmts[-1].orelse, fail)
    elif not stmts or not isinstance(stmts[-1], gast.Return):
        stmts.append(copy.deepcopy(fail))


def _without_continue(stmts: List[gast.stmt]) -> List[gast.stmt]:
    """Drop ``continue`` from the ends of a loop body's paths, where it does nothing."""
    if stmts and isinstance(stmts[-1], gast.Continue):
        return stmts[:-1]
    if stmts and isinstance(stmts[-1], gast.If):
        stmts[-1].body = _without_continue(stmts[-1].body)
        stmts[-1].orelse = _without_continue(stmts[-1].orelse)
    return stmts


# ----- 3. one return -----


def _single_return(body: List[gast.stmt], ctx: Context, result: List[str]) -> List[gast.stmt]:
    if isinstance(body[-1], gast.Return):
        return body
    returned = body[-1]
    body = _returns_assign(body, _result_name(ctx, result), ctx)
    return [*body, located(gast.Return(value=name(result[0])), returned)]


def _returns_assign(stmts: List[gast.stmt], result: str, ctx: Context) -> List[gast.stmt]:
    out: List[gast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, gast.Return):
            value = _returned(stmt, ctx)
            if not (isinstance(value, gast.Name) and value.id == result):  # set when the loop left
                out.append(assign(result, value, stmt))
        elif isinstance(stmt, gast.If):
            stmt.body = _returns_assign(stmt.body, result, ctx)
            stmt.orelse = _returns_assign(stmt.orelse, result, ctx)
            out.append(stmt)
        else:
            out.append(stmt)
    return out
