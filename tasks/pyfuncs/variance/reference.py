def variance(xs: list[float]) -> float:
    if not xs:
        raise ValueError("variance of an empty list")
    mean = sum(xs) / len(xs)
    return sum((x - mean) ** 2 for x in xs) / len(xs)
