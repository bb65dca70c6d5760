"""A called function's gradient, cut in two at the reverse sweep: DESIGN.md's residual split.

The caller's forward sweep runs ``forward_h``, which computes ``h``'s value and
returns it with the *record*: the values its reverse sweep reads. The caller
keeps the record (on a stack in a loop, as any other value) and hands it to
``backward_h`` in its reverse sweep. So ``h`` runs once per gradient call, as it
does in one call of the caller: a ``print`` prints once, a random draw is drawn
once and its derivative is taken at the value drawn.

    def h(a):                     def forward_h(a):
        return np.sum(np.sin(a))      t0 = np.sin(a)
                                      t1 = np.sum(t0)
                                      return t1, t0

                                  def backward_h(record, a, d_out=1.0):
                                      t0 = record
                                      d_a = unreduce(d_out, t0) * np.cos(a)
                                      return d_a

    def f(x):                     def grad_f(x, d_out=1.0):
        return h(x) ** 2              t0, h_record = forward_h(x)
                                      d_x = backward_h(h_record, x, d_out=d_out * (2 * t0))
                                      return d_x

The record holds the forward sweep's names that the reverse sweep reads
before it sets them. The caller passes ``backward_h`` the call's arguments
again: they are its own values, which its storage analysis keeps as they
were at the call.
"""

from typing import List, Tuple

import gast

from ..analyze.dataflow import live_before, surely_assigned
from ..context import Context
from ..nodes import assign, comment, comment_text, const, function_def, located, name


def split(tree: gast.FunctionDef, ctx: Context) -> Tuple[gast.FunctionDef, gast.FunctionDef]:
    """``(forward_h, backward_h)`` from the optimized ``value_and_grad_h``."""
    forward, backward, returned = _sweeps(tree)
    value, gradients = returned.value.elts
    residuals = _residuals(forward, [*backward, gast.Return(value=gradients)])
    record = ctx.namer.fresh("record")
    params = tree.args.args[:-1]  # all but the seed, d_out
    unset = sorted(set(residuals) - surely_assigned(forward) - {p.id for p in params})
    forward_body = [
        ctx.docstring(f"{ctx.source.name}'s value and what its reverse sweep reads"),
        *_unset_first(unset),
        *forward,
        located(gast.Return(value=gast.Tuple(elts=[value, _packed(residuals)], ctx=gast.Load())), returned),
    ]
    backward_body = [
        ctx.docstring(f"{ctx.source.name}'s reverse sweep, from the record forward_{ctx.source.name} returned"),
        *_unpacked(residuals, record),
        *backward,
        located(gast.Return(value=gradients), returned),
    ]
    defaults = list(tree.args.defaults)
    forward_def = function_def(f"forward_{ctx.source.name}", params, defaults[:-1], forward_body, tree)
    backward_params = [name(record), *params, tree.args.args[-1]]
    backward_def = function_def(f"backward_{ctx.source.name}", backward_params, defaults, backward_body, tree)
    return forward_def, backward_def


def _sweeps(tree: gast.FunctionDef) -> Tuple[List[gast.stmt], List[gast.stmt], gast.Return]:
    """The statements between the "forward sweep" and "reverse sweep" comments, those after, the return."""
    texts = [comment_text(s) for s in tree.body]
    start, middle = texts.index("forward sweep"), texts.index("reverse sweep")
    return tree.body[start + 1 : middle], tree.body[middle + 1 : -1], tree.body[-1]


def _residuals(forward: List[gast.stmt], backward: List[gast.stmt]) -> List[str]:
    """The forward sweep's names the reverse sweep reads, in the order the forward sweep first sets them."""
    read = live_before(backward)
    found: List[str] = []
    for stmt in forward:
        found += [v for v in _stored_in_order(stmt) if v in read and v not in found]
    return found


def _stored_in_order(stmt: gast.stmt) -> List[str]:
    return [n.id for n in gast.walk(stmt) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)]


def _packed(residuals: List[str]) -> gast.expr:
    if len(residuals) == 1:
        return name(residuals[0])
    if not residuals:
        return const(None)
    return gast.Tuple(elts=[name(v) for v in residuals], ctx=gast.Load())


def _unpacked(residuals: List[str], record: str) -> List[gast.stmt]:
    """``a, b = record`` (no source line: it belongs to no statement of the function)."""
    if not residuals:
        return []
    if len(residuals) == 1:
        return [assign(residuals[0], name(record))]
    target = gast.Tuple(elts=[name(v, True) for v in residuals], ctx=gast.Store())
    return [gast.Assign(targets=[target], value=name(record), type_comment=None)]


def _unset_first(unset: List[str]) -> List[gast.stmt]:
    """``t = None`` for the record's values that only some paths set (the reverse sweep reads them on those)."""
    if not unset:
        return []
    return [
        comment("set on some paths only: None in the record on the others"),
        *(assign(v, const(None)) for v in unset),
    ]
