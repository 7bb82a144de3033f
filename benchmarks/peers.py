"""Our acceptance rule against peers' rules: same proposer, same budget of target runs.

    python benchmarks/peers.py [--seeds 5] [--budgets 1000 3000] [--noise 0 0.5]
                               [--sampling seeded|fresh]
                               [--methods ours ours-fixed ours-race1 naive gepa-rule gepa]

Every method optimizes the example codewriter prompt on the simulator (36 train tasks; the 12
holdout tasks are never shown to any method) with overseer's `rules` proposer supplying every new
text, until it has used the budget of target runs (a run that would exceed it is not made):

- ours: the real optimize loop at its defaults (repeats 2, escalation to 16, screen, holdout gate);
  only the command runs are replaced by the simulator's fast path (same seeding as real runs).
- ours-fixed: the same with --max-repeats 2 (no escalation: the rule before issue 5).
- ours-race1: the same with --race 1 (one candidate per iteration: no racing).
- naive: evaluate the candidate on all train tasks (2 repeats, like ours), keep it if the train
  mean went up.
- gepa-rule: GEPA's default acceptance: evaluate parent and candidate on a minibatch of 3 train
  tasks (epoch-shuffled), keep the candidate if its summed score is strictly higher.
- gepa: the real `gepa` package (pinned below), driving the simulator through its adapter
  interface, with our proposer as its custom candidate proposer, at the same number of metric
  calls; its valset is the train set (GEPA's Pareto selection needs one).

With --noise P, a share P of the proposals is replaced by a careless line (CARELESS): most
provoke a failure mode, as an LLM proposer's wrong guesses would. Reported per method: the ground truth (the simulator's exact expected pass rate) of the final
prompt on the holdout, the number of kept edits whose true effect (on all 48 tasks) was <= 0, and
the runs used, runs per kept edit, and (ours and its variants) the runs spent deciding careless
proposals. Each GEPA-style evaluation draws fresh noise, as a model at temperature > 0 would.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import git

from overseer.commands.demo import build_demo_repo
from overseer.config import PromptLocation, load_config
from overseer.decision import Decision
from overseer.edits import Edit, EditRejected, apply_edit
from overseer.evidence import allocate
from overseer.optimize import Hooks, OptimizeOptions, candidate_text, optimize_target
from overseer.prompts import prompt_hash, read_prompt
from overseer.proposers import PastEdit, Proposal, ProposalContext, Proposer, build_context
from overseer.proposers.panel import PERSONAS, PanelProposer, RulesPersona, RulesReviewer
from overseer.proposers.rules import RulesProposer
from overseer.records import RunRecord
from overseer.sim import expected_pass_rate
from overseer.sim.fast import fast_evaluator, simulated_records
from overseer.sim.profile import PROFILE_ENV, profile_with_sampling
from overseer.tasks import Task, load_task_set, split_holdout

GEPA_VERSION = "0.1.4"  # pinned: benchmarks/requirements.txt
ROOT = Path(__file__).resolve().parent.parent
PROMPT = PromptLocation(file="examples/codewriter/codewriter.py", variable="PROMPT")
CONFIG = """\
schema_version: 1
targets:
  codewriter:
    command: "sim"
    prompt: {file: examples/codewriter/codewriter.py, variable: PROMPT}
    tasks: tasks/pyfuncs
    repeats: 2
    seed: SEED
    accept: {design: DESIGN}
"""


DESIGN = ["paired"]   # ours' accept.design (--design)


class BudgetExhausted(Exception):
    pass


@dataclass
class Runs:
    """The target's runs: simulated, counted against the budget. ``fresh`` draws a new repeat of a
    (prompt, task) each time, as re-running a real model does."""

    budget: int
    seed: int
    strict: bool = True  # False: the caller keeps to the budget itself (gepa's max_metric_calls)
    used: int = 0
    draws: Counter[tuple[str, str]] = field(default_factory=Counter)

    def charge(self, count: int) -> None:
        if self.strict and self.used + count > self.budget:
            raise BudgetExhausted
        self.used += count

    def fresh(self, prompt: str, tasks: Sequence[Task]) -> list[RunRecord]:
        self.charge(len(tasks))
        records = []
        for task in tasks:
            key = (prompt_hash(prompt), task.id)
            repeat, self.draws[key] = self.draws[key], self.draws[key] + 1
            records += simulated_records(prompt, [task], repeat + 1, self.seed, only={(task.id, repeat)})
        return records


@dataclass
class Outcome:
    final: str
    lineage: list[tuple[str, str]]  # (parent, child) for each kept edit leading to the final prompt
    runs: int
    careless_runs: int | None = None  # runs spent deciding careless proposals (ours only)


# Lines a careless proposer might add: each provokes one of the simulator's failure modes, except
# the last two, which do nothing. They stand for an LLM proposer's wrong guesses.
CARELESS = [
    "- Walk through the code briefly after writing it.", "- Prefer camelCase names.",
    "- Keep it minimal: skip boilerplate.", "- Assume inputs are well formed.",
    "- No need to test the code.", "- Prefer a simple brute force approach.",
    "- Write clean, well-structured code.", "- Add a docstring to the function.",
]

CARELESS_KIND = "add-constraint:careless"


class NoisyProposer:
    """The rules proposer, except that with probability ``noise`` it proposes one of CARELESS."""

    name = "rules"

    def __init__(self, noise: float, seed: int) -> None:
        self.rules, self.noise, self.seed = RulesProposer(), noise, seed

    def propose(self, context: ProposalContext) -> Proposal | None:
        return next(iter(self.propose_many(context, 1)), None)

    def propose_many(self, context: ProposalContext, count: int) -> list[Proposal]:
        """Up to ``count`` proposals (a race's): each slot careless with probability ``noise``,
        else the rules proposer's next best."""
        rng = random.Random(f"{self.seed}:{context.prompt_hash}:{len(context.history)}")
        unused = [line for line in CARELESS if line not in context.prompt]
        good = self.rules.propose_many(context, count)
        proposals: list[Proposal] = []
        for _ in range(count):
            if unused and rng.random() < self.noise:
                line = unused.pop(rng.randrange(len(unused)))
                edit = Edit(op="insert_after", old=context.prompt.splitlines()[0], new="\n" + line,
                            kind=CARELESS_KIND)
                if edit.key() not in context.rejected_here():
                    proposals.append(Proposal(edit, f"add: {line}", "a careless guess"))
                    continue
            if good:
                proposals.append(good.pop(0))
        return proposals


class Setup:
    def __init__(self, noise: float = 0.0, seed: int = 0) -> None:
        self.start = read_prompt(ROOT, PROMPT)
        self.train, self.holdout = split_holdout(load_task_set(ROOT / "tasks" / "pyfuncs"), 0.25)
        self.proposer, self.noise = NoisyProposer(noise, seed), noise

    def propose(self, prompt: str, records: Sequence[RunRecord],
                history: list[PastEdit]) -> tuple[Edit, str] | None:
        """The rules proposer's next edit and the text it makes, or None when it has nothing
        (left) to try; an edit the budgets refuse is recorded and skipped, as the optimizer does."""
        for _ in range(20):
            context = build_context(prompt=prompt, prompt_hash=prompt_hash(prompt),
                                    start_length=len(self.start), records=records,
                                    tasks=self.train.tasks, artifacts_base=ROOT, history=history,
                                    max_failures=6, iteration=len(history))
            proposal = self.proposer.propose(context)
            if proposal is None:
                return None
            try:
                return proposal.edit, apply_edit(prompt, proposal.edit, start_length=len(self.start)).text
            except EditRejected:
                history.append(PastEdit(proposal.edit, "invalid", None, prompt_hash(prompt)))
        return None


def mean(records: Sequence[RunRecord]) -> float:
    return statistics.fmean(r.passed for r in records) if records else 0.0


Step = Callable[[str, list[PastEdit]], tuple[bool, str] | None]


def linear(setup: Setup, runs: Runs, step: Step) -> Outcome:
    """A loop that keeps one current prompt; ``step`` returns (kept, candidate), or None when
    the proposer has nothing left."""
    current, lineage, history = setup.start, [], []
    try:
        while (result := step(current, history)) is not None:
            kept, candidate = result
            if kept:
                lineage.append((current, candidate))
                current = candidate
    except BudgetExhausted:
        pass
    return Outcome(current, lineage, runs.used)


def naive(setup: Setup, runs: Runs) -> Outcome:
    parent_runs: dict[str, list[RunRecord]] = {}

    def step(current: str, history: list[PastEdit]) -> tuple[bool, str] | None:
        if current not in parent_runs:
            parent_runs[current] = runs.fresh(current, list(setup.train.tasks) * 2)
        proposed = setup.propose(current, parent_runs[current], history)
        if proposed is None:
            return None
        edit, candidate = proposed
        after = runs.fresh(candidate, list(setup.train.tasks) * 2)
        gain = mean(after) - mean(parent_runs[current])
        kept = gain > 0
        history.append(PastEdit(edit, "accepted" if kept else "rejected", gain, prompt_hash(current)))
        if kept:
            parent_runs[candidate] = after
        return kept, candidate

    return linear(setup, runs, step)


def epoch_batches(tasks: Sequence[Task], size: int, rng: random.Random):  # type: ignore[no-untyped-def]
    while True:
        order = list(tasks)
        rng.shuffle(order)
        for i in range(0, len(order) - size + 1, size):
            yield order[i:i + size]


def gepa_rule(setup: Setup, runs: Runs, seed: int) -> Outcome:
    batches = epoch_batches(setup.train.tasks, 3, random.Random(seed))

    def step(current: str, history: list[PastEdit]) -> tuple[bool, str] | None:
        for _ in range(1000):
            batch = next(batches)
            before = runs.fresh(current, batch)
            if mean(before) < 1.0:  # GEPA skips a perfect minibatch (skip_perfect_score)
                break
        else:
            return None
        proposed = setup.propose(current, before, history)
        if proposed is None:
            return False, current  # nothing for these failures; another minibatch
        edit, candidate = proposed
        after = runs.fresh(candidate, batch)
        kept = sum(r.passed for r in after) > sum(r.passed for r in before)
        history.append(PastEdit(edit, "accepted" if kept else "rejected",
                                mean(after) - mean(before), prompt_hash(current)))
        return kept, candidate

    return linear(setup, runs, step)


class NoisyPersona(RulesPersona):
    """A rules persona of the panel, except that with probability ``noise`` it proposes one of
    CARELESS (as NoisyProposer does for the single proposer)."""

    def __init__(self, name: str, noise: float, seed: int) -> None:
        super().__init__(name)
        self.noise, self.seed = noise, seed

    def propose(self, context: ProposalContext) -> Proposal | None:
        rng = random.Random(f"{self.seed}:{self.name}:{context.prompt_hash}:{len(context.history)}")
        unused = [line for line in CARELESS if line not in context.prompt]
        if unused and rng.random() < self.noise:
            line = unused[rng.randrange(len(unused))]
            edit = Edit(op="insert_after", old=context.prompt.splitlines()[0], new="\n" + line,
                        kind=CARELESS_KIND)
            if edit.key() not in context.rejected_here():
                return Proposal(edit, f"add: {line}", "a careless guess")
        return super().propose(context)


def panel(noise: float, seed: int) -> PanelProposer:
    return PanelProposer([NoisyPersona(name, noise, seed) for name in PERSONAS], RulesReviewer())


def ours(setup: Setup, runs: Runs, seed: int, max_repeats: int | None = None,
         race: int | None = None, proposer: Proposer | None = None) -> Outcome:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        build_demo_repo(root)
        (root / "overseer.yaml").write_text(CONFIG.replace("SEED", str(seed)).replace("DESIGN", DESIGN[0]))
        repo = git.Repo(root)
        repo.git.add(A=True)
        repo.index.commit("benchmark target")
        loaded = load_config(root / "overseer.yaml")
        lineage: list[tuple[str, str]] = []
        current = [setup.start]
        careless = [0]

        def decided(decision: Decision) -> None:
            if decision.edit and decision.edit.kind == CARELESS_KIND:
                careless[0] += decision.runs_used
            if decision.outcome == "accepted":
                lineage.append((current[0], candidate_text(current[0], decision)))
                current[0] = lineage[-1][1]

        hooks = Hooks(progress=lambda label, total: nullcontext(lambda record: None), decided=decided)
        options = OptimizeOptions(iterations=10_000, patience=10_000, max_repeats=max_repeats, race=race)
        with suppress(BudgetExhausted):
            optimize_target(loaded, "codewriter", options, hooks, proposer=proposer or setup.proposer,
                            evaluator=fast_evaluator("codewriter", loaded.config.targets["codewriter"].command, seed, runs.charge))
        final = read_prompt(root, PROMPT)
        assert final == current[0]
    return Outcome(final, lineage, runs.used, careless[0])


def real_gepa(setup: Setup, runs: Runs, seed: int) -> Outcome:
    import gepa  # type: ignore[import-not-found]
    from gepa.core.adapter import EvaluationBatch  # type: ignore[import-not-found]

    history: list[PastEdit] = []
    runs.strict = False  # an exception inside the adapter would be retried by gepa forever

    class SimAdapter:
        propose_new_texts = None  # the optional adapter proposer: we pass custom_candidate_proposer

        def evaluate(self, batch: list[Task], candidate: dict[str, str], capture_traces: bool = False) -> Any:
            records = runs.fresh(candidate["prompt"], batch)
            scores = [float(r.passed) for r in records]
            return EvaluationBatch(outputs=records, scores=scores,
                                   trajectories=records if capture_traces else None)

        def make_reflective_dataset(self, candidate: dict[str, str], eval_batch: Any,
                                    components_to_update: list[str]) -> Mapping[str, Sequence[Mapping[str, Any]]]:
            return {"prompt": [{"record": r} for r in eval_batch.trajectories]}

    def propose(candidate: dict[str, str], reflective_dataset: Mapping[str, Sequence[Mapping[str, Any]]],
                components_to_update: list[str]) -> dict[str, str]:
        records = [item["record"] for item in reflective_dataset["prompt"]]
        proposed = setup.propose(candidate["prompt"], records, history)
        if proposed is None:
            return {"prompt": candidate["prompt"]}
        # GEPA decides later, out of sight: recorded as tried so the next proposal differs
        history.append(PastEdit(proposed[0], "rejected", None, prompt_hash(candidate["prompt"])))
        return {"prompt": proposed[1]}

    result = gepa.optimize(
        seed_candidate={"prompt": setup.start}, trainset=list(setup.train.tasks),
        valset=list(setup.train.tasks), adapter=SimAdapter(), custom_candidate_proposer=propose,
        reflection_minibatch_size=3, max_metric_calls=runs.budget, seed=seed,
        display_progress_bar=False, logger=_Quiet())
    index = result.best_idx
    lineage = []
    while result.parents[index] and result.parents[index][0] is not None:
        parent = result.parents[index][0]
        lineage.append((result.candidates[parent]["prompt"], result.candidates[index]["prompt"]))
        index = parent
    return Outcome(result.best_candidate["prompt"], lineage[::-1], runs.used)


class _Quiet:
    def log(self, *args: Any, **kwargs: Any) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--budgets", type=int, nargs="+", default=[1000, 3000])
    parser.add_argument("--methods", nargs="+", default=["ours", "ours-fixed", "naive", "gepa-rule", "gepa"])
    parser.add_argument("--noise", type=float, nargs="+", default=[0.0, 0.5],
                        help="share of proposals replaced by a careless line (see CARELESS)")
    parser.add_argument("--sampling", choices=["seeded", "fresh", "coupled"], default="seeded", help=(
        "the simulated model's sampling: seeded (it uses the run's seed, common random numbers), "
        "fresh (it cannot be seeded) or coupled (half of the runs drawn as seeded: --coupling)"))
    parser.add_argument("--coupling", type=float, default=0.5, help="with --sampling coupled")
    parser.add_argument("--design", choices=["paired", "measured", "auto"], default=None,
                        help="ours' accept.design (default: the target's, paired)")
    parser.add_argument("--per-seed", action="store_true", help="print each seed's holdout truth")
    parser.add_argument("--settled-share", type=float, default=None, help=(
        "chance a settled task is run in a later round (evidence/allocate.py; 1: every task every round)"))
    args = parser.parse_args()
    if args.design:
        DESIGN[0] = args.design
    if args.settled_share is not None:
        allocate.SETTLED_SHARE = args.settled_share
    if args.sampling != "seeded":
        os.environ[PROFILE_ENV] = str(profile_with_sampling(Path(tempfile.mkdtemp()), args.sampling, args.coupling))
    setup = Setup()
    every = [*setup.train.tasks, *setup.holdout.tasks]
    start_truth = expected_pass_rate(setup.start, setup.holdout.tasks)
    methods = {"ours": ours, "ours-fixed": lambda s, r, seed: ours(s, r, seed, max_repeats=2),
               "ours-race1": lambda s, r, seed: ours(s, r, seed, race=1),
               "ours-panel": lambda s, r, seed: ours(s, r, seed, proposer=panel(s.noise, seed)),
               "naive": lambda s, r, seed: naive(s, r), "gepa-rule": gepa_rule, "gepa": real_gepa}
    if "gepa" in args.methods:
        try:
            import gepa  # noqa: F401
        except ImportError:
            print(f"gepa is not installed (pip install gepa=={GEPA_VERSION}); skipping it", file=sys.stderr)
            args.methods.remove("gepa")
    print(f"start prompt: holdout truth {start_truth:.3f}; {len(setup.train)} train tasks, "
          f"{len(setup.holdout)} holdout; seeds 0..{args.seeds - 1}; sampling {args.sampling}")
    for noise, budget in [(n, b) for n in args.noise for b in args.budgets]:
        print(f"\nbudget {budget} runs; careless proposals {noise:.0%}")
        print(f"{'method':>10} | {'holdout truth: median [min, max]':>33} | {'bad kept: median [min, max]':>28} "
              f"| {'kept':>4} | {'runs used':>9} | {'runs/kept':>9} | {'on careless':>11}")
        for name in args.methods:
            truths, bad, kept, used, careless = [], [], [], [], []
            for seed in range(args.seeds):
                outcome = methods[name](Setup(noise, seed), Runs(budget, seed), seed)
                truths.append(expected_pass_rate(outcome.final, setup.holdout.tasks))
                bad.append(sum(expected_pass_rate(child, every) - expected_pass_rate(parent, every) <= 1e-9
                               for parent, child in outcome.lineage))
                kept.append(len(outcome.lineage))
                used.append(outcome.runs)
                careless.append(outcome.careless_runs)
            print(f"{name:>10} | {statistics.median(truths):>12.3f} [{min(truths):.3f}, {max(truths):.3f}]"
                  f"{'':>5} | {statistics.median(bad):>10g} [{min(bad)}, {max(bad)}]{'':>9} "
                  f"| {statistics.median(kept):>4g} | {statistics.median(used):>9g} "
                  f"| {statistics.median(u / k if k else float(u) for u, k in zip(used, kept, strict=True)):>9.0f} "
                  f"| {'-' if None in careless else f'{statistics.median(careless):g}':>11}", flush=True)
            if args.per_seed:
                print(f"{'':>10}   per seed: " + ", ".join(f"{t:.3f}" for t in truths), flush=True)


if __name__ == "__main__":
    main()
