"""A session as Markdown for a pull request's body (`optimize --summary-md`, `report --format md`):
per kept edit its hypothesis, the diff, the claimed train gain with its confidence sequence and
the holdout figure; what was tried and not kept, in one table; the bill (runs, tokens, cost,
time). Written from the decisions and the session's run records alone, so the same session gives
the same text from `optimize` and, later, from `report`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from overseer.decision import Decision
from overseer.optimize.sealed import SealedFigure
from overseer.records import RunRecord

NOT_DECIDED = ("no_proposal", "failed")


@dataclass(frozen=True)
class Bill:
    runs: int
    tokens: int
    cost_usd: float
    run_seconds: float   # the runs' own time, summed (wall time depends on -j and the machine)

    @classmethod
    def of(cls, records: Sequence[RunRecord]) -> Bill:
        return cls(runs=len(records), tokens=sum(r.usage.tokens for r in records if r.usage),
                   cost_usd=sum(r.usage.cost_usd for r in records if r.usage),
                   run_seconds=sum(r.command_s + r.check_s for r in records))


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _kept(number: int, d: Decision) -> list[str]:
    interval = f"[{d.interval[0]:+.3f}, {d.interval[1]:+.3f}]" if d.interval else "not computed"
    holdout = ""
    if d.holdout_before is not None and d.holdout_after is not None:
        holdout = (f"- holdout pass rate: {_rate(d.holdout_before.pass_rate)} → {_rate(d.holdout_after.pass_rate)} "
                   f"({d.holdout_after.runs} runs; the gate: not worse than the parent)")
    title = _cell(d.hypothesis) or (d.edit.summary() if d.edit else "an edit")
    lines = [f"### {number}. {title}", "",
             f"- edit: `{d.edit.kind if d.edit else '-'}`, {d.edit.summary(80) if d.edit else ''}",
             f"- train gain: {d.gain:+.3f}, confidence sequence {interval} (each end at 95%), "
             f"p-value {d.p_value:.4f}, after {d.repeats} rounds, {d.runs_used} runs"
             if d.gain is not None and d.p_value is not None else "- train gain: not measured",
             f"- train pass rate: {_rate(d.train_before.pass_rate if d.train_before else None)} → "
             f"{_rate(d.train_after.pass_rate if d.train_after else None)}"]
    lines += [holdout] if holdout else []
    if d.rationale:
        lines += [f"- why: {_cell(d.rationale)[:400]}"]
    if d.diff:
        lines += ["", "```diff", d.diff.rstrip("\n"), "```"]
    return [*lines, ""]


def session_markdown(target: str, session_id: str, decisions: Sequence[Decision],
                     records: Sequence[RunRecord], sealed: SealedFigure | None = None) -> str:
    kept = [d for d in decisions if d.outcome == "accepted"]
    others = [d for d in decisions if d.outcome != "accepted" and d.outcome not in NOT_DECIDED]
    decided = [d for d in decisions if d.train_before is not None]
    start = decided[0].train_before.pass_rate if decided and decided[0].train_before else None
    final = kept[-1].train_after.pass_rate if kept and kept[-1].train_after else start
    bill = Bill.of(records)
    out = [f"## overseer: {target}, session {session_id}", ""]
    if kept:
        out += [f"Kept {len(kept)} of {len(kept) + len(others)} edits tried, each proven on the train "
                f"tasks at α = 0.05 and not worse on the holdout; train pass rate {_rate(start)} → "
                f"{_rate(final)}.", ""]
    else:
        out += [f"Nothing kept: {len(others)} edits tried, none proven.", ""]
    if sealed is not None:
        out += [f"On the sealed test set, which no decision and no proposer saw ({sealed.tasks} tasks x "
                f"{sealed.repeats}, the starting prompt against the final one at the same seeds): "
                f"{_rate(sealed.before)} → {_rate(sealed.after)}, gain {sealed.gain:+.3f} in "
                f"[{sealed.low:+.3f}, {sealed.high:+.3f}] (each end at {1 - sealed.alpha:.0%}).", ""]
    for number, decision in enumerate(kept, start=1):
        out += _kept(number, decision)
    if others:
        out += ["### Tried and not kept", "", "| # | edit | outcome | gain | interval | why |",
                "|---|---|---|---|---|---|"]
        for d in others:
            interval = f"[{d.interval[0]:+.3f}, {d.interval[1]:+.3f}]" if d.interval else "-"
            gain = f"{d.gain:+.3f}" if d.gain is not None else "-"
            edit = _cell(d.edit.summary(50)) if d.edit else "-"
            out.append(f"| {d.iteration + 1} | {edit} | {d.outcome} | {gain} | {interval} | {_cell(d.reason)[:160]} |")
        out.append("")
    out += ["### Bill", "",
            f"{bill.runs} runs, {bill.tokens:,} tokens, ${bill.cost_usd:.4f}, "
            f"{bill.run_seconds / 60:.1f} minutes of run time.", ""]
    return "\n".join(out)
