"""Derivative rules: the notation, the table, and the built-in rule files."""

import importlib
import sys
from functools import lru_cache
from typing import Dict

from . import containers, generated_code, numpy_arrays, numpy_elementwise, numpy_linalg, operators, scalar_math
from .notation import (
    RESULT_KINDS,
    Rule,
    TangentRule,
    adjoint,
    adjoint_subjects,
    d,
    nondifferentiable,
    t,
    tangent,
    tangent_subjects,
    tangent_terms,
)
from .table import RuleTable

RULE_FILES = (operators, scalar_math, numpy_elementwise, numpy_arrays, numpy_linalg, containers, generated_code)
# Rule files that read s2sgrad's API, which imports this package: imported when the table is first built.
API_RULE_FILES = ("s2sgrad.rules.transforms",)


# Rule files of optional libraries: registered once the program has imported the library (the key), so that
# s2sgrad itself never imports it (nor fails without it).
OPTIONAL_RULE_FILES: Dict[str, str] = {
    "scipy.special": "s2sgrad.rules.scipy_special",
    "scipy.stats": "s2sgrad.rules.scipy_stats",
    "scipy.linalg": "s2sgrad.rules.scipy_linalg",
    "scipy.signal": "s2sgrad.rules.scipy_signal",
}


def _built_in_rules() -> RuleTable:
    table = RuleTable()
    for module in RULE_FILES:
        table.add_module(module)
    for name in API_RULE_FILES:
        table.add_module(importlib.import_module(name))
    return _with_optional_rules(table)


def _with_optional_rules(table: RuleTable) -> RuleTable:
    """``table`` with the rule files of the optional libraries imported by now (each added once)."""
    for library, rule_file in OPTIONAL_RULE_FILES.items():
        if library in sys.modules and rule_file not in table.optional_files:
            table.optional_files.add(rule_file)
            table.add_module(importlib.import_module(rule_file))
    return table


_cached_rules = lru_cache(maxsize=None)(_built_in_rules)


def default_rules() -> RuleTable:
    """The table of built-in rules, built once (user rules are added to it); an optional library's rules join
    it on the first call after the program imports that library."""
    return _with_optional_rules(_cached_rules())


default_rules.__wrapped__ = _built_in_rules  # type: ignore[attr-defined]  # a fresh table, for tests


__all__ = [
    "RESULT_KINDS",
    "Rule",
    "RuleTable",
    "TangentRule",
    "adjoint",
    "adjoint_subjects",
    "d",
    "default_rules",
    "nondifferentiable",
    "t",
    "tangent",
    "tangent_subjects",
    "tangent_terms",
]
