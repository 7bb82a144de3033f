"""The simulated code writer: an honest stand-in for an LLM that writes a Python solution.

It starts from a task's reference solution and injects the failure modes real code writers show,
each with a probability that the prompt's instructions lower or raise (see ``profiles/default.yaml``).
Because it knows those probabilities, it can report the exact expected pass rate of a prompt.
"""

from __future__ import annotations

from overseer.sim.writer import SimReply, complete, expected_pass_rate, mode_probabilities

__all__ = ["SimReply", "complete", "expected_pass_rate", "mode_probabilities"]
