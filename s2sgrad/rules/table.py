"""The rule table: callables mapped to their derivative rules, looked up by object."""

import dataclasses
import types
from typing import Any, Callable, Dict, Iterable, List, Optional, Set

from .notation import (
    RESULT_KINDS,
    Rule,
    TangentRule,
    _Pending,
    default_result_kind,
    jvp_template,
    parse_template,
    split_directions,
    vjp_template,
)


class RuleTable:
    """Maps callables (by identity) to Rules. The default table is one instance."""

    def __init__(self) -> None:
        self._rules: Dict[int, Rule] = {}
        self._keep: List[Any] = []  # keeps keyed objects alive, so ids stay unique
        self.version = 0  # bumped on every change, so caches can tell
        self.optional_files: Set[str] = set()  # the optional libraries' rule files added (see rules.default_rules)

    def lookup(self, func: Any) -> Optional[Rule]:
        return self._rules.get(id(func))

    def __contains__(self, func: Any) -> bool:
        return id(func) in self._rules

    def __len__(self) -> int:
        return len(self._rules)

    def callables(self) -> List[Any]:
        return list(self._keep)

    def add(self, pending: _Pending) -> None:
        """Check a rule and register it for each of its callables."""
        if pending.result is not None and pending.result not in RESULT_KINDS:
            raise ValueError(f"result must be one of {RESULT_KINDS}, not {pending.result!r}")
        template = signature = tangent = None
        namespace: Dict[str, Any] = {}
        where = "<zero derivative>"
        if pending.template is not None:
            template, signature, where = parse_template(pending.template)
            namespace = pending.template.__globals__
            template, tangent = split_directions(template)
        if pending.vjp is not None:
            template, signature, namespace, where = vjp_template(pending.vjp)
        if pending.jvp is not None:
            tangent, signature, namespace, where = jvp_template(pending.jvp)
        for func in pending.callables:
            name = getattr(func, "__name__", type(func).__name__)
            forward = None
            if tangent is not None:
                forward = TangentRule(name, tangent, signature, namespace, where, pending.shape_only)
            existing = self._rules.get(id(func))
            if pending.tangent_only and existing is not None:  # a tangent joins the rule already there
                self._rules[id(func)] = dataclasses.replace(existing, tangent=forward)
                continue
            result = pending.result or default_result_kind(func)
            if existing is None:
                self._keep.append(func)
            adjoint = None if pending.tangent_only else template
            self._rules[id(func)] = Rule(name, adjoint, signature, namespace, result, where, forward)
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
