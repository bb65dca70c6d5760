"""Shared pytest setup: the --update-golden flag, the repository paths, and planted gradient bugs.

``pytest --plant-gradient-bug=scale`` (or ``=offset``) perturbs every gradient
that ``s2sgrad.value_and_grad`` returns: scaled by 1 + 1e-6, or offset by 1e-7
of the gradient's largest element. Every ``check_grad`` call should then fail;
the summary line says how many did.
"""

import pathlib
import sys
from typing import Any, Callable

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # so tests can import gradcheck and rule_specs

import gradcheck  # noqa: E402  (needs the path above)

import s2sgrad  # noqa: E402

PLANTED = {"calls": 0, "caught": 0, "missed": []}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden/ from the current output")
    parser.addoption(
        "--plant-gradient-bug",
        choices=("scale", "offset"),
        help="perturb every gradient s2sgrad returns (x (1 + 1e-6), or + 1e-7 of its scale) and count the checks "
        "that catch it",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return request.config.getoption("--update-golden")


def pytest_configure(config: pytest.Config) -> None:
    bug = config.getoption("--plant-gradient-bug")
    if bug:
        # before the test modules import check_grad from gradcheck
        s2sgrad.value_and_grad = gradcheck.planted(s2sgrad.value_and_grad, bug)
        gradcheck.check_grad = _counted(gradcheck.check_grad)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if config.getoption("--plant-gradient-bug"):
        terminalreporter.write_line(
            f"planted {config.getoption('--plant-gradient-bug')} bug: caught by {PLANTED['caught']} "
            f"of {PLANTED['calls']} check_grad calls; missed in: {', '.join(PLANTED['missed']) or 'none'}"
        )


def _counted(check_grad: Callable) -> Callable:
    def counted_check_grad(*args: Any, **kwargs: Any) -> None:
        PLANTED["calls"] += 1
        try:
            check_grad(*args, **kwargs)
        except AssertionError:
            PLANTED["caught"] += 1
            raise
        PLANTED["missed"].append(getattr(args[0], "__name__", repr(args[0])))

    return counted_check_grad
