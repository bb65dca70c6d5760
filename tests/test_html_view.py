"""s2sgrad.html_view and ``s2sgrad show --html``: the page parses and its lines link both ways."""

import ast
import functools
import html.parser
import importlib.util
import linecache
import pathlib
import re
import subprocess
import sys
import types
from typing import Dict, List

import numpy as np
import pytest
from golden_cases import golden_cases

import s2sgrad

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))
sys.path.insert(0, str(ROOT / "tests" / "cases"))
import helper_call  # noqa: E402  (tests/cases/ and examples/ are not packages)
import range_loop  # noqa: E402
import seed  # noqa: E402

VOID = {"meta", "br", "hr", "img", "link", "input"}
COMMENT = re.compile(r"^\s*# (.*)  \(([^()]+):(\d+)\)$")


class Page(html.parser.HTMLParser):
    """The page's ``div.line`` rows by id: attributes, links, text; fails unless tags nest properly."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.open: List[str] = []
        self.rows: Dict[str, dict] = {}
        self.order: List[str] = []
        self.row = None
        self.row_depth = 0
        self.feed(text)
        self.close()
        assert self.open == [], f"unclosed tags: {self.open}"

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag in VOID:
            return
        self.open.append(tag)
        if tag == "div" and "line" in attributes.get("class", "").split():
            self.row = {"attrs": attributes, "links": [], "text": ""}
            self.row_depth = len(self.open)
            if "id" in attributes:
                assert attributes["id"] not in self.rows, f"duplicate id {attributes['id']}"
                self.rows[attributes["id"]] = self.row
                self.order.append(attributes["id"])
        elif tag == "a" and self.row is not None:
            self.row["links"].append(attributes["href"])

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
        if len(self.open) == self.row_depth:
            self.row = None
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.row is not None:
            self.row["text"] += data


def user_text(row: dict) -> str:
    """A row's code, without the gutter's numbers and arrows."""
    return re.sub(r"^[\d→←]+", "", row["text"]).strip()


def check_links_both_ways(page_text: str, generated: str) -> int:
    """Every generated line after a ``# line  (file:N)`` comment links to the user line with that text, and back.

    The expected origin is read from the generated text's own comments here, line by line, not from the
    page; returns how many generated lines were checked.
    """
    page = Page(page_text)
    expected = None  # (comment text, indentation) of the latest origin comment at this or an outer indentation
    stack: List[tuple] = []
    checked = 0
    for number, line in enumerate(generated.splitlines(), start=1):
        row = page.rows[f"g{number}"]
        indent = len(line) - len(line.lstrip())
        while stack and stack[-1][1] > indent:
            stack.pop()
        comment = COMMENT.match(line)
        if not line.strip() or comment or line.strip().endswith(" sweep") or line.lstrip().startswith("def "):
            if comment:
                stack = [s for s in stack if s[1] < indent] + [(comment.group(1).strip(), indent)]
            if line.lstrip().startswith("def "):
                stack = []
            continue
        expected = stack[-1][0] if stack else None
        if expected is None:
            assert not row["links"], f"generated line {number} links but comes from no user line"
            continue
        (target,) = row["links"]
        user_row = page.rows[target.lstrip("#")]
        assert user_text(user_row) == expected, (number, line, user_row["text"])
        assert row["attrs"]["data-k"] == user_row["attrs"]["data-k"]  # hovering lights both
        # back: the user line links to the first line of the run of generated lines this one is in
        starts = [int(link[2:]) for link in user_row["links"]]
        start = max(s for s in starts if s <= number)
        run = [page.rows[f"g{n}"]["attrs"].get("data-k") for n in range(start, number + 1)]
        assert all(k in (None, row["attrs"]["data-k"]) for k in run), (number, start, run)
        checked += 1
    return checked


def test_the_seed_page_links_its_return_line_to_both_adjoints():
    page_text = s2sgrad.html_view(seed.f, wrt=("x", "y"))
    generated = s2sgrad.source(seed.f, wrt=("x", "y"))
    assert check_links_both_ways(page_text, generated) == 3  # d_x = ..., d_y = ..., return d_x, d_y
    page = Page(page_text)
    (user_line,) = [r for r in page.rows.values() if user_text(r) == "return x**2 + y**2"]
    assert user_line["attrs"]["id"] == "u0-8"  # seed.py line 8
    if importlib.util.find_spec("pygments"):
        assert 'class="k"' in page_text  # Pygments coloured the keywords


def test_callees_forward_and_backward_halves_link_to_the_callees_lines():
    page_text = s2sgrad.html_view(helper_call.loss, wrt="w")
    generated = s2sgrad.source(helper_call.loss, wrt="w")
    assert "def forward_predict" in generated and "def backward_penalty" in generated
    assert check_links_both_ways(page_text, generated) >= 12
    page = Page(page_text)
    predict_line = page.rows["u0-9"]  # helper_call.py:9, in predict
    assert user_text(predict_line) == "return np.tanh(X @ w)"
    halves = [page.rows[link[1:]] for link in predict_line["links"]]
    assert [h["attrs"]["class"] for h in halves] == ["line forward", "line reverse"]


def test_a_loop_shows_its_sweeps_and_storage_report():
    args = (1.5, 4)
    page_text = s2sgrad.html_view(range_loop.f, args=args)
    assert check_links_both_ways(page_text, s2sgrad.source(range_loop.f, args=args)) >= 8
    assert "Storage report" in page_text and "pushed before each overwrite" in page_text


def test_forward_mode_and_the_page_needs_no_network():
    page_text = s2sgrad.html_view(seed.f, wrt=("x", "y"), mode="forward")
    assert check_links_both_ways(page_text, s2sgrad.source(seed.f, wrt=("x", "y"), mode="forward")) >= 1
    assert "Storage report" not in page_text
    assert not re.search(r"(src|href)=\"(https?:)?//", page_text) and "@import" not in page_text


def test_without_pygments_the_page_is_plain_and_still_linked(monkeypatch):
    monkeypatch.setitem(sys.modules, "pygments", None)  # importing it now raises ImportError
    monkeypatch.setitem(sys.modules, "pygments.formatters", None)
    page_text = s2sgrad.html_view(helper_call.loss, wrt="w")
    assert 'class="k"' not in page_text and 'class="n"' not in page_text and ".code .k" not in page_text
    assert check_links_both_ways(page_text, s2sgrad.source(helper_call.loss, wrt="w")) >= 12
    assert "return np.tanh(X @ w)" in page_text


class Model:
    def loss(self, w, scale):
        return scale * np.sum(w * w)


@functools.lru_cache(maxsize=None)
def cached_loss(scale):
    return scale * scale


def test_methods_partials_and_lru_caches_show_their_function():
    cases = (
        (Model().loss, (np.ones(2), 2.0)),
        (functools.partial(Model.loss, Model(), scale=2.0), None),
        (cached_loss, None),
    )
    for func, args in cases:
        page = Page(s2sgrad.html_view(func, args=args))
        text = "return scale * scale" if func is cached_loss else "return scale * np.sum(w * w)"
        assert any(user_text(r) == text and r["links"] for r in page.rows.values())


def show_the_seed_on_the_command_line() -> str:
    """The page of the README's command, ``s2sgrad show --html examples/seed.py:f --wrt x,y``."""
    result = subprocess.run(
        [sys.executable, "-m", "s2sgrad", "show", "--html", "examples/seed.py:f", "--wrt", "x,y"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_show_html_on_the_command_line():
    page_text = show_the_seed_on_the_command_line()
    assert page_text.startswith("<!DOCTYPE html>")
    assert check_links_both_ways(page_text, s2sgrad.source(seed.f, wrt=("x", "y"))) == 3


def test_a_bad_target_is_an_error():
    with pytest.raises(TypeError, match="Python function"):
        s2sgrad.html_view(np.sin)


def test_the_readmes_seed_page_parses_and_links():
    page_text = (ROOT / "docs" / "seed.html").read_text(encoding="utf-8")
    assert check_links_both_ways(page_text, s2sgrad.source(seed.f, wrt=("x", "y"))) == 3


class Uncoloured(html.parser.HTMLParser):
    """A page as a list of tags (with attributes) and texts, Pygments' colouring set aside: its ``<span>``s (the
    page's own spans have no class or class "gutter") and the stylesheet, which its version or absence changes."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.items: list = []
        self.kept_spans: List[bool] = []
        self.in_style = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.in_style = tag == "style"
        if tag == "span":
            self.kept_spans.append(dict(attrs).get("class") in (None, "gutter"))
            if not self.kept_spans[-1]:
                return
        self.items.append(("<", tag, attrs))

    def handle_endtag(self, tag):
        self.in_style = False
        if tag != "span" or self.kept_spans.pop():
            self.items.append((">", tag))

    def handle_data(self, data):
        if self.in_style:
            return
        if self.items and self.items[-1][0] == "text":
            data = self.items.pop()[1] + data  # text split by a colouring span is one text
        self.items.append(("text", data))


@pytest.mark.skipif(
    not hasattr(ast, "unparse"), reason="the page shows ast.unparse's text; astunparse (Python 3.8) quotes differently"
)
def test_the_readmes_seed_page_is_what_the_command_writes_now():
    page_text = show_the_seed_on_the_command_line()
    committed = (ROOT / "docs" / "seed.html").read_text(encoding="utf-8")
    stale = "docs/seed.html is out of date: rewrite it with the README's command (s2sgrad show --html ...)"
    # the same page but for Pygments' colours and escaping, which differ between its versions (or without it)
    assert Uncoloured(page_text).items == Uncoloured(committed).items, stale


def test_the_comparison_of_pages_sets_aside_only_pygments_colours(monkeypatch):
    coloured = s2sgrad.html_view(seed.f, wrt=("x", "y"))
    monkeypatch.setitem(sys.modules, "pygments", None)
    monkeypatch.setitem(sys.modules, "pygments.formatters", None)
    plain = s2sgrad.html_view(seed.f, wrt=("x", "y"))
    assert Uncoloured(plain).items == Uncoloured(coloured).items
    other = s2sgrad.html_view(seed.f, wrt=("x",))
    assert Uncoloured(plain).items != Uncoloured(other).items


CASES = golden_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_golden_case_links_every_generated_line_both_ways(case):
    for mode in ("reverse", "forward"):
        page_text = s2sgrad.html_view(case.func, case.wrt_spec, mode, args=case.args)
        assert check_links_both_ways(page_text, s2sgrad.source(case.func, case.wrt_spec, mode, args=case.args)) > 0


def test_a_source_file_edited_elsewhere_so_it_no_longer_parses_shows_just_the_lines_named(tmp_path):
    path = tmp_path / "broken_since.py"
    text = "import numpy as np\n\n\ndef f(x):\n    y = np.sin(x)\n    return y * x\n"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path.write_text(text + "\n\ndef g(:\n")  # edited after importing: f is intact, the file no longer parses
    linecache.checkcache(str(path))
    page = Page(s2sgrad.html_view(module.f))
    user_rows = [page.rows[key] for key in page.order if key.startswith("u")]
    # just the lines named (the two the generated code comes from have ids), not the whole function around them
    assert [user_text(r) for r in user_rows] == ["y = np.sin(x)", "return y * x"]


def test_a_file_dropping_out_of_linecache_while_the_page_is_drawn_leaves_out_its_panel(monkeypatch):
    # source() has read the function already; if its file then drops out of linecache, the page has no panel for it
    html_view_module = sys.modules["s2sgrad.tools.html_view"]
    gone = seed.f.__code__.co_filename
    reader = types.SimpleNamespace(getlines=lambda name: [] if name == gone else linecache.getlines(name))
    monkeypatch.setattr(html_view_module, "linecache", reader)
    page = Page(s2sgrad.html_view(seed.f))
    assert not [key for key in page.order if key.startswith("u")]  # no user rows
    assert [key for key in page.order if key.startswith("g")]  # the generated code is still shown
