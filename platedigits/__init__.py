"""platedigits: read the digits on licence plates with a classic pipeline and a NumPy BP network."""

from __future__ import annotations

__version__ = "0.1.0"
