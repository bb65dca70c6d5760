"""The adjoint variables of one reverse sweep: their names and what they hold.

Accumulation follows the aliasing discipline of DESIGN.md: the first
contribution to ``d_x`` is assigned, later ones build a new value
(``d_x = d_x + g``), so no adjoint is ever updated in place and two adjoints
can share a buffer only through a plain copy — which :meth:`may_alias` tracks.
"""

from typing import Dict, List, Optional, Set

import gast

from ..names import Namer
from ..nodes import assign, name


class Adjoints:
    def __init__(self, namer: Namer, seed_name: str) -> None:
        self.namer = namer
        self.names: Dict[str, str] = {}
        self.defined: Set[str] = set()
        self._root: Dict[str, str] = {}  # adjoint -> the value it may share a buffer with
        self.seed_name = seed_name

    def name_of(self, var: str) -> str:
        if var not in self.names:
            self.names[var] = self.namer.fresh(f"d_{var}")
            if var in self.namer.temporaries:
                self.namer.temporaries.add(self.names[var])
        return self.names[var]

    def is_defined(self, var: str) -> bool:
        return var in self.defined

    def accumulate(
        self, var: str, value: gast.expr, subtract: bool, like: gast.AST, shares: Optional[str] = None
    ) -> gast.stmt:
        """``d_var += value`` (or ``-=``) under the assign-first discipline.

        ``shares`` names the variable whose buffer ``value`` may be (a plain
        copy of another adjoint, or ``unbroadcast`` of one, which may return it).
        """
        target = self.name_of(var)
        if var in self.defined:
            op = gast.Sub() if subtract else gast.Add()
            self._root[target] = target
            return assign(target, gast.BinOp(left=name(target), op=op, right=value), like)
        self.defined.add(var)
        self._root[target] = self._root.get(shares, shares) if shares else target
        if subtract:
            value = gast.UnaryOp(op=gast.USub(), operand=value)
        return assign(target, value, like)

    def seed(self, var: str, like: gast.AST) -> gast.stmt:
        self.defined.add(var)
        self._root[self.name_of(var)] = self.seed_name
        return assign(self.name_of(var), name(self.seed_name), like)

    def root(self, var: str) -> str:
        return self._root.get(self.name_of(var), self.name_of(var))

    def shared_roots(self, variables: List[str]) -> Set[str]:
        """Variables whose adjoint may share a buffer with the seed or an earlier one."""
        seen, shared = {self.seed_name}, set()
        for var in variables:
            if not self.is_defined(var):
                continue
            root = self.root(var)
            if root in seen:
                shared.add(var)
            seen.add(root)
        return shared
