import re
from collections import Counter


def top_k_words(text: str, k: int) -> list[str]:
    counts = Counter(re.findall(r"[a-z]+", text.lower()))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [word for word, _ in ranked[: max(k, 0)]]
