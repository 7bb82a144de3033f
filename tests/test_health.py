"""The health gate's diagnosis of a baseline (pure)."""

from __future__ import annotations

from overseer.health import broken_nodes, diagnose, nothing_to_improve
from tests.test_records import make_record


def runs(*outcomes: tuple[bool, str | None, bool]) -> list:
    return [make_record(i).model_copy(update={"passed": passed, "error_class": error, "signature": error,
                                              "infra": infra, "infra_cause": "check stalled" if infra else None})
            for i, (passed, error, infra) in enumerate(outcomes)]


def test_a_baseline_of_mostly_infrastructure_failures_is_unhealthy() -> None:
    problem = diagnose(runs((True, None, False), (False, "CheckStalled", True), (False, "CheckStalled", True)))
    assert problem is not None and problem.startswith("2 of 3 runs failed for infrastructure reasons")
    assert "lower -j" in problem


def test_every_run_timing_out_is_unhealthy() -> None:
    problem = diagnose(runs((False, "Timeout", False), (False, "Timeout", False)))
    assert problem is not None and problem.startswith("every run timed out")


def test_a_broken_command_is_unhealthy_but_a_bad_prompt_is_not() -> None:
    assert "command or its check is broken" in (diagnose(runs((False, "CommandFailed", False))) or "")
    assert diagnose(runs((False, "SyntaxError", False), (False, "AssertionError", False))) is None
    assert diagnose(runs((True, None, False), (False, "Timeout", False))) is None


def test_all_passing_leaves_nothing_to_improve() -> None:
    assert diagnose(runs((True, None, False))) is None
    assert nothing_to_improve(runs((True, None, False), (True, None, False))) == \
        "nothing to improve: every run passed (2 of 2)"
    assert nothing_to_improve(runs((True, None, False), (False, "Timeout", False))) is None


def _on(node: str, *outcomes: tuple[bool, str | None]) -> list:
    return [r.model_copy(update={"node": node}) for r in runs(*((p, e, False) for p, e in outcomes))]


def test_a_cluster_node_whose_image_breaks_the_command_is_named() -> None:
    healthy = _on("a" * 56, (True, None), (False, "SyntaxError"), (True, None))
    broken = _on("b" * 56, (False, "CommandFailed"), (False, "CommandFailed"), (False, "MissingOutput"))
    line = broken_nodes([*healthy, *broken])
    assert line is not None and "node bbbbbbbbbbbb failed as a broken command" in line
    assert "CommandFailed ×2" in line and "\n" not in line
    assert broken_nodes(healthy) is None                      # one node: nothing to compare
    assert broken_nodes([*healthy, *broken[:2]]) is None      # too few runs on it to say
    assert broken_nodes([*broken, *_on("c" * 56, (False, "CommandFailed"))] * 2) is None  # all broken: diagnose's
    assert broken_nodes([*healthy, *_on("d" * 56, (False, "SyntaxError"))] * 3) is None   # the prompt's failures
    # a command the prompt breaks half the time: 3 broken runs on one node are no sign of the node
    half = _on("e" * 56, (False, "CommandFailed"), (True, None))
    assert broken_nodes([*half * 3, *broken]) is None
    assert broken_nodes([*half * 3, *broken * 4]) is not None   # 12 of 12: 0.5^12 is no chance
    assert broken_nodes([r.model_copy(update={"node": None}) for r in [*healthy, *broken]]) is None  # local
