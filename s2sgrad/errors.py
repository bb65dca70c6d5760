"""The one error type the compiler raises, rendered like a compiler diagnostic."""

from typing import Optional


class TransformError(Exception):
    """Raised for code that s2sgrad cannot differentiate correctly.

    The message reads ``file:line:col: what went wrong``, followed by the
    offending source line, a caret under the construct, and a hint on what to do.
    """

    def __init__(
        self,
        message: str,
        *,
        filename: str = "<unknown>",
        line: Optional[int] = None,
        col: int = 0,
        end_col: Optional[int] = None,
        source_line: str = "",
        hint: str = "",
    ) -> None:
        self.message = message
        self.filename = filename
        self.line = line
        self.col = col
        self.hint = hint
        self.source_line = source_line
        super().__init__(self._render(end_col))

    def _render(self, end_col: Optional[int]) -> str:
        where = self.filename if self.line is None else f"{self.filename}:{self.line}:{self.col + 1}"
        text = f"{where}: {self.message}"
        if self.source_line.strip():
            width = max(1, (end_col if end_col is not None else len(self.source_line)) - self.col)
            text += f"\n    {self.source_line.rstrip()}\n    {' ' * self.col}{'^' * width}"
        if self.hint:
            text += f"\nhint: {self.hint}"
        return text
