"""Keep API keys out of everything overseer writes."""

from __future__ import annotations

import os
import re

_KEY_PATTERNS = [
    re.compile(r"sk-ant-[A-Za-z0-9_\-]{16,}"),
    re.compile(r"sk-(?:proj-)?[A-Za-z0-9_\-]{16,}"),
    re.compile(r"AIza[0-9A-Za-z_\-]{30,}"),
    re.compile(r"gh[pousr]_[A-Za-z0-9]{30,}"),
    re.compile(r"xox[abposr]-[A-Za-z0-9\-]{10,}"),
    re.compile(r"hf_[A-Za-z0-9]{30,}"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9_\-\.=]{16,}"),
    re.compile(r"(?i)((?:api[_-]?key|secret|token|password)[\"']?\s*[:=]\s*[\"']?)[^\s\"',;]{8,}"),
]
_SECRET_ENV = re.compile(r"(?i)(KEY|TOKEN|SECRET|PASSWORD)")
MASK = "[REDACTED]"


def _secret_env_values() -> list[str]:
    values = [v for k, v in os.environ.items() if _SECRET_ENV.search(k) and len(v) >= 8]
    return sorted(values, key=len, reverse=True)


def redact(text: str) -> str:
    """``text`` with anything that looks like a key, or equals a secret env var, masked."""
    for value in _secret_env_values():
        text = text.replace(value, MASK)
    for pattern in _KEY_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text) if pattern.groups else pattern.sub(MASK, text)
    return text
