"""Functions defined inside the differentiated function become functions of their own.

A nested ``def`` (or a lambda bound to a name) reads the enclosing function's
variables; differentiating a call to it must send adjoints to those
variables too. So the nested function is *lifted*: what it reads of the
enclosing function's variables becomes extra parameters, it is compiled as a
function of its own (its gradient then is generated like any callee's), and
each call passes those variables explicitly.

    before                              after
    def f(x, scale):                    def f(x, scale):
        def g(v):                           y = g(x, scale)      # g(v, scale) lifted
            return v * scale                return y
        y = g(x)
        return y

A transform of a nested function called at once, ``s2sgrad.grad(g)(v)``, is the
transform of the lifted function called with the captured variables too:
``s2sgrad.grad(g)(v, scale)``, ``wrt`` still naming ``v``. Its derivative rule
(a Hessian-vector product) then sends adjoints to ``scale`` as well: the
gradient depends on the enclosing function's variables through the closure.
"""

import copy
import dataclasses
from typing import Any, Dict, List, NamedTuple, Optional, Set

import gast

from ..context import Context
from ..emit import compile_function, unparse_tree
from ..nodes import const, constant_value, name, names_stored
from ..parse.resolve import BUILT_AT_COMPILE_TIME


class _Lifted(NamedTuple):
    function: str  # the name the generated code calls the lifted function by
    captured: List[str]  # the enclosing function's variables it reads: its last parameters
    arity: int  # its own parameters, before those


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    definitions: List[gast.FunctionDef] = []
    tree.body = _lifted_out(tree.body, definitions)
    if not definitions:
        return tree
    _check_defined_once(definitions, tree.body, ctx)
    lifted: Dict[str, _Lifted] = {}
    for definition in definitions:
        captured = _captured(definition, ctx)
        func = compiled(definition, captured, ctx)
        lifted[definition.name] = _Lifted(ctx.name_for(func, definition.name), captured, len(definition.args.args))
    tree.body = [_with_lifted_calls(stmt, lifted, ctx) for stmt in tree.body]
    return tree


def _lifted_out(stmts: List[gast.stmt], definitions: List[gast.FunctionDef]) -> List[gast.stmt]:
    """The block without its nested definitions (in branches and loops too), which go to ``definitions``.

    Lifting one out of a branch or a loop is sound: a call passes the captured
    variables as they are when it runs, which is what a closure reads too.
    """
    body = []
    for stmt in stmts:
        definition = _definition(stmt)
        if definition is not None:
            definitions.append(definition)
            continue
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            stmt.body, stmt.orelse = _lifted_out(stmt.body, definitions), _lifted_out(stmt.orelse, definitions)
        body.append(stmt)
    return body


def _check_defined_once(definitions: List[gast.FunctionDef], body: List[gast.stmt], ctx: Context) -> None:
    """One function per name: lifted, two definitions (or a definition and a value) would be one."""
    seen: Set[str] = set()
    assigned = {n for stmt in body for n in names_stored(stmt)}
    for definition in definitions:
        if definition.name in seen or definition.name in assigned:
            raise ctx.error(
                definition,
                f"{definition.name!r} is defined more than once, or also assigned, in the function",
                "give each nested function a name of its own.",
            )
        seen.add(definition.name)


def _definition(stmt: gast.stmt):
    """The nested ``def``, or ``g = lambda ...`` as one; None for any other statement."""
    if isinstance(stmt, gast.FunctionDef):
        return stmt
    lambda_ = getattr(stmt, "value", None)
    if isinstance(stmt, gast.Assign) and isinstance(lambda_, gast.Lambda) and isinstance(stmt.targets[0], gast.Name):
        return definition_of(lambda_, stmt.targets[0].id, stmt)
    return None


def definition_of(lambda_: gast.Lambda, identifier: str, like: gast.AST) -> gast.FunctionDef:
    """``def identifier(params): return body`` for a lambda."""
    definition = gast.FunctionDef(
        name=identifier,
        args=lambda_.args,
        body=[gast.copy_location(gast.Return(value=lambda_.body), lambda_.body)],
        decorator_list=[],
        returns=None,
        type_comment=None,
    )
    if "type_params" in gast.FunctionDef._fields:
        definition.type_params = []
    return gast.copy_location(definition, like)


def _captured(definition: gast.FunctionDef, ctx: Context) -> List[str]:
    """The enclosing function's variables the nested function reads."""
    args = definition.args
    if args.defaults or args.vararg or args.kwarg or args.kwonlyargs or definition.decorator_list:
        raise ctx.error(
            definition,
            "a nested function with defaults, *args, **kwargs or decorators is not supported yet",
            "give it plain parameters, or define it at module level.",
        )
    for node in gast.walk(definition):
        if isinstance(node, (gast.Nonlocal, gast.Global)):
            raise ctx.error(node, "writing a nonlocal or global variable cannot be differentiated", "return the value.")
    own = {a.id for a in args.args} | names_stored(definition)
    read = {n.id for n in gast.walk(definition) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
    if definition.name in read:
        raise ctx.error(
            definition, "a nested function that calls itself is not supported yet", "define it at module level."
        )
    return sorted((read - own) & ctx.local_names)


def compiled(definition: gast.FunctionDef, captured: List[str], ctx: Context):
    lifted = copy.deepcopy(definition)
    lifted.args.args = [*lifted.args.args, *(name(c, store=False) for c in captured)]
    for arg in lifted.args.args:
        arg.ctx, arg.annotation = gast.Param(), None
    text = unparse_tree(lifted) + "\n"
    func = compile_function(text, lifted.name, ctx.source.func, {}, ())
    # Its source, for the compiler, is the user's: errors and comments name the user's file and lines.
    func.__s2sgrad_source__ = dataclasses.replace(ctx.source, func=func, tree=lifted)
    return func


def _with_lifted_calls(stmt: gast.stmt, lifted: Dict[str, _Lifted], ctx: Context) -> gast.stmt:
    """Calls, and calls of a transform of a nested function, pass the captured variables; any other use of a
    nested function is rejected."""
    found = [(n, _called_nested(n, lifted, ctx)) for n in gast.walk(stmt) if isinstance(n, gast.Call)]
    calls = [(call, nested) for call, nested in found if nested is not None]
    passed = {id(nested) for _, nested in calls}
    for node in gast.walk(stmt):
        if isinstance(node, gast.Name) and node.id in lifted and id(node) not in passed:
            raise ctx.error(
                node,
                f"the nested function {node.id!r} can only be called here",
                "call it directly, or call a transform of it at once (s2sgrad.grad(f)(x)).",
            )
    for node, nested in calls:
        function = lifted[nested.id]
        if node.func is not nested:  # a transform's call: the lifted function's, wrt counted as before
            _shift_negative_wrt(node.func, function.arity)
        nested.id = function.function
        node.args = [*node.args, *(name(c) for c in function.captured)]
    return stmt


def _called_nested(node: gast.Call, lifted: Dict[str, _Lifted], ctx: Context) -> Optional[gast.Name]:
    """The nested function's name in ``g(...)`` or ``s2sgrad.grad(g, ...)(...)``; None for other calls."""
    func = node.func
    if isinstance(func, gast.Call) and func.args and getattr(ctx.resolve(func.func), BUILT_AT_COMPILE_TIME, False):
        func = func.args[0]  # a transform made at compile time: of the lifted function, from its name
    return func if isinstance(func, gast.Name) and func.id in lifted else None


def _shift_negative_wrt(transform: gast.Call, arity: int) -> None:
    """``wrt=-1`` counts from the nested function's last parameter, not from the lifted function's."""
    keywords = [k for k in transform.keywords if k.arg == "wrt"]
    node = keywords[0].value if keywords else transform.args[1] if len(transform.args) > 1 else None
    if node is None:
        return
    shifted = _shifted(constant_value(node), arity)
    if shifted != constant_value(node):
        located = gast.copy_location(const(shifted), node)
        if keywords:
            keywords[0].value = located
        else:
            transform.args[1] = located


def _shifted(wrt: Any, arity: int) -> Any:
    if isinstance(wrt, tuple):
        return tuple(_shifted(w, arity) for w in wrt)
    return wrt + arity if type(wrt) is int and wrt < 0 else wrt
