"""promptfoo's model-graded assertions, ``llm-rubric`` and ``model-graded-closedqa``, graded by the
target's judge (``judge: {model, seed, max_tokens}``) through overseer's LLM clients, with
promptfoo's default grading prompts. A judge that cannot be reached, or whose reply holds no
verdict, raises JudgeFailed: the check then writes no verdict and the run is an infrastructure
failure, never the prompt's. The judge's tokens are added to the run's usage file."""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

from overseer.llm import LLMError, OpenAICompatible, client_for, embed
from overseer.suites.assertions import CHECK, WRONG, Outcome, json_values

RUBRIC = """You are grading output according to a user-specified rubric. If the statement in the \
rubric is true, then the output passes the test. You respond with a JSON object with this \
structure: {{"reason": string, "pass": boolean, "score": number}}

<Output>
{output}
</Output>
<Rubric>
{rubric}
</Rubric>"""

CLOSEDQA = """You are assessing a submitted answer on a given task based on a criterion. Here is \
the data:
[BEGIN DATA]
***
[Task]: {task}
***
[Submission]: {output}
***
[Criterion]: {criterion}
***
[END DATA]
Does the submission meet the criterion? First, write out in a step by step manner your reasoning \
about the criterion to be sure that your conclusion is correct. Avoid simply stating the correct \
answers at the outset. Then print only the single character "Y" or "N" (without quotes or \
punctuation) on its own line corresponding to the correct answer. At the end, repeat just the \
letter again by itself on a new line."""

GRADED = ("llm-rubric", "model-graded-closedqa", "similar")
SIMILAR_THRESHOLD = 0.75   # promptfoo's default for similar


class JudgeFailed(Exception):
    """No verdict from the judge: not the prompt's failure."""


def _ask(prompt: str, model: str | None = None) -> str:
    model = model or os.environ.get("OVERSEER_JUDGE_MODEL")
    if not model:
        raise JudgeFailed("no judge: set judge: {model: ...} in the target")
    client = client_for(model, int(os.environ.get("OVERSEER_JUDGE_MAX_TOKENS", "256")))
    seed = os.environ.get("OVERSEER_JUDGE_SEED")
    try:
        if isinstance(client, OpenAICompatible):
            reply = client.chat([{"role": "user", "content": prompt}], seed=int(seed) if seed else None,
                                temperature=0.0)
        else:
            reply = client.complete(prompt)
    except LLMError as exc:
        raise JudgeFailed(f"the judge failed: {exc}") from None
    _count(reply.input_tokens, reply.output_tokens)
    return reply.text


def _count(tokens_in: int, tokens_out: int) -> None:
    """Add the judge's tokens to the run's usage file (the bill counts them)."""
    path = Path(os.environ.get("OVERSEER_USAGE_FILE", ""))
    if not path.name:
        return
    try:
        usage: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except ValueError:
        usage = {}
    usage["input_tokens"] = int(usage.get("input_tokens") or 0) + tokens_in
    usage["output_tokens"] = int(usage.get("output_tokens") or 0) + tokens_out
    path.write_text(json.dumps(usage), encoding="utf-8")


def _cosine(a: list[float], b: list[float]) -> float:
    norm = math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))
    return sum(x * y for x, y in zip(a, b, strict=True)) / norm if norm else 0.0


def _word_counts(texts: list[str]) -> list[list[float]]:
    """The simulator's embedding: each text's counts of the words the texts use."""
    bags = [Counter(re.findall(r"[a-z0-9]+", t.lower())) for t in texts]
    words = sorted(set().union(*bags))
    return [[float(bag[w]) for w in words] for bag in bags]


def similar(output: str, value: Any, threshold: float | None, model: str | None = None) -> Outcome:
    """promptfoo's ``similar``: the cosine similarity of the output's embedding and the expected
    text's (the best of a list), passing at ``threshold`` (0.75). ``model`` embeds (default: the
    target's judge.embedding); ``sim`` is word counts. No embedding at all is JudgeFailed."""
    model = model or os.environ.get("OVERSEER_EMBEDDING_MODEL")
    if not model:
        raise JudgeFailed("no embedding model: set judge: {model: ..., embedding: ...} in the target")
    expected = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if model.partition(":")[0] == "sim":
        vectors = _word_counts([output, *expected])
    else:
        try:
            vectors, tokens = embed(model, [output, *expected])
        except LLMError as exc:
            raise JudgeFailed(f"the embedding model failed: {exc}") from None
        _count(tokens, 0)
    best = max(_cosine(vectors[0], v) for v in vectors[1:])
    limit = SIMILAR_THRESHOLD if threshold is None else threshold
    return Outcome(best >= limit, max(0.0, min(1.0, best)), f"similarity {best:.3f} (at least {limit:g})", WRONG)


def grade(kind: str, output: str, value: Any, variables: dict[str, Any], model: str | None = None) -> Outcome:
    """One model-graded assertion (``not-`` handled by the caller), graded by ``model`` (default:
    the target's judge)."""
    if kind == "llm-rubric":
        reply = _ask(RUBRIC.format(output=output, rubric=value), model)
        verdicts = [v for v in json_values(reply, whole=False) if isinstance(v, dict) and "pass" in v]
        if not verdicts:
            raise JudgeFailed(f"the judge's reply holds no verdict: {reply[:120]!r}")
        verdict = verdicts[-1]
        passed = bool(verdict["pass"])
        score = float(verdict.get("score", 1.0 if passed else 0.0))
        return Outcome(passed, max(0.0, min(1.0, score)), str(verdict.get("reason", ""))[:200], CHECK)
    task = "\n".join(f"{k}: {v}" for k, v in variables.items())
    reply = _ask(CLOSEDQA.format(task=task, output=output, criterion=value), model)
    letters = [line.strip() for line in reply.splitlines() if line.strip() in ("Y", "N")]
    if not letters:
        raise JudgeFailed(f"the judge's reply ends in neither Y nor N: {reply[-120:]!r}")
    passed = letters[-1] == "Y"
    return Outcome(passed, float(passed), f"the judge says {letters[-1]} to {str(value)[:80]!r}", CHECK)
