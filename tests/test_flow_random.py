"""Random programs in the shapes of issue 14's bugs, checked against finite differences.

Each seed makes one function of ``(x, y, a, n)`` — two floats, a 4-vector and a
trip count — from statements of the shapes that went wrong: short-circuit
conditions and conditional expressions inside loops, ``break``/``continue``/
``return`` in loops nested in branches, element writes at computed indices,
loops over an array the body rebinds, and loops that run zero times. Only
fresh arrays are written into (sharing memory is the memory model's concern).
The function's value and gradient are checked with the optimizer on and off.

``python tests/test_flow_random.py COUNT [FIRST]`` checks more seeds and prints
each failing program.
"""

import importlib.util
import random
import signal
import sys
import tempfile
from pathlib import Path
from typing import Callable, List

import numpy
import pytest
from gradcheck import check_arguments_unchanged, check_grad

SEEDS = range(16)
ARGS = (0.7, -0.4, numpy.array([0.3, -0.6, 0.9, 0.45]))


class _Program:
    """One random function body, built statement by statement with a bounded size."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.lines = ["def f(x, y, a, n):", "    s = 0.0", "    t = a * 2.0"]
        self.budget = 14

    def source(self) -> str:
        self.block(1, [], in_loop=False)
        self.lines.append("    return s + x * y + np.sum(t) + np.sum(a)")
        return "import numpy as np\n\n\n" + "\n".join(self.lines) + "\n"

    def block(self, depth: int, counters: List[str], in_loop: bool) -> None:
        for i in range(self.rng.randint(1, 3)):
            if self.budget <= 0 and i > 0:
                break
            self.budget -= 1
            self.statement(depth, counters, in_loop)

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)

    def statement(self, depth: int, counters: List[str], in_loop: bool) -> None:
        kinds = [self.scalar, self.scalar, self.array, self.element, self.if_, self.ternary]
        if depth < 4:
            kinds += [self.for_, self.while_, self.rows]
        if in_loop:
            kinds += [self.exit, self.exit]
        self.rng.choice(kinds)(depth, counters, in_loop)

    def constant(self) -> str:
        return str(round(self.rng.uniform(0.5, 1.2), 2))

    def scalar_value(self, counters: List[str]) -> str:
        """A bounded term: products of variables in nested loops would grow so fast that
        central differences lose every digit (their third derivative is huge)."""
        choices = ["np.sin(x)", "np.tanh(x * y)", "np.tanh(np.sum(t))", "np.tanh(s)", "np.cos(a[1] * y)"]
        if counters:
            choices.append(f"np.tanh(t[{self.index(counters)}] * x)")
        return self.rng.choice(choices)

    def index(self, counters: List[str]) -> str:
        counter = self.rng.choice(counters)
        return self.rng.choice([f"{counter} % 4", f"({counter} + 1) % 4", f"3 - {counter} % 4"])

    def condition(self, counters: List[str]) -> str:
        tests = ["x > 0.1", "y < 0.2", "s > 0.5", "t[0] > 0.0", "n > 1"]
        tests += [f"{c} > 0" for c in counters] + [f"{c} % 2 == 1" for c in counters]
        test = self.rng.choice(tests)
        combine = self.rng.choice(["", "and", "or", "not", "ternary"])
        other = self.rng.choice(tests)
        if combine in ("and", "or"):
            return f"{test} {combine} {other}"
        if combine == "not":
            return f"not {test}"
        if combine == "ternary":
            return f"(({test}) if {other} else ({self.rng.choice(tests)}))"
        return test

    # ----- statements -----

    def scalar(self, depth: int, counters: List[str], in_loop: bool) -> None:
        target = self.rng.choice(["s", "s", "x", "y"])
        self.emit(depth, f"{target} = {target} * {self.constant()} + {self.scalar_value(counters)}")

    def array(self, depth: int, counters: List[str], in_loop: bool) -> None:
        target = self.rng.choice(["t", "a"])
        self.emit(depth, f"{target} = {target} * {self.constant()} + {self.scalar_value(counters)}")

    def element(self, depth: int, counters: List[str], in_loop: bool) -> None:
        index = self.index(counters) if counters else str(self.rng.randint(0, 3))
        form = self.rng.choice(["set", "sub", "mul"])
        if form == "set":
            self.emit(depth, f"t[{index}] = t[{index}] * {self.constant()} + {self.scalar_value(counters)}")
        elif form == "sub":
            self.emit(depth, f"t[{index}] -= np.tanh(np.sum(a))")
        else:
            self.emit(depth, f"t[{index}] *= {self.constant()}")

    def ternary(self, depth: int, counters: List[str], in_loop: bool) -> None:
        value = f"s * {self.constant()} + np.sin(x)"
        self.emit(depth, f"s = {value} if {self.condition(counters)} else s - {self.scalar_value(counters)}")

    def if_(self, depth: int, counters: List[str], in_loop: bool) -> None:
        self.emit(depth, f"if {self.condition(counters)}:")
        self.block(depth + 1, counters, in_loop)
        if self.rng.random() < 0.4:
            self.emit(depth, "else:")
            self.block(depth + 1, counters, in_loop)

    def for_(self, depth: int, counters: List[str], in_loop: bool) -> None:
        counter = f"i{depth}"
        self.emit(depth, f"for {counter} in range({self.rng.choice(['0', '1', '2', '3', 'n'])}):")
        self.block(depth + 1, [*counters, counter], True)

    def while_(self, depth: int, counters: List[str], in_loop: bool) -> None:
        counter = f"k{depth}"
        self.emit(depth, f"{counter} = 0")
        self.emit(depth, f"while {counter} < {self.rng.choice(['0', '2', '3', 'n'])}:")
        self.emit(depth + 1, f"{counter} += 1")
        self.block(depth + 1, [*counters, counter], True)

    def rows(self, depth: int, counters: List[str], in_loop: bool) -> None:
        self.emit(depth, f"for r{depth} in a:")
        self.emit(depth + 1, f"s = s * 0.9 + np.sin(r{depth} * x)")
        if self.rng.random() < 0.5:
            self.emit(depth + 1, f"a = a * {self.constant()} + y")
        self.block(depth + 1, counters, True)

    def exit(self, depth: int, counters: List[str], in_loop: bool) -> None:
        self.emit(depth, f"if {self.condition(counters)}:")
        self.emit(depth + 1, self.rng.choice(["break", "continue", "return s * x + np.sum(t)"]))


def program(seed: int, folder: Path) -> Callable:
    """The random function of ``seed``, written to a file (the compiler reads the source)."""
    path = folder / f"flow_random_{seed}.py"
    path.write_text(_Program(seed).source())
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.f


@pytest.mark.parametrize("seed", SEEDS)
def test_random_program(seed, tmp_path):
    func = program(seed, tmp_path)
    for n in (0, 2):
        args = (*ARGS, n)
        for optimize in (True, False):
            check_grad(func, args, wrt=(0, 1, 2), optimize=optimize)
    check_arguments_unchanged(func, (*ARGS, 2), wrt=(0, 1, 2))


if __name__ == "__main__":
    count, first = int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 0
    failed = 0
    signal.signal(signal.SIGALRM, lambda *_: sys.exit("hang"))
    with tempfile.TemporaryDirectory() as folder:
        for seed in range(first, first + count):
            signal.alarm(30)  # a generated gradient that never returns is a failure too
            try:
                test_random_program(seed, Path(folder))
            except Exception as error:  # every failure is reported with its program
                failed += 1
                print(f"seed {seed}: {type(error).__name__}: {str(error)[:300]}")
                print((Path(folder) / f"flow_random_{seed}.py").read_text())
    print(f"{failed} of {count} failed")
