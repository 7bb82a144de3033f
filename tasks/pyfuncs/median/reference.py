def median(xs: list[float]) -> float:
    if not xs:
        raise ValueError("median of an empty list")
    ordered = sorted(xs)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[mid])
    return (ordered[mid - 1] + ordered[mid]) / 2
