"""NumPy's memory semantics: which names share a buffer, which statements write one.

The rest of the compiler reasons about values. Python does not: ``b = a``,
``v = y[1:3]`` and ``t = x.T`` make names that share one buffer, and
``y[i] = v``, ``b += 1`` (on an array), ``out=``, ``y.fill(v)`` and
``y.sort()`` change that buffer for every name that shares it. This pass is
the one place that model lives. It checks, per write, that reasoning about
values gives exactly what NumPy computes, makes the few copies that make it
so, and rejects (at the write's line) the programs where it cannot.

The model
    Buffers. Every name whose kind may be mutable (an array, a list, a dict,
    anything unknown) points to a set of *buffers*: a parameter's own, an
    allocation (the statement that made a new array), or ``global`` (module
    and closure variables, and what a call may hand back from them). A list
    or dict also has a buffer of its own, apart from its items': ``d[k] = v``
    and ``items.append(v)`` change that one, and ``list(xs)``, ``dict(d)``
    make a new one that holds the same items (a shallow copy).
    Views. The result shares its operand's buffers when the operation may
    return a view: a plain copy ``b = a``, basic indexing (integers, slices,
    ``None``, ``...``) that leaves an array, the functions in ``VIEWS``, an
    element of a list or tuple, and calls of the user's own functions (they
    may return an argument). Everything else — arithmetic, ufuncs,
    reductions, fancy indexing, ``numpy.copy`` — makes a new buffer.
    Writes. ``y[index] = v`` (with ``out=``, ``copyto``, ``fill`` and ``sort``
    rewritten into it by normalize.anf), ``b += v`` on a mutable ``b``,
    ``items.append(v)`` and ``items.pop()`` (which change the list, not its
    items), and a called function that writes into its parameter's buffer.

The rules, for a write through ``n`` into buffers W
    1. W holds no ``global`` buffer: the gradient never changes what the
       caller can see, and the reverse sweep could not read the old values.
    2. No other name that may point into W is read after the write (forward):
       the value-based transform would not see the change through it.
    3. Other names that point into W but are not read afterwards may still be
       read by the reverse sweep, which runs after every write: they become
       copies where they are made (``t = numpy.copy(view)``). If the write
       goes through a view of a parameter, that view becomes a copy too.
    4. A parameter written through its own name is copied on entry: the
       gradient never writes into the caller's arrays.
    5. A call whose callee writes into a parameter's buffer is rejected when
       it passes a global array, one that is read afterwards or one that
       another argument shares (``h(y, y)``): calls are
       differentiated as functions of their arguments, so the caller would
       not see the change. Otherwise the argument is passed as a copy, so the
       change stays the callee's own.
    6. A write into what a user function returned (or a view of it) writes
       into a copy made at the call: the callee's gradient record may hold
       the returned array itself, for the callee's reverse sweep.
Names are tracked flow-sensitively (a name rebound to a new array is a new
buffer) and loops to a fixpoint, so a rejection names a real hazard.
"""

import builtins
import copy
from typing import Any, Dict, FrozenSet, List, NamedTuple, Optional, Set, Tuple

import gast
import numpy

from .. import kinds as K
from .. import runtime
from ..analyze.calls import argument_kinds, bound_arguments, is_user_function
from ..analyze.dataflow import live_after
from ..analyze.kinds import infer_kinds, kind_of_atom, kind_of_subscript
from ..analyze.ops import operation_of
from ..context import Context
from ..nodes import assign, call, constant_value, is_element_write, is_in_place, located, name, names_read, names_stored
from ..parse.resolve import MISSING

# Functions whose result may share memory with an argument.
VIEWS = {
    numpy.asarray,
    numpy.asanyarray,
    numpy.ascontiguousarray,
    numpy.atleast_1d,
    numpy.atleast_2d,
    numpy.atleast_3d,
    numpy.broadcast_to,
    numpy.broadcast_arrays,
    numpy.diag,  # of a matrix: its diagonal, a view
    numpy.diagonal,
    numpy.einsum,  # 'ij->ji' and 'ii->i' return views
    numpy.expand_dims,
    numpy.flip,
    numpy.fliplr,
    numpy.flipud,
    numpy.moveaxis,
    numpy.nan_to_num,  # copy=False returns its argument
    numpy.float64,  # of a float64 array: the array itself
    numpy.ravel,
    numpy.real,
    numpy.imag,  # of a complex array
    numpy.reshape,
    numpy.rollaxis,
    numpy.rot90,
    numpy.split,
    numpy.array_split,
    numpy.hsplit,
    numpy.vsplit,
    numpy.dsplit,
    numpy.squeeze,
    numpy.swapaxes,
    numpy.transpose,
    builtins.max,  # max(a, b) is one of them
    builtins.min,
    builtins.sorted,  # a new list of the same items
    runtime.get,  # d.get(key): the item itself
}
# Calls that make a new container holding their argument's items (not copies of them): ``list(xs)``.
CONTAINER_COPIES = {builtins.list, builtins.tuple, builtins.dict, copy.copy, runtime.copied}
# Functions whose purpose is to write into an argument (see normalize.anf for the ones rewritten).
IN_PLACE = {
    numpy.copyto,
    numpy.put,
    numpy.place,
    numpy.putmask,
    numpy.fill_diagonal,
    numpy.put_along_axis,
    numpy.random.shuffle,
}
# The views above that always return an ndarray.
ARRAY_VIEWS = VIEWS - {
    numpy.split,
    numpy.array_split,
    numpy.hsplit,
    numpy.vsplit,
    numpy.dsplit,
    numpy.broadcast_arrays,
    numpy.einsum,
    numpy.real,
    numpy.imag,
    numpy.float64,
    numpy.nan_to_num,
    builtins.max,
    builtins.min,
    builtins.sorted,
    runtime.get,
}
GLOBAL = "global"
# Values a module or closure variable may hold that a write could change.
MUTABLE_TYPES = (numpy.ndarray, list, dict, set, bytearray, tuple)
# Operations whose adjoint reads the values of their operands (a copy, +, - and indexing do not).
VALUE_FREE = (gast.Add, gast.Sub, gast.USub, gast.UAdd)


def in_place_function(func: object) -> bool:
    """A function called for the change it makes to an argument: ``numpy.copyto``, ``numpy.add.at``."""
    if getattr(func, "__name__", None) == "at" and isinstance(getattr(func, "__self__", None), numpy.ufunc):
        return True
    return func in IN_PLACE  # hashable: context.resolve and the lambdas pass reject calls of anything else


class Binding(NamedTuple):
    """What a name may hold at a point: its buffers, and the assignments that may have bound it."""

    buffers: FrozenSet[str]
    definitions: FrozenSet[int]  # ids of the Assign statements; empty for a parameter
    # What the object itself may be: a list or dict's own buffer, apart from its items' (all of them when unknown).
    # A write into a container (``d[k] = v``, ``items.append(v)``) changes its own buffer, not its items.
    own: FrozenSet[str]


State = Dict[str, Binding]


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    analysis = _Analysis(tree, ctx)
    analysis.block(tree.body, analysis.entry_state(), checking=True)
    ctx.written_parameters = frozenset(analysis.written_parameters)
    copier = ctx.reference(numpy, "copy")
    entry = [assign(p, call(copy.deepcopy(copier), [name(p)]), tree.body[0]) for p in analysis.copied_parameters]
    tree.body = _separate(tree, analysis, ctx) + entry + _with_copies(tree.body, analysis, copier, ctx)
    return tree


def _separate(tree: gast.FunctionDef, analysis: "_Analysis", ctx: Context) -> List[gast.stmt]:
    """``separate(x=x, y=y)`` for each parameter written in place: a call ``f(a, a)`` is an error, not a wrong value."""
    out: List[gast.stmt] = []
    others = [p for p in analysis.parameters if analysis.mutable(p)]
    for written in sorted(analysis.written_parameters):
        arguments = [written, *(p for p in others if p != written)]
        if len(arguments) > 1:
            check = call(
                name(ctx.name_for(runtime.separate, "separate")),
                [],
                [gast.keyword(arg=p, value=name(p)) for p in arguments],
            )
            out.append(located(gast.Expr(value=check), tree.body[0]))
    return out


class _Analysis:
    def __init__(self, tree: gast.FunctionDef, ctx: Context) -> None:
        self.ctx = ctx
        self.parameters = [a.id for a in tree.args.args]
        self.locals = names_stored(tree) | set(self.parameters)
        self.kinds = infer_kinds(tree, ctx)
        self.live_after = live_after(tree)
        self.value_reads = _value_reads(tree.body, ctx)
        self.definitions: Dict[int, gast.Assign] = {}
        self.sharing: Set[int] = set()  # assignments whose value may share an operand's buffer
        self.copied: Set[int] = set()  # assignments whose value becomes a copy (rule 3)
        self.copied_parameters: List[str] = []  # rule 4
        self.copied_arguments: Dict[int, List[gast.Name]] = {}  # rule 5: by statement, what it passes
        self.written_parameters: Set[str] = set()  # parameters whose caller-visible buffer is written
        self.breaks: List[List[State]] = []
        self.position: Dict[int, Tuple[List[gast.stmt], int]] = {}  # each statement's block and index in it
        self.write_backs: Dict[int, gast.Assign] = {}  # ``v *= 3`` on ``v = y[::2]``: then ``y[::2] = v``
        self.returned: Dict[str, int] = {}  # the buffers user functions return -> the call statement's id
        # Containers (their own buffers) whose items are known to be distinct objects: a change to one
        # item in place is not seen through another. Only ever narrowed, so it holds at every point.
        self.distinct_items: Set[str] = set()

    def entry_state(self) -> State:
        """A parameter's buffers; a list or dict parameter also has its own, apart from its items'."""
        state = {}
        for p in filter(self.mutable, self.parameters):
            own = frozenset([_container(_parameter(p)) if self.is_container(p) else _parameter(p)])
            state[p] = Binding(own | {_parameter(p)}, frozenset(), own)
        return state

    def is_container(self, variable: str) -> bool:
        return self.kinds.get(variable, K.UNKNOWN).is_container

    def mutable(self, variable: str) -> bool:
        kind = self.kinds.get(variable, K.UNKNOWN)
        return not (kind.is_scalar or kind.tag in ("shape", "function"))

    # ----- the forward walk -----

    def block(self, stmts: List[gast.stmt], state: State, checking: bool) -> State:
        for i, stmt in enumerate(stmts):
            self.position[id(stmt)] = (stmts, i)
            state = self.statement(stmt, state, checking)
        return state

    def statement(self, stmt: gast.stmt, state: State, checking: bool) -> State:
        if isinstance(stmt, gast.If):
            body = self.block(stmt.body, dict(state), checking)
            return _join(body, self.block(stmt.orelse, dict(state), checking))
        if isinstance(stmt, (gast.For, gast.While)):
            return self.loop(stmt, state, checking)
        if isinstance(stmt, gast.Break) and self.breaks:
            self.breaks[-1].append(dict(state))
        value = getattr(stmt, "value", None)
        if checking and isinstance(stmt, (gast.Expr, gast.Assign)) and isinstance(value, gast.Call):
            self.call_writes(stmt, state)
        if not isinstance(stmt, gast.Assign):
            return state
        if is_element_write(stmt):
            base = stmt.targets[0].value.id
            if checking:
                self.write(stmt, base, state, element=True)
                if is_in_place(stmt) and self.is_container(base):
                    self.item_update(stmt, base, state)
            self.note_item_written(base, stmt.value, state)
            return state
        if checking and self.is_pop(value) and isinstance(value.args[0], gast.Name):
            self.write(stmt, value.args[0].id, state, element=False)  # the list is one item shorter
        target = stmt.targets[0].id
        in_place = (is_in_place(stmt) or self.is_append(value)) and target in state
        if in_place and checking:
            self.write(stmt, target, state, element=False)
        if in_place and self.is_append(value):
            self.note_item_written(target, value.args[1], state)
        state = dict(state)
        if not self.mutable(target):
            state.pop(target, None)
        elif in_place:  # the same object, now holding what it was updated with too (a list's new item)
            state[target] = state[target]._replace(buffers=state[target].buffers | self.buffers_of(stmt, state))
        else:
            self.definitions[id(stmt)] = stmt
            if isinstance(value, gast.Call) and is_user_function(operation_of(value, self.ctx).func, self.ctx):
                allocation = _allocation(stmt)
                self.returned[allocation] = self.returned[_older_name(allocation)] = id(stmt)
            state = _older(state, _allocation(stmt))
            buffers = self.buffers_of(stmt, state)
            state[target] = Binding(buffers, frozenset([id(stmt)]), self.own_of(stmt, state, buffers))
            self.note_distinct_items(stmt, state)
        return state

    def loop(self, stmt: gast.stmt, state: State, checking: bool) -> State:
        """The state at the loop's top is a fixpoint; exits join the states at its top and at each ``break``."""
        top = dict(state)
        while True:
            self.breaks.append([])
            end = self.block(stmt.body, dict(top), checking=False)
            self.breaks.pop()
            joined = _join(top, end)
            if joined == top:
                break
            top = joined
        self.breaks.append([])
        exits = [top, self.block(stmt.body, dict(top), checking)]
        exits += self.breaks.pop()
        exits.append(self.block(stmt.orelse, dict(top), checking))
        result = exits[0]
        for other in exits[1:]:
            result = _join(result, other)
        return result

    # ----- what a value may share -----

    def buffers_of(self, stmt: gast.Assign, state: State) -> FrozenSet[str]:
        """The buffers the assigned value may point into (see "Views" above)."""
        value, fresh = stmt.value, frozenset([_allocation(stmt)])
        op = operation_of(value, self.ctx)
        if op.form == "subscript" and not self.may_be_view(value):
            return fresh
        if op.form == "subscript" and kind_of_atom(op.args[0], self.kinds, self.ctx).is_container:
            shared = self.items_of(op.args[0], state)  # an item, not the list itself
        elif op.form in ("copy", "subscript"):
            shared = self.buffers_of_atom(op.args[0], state)
        elif op.form == "call" and op.func is runtime.popped:
            shared = self.items_of(op.args[0], state)
        elif op.form == "display":  # the container is an object of its own, holding its elements' buffers
            elements = [self.buffers_of_atom(e, state) for e in op.args]
            return frozenset().union(frozenset([_container(_allocation(stmt))]), *elements)
        elif op.form == "call" and op.func in CONTAINER_COPIES:  # a new container of the same items
            operands = [*op.args, *[k.value for k in op.keywords]]
            items = [self.items_of(a, state) for a in operands]
            return frozenset().union(frozenset([_container(_allocation(stmt))]), *items)
        elif op.form == "call" and self.may_share(op.func, op.keywords):
            operands = [*op.args, *[k.value for k in op.keywords]]
            shared = frozenset().union(*[self.buffers_of_atom(a, state) for a in operands])
        else:
            return fresh
        if shared:
            self.sharing.add(id(stmt))
        return shared if op.form in ("copy", "subscript") or op.func is runtime.popped else fresh | shared

    def own_of(self, stmt: gast.Assign, state: State, buffers: FrozenSet[str]) -> FrozenSet[str]:
        """What the assigned object itself may be (see ``Binding.own``)."""
        op = operation_of(stmt.value, self.ctx)
        if op.form == "display" or (op.form == "call" and op.func in CONTAINER_COPIES):
            return frozenset([_container(_allocation(stmt))])
        if op.form == "copy" and isinstance(op.args[0], gast.Name) and op.args[0].id in state:
            return state[op.args[0].id].own
        return buffers  # an item of a list may be any of them

    def items_of(self, node: gast.expr, state: State) -> FrozenSet[str]:
        """What a list's (or a dict's) items may share: its buffers but its own."""
        if isinstance(node, gast.Name) and node.id in state:
            return state[node.id].buffers - state[node.id].own
        return self.buffers_of_atom(node, state)

    def may_share(self, func: Any, keywords: List[gast.keyword]) -> bool:
        """A call that may return (part of) an argument: a view, or a function the compiler cannot see into."""
        if func is numpy.array or func is runtime.astype:  # x.astype(t, copy=False) may be x itself
            return any(k.arg == "copy" for k in keywords)
        if func is runtime.append or func is MISSING or is_user_function(func, self.ctx):
            return True
        return func in VIEWS or self.ctx.rules.lookup(func) is None

    def buffers_of_atom(self, node: gast.expr, state: State) -> FrozenSet[str]:
        if isinstance(node, (gast.Tuple, gast.List)):
            return frozenset().union(*[self.buffers_of_atom(e, state) for e in node.elts])
        if isinstance(node, gast.Name) and node.id in self.locals:
            return state[node.id].buffers if node.id in state else frozenset()  # else a scalar
        if isinstance(node, (gast.Name, gast.Attribute)):
            value = self.ctx.resolve(node)
            return frozenset([GLOBAL]) if value is MISSING or isinstance(value, MUTABLE_TYPES) else frozenset()
        return frozenset()  # a literal

    def may_be_view(self, value: gast.Subscript) -> bool:
        """Basic indexing returns a view, unless it picks one element (a NumPy scalar, a copy). An index of
        the other kind (not a number, an array, a list or unknown: ``s = slice(1, 3)``, ``ax = None``, a
        parameter holding ``...``) is a slice, ``None`` or ``...``: ``y[s]`` is a view too."""
        if kind_of_atom(value.value, self.kinds, self.ctx).tag not in ("array", "integer"):
            return True  # an element of a list is the object itself
        for part in _index_parts(value):
            kind = kind_of_atom(part, self.kinds, self.ctx)
            fancy = kind.tag in ("array", "integer", "sequence", "unknown") and kind != K.INTEGER
            if fancy and not self.is_basic_part(part):
                return False
        return True

    def is_basic_part(self, part: gast.expr) -> bool:
        """Certainly a basic index: a slice, an integer, ``None`` (also spelled ``numpy.newaxis``) or ``...``."""
        if isinstance(part, gast.Slice) or kind_of_atom(part, self.kinds, self.ctx) == K.INTEGER:
            return True
        value = constant_value(part, MISSING)
        if value is MISSING and isinstance(part, gast.Attribute):
            value = self.ctx.resolve(part)
        return value is None or value is Ellipsis

    def is_view(self, value: gast.Subscript, target: str, element: bool) -> bool:
        """``target = value`` certainly shares memory that the write changes, so a write-back keeps the meaning.

        An element write proves ``target`` mutable. For ``target *= 2`` it must be known: ``x = a[i, j]`` of an
        array of unknown rank may be a number, which ``x *= 2`` only rebinds.
        """
        if not self.may_be_view(value) or not all(self.is_basic_part(p) for p in _index_parts(value)):
            return False
        if element or self.kinds.get(target, K.UNKNOWN).tag == "array":
            return True
        base = kind_of_atom(value.value, self.kinds, self.ctx)
        return base.tag == "array" and kind_of_subscript(value, self.kinds, self.ctx).tag == "array"

    def is_append(self, value: Any) -> bool:
        return isinstance(value, gast.Call) and self.ctx.resolve(value.func) is runtime.append

    def is_pop(self, value: Any) -> bool:
        return isinstance(value, gast.Call) and self.ctx.resolve(value.func) is runtime.popped

    # ----- which containers hold distinct items -----

    def note_distinct_items(self, stmt: gast.Assign, state: State) -> None:
        """A display of items that share no buffer, or a shallow copy of such a container, holds distinct items."""
        op = operation_of(stmt.value, self.ctx)
        made = _container(_allocation(stmt))
        if op.form == "display":
            parts = [self.buffers_of_atom(e, state) for e in op.args]
            if all(not (a & b) for i, a in enumerate(parts) for b in parts[i + 1 :]):
                self.distinct_items.add(made)
        elif op.form == "call" and op.func in CONTAINER_COPIES:
            copied_alone = len(op.args) == 1 and not op.keywords  # dict(d, k=v) may add one of d's items again
            if copied_alone and self.items_distinct(op.args[0], state):
                self.distinct_items.add(made)

    def note_item_written(self, base: str, value: gast.expr, state: State) -> None:
        """``base[k] = v`` or ``base.append(v)``: base's items stop being distinct if ``v`` may be one of them."""
        if base in state and self.buffers_of_atom(value, state) & self.items_of(name(base), state):
            self.distinct_items -= {_current(b) for b in state[base].own}

    def items_distinct(self, node: gast.expr, state: State) -> bool:
        """Whether the container ``node`` names certainly holds distinct objects (a parameter's may repeat one)."""
        if not (isinstance(node, gast.Name) and node.id in state):
            return False
        return all(_current(b) in self.distinct_items for b in state[node.id].own)

    def check_items_distinct(self, base: str, state: State, stmt: gast.stmt, where: gast.AST) -> None:
        """A change to one item of ``base`` in place is seen through every item that is the same object."""
        if base in self.live_after[id(stmt)] and not self.items_distinct(name(base), state):
            raise self.ctx.error(
                where,
                f"this changes an item of {base!r} in place, which other items of {base!r} may be too "
                f"(the same array), and {base!r} is read afterwards",
                f"make the item a new array instead: {base}[k] = {base}[k] + v, not {base}[k] += v",
            )

    def item_update(self, stmt: gast.Assign, base: str, state: State) -> None:
        """``base[k] += v`` on a list or dict: Python changes the item itself (an array) in place, as
        ``t = base[k]; t += v; base[k] = t`` would; the generated code makes a new array for it instead."""
        items = self.items_of(name(base), state)
        if not items:
            return  # numbers, or items nothing else holds
        where = stmt.targets[0]
        hint = f"make the item a new array instead: {base}[k] = {base}[k] + v, not {base}[k] += v"
        if GLOBAL in items:
            raise self.ctx.error(
                where, f"this changes an item of {base!r} in place, and it may be a global or closure array", hint
            )
        self.sharing_names(items, {base}, state, stmt, where, base, hint)
        self.check_items_distinct(base, state, stmt, where)

    # ----- writes -----

    def write(
        self, stmt: gast.Assign, target: str, state: State, element: bool, after: Optional[gast.stmt] = None
    ) -> None:
        """Rules 1-4 for a write through ``target``; ``element``: a real in-place write in the generated code.

        ``after``: the statement whose successors read what the write changes (``stmt`` itself unless
        ``stmt`` is a write-back the pass adds).
        """
        if target not in state and target in self.locals:
            return  # not an array (nor anything else that a write could share)
        if after is None and self.write_back(stmt, target, state, element):
            return
        where = stmt.targets[0] if element else stmt
        if target not in state:
            written = self.buffers_of_atom(name(target), state)
        else:  # a list changes; the arrays it holds do not
            written = state[target].own if self.is_container(target) else state[target].buffers
        if GLOBAL in written:
            raise self.ctx.error(
                where,
                f"this changes {target!r} in place, and it may be (or share memory with) a global or closure array",
                f"change a copy made in the function instead: {target} = {target}.copy()",
            )
        self.written_parameters |= {p for p in self.parameters if {_parameter(p), _container(_parameter(p))} & written}
        excluded = {target, *names_read(stmt.value)} if after is not None else {target}  # updated together
        if self.is_pop(stmt.value):  # v = items.pop(): the list loses an item, and v is bound anew
            excluded.add(stmt.targets[0].id)
        shared = self.sharing_names(written, excluded, state, after or stmt, where, target)
        callers = sorted(p for p in self.parameters if _container(_parameter(p)) in written)
        if callers:
            copier = "dict" if self.kinds.get(callers[0], K.UNKNOWN).tag == "dict" else "list"
            raise self.ctx.error(
                where,
                f"this changes the caller's {callers[0]!r} in place",
                f"change a copy instead: {callers[0]} = {copier}({callers[0]})",
            )
        if not element:
            return  # the generated code computes the update as a new value: nothing else changes
        self.copy_returned(written, where)
        for other in shared:
            if other in self.value_reads:  # the reverse sweep may read it after the write: keep its value
                self.copy_definitions(other, state, where)
                self.copy_definitions(target, state, where)
        if target in self.parameters and _parameter(target) in written:
            if target not in self.copied_parameters:
                self.copied_parameters.append(target)
        elif any(b.startswith("parameter ") for b in written):  # a view of a parameter: write into a copy
            self.copy_definitions(target, state, where)

    def sharing_names(
        self,
        written: FrozenSet[str],
        excluded: Set[str],
        state: State,
        stmt: gast.stmt,
        where: gast.AST,
        target: str,
        hint: str = "",
    ) -> List[str]:
        """Rule 2: the other names that may share what a write changes, none of them read after ``stmt``."""
        shared = [m for m, b in state.items() if m not in excluded and b.buffers & written]
        for other in shared:
            if other in self.live_after[id(stmt)]:
                raise self.ctx.error(
                    where,
                    f"this changes {target!r} in place, which also changes {other!r} (they may share memory), "
                    f"and {other!r} is read afterwards",
                    hint or f"make one of them a copy before the write, e.g. {target} = {target}.copy()",
                )
        return shared

    def write_back(self, stmt: gast.Assign, target: str, state: State, element: bool) -> bool:
        """``v = y[index]; ...; v *= 3``: NumPy changes ``y`` through the view, so write ``y[index] = v`` after.

        Only for a view made in the same block with nothing in between rebinding ``y`` or the index.
        For a write into part of the view (``v[0] = 1``), ``v`` becomes a copy: the write goes into it,
        and the write-back into ``y``, where the transform sees it. So it does where the reverse sweep
        reads the view's values (``v *= x`` reads the old ``v``), which the write-back would change.
        """
        if target not in state:
            return False
        definitions = state[target].definitions
        if len(definitions) != 1:
            return False
        view = self.definitions[next(iter(definitions))]
        value = view.value
        if not (
            isinstance(value, gast.Subscript)
            and isinstance(value.value, gast.Name)
            and self.is_view(value, target, element)
        ):
            return False
        if element and not self.is_array(target, view):
            return False  # the view becomes a copy: numpy.copy only for what is certainly an array
        base = value.value.id
        block, start = self.position[id(view)]
        block_now, end = self.position[id(stmt)]
        rebound = {base, target, *names_read(value.slice)}
        if block is not block_now or start > end or any(names_stored(s) & rebound for s in block[start + 1 : end]):
            return False  # the view is not made right before the write, in one straight run of statements
        if base not in state:
            return False
        if self.is_container(base):  # the write-back replaces the list's item: other holders of it do not see it
            # (named at the statement: ``t += v`` desugared has a target of no position)
            self.sharing_names(state[target].buffers, {target, base}, state, stmt, stmt, target)
            self.check_items_distinct(base, state, stmt, stmt)
        part = gast.Subscript(value=name(base), slice=copy.deepcopy(value.slice), ctx=gast.Store())
        back = located(gast.Assign(targets=[located(part, stmt)], value=name(target), type_comment=None), stmt)
        self.write(back, base, state, element=True, after=stmt)
        self.write_backs[id(stmt)] = back
        if element or target in self.value_reads:  # the reverse sweep reads the view's old values
            self.copied.add(id(view))
        return True

    def copy_returned(self, written: FrozenSet[str], where: gast.AST) -> None:
        """Rule 6: what a user function returned, written into: its gradient's record may hold it."""
        for site in sorted({self.returned[b] for b in written if b in self.returned}):
            variable = self.definitions[site].targets[0].id
            self.copy_at(site, variable, where, "what a call returned", "which the call's gradient keeps")

    def copy_definitions(self, variable: str, state: State, where: gast.AST) -> None:
        """Rule 3: where ``variable`` was bound to memory it shares, bind it to a copy instead."""
        for site in state[variable].definitions & self.sharing:
            self.copy_at(site, variable, where, repr(variable), "which may share memory with it")

    def copy_at(self, site: int, variable: str, where: gast.AST, changed: str, why: str) -> None:
        """``variable = value`` at ``site`` becomes a copy; a write is rejected when it may not be an array."""
        if not self.is_array(variable, self.definitions[site]):
            line = self.ctx.source.file_line(self.definitions[site])
            raise self.ctx.error(
                where,
                f"this write may change {changed} (line {line}), {why}, "
                "and it is not known to be an array that s2sgrad could copy apart",
                f"make {variable} a copy where it is made: {variable} = numpy.copy(...)",
            )
        self.copied.add(site)

    def is_array(self, variable: str, definition: gast.Assign) -> bool:
        """Known to hold an array: by its kind, or as a view (basic index, ``reshape``...) of one."""
        if self.kinds.get(variable, K.UNKNOWN).tag == "array":
            return True
        op = operation_of(definition.value, self.ctx)
        if op.form == "call":
            return op.func in ARRAY_VIEWS  # NumPy functions that always return an ndarray
        return op.form in ("copy", "subscript") and kind_of_atom(op.args[0], self.kinds, self.ctx).tag == "array"

    def call_writes(self, stmt: gast.stmt, state: State) -> None:
        """Rule 5: a call of the user's function that changes an array it is passed, which is seen afterwards."""
        value = stmt.value
        func = self.ctx.resolve(value.func)
        if not is_user_function(func, self.ctx) or self.ctx.callee_writes is None:
            return
        nodes = bound_arguments(func, list(value.args), list(value.keywords), self.ctx, value)
        param_kinds = argument_kinds(func, nodes, lambda n: kind_of_atom(n, self.kinds, self.ctx))
        for parameter in sorted(self.ctx.callee_writes(func, param_kinds)):
            written = self.buffers_of_atom(nodes[parameter], state) if nodes[parameter] is not None else frozenset()
            seen = [m for m, b in state.items() if b.buffers & written and m in self.live_after[id(stmt)]]
            seen += [
                p
                for p, n in nodes.items()
                if p != parameter and n is not None and self.buffers_of_atom(n, state) & written
            ]
            if written and GLOBAL not in written and not seen:
                self.copied_arguments.setdefault(id(stmt), []).append(nodes[parameter])  # the change stays its own
            elif written:
                what = "a global or closure array" if GLOBAL in written else repr(seen[0]) if seen else "it"
                raise self.ctx.error(
                    value,
                    f"{func.__name__}() changes its argument {parameter!r} in place, which changes {what}; "
                    "s2sgrad differentiates calls as functions of their arguments",
                    f"let {func.__name__} return the new array instead of changing {parameter}",
                )


def _index_parts(value: gast.Subscript) -> List[gast.expr]:
    return value.slice.elts if isinstance(value.slice, gast.Tuple) else [value.slice]


def _parameter(variable: str) -> str:
    return f"parameter {variable}"


def _allocation(stmt: gast.stmt) -> str:
    return f"allocation {id(stmt)}"


def _older_name(site: str) -> str:
    return f"earlier {site}"


def _older(state: State, site: str) -> State:
    """Before ``site`` makes a new array, what names hold from it are older arrays, distinct from the new one.

    (In a loop, ``prev = cur; cur = cur * 2.0`` leaves ``prev`` and ``cur`` two arrays, though one statement
    made both.)
    """
    renamed = {site: _older_name(site), _container(site): _older_name(_container(site))}  # a list display too
    return {
        variable: binding._replace(
            buffers=frozenset(renamed.get(b, b) for b in binding.buffers),
            own=frozenset(renamed.get(b, b) for b in binding.own),
        )
        for variable, binding in state.items()
    }


def _current(buffer: str) -> str:
    """A buffer named as what its site makes now: an older array from a site is the same kind of object."""
    prefix = _older_name("")
    return buffer[len(prefix) :] if buffer.startswith(prefix) else buffer


def _container(site: str) -> str:
    """The buffer of a list, tuple or dict itself (not its items') that a display at ``site`` makes, or a parameter."""
    return site.replace("allocation", "container") if site.startswith("allocation") else f"container {site}"


def _join(a: State, b: State) -> State:
    joined = dict(a)
    for variable, binding in b.items():
        if variable in joined:
            old = joined[variable]
            binding = Binding(*(mine | theirs for mine, theirs in zip(old, binding)))
        joined[variable] = binding
    return joined


def _value_reads(stmts: List[gast.stmt], ctx: Context) -> Set[str]:
    """Names whose values the reverse sweep may read: operands, and results an adjoint reads (``tanh``'s)."""
    found: Set[str] = set()
    for stmt in stmts:
        for block in (getattr(stmt, "body", None), getattr(stmt, "orelse", None)):
            if isinstance(block, list):
                found |= _value_reads(block, ctx)
        value = getattr(stmt, "value", None)
        if not isinstance(stmt, gast.Assign) or is_element_write(stmt):
            continue
        op = operation_of(value, ctx)
        free = isinstance(getattr(value, "op", None), VALUE_FREE) or op.form in ("copy", "subscript", "display")
        if not free and op.form != "logic":
            found |= set(names_read(value))
        if op.form == "call" and _reads_its_result(op.func, ctx):
            found |= names_stored(stmt)
    return found


def _reads_its_result(func: Any, ctx: Context) -> bool:
    """``y = tanh(x)``: the adjoint reads ``y``; a user function's record may hold its result."""
    if is_user_function(func, ctx):
        return True
    rule = ctx.rules.lookup(func) if func is not MISSING else None
    return rule is not None and rule.reads_result


# ----- the rewrite -----


def _with_copies(stmts: List[gast.stmt], analysis: _Analysis, copier: gast.expr, ctx: Context) -> List[gast.stmt]:
    """``m = view`` becomes ``t = view; m = numpy.copy(t)``; ``h(y)`` becomes ``t = numpy.copy(y); h(t)``."""
    out: List[gast.stmt] = []
    for stmt in stmts:
        for field in ("body", "orelse"):
            if isinstance(getattr(stmt, field, None), list):
                setattr(stmt, field, _with_copies(getattr(stmt, field), analysis, copier, ctx))
        for argument in analysis.copied_arguments.get(id(stmt), []):
            temp = ctx.namer.temp()
            out.append(assign(temp, call(copy.deepcopy(copier), [name(argument.id)]), stmt))
            argument.id = temp
        if id(stmt) in analysis.copied and not isinstance(stmt.value, gast.Name):
            temp = ctx.namer.temp()
            out.append(assign(temp, stmt.value, stmt))
            stmt.value = name(temp)
        if id(stmt) in analysis.copied:
            stmt.value = located(call(copy.deepcopy(copier), [stmt.value]), stmt.value)
        out.append(stmt)
        if id(stmt) in analysis.write_backs:
            out.append(analysis.write_backs[id(stmt)])
    return out
