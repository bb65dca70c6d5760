"""Deterministic fresh names: counters seeded with every name already in use."""

from typing import Iterable, Set

import gast


class Namer:
    """Hands out names that collide neither with the user's nor with each other."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken: Set[str] = set(taken)
        self.temporaries: Set[str] = set()  # names of no user variable: fine to rename away
        self.handed: Set[str] = set()  # every name fresh() or temp() gave: local to generated code, never a global
        self._temps = 0

    @classmethod
    def for_tree(cls, tree: gast.AST, extra: Iterable[str] = ()) -> "Namer":
        names = {n.id for n in gast.walk(tree) if isinstance(n, gast.Name)}
        names |= {n.name for n in gast.walk(tree) if isinstance(n, gast.FunctionDef)}
        return cls(names | set(extra))

    def fresh(self, base: str) -> str:
        """``base`` itself if free, else ``base_1``, ``base_2``, …"""
        name, n = base, 0
        while name in self.taken:
            n += 1
            name = f"{base}_{n}"
        self.taken.add(name)
        self.handed.add(name)
        return name

    def snapshot(self) -> tuple:
        """Everything handed out so far, to go back to with :meth:`restore`."""
        return set(self.taken), set(self.temporaries), self._temps

    def restore(self, snapshot: tuple) -> None:
        taken, temporaries, temps = snapshot
        self.taken, self.temporaries, self._temps = set(taken), set(temporaries), temps

    def temp(self) -> str:
        """A short temporary: ``t0``, ``t1``, … skipping names in use."""
        while f"t{self._temps}" in self.taken:
            self._temps += 1
        name = f"t{self._temps}"
        self.taken.add(name)
        self.temporaries.add(name)
        self.handed.add(name)
        return name
