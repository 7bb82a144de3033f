def rotate_list(xs: list, k: int) -> list:
    if not xs:
        return []
    k %= len(xs)
    return xs[-k:] + xs[:-k] if k else list(xs)
