from __future__ import annotations

from overseer.evidence.signflip import binomial_tail, sign_flip_p_value


def test_exact_sign_flip_p_values() -> None:
    assert sign_flip_p_value([1, 1, 1, 1, 1]) == 1 / 32
    assert sign_flip_p_value([1, 1, 1, -1]) == 5 / 16
    assert sign_flip_p_value([0, 0, 0]) == 1.0
    assert sign_flip_p_value([-1, -1]) == 1.0
    assert sign_flip_p_value([0.5, 0.5, 1.0, 0.0]) == 1 / 8


def test_the_binomial_tail_is_the_one_sided_sign_test() -> None:
    assert binomial_tail(12, 12) == 0.5 ** 12
    assert binomial_tail(0, 12) == 1.0
    assert binomial_tail(2, 3) == 0.5            # 3 + 1 of 8 outcomes
    assert binomial_tail(0, 0) == 1.0


def test_many_distinct_differences_fall_back_to_a_seeded_monte_carlo_estimate() -> None:
    differences = [0.01 * (i + 1) + 0.0001 * i * i for i in range(40)]  # 2^40 sums, too many to list
    p = sign_flip_p_value(differences)
    assert p == sign_flip_p_value(differences)   # seeded: the same estimate every time
    assert 0 < p < 0.001                         # every difference positive
    mixed = [d if i % 2 else -d for i, d in enumerate(differences)]
    assert 0.2 < sign_flip_p_value(mixed) < 0.8
