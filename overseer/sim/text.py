"""The simulated text writer: a stand-in for a model whose answer is text (a label, a JSON object),
judged by a promptfoo case's assertions.

It starts from the case's expected answer (``metadata.reference``, else the value of its first
``equals`` assertion) and injects the failures models show on such prompts, each with a base rate
that instructions in the prompt move (the profile's text modes, as for the code writer). The reply
is a function of the modes that fired and nothing else, so the exact expected pass rate is a sum
over the subsets of modes, each judged once by the case's own assertions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import Any

from overseer.errors import FatalError
from overseer.suites.assertions import CHECK, TOO_LONG, Outcome, is_refusal, json_values
from overseer.suites.graded import similar

CASE_FILE = "case.json"
# Content changes first, then how the answer is wrapped; a refusal replaces everything.
TEXT_ORDER = ("wrong_label", "label_case", "missing_field", "too_long", "fence", "chatter", "refusal")
LONG_TEXT_WORDS = 4      # a string of at least this many words is free text (a summary), not a label
RAMBLE = (" The customer also gave a lot of background about their account, their team and earlier "
          "conversations, which is repeated here for completeness.")
REFUSAL = "I'm sorry, but I can't help with this request."
INTRO, OUTRO = "Here is my answer:", "I chose this based on the wording of the request."
LENGTH_SLACK = 1.5       # the simulated judge accepts free text up to this many times the reference's


@dataclass(frozen=True)
class TextReference:
    path: Path
    answer: Any = field(compare=False)   # a JSON object, or a string (the case says it too)
    case: str = ""                        # the case, as JSON (hashable, for the caches)


def is_text_task(task_dir: Path) -> bool:
    return (task_dir / CASE_FILE).is_file()


@lru_cache(maxsize=1024)
def load_reference(task_dir: Path) -> TextReference:
    path = task_dir / CASE_FILE
    case = json.loads(path.read_text(encoding="utf-8"))
    answer = (case.get("metadata") or {}).get("reference")
    if answer is None:
        answer = next((a.get("value") for a in case.get("assert", []) if a.get("type") == "equals"), None)
    if not isinstance(answer, dict | str):
        raise FatalError(f"{path}: the simulator needs the case's expected answer: metadata.reference "
                         "(a string or a JSON object) or an equals assertion")
    return TextReference(path, answer, json.dumps(case, sort_keys=True))


def _is_label(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value.split()) < LONG_TEXT_WORDS and value == value.lower()


def _free_text(answer: Any) -> str | None:
    """The key of the longest free-text field ("" for a string answer), or None."""
    if isinstance(answer, str):
        return "" if len(answer.split()) >= LONG_TEXT_WORDS else None
    texts = [k for k, v in answer.items() if isinstance(v, str) and len(v.split()) >= LONG_TEXT_WORDS]
    return max(texts, key=lambda k: len(answer[k]), default=None)


def _labels(answer: Any) -> list[str]:
    if isinstance(answer, str):
        return [""] if _is_label(answer) else []
    return [k for k, v in answer.items() if _is_label(v)]


def applicable_text_modes(reference: TextReference) -> frozenset[str]:
    answer, modes = reference.answer, {"chatter", "refusal"}
    if _labels(answer):
        modes |= {"wrong_label", "label_case"}
    if _free_text(answer) is not None:
        modes.add("too_long")
    if isinstance(answer, dict):
        modes.add("fence")
        if len(answer) > 1:
            modes.add("missing_field")
    return frozenset(modes)


def _set(answer: Any, key: str, value: str) -> Any:
    return value if key == "" else {**answer, key: value}


def write_text(reference: TextReference, modes: Iterable[str]) -> str:
    """The simulated reply with ``modes`` applied: deterministic, so that it can be judged once."""
    fired = set(modes)
    if "refusal" in fired:
        return REFUSAL
    answer = reference.answer
    labels = _labels(answer)
    if "wrong_label" in fired:
        value = answer if labels[0] == "" else answer[labels[0]]
        answer = _set(answer, labels[0], "other" if value != "other" else "general")
    if "label_case" in fired:
        for key in labels:
            answer = _set(answer, key, (answer if key == "" else answer[key]).title())
    if "missing_field" in fired:
        doomed = (labels or list(answer))[-1]
        answer = {k: v for k, v in answer.items() if k != doomed}
    long_text = _free_text(reference.answer)
    if "too_long" in fired and long_text is not None:
        answer = _set(answer, long_text, (answer if long_text == "" else answer[long_text]) + RAMBLE)
    text = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
    if "fence" in fired:
        text = f"```json\n{text}\n```"
    if "chatter" in fired:
        text = f"{INTRO}\n{text}\n{OUTRO}"
    return text


def sim_grade(kind: str, output: str, assertion: dict[str, Any], case: dict[str, Any]) -> Outcome:
    """The simulated judge of ``llm-rubric`` and ``model-graded-closedqa``: it grades the answer
    against the case's reference whatever the rubric says. It fails a refusal, an answer that
    holds no trace of the reference (no JSON for an object, not the reference's free text), and
    free text over LENGTH_SLACK times the reference's words; it passes anything else. ``similar``
    is the simulator's embedding (word counts)."""
    if kind == "similar":
        return similar(output, assertion.get("value"), assertion.get("threshold"), "sim")
    answer = (case.get("metadata") or {}).get("reference")
    key = _free_text(answer) if isinstance(answer, dict | str) else None
    if answer is None or key is None:
        return Outcome(True, 1.0, "the simulated judge has no free text to grade", CHECK)
    if key == "":
        said, expected = output, str(answer)
    else:
        found = [v for v in json_values(output, whole=False) if isinstance(v, dict)]
        said, expected = (str(found[0].get(key, "")) if found else ""), str(answer[key])
    if not said.strip() or is_refusal(said):
        return Outcome(False, 0.0, "the answer holds nothing to grade", CHECK)
    limit = LENGTH_SLACK * len(expected.split())
    if len(said.split()) > limit:
        return Outcome(False, 0.0, f"too long: {len(said.split())} words where about {limit:.0f} do",
                       TOO_LONG)
    return Outcome(True, 1.0, "says what the reference says, briefly", CHECK)


@lru_cache(maxsize=65536)
def _passes(reference: TextReference, modes: frozenset[str]) -> bool:
    from overseer.suites.check import judge_case  # the check's own judgement, in-process

    _, _, passed = judge_case(json.loads(reference.case), write_text(reference, modes), sim_grade)
    return passed


def case_passes(reference: TextReference, modes: Iterable[str]) -> bool:
    """Whether the reply with ``modes`` passes the case (the simulated judge grading)."""
    return _passes(reference, frozenset(modes))


def text_pass_probability(reference: TextReference, probabilities: dict[str, float]) -> float:
    """The exact chance that the reply passes: the sum over every subset of the modes that may
    fire of its probability times whether that reply passes."""
    modes = sorted(probabilities)
    total = 0.0
    for size in range(len(modes) + 1):
        for fired in combinations(modes, size):
            if not _passes(reference, frozenset(fired)):
                continue
            chance = 1.0
            for mode in modes:
                chance *= probabilities[mode] if mode in fired else 1.0 - probabilities[mode]
            total += chance
    return total
