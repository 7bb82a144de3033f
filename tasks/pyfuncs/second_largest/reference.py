def second_largest(xs: list[int]) -> int:
    distinct = sorted(set(xs))
    if len(distinct) < 2:
        raise ValueError("need at least two distinct values")
    return distinct[-2]
