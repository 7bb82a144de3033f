from collections import defaultdict


def group_by_initial(words: list[str]) -> dict[str, list[str]]:
    groups = defaultdict(list)
    for word in words:
        if word:
            groups[word[0].lower()].append(word)
    return dict(groups)
