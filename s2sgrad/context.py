"""What every stage of one compilation shares: the function, its rules and names."""

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, Optional, Tuple

import gast

from .kinds import Kind
from .names import Namer
from .nodes import name
from .parse import FunctionSource
from .parse.resolve import MISSING, resolve
from .rules import RuleTable


@dataclass
class Context:
    """One compilation: a function, what to differentiate, and the shared state."""

    source: FunctionSource
    rules: RuleTable
    wrt: Tuple[str, ...]
    param_kinds: Dict[str, Kind]
    namer: Namer
    local_names: "set[str]" = field(default_factory=set)
    # Objects the generated code needs but the user's namespace has no name for;
    # the emitter binds them as free variables of the generated function.
    injected: Dict[str, Any] = field(default_factory=dict)
    kinds: Dict[str, Kind] = field(default_factory=dict)  # filled in by analysis
    sweep_names: "set[str]" = field(default_factory=set)  # names the reverse sweep introduces
    scalar_adjoints: "set[str]" = field(default_factory=set)  # adjoints of Python scalars
    storage: list = field(default_factory=list)  # what the reverse sweep saves (transform.storage.Stored)
    loops: list = field(default_factory=list)  # the forward sweep's loops, for the storage report
    trips: Dict[int, str] = field(default_factory=dict)  # iteration counters, by id of their loop
    # How calls to the user's own functions are compiled (set by the pipeline), and what was.
    callee_gradient: Optional[Callable] = None
    callee_forward: Optional[Callable] = None  # (func, active parameters, kinds) -> its generated forward function
    callee_result_kind: Optional[Callable] = None
    callee_writes: Optional[Callable] = None  # (func, parameter kinds) -> the parameters it writes into
    written_parameters: FrozenSet[str] = frozenset()  # this function's (found by normalize.memory)
    callees: list = field(default_factory=list)

    def error(self, node: Any, message: str, hint: str = "") -> Exception:
        return self.source.error(node, message, hint)

    def resolve(self, node: gast.AST) -> Any:
        """The object a Name/Attribute chain on free names denotes, or MISSING."""
        if isinstance(node, gast.Name) and node.id in self.injected:
            return self.injected[node.id]
        if isinstance(node, gast.Name) and node.id in self.param_kinds and self.param_kinds[node.id].tag == "function":
            return self.param_kinds[node.id].function  # a function passed in: code is specialized on it
        if isinstance(node, gast.Attribute):
            base = self.resolve(node.value)
            return MISSING if base is MISSING else self.source.namespace.attribute(base, node.attr)
        return resolve(node, self.source.namespace, self.local_names)

    def name_for(self, obj: Any, preferred: str) -> str:
        """A name that refers to ``obj`` in the generated code.

        The user's own spelling wins (``np`` for numpy); otherwise a fresh name
        is injected, so that generated code never depends on an import the user
        did not write and never shadows one of the user's names.
        """
        for injected, value in self.injected.items():
            if value is obj:
                return injected
        existing = self.source.namespace.name_of(obj, preferred, self.local_names)
        if existing is not None:
            self.namer.taken.add(existing)
            return existing
        fresh = self.namer.fresh(preferred)
        self.injected[fresh] = obj
        return fresh

    def reference(self, module: Any, path: str) -> gast.expr:
        """An expression for ``module.path`` (e.g. ``np.linalg.norm``)."""
        node = name(self.name_for(module, module.__name__.split(".")[-1]))
        for attr in path.split("."):
            node = gast.Attribute(value=node, attr=attr, ctx=gast.Load())
        return node
