def pairwise_differences(xs: list[float]) -> list[float]:
    return [xs[i + 1] - xs[i] for i in range(len(xs) - 1)]
