_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def from_roman(s: str) -> int:
    if not s:
        raise ValueError("empty numeral")
    if any(c not in _VALUES for c in s):
        raise ValueError(f"not a Roman numeral: {s!r}")
    total = 0
    for i in range(len(s)):
        value = _VALUES[s[i]]
        if i + 1 < len(s) and _VALUES[s[i + 1]] > value:
            total -= value
        else:
            total += value
    return total
