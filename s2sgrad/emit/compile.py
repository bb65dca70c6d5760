"""Compile generated source into a function that runs as ordinary Python.

The function keeps the user's live globals (so a module constant changed
later is seen, exactly as by the original) and the user's own closure cells;
the few objects the user's namespace has no name for (runtime helpers, a
module the user imported under another name) are bound as extra free
variables. The text is registered in ``linecache`` so that tracebacks, pdb and
``inspect.getsource`` show it, and its comments are read into a source map
(``source_map``) that leads each generated line back to the user's.
"""

import hashlib
import textwrap
import types
from typing import Any, Callable, Dict

from .. import source_map

FACTORY = "__s2sgrad_factory__"


def compile_function(text: str, name: str, func: Callable, injected: Dict[str, Any], defaults: tuple) -> Callable:
    """Compile the text of one ``def`` into a function bound to ``func``'s namespace."""
    free = sorted(injected) + sorted(func.__code__.co_freevars)
    params = ", ".join(free)
    body = textwrap.indent(text, "    ")
    module_text = f"def {FACTORY}({params}):\n{body}    return {name}\n"
    digest = hashlib.sha1(module_text.encode()).hexdigest()[:10]
    filename = f"{source_map.GENERATED_PREFIX}{name} {digest}>"
    user_code = getattr(func, "__code__", None)
    source_map.register(filename, module_text, getattr(user_code, "co_filename", ""), func.__name__)

    module_code = compile(module_text, filename, "exec")
    factory_code = next(c for c in module_code.co_consts if isinstance(c, types.CodeType))
    code = next(c for c in factory_code.co_consts if isinstance(c, types.CodeType) and c.co_name == name)
    cells = dict(zip(func.__code__.co_freevars, func.__closure__ or ()))
    closure = tuple(cells[v] if v in cells else types.CellType(injected[v]) for v in code.co_freevars)
    return types.FunctionType(code, func.__globals__, name, defaults, closure or None)
