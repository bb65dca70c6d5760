"""The reverse sweep: the adjoint of each statement, last to first, keeping the code's shape.

Besides the adjoint code, the sweep records what :mod:`.storage` needs to
decide what to save: which forward values each statement's adjoint reads, and
markers where saved values may have to be restored (after the adjoint of an
assignment; at the start of each reversed block).

Loops are reversed at a fixpoint of the adjoint state: the state at the top
of the reversed body must hold after every iteration, so the body is first
reversed without keeping the code (a *dry run*) until the state is stable;
adjoints that become defined only inside the loop start as zeros before it.
"""

import builtins
import contextlib
import copy
from typing import Dict, Iterator, List, Optional, Set, Tuple

import gast
import numpy

from .. import runtime
from ..analyze.calls import (
    argument_kinds,
    bound_arguments,
    call_arguments,
    display_items,
    is_user_function,
    passes_active,
)
from ..analyze.kinds import kind_of_subscript
from ..analyze.ops import Operation, operation_of
from ..context import Context
from ..implicit import implicit_root
from ..kinds import INTEGER, UNKNOWN, Kind
from ..nodes import (
    SCOPE,
    assign,
    assigned_name,
    blocks_of,
    call,
    const,
    constant_value,
    is_element_write,
    located,
    name,
    names_read,
)
from . import implicit
from .adjoints import Adjoints, State
from .instantiate import Instantiator

MARKER = "__s2sgrad_at__"
Reads = Tuple[Set[str], Set[str]]  # forward values read before / after the statement's assignment


def marker(place: str, node: object) -> gast.stmt:
    """A placeholder statement that :mod:`.storage` replaces by restores (or nothing)."""
    return gast.Expr(value=call(name(MARKER), [gast.Constant(value=f"{place}:{id(node)}", kind=None)]))


def marker_key(stmt: gast.stmt) -> Optional[str]:
    value = getattr(stmt, "value", None)
    if isinstance(stmt, gast.Expr) and isinstance(value, gast.Call) and getattr(value.func, "id", None) == MARKER:
        return value.args[0].value
    return None


def count_trips(stmts: List[gast.stmt], ctx: Context, kinds: Dict[str, Kind]) -> Dict[int, str]:
    """Count the iterations of each ``while`` loop and each ``for`` loop left by ``break``.

    Adds ``n = 0`` before the loop and ``n = n + 1`` at the top of its body;
    returns the counter's name by loop.
    """
    trips: Dict[int, str] = {}
    for block in _blocks(stmts):
        for i in reversed(range(len(block))):
            loop = block[i]
            if isinstance(loop, gast.While) or (isinstance(loop, gast.For) and _breaks(loop.body)):
                counter = ctx.namer.fresh("n_trips")
                kinds[counter] = INTEGER
                trips[id(loop)] = counter
                step = located(gast.BinOp(left=name(counter), op=gast.Add(), right=const(1)), loop)
                loop.body.insert(0, assign(counter, step, loop))
                block.insert(i, assign(counter, const(0), loop))
    return trips


def _blocks(stmts: List[gast.stmt]) -> Iterator[List[gast.stmt]]:
    yield stmts
    for stmt in stmts:
        for field in ("body", "orelse"):
            if isinstance(stmt, (gast.If, gast.For, gast.While)):
                yield from _blocks(getattr(stmt, field))


def _breaks(stmts: List[gast.stmt]) -> bool:
    return any(isinstance(s, gast.Break) or (isinstance(s, gast.If) and _breaks(s.body + s.orelse)) for s in stmts)


def zero_of(ctx: Context, var: str, kinds: Dict[str, Kind]) -> gast.expr:
    """A zero adjoint for ``var``: ``0.0`` for a scalar, else ``zeros_like(var)``."""
    if kinds.get(var, Kind("unknown")).tag == "scalar":
        return const(0.0)
    return call(name(ctx.name_for(runtime.zeros_like, "zeros_like")), [name(var)])


class Sweep:
    def __init__(
        self,
        ctx: Context,
        kinds: Dict[str, Kind],
        active: Set[str],
        adjoints: Adjoints,
        instantiator: Instantiator,
        trips: Dict[int, str],
    ) -> None:
        self.ctx, self.kinds, self.active, self.adjoints = ctx, kinds, active, adjoints
        self.instantiator, self.trips = instantiator, trips
        self.indexed_by_key: Set[str] = set()  # names read as ``t[0]``/``t["k"]``: their adjoints may be lists
        self.reads: Dict[int, Reads] = {}  # by id of the forward statement
        self.exit_reads: Dict[int, Set[str]] = {}  # by id of a loop: read after it (the trip count)
        self.end_reads: Dict[int, Set[str]] = {}  # by id of a block: read at its end (by recomputation)
        self.forward_names = set(ctx.local_names) | set(kinds)
        # ``y = helper(a)`` whose forward statement becomes ``y, record = forward_helper(a)``: by id, the record's
        # name ("" when it keeps none) and the call (applied by ``run_forward_functions`` once the loops' repeated
        # visits are done; the sweep may undo a visit, with the names it injected, so each visit names the forward
        # function again).
        self.records: Dict[int, str] = {}
        self.forward_calls: Dict[int, Tuple[str, gast.Call]] = {}

    # ----- blocks and statements -----

    def block(self, stmts: List[gast.stmt]) -> List[gast.stmt]:
        out: List[gast.stmt] = []
        for stmt in reversed(stmts):
            out += self.statement(stmt)
        return out

    def statement(self, stmt: gast.stmt) -> List[gast.stmt]:
        if isinstance(stmt, gast.Assign):
            return self.assignment(stmt)
        if isinstance(stmt, (gast.If, gast.For, gast.While)) and not self.reverses(stmt):
            # control flow around inactive values only: nothing to reverse, but what it
            # overwrites may have to be put back here (see storage)
            return [marker("after", stmt)]
        if isinstance(stmt, gast.If) and getattr(stmt, SCOPE, ("",))[0] == "with":
            return self.with_block(stmt)
        if isinstance(stmt, gast.If):
            return self.branch(stmt)
        if isinstance(stmt, (gast.For, gast.While)):
            return self.loop(stmt)
        return []  # side effects (print, assert, raise) and break: nothing to reverse

    def reverses(self, stmt: gast.stmt) -> bool:
        """Whether the reverse sweep keeps a compound statement: only if it assigns an active value."""
        return any(assigned_name(n) in self.active for n in gast.walk(stmt) if isinstance(n, gast.Assign))

    def assignment(self, stmt: gast.Assign) -> List[gast.stmt]:
        if is_element_write(stmt):
            return self.element_write(stmt)
        target = stmt.targets[0].id
        code = self.adjoint_of(stmt) if self.adjoints.is_defined(target) else []
        read = {n for s in code for n in names_read(s)} & self.forward_names
        record = self.forward_calls.get(id(stmt), ("",))[0]
        assigned = {target, record} if record else {target}  # and a callee's record
        self.reads[id(stmt)] = (read - assigned, read & assigned)
        self.adjoints.kill(target)
        return [*code, marker("after", stmt)]

    def element_write(self, stmt: gast.Assign) -> List[gast.stmt]:
        """``y[index] = v``: ``d_v += d_y[index]``, then ``d_y[index] = 0`` (the old element is gone)."""
        target = stmt.targets[0]
        array, index, value = target.value.id, target.slice, stmt.value
        code: List[gast.stmt] = []
        if self.adjoints.is_defined(array):
            self.check_list_slice(target)
            read = gast.Subscript(value=name(self.adjoints.name_of(array)), slice=copy.deepcopy(index), ctx=gast.Load())
            written = isinstance(value, gast.Name) and value.id in self.active
            if written and value.id == array:  # y[index] = y: read d_y[index] before zeroing it, add after
                part = self.ctx.namer.temp()
                code.append(assign(part, self.element_adjoint(read, target, value), stmt))
                code += self.zero_element(array, index, stmt)
                code.append(self.adjoints.accumulate(array, name(part), False, stmt, fresh=True))
            elif written:
                code.append(self.adjoints.accumulate(value.id, self.element_adjoint(read, target, value), False, stmt))
            if not (written and value.id == array):
                code += self.zero_element(array, index, stmt)
        read = {n for s in code for n in names_read(s)} & self.forward_names
        self.reads[id(stmt)] = (read, set())
        return [*code, marker("after", stmt)]

    def check_list_slice(self, target: gast.Subscript) -> None:
        """``items[i:j] = values`` may change the list's length: the adjoints before the write would not line up
        with the elements after it (forward mode does the same write on the tangents, and needs no check)."""
        index = target.slice.elts if isinstance(target.slice, gast.Tuple) else [target.slice]
        if self.kinds.get(target.value.id, UNKNOWN).tag == "sequence" and any(isinstance(i, gast.Slice) for i in index):
            raise self.ctx.error(
                target,
                f"this writes a slice of the list {target.value.id!r}, which may change its length: "
                "s2sgrad cannot differentiate that yet",
                f"make a new list: {target.value.id} = {target.value.id}[:i] + values + {target.value.id}[j:].",
            )

    def element_adjoint(self, read: gast.expr, target: gast.Subscript, value: gast.Name) -> gast.expr:
        """``d_y[index]`` as the adjoint of the value written: a copy, summed to its shape if broadcast."""
        element = kind_of_subscript(
            gast.Subscript(value=target.value, slice=target.slice, ctx=gast.Load()), self.kinds, self.ctx
        )
        if element.is_scalar and self.instantiator.kind(value).is_scalar:
            return read  # one number: NumPy hands out a copy
        if self.instantiator.kind(target.value).is_container:
            return read  # a list or dict holds the value itself: its adjoint is the element's
        helper = name(self.ctx.name_for(runtime.unbroadcast, "unbroadcast"))
        array_kind = self.kinds.get(target.value.id, UNKNOWN)
        if array_kind.tag == "array" and not array_kind.ndim:  # may be 0-d, whose adjoint NumPy may have made a number
            read = gast.Subscript(
                value=call(name(self.ctx.name_for(numpy.asarray, "asarray")), [read.value]),
                slice=read.slice,
                ctx=read.ctx,
            )
        # An index array may repeat an element: the last write wins. A list's or dict's index is one key.
        container = array_kind.is_container
        if not container and not self._is_basic(target.slice):
            last = name(self.ctx.name_for(runtime.last_written, "last_written"))
            return call(helper, [call(last, [read.value, index_expression(read.slice)]), name(value.id)])
        copier = name(self.ctx.name_for(runtime.fresh_copy, "fresh_copy"))
        return call(helper, [call(copier, [read]), name(value.id)])

    def zero_element(self, array: str, index: gast.expr, stmt: gast.stmt) -> List[gast.stmt]:
        out = self.own_buffer(array, stmt, container=True)
        element = gast.Subscript(value=name(self.adjoints.name_of(array)), slice=copy.deepcopy(index), ctx=gast.Store())
        out.append(located(gast.Assign(targets=[element], value=const(0.0), type_comment=None), stmt))
        return out

    def with_block(self, stmt: gast.If) -> List[gast.stmt]:
        """A ``with`` block's body runs once: its adjoint code, inside the same ``with`` for numpy.errstate."""
        _, inline, _, _, reverse_too = getattr(stmt, SCOPE)
        body, _ = self.reversed_block(stmt.body)
        if not reverse_too:
            return body
        scoped = located(gast.If(test=const(True), body=body, orelse=[]), stmt)
        setattr(scoped, SCOPE, ("with", copy.deepcopy(inline), None, None, False))
        return [scoped]

    def branch(self, stmt: gast.If) -> List[gast.stmt]:
        """An ``if`` on the same test (on the record of which block ran, for a ``try``), each block reversed."""
        scope = getattr(stmt, SCOPE, None)
        test = name(scope[2]) if scope else stmt.test  # a try: its no_error flag, set first in each block
        self.reads[id(stmt)] = (set(names_read(stmt.test)), set())
        entry = self.adjoints.state()
        body, after_body = self.reversed_block(stmt.body)
        self.adjoints.restore(entry)
        orelse, after_orelse = self.reversed_block(stmt.orelse)
        joined = State.join([after_body, after_orelse])
        body += self.zeros(after_body, joined, stmt)
        orelse += self.zeros(after_orelse, joined, stmt)
        self.adjoints.restore(joined)
        if scope:  # the flag is read as set in the block that ran, not as it was before the try
            for first in (stmt.body[0], stmt.orelse[0]):
                self.reads[id(first)] = (set(), {scope[2]})
        return [located(gast.If(test=copy.deepcopy(test), body=body, orelse=orelse), stmt)]

    def loop(self, stmt: gast.stmt) -> List[gast.stmt]:
        counter = self.trips.get(id(stmt))
        if isinstance(stmt, gast.For):
            self.reads[id(stmt)] = (set(names_read(stmt.iter)), set())
        if counter:
            self.exit_reads[id(stmt)] = {counter}
        entry = self.adjoints.state()
        before = self.owned_before(stmt.body, entry, stmt)
        entry = self.adjoints.state()
        top = self.loop_state(stmt.body, entry)
        before += self.zeros(entry, top, stmt)
        self.adjoints.restore(top)
        body, after = self.reversed_block(stmt.body)
        body += self.zeros(after, top, stmt)
        self.adjoints.restore(top)
        reversed_loop = gast.For(
            target=self.loop_target(stmt), iter=self.reversed_iteration(stmt, counter), body=body, orelse=[]
        )
        reversed_loop.type_comment = None
        return [*before, marker("before", stmt), located(reversed_loop, stmt), marker("after", stmt)]

    def reversed_block(self, stmts: List[gast.stmt]) -> Tuple[List[gast.stmt], State]:
        code = [marker("start", stmts), *self.block(stmts)]
        return code, self.adjoints.state()

    # ----- loops -----

    def owned_before(self, body: List[gast.stmt], entry: State, like: gast.AST) -> List[gast.stmt]:
        """Copies, before the loop, of adjoints the body would otherwise copy at every iteration.

        An adjoint the body updates in place must be a buffer of its own; if it
        is not one when the loop starts, one copy up front serves every iteration.
        """
        with self.dry_run():
            self.block(body)
            after = self.adjoints.state()
        self.adjoints.restore(entry)
        promoted = sorted((entry.defined - entry.owned) & after.owned)
        for var in promoted:
            self.adjoints.define_owned(var, always=True)
        return [self.owned_copy(var, like) for var in promoted]

    def loop_state(self, body: List[gast.stmt], entry: State) -> State:
        """The adjoint state at the top of the reversed body: stable around the back edge.

        Adjoints first defined inside the loop start as zeros before it: buffers
        of their own, so the body may add into them in place.
        """
        top = entry
        while True:
            with self.dry_run():
                self.adjoints.restore(top)
                self.block(body)
                after = self.adjoints.state()
            zeros = top.defined - entry.defined
            owned_zeros = {v for v in zeros if self.adjoints.is_array(v) or self.kinds.get(v, UNKNOWN).is_container}
            before_loop = State(entry.defined | zeros, entry.owned | owned_zeros)
            joined = State.join([before_loop, after])
            if joined == top:
                return top
            top = joined

    @contextlib.contextmanager
    def dry_run(self) -> Iterator[None]:
        """Reverse code whose text is thrown away: names and records are restored after."""
        namer, names = self.ctx.namer.snapshot(), self.adjoints.snapshot()
        injected, reads, exit_reads = dict(self.ctx.injected), dict(self.reads), dict(self.exit_reads)
        try:
            yield
        finally:
            self.ctx.namer.restore(namer)
            self.adjoints.restore_names(names)
            self.ctx.injected.clear()
            self.ctx.injected.update(injected)
            self.reads, self.exit_reads = reads, exit_reads

    def loop_target(self, stmt: gast.stmt) -> gast.expr:
        if isinstance(stmt, gast.For):
            return copy.deepcopy(stmt.target)
        return name(self.ctx.namer.fresh("_"), store=True)

    def reversed_iteration(self, stmt: gast.stmt, counter: Optional[str]) -> gast.expr:
        """``reversed(range(…))`` for ``range(…)``, and the other way round; a while replays its count."""
        rng = name(self.ctx.name_for(builtins.range, "range"))
        if isinstance(stmt, gast.While):
            return call(rng, [name(counter)])
        iteration = copy.deepcopy(stmt.iter)
        backwards = self.ctx.resolve(iteration.func) is builtins.reversed
        ran = iteration.args[0] if backwards else iteration
        if counter:  # the iterations that ran before a break
            if backwards:
                ran = gast.Subscript(
                    value=ran, slice=gast.Slice(lower=None, upper=None, step=const(-1)), ctx=gast.Load()
                )
            ran = gast.Subscript(
                value=ran, slice=gast.Slice(lower=None, upper=name(counter), step=None), ctx=gast.Load()
            )
            backwards = False
        if backwards:
            return ran
        return call(name(self.ctx.name_for(builtins.reversed, "reversed")), [ran])

    def zeros(self, current: State, wanted: State, like: gast.AST) -> List[gast.stmt]:
        """Zero adjoints for what ``wanted`` defines and ``current`` does not."""
        self.adjoints.restore(current)
        return self.adjoints.materialize(wanted, like, lambda v: zero_of(self.ctx, v, self.kinds))

    # ----- assignments -----

    def adjoint_of(self, stmt: gast.Assign) -> List[gast.stmt]:
        target = stmt.targets[0].id
        op = operation_of(stmt.value, self.ctx)
        adjoint = name(self.adjoints.name_of(target))
        if op.form == "copy":
            return self.pass_through(op.args[0], adjoint, stmt)
        if op.form == "display":
            out = []
            keys = stmt.value.keys if isinstance(stmt.value, gast.Dict) else [const(i) for i in range(len(op.args))]
            for key, element in zip(keys, op.args):
                item = gast.Subscript(value=copy.deepcopy(adjoint), slice=copy.deepcopy(key), ctx=gast.Load())
                out += self.pass_through(element, item, stmt)
            return out
        if op.form == "subscript":
            return self.subscript_adjoint(stmt)
        if is_user_function(op.func, self.ctx):
            return self.call_adjoint(stmt, op)
        rule = self.ctx.rules.lookup(op.func)
        if rule is None or not rule.differentiable:
            return []
        if rule.template is None:
            raise self.ctx.error(
                stmt.value,
                f"{rule.name!r} has a tangent rule but no adjoint rule: reverse mode cannot differentiate it",
                f"register one with s2sgrad.register_adjoint({rule.name}), or use forward mode (s2sgrad.jvp).",
            )
        return self.instantiator.apply(rule, target, op.args, op.keywords, stmt)

    def call_adjoint(self, stmt: gast.Assign, op: Operation) -> List[gast.stmt]:
        """``y = helper(a, b)``: ``d_a, d_b += backward_helper(helper_record, a, b, d_out=d_y)``.

        The callee's gradient is a pair of generated functions of its own (shown
        by ``source()``; see transform.split), specialized on the kinds this call
        passes. The forward statement becomes ``y, helper_record = forward_helper(a, b)``:
        the callee runs once, and its record waits for the reverse sweep like any value.
        """
        func = op.func
        root = implicit_root(func)
        if root is not None:  # a solver made by s2sgrad.custom_root: not through its iterations
            return implicit.reverse_call(self, stmt, op, root)
        nodes = bound_arguments(func, op.args, op.keywords, self.ctx, stmt.value)
        active = [p for p, node in nodes.items() if passes_active(node, self.active)]
        if not active:
            return []
        param_kinds = argument_kinds(func, nodes, self.instantiator.kind)
        gradient = self.ctx.callee_gradient(func, tuple(active), param_kinds)
        if gradient.source:
            self.ctx.callees.append(gradient)
        record = self.record_of(stmt) if gradient.keeps_record else ""
        forward = name(self.ctx.name_for(gradient.forward_function, gradient.forward_name))
        args, keywords = call_arguments(func, op, nodes, self.ctx)
        self.forward_calls[id(stmt)] = (record, call(forward, args, keywords))
        backward = name(self.ctx.name_for(gradient.function, gradient.name))
        d_y = gast.keyword(arg=gradient.seed, value=name(self.adjoints.name_of(stmt.targets[0].id)))
        args, keywords = call_arguments(func, op, nodes, self.ctx)
        value = call(backward, [*([name(record)] if record else []), *args], [*keywords, d_y])
        if len(active) == 1 and not display_items(nodes[active[0]]):
            return [self.adjoints.accumulate(nodes[active[0]].id, value, False, stmt)]
        parts = [self.ctx.namer.temp() for _ in active]
        targets = [name(p, True) for p in parts]
        unpack = gast.Assign(
            targets=[targets[0] if len(parts) == 1 else gast.Tuple(elts=targets, ctx=gast.Store())],
            value=value,
            type_comment=None,
        )
        out = [located(unpack, stmt)]
        for parameter, part in zip(active, parts):
            out += self.argument_adjoints(nodes[parameter], part, stmt)
        return out

    def argument_adjoints(self, node: gast.expr, adjoint: str, stmt: gast.Assign) -> List[gast.stmt]:
        """``d_a += adjoint`` for an argument ``a``; for a display ``(a, b)`` (what ``*args`` gathers),
        ``d_a += adjoint[0]`` and ``d_b += adjoint[1]``: the callee's adjoint of a tuple is a tuple."""
        items = display_items(node)
        if not items:
            return [self.adjoints.accumulate(node.id, name(adjoint), False, stmt, adjoint)]
        return [
            self.adjoints.accumulate(
                v.id, gast.Subscript(value=name(adjoint), slice=const(key), ctx=gast.Load()), False, stmt
            )
            for key, v in items
            if isinstance(v, gast.Name) and v.id in self.active
        ]

    def name_records(self, stmts: List[gast.stmt]) -> None:
        """Name the records of calls to the user's functions in forward order (the reverse visits them last first)."""
        for stmt in stmts:
            for block in blocks_of(stmt):
                self.name_records(block)
            op = operation_of(stmt.value, self.ctx) if isinstance(stmt, gast.Assign) else None
            if (
                op is not None
                and op.form == "call"
                and is_user_function(op.func, self.ctx)
                and not implicit_root(op.func)
            ):
                arguments = [*op.args, *(k.value for k in op.keywords)]
                if any(isinstance(a, gast.Name) and a.id in self.active for a in arguments):
                    self.record_of(stmt)

    def record_of(self, stmt: gast.Assign) -> str:
        """``helper_record``: the name of the record a call's forward function returns (one per call site)."""
        if id(stmt) not in self.records:
            func = stmt.value.func
            called = func.attr if isinstance(func, gast.Attribute) else getattr(func, "id", "call")
            self.records[id(stmt)] = self.ctx.namer.fresh(f"{called}_record")
            self.forward_names.add(self.records[id(stmt)])
        return self.records[id(stmt)]

    def run_forward_functions(self, stmts: List[gast.stmt]) -> None:
        """``y = helper(a)`` becomes ``y, helper_record = forward_helper(a)`` where the reverse sweep needs a record
        (else ``y = forward_helper(a)``: see transform.split)."""
        for stmt in stmts:
            for block in blocks_of(stmt):
                self.run_forward_functions(block)
            if id(stmt) in self.forward_calls:
                record, forward = self.forward_calls[id(stmt)]
                if record:
                    result = copy.deepcopy(stmt.targets[0])
                    stmt.targets = [gast.Tuple(elts=[result, name(record, True)], ctx=gast.Store())]
                stmt.value = located(forward, stmt.value)

    def pass_through(self, source: gast.expr, value: gast.expr, stmt: gast.stmt) -> List[gast.stmt]:
        if isinstance(source, gast.Name) and source.id in self.active:
            shares = value.id if isinstance(value, gast.Name) else None
            return [self.adjoints.accumulate(source.id, value, False, stmt, shares)]
        return []

    def subscript_adjoint(self, stmt: gast.Assign) -> List[gast.stmt]:
        """``y = x[index]``: ``d_x[index] += d_y`` into an owned buffer, else ``unindex``."""
        subscript = stmt.value
        base = subscript.value
        if not (isinstance(base, gast.Name) and base.id in self.active):
            return []
        kind = self.instantiator.kind(base)
        d_y = name(self.adjoints.name_of(stmt.targets[0].id))
        index = copy.deepcopy(subscript.slice)  # the optimizer renames names in place: the forward keeps its own
        if kind.tag in ("other", "sequence", "dict", "unknown") and type(constant_value(index)) in (int, str):
            return self.add_to_element(base.id, index, d_y, stmt, nested=self.holds_containers(stmt))
        if kind.tag in ("sequence", "dict"):  # xs[i], xs[1:], d[key]: a list of adjoints, element by element
            element = self.kinds.get(stmt.targets[0].id, Kind("unknown"))
            nested = element.tag not in ("scalar", "array") or isinstance(index, gast.Slice)
            return self.add_to_element(base.id, index, d_y, stmt, nested=nested)
        if kind.tag == "other":
            raise self.ctx.error(
                subscript,
                "indexing this value by a variable cannot be differentiated",
                "index lists, tuples, dicts and arrays of floats only.",
            )
        if kind.tag == "array" and self._is_basic(index):
            return self.add_into(base.id, index, d_y, stmt)
        if isinstance(index, (gast.Slice, gast.Tuple)):  # slices are only syntax inside []: write numpy.s_[...]
            index = gast.Subscript(value=self.ctx.reference(numpy, "s_"), slice=index, ctx=gast.Load())
        helper = name(self.ctx.name_for(runtime.unindex, "unindex"))
        value = call(helper, [d_y, name(base.id), index])
        return [self.adjoints.accumulate(base.id, value, False, stmt, fresh=True)]

    def holds_containers(self, stmt: gast.Assign) -> bool:
        """Whether ``y = t[k]`` may give ``y`` a list, tuple or dict, whose adjoints add element by element."""
        target = stmt.targets[0].id
        return self.kinds.get(target, Kind("unknown")).is_container or target in self.indexed_by_key

    def add_into(self, var: str, index: gast.expr, value: gast.expr, stmt: gast.stmt) -> List[gast.stmt]:
        """``d_var[index] += value``, making ``d_var`` an owned buffer first if it is not one."""
        out = self.own_buffer(var, stmt)
        element = gast.Subscript(value=name(self.adjoints.name_of(var)), slice=copy.deepcopy(index), ctx=gast.Store())
        out.append(located(gast.AugAssign(target=element, op=gast.Add(), value=value), stmt))
        return out

    def own_buffer(self, var: str, stmt: gast.stmt, container: bool = False) -> List[gast.stmt]:
        """Make ``d_var`` a buffer no other name refers to: zeros if it is not defined, else a copy if shared."""
        d_var = self.adjoints.name_of(var)
        out: List[gast.stmt] = []
        if not self.adjoints.is_defined(var):
            out.append(assign(d_var, zero_of(self.ctx, var, self.kinds), stmt))
        elif not self.adjoints.is_owned(var):
            out.append(self.owned_copy(var, stmt))
        self.adjoints.define_owned(var, always=container)
        return out

    def owned_copy(self, var: str, where: gast.stmt) -> gast.stmt:
        """``d_var = fresh_copy(d_var)``: a buffer of its own, to be written element by element."""
        kind = self.kinds.get(var, UNKNOWN)
        # an array of no known rank may be 0-d, whose adjoint NumPy may have made a number
        helper = runtime.writable_copy if kind.tag in ("array", "unknown") and not kind.ndim else runtime.fresh_copy
        d_var = self.adjoints.name_of(var)
        return assign(d_var, call(name(self.ctx.name_for(helper, helper.__name__)), [name(d_var)]), where)

    def add_to_element(
        self, var: str, index: gast.expr, value: gast.expr, stmt: gast.stmt, nested: bool = False
    ) -> List[gast.stmt]:
        """``y = t[k]`` on a tuple or dict: ``d_t[k] = d_t[k] + d_y``, ``d_t`` a container this code owns.

        ``nested``: the element may itself be a list (``p[0][0]``), whose adjoints add element by element.
        """
        d_var = self.adjoints.name_of(var)
        out = self.own_buffer(var, stmt, container=True)
        element = gast.Subscript(value=name(d_var), slice=copy.deepcopy(index), ctx=gast.Load())
        target = gast.Subscript(value=name(d_var), slice=copy.deepcopy(index), ctx=gast.Store())
        total = gast.BinOp(left=element, op=gast.Add(), right=value)
        if nested:
            total = call(name(self.ctx.name_for(runtime.add_structured, "add_structured")), [element, value])
        out.append(located(gast.Assign(targets=[target], value=total, type_comment=None), stmt))
        return out

    def _is_basic(self, index: gast.expr) -> bool:
        """Integers and slices only: ``d_x[index] += g`` then adds each element once."""
        if isinstance(index, gast.Tuple):
            return all(self._is_basic(e) for e in index.elts)
        if isinstance(index, gast.Slice):
            return True
        if isinstance(index, gast.Constant):
            return index.value is None or index.value is Ellipsis or type(index.value) is int
        return self.instantiator.kind(index) == INTEGER


def index_expression(index: gast.expr) -> gast.expr:
    """An index as an ordinary expression (``1:3`` as ``slice(1, 3)``), to pass to a function."""
    if isinstance(index, gast.Slice):
        bounds = [const(None) if b is None else b for b in (index.lower, index.upper, index.step)]
        return call(name("slice"), bounds)
    if isinstance(index, gast.Tuple):
        return gast.Tuple(elts=[index_expression(e) for e in index.elts], ctx=gast.Load())
    return index
