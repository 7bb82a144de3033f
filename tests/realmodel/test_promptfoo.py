"""A promptfoo suite with its own prompt template and provider, no command written: `init --from`
makes the target, overseer's runner renders each case and asks the real model (llama.cpp's server
on this machine), the suite's assertions judge the replies."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from overseer.records import RunRecord, read_jsonl
from tests.helpers import git, overseer
from tests.realmodel.conftest import ModelServer, on_real_model

SUITE = """\
description: review labels
prompts: [file://prompt.txt]
providers:
  - id: openai:chat:local
    config: {apiBaseUrl: BASE_URL, temperature: 0.7, max_tokens: 8}
defaultTest:
  assert:
    - {type: not-icontains, value: "as an ai"}
tests:
  - vars: {review: "Great product, works perfectly."}
    assert: [{type: icontains, value: positive}]
  - vars: {review: "Broke after a day. Terrible."}
    assert: [{type: icontains, value: negative}]
  - vars: {review: "I love it, best purchase this year."}
    assert: [{type: icontains-any, value: [positive, good]}]
  - vars: {review: "Awful quality, do not buy."}
    assert: [{type: icontains, value: negative}]
"""


@on_real_model
def test_init_from_a_suite_runs_its_prompt_through_its_provider(model_server: ModelServer, tmp_path: Path) -> None:
    root = tmp_path / "p"
    (root / "evals").mkdir(parents=True)
    (root / "evals" / "prompt.txt").write_text(
        "Label the review as positive or negative. Answer with one word.\n\nReview: {{ review }}\nLabel:")
    (root / "evals" / "promptfooconfig.yaml").write_text(SUITE.replace("BASE_URL", model_server.url))
    git(root, "init", "-q")
    made = overseer("init", "--from", "evals/promptfooconfig.yaml", "--name", "reviews", cwd=root)
    assert made.returncode == 0, made.stderr
    config = (root / "overseer.yaml").read_text()
    assert "overseer.suites.runner" in config and "prompt: evals/prompt.txt" in config
    git(root, "add", "-A")
    git(root, "commit", "-qm", "suite")
    result = overseer("run", "reviews", "--json", cwd=root)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["runs"] == 8       # 4 cases x 2 repeats
    [log] = sorted((root / "runs" / "reviews").glob("*.jsonl"))
    records = read_jsonl(log, RunRecord)[0]
    assert not any(r.infra for r in records), [r.infra_cause for r in records]
    for record in records:
        assert record.usage is not None and record.usage.input_tokens > 10
        assert 0 < record.usage.output_tokens <= 8                   # the provider's max_tokens
        assert record.tests_total == 2                                # defaultTest's and its own
        assert record.passed or record.error_class == "MissingContentError"
    assert {r.settings["provider"] for r in records} == {"openai:chat:local"}
    # the same case and seed twice on one slot: the same reply (the runner sends the seed)
    again = overseer("run", "reviews", "--json", cwd=root)
    assert again.returncode == 0, again.stderr
    second = read_jsonl(sorted((root / "runs" / "reviews").glob("*.jsonl"))[-1], RunRecord)[0]
    first = {(r.task_id, r.repeat): r.passed for r in records}
    assert {(r.task_id, r.repeat): r.passed for r in second} == first


def test_init_from_refuses_a_provider_it_cannot_call_before_writing(tmp_path: Path) -> None:
    root = tmp_path / "p"
    (root / "evals").mkdir(parents=True)
    (root / "evals" / "prompt.txt").write_text("{{ review }}")
    (root / "evals" / "promptfooconfig.yaml").write_text(textwrap.dedent("""\
        prompts: [file://prompt.txt]
        providers: [file://my_provider.py]
        tests: [{vars: {review: x}, assert: [{type: contains, value: x}]}]
    """))
    result = overseer("init", "--from", "evals/promptfooconfig.yaml", cwd=root)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "providers[0]" in result.stderr and "keep a command of your own" in result.stderr
    assert not (root / "overseer.yaml").exists()
