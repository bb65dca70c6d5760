"""The whole compiler, one line per stage: parse → normalize → analyze → transform → optimize → emit."""

from dataclasses import dataclass
from typing import Callable, Dict, Optional, Tuple

import gast

from .analyze import active_names, infer_kinds
from .analyze.kinds import kind_of_atom
from .context import Context
from .emit import compile_function, to_source
from .kinds import Kind
from .names import Namer
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
    ctx.local_names = {a.id for a in source.tree.args.args} | _assigned_names(source.tree)
    tree = normalize(source.tree, ctx)
    ctx.kinds = infer_kinds(tree, ctx)
    result_kind = _result_kind(tree, ctx)
    if stage == "normalized":
        return Generated(to_source(tree, None), None, result_kind)
    active = active_names(tree, ctx, ctx.kinds)
    tree = reverse(tree, ctx, ctx.kinds, active, options)
    if do_optimize and stage != "raw":
        tree = optimize(tree, ctx)
    text = to_source(tree, source)
    report = describe_storage(ctx)
    if stage != "optimized":
        return Generated(text, None, result_kind, report)
    defaults = (*tuple(func.__defaults__ or ()), 1.0)
    return Generated(text, compile_function(text, tree.name, func, ctx.injected, defaults), result_kind, report)


def _assigned_names(tree: gast.FunctionDef) -> "set[str]":
    return {n.id for n in gast.walk(tree) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}


def _result_kind(tree: gast.FunctionDef, ctx: Context) -> Kind:
    return kind_of_atom(tree.body[-1].value, ctx.kinds, ctx)
