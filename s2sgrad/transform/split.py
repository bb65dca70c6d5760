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

When the record would be a few numbers computed from those arguments
(``-k``, ``math.sin(theta)``), ``backward_h`` computes them again instead:
``forward_h`` then returns the value alone, ``backward_h`` takes no record,
and a caller's loop keeps no stack of records (``keeps_record`` False).
"""

import copy
from collections import Counter
from typing import List, Optional, Set, Tuple

import gast

from ..analyze.dataflow import live_before, surely_assigned
from ..context import Context
from ..nodes import assign, comment, comment_text, const, function_def, located, name, walk
from ..optimize.cse import is_pure_assignment


def split(
    tree: gast.FunctionDef, ctx: Context, may_recompute: bool = False
) -> Tuple[gast.FunctionDef, gast.FunctionDef, bool]:
    """``(forward_h, backward_h, keeps_record)`` from the optimized ``value_and_grad_h``.

    With ``may_recompute``, a record that backward_h can cheaply compute again from
    its arguments is not made: forward_h returns the value alone, and backward_h
    takes no record (``keeps_record`` False; the caller's code calls them so).
    """
    forward, backward, returned = _sweeps(tree)
    value, gradients = returned.value.elts
    residuals = _residuals(forward, [*backward, gast.Return(value=gradients)])
    params = tree.args.args[:-1]  # all but the seed, d_out
    recomputed = _recomputation(forward, residuals, {p.id for p in params}, ctx) if may_recompute else None
    defaults = list(tree.args.defaults)
    h = ctx.source.name
    if recomputed is None:
        record = ctx.namer.fresh("record")
        unset = sorted(set(residuals) - surely_assigned(forward) - {p.id for p in params})
        forward_head = [ctx.docstring(f"{h}'s value and what its reverse sweep reads"), *_unset_first(unset)]
        result: gast.expr = gast.Tuple(elts=[value, _packed(residuals)], ctx=gast.Load())
        backward_head = [
            ctx.docstring(f"{h}'s reverse sweep, from the record forward_{h} returned"),
            *_unpacked(residuals, record),
        ]
        backward_params = [name(record), *params, tree.args.args[-1]]
    else:
        forward_head, result = [ctx.docstring(f"{h}'s value (its reverse sweep computes again what it reads)")], value
        backward_head = [
            ctx.docstring(f"{h}'s reverse sweep, computing again from the arguments what it reads"),
            *recomputed,
        ]
        backward_params = [*params, tree.args.args[-1]]
    forward_body = [*forward_head, *forward, located(gast.Return(value=result), returned)]
    backward_body = [*backward_head, *backward, located(gast.Return(value=gradients), returned)]
    forward_def = function_def(f"forward_{h}", params, defaults[:-1], forward_body, tree)
    backward_def = function_def(f"backward_{h}", backward_params, defaults, backward_body, tree)
    return forward_def, backward_def, recomputed is None


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


# Building, keeping and unpacking a record costs about what running this many pure statements on numbers
# again costs; a larger recomputation would be slower than the record it saves.
RECOMPUTED_AT_MOST = 4


def _recomputation(
    forward: List[gast.stmt], residuals: List[str], params: Set[str], ctx: Context
) -> Optional[List[gast.stmt]]:
    """Copies of the forward statements that compute every residual again from the parameters, in their order;
    None unless each is a pure operation on numbers (``t1 = math.sin(theta)``) of parameters the forward sweep
    never sets and of the statements before it, and there are at most RECOMPUTED_AT_MOST of them.

    Numbers only: the caller passes backward_h the values it passed forward_h (an array it could have
    changed in place since), and an array's operation is no longer cheap to run twice."""
    stored = Counter(n for stmt in forward for n in _stored_in_order(stmt))
    defined = {s.targets[0].id: s for s in forward if is_pure_assignment(s, ctx) and stored[s.targets[0].id] == 1}
    chosen: Set[str] = set()
    wanted = list(residuals)
    while wanted:
        var = wanted.pop()
        if var in chosen or (var in params and not stored[var]):
            continue
        kind = ctx.kinds.get(var)
        if var not in defined or kind is None or kind.tag not in ("scalar", "integer") or kind.ndim is not None:
            return None
        chosen.add(var)
        wanted += _operands(defined[var].value)
    if len(chosen) > RECOMPUTED_AT_MOST:
        return None
    statements = {id(defined[var]) for var in chosen}
    return [copy.deepcopy(s) for s in forward if id(s) in statements]


def _operands(value: gast.expr) -> List[str]:
    """The names a pure value reads, but not those naming the functions it calls (``math`` in ``math.sin(x)``)."""
    called = {id(n) for c in walk(value) if isinstance(c, gast.Call) for n in walk(c.func)}
    return [
        n.id for n in walk(value) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) and id(n) not in called
    ]


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
