"""Mutation testing of s2sgrad/rules, s2sgrad/transform and s2sgrad/optimize.

Each mutant is one small edit of the source: an operator swapped (``+``/``-``,
``*``/``/``, ``<``/``<=``, ``==``/``!=``, ``and``/``or``, ``is``/``is not``,
``in``/``not in``, ``+=``/``-=``), a constant changed (``n`` -> ``n + 1``,
``True``/``False``, ``None`` kept), a condition negated (``if``/``while``/
``assert``/ternary), or a statement replaced by ``pass``. It runs against the
tests that exercise its line, in a copy of the repository, with a timeout; it
is *killed* when a test fails (or times out) and *survives* otherwise.

Which tests: for rule templates (parsed, never run, so coverage cannot see
them) the rule specs of the callable in the ``@adjoint(...)`` decorator, in reverse
and forward mode (a template's ``t[y] = ...`` line is its tangent), plus the
user-rule and program tests of that callable (the Hessian tests for a
``@tangent`` template of a helper); for everything else the tests that coverage
recorded on the line (``--contexts``: a ``.coverage`` file written by
``pytest --cov=s2sgrad --cov-context=test``), or the whole suite without it.
A line that many tests run gets an even spread of 80 of them; a mutant that
survives those is run against all of them before it counts as a survivor.

Usage (from the repository root)::

    PYTHONPATH=$PWD python -m pytest -q --cov=s2sgrad --cov-context=test --cov-report=   # writes .coverage
    python tools/mutate.py --contexts .coverage --sample 400 --budget 3000 --out mutants.txt
    python tools/mutate.py --contexts .coverage --only s2sgrad/rules/numpy_arrays.py:120   # the mutants of one line
    python tools/mutate.py --contexts .coverage --only s2sgrad/rules/numpy_arrays.py:120 --also tests/test_new.py
    python tools/mutate.py --contexts .coverage --sample 400 --skip 200 --out more.txt   # a second process's share

The coverage file may come from another checkout of the same code: its files are matched from
their ``s2sgrad/`` part on.
The report lists each survivor as ``file:line: description``; the score is
killed / (killed + survived) over the mutants run.
"""

import argparse
import ast
import copy
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Tuple

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ("s2sgrad/rules", "s2sgrad/transform", "s2sgrad/optimize")
SWAPS = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv,
    ast.Pow: ast.Mult,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.And: ast.Or,
    ast.Or: ast.And,
    ast.USub: ast.UAdd,
}
# -k applies to these too (test_nested_transforms: s2sgrad.jvp's rule, which no spec can call)
RULE_TESTS = [
    "tests/test_forward.py",
    "tests/test_user_rules.py",
    "tests/test_programs.py",
    "tests/test_nested_transforms.py",
]
NO_TESTS_COLLECTED = 5  # pytest's exit code: not a failure
MAX_TESTS = 80  # per mutant, so that a timeout means a mutant that hangs, not a long list of tests


@dataclass(frozen=True)
class Mutant:
    path: str  # relative to the repository root
    line: int
    col: int
    end_line: int
    end_col: int
    replacement: str
    description: str
    rule: Optional[str]  # the callables' names as a -k expression, for a mutant inside a rule template

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def mutants_of(path: Path) -> Iterator[Mutant]:
    """Every mutant of one source file."""
    source = path.read_text()
    tree = ast.parse(source)
    skipped = {id(n.body[0].value) for n in ast.walk(tree) if _has_docstring(n)} | _final_none_returns(tree)
    rules = _rule_templates(tree)
    relative = str(path.relative_to(ROOT))
    for node in ast.walk(tree):
        if id(node) in skipped or not hasattr(node, "lineno"):
            continue
        rule = next((name for (start, end), name in rules.items() if start <= node.lineno <= end), None)
        for span, replacement, description in _edits(node):
            yield Mutant(
                relative,
                span.lineno,
                span.col_offset,
                span.end_lineno,
                span.end_col_offset,
                replacement,
                description,
                rule,
            )


def _has_docstring(node: ast.AST) -> bool:
    body = getattr(node, "body", None)
    return (
        isinstance(body, list)
        and bool(body)
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    )


def _rule_templates(tree: ast.Module) -> Dict[Tuple[int, int], str]:
    """``(first line, last line) -> "name or name"`` of each ``@adjoint(callable, ...)`` template (for ``-k``).

    A ``@tangent(helper, ...)`` template (rules/generated_code.py) is the tangent of a helper that generated
    gradients call: forward mode runs it only over a gradient, in the Hessian tests.
    """
    spans = {}
    for node in tree.body:
        for decorator in getattr(node, "decorator_list", []):
            kind = getattr(getattr(decorator, "func", None), "id", "")
            if isinstance(decorator, ast.Call) and kind in ("adjoint", "tangent") and decorator.args:
                names = [getattr(t, "attr", None) or getattr(t, "id", None) for t in decorator.args]
                names = (["hessian"] if kind == "tangent" else []) + [n for n in names if n]
                spans[(node.lineno, node.end_lineno)] = " or ".join(names)
    return spans


Edit = Tuple[ast.AST, str, str]  # the node whose source span is replaced, its replacement, a description
DROPPABLE = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Raise, ast.Continue, ast.Break)


def _edits(node: ast.AST) -> Iterator[Edit]:
    """Each mutation of ``node`` itself."""
    if isinstance(node, (ast.BinOp, ast.AugAssign, ast.UnaryOp, ast.BoolOp)) and type(node.op) in SWAPS:
        new = copy.deepcopy(node)
        new.op = SWAPS[type(node.op)]()
        yield node, _text(new), f"{type(node.op).__name__} -> {SWAPS[type(node.op)].__name__}"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield node, _text(node.operand), "not dropped"
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in SWAPS:
                new = copy.deepcopy(node)
                new.ops[i] = SWAPS[type(op)]()
                yield node, _text(new), f"{type(op).__name__} -> {SWAPS[type(op)].__name__}"
    if isinstance(node, ast.Constant) and not isinstance(node.value, str):
        changed = _changed_constant(node.value)
        if changed is not None:
            yield node, repr(changed), f"constant {node.value!r} -> {changed!r}"
    if isinstance(node, (ast.If, ast.While, ast.IfExp, ast.Assert)):
        # only the test's span is replaced, so the body keeps its text and indentation
        yield node.test, f"(not ({ast.unparse(node.test)}))", "condition negated"
    if isinstance(node, DROPPABLE) and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
        yield node, "pass", f"{type(node).__name__} dropped"


def _final_none_returns(tree: ast.Module) -> Set[int]:
    """``return`` / ``return None`` ending a function: dropping one is an equivalent mutant."""
    finals = (f.body[-1] for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)))
    return {
        id(s) for s in finals if isinstance(s, ast.Return) and (s.value is None or getattr(s.value, "value", 0) is None)
    }


def _changed_constant(value: object) -> object:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value * 2 if value else 1.0
    return None


def _text(node: ast.AST) -> str:
    return f"({ast.unparse(node)})" if isinstance(node, ast.expr) else ast.unparse(node)


def apply(source: str, mutant: Mutant) -> str:
    """``source`` with ``mutant``'s span replaced."""
    lines = source.splitlines(True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line.encode()))
    data = source.encode()
    start = offsets[mutant.line - 1] + mutant.col
    end = offsets[mutant.end_line - 1] + mutant.end_col
    return (data[:start] + mutant.replacement.encode() + data[end:]).decode()


def all_mutants() -> List[Mutant]:
    found = []
    for target in TARGETS:
        for path in sorted((ROOT / target).glob("*.py")):
            found.extend(mutants_of(path))
    return found


def selected(mutant: Mutant, only: str) -> bool:
    """``--only``: a part of the path (``rules/numpy``), or a part and a line (``rules/numpy.py:120``)."""
    path, _, line = only.rpartition(":")
    if path and line.isdigit():
        return path in mutant.path and mutant.line <= int(line) <= mutant.end_line
    return only in mutant.path


def drawn(mutants: List[Mutant], sample: Optional[int], seed: int) -> List[Mutant]:
    """``sample`` of ``mutants`` in a random order; any stretch of that order is itself a uniform random sample."""
    if sample is None or sample >= len(mutants):
        return mutants
    return random.Random(seed).sample(mutants, sample)


def covering_tests(contexts: Optional[Path]) -> Dict[Tuple[str, int], Set[str]]:
    """``(path, line) -> test node ids`` from a coverage file recorded with ``--cov-context=test``."""
    if contexts is None:
        return {}
    from coverage import CoverageData

    data = CoverageData(str(contexts))
    data.read()
    found = {}
    for filename in data.measured_files():
        relative = _package_relative(filename)
        if relative is None or not relative.startswith(TARGETS):
            continue
        for line, names in data.contexts_by_lineno(filename).items():
            found[(relative, line)] = {n.rsplit("|", 1)[0] for n in names if n}
    # lines run only at import (class bodies, defaults, decorators) have no test context: any test may read them
    every = set().union(*found.values())
    return {key: tests or every for key, tests in found.items()}


def _package_relative(filename: str) -> Optional[str]:
    """``.../s2sgrad/rules/x.py`` -> ``s2sgrad/rules/x.py``: the coverage file may come from another checkout."""
    parts = Path(filename).parts
    starts = [i for i, part in enumerate(parts[:-1]) if part == "s2sgrad"]
    return "/".join(parts[starts[-1] :]) if starts else None


def tests_for(mutant: Mutant, coverage: Dict[Tuple[str, int], Set[str]], limit: Optional[int] = MAX_TESTS) -> List[str]:
    if mutant.rule is not None:
        return ["tests/test_rules.py", "-k", mutant.rule, *RULE_TESTS]
    if not coverage:
        return ["tests"]
    tests: Set[str] = set()
    for line in range(mutant.line, mutant.end_line + 1):
        tests |= coverage.get((mutant.path, line), set())
    ordered = sorted(tests)
    # a line that hundreds of tests run is on a main path: an even spread of them finds a change there
    if limit is None:
        return ordered
    stride = max(1, len(ordered) // limit + (len(ordered) % limit > 0))
    return ordered[::stride]


def run(mutant: Mutant, tests: List[str], workdir: Path, timeout: float) -> str:
    """'killed', 'survived' or 'timeout' (a kill: the tests did not pass)."""
    if not tests:
        return "uncovered"
    target = workdir / mutant.path
    original = target.read_text()
    target.write_text(apply(original, mutant))
    try:
        command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *tests]
        result = subprocess.run(command, cwd=workdir, capture_output=True, timeout=timeout, env=_env(workdir))
        if result.returncode == NO_TESTS_COLLECTED:
            return "uncovered"
        return "survived" if result.returncode == 0 else "killed"
    except subprocess.TimeoutExpired:
        return "timeout"
    finally:
        target.write_text(original)


def _confirmed(mutant: Mutant, tests: List[str], workdir: Path, timeout: float) -> str:
    """A survivor of a sample of its tests, run against all of them: 'killed' or 'survived'.

    With a longer timeout (there are more tests), and a timeout here is no kill: it may be only the tests' time.
    """
    return "killed" if run(mutant, tests, workdir, timeout * 5) == "killed" else "survived"


def _env(workdir: Path) -> dict:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(workdir)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # a mutant's .pyc must not outlive it
    return env


def copy_repository(into: Path) -> Path:
    workdir = into / "repo"
    ignore = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.pyc", ".coverage*", "mutants*.txt")
    shutil.copytree(ROOT, workdir, ignore=ignore)
    return workdir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contexts", type=Path, help="a .coverage file recorded with --cov-context=test")
    parser.add_argument("--sample", type=int, help="run this many mutants, drawn at random")
    parser.add_argument("--seed", type=int, default=0, help="of the random sample (another seed, other mutants)")
    parser.add_argument("--only", help="only mutants whose path contains this; with :LINE, only those on that line")
    parser.add_argument(
        "--skip",
        type=int,
        default=0,
        help="leave out the first SKIP mutants of the sample (run by another process, or by a run that stopped)",
    )
    parser.add_argument(
        "--also",
        nargs="+",
        default=[],
        help="tests run for every mutant besides its own (new tests, which the coverage file does not know yet)",
    )
    parser.add_argument("--budget", type=float, default=float("inf"), help="stop after this many seconds")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per mutant")
    parser.add_argument("--out", type=Path, default=Path("mutants.txt"))
    args = parser.parse_args()
    mutants = [m for m in all_mutants() if args.only is None or selected(m, args.only)]
    total = len(mutants)
    mutants = drawn(mutants, args.sample, args.seed)[args.skip :]
    coverage = covering_tests(args.contexts)
    start = time.monotonic()
    outcomes: Dict[str, List[Mutant]] = {}
    with tempfile.TemporaryDirectory() as scratch, args.out.open("w") as out:
        workdir = copy_repository(Path(scratch))
        out.write(f"# {total} mutants, running {len(mutants)} (seed {args.seed})\n")
        for mutant in mutants:
            if time.monotonic() - start > args.budget:
                break
            outcome = run(mutant, tests_for(mutant, coverage) + args.also, workdir, args.timeout)
            if outcome == "survived" and len(tests_for(mutant, coverage, None)) > MAX_TESTS:
                outcome = _confirmed(mutant, tests_for(mutant, coverage, None) + args.also, workdir, args.timeout)
            outcomes.setdefault(outcome, []).append(mutant)
            out.write(f"{outcome}\t{mutant.where}\t{mutant.description}\t{mutant.replacement[:80]!r}\n")
            out.flush()
        summary = _summary(outcomes, time.monotonic() - start)
        out.write(summary + "\n")
    print(summary)


def _summary(outcomes: Dict[str, List[Mutant]], seconds: float) -> str:
    counts = {k: len(v) for k, v in outcomes.items()}
    killed = counts.get("killed", 0) + counts.get("timeout", 0)
    alive = counts.get("survived", 0) + counts.get("uncovered", 0)
    score = killed / (killed + alive) if killed + alive else 0.0
    return f"# {counts} score {score:.1%} ({killed} of {killed + alive}) in {seconds:.0f} s"


if __name__ == "__main__":
    main()
