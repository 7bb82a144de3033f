def longest_common_prefix(words: list[str]) -> str:
    if not words:
        return ""
    shortest = min(words, key=len)
    prefix = []
    for i in range(len(shortest)):
        if any(word[i] != shortest[i] for word in words):
            break
        prefix.append(shortest[i])
    return "".join(prefix)
