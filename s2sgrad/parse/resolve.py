"""Resolve the names a function reads to the Python objects they denote.

Derivative rules are looked up by object (``numpy.sin``), never by spelling,
so ``np.sin``, ``numpy.sin`` and ``from numpy import sin`` all find one rule.
"""

import builtins
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable, Dict, List, Optional, Tuple

import gast


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass
class Namespace:
    """What a function's free names refer to: closure cells, globals, builtins."""

    globals: Dict[str, Any]
    closure: Dict[str, Any]  # free variable name -> cell
    # Every read, as (where, key, value): a dict and a name, a cell and None, or a module and an
    # attribute. The cache guards them: a gradient is only valid while they read the same.
    reads: List[Tuple[Any, Any, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, func: Callable) -> "Namespace":
        code = getattr(func, "__code__", None)
        cells = getattr(func, "__closure__", None) or ()
        closure = dict(zip(code.co_freevars, cells)) if code is not None else {}
        return cls(getattr(func, "__globals__", {}), closure)

    def fresh(self) -> "Namespace":
        """The same namespace with no reads recorded (for another compilation)."""
        return Namespace(self.globals, self.closure)

    def lookup(self, name: str) -> Any:
        """The object a free name refers to now, or MISSING (the read is recorded)."""
        layers = self._layers(name)
        self.reads.extend(layers)
        return layers[-1][2]

    def attribute(self, base: Any, attr: str) -> Any:
        """``getattr(base, attr)``, or MISSING; recorded when ``base`` is a module (functions live there)."""
        value = getattr(base, attr, MISSING)
        if isinstance(base, ModuleType):
            where = vars(base) if attr in vars(base) else base  # a module __getattr__ answers the rest
            self.reads.append((where, attr, value))
        return value

    def _layers(self, name: str) -> List[Tuple[Any, Any, Any]]:
        """The reads that find a name: (where, key, value) for each place looked in, up to the one binding it."""
        if name in self.closure:
            cell = self.closure[name]
            try:
                return [(cell, None, cell.cell_contents)]
            except ValueError:  # an empty cell: the variable is not bound yet
                return [(cell, None, MISSING)]
        value = self.globals.get(name, MISSING)
        if value is not MISSING:
            return [(self.globals, name, value)]
        return [(self.globals, name, MISSING), (vars(builtins), name, vars(builtins).get(name, MISSING))]

    def name_of(self, obj: Any, preferred: str, taken: "set[str]") -> Optional[str]:
        """A free name (not in ``taken``) that already refers to ``obj``, if any (the read is recorded)."""
        if preferred not in taken and self._layers(preferred)[-1][2] is obj:
            self.lookup(preferred)
            return preferred
        for name in sorted(self.globals):
            if name not in taken and self.globals[name] is obj:
                self.lookup(name)
                return name
        return None


class Deferred:
    """Stands for a generated function still being compiled when a recursive call needed it."""

    def resolved(self) -> Any:
        """The function, compiled by now (generated code that calls it is read only after)."""
        raise NotImplementedError


def resolve(node: gast.AST, namespace: Namespace, local_names: "set[str]") -> Any:
    """The object a Name/Attribute chain on free names denotes, or MISSING.

    ``np.linalg.norm`` resolves to ``numpy.linalg.norm``; anything rooted at a
    local variable (``x.sum``) or not a plain chain resolves to MISSING.
    """
    if isinstance(node, gast.Name):
        value = MISSING if node.id in local_names else namespace.lookup(node.id)
        return value.resolved() if isinstance(value, Deferred) else value
    if isinstance(node, gast.Attribute):
        base = resolve(node.value, namespace, local_names)
        return MISSING if base is MISSING else namespace.attribute(base, node.attr)
    return MISSING
