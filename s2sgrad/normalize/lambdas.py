"""Lambdas inside expressions: ``functools.reduce`` and ``map`` unrolled, ``sorted``'s key compiled.

``list(...)`` and ``tuple(...)`` of a list or tuple written out (``list(map(f, [a, b]))``)
are that display: a new list (tuple) of the same items.

``reduce(f, [a, b, c])`` is ``f(f(a, b), c)`` and ``map(f, [a, b])`` is
``[f(a), f(b)]`` when the list or tuple is written out (its length is then
known). Over any other iterable, ``map(f, xs)`` is ``[f(v) for v in xs]`` (the
comprehension's loop), and ``reduce(f, xs)`` the loop it means, placed before
its statement (not where only some paths evaluate it: under ``if``/``and``/
``or``, in a comprehension or a ``while`` test). A lambda there becomes a nested function bound to a fresh name
(normalize.nested lifts it, so it may read the enclosing function's variables,
a loop variable included: each call passes their current values, as the
immediate calls of ``reduce`` and ``map`` see them). A ``key=`` lambda of
``sorted`` only orders the values (no derivative flows through it): it must
read nothing but its parameters and globals, and is compiled as a function of
its own. A lambda given to a transform (``s2sgrad.grad(lambda y: x * y)(2.0)``) is
bound to a fresh name too, for normalize.nested to lift.

    before                                   after
    p = reduce(lambda a, b: a * b, [x, y])   reduced = lambda a, b: a * b
                                             p = reduced(x, y)
    p = reduce(lambda a, b: a * b, xs)       reduced = lambda a, b: a * b
                                             reduced_value = xs[0]
                                             for item in xs[1:]:
                                                 reduced_value = reduced(reduced_value, item)
                                             p = reduced_value
"""

import builtins
import copy
import functools
from typing import List

import gast

from ..context import Context
from ..nodes import COMPOUND, assign, call, const, located, name
from ..parse.resolve import BUILT_AT_COMPILE_TIME, MISSING
from . import nested

ITERATED = {functools.reduce: "reduce", builtins.map: "map"}


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    tree.body = _rewritten(tree.body, ctx)
    return tree


def _rewritten(stmts: List[gast.stmt], ctx: Context) -> List[gast.stmt]:
    """The block with its calls rewritten; a lambda bound for a call goes just before its statement."""
    out: List[gast.stmt] = []
    for stmt in stmts:
        unroller = _Unroller(ctx, out, stmt)
        if isinstance(stmt, COMPOUND):
            for header in ("test", "iter"):
                if hasattr(stmt, header):
                    unroller.partial = int(isinstance(stmt, gast.While))  # its test runs again each iteration
                    setattr(stmt, header, unroller.visit(getattr(stmt, header)))
            stmt.body, stmt.orelse = _rewritten(stmt.body, ctx), _rewritten(stmt.orelse, ctx)
            out.append(stmt)
        elif isinstance(stmt, gast.FunctionDef):  # normalized when it is compiled
            out.append(stmt)
        else:
            out.append(unroller.visit(stmt))
    return out


class _Unroller(gast.NodeTransformer):
    """Rewrites the calls of one statement; the lambdas it binds go to ``bound`` (before the statement)."""

    def __init__(self, ctx: Context, bound: List[gast.stmt], stmt: gast.stmt) -> None:
        self.ctx, self.bound, self.stmt = ctx, bound, stmt
        self.partial = 0  # > 0 inside what only some paths evaluate: no loop can go before the statement

    def visit_Lambda(self, node: gast.Lambda) -> gast.Lambda:
        return node  # its body is its own

    def _partly(self, node: gast.expr) -> gast.expr:
        self.partial += 1
        self.generic_visit(node)
        self.partial -= 1
        return node

    visit_IfExp = visit_BoolOp = visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _partly

    def visit_Call(self, node: gast.Call) -> gast.expr:
        self.generic_visit(node)
        func = self.ctx.resolve(node.func)
        if func is not MISSING and not callable(func):  # the first pass to resolve every call; later ones look
            raise self.ctx.error(  # the callee up in tables, which an unhashable value (a list) cannot be
                node.func, f"{type(func).__name__!r} object is not callable", "call a function here."
            )
        if func is builtins.sorted:
            for keyword in node.keywords:
                if keyword.arg == "key" and isinstance(keyword.value, gast.Lambda):
                    keyword.value = _closed_function(keyword.value, self.ctx)
            return node
        if func in (builtins.list, builtins.tuple) and _one_display(node):  # list(map(...)): the same items
            kind = gast.List if func is builtins.list else gast.Tuple
            return located(kind(elts=node.args[0].elts, ctx=gast.Load()), node)
        if getattr(func, BUILT_AT_COMPILE_TIME, False) and node.args and isinstance(node.args[0], gast.Lambda):
            node.args[0] = self._bound(node.args[0], "inner")  # s2sgrad.grad(lambda y: x * y): see normalize.nested
            return node
        if func not in ITERATED or not node.args or node.keywords:
            return node
        function = node.args[0]
        if isinstance(function, gast.Lambda):
            function = self._bound(function, "reduced" if func is functools.reduce else "mapped")
        iterables = node.args[1:]
        if func is functools.reduce and len(iterables) > 2:
            raise self.ctx.error(node, "reduce takes a function, an iterable and an initial value")
        lengths_from = iterables[:1] if func is functools.reduce else iterables  # reduce's initial value: any
        written_out = all(isinstance(i, (gast.List, gast.Tuple)) for i in lengths_from)
        if func is functools.reduce:
            if written_out:
                return located(_reduced(function, iterables, node, self.ctx), node)
            return self.reduce_loop(function, iterables, node)
        if written_out:
            return located(_mapped(function, iterables, node), node)
        return _all_at(_map_comprehension(function, iterables, self.ctx), node)

    def reduce_loop(self, function: gast.expr, args: List[gast.expr], node: gast.Call) -> gast.Name:
        """``reduce(f, xs[, initial])`` as its loop, before the statement; the name of its result."""
        if self.partial:
            raise self.ctx.error(
                node,
                "reduce over a list whose length the compiler cannot see is not supported where only some "
                "paths evaluate it (under if/and/or, in a comprehension or a while test)",
                "assign the reduce to a name in a statement of its own first.",
            )
        items = args[0]
        if not isinstance(items, gast.Name):
            temp = self.ctx.namer.fresh("reduced_items")
            self.bound.append(assign(temp, items, self.stmt))
            items = name(temp)
        result, item = self.ctx.namer.fresh("reduced_value"), self.ctx.namer.fresh("item")
        first = args[1] if len(args) == 2 else gast.Subscript(value=name(items.id), slice=const(0), ctx=gast.Load())
        rest = name(items.id) if len(args) == 2 else _from_second(items.id)
        step = assign(result, call(function, [name(result), name(item)]))
        loop = gast.For(target=name(item, store=True), iter=rest, body=[step], orelse=[], type_comment=None)
        self.bound += [_all_at(assign(result, first), node), _all_at(loop, node)]
        return located(name(result), node)

    def _bound(self, lambda_: gast.Lambda, preferred: str) -> gast.Name:
        """The lambda bound to a fresh name before the statement: normalize.nested lifts it."""
        fresh = self.ctx.namer.fresh(preferred)
        self.bound.append(assign(fresh, lambda_, self.stmt))
        return name(fresh)


def _one_display(node: gast.Call) -> bool:
    """A call of one list or tuple written out: ``list([a, b])``."""
    return len(node.args) == 1 and not node.keywords and isinstance(node.args[0], (gast.List, gast.Tuple))


def _reduced(function: gast.expr, args: List[gast.expr], node: gast.Call, ctx: Context) -> gast.expr:
    """``f(f(a, b), c)``; with an initial value ``i``, ``f(f(f(i, a), b), c)``."""
    items = [*args[1:], *args[0].elts]
    if not items:
        raise ctx.error(node, "reduce of an empty list with no initial value raises TypeError")
    result = items[0]
    for item in items[1:]:
        result = located(call(copy.deepcopy(function), [result, item]), node)
    return result


def _all_at(tree: gast.AST, like: gast.AST) -> gast.AST:
    """``tree`` with every node it made placed at ``like`` (the call it stands for): errors and comments
    then name the user's line."""
    for node in gast.walk(tree):
        if "lineno" in node._attributes and getattr(node, "lineno", None) is None:
            located(node, like)
    return tree


def _from_second(items: str) -> gast.expr:
    """``items[1:]``."""
    rest = gast.Slice(lower=const(1), upper=None, step=None)
    return gast.Subscript(value=name(items), slice=rest, ctx=gast.Load())


def _map_comprehension(function: gast.expr, iterables: List[gast.expr], ctx: Context) -> gast.expr:
    """``[f(a, b) for a, b in zip(xs, ys)]``: the list ``map(f, xs, ys)`` yields."""
    names = [ctx.namer.fresh("item") for _ in iterables]
    target: gast.expr = name(names[0], store=True)
    source = iterables[0]
    if len(iterables) > 1:
        target = gast.Tuple(elts=[name(n, store=True) for n in names], ctx=gast.Store())
        source = call(name(ctx.name_for(builtins.zip, "zip")), iterables)
    generator = gast.comprehension(target=target, iter=source, ifs=[], is_async=0)
    return gast.ListComp(elt=call(function, [name(n) for n in names]), generators=[generator])


def _mapped(function: gast.expr, iterables: List[gast.expr], node: gast.Call) -> gast.expr:
    """``[f(a0, b0), f(a1, b1)]``: as many calls as the shortest list has items."""
    count = min(len(i.elts) for i in iterables)
    calls = [located(call(copy.deepcopy(function), [i.elts[k] for i in iterables]), node) for k in range(count)]
    return gast.List(elts=calls, ctx=gast.Load())


def _closed_function(lambda_: gast.Lambda, ctx: Context) -> gast.expr:
    """A key lambda compiled as a function of its own: it may not read the enclosing function's variables."""
    params = {a.id for a in lambda_.args.args}
    outer = sorted(
        n.id
        for n in gast.walk(lambda_.body)
        if isinstance(n, gast.Name) and n.id not in params and n.id in ctx.local_names
    )
    if outer:
        raise ctx.error(
            lambda_,
            f"a key function that reads the variable {outer[0]!r} of the function is not supported yet",
            "make the key a function of its argument alone (module-level values are fine).",
        )
    definition = nested.definition_of(lambda_, ctx.namer.fresh("key"), lambda_)
    func = nested.compiled(definition, [], ctx)
    return located(name(ctx.name_for(func, definition.name)), lambda_)
