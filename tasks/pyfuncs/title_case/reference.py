_SMALL = {"a", "an", "and", "of", "the", "in", "on"}


def title_case(text: str) -> str:
    words = text.lower().split()
    result = []
    for i, word in enumerate(words):
        if i > 0 and word in _SMALL:
            result.append(word)
        else:
            result.append(word[:1].upper() + word[1:])
    return " ".join(result)
