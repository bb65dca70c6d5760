"""``with`` and ``try`` as ``if`` statements that the emitter turns back into what they were.

Every later stage knows ``if`` blocks; a ``with`` or ``try`` becomes one, tagged
(:data:`nodes.SCOPE`) with what to restore (see emit.scopes).

A ``with`` block runs its body once: ``if True:`` around the body. Its manager
is evaluated where Python evaluates it (hoisted into a temporary if it reads
local variables: the ``if`` then tests that temporary, so every pass sees the
read). The reverse sweep runs the body's adjoint code without the ``with``,
except for ``numpy.errstate``, whose floating-point settings hold there too (the
adjoints divide and take logarithms of the same values). A manager that may
swallow an exception would skip the rest of the body, which cannot be
differentiated as it is: ``with contextlib.suppress(E):`` is the ``try``
it means (``except E: pass``, below); a manager the compiler does not know is
entered through ``unswallowed``, which raises if it swallows.

A ``try`` with one ``except`` clause is ``if True: body else: handler``; the
forward sweep records which ran (``no_error``, set first in each) and the
reverse sweep branches on it. When the handler runs, part of the body may
have run: so every variable the body assigns (but in its last statement,
which an exception leaves undone) must be assigned by the handler before the
handler or the code after the ``try`` reads it. ``else`` runs after the
``try`` when ``no_error``; ``finally`` runs after it. A ``try`` inside a loop
is rejected (the record of the loop's iterations would lose its count).

    before                              after (emitted as the try it was)
    try:                                if True:   # try
        y = numpy.log(x)                    no_error = True
    except FloatingPointError:              y = numpy.log(x)
        y = 0.0                         else:      # except FloatingPointError
                                            no_error = False
                                            y = 0.0
"""

import contextlib
import warnings
from typing import List, Optional, Set

import gast
import numpy

from .. import runtime
from ..context import Context
from ..nodes import SCOPE, assign, const, located, name, names_stored

# Managers known never to swallow an exception; numpy.errstate also covers the reverse sweep.
NEVER_SWALLOW = (
    numpy.errstate,
    getattr(numpy, "printoptions", numpy.errstate),
    warnings.catch_warnings,
    contextlib.redirect_stdout,
    contextlib.redirect_stderr,
    getattr(contextlib, "nullcontext", numpy.errstate),
    runtime.unswallowed,
)
REVERSE_TOO = (numpy.errstate,)
EXITS = (gast.Return, gast.Break, gast.Continue)


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    _reject_try_in_loops(tree, ctx)
    tree.body = _block(tree.body, ctx, tree)
    return tree


def _reject_try_in_loops(tree: gast.FunctionDef, ctx: Context) -> None:
    for loop in gast.walk(tree):
        if isinstance(loop, (gast.For, gast.While)):
            for node in gast.walk(loop):
                if isinstance(node, gast.Try) or _suppressing(node, ctx):
                    what = "a 'try'" if isinstance(node, gast.Try) else "'with contextlib.suppress' (a try)"
                    raise ctx.error(
                        node,
                        f"{what} inside a loop is not supported yet",
                        "move the loop body (with its try) into a function of its own and call it in the loop.",
                    )


def _block(stmts: List[gast.stmt], ctx: Context, tree: gast.FunctionDef) -> List[gast.stmt]:
    out: List[gast.stmt] = []
    for stmt in stmts:
        for field in ("body", "orelse", "finalbody"):
            if isinstance(getattr(stmt, field, None), list):
                setattr(stmt, field, _block(getattr(stmt, field), ctx, tree))
        for handler in getattr(stmt, "handlers", []):
            handler.body = _block(handler.body, ctx, tree)
        if isinstance(stmt, gast.With):
            out += _with(stmt, ctx, tree)
        elif isinstance(stmt, gast.Try):
            out += _try(stmt, ctx, tree)
        else:
            out.append(stmt)
    return out


# ----- with -----


def _with(stmt: gast.With, ctx: Context, tree: gast.FunctionDef) -> List[gast.stmt]:
    """``with a, b: body`` is ``with a: with b: body``, each an ``if`` block."""
    body = stmt.body
    for item in reversed(stmt.items):
        body = _with_item(item, body, stmt, ctx, tree)
    return body


def _with_item(
    item: gast.withitem, body: List[gast.stmt], stmt: gast.With, ctx: Context, tree: gast.FunctionDef
) -> List[gast.stmt]:
    expr = item.context_expr
    manager = ctx.resolve(expr.func if isinstance(expr, gast.Call) else expr)
    if manager is contextlib.suppress and isinstance(expr, gast.Call) and not expr.keywords:
        return _suppress_as_try(expr, body, stmt, ctx, tree)
    _check_unread(item.optional_vars, "the value a 'with' binds with 'as'", tree, ctx)
    out: List[gast.stmt] = []
    test: gast.expr = const(True)
    inline: Optional[gast.expr] = expr
    if _local_reads(expr, ctx):  # evaluated where Python evaluates it, read by the if (its passes see it)
        temp = ctx.namer.temp()
        ctx.local_names.add(temp)
        out.append(assign(temp, expr, expr))
        test, inline = name(temp), None
    guard = None if manager in NEVER_SWALLOW else ctx.name_for(runtime.unswallowed, "unswallowed")
    scoped = located(gast.If(test=test, body=body, orelse=[]), stmt)
    setattr(scoped, SCOPE, ("with", inline, item.optional_vars, guard, inline is not None and manager in REVERSE_TOO))
    return [*out, scoped]


def _local_reads(expr: gast.expr, ctx: Context) -> Set[str]:
    return {n.id for n in gast.walk(expr) if isinstance(n, gast.Name) and n.id in ctx.local_names}


def _check_unread(target: Optional[gast.expr], what: str, tree: gast.FunctionDef, ctx: Context) -> None:
    """A name bound by ``as`` that the function never reads (the compiler does not follow its value)."""
    if target is None:
        return
    if not isinstance(target, gast.Name):
        raise ctx.error(target, f"{what} must be a plain name", "bind it to one name.")
    reads = [n for n in gast.walk(tree) if isinstance(n, gast.Name) and n.id == target.id and n is not target]
    if reads:
        raise ctx.error(
            reads[0],
            f"{what} ({target.id!r}) cannot be used in a differentiated function",
            f"drop 'as {target.id}', or use it in a function that is not differentiated.",
        )


def _suppressing(node: gast.AST, ctx: Context) -> bool:
    """A ``with`` one of whose managers is ``contextlib.suppress(...)``: a ``try`` in disguise."""
    return isinstance(node, gast.With) and any(
        isinstance(i.context_expr, gast.Call) and ctx.resolve(i.context_expr.func) is contextlib.suppress
        for i in node.items
    )


def _suppress_as_try(
    expr: gast.Call, body: List[gast.stmt], stmt: gast.With, ctx: Context, tree: gast.FunctionDef
) -> List[gast.stmt]:
    """``with contextlib.suppress(A, B): body`` is ``try: body`` / ``except (A, B): pass``: the gradient
    follows the path taken, and what the body assigns must be known when it stops early (see ``_try``)."""
    if not expr.args:  # suppresses nothing
        return body
    caught = expr.args[0] if len(expr.args) == 1 else gast.Tuple(elts=list(expr.args), ctx=gast.Load())
    handler = located(gast.ExceptHandler(type=caught, name=None, body=[located(gast.Pass(), stmt)]), stmt)
    return _try(located(gast.Try(body=body, handlers=[handler], orelse=[], finalbody=[]), stmt), ctx, tree, "with")


# ----- try -----


def _try(stmt: gast.Try, ctx: Context, tree: gast.FunctionDef, written_as: str = "try") -> List[gast.stmt]:
    """``written_as``: "with" for a ``contextlib.suppress`` block, which an error's hint then names."""
    if stmt.finalbody:
        exits = [n for part in (stmt.body, stmt.orelse, stmt.finalbody) for s in part for n in gast.walk(s)]
        exits += [n for h in stmt.handlers for s in h.body for n in gast.walk(s)]
        for node in exits:
            if isinstance(node, EXITS):
                raise ctx.error(
                    node, "return, break or continue in a try with 'finally' is not supported", "move it after the try."
                )
    if not stmt.handlers:  # try/finally: if the body raises, so does the function
        return [*stmt.body, *stmt.finalbody]
    if len(stmt.handlers) > 1:
        raise ctx.error(
            stmt.handlers[1], "a try with several except clauses is not supported yet", "catch (A, B) in one clause."
        )
    handler = stmt.handlers[0]
    if handler.type is not None and _local_reads(handler.type, ctx):
        raise ctx.error(handler.type, "the exception type must not be a local variable", "name the class itself.")
    _check_unread(handler.name, "the exception an 'except' clause binds with 'as'", tree, ctx)
    flag = _own_record(stmt.body, handler.body)
    _check_handler_assigns(stmt, handler, ctx, tree, flag, written_as)
    body, orelse = stmt.body, handler.body
    if flag is None:
        flag = ctx.namer.fresh("no_error")
        ctx.local_names.add(flag)
        body = [assign(flag, const(True), stmt), *stmt.body]
        orelse = [assign(flag, const(False), handler), *handler.body]
    scoped = located(gast.If(test=const(True), body=body, orelse=orelse), stmt)
    setattr(scoped, SCOPE, ("try", handler.type, flag))
    out: List[gast.stmt] = [scoped]
    if stmt.orelse:
        out.append(located(gast.If(test=name(flag), body=stmt.orelse, orelse=[]), stmt.orelse[0]))
    return out + stmt.finalbody


def _own_record(body: List[gast.stmt], handler: List[gast.stmt]) -> Optional[str]:
    """``flag`` when the body starts with ``flag = True`` and the handler with ``flag = False`` (as generated
    code does, differentiated again): the record of which block ran is already there."""
    firsts = [stmts[0] if stmts else None for stmts in (body, handler)]
    if not all(isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) for s in firsts):
        return None
    values = [getattr(s.value, "value", None) for s in firsts]
    names = {s.targets[0].id for s in firsts}
    return names.pop() if len(names) == 1 and values[0] is True and values[1] is False else None


def _check_handler_assigns(
    stmt: gast.Try,
    handler: gast.ExceptHandler,
    ctx: Context,
    tree: gast.FunctionDef,
    flag: Optional[str],
    written_as: str,
) -> None:
    """What the body assigns before its last statement, the handler assigns before anything reads it
    (reads under ``if flag:``, on the path where the body ran to its end, are fine)."""
    partial = set().union(*(_written(s, ctx) for s in stmt.body[:-1]))
    last = stmt.body[-1]
    if _writes_last(last):  # y = v, y[i] = v, y += v: the value first, then one write, or an exception
        partial |= _written(last.value, ctx)
    else:
        partial |= _written(last, ctx)
    assigned_first = _assigned_before_read(handler.body)
    end = (stmt.end_lineno, stmt.end_col_offset)
    guarded = {
        id(n)
        for branch in gast.walk(tree)
        if isinstance(branch, gast.If) and flag is not None and getattr(branch.test, "id", None) == flag
        for s in branch.body
        for n in gast.walk(s)
    }
    later = {n.id for n in gast.walk(tree) if _is_read(n) and (n.lineno, n.col_offset) > end and id(n) not in guarded}
    handler_reads = {n.id for s in handler.body for n in gast.walk(s) if _is_read(n)} - assigned_first
    unsafe = sorted(partial & ((later - assigned_first) | handler_reads))
    if unsafe:
        names, them = ", ".join(unsafe), "it" if len(unsafe) == 1 else "them"
        if written_as == "try":
            what = f"when this handler runs, the try block may have assigned {names} before the exception"
            hint = f"assign {names} at the start of the except block too, or compute {them} before the try."
        else:
            what = f"when contextlib.suppress swallows an exception, the block may have assigned {names} before it"
            hint = f"compute {them} before the with block, or use try/except and assign {them} in the except block."
        raise ctx.error(handler, f"{what}, and the gradient cannot tell how far it got", hint)


def _is_read(node: gast.AST) -> bool:
    return isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load)


def _writes_last(stmt: gast.stmt) -> bool:
    """An assignment to names or elements of named arrays: it writes once its value is computed."""
    if not isinstance(stmt, (gast.Assign, gast.AugAssign, gast.AnnAssign)) or stmt.value is None:
        return False
    targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
    plain = [t.value if isinstance(t, gast.Subscript) else t for t in targets]
    return all(isinstance(t, gast.Name) for t in plain)


def _written(stmt: gast.AST, ctx: Context) -> Set[str]:
    """Names a statement assigns, or whose array or list it may change (``y[i] = v``, ``y.sort()``)."""
    written = names_stored(stmt)
    for node in gast.walk(stmt):
        if isinstance(node, (gast.Subscript, gast.Attribute)) and isinstance(node.ctx, gast.Store):
            written |= {n.id for n in gast.walk(node.value) if isinstance(n, gast.Name)}
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute):  # a method of a local value
            written |= {n.id for n in gast.walk(node.func.value) if isinstance(n, gast.Name)} & ctx.local_names
    return written


def _assigned_before_read(stmts: List[gast.stmt]) -> Set[str]:
    """Names a block's top-level plain assignments set before the block reads them."""
    assigned: Set[str] = set()
    read: Set[str] = set()
    for stmt in stmts:
        read |= {n.id for n in gast.walk(getattr(stmt, "value", stmt)) if _is_read(n)} - assigned
        if isinstance(stmt, (gast.Assign, gast.AnnAssign)) and not isinstance(stmt, gast.AugAssign):
            assigned |= names_stored(stmt) - read
    return assigned
