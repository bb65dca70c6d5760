"""A-normal form: one operation per assignment, every operand an atom.

An atom is a name, a literal, or a reference to a module-level object
(``np.pi``). After this pass every assignment is ``name = <op>`` where <op> is
an atom, ``a <binop> b``, ``<unaryop> a``, a comparison of atoms, a call of a
module-level callable on atoms (a list or tuple of atoms may be an argument),
a subscript of an atom by atoms and slices of atoms, or a tuple of atoms.
ndarray methods and attributes are calls of their NumPy functions; a
comprehension is the loop it means (normalize.comprehensions).
An ``if`` tests an atom, a ``for`` runs over ``range`` of atoms, and a
``while`` tests an atom that is computed before the loop and again at the end
of its body. Conditional expressions and ``and``/``or`` become ``if``
statements, so an operand is evaluated only when Python would evaluate it.

    before                        after
    y = np.sin(x * w).sum()       t0 = x * w
                                  t1 = np.sin(t0)
                                  y = np.sum(t1)

    z = a if c > 0 else b         t2 = c > 0
                                  if t2:
                                      z = a
                                  else:
                                      z = b
"""

import builtins
import copy
import inspect
from typing import List, Optional

import gast
import numpy

from .. import runtime
from ..analyze.calls import is_user_function
from ..context import Context
from ..implicit import implicit_root
from ..kinds import OTHER, UNKNOWN, Kind, object_class
from ..nodes import assign, call, const, constant_value, is_constant, located, mark_in_place, name
from ..objects import method_of
from ..parse.resolve import MISSING
from . import comprehensions, loops, starred
from .memory import in_place_function
from .methods import ATTRIBUTES, METHODS, RUNTIME_METHODS, VARARG_METHODS

HINT = "rewrite the expression with plain operators and numpy calls."
LAMBDA_HINT = "bind it to a name first (g = lambda v: ...) and call g, or define the function at module level."
HIDDEN_ACCESS = {builtins.eval, builtins.exec, builtins.locals, builtins.globals, builtins.vars}


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    ctx.comprehension_scope = comprehensions.outside_names(tree)
    tree.body = _block(tree.body, ctx)
    return tree


def _block(stmts: List[gast.stmt], ctx: Context) -> List[gast.stmt]:
    body: List[gast.stmt] = []
    for stmt in stmts:
        _outputs_by_keyword(stmt, ctx)
        body.extend(_Flattener(ctx, stmt).statement())
    return body


def _outputs_by_keyword(stmt: gast.stmt, ctx: Context) -> None:
    """``numpy.tanh(x, y)`` as ``numpy.tanh(x, out=y)``, ``a.sum(0, None, y)`` as ``a.sum(0, None, out=y)``.

    An output passed by position writes into its array as ``out=`` does, and everything that looks
    for a write (here, normalize.memory) looks for ``out=``: a ufunc's outputs follow its inputs, a
    NumPy function's ``out`` is where its signature puts it (a method's, where its NumPy function's
    does, less the receiver). Arguments after it become keywords of their parameters too.
    """
    for node in gast.walk(stmt):
        if isinstance(node, gast.Call) and not any(isinstance(a, gast.Starred) for a in node.args):
            parameters = _positional_parameters(node, ctx)
            index = parameters.index("out") if "out" in parameters else len(node.args)
            if index < len(node.args):
                moved = node.args[index:]
                if isinstance(ctx.resolve(node.func), numpy.ufunc):  # every output, as one out= tuple
                    values = [gast.Tuple(elts=moved, ctx=gast.Load())] if len(moved) > 1 else moved[:1]
                    names = ["out"]
                else:
                    values, names = moved, parameters[index : index + len(moved)]
                node.args = node.args[:index]
                node.keywords[:0] = [gast.keyword(arg=n, value=v) for n, v in zip(names, values)]


def _positional_parameters(node: gast.Call, ctx: Context) -> List[str]:
    """The names the call's positional arguments bind to, as far as known (``out`` among them, or not)."""
    func = ctx.resolve(node.func)
    offset = 0
    if func is MISSING and isinstance(node.func, gast.Attribute) and node.func.attr in METHODS:
        func, offset = getattr(numpy, METHODS[node.func.attr]), 1  # the receiver is its first argument
    if isinstance(func, numpy.ufunc):
        return [f"x{i}" for i in range(func.nin)] + ["out"] * func.nout
    if not str(getattr(func, "__module__", "")).startswith("numpy"):
        return []  # a user's parameter named out is a parameter like any other
    try:
        parameters = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):  # no signature to read: nothing known
        return []
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in parameters if p.kind in positional][offset:]


class _Flattener:
    """Flattens one statement, collecting the assignments its operands need."""

    def __init__(self, ctx: Context, stmt: gast.stmt) -> None:
        self.ctx, self.stmt = ctx, stmt
        self.out: List[gast.stmt] = []

    def statement(self) -> List[gast.stmt]:
        stmt = self.stmt
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript):
            target = stmt.targets[0]  # y[index] = atom
            target.slice = self.index(target.slice)
            stmt.value = self.atom(stmt.value)
            self.out.append(stmt)
        elif isinstance(stmt, gast.Assign) and getattr(stmt.value, "id", None) == stmt.targets[0].id:
            pass  # x = x does nothing; renamed to a new version, it would give one buffer two names
        elif _is_pop(stmt, self.ctx):  # v = items.pop() is v = popped(items): a stack of generated code
            value = call(name(self.ctx.name_for(runtime.popped, "popped")), [stmt.value.func.value])
            self.out.append(assign(stmt.targets[0].id, located(value, stmt.value), stmt))
        elif isinstance(stmt, gast.Assign) and _fills_its_target(stmt):  # ys = [...] builds ys itself
            self.comprehension(stmt.value, into=stmt.targets[0].id)
        elif isinstance(stmt, gast.Assign):
            self.out.append(mark_in_place(assign(stmt.targets[0].id, self.operation(stmt.value), stmt), stmt))
        elif isinstance(stmt, gast.Return):
            stmt.value = self.atom(stmt.value)
            self.out.append(stmt)
        elif isinstance(stmt, gast.If):
            stmt.test = self.condition(stmt)
            stmt.body, stmt.orelse = _block(stmt.body, self.ctx), _block(stmt.orelse, self.ctx)
            self.out.append(stmt)
        elif isinstance(stmt, gast.For):
            reverse = self.ctx.resolve(stmt.iter.func) is builtins.reversed
            loop_range = stmt.iter.args[0] if reverse else stmt.iter
            loop_range.args = [self.atom(a) for a in loop_range.args]
            stmt.body = _block(stmt.body, self.ctx)
            self.out.append(stmt)
        elif isinstance(stmt, gast.While):
            test = _Flattener(self.ctx, stmt)
            stmt.test = test.atom(stmt.test)
            stmt.body = _block(stmt.body, self.ctx) + copy.deepcopy(test.out)  # the test, again
            self.out += [*test.out, stmt]
        elif _is_append(stmt, self.ctx):  # items.append(v) is items = append(items, v)
            receiver, value = stmt.value.func.value, stmt.value.args[0]
            appended = call(name(self.ctx.name_for(runtime.append, "append")), [receiver, self.atom(value)])
            self.out.append(assign(receiver.id, located(appended, stmt.value), stmt))
        elif isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) and self.writes_in_place(stmt.value):
            self.in_place_call(stmt.value)
        else:  # opaque side-effect statement, kept as written (an object's attributes read from its view)
            for node in gast.walk(stmt):
                if isinstance(node, gast.Call):
                    self.reject_hidden_access(node)
            self.out.append(_ViewReads(self).visit(stmt))
        return self.out

    def writes_in_place(self, node: gast.Call) -> bool:
        """A call whose point is to change an array: ``out=``, ``y.fill(v)``, ``numpy.copyto``..."""
        if self.has_output(node):
            return True
        func = self.ctx.resolve(node.func)
        if func is MISSING and isinstance(node.func, gast.Attribute):  # a method of a local value
            pure = node.func.attr in METHODS or node.func.attr in VARARG_METHODS or node.func.attr in RUNTIME_METHODS
            return not pure and not _is_append_call(node, self.ctx)
        return in_place_function(func)

    def has_output(self, node: gast.Call) -> bool:
        """``out=`` of a library function (NumPy's): an array it writes into. A user's function's parameter named
        out is a parameter like any other."""
        return any(k.arg == "out" for k in node.keywords) and not is_user_function(
            self.ctx.resolve(node.func), self.ctx
        )

    def in_place_call(self, node: gast.Call) -> None:
        """An in-place call as a write of its result into the array: ``z[...] = value`` (see normalize.memory)."""
        func = self.ctx.resolve(node.func)
        if self.has_output(node):
            self.operation(node)  # the value is the out= array, written by call()
        elif func is numpy.copyto and len(node.args) == 2 and not node.keywords:
            self.write_whole(node.args[0], self.atom(node.args[1]), node)
        elif func is MISSING and node.func.attr == "fill" and len(node.args) == 1 and not node.keywords:
            self.write_whole(node.func.value, self.atom(node.args[0]), node)
        elif func is MISSING and node.func.attr == "sort":
            receiver = self.atom(node.func.value)
            args = [self.argument(a) for a in node.args]
            keywords = [gast.keyword(arg=k.arg, value=self.argument(k.value)) for k in node.keywords]
            ordered = self.atom(
                located(call(located(self.ctx.reference(numpy, "sort"), node.func), [receiver, *args], keywords), node)
            )
            self.write_whole(receiver, ordered, node)
        else:
            what = _spelled(node.func)
            raise self.ctx.error(
                node.func,
                f"{what}() changes an array in place, which cannot be differentiated yet",
                "compute a new array instead (for example y = numpy.where(mask, v, y) for numpy.putmask).",
            )

    def write_whole(self, array: gast.expr, value: gast.expr, node: gast.AST) -> gast.expr:
        """``array[...] = value``: NumPy's in-place write, broadcast and cast to the array's shape and dtype."""
        if not isinstance(array, gast.Name):
            raise self.ctx.error(
                array, "an in-place write needs a named array here", "assign the array to a name first."
            )
        whole = gast.Subscript(value=name(array.id), slice=gast.Constant(value=Ellipsis, kind=None), ctx=gast.Store())
        self.out.append(located(gast.Assign(targets=[located(whole, node)], value=value, type_comment=None), node))
        return name(array.id)

    def condition(self, stmt: gast.If) -> gast.expr:
        """The test as an atom the branches do not reassign (the reverse sweep tests it again)."""
        test = self.atom(stmt.test)
        assigned = {n.id for s in stmt.body + stmt.orelse for n in gast.walk(s) if isinstance(n, gast.Name)}
        if isinstance(test, gast.Name) and test.id in assigned:
            temp = self.ctx.namer.temp()
            self.out.append(assign(temp, test, stmt))
            return name(temp)
        return test

    def atom(self, node: gast.expr) -> gast.expr:
        """``node`` itself if it is an atom, else a temporary holding its value."""
        if self._is_atom(node):
            return node
        operation = self.operation(node)
        if isinstance(operation, gast.Name):  # a conditional expression's result is already a name
            return operation
        temp = self.ctx.namer.temp()
        # located at the expression: the optimizer orders independent work by column
        self.out.append(assign(temp, operation, node))
        return name(temp)

    def _is_atom(self, node: gast.expr) -> bool:
        if isinstance(node, gast.Name) or is_constant(node):
            return True
        return isinstance(node, gast.Attribute) and self.ctx.resolve(node) is not MISSING

    def operation(self, node: gast.expr) -> gast.expr:
        """``node`` with every operand made an atom (one operation left)."""
        if self._is_atom(node):
            return node
        if isinstance(node, gast.BinOp):
            return located(gast.BinOp(left=self.atom(node.left), op=node.op, right=self.atom(node.right)), node)
        if isinstance(node, gast.UnaryOp):
            return located(gast.UnaryOp(op=node.op, operand=self.atom(node.operand)), node)
        if isinstance(node, gast.Compare):
            left = self.atom(node.left)
            return located(
                gast.Compare(left=left, ops=node.ops, comparators=[self.atom(c) for c in node.comparators]), node
            )
        if isinstance(node, gast.BoolOp):
            return self.short_circuit(node)
        if isinstance(node, gast.IfExp):
            return self.conditional(node)
        if isinstance(node, gast.NamedExpr):
            return self.named(node)
        if isinstance(node, gast.Call):
            return self.call(node)
        if isinstance(node, gast.Attribute):
            return self.array_attribute(node)
        if isinstance(node, gast.Subscript):
            joined = _index_trick(node, self.ctx)
            if joined is not None:
                return self.operation(joined)
            return located(
                gast.Subscript(value=self.atom(node.value), slice=self.index(node.slice), ctx=gast.Load()), node
            )
        if isinstance(node, (gast.Tuple, gast.List)):
            return located(type(node)(elts=[self.atom(e) for e in node.elts], ctx=gast.Load()), node)
        if isinstance(node, gast.Dict) and all(type(constant_value(k)) in (str, int) for k in node.keys):
            return located(gast.Dict(keys=node.keys, values=[self.atom(v) for v in node.values]), node)
        if isinstance(node, gast.JoinedStr):  # each formatted value an atom; the string has no derivative
            return located(gast.JoinedStr(values=[self.formatted(v) for v in node.values]), node)
        if isinstance(node, (gast.Set, gast.SetComp)):  # set(...) of a list: a set of floats has no rule
            items = (
                gast.List(elts=node.elts, ctx=gast.Load())
                if isinstance(node, gast.Set)
                else gast.ListComp(elt=node.elt, generators=node.generators)
            )
            made = call(name(self.ctx.name_for(builtins.set, "set")), [located(items, node)])
            return self.operation(located(made, node))
        if isinstance(node, (gast.ListComp, gast.DictComp)):
            return self.comprehension(node)
        if isinstance(node, gast.GeneratorExp):
            raise self.ctx.error(
                node,
                "a generator expression is differentiated only as the argument of "
                + ", ".join(f.__name__ for f in comprehensions.CONSUMERS),
                comprehensions.HINT,
            )
        hint = LAMBDA_HINT if isinstance(node, gast.Lambda) else HINT
        raise self.ctx.error(node, f"{_describe(node)} is not supported yet", hint)

    def formatted(self, part: gast.expr) -> gast.expr:
        """A part of an f-string: text as it is, ``{value:spec}`` with its value (and the spec's) an atom."""
        if not isinstance(part, gast.FormattedValue):
            return part
        spec = part.format_spec
        if spec is not None:
            spec = gast.JoinedStr(values=[self.formatted(v) for v in spec.values])
        return gast.FormattedValue(value=self.atom(part.value), conversion=part.conversion, format_spec=spec)

    def comprehension(self, node: gast.expr, consumer: object = None, into: str = "") -> gast.Name:
        """The loop a comprehension means, flattened into ``self.out``; the name of its result."""
        scope = self.ctx.comprehension_scope
        desugarer = comprehensions.Desugarer(self.ctx, scope)
        if consumer in (builtins.any, builtins.all):
            stmts, result, bound = desugarer.decision(node, consumer)
        else:
            stmts, result, bound = desugarer.list_or_dict(node, into)
        added = bound - scope
        scope |= added  # an inner comprehension must not bind these names: it renames its own
        try:
            self.out += _block(loops.lower(stmts, self.ctx), self.ctx)
        finally:
            scope -= added
        return name(result)

    def consumed(self, node: gast.Call) -> Optional[gast.expr]:
        """``sum(v * v for v in xs)``: the generator as the list it yields (``list(...)``: that list itself)."""
        func = self.ctx.resolve(node.func)
        if not node.args or not isinstance(node.args[0], gast.GeneratorExp) or func not in comprehensions.CONSUMERS:
            return None
        generator = node.args[0]
        if func in (builtins.any, builtins.all) and len(node.args) == 1 and not node.keywords:
            return self.comprehension(generator, func)
        as_list = gast.ListComp(elt=generator.elt, generators=generator.generators)
        items = self.comprehension(located(as_list, generator))
        if func is builtins.list and len(node.args) == 1 and not node.keywords:
            return items
        node.args[0] = items
        return None

    def conditional(self, node: gast.IfExp) -> gast.expr:
        """``a if c else b``: an ``if`` statement assigning a temporary in each branch."""
        test = self.atom(node.test)
        temp = self.ctx.namer.temp()
        branches = [self.branch(temp, value) for value in (node.body, node.orelse)]
        self.out.append(located(gast.If(test=test, body=branches[0], orelse=branches[1]), node))
        return name(temp)

    def named(self, node: gast.NamedExpr) -> gast.expr:
        """``(y := value)``: ``y = value`` where Python evaluates it; the expression is then ``y``.

        An operand is read where the one operation of its statement runs, after every
        assignment that statement needs; so a read of ``y`` that Python evaluates before
        the assignment (written before it), or a second ``y :=`` in the statement, would
        see the wrong value: both are rejected.
        """
        target = node.target.id
        start = (node.lineno, node.col_offset)
        for other in gast.walk(self.stmt):
            if other is node.target or not isinstance(other, gast.Name) or other.id != target:
                continue
            if isinstance(other.ctx, gast.Store) or (other.lineno, other.col_offset) < start:
                raise self.ctx.error(
                    other,
                    f"{target!r} is also read before, or assigned elsewhere in, the statement that assigns it with :=",
                    f"assign {target} in a statement of its own first.",
                )
        self.out.append(assign(target, self.operation(node.value), node))
        return name(target)

    def short_circuit(self, node: gast.BoolOp) -> gast.expr:
        """``a and b`` is ``a`` if it is false, else ``b`` (``or``: the other way round)."""
        result = self.atom(node.values[0])
        for value in node.values[1:]:
            tested, result = result, name(self.ctx.namer.temp())
            evaluated = self.branch(result.id, value)
            kept = [assign(result.id, copy.deepcopy(tested), value)]
            body, orelse = (evaluated, kept) if isinstance(node.op, gast.And) else (kept, evaluated)
            self.out.append(located(gast.If(test=tested, body=body, orelse=orelse), value))
        return result

    def branch(self, temp: str, value: gast.expr) -> List[gast.stmt]:
        """The statements that compute ``value`` into ``temp``, evaluated only on this path."""
        flattener = _Flattener(self.ctx, self.stmt)
        flattener.out.append(assign(temp, flattener.operation(value), value))
        return flattener.out

    def call(self, node: gast.Call) -> gast.expr:
        for arg in node.args:  # normalize.starred wrote out those whose length it knows
            if isinstance(arg, gast.Starred):
                raise self.ctx.error(arg, starred.UNKNOWN_LENGTH, starred.HINT)
        for keyword in node.keywords:
            if keyword.arg is None:
                raise self.ctx.error(keyword.value, starred.UNKNOWN_KEYS, starred.KEYWORDS_HINT)
        self.reject_hidden_access(node)
        display = _dict_display(node, self.ctx)
        if display is not None:
            return self.operation(display)
        node.args = [_dict_view(a, self.ctx) or a for a in node.args]
        if self.interleaved_einsum(node):
            node = _einsum_with_subscripts(node, self.ctx)
        consumed = self.consumed(node)
        if consumed is not None:
            return consumed
        args = [self.argument(a) for a in node.args]
        out = [k.value for k in node.keywords if k.arg == "out"] if self.has_output(node) else []
        keywords = [gast.keyword(arg=k.arg, value=self.argument(k.value)) for k in node.keywords if k.value not in out]
        func = node.func
        if out:  # numpy.exp(x, out=z): the value computed anew, then written into z, which is the result
            target = out[0].elts[0] if isinstance(out[0], gast.Tuple) and len(out[0].elts) == 1 else out[0]
            value = self.atom(located(call(func, args, keywords), node))
            return self.write_whole(target, value, node)
        if self.ctx.resolve(func) is MISSING and isinstance(func, gast.Attribute):
            if self.is_object(func.value) and method_of(object_class(self.kind(func.value)), func.attr):
                method = method_of(object_class(self.kind(func.value)), func.attr)  # called with the view
                receiver = name(self.ctx.name_for(method, method.__qualname__.replace(".", "_")))
                return located(call(receiver, [func.value, *args], keywords), node)
            if isinstance(func.value, gast.Name) and (self.is_object(func.value) or self.kind(func.value) == OTHER):
                raise self.ctx.error(
                    func,
                    f"calling a method of {func.value.id!r} is not supported yet",
                    "call a module-level function that takes the attributes it needs as arguments.",
                )
            return located(self.method_call(func, args, keywords), node)
        if self.ctx.resolve(func) is MISSING:
            raise self.ctx.error(
                func, f"cannot tell which function {_spelled(func)!r} is", "call module-level functions only."
            )
        callee = self.ctx.resolve(func)
        # a user function reads the object's attributes by name too; a custom_root solver runs as written
        # (only its residual is differentiated), so it would be handed the dict of attributes, not the object
        user_function = is_user_function(callee, self.ctx) and implicit_root(callee) is None
        for arg in [*args, *(k.value for k in keywords)]:
            if self.is_object(arg) and not user_function:
                raise self.ctx.error(
                    arg,
                    f"passing the object {arg.id!r} on to a function is not supported yet",
                    "pass the attributes it needs as arguments.",
                )
        return located(call(func, args, keywords), node)

    def interleaved_einsum(self, node: gast.Call) -> bool:
        """``numpy.einsum(a, [0, 1], b, [1, 2])``: operands and sublists alternate (the first is an array)."""
        if self.ctx.resolve(node.func) is not numpy.einsum or len(node.args) < 2:
            return False
        first, second = node.args[0], node.args[1]
        if isinstance(second, (gast.List, gast.Tuple)):
            return all(
                type(constant_value(e)) is int or Ellipsis in (constant_value(e), self.ctx.resolve(e))
                for e in second.elts
            )
        if isinstance(first, gast.Name) and self.kind(first).tag == "array":
            return True
        return isinstance(self.ctx.resolve(first), numpy.ndarray)

    def reject_hidden_access(self, node: gast.Call) -> None:
        if self.ctx.resolve(node.func) in HIDDEN_ACCESS:
            raise self.ctx.error(
                node.func,
                f"{node.func.id}() reads or writes variables the compiler cannot see, so it cannot be differentiated",
                "write the computation out in the function.",
            )

    def argument(self, node: gast.expr) -> gast.expr:
        """Lists and tuples of atoms stay displays, so rules like stack see their elements."""
        if isinstance(node, (gast.Tuple, gast.List)):
            return located(type(node)(elts=[self.atom(e) for e in node.elts], ctx=gast.Load()), node)
        return self.atom(node)

    def method_call(self, func: gast.Attribute, args: list, keywords: list) -> gast.expr:
        receiver = self.atom(func.value)
        if func.attr in VARARG_METHODS:
            if len(args) > 1:  # x.reshape(2, 3) means numpy.reshape(x, (2, 3))
                args = [gast.Tuple(elts=args, ctx=gast.Load())]
            return call(self.ctx.reference(numpy, VARARG_METHODS[func.attr]), [receiver, *args], keywords)
        if func.attr in METHODS:
            return call(self.ctx.reference(numpy, METHODS[func.attr]), [receiver, *args], keywords)
        if func.attr in RUNTIME_METHODS:
            return call(self.ctx.reference(runtime, RUNTIME_METHODS[func.attr]), [receiver, *args], keywords)
        raise self.ctx.error(
            func, f"the method {func.attr!r} is not supported", "call the numpy function instead, or register a rule."
        )

    def is_object(self, node: gast.expr) -> bool:
        """A parameter holding an object's attributes (kinds.AttributeView)."""
        return isinstance(node, gast.Name) and object_class(self.kind(node)) is not None

    def kind(self, node: gast.Name) -> Kind:
        """A parameter's kind (objects are parameters: the only names of kind ``other`` here)."""
        return self.ctx.param_kinds.get(node.id, UNKNOWN)

    def array_attribute(self, node: gast.Attribute) -> gast.expr:
        if self.is_object(node.value):  # self.w: the attribute's value, passed in by name
            return located(gast.Subscript(value=node.value, slice=const(node.attr), ctx=gast.Load()), node)
        if isinstance(node.value, gast.Name) and self.ctx.param_kinds.get(node.value.id) == OTHER:
            # an object the calling function passed on: never differentiated, so its attributes are constants
            reader = name(self.ctx.name_for(builtins.getattr, "getattr"))
            return located(call(reader, [node.value, const(node.attr)]), node)
        if node.attr not in ATTRIBUTES:
            raise self.ctx.error(node, f"the attribute {node.attr!r} is not supported", HINT)
        return located(call(self.ctx.reference(numpy, ATTRIBUTES[node.attr]), [self.atom(node.value)]), node)

    def index(self, node: gast.expr) -> gast.expr:
        if isinstance(node, gast.Slice):
            parts = [None if p is None else self.atom(p) for p in (node.lower, node.upper, node.step)]
            return gast.Slice(lower=parts[0], upper=parts[1], step=parts[2])
        if isinstance(node, gast.Tuple):
            return gast.Tuple(elts=[self.index(e) for e in node.elts], ctx=gast.Load())
        return self.atom(node)


def _fills_its_target(stmt: gast.Assign) -> bool:
    """``ys = [... for ...]`` that does not read ``ys``: the loop may fill ``ys`` itself (no ``ys = items`` alias)."""
    target, value = stmt.targets[0], stmt.value
    if not (isinstance(target, gast.Name) and isinstance(value, (gast.ListComp, gast.DictComp))):
        return False
    return all(not (isinstance(n, gast.Name) and n.id == target.id) for n in gast.walk(value))


class _ViewReads(gast.NodeTransformer):
    """``self.name`` as ``self["name"]`` where ``self`` is an object passed as its attributes (print(self.name))."""

    def __init__(self, flattener: _Flattener) -> None:
        self.flattener = flattener

    def visit_Attribute(self, node: gast.Attribute) -> gast.expr:
        if self.flattener.is_object(node.value):
            return located(gast.Subscript(value=node.value, slice=const(node.attr), ctx=gast.Load()), node)
        return self.generic_visit(node)


def _index_trick(node: gast.Subscript, ctx: Context) -> Optional[gast.Call]:
    """``numpy.r_[a, b, 1:4]`` and ``numpy.c_[a, b]``: the concatenation they are.

    ``r_`` joins its items made at least 1-d along axis 0, a slice standing for
    its ``arange``; ``c_`` joins them along the last axis, a vector (or number)
    made a column. A string directive or a complex step (a ``linspace``) is
    rejected: the plain call says the same more clearly.
    """
    trick = ctx.resolve(node.value)
    if trick is not numpy.r_ and trick is not numpy.c_:
        return None
    items = node.slice.elts if isinstance(node.slice, gast.Tuple) else [node.slice]
    joined = []
    for item in items:
        if isinstance(item, gast.Slice):
            if isinstance(constant_value(item.step), complex) or item.upper is None:
                where = item if getattr(item, "lineno", None) else node  # Python 3.8's slices have no position
                raise ctx.error(where, "a slice with a complex step or no end in numpy.r_ is not supported", HINT_TRICK)
            bounds = [item.lower or const(0), item.upper, item.step or const(1)]
            item = located(call(ctx.reference(numpy, "arange"), bounds, []), item)
        elif isinstance(constant_value(item), str):
            raise ctx.error(item, "a directive string in numpy.r_ or numpy.c_ is not supported", HINT_TRICK)
        if trick is numpy.r_:
            joined.append(located(call(ctx.reference(numpy, "atleast_1d"), [item], []), item))
        else:
            joined.append(located(call(name(ctx.name_for(runtime.column_of, "column_of")), [item], []), item))
    axis = const(0 if trick is numpy.r_ else -1)
    display = gast.List(elts=joined, ctx=gast.Load())
    return located(call(ctx.reference(numpy, "concatenate"), [display], [gast.keyword(arg="axis", value=axis)]), node)


def _einsum_with_subscripts(node: gast.Call, ctx: Context) -> gast.Call:
    """``numpy.einsum(a, s, b, t[, out])`` as ``numpy.einsum(einsum_subscripts((s, t), out), a, b)``:
    the subscripts string is made at run time from the sublists, so the one einsum rule covers both forms."""
    args = node.args[:-1] if len(node.args) % 2 else node.args
    output = node.args[-1] if len(node.args) % 2 else const(None)
    operands, sublists = args[0::2], args[1::2]
    spelled = call(
        name(ctx.name_for(runtime.einsum_subscripts, "einsum_subscripts")),
        [gast.Tuple(elts=sublists, ctx=gast.Load()), output],
        [],
    )
    return located(call(node.func, [located(spelled, node), *operands], node.keywords), node)


HINT_TRICK = "write numpy.concatenate (or numpy.linspace, numpy.stack) with the arrays it joins."


def _dict_display(node: gast.Call, ctx: Context) -> Optional[gast.Dict]:
    """``dict(a=x, b=y)``, ``dict([("a", x)], b=y)`` and ``dict({"a": x}, b=y)``: the display ``{"a": x, "b": y}``.

    Only when every pair is written out (keywords, a display, or a list of
    (key, value) pairs); a later key replaces an earlier one, as in a display. A key
    that is not a literal is rejected as in a display. A pair that is not written out
    is an error: the plain call's adjoint would unpack the dict's keys as its pairs.
    """
    if ctx.resolve(node.func) is not builtins.dict or len(node.args) > 1:
        return None
    pairs = []
    if node.args and isinstance(node.args[0], gast.Dict):  # dict({"a": x}, b=y): a copy of a display
        pairs = list(zip(node.args[0].keys, node.args[0].values))
    elif node.args:
        items = node.args[0]
        if not isinstance(items, (gast.List, gast.Tuple)):
            return None
        for item in items.elts:
            if not isinstance(item, (gast.Tuple, gast.List)) or len(item.elts) != 2:
                raise ctx.error(
                    item,
                    "dict() of a pair that is not written out as (key, value) is not supported yet",
                    'write each pair out, as in dict([("a", x)]), or write the dict as {"a": x}.',
                )
            pairs.append((item.elts[0], item.elts[1]))
    pairs += [(const(k.arg), k.value) for k in node.keywords]
    return located(gast.Dict(keys=[k for k, _ in pairs], values=[v for _, v in pairs]), node)


def _is_append(stmt: gast.stmt, ctx: Context) -> bool:
    """``items.append(value)`` on a local list."""
    value = getattr(stmt, "value", None)
    return isinstance(stmt, gast.Expr) and isinstance(value, gast.Call) and _is_append_call(value, ctx)


def _is_pop(stmt: gast.stmt, ctx: Context) -> bool:
    """``v = items.pop()`` on a local list (the stacks of generated reverse-mode code)."""
    value = getattr(stmt, "value", None)
    return (
        isinstance(stmt, gast.Assign)
        and isinstance(stmt.targets[0], gast.Name)
        and isinstance(value, gast.Call)
        and isinstance(value.func, gast.Attribute)
        and value.func.attr == "pop"
        and isinstance(value.func.value, gast.Name)
        and value.func.value.id in ctx.local_names
        and not value.args
        and not value.keywords
    )


def _is_append_call(value: gast.Call, ctx: Context) -> bool:
    return (
        isinstance(value.func, gast.Attribute)
        and value.func.attr == "append"
        and isinstance(value.func.value, gast.Name)
        and value.func.value.id in ctx.local_names
        and len(value.args) == 1
        and not value.keywords
    )


def _dict_view(node: gast.expr, ctx: Context) -> Optional[gast.expr]:
    """``d.keys()``, ``d.values()`` or ``d.items()`` passed to a call (``sorted(d.items())``): the list it
    iterates as, read at once (a view kept in a name would follow later changes of the dict: not here)."""
    func = getattr(node, "func", None)
    if not (
        isinstance(node, gast.Call)
        and isinstance(func, gast.Attribute)
        and func.attr in ("keys", "values", "items")
        and isinstance(func.value, gast.Name)
        and func.value.id in ctx.dict_names
        and not node.args
        and not node.keywords
    ):
        return None
    keys = located(call(name(ctx.name_for(runtime.keys_of, "keys_of")), [name(func.value.id)]), node)
    if func.attr == "keys":
        return keys
    key = ctx.namer.fresh("key")
    value = gast.Subscript(value=name(func.value.id), slice=name(key), ctx=gast.Load())
    element = value if func.attr == "values" else gast.Tuple(elts=[name(key), value], ctx=gast.Load())
    loop = gast.comprehension(target=name(key, store=True), iter=keys, ifs=[], is_async=0)
    return located(gast.ListComp(elt=element, generators=[loop]), node)


def _describe(node: gast.AST) -> str:
    names = {
        gast.Lambda: "a lambda",
        gast.ListComp: "a list comprehension",
        gast.GeneratorExp: "a generator expression",
        gast.DictComp: "a dict comprehension",
        gast.Dict: "a dict with keys that are not literal strings or numbers",
        gast.NamedExpr: "an assignment expression (:=)",
    }
    return names.get(type(node), type(node).__name__)


def _spelled(node: gast.expr) -> str:
    if isinstance(node, gast.Name):
        return node.id
    if isinstance(node, gast.Attribute):
        return f"{_spelled(node.value)}.{node.attr}"
    return "<expression>"
