"""Every ``for`` loop becomes a loop over integers; loop ``else`` clauses become branches.

The reverse sweep runs a loop backwards, which is free for ``range``
(``for i in reversed(range(n))``) and needs nothing stored for the index.
So iteration over a sequence is rewritten as iteration over its indices, and
``enumerate``/``zip``/``reversed`` are unpacked. ``for``/``while`` … ``else``
becomes a flag set at each ``break`` and a branch after the loop.

    before                          after
    for k, v in enumerate(xs):      for k in range(len(xs)):
        s = s + k * v                   v = xs[k]
                                        s = s + k * v
    for v in reversed(xs):          for i in reversed(range(len(xs))):
        ...                             v = xs[i]
    for k, v in d.items():          keys = keys_of(d)
        ...                         for i in range(len(keys)):
                                        k = keys[i]
                                        v = d[k]
"""

import builtins
import copy
from typing import Callable, Dict, List, Optional, Tuple

import gast

from .. import runtime
from ..analyze.kinds import kind_of_atom
from ..context import Context
from ..kinds import OTHER, Kind
from ..nodes import assign, call, const, located, name, names_stored
from ..parse.resolve import MISSING

HINT = "loop over range(...), an array, a list, a tuple or a dict (enumerate, zip and reversed of those work too)."
SET_HINT = "loop over sorted(s), or list(s) for the order Python iterates it in (a set of numbers only)."


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    ctx.dict_names = {p for p, kind in ctx.param_kinds.items() if kind.tag == "dict"} | _dicts_made(tree)
    tree.body = _block(tree.body, ctx)
    return tree


def _dicts_made(tree: gast.FunctionDef) -> "set[str]":
    """Names assigned a dict display or comprehension: a loop over one runs over its keys."""
    return {
        target.id
        for node in gast.walk(tree)
        if isinstance(node, gast.Assign) and isinstance(node.value, (gast.Dict, gast.DictComp))
        for target in node.targets
        if isinstance(target, gast.Name)
    }


def lower(stmts: List[gast.stmt], ctx: Context) -> List[gast.stmt]:
    """The loops of ``stmts`` over integers (normalize.anf lowers a comprehension's loops with it)."""
    return _block(stmts, ctx)


def _block(stmts: List[gast.stmt], ctx: Context) -> List[gast.stmt]:
    out: List[gast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, gast.If):
            stmt.body, stmt.orelse = _block(stmt.body, ctx), _block(stmt.orelse, ctx)
        if isinstance(stmt, (gast.For, gast.While)):
            stmt.body = _block(stmt.body, ctx)
            if isinstance(stmt, gast.For):
                out += _lower_for(stmt, ctx)
            else:
                out.append(stmt)
            out += _lower_else(stmt, ctx, out)
            continue
        out.append(stmt)
    return out


# ----- for loops -----


def _lower_for(loop: gast.For, ctx: Context) -> List[gast.stmt]:
    """The loop over integers, preceded by whatever must be evaluated once before it."""
    before: List[gast.stmt] = []
    iterable, reverse = loop.iter, False
    if _calls(iterable, builtins.reversed, ctx):
        iterable, reverse = _only_argument(iterable, ctx), True
    if _calls(iterable, builtins.range, ctx):
        index = _plain_target(loop, ctx)
        bounds = [_evaluated_once(a, loop, before, ctx) for a in iterable.args]
        _set_iteration(loop, index, _range(ctx, bounds), reverse, ctx)
        return [*before, loop]
    index = None
    if _calls(iterable, builtins.enumerate, ctx) and not reverse:
        index, elements = _enumerate(loop, iterable, before, ctx)
    elif _calls(iterable, builtins.zip, ctx) and not reverse:
        elements = _zip(loop, iterable, before, ctx)
    else:  # reversed(xs) indexes xs from the end
        elements = [(loop.target, _indexed(iterable, loop, before, ctx))]
    index = index or ctx.namer.fresh("i")
    length = _length([sequence for _, (sequence, _) in elements], ctx)
    reads = [s for target, (sequence, read) in elements for s in read(target, _item(sequence, index, loop))]
    loop.body = reads + loop.body
    _set_iteration(loop, index, _range(ctx, [length]), reverse, ctx)
    return [*before, loop]


def _set_iteration(loop: gast.For, index: str, iterable: gast.expr, reverse: bool, ctx: Context) -> None:
    if index in _assigned_in(loop.body):
        raise ctx.error(
            loop.target, f"the loop variable {index!r} is reassigned inside the loop", "use another name in the body."
        )
    if reverse:
        iterable = call(name(ctx.name_for(builtins.reversed, "reversed")), [iterable])
    for node in gast.walk(iterable):  # new nodes (len, range) belong to the loop's line
        if not hasattr(node, "lineno") and isinstance(node, gast.expr):
            located(node, loop.iter)
    loop.target, loop.iter = name(index, store=True), iterable


def _enumerate(loop: gast.For, iterable: gast.Call, before: list, ctx: Context) -> Tuple[Optional[str], list]:
    """The loop index (the counter itself when it starts at 0) and the element to read."""
    target = _pair_target(loop, 2, ctx)
    if not 1 <= len(iterable.args) <= 2 or iterable.keywords:
        raise ctx.error(iterable, "enumerate takes a sequence and an optional start", HINT)
    sequence = _indexed(iterable.args[0], loop, before, ctx)
    counter, element = target
    if not isinstance(counter, gast.Name):
        raise ctx.error(counter, "the counter of enumerate must be a plain name", HINT)
    if len(iterable.args) == 1:
        return counter.id, [(element, sequence)]
    start = _evaluated_once(iterable.args[1], loop, before, ctx)
    index = ctx.namer.fresh("i")
    shifted = located(gast.BinOp(left=name(index), op=gast.Add(), right=start), loop)
    loop.body.insert(0, assign(counter.id, shifted, loop))
    return index, [(element, sequence)]


def _zip(loop: gast.For, iterable: gast.Call, before: list, ctx: Context) -> list:
    if iterable.keywords or not iterable.args:
        raise ctx.error(iterable, "zip takes sequences", HINT)
    targets = _pair_target(loop, len(iterable.args), ctx)
    return [(target, _indexed(a, loop, before, ctx)) for target, a in zip(targets, iterable.args)]


def _length(sequences: List[gast.expr], ctx: Context) -> gast.expr:
    length = ctx.name_for(builtins.len, "len")
    lengths = [call(name(length), [s]) for s in sequences]
    ctx.lowered_sequences.update(id(s) for s in sequences)  # see check_sequences
    if len(lengths) == 1:
        return lengths[0]
    return call(name(ctx.name_for(builtins.min, "min")), lengths)


def _item(sequence: gast.expr, index: str, loop: gast.For) -> gast.expr:
    # a copy: the optimizer renames names in place, and len(sequence) is outside the loop
    return located(gast.Subscript(value=copy.deepcopy(sequence), slice=name(index), ctx=gast.Load()), loop.iter)


# What a loop indexes, and how it reads the loop variables from an item: (target, item) -> statements.
Indexed = Tuple[gast.expr, Callable[[gast.expr, gast.expr], List[gast.stmt]]]
DICT_VIEWS = ("keys", "values", "items")
LISTS = (builtins.sorted, builtins.list, builtins.tuple, runtime.keys_of)  # calls whose result is indexable: lists


def _indexed(node: gast.expr, loop: gast.For, before: list, ctx: Context) -> Indexed:
    """A sequence as itself; a dict or its view as the list of its keys, each read through the dict."""
    view = _dict_view(node, ctx)
    if view is None:
        sequence = _evaluated_once(_sequence(node, ctx), loop, before, ctx)
        return sequence, lambda target, item: _element(target, item, loop, ctx)
    mapping, which = view
    mapping = _evaluated_once(mapping, loop, before, ctx)
    keys = ctx.namer.fresh("keys")
    before.append(assign(keys, located(call(name(ctx.name_for(runtime.keys_of, "keys_of")), [mapping]), node), loop))

    def read(target: gast.expr, item: gast.expr) -> List[gast.stmt]:
        if which == "keys":
            return _element(target, item, loop, ctx)
        if which == "values":
            return _element(target, _value(mapping, item, loop), loop, ctx)
        if not isinstance(target, (gast.Tuple, gast.List)) or len(target.elts) != 2:  # for pair in d.items()
            key = ctx.namer.temp()
            pair = gast.Tuple(elts=[name(key), _value(mapping, name(key), loop)], ctx=gast.Load())
            return [assign(key, item, loop), *_element(target, located(pair, loop.iter), loop, ctx)]
        key_target, value_target = target.elts
        if isinstance(key_target, gast.Name):  # for k, v in d.items(): k = keys[i]; v = d[k]
            key, reads = key_target.id, [assign(key_target.id, item, loop)]
        else:
            key = ctx.namer.temp()
            reads = [assign(key, item, loop), *_element(key_target, name(key), loop, ctx)]
        return reads + _element(value_target, _value(mapping, name(key), loop), loop, ctx)

    return name(keys), read


def _value(mapping: gast.expr, key: gast.expr, loop: gast.For) -> gast.expr:
    return located(gast.Subscript(value=copy.deepcopy(mapping), slice=key, ctx=gast.Load()), loop.iter)


def _dict_view(node: gast.expr, ctx: Context) -> Optional[Tuple[gast.expr, str]]:
    """``(d, "items")`` for ``d.items()`` (keys, values alike), ``(d, "keys")`` for a dict ``d``, else None."""
    if (
        isinstance(node, gast.Call)
        and isinstance(node.func, gast.Attribute)
        and node.func.attr in DICT_VIEWS
        and not node.args
        and not node.keywords
        and ctx.resolve(node.func) is MISSING
    ):
        return node.func.value, node.func.attr
    if isinstance(node, (gast.Dict, gast.DictComp)) or (isinstance(node, gast.Name) and node.id in ctx.dict_names):
        return node, "keys"  # iterating over a dict gives its keys
    return None


def check_sequences(tree: gast.FunctionDef, ctx: Context, kinds: Dict[str, Kind]) -> None:
    """A loop lowered to indexing must not run over a dict: ``d[i]`` would read values, not keys.

    Whether a name holds a dict is known here, from its kind (a dict a helper returns,
    an alias of a dict parameter), not when loops are lowered.
    """
    for node in gast.walk(tree):
        kind = kind_of_atom(node, kinds, ctx) if id(node) in ctx.lowered_sequences else None
        if kind is not None and kind.tag == "dict":
            raise ctx.error(
                node,
                "this loop runs over a dict, which s2sgrad did not recognize as one when it rewrote the loop "
                "(it would read d[0], d[1], ... instead of the keys)",
                "loop over its keys or items explicitly: for k in d.keys(), for k, v in d.items().",
            )
        if kind == OTHER:  # a set made in the function: Python's order, but no indexing
            raise ctx.error(node, "cannot loop over a set or another value that is not a sequence", SET_HINT)


def _range(ctx: Context, bounds: List[gast.expr]) -> gast.expr:
    return call(name(ctx.name_for(builtins.range, "range")), bounds)


def _sequence(node: gast.expr, ctx: Context) -> gast.expr:
    """The iterable itself, when it is something indexable rather than an iterator."""
    if isinstance(node, gast.Call) and ctx.resolve(node.func) not in LISTS:
        obj = ctx.resolve(node.func)
        spelled = getattr(obj, "__name__", "this call")
        raise ctx.error(node, f"cannot loop over the result of {spelled}(...)", HINT)
    if isinstance(node, gast.Name) and ctx.param_kinds.get(node.id) == OTHER:
        raise ctx.error(node, f"cannot loop over {node.id!r}: it is neither an array nor a list or tuple", HINT)
    if isinstance(node, (gast.Set, gast.SetComp)):
        raise ctx.error(node, "cannot loop over a set or another value that is not a sequence", SET_HINT)
    return node


def _evaluated_once(node: gast.expr, loop: gast.For, before: list, ctx: Context) -> gast.expr:
    """``node`` if the loop cannot change its value, else a temporary holding it.

    Python evaluates a loop's iterable once; a name the body reassigns must
    keep its value from before the loop.
    """
    if isinstance(node, gast.Constant) or (isinstance(node, gast.Name) and node.id not in _assigned_in(loop.body)):
        return node
    temp = ctx.namer.temp()
    before.append(assign(temp, node, loop))
    return name(temp)


def _calls(node: gast.expr, func: object, ctx: Context) -> bool:
    return isinstance(node, gast.Call) and ctx.resolve(node.func) is func


def _only_argument(node: gast.Call, ctx: Context) -> gast.expr:
    if len(node.args) != 1 or node.keywords:
        raise ctx.error(node, "reversed takes one argument", HINT)
    return node.args[0]


def _plain_target(loop: gast.For, ctx: Context) -> str:
    if not isinstance(loop.target, gast.Name):
        raise ctx.error(loop.target, "a range loop has one loop variable", HINT)
    return loop.target.id


def _pair_target(loop: gast.For, count: int, ctx: Context) -> List[gast.Name]:
    target = loop.target
    if not isinstance(target, (gast.Tuple, gast.List)) or len(target.elts) != count:
        raise ctx.error(target, f"unpack the loop variable into {count} names", HINT)
    return list(target.elts)


def _element(target: gast.expr, item: gast.expr, loop: gast.For, ctx: Context) -> List[gast.stmt]:
    """``v = xs[i]``, or ``t = xs[i]; a = t[0]; b = t[1]`` for ``for a, b in xs``."""
    if isinstance(target, gast.Name):
        return [assign(target.id, item, loop)]
    temp = ctx.namer.temp()
    out = [assign(temp, item, loop)]
    for k, element in enumerate(target.elts):
        part = gast.Subscript(value=name(temp), slice=const(k), ctx=gast.Load())
        out += _element(element, part, loop, ctx)
    return out


def _assigned_in(stmts: List[gast.stmt]) -> "set[str]":
    return {n for stmt in stmts for n in names_stored(stmt)}


# ----- else clauses -----


def _lower_else(loop: gast.stmt, ctx: Context, emitted: List[gast.stmt]) -> List[gast.stmt]:
    """``for … else: E`` as a flag raised at each ``break`` and ``if not flag: E`` after the loop."""
    orelse, loop.orelse = loop.orelse, []
    if not orelse:
        return []
    if not _breaks_of(loop.body):
        return orelse
    flag = ctx.namer.fresh("broke")
    loop.body = _flag_breaks(loop.body, flag)
    emitted.insert(emitted.index(loop), assign(flag, const(False), loop))
    test = located(gast.UnaryOp(op=gast.Not(), operand=name(flag)), loop)
    return [located(gast.If(test=test, body=orelse, orelse=[]), orelse[0])]


def _breaks_of(stmts: List[gast.stmt]) -> List[gast.Break]:
    """The ``break`` statements that leave this loop (not an inner one)."""
    found: List[gast.Break] = []
    for stmt in stmts:
        if isinstance(stmt, gast.Break):
            found.append(stmt)
        elif isinstance(stmt, gast.If):
            found += _breaks_of(stmt.body) + _breaks_of(stmt.orelse)
    return found


def _flag_breaks(stmts: List[gast.stmt], flag: str) -> List[gast.stmt]:
    out: List[gast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, gast.Break):
            out.append(assign(flag, const(True), stmt))
        elif isinstance(stmt, gast.If):
            stmt.body, stmt.orelse = _flag_breaks(stmt.body, flag), _flag_breaks(stmt.orelse, flag)
        out.append(stmt)
    return out
