"""Keep API keys out of everything overseer writes."""

from __future__ import annotations

import os
import re
from typing import Any

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
# Variables whose values are masked wherever they appear: API_KEY, GITHUB_TOKEN, AWS_SECRET...,
# DB_PASS, PASSWD, SERVICE_CREDENTIAL(S), AUTH..., PRIVATE...
_SECRET_ENV = re.compile(r"(?i)(KEY|TOKEN|SECRET|PASS|CREDENTIAL|AUTH|PRIVATE)")
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


def redact_value(value: Any) -> Any:
    """Every string inside ``value`` (nested lists, tuples and dicts, keys included) redacted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact_value(k): redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_value(v) for v in value)
    return value
