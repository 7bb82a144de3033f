def run_length_encode(s: str) -> str:
    if not s:
        return ""
    parts = []
    current, count = s[0], 1
    for i in range(1, len(s)):
        if s[i] == current:
            count += 1
        else:
            parts.append(f"{current}{count}")
            current, count = s[i], 1
    parts.append(f"{current}{count}")
    return "".join(parts)
