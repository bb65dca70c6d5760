"""Running many programs in a process pool, counting outcomes and saving each failure as a standalone repro."""

import collections
import multiprocessing
import os
import pprint
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy

from .check import FAILURES, OUTCOMES, Result, check

# A worker imports each program as a module; replacing workers now and then keeps memory bounded.
TASKS_PER_WORKER = 200
# Outcomes whose messages are worth counting (a wrong number's details differ program by program).
COUNTED_MESSAGES = ("rejected", "crash", "hang", "skipped", "invalid")
# The parent's own watchdog, for a hang the worker's timer cannot interrupt (inside C code).
STALL_SECONDS = 120.0


@dataclass
class Summary:
    """Counts per family and outcome, the messages behind them, and the failures themselves."""

    counts: Dict[str, collections.Counter] = field(default_factory=dict)
    messages: Dict[str, collections.Counter] = field(
        default_factory=lambda: collections.defaultdict(collections.Counter)
    )
    failures: List[Result] = field(default_factory=list)
    seconds: float = 0.0
    stalled: List[Tuple[str, int]] = field(default_factory=list)

    def add(self, family: str, result: Result) -> None:
        self.counts.setdefault(family, collections.Counter())[result.outcome] += 1
        if result.outcome in COUNTED_MESSAGES:
            self.messages[result.outcome][result.detail] += 1
        if result.outcome in FAILURES:
            self.failures.append(result)

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.counts.values())

    def report(self, top: int = 8) -> str:
        lines = [f"{'family':<9}" + "".join(f"{o:>15}" for o in OUTCOMES)]
        for family, counter in self.counts.items():
            lines.append(f"{family:<9}" + "".join(f"{counter[o]:>15}" for o in OUTCOMES))
        lines.append(f"run time {self.seconds:.1f} s")
        for outcome in COUNTED_MESSAGES:
            if self.messages.get(outcome):
                lines.append(f"\n{outcome} (top messages):")
                lines += [f"  {n:5}  {m}" for m, n in self.messages[outcome].most_common(top)]
        if self.stalled:
            lines.append(f"\nprograms never answered (worker stuck): {self.stalled}")
        return "\n".join(lines)


def _task(task: Tuple[str, int, int, float, str]) -> Tuple[str, Result]:
    family, seed, index, timeout, directory = task
    return family, check(family, seed, index, directory, timeout)


def run(
    families: Sequence[str],
    programs: int,
    seed: int = 0,
    jobs: Optional[int] = None,
    timeout: float = 10.0,
    failures_dir: Optional[str] = None,
    progress: bool = False,
) -> Summary:
    """Check ``programs`` programs of each family on ``jobs`` processes; save failures to ``failures_dir``."""
    summary = Summary()
    start = time.monotonic()
    directory = tempfile.mkdtemp(prefix="s2sgrad-fuzz-")
    tasks = [(family, seed, i, timeout, directory) for family in families for i in range(programs)]
    pending = {(t[0], t[2]) for t in tasks}
    context = multiprocessing.get_context("fork")
    pool = context.Pool(jobs or os.cpu_count(), maxtasksperchild=TASKS_PER_WORKER)
    try:
        results = pool.imap_unordered(_task, tasks)  # chunksize 1: only then has it next(timeout)
        for done in range(1, len(tasks) + 1):
            try:
                family, result = results.next(timeout=STALL_SECONDS)
            except multiprocessing.TimeoutError:
                summary.stalled = sorted(pending)
                break
            pending.discard((family, result.program.index))
            summary.add(family, result)
            if failures_dir and result.outcome in FAILURES:
                save_failure(result, failures_dir)  # as they come: a long run can be read while it goes
            if progress and done % 500 == 0:
                failed = sum(summary.total(o) for o in FAILURES)
                print(f"{done}/{len(tasks)} programs, {failed} failures", file=sys.stderr, flush=True)
    finally:
        pool.terminate()
        shutil.rmtree(directory, ignore_errors=True)
    summary.seconds = time.monotonic() - start
    return summary


def save_failure(result: Result, directory: str) -> str:
    """Write ``result`` as ``<family>-<index>.py``: the program, its arguments and a check that runs alone."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, f"{result.program.family}-{result.program.index:05}.py")
    with open(path, "w") as handle:
        handle.write(repro(result))
    return path


def literal(value: object) -> str:
    if isinstance(value, numpy.ndarray):
        return f"np.array({value.tolist()!r})"
    return repr(value)


def repro(result: Result) -> str:
    """A standalone script: the program's module, then its arguments and the comparison that failed."""
    program = result.program
    args = ",\n    ".join(literal(a) for a in result.args)
    header = (
        f'"""fuzz failure: {result.outcome} -- {result.detail}\n'
        f"family {program.family}, seed {program.seed}, program {program.index}, "
        f'optimize={result.optimize}\n"""\n'
    )
    return (
        header
        + program.source
        + REPRO_MAIN.format(args=args, wrt=pprint.pformat(program.wrt), optimize=result.optimize)
    )


REPRO_MAIN = '''

ARGS = [
    {args},
]
WRT = {wrt}
OPTIMIZE = {optimize}


def _fd(args, i, eps=1e-6):
    """Central finite differences of f in argument i (on copies: f may write into its arguments)."""
    import copy

    def at(k, step):
        moved = copy.deepcopy(args)
        if np.ndim(moved[i]) == 0:
            moved[i] = moved[i] + step
        else:
            moved[i].flat[k] += step
        return f(*moved)

    size = np.size(args[i])
    grad = np.array([(at(k, eps) - at(k, -eps)) / (2 * eps) for k in range(size)])
    return grad.reshape(np.shape(args[i])) if np.ndim(args[i]) else float(grad[0])


if __name__ == "__main__":
    import copy

    import s2sgrad

    caller = copy.deepcopy(ARGS)
    print("f:", f(*copy.deepcopy(ARGS)))
    value, grads = s2sgrad.value_and_grad(f, wrt=WRT, optimize=OPTIMIZE)(*caller)
    print("value_and_grad value:", value)
    for i, g in zip(WRT, grads):
        print(f"d/d arg {{i}}: s2sgrad", np.round(g, 6).tolist(), " fd", np.round(_fd(ARGS, i), 6).tolist())
    changed = [i for i, (a, b) in enumerate(zip(ARGS, caller)) if not np.array_equal(a, b)]
    print("arguments changed by the gradient call:", changed)
'''
