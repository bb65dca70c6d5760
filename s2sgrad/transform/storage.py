"""Save only what the reverse sweep reads of values the forward sweep overwrites.

The analysis (a to-be-recorded analysis, as in Tapenade) runs forward over
the forward sweep with a set of *exposed* names: names whose current value
some adjoint reads. A statement's adjoint reads values before the statement
(its operands) and sometimes the value it assigns (``exp`` reads its result);
an ``if`` reads its condition; a ``for`` reads its range; a loop that counts
its iterations reads the count after it. An assignment to an exposed name
destroys a value the reverse sweep needs, and only then is something stored.
Loops are analysed to a fixpoint (the back edge carries exposure into the
next iteration); ``range`` loop indices are never stored, because the
reversed loop recomputes them.

What is stored, for an overwritten name ``v``:

* **recompute** — ``v`` is assigned once, directly in a block (a loop body or
  a branch), every read of it is in that block after the assignment, and the
  operation is cheap (a scalar result, an index, a subscript): the assignment
  is repeated in the block's reversal — at its start if no later statement of
  the block changes an operand, else right after the reverse sweep has undone
  the first such change (if every read of ``v`` comes before it). Its
  operands become reads at that point, and the analysis runs again.
* **save** — the same shape but not cheap: ``v_stack.append(v)`` after the
  assignment, ``v = v_stack.pop()`` at the start of the block's reversal.
* **push** — otherwise (a value carried around a loop, like ``s`` in
  ``s = s * x + c``): ``v_stack.append(v)`` before the overwrite, and
  ``v = v_stack.pop()`` right after the adjoint of the overwriting statement.
* A loop's iteration count is saved after the loop when an enclosing loop
  runs it again, and restored before the reversed loop.

Stacks are plain lists named after the value (``s_stack``), created before
the top-level statement that uses them.
"""

import copy
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

import gast

from .. import runtime
from ..analyze.ops import operation_of
from ..context import Context
from ..nodes import (
    assign,
    assigned_name,
    call,
    const,
    is_element_write,
    located,
    name,
    names_read,
    names_stored,
    writes_of,
)
from ..parse import FunctionSource
from .sweep import Sweep, marker_key

CHEAP_FORMS = ("copy", "subscript", "logic", "display")


@dataclass
class Stored:
    """One stored (or recomputed) value, as ``s2sgrad show --report`` lists it."""

    var: str
    how: str  # "push", "save", "recompute" or "count"
    site: gast.stmt  # the overwriting assignment, the definition, or the loop
    readers: List[int] = field(default_factory=list)  # source lines whose adjoints read it
    restore_at: str = ""  # save/recompute: the reverse-sweep marker where it is restored
    operands_read_at: int = 0  # recompute: id of the statement or block its operands are read before
    loop: Optional[gast.stmt] = None  # the innermost loop around it (the counted loop, for a count)
    shape_only: bool = False  # push/save: the reverse sweep reads only its shape, which is all it keeps


def store(
    forward: List[gast.stmt], backward: List[gast.stmt], sweep: Sweep, ctx: Context
) -> Tuple[List[gast.stmt], List[gast.stmt]]:
    parameters = {a.id for a in ctx.source.tree.args.args}
    layout = _Layout(forward, parameters, set(sweep.forward_names))
    while True:
        overwritten = _Exposure(sweep).overwritten(forward)
        plan = [_decide(site, var, layout, sweep, ctx) for site, var in overwritten]
        wanted = _end_reads(plan, layout, ctx)
        if not _read_by_element_restores(plan, sweep) and wanted == sweep.end_reads:
            break
        sweep.end_reads = wanted
    for stored in plan:
        block = layout.place[id(stored.site)][0]
        loops = [s for s in layout.enclosing(block) if isinstance(s, (gast.For, gast.While))]
        stored.loop = stored.site if stored.how == "count" else next(iter(loops), None)
    ctx.storage = plan
    ctx.loops = [s for s in _statements(layout) if isinstance(s, (gast.For, gast.While))]
    return _Apply(plan, layout, ctx).run(forward, backward)


HOW = {
    "element": "the element written: its old value pushed before each write",
    "push": "pushed before each overwrite",
    "save": "pushed after its assignment",
    "recompute": "recomputed in the reverse sweep, not stored",
    "count": "iteration count, pushed after the loop (an enclosing loop runs it again)",
}


def describe(ctx: Context) -> str:
    """What the reverse sweep stores, loop by loop: the text of ``s2sgrad show --report``."""
    source = ctx.source
    lines = ["# storage report: what the reverse sweep stores, per loop"]
    outside = [s for s in ctx.storage if s.loop is None]
    for loop in ctx.loops:
        header = source.line_text(loop.lineno).strip()
        here = [s for s in ctx.storage if s.loop is loop]
        stacks = sum(s.how in ("push", "save") for s in here)
        lines.append(f"# line {source.where(loop.lineno)}: {header}")
        lines.append(f"#     {stacks} stack push{'es' if stacks != 1 else ''} per iteration")
        if isinstance(loop, gast.For):
            lines.append(f"#     {loop.target.id}: not stored (the reversed range recomputes it)")
        if loop.lineno and ctx.trips.get(id(loop)) and not any(s.how == "count" for s in here):
            lines.append(f"#     {ctx.trips[id(loop)]}: iteration count, one integer kept after the loop")
        lines += [f"#     {_explained(s, source)}" for s in here]
    if outside:
        lines.append("# outside loops")
        lines += [f"#     {_explained(s, source)}" for s in outside]
    if not ctx.loops and not outside:
        lines.append("#     nothing: no value the reverse sweep reads is overwritten")
    return "\n".join(lines) + "\n"


def _explained(stored: Stored, source: FunctionSource) -> str:
    where = f"line {source.file_line(stored.site)}" if stored.how != "count" else "the loop"
    readers = sorted({source.file_line(line) for line in stored.readers})
    read = f"; read by the reverse of line {', '.join(map(str, readers))}" if readers else ""
    how = f"{HOW[stored.how]}, its shape only" if stored.shape_only else HOW[stored.how]
    return f"{stored.var}: {how} ({where}){read}"


# ----- where statements are -----


class _Layout:
    """Parent links of the forward sweep: each statement's block and index, each block's statement."""

    def __init__(self, body: List[gast.stmt], parameters: Set[str], variables: Set[str]) -> None:
        self.body, self.parameters, self.variables = body, parameters, variables
        self.blocks: Dict[int, list] = {id(body): body}
        self.place: Dict[int, Tuple[list, int]] = {}
        self.owner: Dict[int, Optional[gast.stmt]] = {id(body): None}
        self.definitions: Dict[str, List[gast.stmt]] = {}
        self._walk(body)

    def _walk(self, block: list) -> None:
        for i, stmt in enumerate(block):
            self.place[id(stmt)] = (block, i)
            if isinstance(stmt, gast.Assign) and not is_element_write(stmt):
                for var in names_stored(stmt.targets[0]):  # ``y, record = forward_h(a)`` sets two
                    self.definitions.setdefault(var, []).append(stmt)
            if isinstance(stmt, gast.For):
                self.definitions.setdefault(stmt.target.id, []).append(stmt)
            if isinstance(stmt, (gast.If, gast.For, gast.While)):
                for inner in (stmt.body, stmt.orelse):
                    self.owner[id(inner)] = stmt
                    self.blocks[id(inner)] = inner
                    self._walk(inner)

    def enclosing(self, block: list) -> List[gast.stmt]:
        """The compound statements around ``block``, innermost first."""
        out = []
        owner = self.owner[id(block)]
        while owner is not None:
            out.append(owner)
            owner = self.owner[id(self.place[id(owner)][0])]
        return out

    def top_level(self, stmt: gast.stmt) -> gast.stmt:
        block = self.place[id(stmt)][0]
        chain = self.enclosing(block)
        return chain[-1] if chain else stmt

    def index_in(self, node_block: list, node_index: int, block: list) -> Optional[int]:
        """The index in ``block`` of the statement that holds a position, or None if outside it."""
        while node_block is not block:
            owner = self.owner.get(id(node_block))
            if owner is None:
                return None
            node_block, node_index = self.place[id(owner)]
        return node_index


# ----- the analysis -----


class _Exposure:
    def __init__(self, sweep: Sweep) -> None:
        self.sweep = sweep
        self.found: Dict[Tuple[int, str], Tuple[gast.stmt, str]] = {}

    def overwritten(self, body: List[gast.stmt]) -> List[Tuple[gast.stmt, str]]:
        self.block(body, frozenset())
        return list(self.found.values())

    def block(self, stmts: List[gast.stmt], exposed: frozenset) -> frozenset:
        for stmt in stmts:
            exposed = self.statement(stmt, exposed)
        return exposed | self.sweep.end_reads.get(id(stmts), set())

    def statement(self, stmt: gast.stmt, exposed: frozenset) -> frozenset:
        before, after = self.sweep.reads.get(id(stmt), (set(), set()))
        exposed = exposed | before | self.sweep.end_reads.get(id(stmt), set())
        if is_element_write(stmt):  # part of the array changes: the rest is still needed
            array = assigned_name(stmt)
            self.overwrite(stmt, array, exposed)
            return exposed
        if isinstance(stmt, gast.Assign):
            for var in sorted(names_stored(stmt.targets[0])):
                exposed = self.overwrite(stmt, var, exposed)
            return exposed | after
        if isinstance(stmt, (gast.If, gast.For, gast.While)) and not self.sweep.reverses(stmt):
            # not reversed: what it overwrites is put back around it as a whole; a name it
            # may leave unchanged on some path stays exposed
            for var in sorted(writes_of(stmt)):
                self.overwrite(stmt, var, exposed)
            return exposed
        if isinstance(stmt, gast.If):
            return self.block(stmt.body, exposed) | self.block(stmt.orelse, exposed)
        if isinstance(stmt, (gast.For, gast.While)):
            if isinstance(stmt, gast.For):
                exposed = self.overwrite(stmt, stmt.target.id, exposed)
            # the reversed loop sets its own index: reads of it inside the loop need nothing stored
            index = {stmt.target.id} if isinstance(stmt, gast.For) else set()
            top = exposed
            while True:
                joined = top | (self.block(stmt.body, top - index) - index)
                if joined == top:
                    break
                top = joined
            return top | self.sweep.exit_reads.get(id(stmt), set())
        return exposed

    def overwrite(self, stmt: gast.stmt, var: str, exposed: frozenset) -> frozenset:
        if var in exposed:
            self.found[(id(stmt), var)] = (stmt, var)
        return exposed - {var}


# ----- decisions -----


def _decide(site: gast.stmt, var: str, layout: _Layout, sweep: Sweep, ctx: Context) -> Stored:
    readers = _readers(var, sweep, layout)
    lines = sorted({line for _, _, line in readers if line})
    if is_element_write(site):
        return Stored(var, "element", site, readers=lines)
    if var in sweep.trips.values():
        loop = next(s for s in _statements(layout) if sweep.trips.get(id(s)) == var)
        return Stored(var, "count", loop, readers=lines)
    if isinstance(site, gast.Assign) and _is_block_local(site, var, layout, readers):
        block, _ = layout.place[id(site)]
        recompute = _recomputation(site, layout, ctx, readers)
        if recompute is not None:
            return Stored(var, "recompute", site, lines, *recompute)
        return Stored(var, "save", site, lines, f"start:{id(block)}")
    return Stored(var, "push", site, readers=lines)


def _statements(layout: _Layout) -> List[gast.stmt]:
    return [block[i] for block, i in layout.place.values()]


Position = Tuple[list, float, int]  # block, index in it (x.5: just before statement x), source line


def _readers(var: str, sweep: Sweep, layout: _Layout) -> List[Position]:
    """Where the reverse sweep reads ``var``, as positions in the forward sweep.

    A statement's adjoint reads at the statement's index; a recomputation reads
    its operands just before the statement it follows in the reverse sweep
    (index - 0.5), or at the end of its block.
    """
    out: List[Position] = []
    for stmt in _statements(layout):
        block, index = layout.place[id(stmt)]
        line = getattr(stmt, "lineno", 0)
        before, after = sweep.reads.get(id(stmt), (set(), set()))
        if var in before or var in after or var in sweep.exit_reads.get(id(stmt), ()):
            out.append((block, index, line))
    for key, names in sweep.end_reads.items():
        if var in names and key in layout.blocks:
            block = layout.blocks[key]
            out.append((block, len(block) - 0.5, 0))
        elif var in names:
            block, index = layout.place[key]
            out.append((block, index - 0.5, 0))
    return out


def _is_block_local(site: gast.Assign, var: str, layout: _Layout, readers: List[Position]) -> bool:
    """Assigned once, directly in a block, and read only in that block after the assignment.

    Overwritten though assigned once, it is inside a loop (read across the
    back edge) or read before any value is bound to it, where the forward
    sweep raises UnboundLocalError as the function does.
    """
    if layout.definitions.get(var) != [site] or var in layout.parameters:
        return False
    block, index = layout.place[id(site)]
    positions = [layout.index_in(b, i, block) for b, i, _ in readers]
    return all(p is not None and p >= index for p in positions)


def _recomputation(site: gast.Assign, layout: _Layout, ctx: Context, readers: List[Position]) -> Optional[tuple]:
    """Where to repeat a cheap assignment in the reverse sweep, and where its operands are read.

    As late in the reverse sweep as every read of it allows: right after the
    reversal of the first assignment of the block that follows all its reads
    (at the block's start if none does), and no later than the restore of
    the first operand the block changes after it.
    """
    op = operation_of(site.value, ctx)
    kind = ctx.kinds.get(getattr(site.targets[0], "id", ""))
    cheap = op.form in CHEAP_FORMS or (
        op.form == "call" and ctx.rules.lookup(op.func) is not None and kind is not None and kind.is_scalar
    )
    if not cheap:
        return None
    block, index = layout.place[id(site)]
    operands = _operands(site, layout)
    change = next((j for j in range(index + 1, len(block)) if writes_of(block[j]) & operands), None)
    last_read = max(layout.index_in(b, i, block) for b, i, _ in readers)
    places = [j for j in range(index + 1, len(block)) if isinstance(block[j], gast.Assign)] + [len(block)]
    for place in places:
        if place <= last_read or (change is not None and place > change):
            continue
        if place == len(block):
            return f"start:{id(block)}", id(block)
        return f"after:{id(block[place])}", id(block[place])
    return None


def _operands(site: gast.Assign, layout: _Layout) -> Set[str]:
    return set(names_read(site.value)) & layout.variables


def _end_reads(plan: List[Stored], layout: _Layout, ctx: Context) -> Dict[int, Set[str]]:
    """What recomputed assignments read, as reads before a statement or at the end of a block."""
    wanted: Dict[int, Set[str]] = {}
    for stored in plan:
        if stored.how == "recompute":
            wanted.setdefault(stored.operands_read_at, set()).update(_operands(stored.site, layout))
    return wanted


def _read_by_element_restores(plan: List[Stored], sweep: Sweep) -> bool:
    """Record that ``y[i] = y_stack.pop()`` reads ``i`` where the write is reversed; True if that is new."""
    new = False
    for stored in plan:
        if stored.how == "element":
            before, after = sweep.reads.get(id(stored.site), (set(), set()))
            index = set(names_read(stored.site.targets[0].slice)) & sweep.forward_names
            new = new or not index <= before
            sweep.reads[id(stored.site)] = (before | index, after)
    return new


# ----- rewriting both sweeps -----


class _Apply:
    def __init__(self, plan: List[Stored], layout: _Layout, ctx: Context) -> None:
        self.plan, self.layout, self.ctx = plan, layout, ctx
        self.before: Dict[int, List[gast.stmt]] = {}  # forward statements to insert, by statement
        self.after: Dict[int, List[gast.stmt]] = {}
        self.restores: Dict[str, List[gast.stmt]] = {}  # reverse statements, by marker key
        self.stacks: Dict[Tuple[str, bool], str] = {}

    def run(self, forward: List[gast.stmt], backward: List[gast.stmt]) -> Tuple[list, list]:
        recomputed = []
        for stored in self.plan:
            if stored.how == "recompute":
                recomputed.append(stored)
                continue
            stack = self.stack_for(stored)
            push, pop = _push(stack, stored.var, stored.site), _pop(stack, stored.var, stored.site)
            if stored.how == "element":  # the old element, put back where the reverse sweep passes the write
                target = stored.site.targets[0]
                push, pop = self.element_push_pop(stack, target.value.id, target.slice, stored.site)
                self.before.setdefault(id(stored.site), []).append(push)
                self.restores.setdefault(f"after:{id(stored.site)}", []).append(pop)
            elif stored.how == "push":
                if not isinstance(stored.site, gast.Assign) and _writes_into(stored.site, stored.var):
                    push, pop = self.whole_push_pop(stack, stored.site, stored.var)
                self.before.setdefault(id(stored.site), []).append(push)
                self.restores.setdefault(f"after:{id(stored.site)}", []).append(pop)
                self.initialize(stored)
            elif stored.how == "save":
                self.after.setdefault(id(stored.site), []).append(push)
                self.restores.setdefault(stored.restore_at, []).append(pop)
            else:  # a loop's count: saved after the loop, restored before its reversal
                self.after.setdefault(id(stored.site), []).append(push)
                self.restores.setdefault(f"before:{id(stored.site)}", []).append(pop)
        for stored in sorted(recomputed, key=lambda s: self.layout.place[id(s.site)][1]):
            self.restores.setdefault(stored.restore_at, []).append(copy.deepcopy(stored.site))
        return self.forward(forward), self.reverse(backward)

    def whole_push_pop(self, stack: str, site: gast.stmt, array: str) -> Tuple[gast.stmt, gast.stmt]:
        """A copy of an array a compound statement writes into, put back in place (rebound if it rebinds it)."""
        push, pop = self.element_push_pop(stack, array, None, site)
        if array in names_stored(site):
            pop.targets = [name(array, store=True)]
        return push, pop

    def element_push_pop(
        self, stack: str, array: str, index: Optional[gast.expr], like: gast.stmt
    ) -> Tuple[gast.stmt, gast.stmt]:
        """Save a copy of ``array[index]`` (of all of ``array`` if no index) and put it back in place."""
        element = (
            name(array)
            if index is None
            else gast.Subscript(value=name(array), slice=copy.deepcopy(index), ctx=gast.Load())
        )
        index = const(Ellipsis) if index is None else index
        copier = name(self.ctx.name_for(runtime.fresh_copy, "fresh_copy"))
        append = gast.Attribute(value=name(stack), attr="append", ctx=gast.Load())
        push = located(gast.Expr(value=call(append, [call(copier, [element])])), like)
        restored = gast.Subscript(value=name(array), slice=copy.deepcopy(index), ctx=gast.Store())
        popped = call(gast.Attribute(value=name(stack), attr="pop", ctx=gast.Load()), [])
        return push, located(gast.Assign(targets=[restored], value=popped, type_comment=None), like)

    def stack_for(self, stored: Stored) -> str:
        # old elements have a stack of their own: a saved value is restored at the start of
        # the block's reversal, before the element written after it, so the two are not LIFO
        key = (stored.var, stored.how == "element")
        if key not in self.stacks:
            stack = self.ctx.namer.fresh(f"{stored.var}_stack")
            self.stacks[key] = stack
            top = self.layout.top_level(stored.site)
            created = assign(stack, gast.List(elts=[], ctx=gast.Load()), top)
            self.before.setdefault(id(top), []).insert(0, created)
        return self.stacks[key]

    def initialize(self, stored: Stored) -> None:
        """``v = None`` before the loop when nothing before it assigns ``v`` (the first push finds it unbound)."""
        if stored.var in self.layout.parameters:
            return
        top = self.layout.top_level(stored.site)
        earlier = self.layout.body[: self.layout.place[id(top)][1]]
        if any(stored.var in writes_of(s) for s in earlier):
            return
        self.before.setdefault(id(top), []).insert(0, assign(stored.var, const(None), top))

    def forward(self, stmts: List[gast.stmt]) -> List[gast.stmt]:
        out: List[gast.stmt] = []
        for stmt in stmts:
            for field_name in ("body", "orelse"):
                if isinstance(stmt, (gast.If, gast.For, gast.While)):
                    setattr(stmt, field_name, self.forward(getattr(stmt, field_name)))
            out += [*self.before.get(id(stmt), []), stmt, *self.after.get(id(stmt), [])]
        return out

    def reverse(self, stmts: List[gast.stmt]) -> List[gast.stmt]:
        out: List[gast.stmt] = []
        for stmt in stmts:
            key = marker_key(stmt)
            if key is not None:
                out += self.restores.get(key, [])
                continue
            for field_name in ("body", "orelse"):
                if isinstance(stmt, (gast.If, gast.For, gast.While)):
                    setattr(stmt, field_name, self.reverse(getattr(stmt, field_name)))
            out.append(stmt)
        return out


def _writes_into(stmt: gast.stmt, array: str) -> bool:
    return any(is_element_write(s) and assigned_name(s) == array for s in gast.walk(stmt) if isinstance(s, gast.Assign))


def _pop(stack: str, var: str, like: gast.stmt) -> gast.stmt:
    return assign(var, call(gast.Attribute(value=name(stack), attr="pop", ctx=gast.Load()), []), like)


def _push(stack: str, var: str, like: gast.stmt) -> gast.stmt:
    append = gast.Attribute(value=name(stack), attr="append", ctx=gast.Load())
    return located(gast.Expr(value=call(append, [name(var)])), like)
