"""Comprehensions as the loops they mean (normalize.anf calls this where it meets one).

A list comprehension fills a fresh list with ``append`` in a loop; a dict
comprehension writes its keys one by one; a generator expression consumed at
once (by ``sum``, ``max``, ``sorted``, ...) is the same as the list it yields.
The loops then go through normalize.loops and normalize.anf like any loop, so
the reverse sweep needs nothing new: the list's adjoint is a list, each
``append`` run backwards takes its last element.

    before                                  after
    s = sum(x * i for i in range(3))        t0 = []
                                            for i in range(3):
                                                t0.append(x * i)
                                            s = sum(t0)
    d = {k: x * v for k, v in pairs}        t1 = {}
                                            for k, v in pairs:
                                                t1[k] = x * v
    b = any(v > 0 for v in xs)              t2 = False
                                            for v in xs:
                                                if not t2:
                                                    if v > 0:
                                                        t2 = True

``any``/``all`` stop evaluating at the first decisive element, as Python does.
A comprehension's variables are its own (Python 3 scoping): one whose name the
function uses elsewhere, or an enclosing comprehension binds, is renamed.
"""

import builtins
import copy
from typing import Callable, List, Set, Tuple

import gast

from ..context import Context
from ..nodes import assign, call, const, located, name

# Builtins that consume a generator at once, so it may be built as a list first.
CONSUMERS = (
    builtins.sum,
    builtins.max,
    builtins.min,
    builtins.sorted,
    builtins.list,
    builtins.tuple,
    builtins.any,
    builtins.all,
)
HINT = "write a list comprehension [...], or the loop, instead."


def outside_names(tree: gast.AST) -> Set[str]:
    """The names used outside every comprehension: a comprehension variable spelled so is renamed."""
    found: Set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (gast.ListComp, gast.DictComp, gast.SetComp, gast.GeneratorExp)):
            stack += [g.iter for g in node.generators[:1]]  # the first iterable is read outside
            continue
        if isinstance(node, gast.Name):
            found.add(node.id)
        stack += list(gast.iter_child_nodes(node))
    return found


class Desugarer:
    """Rewrites one comprehension into statements; ``reserved`` holds the names it must not bind."""

    def __init__(self, ctx: Context, reserved: Set[str]) -> None:
        self.ctx, self.reserved = ctx, reserved

    def list_or_dict(self, node: gast.expr, into: str = "") -> Tuple[List[gast.stmt], str, Set[str]]:
        """``t = []`` (``{}``) and the loop filling it; the name of the result; the names the loop binds.

        ``into``: the name to fill (``ys = [...]`` fills ``ys`` itself when the comprehension does not read it).
        """
        node, bound = self.renamed(node)
        is_list = isinstance(node, (gast.ListComp, gast.GeneratorExp))
        result = into or self.fresh_local("items" if is_list else "mapping")
        if isinstance(node, gast.DictComp):
            start = gast.Dict(keys=[], values=[])
            key = gast.Subscript(value=name(result), slice=node.key, ctx=gast.Store())
            fill = gast.Assign(targets=[located(key, node.key)], value=node.value, type_comment=None)
        else:
            start = gast.List(elts=[], ctx=gast.Load())
            append = gast.Attribute(value=name(result), attr="append", ctx=gast.Load())
            fill = gast.Expr(value=located(call(append, [node.elt]), node.elt))
        first = assign(result, located(start, node), node)
        return [first, *self.loops(node, [located(fill, node)], lambda body: body)], result, bound

    def decision(self, node: gast.GeneratorExp, consumer: object) -> Tuple[List[gast.stmt], str, Set[str]]:
        """``any``/``all`` of a generator: a flag, set at the first decisive element; the rest is not evaluated."""
        node, bound = self.renamed(node)
        flag = self.ctx.namer.fresh("found" if consumer is builtins.any else "holds")
        searching = name(flag) if consumer is builtins.all else gast.UnaryOp(op=gast.Not(), operand=name(flag))
        element = node.elt if consumer is builtins.any else gast.UnaryOp(op=gast.Not(), operand=node.elt)
        decided = gast.If(test=located(element, node.elt), body=[assign(flag, const(consumer is builtins.any), node)])
        decided.orelse = []

        def guarded(body: List[gast.stmt]) -> List[gast.stmt]:
            return [located(gast.If(test=located(copy.deepcopy(searching), node), body=body, orelse=[]), node)]

        first = assign(flag, const(consumer is builtins.all), node)
        return [first, *self.loops(node, [located(decided, node)], guarded)], flag, bound

    # ----- the loops -----

    def loops(
        self, node: gast.expr, innermost: List[gast.stmt], guarded: Callable[[List[gast.stmt]], List[gast.stmt]]
    ) -> List[gast.stmt]:
        """The nested ``for``s and ``if``s of the generators around ``innermost``, each loop body ``guarded``."""
        body = innermost
        for generator in reversed(node.generators):  # none is async: only an async def, never differentiated, has one
            for condition in reversed(generator.ifs):
                body = [located(gast.If(test=condition, body=body, orelse=[]), condition)]
            loop = gast.For(target=generator.target, iter=generator.iter, body=guarded(body), orelse=[])
            loop.type_comment = None
            body = [located(loop, generator.iter)]
        return body

    # ----- scoping -----

    def renamed(self, node: gast.expr) -> Tuple[gast.expr, Set[str]]:
        """The comprehension with its variables renamed where they would clash; the names it binds."""
        targets = [n for g in node.generators for n in gast.walk(g.target)]
        for target in targets:
            if isinstance(target, (gast.Attribute, gast.Subscript, gast.Starred)):
                raise self.ctx.error(target, "a comprehension's variables must be plain names", HINT)
        bound = {n.id for n in targets if isinstance(n, gast.Name)}
        renames = {b: self.ctx.namer.fresh(b) for b in sorted(bound) if b in self.reserved}
        for part in _scoped_parts(node) if renames else ():
            for n in gast.walk(part):
                if isinstance(n, gast.Name) and n.id in renames:
                    n.id = renames[n.id]
        return node, {renames.get(b, b) for b in bound}

    def fresh_local(self, base: str) -> str:
        result = self.ctx.namer.fresh(base)
        self.ctx.local_names.add(result)  # a local list: its appends are the list's operations
        return result


def _scoped_parts(node: gast.expr) -> List[gast.AST]:
    """What the comprehension's own scope evaluates: all but the first iterable."""
    parts: List[gast.AST] = [g.target for g in node.generators]
    parts += [g.iter for g in node.generators[1:]] + [c for g in node.generators for c in g.ifs]
    return parts + ([node.key, node.value] if isinstance(node, gast.DictComp) else [node.elt])
