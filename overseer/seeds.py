"""Every stream of randomness overseer derives, in one place.

All are pure functions of the target's ``seed`` (and of what names the draw), so the same seeded
session makes the same choices on any machine, under any load, in any run order. Each stream is
domain-separated (its name is hashed with its inputs), so no two streams pick alike by accident.
docs/design.md has the table. Two recipes are older than this module and kept as they were, because
recorded runs depend on them: the run seed (records, the run cache and the commands' own seeded
models hold it) and the allocation coin (a test continued in a later session rebuilds its rounds
from the records with the same coin).
"""

from __future__ import annotations

import hashlib
import random

RUN_SEED_BITS = 31   # every provider accepts a seed this size


def _digest(*parts: object) -> bytes:
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()


def _uniform(digest: bytes) -> float:
    return int.from_bytes(digest[:8], "big") / 2 ** 64


def run_seed(seed: int, task_id: str, repeat: int) -> int:
    """The seed of one (task, repeat), given to the command as ``{seed}`` and OVERSEER_SEED: the
    same for every prompt (a model that honours it draws alike for both prompts of a comparison
    wherever the edit does not matter: common random numbers), different for every task and
    repeat. 31 bits. (The first recipe, without a stream name: recorded runs hold it.)"""
    return int.from_bytes(_digest(seed, task_id, repeat)[:4], "big") >> (32 - RUN_SEED_BITS)


def allocation_coin(seed: int, task_id: str, round_: int) -> float:
    """The coin that decides whether a settled task runs in a round (evidence/allocate.py): a
    uniform in [0, 1) fixed before any run. (Its first recipe: continued tests rebuild with it.)"""
    return _uniform(_digest("allocate", seed, task_id, round_))


def order_seed(seed: int, batch: str) -> int:
    """The seed of the shuffle of the order a batch's runs start in (evaluate.run_order)."""
    return int.from_bytes(_digest("order", seed, batch)[:8], "big")


def screen_rank(seed: int, iteration: int, task_id: str) -> bytes:
    """A task's place in the shuffle that picks an iteration's screening minibatch."""
    return _digest("screen", seed, iteration, task_id)


def drift_rank(seed: int, task_id: str, repeat: int) -> bytes:
    """A reused run's place in the shuffle that picks the drift probe's sample."""
    return _digest("drift", seed, task_id, repeat)


def timing_rank(seed: int, task_id: str, repeat: int) -> bytes:
    """A train pair's place in the shuffle that picks the timing top-up (runs of both prompts
    again, side by side, for the time criterion)."""
    return _digest("timing", seed, task_id, repeat)


def plan_draws(seed: int, effect: float, seeded: bool) -> random.Random:
    """The generator of `overseer plan`'s simulated candidates (bill.candidate_cost)."""
    return random.Random(f"plan:{seed}:{effect}:{seeded}")


def holdout_rank(task_id: str) -> str:
    """A task's place in the train/holdout split. Not seeded on purpose: a change of the target's
    seed must not move tasks between train and holdout (the evidence of one split would then be
    judged on the other)."""
    return hashlib.sha256(task_id.encode()).hexdigest()
