"""Compilation and the cache under concurrent first calls."""

import threading

import numpy
import pytest
from gradcheck import numeric_directional

import s2sgrad

THREADS = 16


def fresh_functions():
    """New function objects (nothing cached for them yet): a function, its helper, a recursion."""

    def helper(x):
        return numpy.sin(x) * x

    def power(x, n):
        if n == 0:
            return 1.0
        return x * power(x, n - 1)

    def f(x):
        return helper(x) * numpy.exp(x) + power(x, 3)

    return f


def run_at_once(work, count: int = THREADS) -> list:
    """Run ``work(i)`` in ``count`` threads released together; their results, or the first error."""
    start = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(i: int) -> None:
        try:
            start.wait()
            results[i] = work(i)
        except BaseException as exc:  # reported below, with its thread's traceback
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


@pytest.mark.parametrize("shared", [False, True], ids=["a function per thread", "one function for all"])
def test_concurrent_first_calls_compile_and_give_right_gradients(shared):
    functions = [fresh_functions()] * THREADS if shared else [fresh_functions() for _ in range(THREADS)]
    points = [0.1 * i - 0.75 for i in range(THREADS)]

    def work(i: int) -> list:
        f, x = functions[i], points[i]
        return [s2sgrad.grad(f)(x) for _ in range(3)]

    for i, gradients in enumerate(run_at_once(work)):
        expected = numeric_directional(functions[i], (points[i],), 0, 1.0)
        assert gradients == [pytest.approx(expected, rel=1e-6, abs=1e-9)] * 3


def fresh_mutual_recursion():
    def even(x, n):
        if n == 0:
            return x
        return odd(x, n - 1) * x

    def odd(x, n):
        if n == 0:
            return numpy.sin(x)
        return even(x, n - 1) + x

    return even, odd


def test_mutual_recursion_compiled_from_both_ends_at_once():
    functions = fresh_mutual_recursion()  # half the threads start at even, half at odd: no deadlock

    def work(i: int) -> float:
        return s2sgrad.grad(functions[i % 2])(0.3 + 0.05 * i, 3)

    for i, gradient in enumerate(run_at_once(work)):
        expected = numeric_directional(functions[i % 2], (0.3 + 0.05 * i, 3), 0, 1.0)
        assert gradient == pytest.approx(expected, rel=1e-6)
