"""Golden cases: the functions whose generated source is pinned in golden/.

A case is a module (in tests/cases/ or examples/) with a header line
``# golden: FUNC wrt=a,b args=EXPR``; EXPR is evaluated in the module's namespace.
A case written in newer syntax ends its header with ``python=3.10``: older Pythons
cannot import it, and leave it out.
An example whose gradient is of a bound method (the golden runner calls module
functions) says ``# golden: none (why)`` instead; tests/test_examples.py checks it.
"""

import importlib.util
import pathlib
import re
import sys
from dataclasses import dataclass
from typing import Any, Callable, List, Tuple

ROOT = pathlib.Path(__file__).resolve().parent.parent
HEADER = re.compile(r"^# golden: (\w+) wrt=([\w,]+) args=(.*?)(?: python=(\d+)\.(\d+))?$", re.MULTILINE)
NO_CASE = re.compile(r"^# golden: none \(.+\)$", re.MULTILINE)


@dataclass
class GoldenCase:
    name: str
    module_path: pathlib.Path
    func: Callable
    wrt: Tuple[str, ...]
    args: Tuple[Any, ...]
    namespace: dict

    @property
    def golden_path(self) -> pathlib.Path:
        return self.golden_path_for("reverse")

    def golden_path_for(self, mode: str) -> pathlib.Path:
        return ROOT / "golden" / mode / f"{self.name}.py"

    @property
    def wrt_spec(self) -> Any:
        return self.wrt if len(self.wrt) > 1 else self.wrt[0]


def load_module(path: pathlib.Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"golden_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def golden_cases() -> List[GoldenCase]:
    paths = sorted((ROOT / "examples").glob("*.py")) + sorted((ROOT / "tests" / "cases").glob("*.py"))
    cases = []
    for path in paths:
        text = path.read_text()
        if NO_CASE.search(text):
            continue
        match = HEADER.search(text)
        if match is None:
            raise ValueError(f"{path}: no '# golden: FUNC wrt=... args=...' header (every case file needs one)")
        func_name, wrt, args, major, minor = match.groups()
        if major is not None and sys.version_info < (int(major), int(minor)):
            continue
        module = load_module(path)
        cases.append(
            GoldenCase(
                path.stem,
                path,
                getattr(module, func_name),
                tuple(wrt.split(",")),
                eval(args, vars(module)),
                vars(module),
            )
        )
    return cases
