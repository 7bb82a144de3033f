def moving_average(xs: list[float], window: int) -> list[float]:
    if window < 1:
        raise ValueError("window must be at least 1")
    return [sum(xs[i : i + window]) / window for i in range(len(xs) - window + 1)]
