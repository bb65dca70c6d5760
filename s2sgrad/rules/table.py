"""The rule table: callables mapped to their derivative rules, looked up by object."""

import dataclasses
import types
from typing import Any, Callable, Dict, Hashable, Iterable, List, Optional, Set

from .notation import DERIVED_RULE, DerivedRule, Rule, RuleParts, _Pending, default_result_kind


def _key(func: Any) -> Hashable:
    """A callable's key: itself, by identity; a bound method (``scipy.stats.norm.pdf``, made anew at each
    attribute read) by its instance and its function, so a rule for one distribution's method is not another's."""
    if isinstance(func, types.MethodType):
        return id(func.__self__), id(func.__func__)
    return id(func)


class RuleTable:
    """Maps callables (by identity) to Rules. The default table is one instance.

    The rule files' rules are parsed when first looked up: parsing all of them (two hundred
    templates) took most of a process's first transform, and a process that loads its
    gradients from the disk cache looks up none.
    """

    def __init__(self) -> None:
        self._rules: Dict[Hashable, Rule] = {}
        self._unparsed: Dict[Hashable, List[_Pending]] = {}  # rule files' rules not looked up yet, in order
        self._parts: Dict[int, RuleParts] = {}  # by id of a pending rule (kept alive by _unparsed or parsed)
        self._keep: List[Any] = []  # keeps keyed objects alive, so ids stay unique
        self.version = 0  # bumped on every change, so caches can tell
        self.registered = 0  # rules a program registered (s2sgrad.register_adjoint): not kept on disk
        self.optional_files: Set[str] = set()  # the optional libraries' rule files added (see rules.default_rules)

    def lookup(self, func: Any) -> Optional[Rule]:
        rule = self._rules.get(_key(func))
        if rule is None and _key(func) in self._unparsed:
            rule = self._parsed(func)
        if rule is None:  # what s2sgrad.grad returned carries its own rule (second derivatives)
            derived = getattr(func, DERIVED_RULE, None)
            rule = derived.rule() if isinstance(derived, DerivedRule) else None
        return rule

    def __contains__(self, func: Any) -> bool:
        return _key(func) in self._rules or _key(func) in self._unparsed

    def __len__(self) -> int:
        return len(self._rules.keys() | self._unparsed.keys())

    def callables(self) -> List[Any]:
        return list(self._keep)

    def add(self, pending: _Pending) -> None:
        """Check a rule and register it for each of its callables."""
        for func in pending.callables:
            if _key(func) in self._unparsed:  # a rule file's rule, joined or replaced: in order
                self._parsed(func)
        self._add_parsed(pending, RuleParts.of(pending))
        self.version += 1

    def _add_parsed(self, pending: _Pending, parts: RuleParts, only: Optional[Any] = None) -> None:
        for func in pending.callables:
            if only is not None and _key(func) != _key(only):  # a bound method is made anew at each read
                continue
            name = getattr(func, "__name__", type(func).__name__)
            existing = self._rules.get(_key(func))
            if pending.tangent_only and existing is not None:  # a tangent joins the rule already there
                self._rules[_key(func)] = dataclasses.replace(existing, tangent=parts.tangent_rule(name))
                continue
            if existing is None and only is None:
                self._keep.append(func)
            self._rules[_key(func)] = parts.rule(name, pending.result or default_result_kind(func))

    def add_module(self, module: types.ModuleType) -> None:
        """Register every rule a rule file defines (templates and zero-derivative lists), parsed when looked up."""
        for value in vars(module).values():
            pending = getattr(value, "__s2sgrad_rule__", value)
            if isinstance(pending, _Pending):
                for func in pending.callables:
                    if func not in self:
                        self._keep.append(func)
                    self._unparsed.setdefault(_key(func), []).append(pending)
                self.version += 1

    def _parsed(self, func: Any) -> Optional[Rule]:
        """``func``'s rule from the rule files' rules for it, parsed now (each rule once, for all its callables)."""
        for pending in self._unparsed.pop(_key(func)):
            parts = self._parts.get(id(pending))
            if parts is None:
                parts = self._parts[id(pending)] = RuleParts.of(pending)
            self._add_parsed(pending, parts, only=func)
        return self._rules.get(_key(func))

    def register(
        self,
        funcs: Iterable[Any],
        template: Optional[Callable],
        result: Optional[str],
        vjp: Optional[Callable] = None,
        jvp: Optional[Callable] = None,
        tangent_only: bool = False,
    ) -> None:
        self.registered += 1
        self.add(_Pending(tuple(funcs), template, result, vjp, jvp, tangent_only))
