"""An example overseer plugin: a proposer that prefers deleting lines, a sanitizer, a reviewer for
the proposal panel that holds additions to a word budget, and a check that compares an output file
with the text expected."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from overseer.directives import protected_lines
from overseer.edits import Edit
from overseer.plugin_check import CheckResult
from overseer.proposers import Proposal, ProposalContext
from overseer.proposers.panel import Critique


class Minimalist:
    """Proposes deleting the longest line of the prompt not yet tried for it."""

    name = "minimalist"

    def __init__(self, min_words: int) -> None:
        self.min_words = min_words

    def propose(self, context: ProposalContext) -> Proposal | None:
        return next(iter(self.propose_many(context, 1)), None)

    def propose_many(self, context: ProposalContext, count: int) -> list[Proposal]:
        tried = context.rejected_here()
        lines = [line for line in context.prompt.splitlines(keepends=True)
                 if len(line.split()) >= self.min_words and context.prompt.count(line) == 1
                 and not protected_lines(context.directives, line)]
        edits = [Edit(op="delete", old=line, kind="delete-line:minimalist")
                 for line in sorted(lines, key=len, reverse=True)]
        return [Proposal(edit, f"Remove {edit.summary(40)!r}: a shorter prompt says the rest more clearly",
                         "the minimalist prefers deleting to adding")
                for edit in edits if edit.key() not in tried][:count]


def make_minimalist(options: dict[str, Any]) -> Minimalist:
    return Minimalist(min_words=int(options.get("min_words", 4)))


def strip_trailing_spaces(text: str) -> str:
    return "\n".join(line.rstrip(" \t") for line in text.split("\n"))


class WordBudget:
    """A panel reviewer: vetoes an edit that adds more than ``max_added_words`` words, keeps the rest."""

    name = "word_budget"

    def __init__(self, max_added_words: int) -> None:
        self.max_added_words = max_added_words

    def review(self, proposal: Proposal, context: ProposalContext) -> Critique:
        added = len(proposal.edit.new.split()) - len((proposal.edit.old or "").split()) \
            if proposal.edit.op == "replace" else len(proposal.edit.new.split())
        if added > self.max_added_words:
            return Critique("veto", f"adds {added} words, over the budget of {self.max_added_words}")
        return Critique("keep", "within the word budget")


def make_word_budget(options: dict[str, Any]) -> WordBudget:
    return WordBudget(max_added_words=int(options.get("max_added_words", 12)))


def make_expected_text(options: dict[str, Any]) -> Callable[[Path], list[CheckResult]]:
    """A check: the file ``path`` (in the run's working directory) says ``expected``."""
    path, expected = str(options.get("path", "answer.txt")), str(options.get("expected", ""))

    def judge(workdir: Path) -> list[CheckResult]:
        file = workdir / path
        if not file.is_file():
            return [CheckResult(f"{path} exists", False, f"the command wrote no {path}")]
        said = file.read_text(encoding="utf-8", errors="replace").strip()
        return [CheckResult(f"{path} says {expected!r}", said == expected,
                            f"{path} says {said[:80]!r}, not {expected!r}")]

    return judge
