"""The proposer protocol and the evidence it is given."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from overseer.config import Directives
from overseer.decision import NOT_EVIDENCE
from overseer.edits import Edit
from overseer.effects import KindEffect
from overseer.records import RunRecord
from overseer.redact import redact
from overseer.review import PanelRecord
from overseer.signatures import family
from overseer.tasks import Task

_SPEC_CHARS = 600
_OUTPUT_CHARS = 800


class ProposalFailed(Exception):
    """No usable proposal this iteration; ``str(exc)`` is the recorded reason."""


@dataclass(frozen=True)
class FailureExample:
    task_id: str
    spec: str
    output: str
    error_class: str
    messages: tuple[str, ...]
    failing_tests: tuple[str, ...]


@dataclass(frozen=True)
class PastEdit:
    edit: Edit
    outcome: str           # accepted / rejected / invalid / screened_out
    gain: float | None     # measured train gain, when it was evaluated
    parent_hash: str       # the prompt it was proposed for
    hypothesis: str = ""
    session_id: str = ""   # the session that decided it


@dataclass(frozen=True)
class Proposal:
    edit: Edit
    hypothesis: str
    rationale: str
    panel: PanelRecord | None = None   # what a proposal panel did (proposers/panel.py)
    vetoed: bool = False               # the panel's reviewer vetoed it: recorded, never run


# What the command is, for the LLM roles' prompts ($command_kind): a code writer judged by unit
# tests, or a command whose answer is judged by a test suite's assertions (suites/).
CODE_COMMAND = ("a code-writing command. The command was run on tasks with unit tests (the task's "
                "spec, the failing tests, their messages and the code written are shown for each failure)")
CASE_COMMAND = ("a command whose answer is judged by test cases (a promptfoo suite): each case gives the "
                "command its inputs (shown as the spec) and checks the answer with assertions (the "
                "failing tests are the assertions that failed, e.g. icontains@\"billing\" or is-json, "
                "and the output is the answer)")
SUITE_CHECK = "overseer.suites.check"


@dataclass
class ProposalContext:
    prompt: str
    prompt_hash: str
    start_length: int
    runs: int
    pass_rate: float
    error_counts: dict[str, int]
    failures: list[FailureExample]
    history: list[PastEdit] = field(default_factory=list)
    prior: dict[str, KindEffect] = field(default_factory=dict)
    iteration: int = 0
    session_id: str = ""
    directives: Directives = field(default_factory=Directives)
    directive_text: str = ""   # the directives' free text (and file), for LLM roles
    command_kind: str = CODE_COMMAND   # what the command does, as the LLM roles' prompts say it

    def ran_out_elsewhere(self) -> set[str]:
        """Keys of edits whose test ran out of rounds unproven for another prompt: a gain too small
        to prove there, at the price of every round. That evidence says nothing valid about this
        prompt; it only ranks such an edit after the others."""
        return {p.edit.key() for p in self.history
                if p.parent_hash != self.prompt_hash and p.outcome == "unproven"}

    def rejected_here(self) -> set[str]:
        """Keys of edits already tried and not kept for this very prompt (one whose test was cut
        short, inconclusive or unfinished may be tried again; an unproven one in a later session,
        where its test is continued)."""
        return {p.edit.key() for p in self.history
                if p.parent_hash == self.prompt_hash and (
                    p.outcome not in ("accepted", *NOT_EVIDENCE)
                    or (p.outcome == "unproven" and p.session_id == self.session_id))}


class Proposer(Protocol):
    name: str

    def propose(self, context: ProposalContext) -> Proposal | None:
        """One edit for ``context.prompt``, or None when there is nothing left to try."""


def propose_up_to(proposer: Proposer, context: ProposalContext, count: int) -> list[Proposal]:
    """Up to ``count`` different edits for one race (optimize/race.py): a proposer that can give
    several at once has ``propose_many(context, count)``; any other gives its one."""
    many = getattr(proposer, "propose_many", None)
    # a panel always answers with several: its vetoed proposals come back too, to be recorded
    if many is not None and (count > 1 or getattr(proposer, "reviews", False)):
        proposals: list[Proposal] = many(context, count)
    else:
        proposals = [p] if (p := proposer.propose(context)) is not None else []
    keys = [p.edit.key() for p in proposals]
    unique = [p for i, p in enumerate(proposals) if keys.index(keys[i]) == i]
    return [p for p in unique if not p.vetoed][:count] + [p for p in unique if p.vetoed]


def _excerpt(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "\n[…]"


def _output_of(record: RunRecord, base: Path) -> str:
    outputs = sorted(k for k in record.artifacts if k.startswith("outputs/"))
    for key in [*outputs, "command.stdout"]:
        if key in record.artifacts:
            path = base / record.artifacts[key]
            if path.is_file():
                return _excerpt(path.read_text(encoding="utf-8", errors="replace"), _OUTPUT_CHARS)
    return ""


def signature_family(record: RunRecord) -> str:
    return family(record.signature or record.error_class)


def build_context(*, prompt: str, prompt_hash: str, start_length: int,
                  records: Sequence[RunRecord], tasks: Sequence[Task], artifacts_base: Path,
                  history: list[PastEdit], max_failures: int,
                  prior: dict[str, KindEffect] | None = None, iteration: int = 0,
                  session_id: str = "", directives: Directives | None = None,
                  directive_text: str = "") -> ProposalContext:
    """The evidence a proposer sees: error counts, a few failing runs (one per task, the most
    common error classes first), and the history of earlier edits."""
    failing = [r for r in records if not r.passed and not r.infra]
    counts = Counter(signature_family(r) for r in failing)
    specs = {t.id: t.spec for t in tasks}
    rank = {family: i for i, (family, _) in enumerate(counts.most_common())}
    examples: list[FailureExample] = []
    seen: set[str] = set()
    for record in sorted(failing, key=lambda r: (rank[signature_family(r)], r.task_id)):
        if record.task_id in seen or len(examples) >= max_failures:
            continue
        seen.add(record.task_id)
        examples.append(FailureExample(
            task_id=record.task_id,
            spec=_excerpt(specs.get(record.task_id, ""), _SPEC_CHARS),
            output=redact(_output_of(record, artifacts_base)),
            error_class=record.signature or record.error_class or "Unknown",
            messages=tuple(record.messages[:3]),
            failing_tests=tuple(record.failing_tests[:5]),
        ))
    judged_by_cases = bool(tasks) and all(SUITE_CHECK in t.check for t in tasks)
    return ProposalContext(
        command_kind=CASE_COMMAND if judged_by_cases else CODE_COMMAND,
        prompt=prompt, prompt_hash=prompt_hash, start_length=start_length, runs=len(records),
        pass_rate=sum(r.passed for r in records) / len(records) if records else 0.0,
        error_counts=dict(counts.most_common()), failures=examples, history=history,
        prior=prior or {}, iteration=iteration, session_id=session_id,
        directives=directives or Directives(), directive_text=directive_text,
    )
