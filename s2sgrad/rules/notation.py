"""The rule notation: derivative rules written as template functions.

A rule is a Python function whose first parameter names the result and whose
other parameters name the arguments of the call it differentiates::

    @adjoint(numpy.sin)
    def sin(y, x):
        d[x] += d[y] * numpy.cos(x)

``d[v]`` is the adjoint of ``v``. A body holds only ``d[arg] += expr``,
``d[arg] -= expr`` and ``temp = expr`` statements. The template is never run:
the transformer parses it once, substitutes the real names and inlines it.
Statements for arguments that are not differentiated are dropped, so one
template serves every combination of active arguments.

The same template may also give the rule's forward direction, the tangent of
the result, ``t[v]`` being the tangent of ``v``::

    @adjoint(numpy.sin)
    def sin(y, x):
        d[x] += d[y] * numpy.cos(x)
        t[y] = t[x] * numpy.cos(x)

A tangent is linear in the arguments' tangents: its expression is a sum of
terms (``t[z] = t[x] * y + x * t[y]``), and forward mode drops the terms whose
tangents are all of arguments that are not differentiated (a term naming
several tangents, or ``t[args]`` of a tuple, keeps it with zeros in their
place). ``@tangent(f)`` gives a tangent on its own, for a rule given elsewhere.
"""

import inspect
import keyword
import os
import textwrap
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

import gast

from .. import runtime
from ..errors import TransformError

# How a rule's result kind follows from its arguments' kinds (see analyze.kinds).
RESULT_KINDS = ("elementwise", "scalar", "integer", "shape", "same", "reduction", "unknown")


class _AdjointNotation:
    """The ``d`` of templates; only ever parsed, never evaluated."""

    def __getitem__(self, item: Any) -> Any:
        raise TypeError("d[...] is rule notation; templates are not meant to be called")


d = _AdjointNotation()


class _TangentNotation:
    """The ``t`` of templates; only ever parsed, never evaluated."""

    def __getitem__(self, item: Any) -> Any:
        raise TypeError("t[...] is rule notation; templates are not meant to be called")


t = _TangentNotation()


@dataclass(frozen=True)
class TangentRule:
    """The forward direction of a rule: ``temp = expr`` statements, then ``t[result] = expr``."""

    name: str
    template: gast.FunctionDef
    signature: inspect.Signature
    namespace: Dict[str, Any]
    where: str
    shape_only: Tuple[str, ...] = ()  # arguments read only for their shape: no tangent term


@dataclass(frozen=True)
class Rule:
    """One derivative rule, parsed and checked."""

    name: str
    template: Optional[gast.FunctionDef]  # None for a zero-derivative function
    signature: Optional[inspect.Signature]
    namespace: Dict[str, Any]  # what the template's free names refer to
    result: str  # one of RESULT_KINDS
    where: str  # file:line of the template, for messages
    tangent: Optional[TangentRule] = None  # the forward direction, if the rule has one

    @property
    def differentiable(self) -> bool:
        return self.template is not None or self.tangent is not None

    @property
    def reads_result(self) -> bool:
        """Whether the adjoint reads the call's result itself (``tanh``: ``1 - y * y``), not only ``d[y]``."""
        if self.template is None:
            return False
        result = next(iter(self.signature.parameters))
        adjoint = [s for s in self.template.body if not _assigns_tangent(s)]
        notation = {id(n.slice) for s in adjoint for n in gast.walk(s) if _is_notation(n, "d")}
        reads = [n for s in adjoint for n in gast.walk(s) if isinstance(n, gast.Name) and n.id == result]
        return any(id(n) not in notation for n in reads)


def _is_notation(node: gast.AST, letter: str) -> bool:
    """``d[...]`` or ``t[...]``."""
    return isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name) and node.value.id == letter


def _assigns_tangent(stmt: gast.stmt) -> bool:
    return isinstance(stmt, gast.Assign) and _is_notation(stmt.targets[0], "t")


@dataclass(frozen=True)
class _Pending:
    """What the ``adjoint`` decorator records; a RuleTable turns it into Rules."""

    callables: Tuple[Any, ...]
    template: Optional[Callable]
    result: Optional[str]
    vjp: Optional[Callable] = None  # a plain VJP function instead of a template
    jvp: Optional[Callable] = None  # a plain JVP function: the tangent on its own
    tangent_only: bool = False  # the template gives a tangent for an existing rule
    shape_only: Tuple[str, ...] = ()  # see TangentRule
    checked: bool = True  # a plain VJP function's adjoints are counted at run time (see vjp_template)


@dataclass(frozen=True)
class RuleParts:
    """A pending rule parsed once: what each of its callables' Rules is made of."""

    template: Optional[gast.FunctionDef]
    signature: Optional[inspect.Signature]
    namespace: Dict[str, Any]
    where: str
    tangent: Optional[gast.FunctionDef]
    tangent_namespace: Dict[str, Any]
    pending: _Pending

    @classmethod
    def of(cls, pending: _Pending) -> "RuleParts":
        if pending.result is not None and pending.result not in RESULT_KINDS:
            raise ValueError(f"result must be one of {RESULT_KINDS}, not {pending.result!r}")
        template = signature = tangent = None
        namespace: Dict[str, Any] = {}
        where = "<zero derivative>"
        if pending.template is not None:
            template, signature, where = parse_template(pending.template)
            namespace = pending.template.__globals__
            template, tangent = split_directions(template)
        tangent_namespace = namespace
        if pending.vjp is not None:
            template, signature, namespace, where = vjp_template(pending.vjp, pending.checked)
        if pending.jvp is not None:  # its signature has no defaults: the adjoint's (if any) binds calls
            tangent, jvp_signature, tangent_namespace, where = jvp_template(pending.jvp)
            signature = signature or jvp_signature
        return cls(template, signature, namespace, where, tangent, tangent_namespace, pending)

    def tangent_rule(self, name: str) -> Optional[TangentRule]:
        if self.tangent is None:
            return None
        where, shape_only = self.where, self.pending.shape_only
        return TangentRule(name, self.tangent, self.signature, self.tangent_namespace, where, shape_only)

    def rule(self, name: str, result: str) -> Rule:
        adjoint = None if self.pending.tangent_only else self.template
        return Rule(name, adjoint, self.signature, self.namespace, result, self.where, self.tangent_rule(name))


DERIVED_RULE = "__s2sgrad_derived_rule__"  # on a function s2sgrad made: its DerivedRule


class DerivedRule:
    """The rule of a function s2sgrad made (``grad(h)``), from plain VJP and JVP functions.

    Parsed when a differentiated function first calls it, and kept: not in a
    RuleTable, so a ``grad(h)`` made in a loop neither grows the table nor
    invalidates the caches that key on its version.
    """

    def __init__(self, name: str, vjp: Callable, jvp: Callable) -> None:
        self._pending = _Pending((), None, "unknown", vjp, jvp, checked=False)
        self._name = name
        self._rule: Optional[Rule] = None

    def rule(self) -> Rule:
        if self._rule is None:
            self._rule = RuleParts.of(self._pending).rule(self._name, "unknown")
        return self._rule


def adjoint(*callables: Any, result: Optional[str] = None) -> Callable[[Callable], Callable]:
    """Mark a template function as the adjoint rule of ``callables``.

    Args:
        callables: the functions (or ufuncs, operators) the rule differentiates.
        result: how the result's kind follows from the arguments' (one of
            RESULT_KINDS); by default elementwise for ufuncs and operators,
            scalar for ``math`` functions, unknown otherwise.
    """

    def mark(template: Callable) -> Callable:
        template.__s2sgrad_rule__ = _Pending(callables, template, result)
        return template

    return mark


def tangent(
    *callables: Any, result: Optional[str] = None, shape_only: Tuple[str, ...] = ()
) -> Callable[[Callable], Callable]:
    """Mark a template ``t[result] = expr`` as the tangent rule of ``callables``.

    It joins the adjoint rule those callables already have (or stands alone).
    ``shape_only`` names arguments the callable reads only for their shape.
    """

    def mark(template: Callable) -> Callable:
        template.__s2sgrad_rule__ = _Pending(callables, template, result, tangent_only=True, shape_only=shape_only)
        return template

    return mark


def nondifferentiable(*callables: Any, result: Optional[str] = None) -> _Pending:
    """Declare functions whose derivative is zero (or whose result is not a number)."""
    return _Pending(callables, None, result)


def default_result_kind(func: Any) -> str:
    import numpy  # local: keeps this module's import light for the notation docs

    if isinstance(func, numpy.ufunc) or getattr(func, "__module__", "") in ("_operator", "operator"):
        return "elementwise"
    if getattr(func, "__module__", None) == "math":
        return "scalar"
    return "unknown"


def parse_template(template: Callable) -> Tuple[gast.FunctionDef, inspect.Signature, str]:
    """Parse and check a template; errors name the template's own file and line."""
    filename = inspect.getsourcefile(template) or "<rule>"
    lines, first = inspect.getsourcelines(template)
    tree = gast.parse(textwrap.dedent("".join(lines))).body[0]
    tree.decorator_list = []
    _spell_notation(tree, template.__globals__)
    signature = inspect.signature(template)
    params = list(signature.parameters)
    where = f"{filename}:{first}"

    def fail(node: gast.AST, message: str) -> TransformError:
        line = first + getattr(node, "lineno", 1) - 1
        return TransformError(f"invalid rule {template.__name__!r}: {message}", filename=filename, line=line)

    if not params:
        raise fail(tree, "the first parameter must name the result")
    if set(params) & {"d", "t"}:
        raise fail(tree, "'d' and 't' are the notation: name the parameters otherwise")
    for stmt in tree.body:
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant):
            continue  # docstring
        if isinstance(stmt, gast.Assign) and tangent_subjects(stmt.targets[0]) is not None:
            if tangent_subjects(stmt.targets[0]) != params[:1]:
                raise fail(stmt, f"a tangent assigns t[{params[0]}], the result")
            if not tangent_terms(stmt.value):
                raise fail(stmt, "a tangent is a sum of terms, each naming some t[<argument>]")
            continue
        if isinstance(stmt, gast.AugAssign) and isinstance(stmt.op, (gast.Add, gast.Sub)):
            targets = adjoint_subjects(stmt.target)
            if not targets or not set(targets) <= set(params[1:]):
                raise fail(stmt, "a '+=' or '-=' must target d[<argument>] or d[(<argument>, ...)]")
        elif not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)):
            raise fail(
                stmt, "only 'd[arg] += expr', 'd[arg] -= expr', 't[result] = expr' and 'temp = expr' are allowed"
            )
        for node in gast.walk(stmt):
            subjects = adjoint_subjects(node) or tangent_subjects(node) or []
            if not set(subjects) <= set(params):
                raise fail(stmt, f"{node.value.id}[{', '.join(subjects)}] names no parameter")
    return tree, signature, where


def split_directions(tree: gast.FunctionDef) -> Tuple[Optional[gast.FunctionDef], Optional[gast.FunctionDef]]:
    """The adjoint and the tangent parts of a template, each with the temporaries it reads (or None)."""

    def part(is_wanted: Callable[[gast.stmt], bool]) -> Optional[gast.FunctionDef]:
        wanted = [s for s in tree.body if is_wanted(s)]
        if not wanted:
            return None
        needed = {n.id for s in wanted for n in gast.walk(s) if isinstance(n, gast.Name)}
        body = []
        for stmt in reversed(tree.body):  # temporaries a kept statement reads, transitively
            if stmt in wanted or (_is_temp(stmt) and stmt.targets[0].id in needed):
                body.insert(0, stmt)
                needed |= {n.id for n in gast.walk(stmt) if isinstance(n, gast.Name)}
        copy = gast.FunctionDef(
            name=tree.name, args=tree.args, body=body, decorator_list=[], returns=None, type_comment=None
        )
        if "type_params" in gast.FunctionDef._fields:
            copy.type_params = []
        return copy

    adjoint_part = part(lambda s: isinstance(s, gast.AugAssign))
    tangent_part = part(lambda s: isinstance(s, gast.Assign) and tangent_subjects(s.targets[0]) is not None)
    return adjoint_part, tangent_part


def _is_temp(stmt: gast.stmt) -> bool:
    return isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)


def tangent_terms(expr: gast.expr) -> List[Tuple[bool, gast.expr]]:
    """The terms of a tangent's sum as ``(negated, term)``; empty if some term names no tangent."""
    if isinstance(expr, gast.BinOp) and isinstance(expr.op, (gast.Add, gast.Sub)):
        left, right = tangent_terms(expr.left), tangent_terms(expr.right)
        if not (left and right):
            return []
        flip = isinstance(expr.op, gast.Sub)
        return left + [(negated != flip, term) for negated, term in right]
    if isinstance(expr, gast.UnaryOp) and isinstance(expr.op, gast.USub):
        return [(not negated, term) for negated, term in tangent_terms(expr.operand)]
    if any(tangent_subjects(n) for n in gast.walk(expr)):
        return [(False, expr)]
    return []


def vjp_template(
    vjp: Callable, checked: bool = True
) -> Tuple[gast.FunctionDef, inspect.Signature, Dict[str, Any], str]:
    """A template that calls a plain VJP function ``vjp(d_result, *args) -> adjoint(s) of args``.

    For users who would rather write Python than the template notation: the
    template is ``adjoints = vjp(d[result], *args)`` and ``d[arg] += adjoints[i]``
    (``d[arg] += adjoints`` for a function of one argument). Unless ``checked`` is
    False (s2sgrad's own VJP functions), the adjoints' count is checked at run time.
    """
    try:
        parameters = list(inspect.signature(vjp).parameters.values())
    except (TypeError, ValueError):
        raise ValueError(f"cannot read the parameters of the VJP function {vjp!r}") from None
    if len(parameters) < 2 or any(p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters):
        raise ValueError("a VJP function takes the result's adjoint, then the function's arguments: vjp(g, x, ...)")
    args = [p.name for p in parameters[1:]]
    result = next(n for n in ("result", "result_", "result__") if n not in args)
    spelled = _spelling(vjp, "vjp", [*args, result, "vjp_adjoints"])
    call = f"{spelled}(d[{result}], {', '.join(args)})"
    where = _where(vjp)
    lines = [f"def vjp_rule({result}, {', '.join(args)}):"]
    if len(args) == 1:
        lines += [f"    adjoints = {call}", f"    d[{args[0]}] += adjoints"]
    else:  # one adjoint per argument, or an error naming the rule (not one deep in generated code)
        rule = repr(f"{getattr(vjp, '__qualname__', vjp)!s} ({os.path.basename(where)})")
        counted = f"vjp_adjoints({call}, {len(args)}, {rule})" if checked else call
        lines.append(f"    adjoints = {counted}")
        lines += [f"    d[{arg}] += adjoints[{i}]" for i, arg in enumerate(args)]
    tree = gast.parse("\n".join(lines)).body[0]
    positional = inspect.Parameter.POSITIONAL_OR_KEYWORD
    signature = inspect.Signature(
        [inspect.Parameter(result, positional)] + [p.replace(kind=positional) for p in parameters[1:]]
    )
    return tree, signature, {spelled: vjp, "vjp_adjoints": runtime.vjp_adjoints}, where


def _spelling(plain: Callable, default: str, taken: List[str]) -> str:
    """How a template calls a plain function: its own name when that is a free identifier (not ``<lambda>``)."""
    name = getattr(plain, "__name__", "")
    return name if name.isidentifier() and not keyword.iskeyword(name) and name not in (*taken, "d", "t") else default


def _where(plain: Callable) -> str:
    code = getattr(plain, "__code__", None)
    return f"{getattr(code, 'co_filename', '<plain rule>')}:{getattr(code, 'co_firstlineno', 0)}"


def jvp_template(jvp: Callable) -> Tuple[gast.FunctionDef, inspect.Signature, Dict[str, Any], str]:
    """A template that calls a plain JVP function ``jvp(*args, *tangents) -> tangent of the result``.

    The template is ``t[result] = jvp(x, y, t[x], t[y])``; an argument that is
    not differentiated passes a zero tangent.
    """
    try:
        parameters = list(inspect.signature(jvp).parameters.values())
    except (TypeError, ValueError):
        raise ValueError(f"cannot read the parameters of the JVP function {jvp!r}") from None
    plain = all(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)
    if not parameters or len(parameters) % 2 or not plain:
        raise ValueError("a JVP function takes the function's arguments, then their tangents: jvp(x, y, t_x, t_y)")
    args = [p.name for p in parameters[: len(parameters) // 2]]
    result = next(n for n in ("result", "result_", "result__") if n not in args)
    tangents = ", ".join(f"t[{a}]" for a in args)
    spelled = _spelling(jvp, "jvp", [*args, result])
    text = f"def jvp_rule({result}, {', '.join(args)}):\n    t[{result}] = {spelled}({', '.join(args)}, {tangents})"
    positional = inspect.Parameter.POSITIONAL_OR_KEYWORD
    signature = inspect.Signature([inspect.Parameter(n, positional) for n in [result, *args]])
    return gast.parse(text).body[0], signature, {spelled: jvp}, _where(jvp)


def _spell_notation(tree: gast.FunctionDef, namespace: Dict[str, Any]) -> None:
    """``s2sgrad.d[x]`` and ``d[x]`` are one notation: found by object, spelled ``d`` (and ``t``)."""
    for node in gast.walk(tree):
        if not isinstance(node, gast.Subscript):
            continue
        notation = _denotes(node.value, namespace)
        if notation is d or notation is t:
            spelled = "d" if notation is d else "t"
            node.value = gast.Name(id=spelled, ctx=gast.Load(), annotation=None, type_comment=None)


def _denotes(node: gast.AST, namespace: Dict[str, Any]) -> Any:
    if isinstance(node, gast.Name):
        return namespace.get(node.id)
    if isinstance(node, gast.Attribute):
        return getattr(_denotes(node.value, namespace), node.attr, None)
    return None


def adjoint_subjects(node: gast.AST) -> Optional[List[str]]:
    """``[v]`` for a ``d[v]`` node, ``[a, b]`` for ``d[(a, b)]``, else None."""
    return _subjects(node, "d")


def tangent_subjects(node: gast.AST) -> Optional[List[str]]:
    """``[v]`` for a ``t[v]`` node, ``[a, b]`` for ``t[(a, b)]``, else None."""
    return _subjects(node, "t")


def _subjects(node: gast.AST, notation: str) -> Optional[List[str]]:
    if not (isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name) and node.value.id == notation):
        return None
    elements = node.slice.elts if isinstance(node.slice, gast.Tuple) else [node.slice]
    if not all(isinstance(e, gast.Name) for e in elements):
        return None
    return [e.id for e in elements]
