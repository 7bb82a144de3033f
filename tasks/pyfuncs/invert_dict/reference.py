from collections import defaultdict


def invert_dict(d: dict[str, str]) -> dict[str, list[str]]:
    inverted = defaultdict(list)
    for key, value in d.items():
        inverted[value].append(key)
    return {value: sorted(keys) for value, keys in inverted.items()}
