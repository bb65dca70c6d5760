"""Instantiate a rule template at one call site.

Binding follows the template's own Python signature (``inspect.Signature.bind``
on AST nodes), so keywords, defaults and ``*args`` work as in a real call.
Statements whose target argument is not active are dropped; ``unbroadcast`` is
dropped where the kinds prove every other operand a scalar, or the shape facts
(analyze.shapes) prove the summed adjoint of the argument's shape: the adjoint
of a result has the result's shape, so in ``t2 = t0 - t1`` with ``t0 =
np.log(t1)`` (both of ``t1``'s set), ``d_t1 = -d_t2``.

    rule:       d[x] += unbroadcast(d[z] * y, x)
    call site:  t2 = t0 * w        (t0 active array, w a Python float)
    result:     d_t0 = d_t2 * w
"""

import builtins
from typing import Any, Dict, List, Optional, Set

import gast

from .. import runtime
from ..analyze.kinds import kind_of_atom
from ..analyze.shapes import ShapeFacts
from ..context import Context
from ..kinds import Kind
from ..nodes import const, copy_tree, located, name
from ..parse.resolve import MISSING
from ..rules import Rule, adjoint_subjects
from .adjoints import Adjoints


class Instantiator:
    def __init__(self, ctx: Context, kinds: Dict[str, Kind], active: Set[str], adjoints: Adjoints) -> None:
        self.ctx, self.kinds, self.active, self.adjoints = ctx, kinds, active, adjoints
        self.shapes: Optional[ShapeFacts] = None  # of the function differentiated (reverse mode sets them)
        self.site: Optional[gast.stmt] = None  # the statement being differentiated

    def apply(
        self, rule: Rule, result: str, args: List[gast.expr], keywords: List[gast.keyword], stmt: gast.stmt
    ) -> List[gast.stmt]:
        bound = self._bind(rule, result, args, keywords, stmt)
        self.check_covered(rule.name, _differentiated_params(rule), bound, stmt)
        self.site = stmt
        temps: Dict[str, str] = {}
        out: List[gast.stmt] = []
        for template_stmt in rule.template.body:
            if isinstance(template_stmt, gast.Assign):
                temps[template_stmt.targets[0].id] = self.ctx.namer.temp()
                value = self._substitute(template_stmt.value, rule, bound, temps)
                out.append(
                    located(
                        gast.Assign(
                            targets=[name(temps[template_stmt.targets[0].id], True)], value=value, type_comment=None
                        ),
                        stmt,
                    )
                )
            elif isinstance(template_stmt, gast.AugAssign):
                out += self._accumulate(template_stmt, rule, bound, temps, stmt)
        return out

    def check_covered(self, rule_name: str, covered: Set[str], bound: Dict[str, gast.expr], stmt: gast.stmt) -> None:
        """Every active argument is one the rule differentiates (the first parameter is the result)."""
        for param, node in list(bound.items())[1:]:
            if param not in covered and self.active_slots(node):
                raise self.ctx.error(
                    stmt.value,
                    f"the derivative rule of {rule_name!r} does not differentiate its argument {param!r}",
                    "make that argument a constant, or register a rule that covers it.",
                )

    # ----- binding -----

    def _bind(self, rule: Rule, result: str, args: list, keywords: list, stmt: gast.stmt) -> Dict[str, gast.expr]:
        try:
            bound = rule.signature.bind(name(result), *args, **{k.arg: k.value for k in keywords})
        except TypeError as exc:
            raise self.ctx.error(stmt.value, f"this call does not match the rule of {rule.name!r}: {exc}") from None
        bound.apply_defaults()
        nodes = {}
        for param, value in bound.arguments.items():
            if isinstance(value, tuple) and all(isinstance(v, gast.AST) for v in value):  # *args
                value = gast.Tuple(elts=list(value), ctx=gast.Load())
            nodes[param] = value if isinstance(value, gast.AST) else self._default(param, value)
        return nodes

    def _default(self, param: str, value: Any) -> gast.expr:
        """A rule's default: spelled out if it is a literal, else passed as the object itself, by a name."""
        if _is_literal(value):
            return const(value)
        return name(self.ctx.name_for(value, f"{param}_default"))

    def active_slots(self, node: gast.expr) -> List[Optional[str]]:
        """One slot per value an argument holds; the name if it is active, else None."""
        elements = node.elts if isinstance(node, (gast.Tuple, gast.List)) else [node]
        slots = [e.id if isinstance(e, gast.Name) and e.id in self.active else None for e in elements]
        return slots if any(slots) else []

    # ----- statements -----

    def _accumulate(
        self, template_stmt: gast.AugAssign, rule: Rule, bound: dict, temps: dict, stmt: gast.stmt
    ) -> List[gast.stmt]:
        params = adjoint_subjects(template_stmt.target)
        nodes = [bound[p] for p in params]
        slots = [s for node in nodes for s in (self.active_slots(node) or [None] * _width(node))]
        if not any(slots):
            return []
        subtract = isinstance(template_stmt.op, gast.Sub)
        value = self._substitute(template_stmt.value, rule, bound, temps)
        if len(nodes) == 1 and not isinstance(nodes[0], (gast.Tuple, gast.List)):
            return [self.adjoints.accumulate(slots[0], value, subtract, stmt, self._shared_buffer(value))]
        parts = [self.ctx.namer.temp() if s else self.ctx.namer.fresh("_") for s in slots]
        unpack = gast.Assign(
            targets=[gast.Tuple(elts=[name(p, True) for p in parts], ctx=gast.Store())], value=value, type_comment=None
        )
        out = [located(unpack, stmt)]
        out += [self.adjoints.accumulate(s, name(p), subtract, stmt, p) for s, p in zip(slots, parts) if s]
        return out

    def _shared_buffer(self, value: gast.expr) -> Optional[str]:
        """The adjoint whose buffer ``value`` may be: a plain copy, or unbroadcast of one."""
        while isinstance(value, gast.Call) and self.ctx.resolve(value.func) is runtime.unbroadcast:
            value = value.args[0]
        if isinstance(value, gast.Name):
            return value.id
        return None

    # ----- expressions -----

    def _substitute(self, expr: gast.expr, rule: Rule, bound: dict, temps: dict) -> gast.expr:
        return _Substitution(self, rule, bound, temps).visit(copy_tree(expr))

    def kind(self, node: gast.expr) -> Kind:
        return kind_of_atom(node, self.kinds, self.ctx)

    def unbroadcast_needed(self, argument: gast.expr, value: gast.expr, bound: dict, result_param: str) -> bool:
        """False when ``value``, the adjoint to sum to ``argument``'s shape, has that shape already: every other
        operand is a scalar, or the shape facts say so."""
        others = [n for p, n in bound.items() if p != result_param and n is not argument]
        same = isinstance(argument, gast.Name) and argument.id
        if all(self.kind(n).is_scalar or _is_setting(n) or (isinstance(n, gast.Name) and n.id == same) for n in others):
            return False
        return not self._same_shape(value, argument, bound[result_param])

    def _same_shape(self, value: gast.expr, argument: gast.expr, result: gast.expr) -> bool:
        """Whether ``value`` (which reads the adjoint of ``result``, of ``result``'s shape) and ``argument``, as
        they are at the statement differentiated, have equal shape sets."""
        if self.shapes is None or self.site is None or not isinstance(result, gast.Name):
            return False
        result_fact = self.shapes.assigned.get(id(self.site))
        adjoint = {self.adjoints.name_of(result.id): result_fact} if result_fact is not None else None
        shaped, like = self.shapes.fact(value, self.site, adjoint), self.shapes.fact(argument, self.site)
        return shaped is not None and like is not None and shaped.shape == like.shape


class _Substitution(gast.NodeTransformer):
    """Replaces template names by call-site nodes, d[v] by adjoint names."""

    def __init__(self, owner: Instantiator, rule: Rule, bound: dict, temps: dict) -> None:
        self.owner, self.rule, self.bound, self.temps = owner, rule, bound, temps
        self.result_param = next(iter(rule.signature.parameters))

    def visit_Subscript(self, node: gast.Subscript) -> gast.expr:
        subjects = adjoint_subjects(node)
        if subjects is None:
            return self.generic_visit(node)
        bound = self.bound[subjects[0]]
        return name(self.owner.adjoints.name_of(bound.id))

    def visit_Name(self, node: gast.Name) -> gast.expr:
        if node.id in self.bound:
            return copy_tree(self.bound[node.id])
        if node.id in self.temps:
            return name(self.temps[node.id])
        obj = self.rule.namespace.get(node.id, MISSING)
        if obj is MISSING:
            obj = getattr(builtins, node.id)
        return name(self.owner.ctx.name_for(obj, node.id))

    def visit_Call(self, node: gast.Call) -> gast.expr:
        is_unbroadcast = (
            isinstance(node.func, gast.Name) and self.rule.namespace.get(node.func.id) is runtime.unbroadcast
        )
        argument = self.bound.get(getattr(node.args[1], "id", None)) if is_unbroadcast else None
        if argument is None:
            return self.generic_visit(node)
        value = self.visit(node.args[0])
        if not self.owner.unbroadcast_needed(argument, value, self.bound, self.result_param):
            return value
        node.func, node.args = self.visit(node.func), [value, *(self.visit(a) for a in node.args[1:])]
        return node


def _differentiated_params(rule: Rule) -> Set[str]:
    return {p for stmt in rule.template.body if isinstance(stmt, gast.AugAssign) for p in adjoint_subjects(stmt.target)}


def _width(node: gast.expr) -> int:
    return len(node.elts) if isinstance(node, (gast.Tuple, gast.List)) else 1


def _is_setting(node: gast.expr) -> bool:
    """``None`` and strings (an absent bound, an einsum spec) never broadcast an operand."""
    return isinstance(node, gast.Constant) and (node.value is None or isinstance(node.value, str))


def check_no_active_sequences(nodes: Dict[str, Optional[gast.expr]], instantiator: Instantiator, ctx: Context) -> None:
    """A solver made by custom_root gets differentiated values one by one, not in a list or tuple display."""
    for node in nodes.values():
        if isinstance(node, (gast.Tuple, gast.List)) and instantiator.active_slots(node):
            raise ctx.error(
                node, "passing a list or tuple of differentiated values is not supported yet", "pass them one by one."
            )


def _is_literal(value: Any) -> bool:
    if type(value) is tuple:
        return all(map(_is_literal, value))
    return value is None or type(value) in (bool, int, float, str)
