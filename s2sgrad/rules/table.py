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
    """Maps callables (by identity) to Rules. The default table is one instance."""

    def __init__(self) -> None:
        self._rules: Dict[Hashable, Rule] = {}
        self._keep: List[Any] = []  # keeps keyed objects alive, so ids stay unique
        self.version = 0  # bumped on every change, so caches can tell
        self.optional_files: Set[str] = set()  # the optional libraries' rule files added (see rules.default_rules)

    def lookup(self, func: Any) -> Optional[Rule]:
        rule = self._rules.get(_key(func))
        if rule is None:  # what s2sgrad.grad returned carries its own rule (second derivatives)
            derived = getattr(func, DERIVED_RULE, None)
            rule = derived.rule() if isinstance(derived, DerivedRule) else None
        return rule

    def __contains__(self, func: Any) -> bool:
        return _key(func) in self._rules

    def __len__(self) -> int:
        return len(self._rules)

    def callables(self) -> List[Any]:
        return list(self._keep)

    def add(self, pending: _Pending) -> None:
        """Check a rule and register it for each of its callables."""
        parts = RuleParts.of(pending)
        for func in pending.callables:
            name = getattr(func, "__name__", type(func).__name__)
            existing = self._rules.get(_key(func))
            if pending.tangent_only and existing is not None:  # a tangent joins the rule already there
                self._rules[_key(func)] = dataclasses.replace(existing, tangent=parts.tangent_rule(name))
                continue
            if existing is None:
                self._keep.append(func)
            self._rules[_key(func)] = parts.rule(name, pending.result or default_result_kind(func))
        self.version += 1

    def add_module(self, module: types.ModuleType) -> None:
        """Register every rule a rule file defines (templates and zero-derivative lists)."""
        for value in vars(module).values():
            pending = getattr(value, "__s2sgrad_rule__", value)
            if isinstance(pending, _Pending):
                self.add(pending)

    def register(
        self,
        funcs: Iterable[Any],
        template: Optional[Callable],
        result: Optional[str],
        vjp: Optional[Callable] = None,
        jvp: Optional[Callable] = None,
        tangent_only: bool = False,
    ) -> None:
        self.add(_Pending(tuple(funcs), template, result, vjp, jvp, tangent_only))
