"""The whole compiler, one line per stage: parse → normalize → analyze → transform → optimize → emit."""

import functools
import re
import sys
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Set, Tuple

import gast

from . import disk_cache
from .analyze import active_names, infer_kinds
from .analyze.invariance import invariant_offsets
from .analyze.kinds import kind_of_atom
from .cache import CACHE, Guards, function_guards, read_guard
from .context import Context
from .emit import compile_function, to_source
from .kinds import UNKNOWN, Kind
from .names import Namer
from .nodes import COMMENT, names_stored
from .normalize import normalize
from .normalize.loops import check_sequences
from .optimize import optimize
from .parse import parse_function
from .parse.resolve import MISSING, Deferred
from .parse.source import has_extra_parameters
from .rules import RuleTable, default_rules
from .transform.forward import forward
from .transform.reverse import ReverseOptions, reverse
from .transform.split import split
from .transform.storage import describe as describe_storage

STAGES = ("normalized", "raw", "optimized")
DEFAULT_OPTIONS = ReverseOptions()
CALLEE_OPTIONS = ReverseOptions(with_value=True, split=True, record_free=True)  # a callee's gradient: transform.split
WHOLE_OPTIONS = ReverseOptions(tuple_wrt=True)  # a callee's derivatives alone: callee_whole_gradient


@dataclass
class Generated:
    """What one compilation produced."""

    source: str  # the generated function's text
    function: Optional[Callable]  # None when only a stage dump was asked for
    result_kind: Kind
    report: str = ""  # what the reverse sweep stores, per loop (comment lines)
    callees: Tuple["Generated", ...] = ()  # the gradients of the user functions it calls
    seed: str = "d_out"  # the name of its last parameter, the adjoint of the result
    name: str = ""  # the generated function's name
    guards: Guards = field(default_factory=Guards)  # what must not change for it to stay valid
    written_parameters: FrozenSet[str] = frozenset()  # parameters whose arrays the function changes in place
    tangent_params: Tuple[str, ...] = ()  # forward mode: the parameters taking the tangents of wrt
    # A callee's split gradient (transform.split): ``function`` is backward_h, this is forward_h.
    forward_function: Optional[Callable] = None
    forward_name: str = ""
    keeps_record: bool = True  # forward_h returns (value, record) and backward_h takes it; else the value alone
    texts: Tuple[str, ...] = ()  # what its functions were compiled from (forward_h's first, for a split gradient)
    injected: Dict[str, Any] = field(default_factory=dict)  # the names its code binds to objects (ctx.injected)

    def listing(self) -> str:
        """Its source, then each called gradient's (each once), as ``source()`` shows them.

        A callee is shown under the names its caller calls it by: two helpers both named ``helper``
        (from two modules) are ``forward_helper`` and ``forward_helper_1`` in the caller.
        """
        texts = [self.source]
        for caller, callee in self.all_calls():
            text = callee.renamed(caller)
            if text not in texts:
                texts.append(text)
        return "\n\n".join(texts)

    def renamed(self, caller: "Generated") -> str:
        """This callee's source with its functions named as ``caller`` binds them."""
        text = self.source
        for own, function in ((self.forward_name, self.forward_function), (self.name, self.function)):
            bound = [n for n, value in caller.injected.items() if value is function and function is not None]
            if own and bound and bound[0] != own:
                text = re.sub(rf"\b{re.escape(own)}\b", bound[0], text)
        return text

    def all_calls(self, seen: Optional[set] = None) -> List[Tuple["Generated", "Generated"]]:
        """(caller, callee) for every callee reached from here, each callee once."""
        seen = set() if seen is None else seen
        out = []
        for callee in self.callees:
            if id(callee) not in seen:
                seen.add(id(callee))
                out += [(self, callee), *callee.all_calls(seen)]
        return out

    def all_callees(self) -> List["Generated"]:
        return [callee for _, callee in self.all_calls()]


def compile_reverse(
    func: Callable,
    wrt: Tuple[str, ...],
    param_kinds: Dict[str, Kind],
    options: ReverseOptions = DEFAULT_OPTIONS,
    *,
    do_optimize: bool = True,
    stage: str = "optimized",
    rules: Optional[RuleTable] = None,
) -> Generated:
    """Compile the reverse-mode derivative of ``func`` for parameters of these kinds.

    The result's guards hold what the compilation read: ``func``'s code and
    defaults, the free names it resolved and, transitively, its callees' guards.
    """
    return _compiled(func, wrt, param_kinds, options, do_optimize, stage, rules, "reverse")


def compile_forward(
    func: Callable,
    wrt: Tuple[str, ...],
    param_kinds: Dict[str, Kind],
    *,
    do_optimize: bool = True,
    stage: str = "optimized",
    rules: Optional[RuleTable] = None,
) -> Generated:
    """Compile ``jvp_f(*args, *tangents of wrt) -> (f(*args), tangent of the result)`` (see transform.forward)."""
    return _compiled(func, wrt, param_kinds, DEFAULT_OPTIONS, do_optimize, stage, rules, "forward")


def _compiled(
    func: Callable,
    wrt: Tuple[str, ...],
    param_kinds: Dict[str, Kind],
    options: ReverseOptions,
    do_optimize: bool,
    stage: str,
    rules: Optional[RuleTable],
    mode: str,
) -> Generated:
    with CACHE.lock:  # one compilation at a time: the callee bookkeeping below is shared
        key = _disk_key(func, (mode, wrt, param_kinds, options, do_optimize, stage), rules)
        for variant in [] if key is None else disk_cache.read(key):
            loaded = _loaded(func, variant, mode)
            if loaded is not None:
                return loaded
        guards = function_guards(func)  # first: what the source is read from
        calls: List[_Call] = []
        source = parse_function(func)
        ctx = Context(source, rules or default_rules(), wrt, param_kinds, Namer.for_tree(source.tree))
        ctx.callee_gradient, ctx.callee_forward = _recorded("gradient", calls), _recorded("forward", calls)
        ctx.callee_whole_gradient = _recorded("whole", calls)
        ctx.callee_result_kind = lambda f, kinds: _recorded("result", calls)(f, kinds).result_kind
        ctx.callee_writes = lambda f, kinds: _recorded("result", calls)(f, kinds).written_parameters
        generated = _compile(func, ctx, options, do_optimize, stage, mode)
        reads = _distinct(read for read in source.namespace.reads if read[1] != COMMENT)  # not a user name
        guards += [read_guard(*read) for read in reads]
        generated.guards = Guards(guards + [g for call in calls for g in call.generated.guards])
        if key is not None:
            _store(key, func, generated, reads, calls, ctx.injected)
        return generated


def _compile(
    func: Callable, ctx: Context, options: ReverseOptions, do_optimize: bool, stage: str, mode: str = "reverse"
) -> Generated:
    source = ctx.source
    ctx.local_names = {a.id for a in source.tree.args.args} | _assigned_names(source.tree)
    tree = normalize(source.tree, ctx)
    ctx.kinds = infer_kinds(tree, ctx)
    check_sequences(tree, ctx, ctx.kinds)
    result_kind = _result_kind(tree, ctx)
    if stage == "normalized":
        return Generated(to_source(tree, None), None, result_kind, written_parameters=ctx.written_parameters)
    active = active_names(tree, ctx, ctx.kinds) - invariant_offsets(tree, ctx, ctx.kinds)
    if mode == "forward":
        tree = forward(tree, ctx, ctx.kinds, active)
    else:
        tree = reverse(tree, ctx, ctx.kinds, active, options)
    if do_optimize and stage != "raw":
        tree = optimize(tree, ctx)
    if options.split:
        return _split(func, ctx, tree, result_kind, stage, options.record_free and not _deferred(func))
    text = to_source(tree, source)
    report = describe_storage(ctx) if mode == "reverse" else ""
    callees, seed = tuple(ctx.callees), tree.args.args[-1].id
    tangents = tuple(a.id for a in tree.args.args[len(tree.args.args) - len(ctx.wrt) :]) if mode == "forward" else ()
    generated = Generated(
        text, None, result_kind, report, callees, seed, tree.name, tangent_params=tangents, injected=ctx.injected
    )
    if stage == "optimized":
        generated.texts = (text,)
        _bind(generated, func, ctx.injected, mode)
    return generated


def _bind(generated: Generated, func: Callable, injected: Dict[str, Any], mode: str) -> None:
    """Compile ``generated.texts`` into its functions: one, or a split gradient's forward and backward."""
    if len(generated.texts) == 2:
        defaults = _defaults(func)
        forward_text, backward_text = generated.texts
        generated.forward_function = compile_function(forward_text, generated.forward_name, func, injected, defaults)
        generated.function = compile_function(backward_text, generated.name, func, injected, (*defaults, 1.0))
        return
    defaults = (*_defaults(func), 1.0)
    if mode == "forward":  # a tangent after a parameter with a default needs one too: None, always passed
        defaults = (*_defaults(func), *(None for _ in generated.tangent_params)) if _defaults(func) else ()
    generated.function = compile_function(generated.texts[0], generated.name, func, injected, defaults)


def _split(
    func: Callable, ctx: Context, tree: gast.FunctionDef, result_kind: Kind, stage: str, may_recompute: bool
) -> Generated:
    """A callee's gradient as forward_h and backward_h (see transform.split)."""
    forward_tree, backward_tree, keeps_record = split(tree, ctx, may_recompute)
    forward_text, backward_text = to_source(forward_tree, ctx.source), to_source(backward_tree, ctx.source)
    generated = Generated(
        f"{forward_text}\n\n{backward_text}",
        None,
        result_kind,
        describe_storage(ctx),
        tuple(ctx.callees),
        backward_tree.args.args[-1].id,
        backward_tree.name,
        forward_name=forward_tree.name,
        keeps_record=keeps_record,
        injected=ctx.injected,
    )
    if stage == "optimized":
        generated.texts = (forward_text, backward_text)
        _bind(generated, func, ctx.injected, "reverse")
    return generated


# ----- calls to the user's own functions -----

# The callee compilations under way (id of the function, key). Only read and written while
# CACHE.lock is held: one thread at a time, and a recursive call sees its own thread's.
_BUILDING: Set[tuple] = set()
# Those of them a recursive call was handed a stand-in of (``later``), whose code is then already written
# against forward_h's (value, record): the compilation must keep that protocol.
_DEFERRED: Set[tuple] = set()


def _deferred(func: Callable) -> bool:
    return any(built[0] == id(func) for built in _DEFERRED)


class _Later(Deferred):
    """A callee gradient still being compiled when a recursive call needs it: found at run time."""

    def __init__(
        self,
        func: Callable,
        wrt: Tuple[str, ...],
        param_kinds: Dict[str, Kind],
        compiled: Optional[Callable] = None,
        part: str = "function",
    ) -> None:
        self.func, self.wrt, self.param_kinds = func, wrt, param_kinds
        self.compiled = compiled or callee_gradient
        self.part = part  # which of the Generated's functions: "function" or "forward_function"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolved()(*args, **kwargs)

    def resolved(self) -> Callable:
        return getattr(self.compiled(self.func, self.wrt, self.param_kinds), self.part)


class _Call(NamedTuple):
    """A called user function's compilation that a compilation used: replayed when its entry is loaded."""

    which: str  # "gradient", "forward", "whole" or "result" (see _CALLEES)
    func: Callable
    args: tuple  # (wrt, kinds) or (kinds,)
    generated: Generated


def _recorded(which: str, calls: List[_Call]) -> Callable[..., Generated]:
    """``callee_gradient``, ``callee_forward`` or ``_callee_result`` for one compilation, noting what it used."""

    def compiled(func: Callable, *args: Any) -> Generated:
        generated = _CALLEES[which](func, *args)
        calls.append(_Call(which, func, args, generated))
        return generated

    return compiled


def callee_forward(func: Callable, wrt: Tuple[str, ...], param_kinds: Dict[str, Kind]) -> Generated:
    """The forward function of a function the differentiated code calls, compiled once per kinds and wrt."""
    key = ("forward", wrt, default_rules().version, tuple(param_kinds.values()))

    def later() -> Generated:  # what a recursive call finds: named as that compilation names them
        source = parse_function(func)
        namer = Namer.for_tree(source.tree)
        tangents = tuple(namer.fresh(f"t_{p}") for p in wrt)
        runs = _Later(func, wrt, param_kinds, callee_forward)
        return Generated("", runs, UNKNOWN, name=f"jvp_{source.name}", tangent_params=tangents)

    return _built(func, key, later, lambda: compile_forward(func, wrt, param_kinds))


def callee_gradient(func: Callable, wrt: Tuple[str, ...], param_kinds: Dict[str, Kind]) -> Generated:
    """The gradient of a function the differentiated code calls, compiled once per kinds and wrt."""
    key = (wrt, CALLEE_OPTIONS, True, default_rules().version, tuple(param_kinds.values()))

    def later() -> Generated:  # what a recursive call finds: named as that compilation names them
        source = parse_function(func)
        seed = Namer.for_tree(source.tree).fresh("d_out")
        backward, forward = _Later(func, wrt, param_kinds), _Later(func, wrt, param_kinds, part="forward_function")
        name, forward_name = f"backward_{source.name}", f"forward_{source.name}"
        return Generated(
            "", backward, UNKNOWN, seed=seed, name=name, forward_function=forward, forward_name=forward_name
        )

    return _built(func, key, later, lambda: compile_reverse(func, wrt, param_kinds, CALLEE_OPTIONS))


def callee_whole_gradient(func: Callable, wrt: Tuple[str, ...], param_kinds: Dict[str, Kind]) -> Generated:
    """``grad_h(*args, d_out=1.0)`` of a called function, unsplit: its derivatives, with no record to keep.

    For a caller that needs a function's derivatives at a point rather than its value
    (transform.implicit: the residual of a solver at the solution).
    """
    key = (wrt, WHOLE_OPTIONS, True, default_rules().version, tuple(param_kinds.values()))

    def later() -> Generated:  # a recursive function: found at run time
        runs = _Later(func, wrt, param_kinds, callee_whole_gradient)
        return Generated("", runs, UNKNOWN, name=f"grad_{parse_function(func).name}")

    return _built(func, key, later, lambda: compile_reverse(func, wrt, param_kinds, WHOLE_OPTIONS))


def _callee_result(func: Callable, param_kinds: Dict[str, Kind]) -> Generated:
    """The normalized form of a called function, for the kind of what it returns."""
    key = ("result kind", tuple(param_kinds.values()))
    normalized = functools.partial(compile_reverse, func, (), param_kinds, stage="normalized")
    return _built(func, key, lambda: Generated("", None, UNKNOWN), normalized)  # recursive: kind unknown


_CALLEES = {
    "gradient": callee_gradient,
    "forward": callee_forward,
    "whole": callee_whole_gradient,
    "result": _callee_result,
}


def _built(func: Callable, key: tuple, later: Callable[[], Generated], build: Callable[[], Generated]) -> Generated:
    """The cache's entry for ``(func, key)``; a recursive call while it is built gets ``later()``."""
    with CACHE.lock:
        if (id(func), key) in _BUILDING:
            _DEFERRED.add((id(func), key))
            return later()
        _BUILDING.add((id(func), key))
        try:
            return CACHE.get_or_build(func, key, build)
        finally:
            _BUILDING.discard((id(func), key))
            _DEFERRED.discard((id(func), key))


def _distinct(reads: Iterable[tuple]) -> List[tuple]:
    """Each place read once (the first read of it): a name is looked up at every use."""
    seen: Dict[tuple, tuple] = {}
    for read in reads:
        seen.setdefault((id(read[0]), read[1]), read)
    return list(seen.values())


def _defaults(func: Callable) -> tuple:
    """The defaults of the generated function's leading parameters: none once parse flattened *args and the rest."""
    return () if has_extra_parameters(func) else tuple(func.__defaults__ or ())


def _assigned_names(tree: gast.FunctionDef) -> "set[str]":
    return names_stored(tree)


def _result_kind(tree: gast.FunctionDef, ctx: Context) -> Kind:
    return kind_of_atom(tree.body[-1].value, ctx.kinds, ctx)


# ----- the persistent cache (s2sgrad.disk_cache) -----


def _disk_key(func: Callable, parts: tuple, rules: Optional[RuleTable]) -> Optional[str]:
    """The key of the compilation's entry on disk; None when it is not kept there."""
    if parts[-1] not in ("optimized", "normalized") or rules is not None or disk_cache.cache_dir() is None:
        return None
    table = default_rules()
    if table.registered:  # a user's rules: their templates are functions of this process
        return None
    return disk_cache.entry_key(func, (*parts, table.version, sorted(table.optional_files)))


def _store(
    key: str, func: Callable, generated: Generated, reads: list, calls: List[_Call], injected: Dict[str, Any]
) -> None:
    """Write the entry of a compilation, unless something it depends on cannot be described on disk."""
    try:
        entry = {
            "reads": [[disk_cache.place_of(where, k, func), disk_cache.describe(value)] for where, k, value in reads],
            "calls": [_call_record(call, reads) for call in calls],
            "injected": {name: _injected_record(obj, calls) for name, obj in injected.items()},
            "callees": [next(i for i, c in enumerate(calls) if c.generated is g) for g in generated.callees],
            "texts": list(generated.texts),
            "generated": [
                generated.source,
                disk_cache.kind_to_json(generated.result_kind),
                generated.report,
                generated.seed,
                generated.name,
                sorted(generated.written_parameters),
                list(generated.tangent_params),
                generated.forward_name,
                generated.keeps_record,
            ],
        }
    except (disk_cache.Uncacheable, StopIteration):
        return
    disk_cache.write(key, entry)


def _call_record(call: _Call, reads: list) -> list:
    found = next(i for i, read in enumerate(reads) if read[2] is call.func)  # the name the call was made by
    wrt, kinds = call.args if len(call.args) == 2 else (None, call.args[0])
    described = [[p, disk_cache.kind_to_json(kind)] for p, kind in kinds.items()]
    return [call.which, found, wrt, described, disk_cache.summary(call.generated)]


def _injected_record(obj: Any, calls: List[_Call]) -> list:
    """How to find an object the generated code is given again: a called function's generated code, or an import."""
    for i, call in enumerate(calls):
        for part in ("function", "forward_function"):
            if getattr(call.generated, part) is obj:
                return ["callee", i, part]
    if isinstance(obj, ModuleType):
        return ["module", disk_cache.describe(obj)[1]]
    place = disk_cache.importable_name(obj)
    if place is None:
        raise disk_cache.Uncacheable(f"{obj!r}, known only by identity")
    return ["import", place]


def _loaded(func: Callable, entry: dict, mode: str) -> Optional[Generated]:
    """The entry's generated code, bound to ``func`` with the guards a compilation would give it; None when
    anything it was compiled against reads differently now."""
    try:
        reads = [disk_cache.found_at(place, func) for place, _ in entry["reads"]]
        if any(disk_cache.describe(r[2]) != described for r, (_, described) in zip(reads, entry["reads"])):
            return None
        calls = [_replayed(record, reads) for record in entry["calls"]]
        if None in calls:
            return None
        injected = {name: _found(record, calls) for name, record in entry["injected"].items()}
    except (disk_cache.Uncacheable, KeyError, IndexError, TypeError, ValueError):
        return None
    if any(obj is MISSING for obj in injected.values()):
        return None
    source, result_kind, report, seed, name, written, tangents, forward_name, keeps_record = entry["generated"]
    generated = Generated(
        source,
        None,
        disk_cache.kind_from_json(result_kind),
        report,
        tuple(calls[i] for i in entry["callees"]),
        seed,
        name,
        written_parameters=frozenset(written),
        tangent_params=tuple(tangents),
        forward_name=forward_name,
        keeps_record=keeps_record,
        texts=tuple(entry["texts"]),
        injected=injected,
    )
    if generated.texts:
        _bind(generated, func, injected, mode)
    guards = function_guards(func) + [read_guard(*read) for read in reads]
    generated.guards = Guards(guards + [g for call in calls for g in call.guards])
    disk_cache.counts["loaded"] += 1
    return generated


def _replayed(record: list, reads: list) -> Optional[Generated]:
    """The called function's compilation again (from the caches, or compiled), if it is still the one recorded."""
    which, found, wrt, described, expected = record
    kinds = {p: disk_cache.kind_from_json(kind) for p, kind in described}
    args = (kinds,) if wrt is None else (tuple(wrt), kinds)
    generated = _CALLEES[which](reads[found][2], *args)
    return generated if disk_cache.summary(generated) == expected else None


def _found(record: list, calls: List[Generated]) -> Any:
    if record[0] == "callee":
        return getattr(calls[record[1]], record[2])
    if record[0] == "module":
        return sys.modules.get(record[1], MISSING)
    return disk_cache.imported(*record[1].split(":"))
