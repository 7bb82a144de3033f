import re

_PAIR = re.compile(r"(\D)(\d+)")


def run_length_decode(s: str) -> str:
    pairs = _PAIR.findall(s)
    if "".join(c + n for c, n in pairs) != s:
        raise ValueError(f"not run-length encoded: {s!r}")
    return "".join(c * int(n) for c, n in pairs)
