"""The whole compiler, one line per stage: parse → normalize → analyze → transform → optimize → emit."""

import functools
from dataclasses import dataclass
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Tuple

import gast

from .analyze import active_names, infer_kinds
from .analyze.kinds import kind_of_atom
from .cache import CACHE
from .context import Context
from .emit import compile_function, to_source
from .kinds import UNKNOWN, Kind
from .names import Namer
from .nodes import names_stored
from .normalize import normalize
from .optimize import optimize
from .parse import parse_function
from .rules import RuleTable, default_rules
from .transform.reverse import ReverseOptions, reverse
from .transform.storage import describe as describe_storage

STAGES = ("normalized", "raw", "optimized")
DEFAULT_OPTIONS = ReverseOptions()


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
    written_parameters: FrozenSet[str] = frozenset()  # parameters whose arrays the function changes in place

    def listing(self) -> str:
        """Its source, then each called gradient's (each once), as ``source()`` shows them."""
        texts = [self.source]
        for callee in self.all_callees():
            if callee.source not in texts:
                texts.append(callee.source)
        return "\n\n".join(texts)

    def all_callees(self, seen: Optional[set] = None) -> List["Generated"]:
        seen = set() if seen is None else seen
        out = []
        for callee in self.callees:
            if id(callee) not in seen:
                seen.add(id(callee))
                out += [callee, *callee.all_callees(seen)]
        return out


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
    """Compile the reverse-mode derivative of ``func`` for parameters of these kinds."""
    source = parse_function(func)
    ctx = Context(source, rules or default_rules(), wrt, param_kinds, Namer.for_tree(source.tree))
    ctx.callee_gradient, ctx.callee_result_kind, ctx.callee_writes = callee_gradient, callee_result_kind, callee_writes
    ctx.local_names = {a.id for a in source.tree.args.args} | _assigned_names(source.tree)
    tree = normalize(source.tree, ctx)
    ctx.kinds = infer_kinds(tree, ctx)
    result_kind = _result_kind(tree, ctx)
    if stage == "normalized":
        return Generated(to_source(tree, None), None, result_kind, written_parameters=ctx.written_parameters)
    active = active_names(tree, ctx, ctx.kinds)
    tree = reverse(tree, ctx, ctx.kinds, active, options)
    if do_optimize and stage != "raw":
        tree = optimize(tree, ctx)
    text = to_source(tree, source)
    report = describe_storage(ctx)
    callees, seed = tuple(ctx.callees), tree.args.args[-1].id
    if stage != "optimized":
        return Generated(text, None, result_kind, report, callees, seed, tree.name)
    defaults = (*tuple(func.__defaults__ or ()), 1.0)
    function = compile_function(text, tree.name, func, ctx.injected, defaults)
    return Generated(text, function, result_kind, report, callees, seed, tree.name)


# ----- calls to the user's own functions -----

_BUILDING: Dict[tuple, "_Later"] = {}  # callee gradients being compiled (recursion reaches them)


class _Later:
    """A callee gradient still being compiled when a recursive call needs it: found at run time."""

    def __init__(self, func: Callable, key: tuple) -> None:
        self.func, self.key = func, key

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return CACHE.get_or_build(self.func, self.key, _missing).function(*args, **kwargs)


def _missing() -> Generated:
    raise RuntimeError("a recursive gradient was used before it was compiled")


def callee_gradient(func: Callable, wrt: Tuple[str, ...], param_kinds: Dict[str, Kind]) -> Generated:
    """The gradient of a function the differentiated code calls, compiled once per kinds and wrt."""
    key = (wrt, DEFAULT_OPTIONS, True, default_rules().version, tuple(param_kinds.values()))
    if (id(func), key) in _BUILDING:  # recursion: names as that compilation names them
        source = parse_function(func)
        seed = Namer.for_tree(source.tree).fresh("d_out")
        return Generated("", _BUILDING[(id(func), key)], UNKNOWN, seed=seed, name=f"grad_{source.name}")
    _BUILDING[(id(func), key)] = _Later(func, key)
    try:
        return CACHE.get_or_build(func, key, lambda: compile_reverse(func, wrt, param_kinds))
    finally:
        del _BUILDING[(id(func), key)]


def callee_result_kind(func: Callable, param_kinds: Dict[str, Kind]) -> Kind:
    """The kind of what a called function returns, for arguments of these kinds."""
    normalized = _normalized_callee(func, param_kinds)
    return UNKNOWN if normalized is None else normalized.result_kind


def callee_writes(func: Callable, param_kinds: Dict[str, Kind]) -> FrozenSet[str]:
    """The parameters whose arrays a called function changes in place."""
    normalized = _normalized_callee(func, param_kinds)
    return frozenset() if normalized is None else normalized.written_parameters


def _normalized_callee(func: Callable, param_kinds: Dict[str, Kind]) -> Optional[Generated]:
    """A called function in the core language; None while a recursive call is working it out."""
    key = ("result kind", tuple(param_kinds.values()))
    if (id(func), key) in _BUILDING:
        return None
    _BUILDING[(id(func), key)] = _Later(func, key)
    try:
        normalized = functools.partial(compile_reverse, func, (), param_kinds, stage="normalized")
        return CACHE.get_or_build(func, key, normalized)
    finally:
        del _BUILDING[(id(func), key)]


def _assigned_names(tree: gast.FunctionDef) -> "set[str]":
    return names_stored(tree)


def _result_kind(tree: gast.FunctionDef, ctx: Context) -> Kind:
    return kind_of_atom(tree.body[-1].value, ctx.kinds, ctx)
