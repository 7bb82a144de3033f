"""An example overseer plugin: a proposer that prefers deleting lines, and a sanitizer."""

from __future__ import annotations

from typing import Any

from overseer.directives import protected_lines
from overseer.edits import Edit
from overseer.proposers import Proposal, ProposalContext


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
