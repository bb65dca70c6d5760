"""Shrinking a saved failure: ``python -m tests.fuzz.reduce /tmp/fuzz-failures/003.py``.

Deletes statements (a compound one with its block), replaces compound statements by
their bodies and drops terms of ``return`` sums, as long as the program still fails the
same way at the same arguments; writes the result next to the input as ``NNN.min.py``.
"""

import argparse
import ast
import itertools
import re
import sys
import tempfile
from typing import Callable, Iterator, List, Optional

import numpy

from .check import Hang, evaluate, load, outcome_at, value_ok
from .run import REPRO_MAIN, literal

_MARK = "\n\n\nARGS = ["
_names = itertools.count()


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip())


def _block_end(lines: List[str], i: int) -> int:
    """The index after the statement at ``i`` (after its block, for a compound one)."""
    end = i + 1
    if lines[i].rstrip().endswith(":"):
        while end < len(lines) and (not lines[end].strip() or _indent_of(lines[end]) > _indent_of(lines[i])):
            end += 1
    return end


def _filled(lines: List[str]) -> List[str]:
    """``lines`` with ``pass`` added to each block left empty."""
    out: List[str] = []
    for i, line in enumerate(lines):
        out.append(line)
        if line.rstrip().endswith(":"):
            following = next((ln for ln in lines[i + 1 :] if ln.strip()), "")
            if _indent_of(following) <= _indent_of(line):
                out.append(" " * (_indent_of(line) + 4) + "pass")
    return out


def _split_terms(expression: str) -> List[str]:
    """Top-level `` + ``-separated terms of ``expression``."""
    terms, depth, start = [], 0, 0
    for i, ch in enumerate(expression):
        depth += (ch in "([") - (ch in ")]")
        if depth == 0 and expression.startswith(" + ", i):
            terms.append(expression[start:i])
            start = i + 3
    return [*terms, expression[start:]]


def _runs_of_statements(lines: List[str]) -> Iterator[List[str]]:
    """``lines`` without runs of consecutive statements of ``f``'s body, halves first, then quarters..."""
    body = next(i for i, line in enumerate(lines) if line.startswith("def f(")) + 1
    starts = [i for i in range(body, len(lines)) if _indent_of(lines[i]) == 4 and lines[i].strip()]
    size = len(starts) // 2
    while size >= 2:
        for j in range(0, len(starts) - size + 1, size):
            end = starts[j + size] if j + size < len(starts) else len(lines)
            yield lines[: starts[j]] + lines[end:]
        size //= 2


def candidates(lines: List[str]) -> Iterator[List[str]]:
    """Smaller variants of a module's lines, biggest cuts first."""
    yield from _runs_of_statements(lines)
    for i, line in enumerate(lines):
        if not line.strip() or line.startswith(("import", "def f(")):
            continue
        end = _block_end(lines, i)
        yield _filled(lines[:i] + lines[end:])
        if line.rstrip().endswith(":") and line.startswith(" "):  # the block without its header
            body = [ln[4:] for ln in lines[i + 1 : end]]
            yield _filled(lines[:i] + body + lines[end:])
        match = re.match(r"(\s*return )(.*)$", line)
        if match:
            terms = _split_terms(match.group(2))
            for k in range(len(terms)):
                if len(terms) > 1:
                    yield [*lines[:i], match.group(1) + " + ".join(terms[:k] + terms[k + 1 :]), *lines[i + 1 :]]


def simpler_expressions(source: str) -> Iterator[str]:
    """``source`` with one expression replaced by one of its operands (needs ``ast.unparse``, Python 3.9+)."""
    if not hasattr(ast, "unparse"):
        return
    count = sum(isinstance(node, ast.expr) for node in ast.walk(ast.parse(source)))
    for position in range(count):
        tree = ast.parse(source)
        node = [n for n in ast.walk(tree) if isinstance(n, ast.expr)][position]
        for child in [c for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr)]:
            _Replace(node, child).visit(tree)
            yield ast.unparse(tree) + "\n"
            _Replace(child, node).visit(tree)


class _Replace(ast.NodeTransformer):
    def __init__(self, old: ast.AST, new: ast.AST) -> None:
        self.old, self.new = old, new

    def visit(self, node: ast.AST) -> ast.AST:
        return self.new if node is self.old else super().visit(node)


def failure(source: str, args: list, wrt: tuple, optimize: bool, directory: str, timeout: float) -> Optional[str]:
    """The outcome of ``source`` at ``args`` (with the exception type for a crash), or None if not a failure."""
    try:
        f = load(source, directory, f"fuzz_reduce_{next(_names)}").f
        if not value_ok(evaluate(f, args)):
            return None
    except (Exception, Hang):
        return None
    outcome, detail = outcome_at(f, args, wrt, optimize, timeout)
    if outcome in ("ok", "rejected", "skipped"):
        return None
    return f"{outcome}: {detail.split(':')[0]}" if outcome == "crash" else outcome


def reduce_source(source: str, still_fails: Callable[[str], bool]) -> str:
    """Apply candidate cuts while ``still_fails``, until none applies."""
    lines = source.rstrip("\n").split("\n")
    changed = True
    while changed:
        changed = False
        for candidate in candidates(lines):
            if still_fails("\n".join(candidate) + "\n"):
                lines, changed = candidate, True
                break
        if not changed:
            for text in simpler_expressions("\n".join(lines) + "\n"):
                if still_fails(text):
                    lines, changed = text.rstrip("\n").split("\n"), True
                    break
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.reduce", description=__doc__)
    parser.add_argument("repro", help="a file saved by python -m tests.fuzz")
    parser.add_argument("--timeout", type=float, default=10.0)
    options = parser.parse_args(argv)
    with open(options.repro) as handle:
        text = handle.read()
    header_end = text.index('"""\n', 3) + 4
    source = text[header_end : text.index(_MARK)] + "\n"
    directory = tempfile.mkdtemp(prefix="s2sgrad-reduce-")
    saved = load(text, directory, "fuzz_reduce_input")
    args, wrt, optimize = saved.ARGS, tuple(saved.WRT), saved.OPTIMIZE

    def outcome(candidate: str) -> Optional[str]:
        return failure(
            candidate,
            [numpy.copy(a) if isinstance(a, numpy.ndarray) else a for a in args],
            wrt,
            optimize,
            directory,
            options.timeout,
        )

    # The saved outcome, not one found again here: a slow compilation must not turn into a "hang".
    saved_outcome = re.match(r'"""fuzz failure: (\w+) -- (\w*)', text)
    target = saved_outcome.group(1) + (f": {saved_outcome.group(2)}" if saved_outcome.group(1) == "crash" else "")
    now = outcome(source)
    if now != target:
        print(f"the saved program gives {now or 'no failure'} here, not {target} (fixed already?)")
        return 1
    reduced = reduce_source(source, lambda candidate: outcome(candidate) == target)
    out = options.repro[:-3] + ".min.py"
    with open(out, "w") as handle:
        handle.write(
            f'"""reduced: {target}"""\n'
            + reduced
            + REPRO_MAIN.format(args=",\n    ".join(literal(a) for a in args), wrt=wrt, optimize=optimize)
        )
    print(f"# {target}\n{reduced}# written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
