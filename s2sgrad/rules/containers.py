"""Rules for lists: appending to one, and the builtin sum over one.

The adjoint of a list is a list of adjoints; ``append`` is how
``items.append(v)`` reads in the core language (normalize.anf), so the
common pattern "append arrays in a loop, then stack them" reverses as: the
stack's adjoint gives one adjoint per item, and each append, run backwards,
takes the last one.
"""

import builtins
import copy

from ..runtime import (
    append,
    chosen_adjoint,
    chosen_tangent,
    copied,
    copied_mapping,
    default_adjoint,
    get,
    get_adjoint,
    in_sorted_order,
    items_adjoint,
    keys_of,
    like_sequence,
    missing_adjoint,
    same_items,
    sum_adjoint,
    unbroadcast,
    unsorted,
)
from .notation import adjoint, d, nondifferentiable, t


@adjoint(append, result="same")
def append_(longer, items, value):
    d[items] += d[longer][:-1]
    d[value] += d[longer][-1]
    t[longer] = append(t[items], t[value])


@adjoint(builtins.sum, result="unknown")
def sum_(y, items, start=0):
    d[items] += sum_adjoint(d[y], items)
    d[start] += unbroadcast(d[y], start)
    t[y] = sum(t[items], t[start])


@adjoint(builtins.sorted, result="unknown")
def sorted_(y, iterable, *, key=None, reverse=False):
    d[iterable] += unsorted(d[y], iterable, key, reverse)
    t[y] = in_sorted_order(t[iterable], iterable, key, reverse)


@adjoint(builtins.list, builtins.tuple, result="unknown")
def sequence(y, items):
    d[items] += items_adjoint(d[y], items)
    t[y] = like_sequence(t[items], y)


@adjoint(builtins.dict, result="unknown")
def dict_(y, mapping):
    d[mapping] += copied_mapping(d[y], mapping)
    t[y] = dict(copied_mapping(t[mapping], mapping))


# Builtin max and min of an iterable (analyze.ops reads max(a, b, c) as max((a, b, c))): Python returns
# the first of equal items, and that item alone gets the adjoint (numpy.maximum shares a tie instead).
@adjoint(builtins.max, result="unknown")
def max_(y, items, key=None, default=None):
    d[items] += chosen_adjoint(d[y], items, max, key)
    d[default] += default_adjoint(d[y], items)
    t[y] = chosen_tangent(t[items], t[default], items, max, key)


@adjoint(builtins.min, result="unknown")
def min_(y, items, key=None, default=None):
    d[items] += chosen_adjoint(d[y], items, min, key)
    d[default] += default_adjoint(d[y], items)
    t[y] = chosen_tangent(t[items], t[default], items, min, key)


@adjoint(copied, copy.copy, result="same")
def copied_(y, x, order=None):
    d[x] += same_items(d[y], x)
    t[y] = copied(t[x], order)


@adjoint(get, result="unknown")
def get_(y, mapping, key, default=None):
    d[mapping] += get_adjoint(d[y], mapping, key)
    d[default] += missing_adjoint(d[y], mapping, key)
    t[y] = get(t[mapping], key, t[default])


KEYS = nondifferentiable(keys_of, result="unknown")  # keys are never differentiated
