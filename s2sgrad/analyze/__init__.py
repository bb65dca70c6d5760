"""Stage 3 — analyze: kinds of values, and which of them are active."""

from .activity import active_names
from .kinds import infer_kinds

__all__ = ["active_names", "infer_kinds"]
