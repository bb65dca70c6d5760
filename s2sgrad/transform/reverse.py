"""Reverse mode: a forward sweep, then the adjoint of each statement in reverse.

The forward sweep is the normalized body. The reverse sweep seeds the adjoint
of the returned value with ``d_out`` and walks the assignments backwards,
instantiating each operation's rule for its active arguments. Adjoints that
never receive a contribution are provably zero: their statements are skipped,
and a ``wrt`` parameter without one returns a zero of its own type.

    def f(x, y):                def grad_f(x, y, d_out=1.0):
        z = x * y                   z = x * y
        return z + x                t0 = z + x
                                    d_t0 = d_out
                                    d_z = d_t0
                                    d_x = d_t0
                                    d_x = d_x + d_z * y
                                    d_y = x * d_z
                                    return d_x, d_y
"""

from dataclasses import dataclass
from typing import Dict, List, Set

import gast
import numpy

from .. import runtime
from ..analyze.ops import operation_of
from ..context import Context
from ..kinds import Kind, array
from ..nodes import call, comment, const, located, name
from .adjoints import Adjoints
from .instantiate import Instantiator


@dataclass(frozen=True)
class ReverseOptions:
    with_value: bool = False  # also return the function's value: (value, gradient)
    tuple_wrt: bool = False  # return a tuple of gradients even for one wrt


def reverse(
    tree: gast.FunctionDef, ctx: Context, kinds: Dict[str, Kind], active: Set[str], options: ReverseOptions
) -> gast.FunctionDef:
    seed_name = ctx.namer.fresh("d_out")
    adjoints = Adjoints(ctx.namer, seed_name)
    instantiator = Instantiator(ctx, kinds, active, adjoints)
    forward = [s for s in tree.body if not isinstance(s, gast.Return)]
    returned = tree.body[-1]

    backward: List[gast.stmt] = []
    result = returned.value
    if isinstance(result, gast.Name) and result.id in active:
        backward.append(adjoints.seed(result.id, returned))
    for stmt in reversed(forward):
        if isinstance(stmt, gast.Assign) and adjoints.is_defined(stmt.targets[0].id):
            backward += _adjoint_of(stmt, ctx, instantiator, adjoints)

    sections = [comment("forward sweep"), *forward, comment("reverse sweep")]
    body = sections + backward + _gradients(ctx, adjoints, kinds, returned, options)
    ctx.sweep_names = {n.id for s in backward for t in s.targets for n in gast.walk(t) if isinstance(n, gast.Name)}
    args = gast.arguments(
        args=[*list(tree.args.args), name(seed_name, store=False)],
        posonlyargs=list(getattr(tree.args, "posonlyargs", [])),
        vararg=None,
        kwonlyargs=[],
        kw_defaults=[],
        kwarg=None,
        defaults=[*list(tree.args.defaults), const(1.0)],
    )
    for arg in args.args:
        arg.ctx, arg.annotation = gast.Param(), None
    prefix = "value_and_grad" if options.with_value else "grad"
    definition = gast.FunctionDef(
        name=f"{prefix}_{ctx.source.name}",
        args=args,
        body=[_docstring(ctx), *body],
        decorator_list=[],
        returns=None,
        type_comment=None,
    )
    if "type_params" in gast.FunctionDef._fields:
        definition.type_params = []
    return located(definition, tree)


def _adjoint_of(stmt: gast.Assign, ctx: Context, instantiator: Instantiator, adjoints: Adjoints) -> List[gast.stmt]:
    target = stmt.targets[0].id
    op = operation_of(stmt.value, ctx)
    if op.form == "copy":
        return _pass_through(instantiator, adjoints, op.args[0], name(adjoints.name_of(target)), stmt)
    if op.form == "display":
        out = []
        for i, element in enumerate(op.args):
            item = gast.Subscript(value=name(adjoints.name_of(target)), slice=const(i), ctx=gast.Load())
            out += _pass_through(instantiator, adjoints, element, item, stmt)
        return out
    if op.form == "subscript":
        return _subscript_adjoint(stmt, ctx, instantiator, adjoints)
    rule = ctx.rules.lookup(op.func)
    if rule is None or not rule.differentiable:
        return []
    return instantiator.apply(rule, target, op.args, op.keywords, stmt)


def _pass_through(
    instantiator: Instantiator, adjoints: Adjoints, source: gast.expr, value: gast.expr, stmt: gast.stmt
) -> List[gast.stmt]:
    if isinstance(source, gast.Name) and source.id in instantiator.active:
        shares = value.id if isinstance(value, gast.Name) else None
        return [adjoints.accumulate(source.id, value, False, stmt, shares)]
    return []


def _subscript_adjoint(
    stmt: gast.Assign, ctx: Context, instantiator: Instantiator, adjoints: Adjoints
) -> List[gast.stmt]:
    """``y = x[index]``: ``d_x += unindex(d_y, x, index)``."""
    subscript = stmt.value
    base = subscript.value
    if not (isinstance(base, gast.Name) and base.id in instantiator.active):
        return []
    if instantiator.kind(base).tag == "other":
        raise ctx.error(
            subscript, "indexing a tuple of differentiated values is not supported yet", "unpack the values directly."
        )
    index = subscript.slice
    if isinstance(index, (gast.Slice, gast.Tuple)):  # slices are only syntax inside []: write numpy.s_[...]
        index = gast.Subscript(value=ctx.reference(numpy, "s_"), slice=index, ctx=gast.Load())
    helper = name(ctx.name_for(runtime.unindex, "unindex"))
    value = call(helper, [name(adjoints.name_of(stmt.targets[0].id)), name(base.id), index])
    return [adjoints.accumulate(base.id, value, False, stmt)]


def _gradients(
    ctx: Context, adjoints: Adjoints, kinds: Dict[str, Kind], returned: gast.Return, options: ReverseOptions
) -> List[gast.stmt]:
    """Zeros for parameters without a contribution, copies where buffers are shared, the return."""
    out: List[gast.stmt] = []
    shared = adjoints.shared_roots(list(ctx.wrt))
    for param in ctx.wrt:
        adjoint = adjoints.name_of(param)
        if not adjoints.is_defined(param):
            out.append(
                located(
                    gast.Assign(targets=[name(adjoint, True)], value=_zero_like(ctx, param, kinds), type_comment=None),
                    returned,
                )
            )
        elif kinds[param] == array(0):  # NumPy turns 0-d arrays into scalars along the way
            as_array = call(ctx.reference(numpy, "asarray"), [name(adjoint)])
            out.append(located(gast.Assign(targets=[name(adjoint, True)], value=as_array, type_comment=None), returned))
        elif param in shared and not kinds[param].is_scalar:
            copier = name(ctx.name_for(runtime.fresh_copy, "fresh_copy"))
            out.append(
                located(
                    gast.Assign(targets=[name(adjoint, True)], value=call(copier, [name(adjoint)]), type_comment=None),
                    returned,
                )
            )
    grads: gast.expr = name(adjoints.name_of(ctx.wrt[0]))
    if len(ctx.wrt) > 1 or options.tuple_wrt:
        grads = gast.Tuple(elts=[name(adjoints.name_of(p)) for p in ctx.wrt], ctx=gast.Load())
    if options.with_value:
        grads = gast.Tuple(elts=[returned.value, grads], ctx=gast.Load())
    out.append(located(gast.Return(value=grads), returned))
    return out


def _zero_like(ctx: Context, param: str, kinds: Dict[str, Kind]) -> gast.expr:
    if kinds[param].tag == "scalar":
        return const(0.0)
    return call(name(ctx.name_for(runtime.zeros_like, "zeros_like")), [name(param)])


def _docstring(ctx: Context) -> gast.stmt:
    wrt = ctx.wrt[0] if len(ctx.wrt) == 1 else f"({', '.join(ctx.wrt)})"
    origin = f"{ctx.source.short_filename}:{ctx.source.file_line(ctx.source.tree)}"
    text = f"d {ctx.source.name} / d {wrt}, generated by s2sgrad from {origin}."
    return gast.Expr(value=gast.Constant(value=text, kind=None))
