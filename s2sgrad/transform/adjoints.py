"""The adjoint variables of one reverse sweep: their names and what they hold.

At each point of the reverse sweep the transform knows statically which
adjoints may be nonzero (*defined*) and which of those are *owned*: a buffer
that no other name refers to, so it may be updated in place. The first
contribution to ``d_x`` is assigned, later ones add; an owned array adds in
place. Where control flow joins (the two branches of an ``if``, a loop's back
edge) the states are joined, and an adjoint defined on only one side is set
to zero on the other, so every path leaves the same adjoints defined.

    first contribution           d_x = d_t * y
    later ones                   d_x = d_x + d_t * y   (d_x += … into an owned array)
    the value's assignment       kills d_x: it is zero before it
"""

from dataclasses import dataclass
from typing import Callable, Dict, FrozenSet, Iterable, List, Optional, Set

import gast

from ..kinds import SCALAR, Kind
from ..names import Namer
from ..nodes import assign, call, name


@dataclass(frozen=True)
class State:
    """Which adjoints may be nonzero, and which of those own their buffer."""

    defined: FrozenSet[str]
    owned: FrozenSet[str]

    @staticmethod
    def join(states: Iterable["State"]) -> "State":
        """Defined on some path; owned on every path that defines it (zeros are owned)."""
        states = list(states)
        defined = frozenset().union(*(s.defined for s in states))
        owned = frozenset(v for v in defined if all(v in s.owned or v not in s.defined for s in states))
        return State(defined, owned)


class Adjoints:
    def __init__(self, namer: Namer, seed_name: str, kinds: Dict[str, Kind], add_structured: str = "") -> None:
        self.namer, self.kinds = namer, kinds
        self.add_structured = add_structured  # the name of runtime.add_structured in the generated code
        self.names: Dict[str, str] = {}
        self.scalars: Set[str] = set()  # adjoint names of Python scalars (immutable: `+=` is safe)
        self.defined: Set[str] = set()
        self.owned: Set[str] = set()
        self._root: Dict[str, str] = {}  # adjoint -> the value it may share a buffer with
        self.seed_name = seed_name

    def name_of(self, var: str) -> str:
        if var not in self.names:
            self.names[var] = self.namer.fresh(f"d_{var}")
            if var in self.namer.temporaries:
                self.namer.temporaries.add(self.names[var])
            if self.kinds.get(var) == SCALAR:
                self.scalars.add(self.names[var])
        return self.names[var]

    def is_defined(self, var: str) -> bool:
        return var in self.defined

    def is_owned(self, var: str) -> bool:
        return var in self.owned

    # ----- state at control-flow joins -----

    def state(self) -> State:
        return State(frozenset(self.defined), frozenset(self.owned))

    def restore(self, state: State) -> None:
        self.defined, self.owned = set(state.defined), set(state.owned)

    def snapshot(self) -> tuple:
        """The adjoint names handed out and what each may share, for :meth:`restore_names`."""
        return dict(self.names), dict(self._root)

    def restore_names(self, snapshot: tuple) -> None:
        names, roots = snapshot
        self.names, self._root = dict(names), dict(roots)

    def materialize(self, state: State, like: gast.AST, zero: Callable[[str], gast.expr]) -> List[gast.stmt]:
        """Zeros for the adjoints ``state`` defines and the current state does not."""
        missing = sorted(state.defined - self.defined)
        return [assign(self.name_of(v), zero(v), like) for v in missing]

    # ----- contributions -----

    def accumulate(
        self,
        var: str,
        value: gast.expr,
        subtract: bool,
        like: gast.AST,
        shares: Optional[str] = None,
        fresh: bool = False,
    ) -> gast.stmt:
        """``d_var += value`` (or ``-=``) under the assign-first discipline.

        ``shares`` names the variable whose buffer ``value`` may be (a plain
        copy of another adjoint, or ``unbroadcast`` of one, which may return it);
        ``fresh`` says ``value`` is a new buffer (``unindex`` makes one).
        """
        target = self.name_of(var)
        op = gast.Sub() if subtract else gast.Add()
        if var in self.defined and self.kinds.get(var, Kind("unknown")).is_container:
            self._root[target] = target
            self.owned.discard(var)  # a new container, but its elements may be shared
            if subtract:
                value = gast.UnaryOp(op=gast.USub(), operand=value)
            return assign(target, call(name(self.add_structured), [name(target), value]), like)
        if var in self.defined:
            self._root[target] = target
            if var in self.owned:  # an array no other name refers to: add in place
                return _located(gast.AugAssign(target=name(target, True), op=op, value=value), like)
            if self.is_array(var):  # the sum is a new buffer
                self.owned.add(var)
            return assign(target, gast.BinOp(left=name(target), op=op, right=value), like)
        self.defined.add(var)
        self._root[target] = self._root.get(shares, shares) if shares else target
        if shares:
            self.owned.discard(self._variable_of(shares))
        if fresh and self.is_array(var):
            self.owned.add(var)
        if subtract:
            value = gast.UnaryOp(op=gast.USub(), operand=value)
        return assign(target, value, like)

    def define_owned(self, var: str, always: bool = False) -> None:
        """``d_var`` was just set to a fresh buffer (zeros, a new list) by the caller."""
        self.defined.add(var)
        self._root[self.name_of(var)] = self.name_of(var)
        if always or self.is_array(var):
            self.owned.add(var)

    def kill(self, var: str) -> None:
        """The forward assignment of ``var`` was passed: its adjoint is zero before it."""
        self.defined.discard(var)
        self.owned.discard(var)

    def seed(self, var: str, like: gast.AST) -> gast.stmt:
        self.defined.add(var)
        self._root[self.name_of(var)] = self.seed_name
        return assign(self.name_of(var), name(self.seed_name), like)

    def is_array(self, var: str) -> bool:
        """An array of known, nonzero rank: ``+=`` on its adjoint updates a buffer."""
        kind = self.kinds.get(var, Kind("unknown"))
        return kind.tag == "array" and kind.ndim != 0

    def _variable_of(self, adjoint: str) -> Optional[str]:
        return next((v for v, a in self.names.items() if a == adjoint), None)

    # ----- aliasing at the return -----

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


def _located(node: gast.stmt, like: gast.AST) -> gast.stmt:
    gast.copy_location(node, like)
    return node
