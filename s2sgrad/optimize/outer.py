"""Add a loop's outer products up with one matrix product after the loop.

The adjoint of ``W @ h`` (a matrix times a vector) is the outer product
``d_t[:, None] * h`` (optimize.helpers); in a loop, a full matrix is built and
added at every step. A person keeps the vectors and multiplies once after the
loop (``d_pre.T @ hs``): the same sum, one BLAS call instead of a temporary
matrix per step.

    before                              after
    d_W = zeros_like(W)                 d_W = zeros_like(W)
    for i in reversed(range(n)):        d_W_columns = []
        ...                             d_W_rows = []
        d_W += d_t3[:, None] * h        for i in reversed(range(n)):
        d_h = d_t3 @ W                      ...
                                            d_W_columns.append(d_t3)
                                            d_W_rows.append(h)
                                            d_h = d_t3 @ W
                                        if d_W_columns:
                                            d_W += outer_sum(d_W_columns, d_W_rows)

The update may be ``d_W = d_W + …`` (then so is the one after the loop), a
subtraction, or a sum of such products (``d_W += a[:, None] * b + c[:, None] * x``:
both pairs go to the same lists). Where it is exact:
- nothing else in the loop reads or writes ``d_W``, or a name that may share its
  buffer (optimize.sharing), and ``d_W`` holds nothing a caller, a global or an
  unknown function may hold: no statement sees a partial sum, and the sum after the
  loop adds what the loop added. It is the outermost such loop: a statement in an
  inner loop is summed after the outer one when the outer one allows it.
- no ``return`` in the loop (the sum after it always runs), and the loop is not
  inside a ``try`` (its handler would see the partial sum).
- the vectors kept do not change before the sum: a vector that a statement of the
  loop may write into in place (an adjoint added to with ``+=``, an array written
  element by element) is kept as a copy (``h.copy()``), which still costs less
  than an outer product.
- ``outer_sum`` stacks only ndarrays of one dimension and one length, and sums the
  products one by one otherwise, as the loop did; a loop that never ran adds nothing.
"""

from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Tuple

import gast

from .. import runtime
from ..context import Context
from ..nodes import SCOPE, assign, blocks_of, call, located, name, walk
from .sharing import Sharing

Term = Tuple[gast.expr, gast.expr]  # (column, row) of ``column[:, None] * row``


@dataclass
class _Sum:
    """The accumulations of one target (and sign) in one loop."""

    target: str
    op: gast.operator
    in_place: bool  # ``d_W += …`` (an array the transform owns), not ``d_W = d_W + …``
    statements: List[gast.stmt] = field(default_factory=list)
    columns: str = ""
    rows: str = ""


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    loops = [n for n in walk(tree) if isinstance(n, (gast.For, gast.While))]
    if not any(_update(s) for loop in loops for s in _statements(loop.body)):
        return tree  # the common case, found without building the model
    _block(tree.body, Sharing(tree, ctx), ctx, guarded=False)
    return tree


def _block(stmts: List[gast.stmt], sharing: Sharing, ctx: Context, guarded: bool) -> None:
    """Batch the loops of a block, outer ones first; none inside a ``try`` (``guarded``): the handler would see
    the sum of the steps before the exception, which the loop had added and the batch had not."""
    out: List[gast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, (gast.For, gast.While)) and not guarded:
            before, after = _batch(stmt, sharing, ctx)
            out += [*before, stmt, *after]
        else:
            out.append(stmt)
        inner = guarded or getattr(stmt, SCOPE, ("",))[0] == "try"
        for block in blocks_of(stmt):  # inner loops: for what the outer one could not take
            _block(block, sharing, ctx, inner)
    stmts[:] = out


def _batch(loop: gast.stmt, sharing: Sharing, ctx: Context) -> Tuple[List[gast.stmt], List[gast.stmt]]:
    """Rewrite the loop's outer-product sums it allows; return what goes before and after it."""
    if any(isinstance(node, gast.Return) for node in walk(loop)):
        return [], []
    names = [n for n in walk(loop) if isinstance(n, gast.Name)]
    sums = [s for s in _sums(loop.body) if _only_updates(s, names, sharing)]
    if not sums:
        return [], []
    written = sharing.written(loop)
    replacements: Dict[int, List[gast.stmt]] = {}
    for found in sums:
        found.columns = ctx.namer.fresh(f"{found.target}_columns")
        found.rows = ctx.namer.fresh(f"{found.target}_rows")
        sharing.lists |= {found.columns, found.rows}
        for stmt in found.statements:
            replacements[id(stmt)] = _appends(stmt, found, sharing, written)
    _replace(loop.body, replacements)
    before = [assign(name_, gast.List(elts=[], ctx=gast.Load()), loop) for s in sums for name_ in (s.columns, s.rows)]
    return before, [_added(s, loop, ctx) for s in sums]


def _sums(stmts: List[gast.stmt]) -> List[_Sum]:
    """The outer-product accumulations in a loop body (its branches and inner loops too), by target and sign."""
    found: Dict[Tuple[str, type, bool], _Sum] = {}
    for stmt in _statements(stmts):
        update = _update(stmt)
        if update is not None:
            target, op, _ = update
            in_place = isinstance(stmt, gast.AugAssign)
            found.setdefault((target, type(op), in_place), _Sum(target, op, in_place)).statements.append(stmt)
    return list(found.values())


def _statements(stmts: List[gast.stmt]) -> Iterator[gast.stmt]:
    """Every statement of a block, nested ones included."""
    for stmt in stmts:
        yield stmt
        for block in blocks_of(stmt):
            yield from _statements(block)


def _update(stmt: gast.stmt) -> Optional[Tuple[str, gast.operator, List[Term]]]:
    """``(d_W, +, terms)`` for ``d_W += a[:, None] * b (+ …)`` or ``d_W = d_W + …`` (``-`` too), else None."""
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
        target, op, value = stmt.target.id, stmt.op, stmt.value
    elif (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and isinstance(stmt.value, gast.BinOp)
        and isinstance(stmt.value.left, gast.Name)
        and stmt.value.left.id == stmt.targets[0].id
    ):
        target, op, value = stmt.targets[0].id, stmt.value.op, stmt.value.right
    else:
        return None
    terms = _terms(value)
    return (target, op, terms) if terms and isinstance(op, (gast.Add, gast.Sub)) else None


def _terms(value: gast.expr) -> List[Term]:
    """The (column, row) pairs of ``a[:, None] * b + c[:, None] * d + …``; empty if it is not such a sum."""
    if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add):
        left, right = _terms(value.left), _terms(value.right)
        return left + right if left and right else []
    if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult) and _is_column(value.left):
        return [(value.left.value, value.right)]
    return []


def _is_column(node: gast.expr) -> bool:
    """``v[:, None]``."""
    if not (isinstance(node, gast.Subscript) and isinstance(node.slice, gast.Tuple) and len(node.slice.elts) == 2):
        return False
    whole, new_axis = node.slice.elts
    plain = isinstance(whole, gast.Slice) and whole.lower is None and whole.upper is None and whole.step is None
    return plain and isinstance(new_axis, gast.Constant) and new_axis.value is None


def _only_updates(found: _Sum, names: List[gast.Name], sharing: Sharing) -> bool:
    """No name that may share the target's buffer is read or written in the loop but by its updates (nor an
    unknown function: the target holds no global)."""
    if sharing.is_global(found.target):
        return False
    shared = sharing.class_of([found.target])
    updates = {id(node) for stmt in found.statements for node in _target_nodes(stmt)}
    return all(id(n) in updates for n in names if sharing.class_of([n.id]) & shared)


def _target_nodes(stmt: gast.stmt) -> List[gast.Name]:
    """The target of an update, and for ``d_W = d_W + …`` the ``d_W`` it reads."""
    if isinstance(stmt, gast.AugAssign):
        return [stmt.target]
    return [stmt.targets[0], stmt.value.left]


def _appends(stmt: gast.stmt, found: _Sum, sharing: Sharing, written: "set[str]") -> List[gast.stmt]:
    """``columns.append(a)`` and ``rows.append(b)`` for each term; a copy of what the loop may write into."""
    out = []
    for column, row in _update(stmt)[2]:
        for items, vector in ((found.columns, column), (found.rows, row)):
            if sharing.class_of(sharing.refs(vector)) & written:
                vector = _method(vector, "copy", [])  # half a microsecond for a vector, where fresh_copy takes one
            out.append(located(gast.Expr(value=_method(name(items), "append", [vector])), stmt))
    return out


def _method(receiver: gast.expr, method: str, args: List[gast.expr]) -> gast.Call:
    return call(gast.Attribute(value=receiver, attr=method, ctx=gast.Load()), args)


def _replace(stmts: List[gast.stmt], replacements: Dict[int, List[gast.stmt]]) -> None:
    out: List[gast.stmt] = []
    for stmt in stmts:
        out += replacements.get(id(stmt), [stmt])
        for block in blocks_of(stmt):
            _replace(block, replacements)
    stmts[:] = out


def _added(found: _Sum, loop: gast.stmt, ctx: Context) -> gast.stmt:
    """``if d_W_columns: d_W += outer_sum(d_W_columns, d_W_rows)`` (or ``d_W = d_W + …``, as the loop did)."""
    helper = name(ctx.name_for(runtime.outer_sum, "outer_sum"))
    total = call(helper, [name(found.columns), name(found.rows)])
    if found.in_place:
        update = gast.AugAssign(target=name(found.target, store=True), op=found.op, value=total)
    else:
        update = assign(found.target, gast.BinOp(left=name(found.target), op=found.op, right=total))
    update = located(update, loop)
    return located(gast.If(test=name(found.columns), body=[update], orelse=[]), loop)
