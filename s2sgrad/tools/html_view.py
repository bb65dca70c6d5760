"""One self-contained HTML page: the user's code beside its generated derivative, lines linked both ways.

``s2sgrad show --html FILE.py:FUNC > out.html`` writes it. The left column shows
the user's function and each function it calls whose derivative was generated
(``forward_h``/``backward_h``); the right one the generated code, its forward
and reverse sweeps tinted apart. Every generated line that comes from a user
line links to it (the line number in its gutter), and every such user line
links to each run of generated lines made from it; hovering a line lights up
its partners. The storage report follows. Pygments colours the code when it is
installed; without it the code is plain. No script, style or font is fetched.
"""

import ast
import html
import linecache
import os
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from .. import source_map
from ..api import _target, source

_REPORT_HEADER = "\n# storage report"

_CSS = """
body { font-family: sans-serif; margin: 1em; }
.columns { display: flex; gap: 1.5em; align-items: flex-start; }
.column { flex: 1; min-width: 0; }
.code { font-family: monospace; font-size: 13px; border: 1px solid #ccc; padding: 0.3em 0; overflow-x: auto; }
.line { display: flex; white-space: pre; }
.gutter { flex: none; width: 9em; color: #888; text-align: right; padding-right: 0.8em; user-select: none; }
.gutter a { color: #36c; text-decoration: none; margin-left: 0.3em; }
.forward { background: #f3f8ff; }
.reverse { background: #fff6ee; }
.file { color: #555; margin: 0.6em 0 0.2em; }
.hot, .line:target { background: #fde98a; }
pre.report { background: #f6f6f6; padding: 0.5em; }
"""

# Hovering a line lights up every line with the same data-k: the user line and its generated lines.
_JS = """
document.querySelectorAll('.line[data-k]').forEach(function (line) {
  var mates = document.querySelectorAll('.line[data-k="' + line.dataset.k + '"]');
  line.addEventListener('mouseenter', function () { mates.forEach(function (m) { m.classList.add('hot'); }); });
  line.addEventListener('mouseleave', function () { mates.forEach(function (m) { m.classList.remove('hot'); }); });
});
"""

UserLine = Tuple[str, int]  # (file name, line)


def html_view(
    func: Callable,
    wrt: Any = 0,
    mode: str = "reverse",
    *,
    args: Optional[Sequence[Any]] = None,
    optimize: bool = True,
) -> str:
    """The HTML page showing ``func`` beside ``source(func, wrt, mode, ...)``; arguments as for ``source``."""
    full = source(func, wrt=wrt, mode=mode, args=args, optimize=optimize, report=mode == "reverse")
    text, _, report = full.partition(_REPORT_HEADER)
    function = _target(func).function  # the plain function behind a method, partial or lru_cache: it heads the page
    origins = source_map.origins_of(text, function.__code__.co_filename, function.__name__)
    keys = _keys(origins)
    runs = _runs(origins)
    user = _user_panels(function, sorted({(o.filename, o.line) for o in origins.values()}), keys, runs)
    generated = _generated_panel(text, origins, keys)
    title = html.escape(f"s2sgrad: the {mode}-mode derivative of {function.__name__}")
    report_html = f'<h2>Storage report</h2>\n<pre class="report">{html.escape(report.strip())}</pre>' if report else ""
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n'
        f"<style>{_CSS}{_pygments_css()}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
        f'<div class="columns">\n<div class="column"><h2>Your code</h2>\n{user}</div>\n'
        f'<div class="column"><h2>Generated code</h2>\n{generated}</div>\n</div>\n'
        f"{report_html}\n<script>{_JS}</script>\n</body>\n</html>\n"
    )


def _keys(origins: Dict[int, source_map.Origin]) -> Dict[UserLine, str]:
    """A short id per user line: ``u0-8`` is line 8 of the first file named."""
    files: List[str] = []
    keys: Dict[UserLine, str] = {}
    for origin in origins.values():
        if origin.filename not in files:
            files.append(origin.filename)
        keys[(origin.filename, origin.line)] = f"u{files.index(origin.filename)}-{origin.line}"
    return keys


def _runs(origins: Dict[int, source_map.Origin]) -> Dict[UserLine, List[int]]:
    """For each user line, the first generated line of each run of consecutive lines made from it."""
    runs: Dict[UserLine, List[int]] = {}
    previous = None
    for number in sorted(origins):
        where = (origins[number].filename, origins[number].line)
        if previous != (where, number - 1):
            runs.setdefault(where, []).append(number)
        previous = (where, number)
    return runs


def _user_panels(
    function: Any, lines: List[UserLine], keys: Dict[UserLine, str], runs: Dict[UserLine, List[int]]
) -> str:
    """Per file: the function and the callees the generated lines come from, each line linking to them."""
    main_file = function.__code__.co_filename
    wanted: Dict[str, List[int]] = {main_file: [function.__code__.co_firstlineno]}
    for filename, line in lines:
        wanted.setdefault(filename, []).append(line)
    panels = []
    for filename, numbers in wanted.items():
        file_lines = linecache.getlines(filename)
        if not file_lines:
            continue
        shown = _enclosing_definitions(file_lines, numbers)
        coloured = _highlighted("".join(file_lines))
        rows = []
        for number in shown:
            where = (filename, number)
            links = "".join(f'<a href="#g{g}" title="generated line {g}">&rarr;{g}</a>' for g in runs.get(where, ()))
            attributes = f' id="{keys[where]}" data-k="{keys[where]}"' if where in keys else ""
            gutter = f'<span class="gutter">{number}{links}</span>'
            rows.append(f'<div class="line"{attributes}>{gutter}<span>{coloured[number - 1]}</span></div>')
        panels.append(f'<div class="file">{html.escape(os.path.basename(filename))}</div>')
        panels.append('<div class="code">\n' + "\n".join(rows) + "\n</div>\n")
    return "\n".join(panels)


def _enclosing_definitions(file_lines: List[str], numbers: List[int]) -> List[int]:
    """The lines of the innermost function definition around each given line (the line alone if none)."""
    try:
        tree = ast.parse("".join(file_lines))
    except SyntaxError:  # a file that no longer parses (edited since): show just the lines named
        return sorted(set(numbers))
    spans = [
        (min([node.lineno] + [d.lineno for d in node.decorator_list]), node.end_lineno or node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    shown = set()
    for number in numbers:
        around = [span for span in spans if span[0] <= number <= span[1]]
        first, last = min(around, key=lambda span: span[1] - span[0]) if around else (number, number)
        shown.update(range(first, last + 1))
    return sorted(shown)


def _generated_panel(text: str, origins: Dict[int, source_map.Origin], keys: Dict[UserLine, str]) -> str:
    """The generated code, each line that comes from a user line linking to it."""
    rows = []
    for number, coloured in enumerate(_highlighted(text), start=1):
        origin = origins.get(number)
        if origin is None:
            rows.append(
                f'<div class="line" id="g{number}"><span class="gutter">{number}</span><span>{coloured}</span></div>'
            )
            continue
        key = keys[(origin.filename, origin.line)]
        link = f'<a href="#{key}" title="{html.escape(origin.where)}">&larr;{origin.line}</a>'
        sweep = f" {origin.sweep}" if origin.sweep else ""
        rows.append(
            f'<div class="line{sweep}" id="g{number}" data-k="{key}">'
            f'<span class="gutter">{number}{link}</span><span>{coloured}</span></div>'
        )
    return '<div class="code">\n' + "\n".join(rows) + "\n</div>\n"


def _highlighted(text: str) -> List[str]:
    """The text's lines as HTML: coloured by Pygments when it is installed, escaped otherwise."""
    lines = text.splitlines()
    try:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer
    except ImportError:
        return [html.escape(line) for line in lines]
    # nowrap: no <pre>; the formatter closes and reopens its spans at each newline, so lines split cleanly
    coloured = highlight(text, PythonLexer(stripnl=False, ensurenl=True), HtmlFormatter(nowrap=True)).split("\n")
    return coloured[: len(lines)] if len(coloured) >= len(lines) else [html.escape(line) for line in lines]


def _pygments_css() -> str:
    try:
        from pygments.formatters import HtmlFormatter
    except ImportError:
        return ""
    return HtmlFormatter().get_style_defs(".code")
