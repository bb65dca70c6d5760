"""Stage 4 — transform: the normalized function into its derivative."""

from .reverse import reverse

__all__ = ["reverse"]
