import math
from functools import reduce


def gcd_list(nums: list[int]) -> int:
    if not nums:
        raise ValueError("gcd of an empty list")
    return reduce(math.gcd, nums)
