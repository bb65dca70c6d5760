"""Give every reassignment of a name outside loops and branches a new name.

The reverse sweep reads forward values after the forward sweep has finished;
a name that is assigned twice would by then hold only its last value. In
straight-line code renaming is the whole cure, and costs nothing at run time.
A name assigned inside an ``if``, ``for`` or ``while`` keeps one name for the
whole statement (its value flows around the loop, or out of either branch);
the storage analysis of the transform saves what the reverse sweep needs of
those; for it, an assignment there never reads its own target (``s = s * x``
becomes ``t = s * x; s = t``: the old ``s`` is read, and may need saving,
before ``s`` is overwritten). A top-level loop's variable gets a new name
like any assignment.

    before              after
    x = x * 2           x_1 = x * 2
    y = x + 1           y = x_1 + 1
    for i in ...:       for i in ...:
        y = y * i           y = y * i
"""

from typing import Dict, List

import gast

from ..context import Context
from ..nodes import assign, name, names_read, names_written_in_place


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    current: Dict[str, str] = {a.id: a.id for a in tree.args.args}
    written = names_written_in_place(tree)
    for i, stmt in enumerate(tree.body):
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            _compound(stmt, current, ctx, tree.body[i + 1 :], written)
            continue
        _rename_reads(stmt, current)
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            target = stmt.targets[0]
            original = target.id
            target.id = ctx.namer.fresh(original) if original in current else original
            current[original] = target.id
    return tree


def _compound(
    stmt: gast.stmt, current: Dict[str, str], ctx: Context, rest: List[gast.stmt], written: "set[str]"
) -> None:
    if isinstance(stmt, gast.For):
        _rename_reads(stmt.iter, current)
        index = stmt.target.id
        current[index] = ctx.namer.fresh(index) if index in current else index
    read_later = _read_before_assigned(rest)
    for original in _assigned(stmt):
        fresh = isinstance(stmt, gast.For) and original != stmt.target.id and original not in read_later
        if original in current and fresh and _fresh_each_iteration(stmt, original):
            current[original] = ctx.namer.fresh(original)  # a new variable, like the loop's own
        current.setdefault(original, original)
    for node in gast.walk(stmt):
        if isinstance(node, gast.Name) and node.id in current:
            node.id = current[node.id]
    for field in ("body", "orelse"):
        setattr(stmt, field, _without_self_reads(getattr(stmt, field), ctx, written))


def _without_self_reads(stmts: List[gast.stmt], ctx: Context, written: "set[str]") -> List[gast.stmt]:
    """``s = s * x`` becomes ``t = s * x; s = t``; for a name written in place later, ``t = s; s = t * x``.

    ``s = t`` makes two names of one buffer: a write ``s[i] = v`` would change ``t``, which the
    reverse sweep reads for ``tanh``'s adjoint. The old value's name is safe: ``s`` is a new array.
    """
    out: List[gast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            stmt.body = _without_self_reads(stmt.body, ctx, written)
            stmt.orelse = _without_self_reads(stmt.orelse, ctx, written)
        target = stmt.targets[0] if isinstance(stmt, gast.Assign) else None
        if isinstance(target, gast.Name) and target.id in names_read(stmt.value) and target.id in written:
            old = ctx.namer.temp()
            _rename_reads(stmt.value, {target.id: old})
            out += [assign(old, name(target.id), stmt), stmt]
            continue
        if isinstance(target, gast.Name) and target.id in names_read(stmt.value):
            temp = ctx.namer.temp()
            out += [assign(temp, stmt.value, stmt), assign(stmt.targets[0].id, name(temp), stmt)]
            continue
        out.append(stmt)
    return out


def _read_before_assigned(stmts: List[gast.stmt]) -> "set[str]":
    """Names these statements may read before assigning them (values that flow in from before)."""
    exposed: set[str] = set()
    assigned: set[str] = set()
    for stmt in stmts:
        reads = set(names_read(stmt))
        if isinstance(stmt, gast.For):
            reads = {n for n in reads if not _fresh_each_iteration(stmt, n)} | set(names_read(stmt.iter))
        exposed |= reads - assigned
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            assigned.add(stmt.targets[0].id)
    return exposed


def _fresh_each_iteration(loop: gast.For, var: str) -> bool:
    """The loop body assigns ``var`` (directly) before anything in it reads ``var``."""
    for stmt in loop.body:
        if var in names_read(stmt):
            return False
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id == var:
            return True
    return False


def _rename_reads(node: gast.AST, current: Dict[str, str]) -> None:
    for child in gast.walk(node):
        if isinstance(child, gast.Name) and isinstance(child.ctx, gast.Load) and child.id in current:
            child.id = current[child.id]


def _assigned(stmt: gast.stmt) -> List[str]:
    return [n.id for n in gast.walk(stmt) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)]
