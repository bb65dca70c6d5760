"""Resolve the names a function reads to the Python objects they denote.

Derivative rules are looked up by object (``numpy.sin``), never by spelling,
so ``np.sin``, ``numpy.sin`` and ``from numpy import sin`` all find one rule.
"""

import builtins
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional

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

    @classmethod
    def of(cls, func: Callable) -> "Namespace":
        code = getattr(func, "__code__", None)
        cells = getattr(func, "__closure__", None) or ()
        closure = dict(zip(code.co_freevars, cells)) if code is not None else {}
        return cls(getattr(func, "__globals__", {}), closure)

    def lookup(self, name: str) -> Any:
        """The object a free name refers to now, or MISSING."""
        if name in self.closure:
            try:
                return self.closure[name].cell_contents
            except ValueError:  # an empty cell: the variable is not bound yet
                return MISSING
        if name in self.globals:
            return self.globals[name]
        return getattr(builtins, name, MISSING)

    def name_of(self, obj: Any, preferred: str, taken: "set[str]") -> Optional[str]:
        """A free name (not in ``taken``) that already refers to ``obj``, if any."""
        if preferred not in taken and self.lookup(preferred) is obj:
            return preferred
        for name in sorted(self.globals):
            if name not in taken and self.globals[name] is obj:
                return name
        return None


def resolve(node: gast.AST, namespace: Namespace, local_names: "set[str]") -> Any:
    """The object a Name/Attribute chain on free names denotes, or MISSING.

    ``np.linalg.norm`` resolves to ``numpy.linalg.norm``; anything rooted at a
    local variable (``x.sum``) or not a plain chain resolves to MISSING.
    """
    if isinstance(node, gast.Name):
        return MISSING if node.id in local_names else namespace.lookup(node.id)
    if isinstance(node, gast.Attribute):
        base = resolve(node.value, namespace, local_names)
        return MISSING if base is MISSING else getattr(base, node.attr, MISSING)
    return MISSING
