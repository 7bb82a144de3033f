"""A proposal panel: several personas propose, a reviewer critiques every proposal before any run
is spent on it (sending it back once for a refinement when that can fix it), and the personas
vote on the survivors.

The vote is a Borda count: each persona ranks every surviving proposal (its own preferences
applied to the evidence), a proposal gets n-1 points for a first place down to 0 for a last, and
the evidence prior (the measured effect of earlier edits of the same kind) casts one more ballot
when there is one. Borda rather than instant runoff: the race needs an order of all the
survivors, not one winner; with three voters who each put their own proposal first, instant
runoff eliminates on ties in its first round, where Borda still uses every voter's whole
ranking.

Every proposal comes back, the vetoed ones too, each with the panel's record (PanelRecord: the
proposals, their critiques and refinements, the ballots and the scores); the loop records a vetoed
proposal as a Decision with outcome "vetoed" and spends no run on it. Offline, the personas are
variants of the rules proposer and the reviewer is rules (RulesReviewer); both are seams (Persona,
Reviewer) for LLM roles and plugins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from overseer.edits import normalize
from overseer.llm import LLMClient
from overseer.plugins import load
from overseer.proposers.base import PastEdit, Proposal, ProposalContext, ProposalFailed
from overseer.proposers.roles import Critique, Persona, Reviewer, mechanical_check
from overseer.proposers.rules import RULES, _kind_effects, _prior, candidates, provokes
from overseer.review import PanelProposal, PanelRecord

BLOAT_WORDS = 30      # an addition longer than this is sent back to be shortened
ROUNDS = 3            # times the personas are asked again when the reviewer vetoed everything
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(["a", "an", "and", "the", "to", "of", "for", "in", "on", "with", "by", "it", "its", "is", "be", "every", "each", "any", "all", "or", "as", "that", "this", "your", "you", "do"])


# Offline personas: the rules proposer's candidates, weighted by what each persona cares about.
PERSONAS: dict[str, dict[str, float]] = {
    "minimalist": {"delete-line": 2.0, "add-constraint": 0.5},
    "edge-case-hunter": {"edge-cases": 2.0, "boundaries": 2.0, "efficiency": 1.5},
    "format-stickler": {"output-format": 2.0, "signature": 2.0, "imports": 1.5},
}


class RulesPersona:
    """A variant of the rules proposer that weights each kind (``op:topic``) by its preferences
    for the op and for the topic."""

    def __init__(self, name: str) -> None:
        if name not in PERSONAS:
            raise ValueError(f"unknown persona {name!r}; offline personas: {', '.join(PERSONAS)}")
        self.name, self.likes = name, PERSONAS[name]

    def weight(self, kind: str) -> float:
        op, _, topic = kind.partition(":")
        return self.likes.get(op, 1.0) * self.likes.get(topic, 1.0)

    def propose(self, context: ProposalContext) -> Proposal | None:
        ranked = [(score * self.weight(p.edit.kind), p) for score, p in candidates(context)]
        return max(ranked, key=lambda sp: sp[0])[1] if ranked else None

    def rank(self, proposals: Sequence[Proposal], context: ProposalContext) -> list[int]:
        base = {p.edit.key(): score for score, p in candidates(context)}
        floor = min(base.values(), default=1.0) / 2   # a proposal the rules would not make
        return sorted(range(len(proposals)), key=lambda i: -base.get(proposals[i].edit.key(), floor)
                      * self.weight(proposals[i].edit.kind))

    def refine(self, proposal: Proposal, critique: str, context: ProposalContext) -> Proposal | None:
        """Offline, only bloat can be refined: the added text cut to its first sentence."""
        edit = proposal.edit
        if edit.op == "delete" or "words" not in critique:
            return None
        first = re.split(r"(?<=[.!?])\s", edit.new.strip(), maxsplit=1)[0]
        if len(first.split()) > BLOAT_WORDS or first == edit.new.strip():
            return None
        new = ("\n" if edit.new.startswith("\n") else "") + first + ("\n" if edit.new.endswith("\n") else "")
        return Proposal(edit.model_copy(update={"new": new}), proposal.hypothesis,
                        proposal.rationale + " (shortened)")


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """(lines added, lines removed), by content."""
    old, new = before.splitlines(), after.splitlines()
    return [line for line in new if line not in old], [line for line in old if line not in new]


class RulesReviewer:
    """Critiques a proposal with the same evidence the proposers saw: vetoes an edit that breaks a
    directive, repeats an instruction the prompt already gives, asks for what causes failures the
    runs show, or targets a failure no run shows; sends back an addition of more than BLOAT_WORDS
    words to be shortened."""

    name = "rules"

    def review(self, proposal: Proposal, context: ProposalContext) -> Critique:
        after = mechanical_check(proposal, context)
        if isinstance(after, Critique):
            return after
        added, _ = changed_lines(context.prompt, after)
        for line in added:
            if (said := _repeats(line, context.prompt)) is not None:
                return Critique("veto", f"duplicates an existing instruction: {said.strip()!r}")
            for rule in RULES:
                seen = sum(context.error_counts.get(c, 0) for c in rule.error_classes)
                if seen and provokes(rule, line):
                    return Critique("veto", f"contradicts the evidence: {line.strip()!r} asks for "
                                            f"{rule.problem}, seen in {seen} failing runs")
        _, _, topic = proposal.edit.kind.partition(":")
        target = next((r for r in RULES if r.topic == topic), None)
        if target is not None and not any(context.error_counts.get(c) for c in target.error_classes):
            return Critique("veto", f"targets {target.problem}, which no failing run shows")
        words = sum(len(line.split()) for line in added)
        if words > BLOAT_WORDS:
            return Critique("refine", f"adds bloat: {words} words (at most {BLOAT_WORDS})")
        return Critique("keep")


def _repeats(line: str, prompt: str) -> str | None:
    """The line of ``prompt`` that ``line`` says again: all of its content words are there, or most
    of both lines' words are shared."""
    words = _words(line)
    if not words:
        return None
    for other in prompt.splitlines():
        if normalize(other) == normalize(line):
            continue
        theirs = _words(other)
        if theirs and (words <= theirs or len(words & theirs) >= 0.6 * len(words | theirs)):
            return other
    return None


class PanelProposer:
    name = "panel"
    reviews = True   # propose_up_to asks for propose_many even for one candidate

    def __init__(self, personas: Sequence[Persona], reviewer: Reviewer) -> None:
        if not personas:
            raise ValueError("a panel needs at least one persona")
        self.personas, self.reviewer = list(personas), reviewer

    def propose(self, context: ProposalContext) -> Proposal | None:
        kept = [p for p in self.propose_many(context, 1) if not p.vetoed]
        return kept[0] if kept else None

    def propose_many(self, context: ProposalContext, count: int) -> list[Proposal]:
        """The top ``count`` survivors of the vote, then every vetoed proposal (``vetoed``), each
        carrying the panel's record (``panel``)."""
        record = PanelRecord()
        survivors: list[tuple[int, Proposal]] = []
        refused: list[tuple[int, Proposal]] = []
        tried: list[Proposal] = []   # this call's proposals and refinements, kept or not
        for _ in range(ROUNDS):
            fresh = False
            for persona in self.personas:
                proposal = persona.propose(_with_tried(context, tried))
                if proposal is None:
                    continue
                if proposal.edit.key() in context.rejected_here() or \
                        any(proposal.edit.key() == t.edit.key() for t in tried):
                    record.dropped.append(f"{persona.name}: repeated an edit already tried")
                    continue
                fresh = True
                index, kept, final = self._reviewed(persona, proposal, context, record)
                tried += [proposal] if final is proposal else [proposal, final]
                (survivors if kept else refused).append((index, final))
            if survivors or not fresh:
                break
        order = self._vote([p for _, p in survivors], context, record, [i for i, _ in survivors])
        invalid = [why for persona in self.personas for why in getattr(persona, "dropped", [])]
        for persona in self.personas:   # LLM roles whose reply was invalid twice say why
            getattr(persona, "dropped", []).clear()
        record.dropped += invalid
        if not survivors and not refused and invalid:
            more = f" (and {len(invalid) - 1} more)" if len(invalid) > 1 else ""
            raise ProposalFailed(f"the panel proposed nothing: every reply was invalid twice; {invalid[0]}{more}")
        record.chosen = [survivors[j][0] for j in order[:count]]
        chosen = [_marked(survivors[j][1], record, False) for j in order[:count]]
        return chosen + [_marked(p, record, True) for _, p in refused]

    def _reviewed(self, persona: Persona, proposal: Proposal, context: ProposalContext,
                  record: PanelRecord) -> tuple[int, bool, Proposal]:
        """(its index in the record, kept, the proposal or its refinement)."""
        critique = self.reviewer.review(proposal, context)
        record.proposals.append(_entry(persona, proposal, critique))
        if critique.verdict == "refine" and (
                refined := persona.refine(proposal, critique.reason, context)) is not None:
            again = self.reviewer.review(refined, context)
            record.proposals.append(_entry(persona, refined, again, refined=True))
            return len(record.proposals) - 1, again.verdict == "keep", refined
        return len(record.proposals) - 1, critique.verdict == "keep", proposal

    def _vote(self, proposals: list[Proposal], context: ProposalContext, record: PanelRecord,
              indices: list[int]) -> list[int]:
        """Borda count over the personas' ballots and the prior's; positions in ``proposals``,
        best first (ties: the order proposed)."""
        n = len(proposals)
        points = [0.0] * n
        ballots: dict[str, list[int]] = {}
        for persona in self.personas:
            if ballot := persona.rank(proposals, context):   # an empty ballot was dropped
                ballots[persona.name] = ballot
        effects = _kind_effects(context) if context.prior else {}
        if effects:
            ballots["evidence prior"] = sorted(range(n), key=lambda i: -_prior(proposals[i].edit.kind, effects))
        for ballot in ballots.values():
            for place, i in enumerate(ballot):
                points[i] += n - 1 - place
        record.ballots = {name: [indices[i] for i in ballot] for name, ballot in ballots.items()}
        record.scores = {indices[i]: points[i] for i in range(n)}
        return sorted(range(n), key=lambda i: (-points[i], i))


def _entry(persona: Persona, proposal: Proposal, critique: Critique, refined: bool = False) -> PanelProposal:
    return PanelProposal(persona=persona.name, key=proposal.edit.key(), kind=proposal.edit.kind,
                         summary=proposal.hypothesis, verdict="kept" if critique.verdict == "keep" else "vetoed",
                         critiques=[critique.reason] if critique.reason else [], refined=refined)


def _with_tried(context: ProposalContext, tried: list[Proposal]) -> ProposalContext:
    """The context as a persona sees it: this round's proposals so far count as tried."""
    past = [PastEdit(p.edit, "proposed this round", None, context.prompt_hash, p.hypothesis,
                     context.session_id) for p in tried]
    return replace(context, history=[*context.history, *past]) if past else context


def _marked(proposal: Proposal, record: PanelRecord, is_vetoed: bool) -> Proposal:
    return replace(proposal, panel=record, vetoed=is_vetoed)


def panel_from_options(options: dict[str, object], *, client: LLMClient | None = None,
                       reflection: str = "", max_edit_chars: int = 400,
                       where: str = "proposer.options") -> PanelProposer:
    """``proposer: {kind: panel, model: ..., options: {personas: [...], reviewer: rules | llm |
    PLUGIN, reviewer_options: {...}}}``: without a model, rules personas (the names in PERSONAS);
    with one, LLM personas (those names, or ``{name: description}`` entries of your own) and, for
    ``reviewer: llm``, an LLM reviewer; any other reviewer is an ``overseer.reviewers`` plugin,
    made by its factory from ``reviewer_options``."""
    from overseer.proposers.panel_llm import LLMPersona, LLMReviewer  # the LLM roles, when used

    entries = options.get("personas", list(PERSONAS))
    if not isinstance(entries, list) or not entries:
        raise ValueError("personas: a list of persona names (or, with a model, {name: description})")
    personas: list[Persona] = []
    for entry in entries:
        if client is not None and isinstance(entry, dict) and len(entry) == 1:
            [(name, description)] = entry.items()
            personas.append(LLMPersona(str(name), client, reflection, max_edit_chars, str(description)))
        elif isinstance(entry, str) and client is not None:
            personas.append(LLMPersona(entry, client, reflection, max_edit_chars))
        elif isinstance(entry, str):
            personas.append(RulesPersona(entry))
        else:
            raise ValueError(f"a persona is a name{' or {name: description}' if client else ''}, not {entry!r}")
    reviewer = options.get("reviewer", "llm" if client is not None else "rules")
    if reviewer == "rules":
        return PanelProposer(personas, RulesReviewer())
    if reviewer == "llm" and client is not None:
        return PanelProposer(personas, LLMReviewer(client))
    if not isinstance(reviewer, str) or reviewer == "llm":
        raise ValueError(f"unknown reviewer {reviewer!r}; rules, llm with the proposer's model, "
                         "or a reviewer plugin's name")
    reviewer_options = options.get("reviewer_options") or {}
    if not isinstance(reviewer_options, dict):
        raise ValueError(f"reviewer_options: a mapping of the reviewer plugin's options, not {reviewer_options!r}")
    factory = load("reviewers", reviewer, f"{where}.reviewer")
    return PanelProposer(personas, factory(dict(reviewer_options)))
