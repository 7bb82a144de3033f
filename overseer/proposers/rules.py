"""The offline proposer: a library of edits keyed by failure signature, ranked by the evidence.

For each error class seen in the baseline's failures there is one instruction to add and a pattern
for lines that provoke that failure; deleting such a line is preferred to adding an instruction
(prompts should not bloat). A line the directives keep is never deleted, and no instruction is
added past their max_words. Candidates are ranked by how many failing runs they address, weighted
by the measured effect of earlier edits of the same kind, and an edit already rejected for this
exact prompt is never proposed again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from overseer.directives import protected_lines
from overseer.edits import Edit, normalize
from overseer.proposers.base import CODE_COMMAND, Proposal, ProposalContext

DELETION_PREFERENCE = 1.25
# An edit that ran out of rounds unproven for an earlier prompt (a gain too small to prove, for
# every round's price) ranks after the others: tried again only when they are not better bets.
RAN_OUT_WEIGHT = 0.25


@dataclass(frozen=True)
class Rule:
    topic: str
    error_classes: tuple[str, ...]
    instruction: str
    provoking: re.Pattern[str]
    problem: str
    code_only: bool = False    # a code writer's failure: never offered for a suite's cases


RULES = (
    Rule("output-format", ("SyntaxError",),
         "- Reply with only the Python code of solution.py: no markdown fences and no explanation.",
         re.compile(r"\b(explain|explanation|reasoning|walk (me |us )?through|describe your)", re.I),
         "prose and markdown fences around the code (SyntaxError)", code_only=True),
    Rule("signature", ("ImportError",),
         "- Keep every function name and signature exactly as given in the specification.",
         re.compile(r"\b(descriptive|self-explanatory|rename|camel ?case)", re.I),
         "renamed functions that the tests cannot import (ImportError)", code_only=True),
    Rule("imports", ("NameError",),
         "- Include an import statement for every module the code uses.",
         re.compile(r"\b(avoid (unnecessary )?imports?|no imports?|boilerplate)", re.I),
         "code that uses modules it never imports (NameError)", code_only=True),
    Rule("efficiency", ("Timeout",),
         "- Use an efficient algorithm; never brute force a search that can be slow.",
         re.compile(r"\b(brute[- ]?force|readability matters more than speed|"
                    r"do not worry about performance)", re.I),
         "needlessly slow solutions that time out", code_only=True),
    Rule("edge-cases", ("IndexError", "ZeroDivisionError", "ValueError", "TypeError", "KeyError"),
         "- Handle edge cases explicitly, especially empty input.",
         re.compile(r"\b(assume (that )?(the )?input is valid|ignore edge cases|"
                    r"non-empty input)", re.I),
         "wrong results or crashes on empty and edge-case input", code_only=True),
    Rule("boundaries", ("AssertionError",),
         "- Check loop bounds, slices and comparisons for off-by-one errors.",
         re.compile(r"\b(without testing|skip (the )?tests?)", re.I),
         "off-by-one results at loop bounds, slices and comparisons", code_only=True),
    # Prompts whose answer is text (a label, a field, a short answer) judged by a check that
    # names these classes (tasks/reviews/check_label.py does): the answer right but not
    # alone, and an answer that is not one of those allowed.
    Rule("answer-only", ("AnswerFormatError",),
         "- Reply with the answer alone: no explanation, no greeting, no extra words.",
         re.compile(r"\b(explain|explanation|reasoning|friendly|polite|mention|elaborate|justify|"
                    r"full sentences?)", re.I),
         "explanations and extra words around the answer (AnswerFormatError)"),
    Rule("allowed-answers", ("WrongAnswerError",),
         "- Reply with exactly one of the allowed answers, spelled as given.",
         re.compile(r"\b(how [\w ]{0,24}feels?|in your own words|describe|summari[sz]e)", re.I),
         "answers that are none of the allowed ones (WrongAnswerError)"),
    # The classes a promptfoo suite's assertions name (suites/assertions.py): a phrase the case
    # requires is missing, or the JSON does not have the fields its schema asks for.
    Rule("required-content", ("MissingContentError",),
         "- Use the exact words the answer must contain (names, labels, codes), as given.",
         re.compile(r"\b(paraphrase|in your own words|rephrase|synonyms?|creative|vary (the |your )?wording)",
                    re.I),
         "answers that leave out the words the checks look for (MissingContentError)"),
    Rule("schema", ("SchemaError",),
         "- Reply with one JSON object that has every required field, with the allowed values.",
         re.compile(r"\b(free[- ]form|any format|flexible format|as you see fit|omit (any )?fields?)", re.I),
         "JSON without the required fields or with values the schema does not allow (SchemaError)"),
    # What the output of a text answer shows (suites/assertions.diagnose names it).
    Rule("no-fences", ("FencedAnswerError",),
         "- Reply with the bare answer, not inside a markdown code block.",
         re.compile(r"\b(markdown|code ?block|fenced?|backticks|format [\w ]{0,20}nicely)", re.I),
         "answers wrapped in a markdown code block (FencedAnswerError)"),
    Rule("label-case", ("LabelCaseError",),
         "- Write every label in lower case, exactly as listed.",
         re.compile(r"\b(capitali[sz]e|title case|upper ?case|all caps|stand out)", re.I),
         "labels written in another case than the one listed (LabelCaseError)"),
    Rule("every-field", ("MissingFieldError",),
         "- Always include every field, even when unsure of its value.",
         re.compile(r"\b(only (include|give|add|fill)[\w ]{0,30}(confident|sure|certain)|omit|leave out|"
                    r"skip (any )?fields?)", re.I),
         "JSON answers that leave a required field out (MissingFieldError)"),
    Rule("concise", ("TooLongError",),
         "- Keep free-text fields to one short sentence.",
         re.compile(r"\b(thorough|every detail|in detail|detailed|comprehensive|verbose|as long as)", re.I),
         "free text that runs on past what was asked (TooLongError)"),
    Rule("always-answer", ("RefusalError",),
         "- Always give an answer; never decline.",
         re.compile(r"\b(decline|refuse|refer [\w ]{0,30}to a human|do not answer)", re.I),
         "refusals where an answer was expected (RefusalError)"),
)


# A negation earlier in the same clause turns a provoking phrase into a mitigation:
# "no explanation", "never brute force", "do not rename".
_NEGATED = re.compile(r"\b(no|not|never|without|nor|don't|do not|avoid)\b[^.;:,!?]*$", re.I)


def provokes(rule: Rule, line: str) -> bool:
    """True if ``line`` asks for what causes ``rule``'s failure: a provoking phrase that is not
    negated, in a line that is not one of this library's own instructions."""
    said = normalize(line.strip().lstrip("-* "))
    if any(said == normalize(r.instruction.lstrip("-* ")) for r in RULES):
        return False
    return any(not _NEGATED.search(line[:match.start()]) for match in rule.provoking.finditer(line))


EXPLORE_EVERY = 4  # every 4th proposal tries the kind the evidence is least sure about


def _kind_effects(context: ProposalContext) -> dict[str, float]:
    """Mean measured gain of each edit kind: the evidence index's prior when there is one,
    else this target's own history (evaluated edits only)."""
    if context.prior:
        return {kind: effect.mean_gain for kind, effect in context.prior.items()}
    gains: dict[str, list[float]] = {}
    for past in context.history:
        if past.gain is not None:
            gains.setdefault(past.edit.kind, []).append(past.gain)
    return {kind: sum(v) / len(v) for kind, v in gains.items()}


def _uncertainty(kind: str, context: ProposalContext) -> float:
    effect = context.prior.get(kind)
    return 2.0 if effect is None else effect.high - effect.low


def _prior(kind: str, effects: dict[str, float]) -> float:
    # 10 points of measured gain doubles a kind's weight; a measured loss shrinks it.
    return min(3.0, max(0.2, 1.0 + 10.0 * effects.get(kind, 0.0)))


def _insert_anchor(prompt: str) -> tuple[str | None, tuple[int, int] | None, str]:
    """Where a new instruction goes: after the last bullet line, else after the last line."""
    lines = prompt.splitlines(keepends=True)
    bullets = [i for i, line in enumerate(lines) if line.lstrip().startswith(("- ", "* "))]
    index = bullets[-1] if bullets else max(i for i, line in enumerate(lines) if line.strip())
    line = lines[index]
    prefix = "" if line.endswith("\n") else "\n"
    if prompt.count(line) == 1:
        return line, None, prefix
    return None, (index + 1, index + 1), prefix


def _short(line: str, width: int = 48) -> str:
    text = " ".join(line.strip().lstrip("-* ").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _already_said(prompt: str, instruction: str) -> bool:
    return normalize(instruction.lstrip("-* ")) in normalize(prompt)


def _room_for(context: ProposalContext, instruction: str) -> bool:
    """Adding ``instruction`` keeps the prompt within the directives' max_words."""
    limit = context.directives.max_words
    return limit is None or len(context.prompt.split()) + len(instruction.split()) <= limit


def candidates(context: ProposalContext) -> list[tuple[float, Proposal]]:
    """Every edit the rules suggest, best first. An instruction against a failure is not added
    while a line of the prompt still asks for it and its deletion is still open (neither rejected
    nor run out of rounds): a counter-instruction beside the line it contradicts is a weaker edit
    than the deletion, and it spends the prompt's room to grow (edits.max_growth), which a later
    edit may need. (Measured: benchmarks/prior.py, where an edit-kind prior that ranked the adds
    first cost final truth in 3 of 10 seeds.)"""
    effects = _kind_effects(context)
    rejected = context.rejected_here()
    ran_out = context.ran_out_elsewhere()
    found: list[tuple[float, Proposal]] = []
    for rule in RULES:
        count = sum(context.error_counts.get(c, 0) for c in rule.error_classes)
        if not count or (rule.code_only and context.command_kind != CODE_COMMAND):
            continue
        evidence = f"{count} of {context.runs} runs failed with {'/'.join(rule.error_classes)}."
        deletions = []
        for line in context.prompt.splitlines(keepends=True):
            if provokes(rule, line) and context.prompt.count(line) == 1 \
                    and not protected_lines(context.directives, line):
                edit = Edit(op="delete", old=line, kind=f"delete-line:{rule.topic}")
                deletions.append(edit.key())
                found.append((count * DELETION_PREFERENCE * _prior(edit.kind, effects), Proposal(
                    edit, f"Remove {_short(line)!r} to stop {rule.problem}",
                    f"{evidence} That line asks for what causes it; deleting it also shortens "
                    "the prompt.")))
        if any(key not in rejected and key not in ran_out for key in deletions):
            continue
        if not _already_said(context.prompt, rule.instruction) and _room_for(context, rule.instruction):
            old, lines, prefix = _insert_anchor(context.prompt)
            edit = Edit(op="insert_after", old=old, lines=lines,
                        new=prefix + rule.instruction + "\n", kind=f"add-constraint:{rule.topic}")
            found.append((count * _prior(edit.kind, effects), Proposal(
                edit, f"Add {_short(rule.instruction)!r} to stop {rule.problem}",
                f"{evidence} No instruction in the prompt addresses it yet.")))
    ranked = [(score * (RAN_OUT_WEIGHT if p.edit.key() in ran_out else 1.0), p)
              for score, p in found if p.edit.key() not in rejected]
    return sorted(ranked, key=lambda sp: -sp[0])


class RulesProposer:
    name = "rules"

    def propose(self, context: ProposalContext) -> Proposal | None:
        ranked = candidates(context)
        if not ranked:
            return None
        if context.prior and context.iteration % EXPLORE_EVERY == EXPLORE_EVERY - 1:
            # Exploration: among the plausible half, the kind whose effect is least known.
            plausible = ranked[: max(1, len(ranked) // 2)]
            return max(plausible, key=lambda sp: _uncertainty(sp[1].edit.kind, context))[1]
        return ranked[0][1]

    def propose_many(self, context: ProposalContext, count: int) -> list[Proposal]:
        """The edit ``propose`` gives, then the next best ranked ones: up to ``count``."""
        first = self.propose(context)
        if first is None:
            return []
        rest = [p for _, p in candidates(context) if p.edit.key() != first.edit.key()]
        return [first, *rest[:count - 1]]
