"""The health gate: before anything is learned from a baseline, is it evidence about the prompt at
all? A baseline made mostly of infrastructure failures or timeouts, or one where the command itself
never works, says something about the machine or the command; an edit proposed against it would
be an edit against noise. A baseline where every run passes leaves nothing to improve."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from overseer.errors import FatalError
from overseer.records import RunRecord

EXIT_UNHEALTHY = 3
# Failures that say the command or its check does not work at all, whatever the prompt says.
# (CheckFailed is not one: it is how a check judged by its exit code says "this output is wrong".)
BROKEN_COMMAND = frozenset({"CommandFailed", "NoTests", "MissingOutput", "CheckStalled"})


class UnhealthyBaseline(FatalError):
    """The baseline cannot teach anything; the message says what was seen and what to do."""

    exit_code = EXIT_UNHEALTHY


def _broken_command(record: RunRecord) -> bool:
    """A failure that says the command or its check does not work at all."""
    return not record.passed and (record.error_class in BROKEN_COMMAND or record.signature in BROKEN_COMMAND)


def _top(counter: Counter[str]) -> str:
    return ", ".join(f"{cause} ×{n}" for cause, n in counter.most_common(2))


def diagnose(records: Sequence[RunRecord]) -> str | None:
    """What makes these runs no evidence about the prompt, in one line, or None."""
    n = len(records)
    infra = Counter(r.infra_cause or "unknown" for r in records if r.infra)
    if sum(infra.values()) * 2 > n:
        return (f"{sum(infra.values())} of {n} runs failed for infrastructure reasons ({_top(infra)}); "
                "lower -j, raise timeout_s, or check the command with `overseer run`")
    evidence = [r for r in records if not r.infra]
    if not evidence or any(r.passed for r in evidence):
        return None
    classes = Counter(r.signature or r.error_class or "unknown" for r in evidence)
    if all(r.error_class == "Timeout" for r in evidence):
        return (f"every run timed out ({len(evidence)} of {n}); raise the tasks' timeout_s (check) "
                "or the target's timeout_s (command), or lower -j")
    if all(map(_broken_command, evidence)):
        return (f"no run passed and every failure says the command or its check is broken "
                f"({_top(classes)}); check it with `overseer run` and the records in runs/")
    return None


MIN_NODE_RUNS = 3
NODE_CHANCE = 0.001   # how unlikely "every run on it broken" must be at the other nodes' rate


def broken_nodes(records: Sequence[RunRecord]) -> str | None:
    """Runs made on a cluster (executor: ray): a node on which every run failed as a broken
    command while the other nodes' runs did not (its image lacks what the command needs). Such
    failures count against the prompt; parent and candidate share the nodes at random, so they add
    noise rather than bias, but the node should be fixed. One line, or None."""
    by_node: dict[str, list[RunRecord]] = {}
    for record in records:
        if record.node and not record.infra:
            by_node.setdefault(record.node, []).append(record)
    if len(by_node) < 2:
        return None

    def unlikely(node: str) -> bool:
        """Every run on ``node`` broken, which the other nodes' rate of broken runs makes a chance
        of at most NODE_CHANCE (a prompt that breaks the command half the time does not name a
        node for 3 such runs; a node whose every run breaks while the others' never do, does)."""
        runs = by_node[node]
        others = [r for other, rs in by_node.items() if other != node for r in rs]
        rate = sum(map(_broken_command, others)) / len(others)
        return len(runs) >= MIN_NODE_RUNS and all(map(_broken_command, runs)) and rate ** len(runs) <= NODE_CHANCE

    bad = sorted(filter(unlikely, by_node))
    if not bad:
        return None
    classes = Counter(r.error_class or "unknown" for node in bad for r in by_node[node])
    nodes = ", ".join(node[:12] for node in bad)
    return (f"every run on Ray node {nodes} failed as a broken command ({_top(classes)}) while the "
            f"other nodes' runs did not: its image may lack what the command needs (`node` in the "
            "records says which runs); these failures count against the prompt")


def nothing_to_improve(records: Sequence[RunRecord]) -> str | None:
    evidence = [r for r in records if not r.infra]
    if evidence and all(r.passed for r in evidence):
        return f"nothing to improve: every run passed ({len(evidence)} of {len(records)})"
    return None
