"""The whole compiler, one line per stage: parse → normalize → analyze → transform → optimize → emit."""

import functools
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Set, Tuple

import gast

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
from .parse.resolve import Deferred
from .parse.source import has_extra_parameters
from .rules import RuleTable, default_rules
from .transform.forward import forward
from .transform.reverse import ReverseOptions, reverse
from .transform.split import split
from .transform.storage import describe as describe_storage

STAGES = ("normalized", "raw", "optimized")
DEFAULT_OPTIONS = ReverseOptions()
CALLEE_OPTIONS = ReverseOptions(with_value=True, split=True)  # a callee's gradient: see transform.split
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
        guards = function_guards(func)  # first: what the source is read from
        dependencies: List[Generated] = []
        source = parse_function(func)
        ctx = Context(source, rules or default_rules(), wrt, param_kinds, Namer.for_tree(source.tree))
        ctx.callee_gradient, ctx.callee_result_kind, ctx.callee_writes = _recording_callees(dependencies)
        ctx.callee_forward = _recording(callee_forward, dependencies)
        ctx.callee_whole_gradient = _recording(callee_whole_gradient, dependencies)
        generated = _compile(func, ctx, options, do_optimize, stage, mode)
        guards += [read_guard(*read) for read in source.namespace.reads if read[1] != COMMENT]  # not a user name
        generated.guards = Guards(guards + [g for d in dependencies for g in d.guards])
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
        return _split(func, ctx, tree, result_kind, stage)
    text = to_source(tree, source)
    report = describe_storage(ctx) if mode == "reverse" else ""
    callees, seed = tuple(ctx.callees), tree.args.args[-1].id
    tangents = tuple(a.id for a in tree.args.args[len(tree.args.args) - len(ctx.wrt) :]) if mode == "forward" else ()
    if stage != "optimized":
        return Generated(
            text, None, result_kind, report, callees, seed, tree.name, tangent_params=tangents, injected=ctx.injected
        )
    defaults = (*_defaults(func), 1.0)
    if mode == "forward":  # a tangent after a parameter with a default needs one too: None, always passed
        defaults = (*_defaults(func), *(None for _ in tangents)) if _defaults(func) else ()
    function = compile_function(text, tree.name, func, ctx.injected, defaults)
    return Generated(
        text, function, result_kind, report, callees, seed, tree.name, tangent_params=tangents, injected=ctx.injected
    )


def _split(func: Callable, ctx: Context, tree: gast.FunctionDef, result_kind: Kind, stage: str) -> Generated:
    """A callee's gradient as forward_h and backward_h (see transform.split)."""
    forward_tree, backward_tree = split(tree, ctx)
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
        injected=ctx.injected,
    )
    if stage == "optimized":
        defaults = _defaults(func)
        generated.forward_function = compile_function(forward_text, forward_tree.name, func, ctx.injected, defaults)
        generated.function = compile_function(backward_text, backward_tree.name, func, ctx.injected, (*defaults, 1.0))
    return generated


# ----- calls to the user's own functions -----

# The callee compilations under way (id of the function, key). Only read and written while
# CACHE.lock is held: one thread at a time, and a recursive call sees its own thread's.
_BUILDING: Set[tuple] = set()


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


def _recording_callees(dependencies: List[Generated]) -> Tuple[Callable, Callable, Callable]:
    """``callee_gradient``, ``callee_result_kind`` and ``callee_writes`` for one compilation, noting what it used."""

    def gradient(func: Callable, wrt: Tuple[str, ...], param_kinds: Dict[str, Kind]) -> Generated:
        generated = callee_gradient(func, wrt, param_kinds)
        dependencies.append(generated)
        return generated

    def result_kind(func: Callable, param_kinds: Dict[str, Kind]) -> Kind:
        generated = _callee_result(func, param_kinds)
        dependencies.append(generated)
        return generated.result_kind

    def writes(func: Callable, param_kinds: Dict[str, Kind]) -> FrozenSet[str]:
        """The parameters whose arrays the called function changes in place."""
        generated = _callee_result(func, param_kinds)
        dependencies.append(generated)
        return generated.written_parameters

    return gradient, result_kind, writes


def _recording(compile_callee: Callable, dependencies: List[Generated]) -> Callable:
    def recorded(*args: Any) -> Generated:
        generated = compile_callee(*args)
        dependencies.append(generated)
        return generated

    return recorded


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


def _built(func: Callable, key: tuple, later: Callable[[], Generated], build: Callable[[], Generated]) -> Generated:
    """The cache's entry for ``(func, key)``; a recursive call while it is built gets ``later()``."""
    with CACHE.lock:
        if (id(func), key) in _BUILDING:
            return later()
        _BUILDING.add((id(func), key))
        try:
            return CACHE.get_or_build(func, key, build)
        finally:
            _BUILDING.discard((id(func), key))


def _defaults(func: Callable) -> tuple:
    """The defaults of the generated function's leading parameters: none once parse flattened *args and the rest."""
    return () if has_extra_parameters(func) else tuple(func.__defaults__ or ())


def _assigned_names(tree: gast.FunctionDef) -> "set[str]":
    return names_stored(tree)


def _result_kind(tree: gast.FunctionDef, ctx: Context) -> Kind:
    return kind_of_atom(tree.body[-1].value, ctx.kinds, ctx)
