"""Derivative rules: the notation, the table, and the built-in rule files."""

from functools import lru_cache

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


@lru_cache(maxsize=None)
def default_rules() -> RuleTable:
    """The table of built-in rules, built once; user rules are added to it."""
    table = RuleTable()
    for module in RULE_FILES:
        table.add_module(module)
    return table


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
