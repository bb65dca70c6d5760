"""Reverse mode: a forward sweep, then the adjoint of each statement in reverse.

The forward sweep is the normalized body. The reverse sweep seeds the adjoint
of the returned value with ``d_out`` and walks the body backwards, keeping its
shape: the adjoint of an assignment instantiates the operation's rule for its
active arguments, an ``if`` becomes an ``if`` on the same condition with each
branch reversed, a loop over ``range`` runs backwards over the same range, and
a ``while`` loop (or a loop left by ``break``) replays the number of
iterations the forward sweep counted. What the reverse sweep reads of values
the forward sweep overwrote is saved by :mod:`.storage`.

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
from ..analyze.shapes import ShapeFacts
from ..context import Context
from ..kinds import Kind, array
from ..nodes import (
    assign,
    call,
    comment,
    const,
    constant_value,
    function_def,
    located,
    name,
    names_stored,
    writes_of,
)
from . import storage
from .adjoints import Adjoints
from .instantiate import Instantiator
from .sweep import Sweep, count_trips, zero_of


@dataclass(frozen=True)
class ReverseOptions:
    with_value: bool = False  # also return the function's value: (value, gradient)
    tuple_wrt: bool = False  # return a tuple of gradients even for one wrt
    # A callee's gradient: cut into forward_h and backward_h after optimization (see transform.split).
    split: bool = False
    # ... whose forward_h returns its value alone when backward_h can recompute what it reads (a caller's call).
    record_free: bool = False


def reverse(
    tree: gast.FunctionDef, ctx: Context, kinds: Dict[str, Kind], active: Set[str], options: ReverseOptions
) -> gast.FunctionDef:
    seed_name = ctx.namer.fresh("d_out")
    containers = any(k.is_container for k in kinds.values())
    add_structured = ctx.name_for(runtime.add_structured, "add_structured") if containers else ""
    adjoints = Adjoints(ctx.namer, seed_name, kinds, add_structured)
    forward = [s for s in tree.body if not isinstance(s, gast.Return)]
    returned = tree.body[-1]
    trips = ctx.trips = count_trips(forward, ctx, kinds)
    instantiator = Instantiator(ctx, kinds, active, adjoints)
    instantiator.shapes = ShapeFacts(tree, ctx)
    sweep = Sweep(ctx, kinds, active, adjoints, instantiator, trips)
    sweep.indexed_by_key = {
        n.value.id
        for n in gast.walk(tree)
        if isinstance(n, gast.Subscript)
        and isinstance(n.value, gast.Name)
        and type(constant_value(n.slice)) in (int, str)
    }

    backward: List[gast.stmt] = []
    result = returned.value
    if isinstance(result, gast.Name) and result.id in active:
        backward.append(adjoints.seed(result.id, returned))
    sweep.name_records(forward)
    backward += sweep.block(forward)
    sweep.run_forward_functions(forward)
    forward, backward = storage.store(forward, backward, sweep, ctx)
    restored = isinstance(result, gast.Name) and result.id in writes_of_all(backward)
    if options.with_value and not options.split and restored:
        value = ctx.namer.fresh("value")  # the reverse sweep restores earlier values of the result's name
        forward.append(assign(value, name(result.id), returned))
        returned = located(gast.Return(value=name(value)), returned)

    sections = [comment("forward sweep"), *forward, comment("reverse sweep")]
    body = sections + backward + _gradients(ctx, adjoints, kinds, returned, options)
    ctx.scalar_adjoints = adjoints.scalars
    ctx.primals = {adjoint: var for var, adjoint in adjoints.names.items()}
    ctx.sweep_names = {n for s in backward for n in names_stored(s)}
    prefix = "value_and_grad" if options.with_value else "grad"
    params = [*list(tree.args.args), name(seed_name, store=False)]
    defaults = [*list(tree.args.defaults), const(1.0)]
    docstring = ctx.docstring(f"d {ctx.source.name} / d {ctx.wrt_text}")
    return function_def(f"{prefix}_{ctx.source.name}", params, defaults, [docstring, *body], tree)


def writes_of_all(stmts: List[gast.stmt]) -> Set[str]:
    return {n for s in stmts for n in writes_of(s)}


def _gradients(
    ctx: Context, adjoints: Adjoints, kinds: Dict[str, Kind], returned: gast.Return, options: ReverseOptions
) -> List[gast.stmt]:
    """Zeros for parameters without a contribution, copies where buffers are shared, the return."""
    out: List[gast.stmt] = []
    shared = adjoints.shared_roots(list(ctx.wrt))
    for param in ctx.wrt:
        adjoint = adjoints.name_of(param)
        value = None
        if not adjoints.is_defined(param):
            value = zero_of(ctx, param, kinds)
        elif kinds[param].is_container:  # a tuple's gradient is a tuple (lists are built as lists)
            value = call(name(ctx.name_for(runtime.structured_like, "structured_like")), [name(adjoint), name(param)])
        elif kinds[param] == array(0):  # NumPy turns 0-d arrays into scalars along the way
            value = call(ctx.reference(numpy, "asarray"), [name(adjoint)])
        elif param in shared and not kinds[param].is_scalar:
            value = call(name(ctx.name_for(runtime.fresh_copy, "fresh_copy")), [name(adjoint)])
        if value is not None:
            out.append(located(gast.Assign(targets=[name(adjoint, True)], value=value, type_comment=None), returned))
    grads: gast.expr = name(adjoints.name_of(ctx.wrt[0]))
    if len(ctx.wrt) > 1 or options.tuple_wrt:
        grads = gast.Tuple(elts=[name(adjoints.name_of(p)) for p in ctx.wrt], ctx=gast.Load())
    if options.with_value:
        grads = gast.Tuple(elts=[returned.value, grads], ctx=gast.Load())
    out.append(located(gast.Return(value=grads), returned))
    return out
