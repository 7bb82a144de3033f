"""promptfoo's ``similar`` with real embeddings: llama.cpp's server on this machine answers
/v1/embeddings (``overseer serve-model --embeddings``), a paraphrase of the expected text passes
and an unrelated answer fails, and the embedding's tokens are in the run's usage."""

from __future__ import annotations

import json
from pathlib import Path

from overseer.records import read_records
from tests.helpers import make_suite_project, overseer
from tests.realmodel.conftest import ModelServer, free_port, on_real_model

SUITE = """\
tests:
  - description: paraphrase
    vars: {answer: "The client got billed two times and asks for the money back."}
    assert: [{type: similar, value: "The customer was charged twice and wants a refund.", threshold: 0.9}]
  - description: unrelated
    vars: {answer: "Uploads of large files fail at the end."}
    assert: [{type: similar, value: "The customer was charged twice and wants a refund.", threshold: 0.9}]
  - description: not similar
    vars: {answer: "Uploads of large files fail at the end."}
    assert: [{type: not-similar, value: ["The customer was charged twice.", "A refund is wanted."], threshold: 0.9}]
"""


@on_real_model
def test_similar_is_judged_by_real_embeddings(tmp_path: Path) -> None:
    server = ModelServer(free_port(), tmp_path / "server.log", options=("--embeddings",))
    server.start()
    try:
        root = make_suite_project(tmp_path / "p", SUITE, "import os\nprint(os.environ['OVERSEER_VAR_ANSWER'])\n",
                                  '{model: sim, embedding: "openai:local"}')
        result = overseer("run", "t", "--json", cwd=root, env={"OPENAI_BASE_URL": server.url})
        assert result.returncode in (0, 1), result.stderr
        records, _ = read_records(Path(json.loads(result.stdout)["jsonl"]))
        by_case = {r.task_id.rsplit("-", 1)[0]: r for r in records}
        assert {name: r.passed for name, r in by_case.items()} == {
            "paraphrase": True, "unrelated": False, "not-similar": True}
        assert not any(r.infra for r in records)
        assert by_case["unrelated"].error_class == "WrongAnswerError"
        assert all(r.usage is not None and r.usage.input_tokens > 10 for r in records)   # the embeddings'
    finally:
        server.kill()
