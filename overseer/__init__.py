"""overseer: improve the prompts inside LLM-backed commands, one proven edit at a time."""

from __future__ import annotations

__version__ = "0.1.0"
