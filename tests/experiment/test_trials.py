from __future__ import annotations

import random

from overseer.experiment.trials import promote_rate, promoted


def test_a_clearly_better_setting_is_promoted_and_a_clearly_worse_one_is_not() -> None:
    rates = [0.5] * 30
    assert promoted(rates, 0.2, margin=0.02, alpha=0.05, max_rounds=16, seeded=False,
                    rng=random.Random(1))[0]
    assert not promoted(rates, -0.3, margin=0.02, alpha=0.05, max_rounds=16, seeded=False,
                        rng=random.Random(1))[0]


def test_the_rate_is_reproducible_for_a_seed() -> None:
    first = promote_rate([0.6] * 20, 0.0, trials=20, seed=3)
    assert first == promote_rate([0.6] * 20, 0.0, trials=20, seed=3)
    share, rounds = first
    assert 0 <= share <= 1 and 1 <= rounds <= 16
