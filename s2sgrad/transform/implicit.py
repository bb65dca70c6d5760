"""A call of a solver made with ``s2sgrad.custom_root``: differentiated by the implicit function theorem.

``x = kepler(e, M)`` with the residual ``F(E, e, M) = E - e sin E - M``: the
forward sweep runs the solver as it is; the reverse sweep never goes through
its iterations. It applies ``d_p = -(dF/dx)^-T d_x . dF/dp`` at the solution,
with the residual's derivatives from the residual's own generated gradient.
For a number ``x`` that is one call and a division::

    # E = kepler(e, M)  (orbit.py:12)
    t4, t5, t6 = grad_kepler_residual(E, e, M)  # dF/dE, dF/de, dF/dM
    t7 = -d_E / t4
    d_e = t7 * t5
    d_M = t7 * t6

For an array ``x`` (or one whose kind is not known) a runtime helper solves for
the cotangent ``lam`` in ``(dF/dx)^T lam = -d_x``, building ``dF/dx`` column by
column from the residual's generated forward function, and the residual's
reverse sweep along ``lam`` (``forward_F``/``backward_F``, a callee's split, see
transform.split) gives the parameters' adjoints. Forward mode is the
same theorem the other way: ``t_x = -(dF/dx)^-1 (dF/dp . t_p)``.

The generated code is plain Python calling generated functions, so forward mode
differentiates it again (``hessian``, ``jvp(grad(f))``) where ``x`` is a number.
"""

import copy
import inspect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Dict, List, Optional

import gast

from ..analyze.calls import argument_kinds, bound_arguments
from ..context import Context
from ..implicit import Root, implicit_cotangent, implicit_tangent
from ..kinds import Kind
from ..nodes import assign, call, const, located, name
from .instantiate import Instantiator, check_no_active_sequences

if TYPE_CHECKING:  # they import this module
    from ..analyze.ops import Operation
    from ..pipeline import Generated
    from .forward import Pairing
    from .sweep import Sweep


@dataclass
class _Site:
    """One call of a solver, seen as the residual at its solution."""

    root: Root
    args: List[gast.expr]  # the residual's arguments: the solution, then the values of the solver's parameters
    kinds: Dict[str, Kind]  # of the residual's parameters
    active: List[str]  # the residual's parameters (after the solution) whose values are differentiated
    ctx: Context
    is_number: bool  # the solution and the residual are known to be numbers: no helper, no Jacobian

    def function(self, generated: "Generated", forward_half: bool = False) -> gast.expr:
        """The name of a generated function of the residual (``forward_F`` of a split gradient with
        ``forward_half``), listed after the caller's by ``source()``."""
        if generated.source:
            self.ctx.callees.append(generated)
        if forward_half:
            return name(self.ctx.name_for(generated.forward_function, generated.forward_name))
        return name(self.ctx.name_for(generated.function, generated.name))


def call_site(root: Root, stmt: gast.Assign, op: "Operation", ctx: Context, instantiator: Instantiator) -> _Site:
    """Bind the solver's call and check that its result can be a root of the residual."""
    func = op.func
    nodes = bound_arguments(func, op.args, op.keywords, ctx, stmt.value)
    check_no_active_sequences(nodes, instantiator, ctx)
    param_kinds = argument_kinds(func, nodes, instantiator.kind)
    solution = stmt.targets[0].id
    kind = instantiator.kind(name(solution))
    if not kind.is_float:
        raise ctx.error(
            stmt.value,
            f"custom_root: {func.__name__} returns a {kind}, not a float or a float array",
            "a solver made with s2sgrad.custom_root returns its solution alone, a float or a float array.",
        )
    kinds = {root.solution: kind, **{p: param_kinds[p] for p in root.parameters}}
    residual_kind = ctx.callee_result_kind(root.residual, kinds)
    if _mismatched(kind, residual_kind):
        raise ctx.error(
            stmt.value,
            f"custom_root: the residual {root.residual.__name__} returns a {residual_kind} for a solution that is "
            f"a {kind}: it must return one equation per element of the solution",
            f"make {root.residual.__name__} return a value of the solution's shape.",
        )
    args = [name(solution), *(_argument(func, p, nodes[p], ctx) for p in root.parameters)]
    active = [p for p in root.parameters if instantiator.active_slots(args[1 + root.parameters.index(p)])]
    is_number = kind.tag == "scalar" and residual_kind.tag == "scalar"
    return _Site(root, args, kinds, active, ctx, is_number)


def _mismatched(solution: Kind, residual: Kind) -> bool:
    """A number's residual is a number and an array's an array, where both kinds are known."""
    known = {"scalar", "array"}
    return solution.tag in known and residual.tag in known and (solution.tag == "scalar") != residual.is_scalar


def _argument(func: Callable, parameter: str, node: Optional[gast.expr], ctx: Context) -> gast.expr:
    """The value a parameter gets at the call: the argument's node, or the solver's default."""
    if node is not None:
        return node
    default = inspect.signature(func).parameters[parameter].default
    simple = default is None or type(default) in (bool, int, float, str)
    return const(default) if simple else name(ctx.name_for(default, f"{parameter}_default"))


def reverse_call(sweep: "Sweep", stmt: gast.Assign, op: "Operation", root: Root) -> List[gast.stmt]:
    """The adjoints of the solver's arguments from the solution's, ``d_x``."""
    ctx = sweep.ctx
    site = call_site(root, stmt, op, ctx, sweep.instantiator)
    if not site.active:
        return []
    d_x = name(sweep.adjoints.name_of(stmt.targets[0].id))
    if site.is_number:  # dF/dx and dF/dp in one reverse sweep of the residual; then d_p = -d_x / (dF/dx) * dF/dp
        gradient = ctx.callee_whole_gradient(root.residual, (root.solution, *site.active), site.kinds)
        partials = [ctx.namer.temp() for _ in range(1 + len(site.active))]
        out = [_unpacked(partials, call(site.function(gradient), _copied(site.args)), stmt)]
        factor = ctx.namer.temp()
        out.append(assign(factor, _negated_ratio(d_x, name(partials[0])), stmt))
        contributions = [gast.BinOp(left=name(factor), op=gast.Mult(), right=name(p)) for p in partials[1:]]
    else:  # the residual's reverse sweep along lam, with (dF/dx)^T lam = -d_x
        gradient = ctx.callee_gradient(root.residual, tuple(site.active), site.kinds)
        out, records = [], []
        if gradient.keeps_record:  # its forward sweep at the root, for the record only
            records.append(name(ctx.namer.fresh("residual_record")))
            forward = call(site.function(gradient, forward_half=True), _copied(site.args))
            out.append(_unpacked([ctx.namer.fresh("_"), records[0].id], forward, stmt))
        jvp = ctx.callee_forward(root.residual, (root.solution,), site.kinds)
        helper = name(ctx.name_for(implicit_cotangent, "implicit_cotangent"))
        cotangent = ctx.namer.temp()
        out.append(assign(cotangent, call(helper, [site.function(jvp), d_x, *_copied(site.args)]), stmt))
        backward = call(
            site.function(gradient),
            [*records, *_copied(site.args)],
            [gast.keyword(arg=gradient.seed, value=name(cotangent))],
        )
        contributions = _parts(backward, len(site.active), out, ctx, stmt)
    for parameter, value in zip(site.active, contributions):
        out.append(sweep.adjoints.accumulate(site.args[1 + root.parameters.index(parameter)].id, value, False, stmt))
    return out


def _parts(value: gast.expr, count: int, out: List[gast.stmt], ctx: Context, stmt: gast.stmt) -> List[gast.expr]:
    """``value`` alone, or its ``count`` parts unpacked into temporaries (appended to ``out``)."""
    if count == 1:
        return [value]
    parts = [ctx.namer.temp() for _ in range(count)]
    out.append(_unpacked(parts, value, stmt))
    return [name(p) for p in parts]


def forward_call(pairing: "Pairing", stmt: gast.Assign, op: "Operation", root: Root) -> List[gast.stmt]:
    """``x = solver(a, b)`` and the tangent ``t_x = -(dF/dx)^-1 (dF/da t_a + dF/db t_b)``.

    One forward function of the residual, along the solution and the active
    parameters, gives both: along the parameters' tangents (the solution's
    still), and along the solution (the parameters' still) for dF/dx.
    """
    ctx = pairing.ctx
    site = call_site(root, stmt, op, ctx, pairing.instantiator)
    solution = stmt.targets[0].id
    t_x = pairing.tangents.name_of(solution)
    if not site.active:
        return [stmt, assign(t_x, pairing.zero(name(solution)), stmt)]
    generated = ctx.callee_forward(root.residual, (root.solution, *site.active), site.kinds)
    jvp = site.function(generated)
    parameters = [site.args[1 + root.parameters.index(p)] for p in site.active]
    still = [pairing.zero(p) for p in parameters]
    t_residual = ctx.namer.temp()
    along_parameters = call(
        jvp, [*_copied(site.args), pairing.zero(name(solution)), *map(pairing.tangent_of, parameters)]
    )
    out = [stmt, _unpacked([ctx.namer.fresh("_"), t_residual], along_parameters, stmt)]
    if site.is_number:
        slope = ctx.namer.temp()
        along_solution = call(copy.deepcopy(jvp), [*_copied(site.args), const(1.0), *still])
        out.append(_unpacked([ctx.namer.fresh("_"), slope], along_solution, stmt))
        value = _negated_ratio(name(t_residual), name(slope))
    else:
        helper = name(ctx.name_for(implicit_tangent, "implicit_tangent"))
        still_tuple = gast.Tuple(elts=still, ctx=gast.Load())
        value = call(helper, [copy.deepcopy(jvp), name(t_residual), still_tuple, *_copied(site.args)])
    out.append(assign(t_x, value, stmt))
    return out


def _negated_ratio(numerator: gast.expr, denominator: gast.expr) -> gast.expr:
    """``-numerator / denominator``: the implicit function theorem for one equation in one unknown."""
    return gast.BinOp(left=gast.UnaryOp(op=gast.USub(), operand=numerator), op=gast.Div(), right=denominator)


def _copied(nodes: List[gast.expr]) -> List[gast.expr]:
    return [copy.deepcopy(n) for n in nodes]


def _unpacked(targets: List[str], value: gast.expr, stmt: gast.stmt) -> gast.stmt:
    tuple_target = gast.Tuple(elts=[name(t, True) for t in targets], ctx=gast.Store())
    return located(gast.Assign(targets=[tuple_target], value=value, type_comment=None), stmt)
