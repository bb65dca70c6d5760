"""Forward mode: each active value is paired with its tangent, statement by statement.

The normalized body is kept as it is; after each assignment to an active name
comes the assignment of its tangent ``t_<name>``, instantiated from the
operation's tangent rule (``t[y] = t[x] * numpy.cos(x)``). Control flow needs
nothing: an ``if``, a loop, a ``break`` run the same in both, since tangents
are computed where their values are. A value set from constants gets a zero
tangent, so every path leaves the same tangents defined.

    def f(x, y):                def jvp_f(x, y, t_x, t_y):
        z = x * y                   z = x * y
        return z + x                t_z = t_x * y + x * t_y
                                    t0 = z + x
                                    t_t0 = t_z + t_x
                                    return t0, t_t0
"""

import copy
from typing import Dict, List, Optional, Set

import gast

from .. import runtime
from ..analyze.calls import (
    argument_kinds,
    bound_arguments,
    call_arguments,
    display_items,
    is_user_function,
    passes_active,
)
from ..analyze.ops import operation_of
from ..context import Context
from ..implicit import implicit_root
from ..kinds import Kind
from ..names import Namer
from ..nodes import assign, call, const, function_def, is_element_write, located, name, names_read
from ..rules import Rule, TangentRule, tangent_subjects, tangent_terms
from . import implicit
from .instantiate import Instantiator, _is_setting, _Substitution


class Tangents:
    """The tangent name of each active value: ``t_<name>``, fresh against every name in use."""

    def __init__(self, namer: Namer) -> None:
        self.namer = namer
        self.names: Dict[str, str] = {}

    def name_of(self, var: str) -> str:
        if var not in self.names:
            self.names[var] = self.namer.fresh(f"t_{var}")
        return self.names[var]


def forward(tree: gast.FunctionDef, ctx: Context, kinds: Dict[str, Kind], active: Set[str]) -> gast.FunctionDef:
    tangents = Tangents(ctx.namer)
    params = [a.id for a in tree.args.args]
    wrt_tangents = [tangents.name_of(p) for p in ctx.wrt]
    pairing = Pairing(ctx, kinds, active, tangents, _element_written(tree, active))
    body = [assign(tangents.name_of(p), pairing.zero(name(p)), tree) for p in params if p in active - set(ctx.wrt)]
    body += pairing.block(tree.body[:-1])
    returned = tree.body[-1]
    result = gast.Tuple(elts=[returned.value, pairing.tangent_of(returned.value)], ctx=gast.Load())
    body.append(located(gast.Return(value=result), returned))
    # after a parameter with a default, the tangents need one too: None (always passed)
    defaults = [*tree.args.defaults, *[const(None) for _ in wrt_tangents]] if tree.args.defaults else []
    params = [*tree.args.args, *[name(t) for t in wrt_tangents]]
    docstring = ctx.docstring(f"{ctx.source.name} and its tangent along {ctx.wrt_text}")
    return function_def(f"jvp_{ctx.source.name}", params, defaults, [docstring, *body], tree)


def _element_written(tree: gast.FunctionDef, active: Set[str]) -> Set[str]:
    """Active arrays written element by element: their tangents must be buffers of their own."""
    return {
        s.targets[0].value.id
        for s in gast.walk(tree)
        if is_element_write(s) and isinstance(s.targets[0].value, gast.Name) and s.targets[0].value.id in active
    }


class Pairing:
    """Writes each statement followed (or preceded) by its tangent."""

    def __init__(
        self, ctx: Context, kinds: Dict[str, Kind], active: Set[str], tangents: Tangents, owned: Set[str]
    ) -> None:
        self.ctx, self.kinds, self.active, self.tangents, self.owned = ctx, kinds, active, tangents, owned
        self.instantiator = TangentInstantiator(ctx, kinds, active, tangents)

    # ----- blocks and statements -----

    def block(self, stmts: List[gast.stmt]) -> List[gast.stmt]:
        out: List[gast.stmt] = []
        for stmt in stmts:
            out += self.statement(stmt)
        return out

    def statement(self, stmt: gast.stmt) -> List[gast.stmt]:
        if isinstance(stmt, gast.Assign):
            return self.assignment(stmt)
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            stmt.body = self.block(stmt.body)
            stmt.orelse = self.block(stmt.orelse)
        return [stmt]

    def assignment(self, stmt: gast.Assign) -> List[gast.stmt]:
        if is_element_write(stmt):
            return [stmt, *self.element_write(stmt)]
        target = stmt.targets[0].id
        if target not in self.active:
            return [stmt]
        op = operation_of(stmt.value, self.ctx)
        if op.form == "call" and is_user_function(op.func, self.ctx):
            root = implicit_root(op.func)  # a solver made by s2sgrad.custom_root: not through its iterations
            return implicit.forward_call(self, stmt, op, root) if root else [self.call_forward(stmt, op)]
        tangent = self.tangent_rule(op)
        # normalization never assigns a call to its own operand (x = exp(x) is t0 = exp(x); x = t0): only an
        # operation with no tangent rule (x = x * 0.5, a tangent that reads no result) overwrites one
        overwritten = target in {n for a in op.args for n in names_read(a)}
        code = self.tangent_code(stmt, target, tangent)
        return [*code, stmt] if overwritten else [stmt, *code]  # an operand's old value: read it first

    def tangent_rule(self, op) -> Optional[TangentRule]:
        if op.form != "call":
            return None
        rule = self.ctx.rules.lookup(op.func)
        return rule.tangent if rule is not None else None

    def tangent_code(self, stmt: gast.Assign, target: str, tangent: Optional[TangentRule]) -> List[gast.stmt]:
        """``t_target = …`` for ``target = stmt.value``."""
        op = operation_of(stmt.value, self.ctx)
        t_target = self.tangents.name_of(target)
        if op.form == "copy":
            value = self.tangent_of(op.args[0])
        elif op.form == "subscript":
            value = self.tangent_of(stmt.value.value)
            if isinstance(value, gast.Name):
                value = gast.Subscript(value=value, slice=copy.deepcopy(stmt.value.slice), ctx=gast.Load())
        elif op.form == "display":
            value = copy.deepcopy(stmt.value)
            elements = value.values if isinstance(value, gast.Dict) else value.elts
            elements[:] = [self.tangent_of(e) for e in elements]
        elif op.form == "call" and self._differentiated(op):
            rule = self.ctx.rules.lookup(op.func)
            if tangent is None:
                raise self.missing_rule(stmt, op.func)
            code = self.instantiator.apply_tangent(rule, tangent, target, op.args, op.keywords, stmt)
            return self.owned_copy(target, code)
        else:  # a constant, or a function with a zero derivative
            value = self.zero(name(target))
        return self.owned_copy(target, [assign(t_target, value, stmt)])

    def _differentiated(self, op) -> bool:
        """A call with an active argument to a function whose derivative is not zero."""
        rule = self.ctx.rules.lookup(op.func)
        if rule is not None and not rule.differentiable:
            return False
        return any(self.instantiator.active_slots(a) for a in [*op.args, *[k.value for k in op.keywords]])

    def missing_rule(self, stmt: gast.Assign, func: object) -> Exception:
        label = getattr(func, "__qualname__", getattr(func, "__name__", repr(func)))
        return self.ctx.error(
            stmt.value,
            f"no tangent rule for {label!r}: forward mode cannot differentiate it",
            f"register one with s2sgrad.register_tangent({label}), or use reverse mode.",
        )

    def owned_copy(self, target: str, code: List[gast.stmt]) -> List[gast.stmt]:
        """A tangent written element by element later must not share another tangent's buffer."""
        last = code[-1]
        if target in self.owned and _may_share(last.value, self.ctx):
            last.value = call(name(self.ctx.name_for(runtime.fresh_copy, "fresh_copy")), [last.value])
        return code

    def element_write(self, stmt: gast.Assign) -> List[gast.stmt]:
        """``y[index] = v``: ``t_y[index] = t_v`` (zero for a constant ``v``)."""
        target = stmt.targets[0]
        if target.value.id not in self.active:
            return []
        element = gast.Subscript(
            value=name(self.tangents.name_of(target.value.id)), slice=copy.deepcopy(target.slice), ctx=gast.Store()
        )
        value = self.tangent_of(stmt.value) if self._is_active(stmt.value) else const(0.0)
        return [located(gast.Assign(targets=[element], value=value, type_comment=None), stmt)]

    def call_forward(self, stmt: gast.Assign, op) -> gast.stmt:
        """``y = helper(a, b)``: ``y, t_y = jvp_helper(a, b, t_a)``, a generated function of its own."""
        func = op.func
        nodes = bound_arguments(func, op.args, op.keywords, self.ctx, stmt.value)
        active = [p for p, node in nodes.items() if passes_active(node, self.active)]
        param_kinds = argument_kinds(func, nodes, self.instantiator.kind)
        generated = self.ctx.callee_forward(func, tuple(active), param_kinds)
        if generated.source:
            self.ctx.callees.append(generated)
        callee = name(self.ctx.name_for(generated.function, generated.name))
        args, keywords = call_arguments(func, op, nodes, self.ctx)  # the call as written, then each tangent by name
        keywords += [
            gast.keyword(arg=t, value=self.argument_tangent(nodes[p])) for p, t in zip(active, generated.tangent_params)
        ]
        target = stmt.targets[0].id
        pair = gast.Tuple(elts=[name(target, True), name(self.tangents.name_of(target), True)], ctx=gast.Store())
        value = call(callee, args, keywords)
        return located(gast.Assign(targets=[pair], value=value, type_comment=None), stmt)

    def argument_tangent(self, node: gast.expr) -> gast.expr:
        """``t_a`` for an argument ``a``; for a display ``(a, 2.0)`` (what ``*args`` or ``**kwargs`` gathers),
        the display of its tangents ``(t_a, 0.0)``."""
        items = display_items(node)
        if not items:
            return self.tangent_of(node)
        tangents = [self.tangent_of(v) for _, v in items]
        if isinstance(node, gast.Dict):
            return gast.Dict(keys=[const(k) for k, _ in items], values=tangents)
        return type(node)(elts=tangents, ctx=gast.Load())

    # ----- tangents of atoms -----

    def _is_active(self, node: Optional[gast.expr]) -> bool:
        return isinstance(node, gast.Name) and node.id in self.active

    def tangent_of(self, node: gast.expr) -> gast.expr:
        """``t_x`` for an active name, else a zero of the atom's kind."""
        if self._is_active(node):
            return name(self.tangents.name_of(node.id))
        return self.zero(node)

    def zero(self, node: gast.expr) -> gast.expr:
        return self.instantiator.zero(node)


class TangentInstantiator(Instantiator):
    """Instantiates tangent templates: the sum's terms whose tangents are all of inactive values are dropped."""

    def __init__(self, ctx: Context, kinds: Dict[str, Kind], active: Set[str], tangents: Tangents) -> None:
        super().__init__(ctx, kinds, active, None)
        self.tangents = tangents

    def zero(self, node: gast.expr) -> gast.expr:
        kind = self.kind(node)
        if kind.is_scalar or kind.is_integer or _is_setting(node):
            return const(0.0)
        return call(name(self.ctx.name_for(runtime.zero_tangent, "zero_tangent")), [copy.deepcopy(node)])

    def apply_tangent(
        self, rule: Rule, tangent: TangentRule, result: str, args: list, keywords: list, stmt: gast.Assign
    ) -> List[gast.stmt]:
        bound = self._bind(tangent, result, args, keywords, stmt)
        result_param = next(iter(tangent.signature.parameters))
        passed = tangent.signature.bind_partial(None, *args, **{k.arg: k.value for k in keywords}).arguments
        defaulted = set(bound) - set(passed)
        temps: Dict[str, str] = {}
        out: List[gast.stmt] = []
        for template_stmt in tangent.template.body:
            target = template_stmt.targets[0]
            if isinstance(target, gast.Name):  # a temporary
                temps[target.id] = self.ctx.namer.temp()
                value = _TangentSubstitution(self, tangent, bound, temps, defaulted).visit(
                    copy.deepcopy(template_stmt.value)
                )
                out.append(assign(temps[target.id], value, stmt))
                continue
            terms = tangent_terms(template_stmt.value)
            kept = [(negated, term) for negated, term in terms if self._any_active(term, bound)]
            covered = {p for _, term in terms for p in _subjects_in(term)} | set(tangent.shape_only)
            self.check_covered(rule.name, covered, bound, stmt)
            if not kept:  # only arguments read for their shape are active: the derivative is zero
                out.append(assign(self.tangents.name_of(stmt.targets[0].id), self.zero(name(result)), stmt))
                continue
            value = self._sum(kept, _TangentSubstitution(self, tangent, bound, temps, defaulted))
            if rule.result == "elementwise" and self._may_broadcast(kept, bound, result_param):
                helper = name(self.ctx.name_for(runtime.broadcast_tangent, "broadcast_tangent"))
                value = call(helper, [value, name(result)])
            out.append(assign(self.tangents.name_of(stmt.targets[0].id), value, stmt))
        return out

    def _any_active(self, term: gast.expr, bound: dict) -> bool:
        return any(self.active_slots(bound[p]) for p in _subjects_in(term))

    def _sum(self, kept: list, substitution: "_TangentSubstitution") -> gast.expr:
        total: Optional[gast.expr] = None
        for negated, term in kept:
            value = substitution.visit(copy.deepcopy(term))
            if total is None:
                total = gast.UnaryOp(op=gast.USub(), operand=value) if negated else value
            else:
                total = gast.BinOp(left=total, op=gast.Sub() if negated else gast.Add(), right=value)
        return total

    def _may_broadcast(self, kept: list, bound: dict, result_param: str) -> bool:
        """True unless the kept terms read the result or every operand that is not a scalar.

        ``z = x + c`` with ``c`` an array and ``x`` a scalar: ``t_z = t_x`` would be a scalar.
        """
        read = {n.id for _, term in kept for n in gast.walk(term) if isinstance(n, gast.Name)}
        read |= {p for _, term in kept for p in _subjects_in(term)}
        if result_param in read:
            return False
        return any(
            param not in read and not (self.kind(node).is_scalar or _is_setting(node))
            for param, node in bound.items()
            if param != result_param and not isinstance(node, (gast.Tuple, gast.List))
        )


class _TangentSubstitution(_Substitution):
    """Replaces ``t[v]`` by the tangent of what ``v`` is bound to (zeros for inactive values).

    A keyword argument ``k=param`` is left out where the call site left ``param`` to its
    default: ``numpy.sum(t_x)``, not ``numpy.sum(t_x, axis=None, dtype=None, keepdims=False)``.
    """

    def __init__(
        self, owner: "TangentInstantiator", rule: TangentRule, bound: dict, temps: dict, defaulted: Set[str]
    ) -> None:
        super().__init__(owner, rule, bound, temps)
        self.defaulted = defaulted

    def visit_Call(self, node: gast.Call) -> gast.expr:
        node.keywords = [
            k for k in node.keywords if not (isinstance(k.value, gast.Name) and k.value.id in self.defaulted)
        ]
        return self.generic_visit(node)

    def visit_Subscript(self, node: gast.Subscript) -> gast.expr:
        subjects = tangent_subjects(node)
        if subjects is None:
            return self.generic_visit(node)
        parts = [self._tangent(self.bound[s]) for s in subjects]
        return parts[0] if len(parts) == 1 else gast.Tuple(elts=parts, ctx=gast.Load())

    def _tangent(self, node: gast.expr) -> gast.expr:
        owner = self.owner
        if isinstance(node, (gast.Tuple, gast.List)):
            return type(node)(elts=[self._tangent(e) for e in node.elts], ctx=gast.Load())
        if isinstance(node, gast.Name) and node.id in owner.active:
            return name(owner.tangents.name_of(node.id))
        return owner.zero(node)


def _subjects_in(term: gast.expr) -> List[str]:
    return [s for n in gast.walk(term) for s in (tangent_subjects(n) or [])]


def _may_share(value: gast.expr, ctx: Context) -> bool:
    """A name, a view of one, or an operand's tangent passed through: may be another tangent's buffer."""
    if isinstance(value, (gast.Name, gast.Subscript)):
        return True
    return isinstance(value, gast.Call) and ctx.resolve(value.func) is runtime.broadcast_tangent
