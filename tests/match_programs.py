"""Programs with match statements (Python 3.10+): imported by the tests only where Python parses them."""

import enum

import numpy as np


class Mode(enum.Enum):
    FAST = 1
    SLOW = 2


def by_status(x, status):
    match status:
        case 0:
            y = x * 2.0
        case 1 | 2:
            y = np.exp(x)
        case None:
            y = -x
        case code if code > 10:
            y = x * code
        case _:
            y = np.cos(x)
    return y + x * x


def by_enum(x, mode, n):
    y = x
    match mode:
        case Mode.FAST if n > 2:
            y = x * n
        case Mode.FAST:
            y = x - 1.0
        case m:
            y = x * x
            if m is Mode.SLOW:
                return y * 2.0
    return y


def no_case_matches(x, n):
    y = x
    match n + 1:  # a subject that is not a name: evaluated once, into a temporary
        case 1 | 2:
            y = x * x
        case 3 as three if three > n:
            y = x * three
    return y * x


def sequence_pattern(x, pair):
    match pair:
        case (a, _):
            return x * a
    return x


def either_or_anything(x, n):
    match n:
        case 0 | 1:
            y = x * 2.0
        case 2 | _:  # an alternative that always matches: the case does
            y = x**3
    return y


def capture_in_an_alternative(x, n):
    match n:
        case (0 as k) | (1 as k):
            return x * k
    return x
