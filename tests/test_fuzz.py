"""Every parser of outside input, fed thousands of generated inputs: each gives a clean error (one
line, naming where) or a valid result, never a traceback."""

from __future__ import annotations

import json
import shutil
import string
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from overseer.checks import JUnitError, judge_junit
from overseer.config import load_config
from overseer.errors import FatalError
from overseer.proposers.llm import parse_reply
from overseer.pyliteral import read_value, replace_value
from overseer.runner import _read_usage
from overseer.store import open_store, rebuild
from overseer.tasks import load_task
from tests.helpers import TOY_CONFIG
from tests.test_pyliteral import FORMS
from tests.test_records import make_record

FUZZ = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                    st.text(max_size=30))
json_like = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=5)), max_leaves=20)


@st.composite
def _yaml_mutants(draw: st.DrawFn) -> str:
    """The toy config with a few lines dropped, duplicated, garbled, re-valued or re-indented."""
    out = TOY_CONFIG.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not out:
            break
        i = draw(st.integers(0, len(out) - 1))
        action = draw(st.sampled_from(["drop", "dup", "garble", "value", "indent"]))
        if action == "drop":
            out.pop(i)
        elif action == "dup":
            out.insert(i, out[i])
        elif action == "garble":
            out[i] = draw(st.text(alphabet=string.printable, max_size=40))
        elif action == "value" and ":" in out[i]:
            out[i] = f"{out[i].split(':')[0]}: {json.dumps(draw(json_like))}"
        elif action == "indent":
            out[i] = " " * draw(st.integers(0, 7)) + out[i].lstrip()
    return "\n".join(out) + "\n"


def _one_line(message: str) -> None:
    assert message and "\n" not in message and "Traceback" not in message


@FUZZ
@given(data=st.data())
def test_config_parser(tmp_path: Path, data: st.DataObject) -> None:
    text = data.draw(st.one_of(_yaml_mutants(), st.text(max_size=200), json_like.map(json.dumps)))
    path = tmp_path / "overseer.yaml"
    path.write_text(text)
    try:
        loaded = load_config(path)
    except FatalError as exc:
        _one_line(str(exc))
        assert str(path) in str(exc)
    else:
        assert loaded.config.targets


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(["id", "title", "spec", "check", "timeout_s", "tags",
                                               "complexity", "extra"]), json_like, max_size=8),
       raw=st.one_of(st.none(), st.text(max_size=120)))
def test_task_yaml_parser(tmp_path: Path, fields: dict, raw: str | None) -> None:
    task = tmp_path / "t1"
    (task / "tests").mkdir(parents=True, exist_ok=True)
    (task / "task.yaml").write_text(raw if raw is not None else json.dumps(fields))
    try:
        loaded = load_task(task)
    except FatalError as exc:
        _one_line(str(exc))
        assert str(task) in str(exc)
    else:
        assert loaded.id == "t1" and loaded.spec


@FUZZ
@given(reply=st.one_of(
    st.text(max_size=300),
    json_like.map(json.dumps),
    st.fixed_dictionaries({"hypothesis": st.text(max_size=20), "rationale": st.text(max_size=20),
                           "edit": st.dictionaries(st.sampled_from(["op", "old", "new", "lines", "kind", "x"]),
                                                   json_like, max_size=5)}).map(json.dumps),
    st.builds(lambda pre, body, post: f"{pre}```json\n{body}\n```{post}", st.text(max_size=20),
              json_like.map(json.dumps), st.text(max_size=20)),
))
def test_llm_reply_parser(reply: str) -> None:
    try:
        parsed = parse_reply(reply)
    except ValueError as exc:
        _one_line(str(exc))
    else:
        assert parsed.hypothesis.strip() and parsed.edit.op in ("replace", "insert_after", "delete")


@FUZZ
@given(body=st.one_of(st.binary(max_size=200), json_like.map(lambda v: json.dumps(v).encode()),
                      st.dictionaries(st.sampled_from(["model", "input_tokens", "output_tokens", "cost_usd", "x"]),
                                      json_like, max_size=5).map(lambda v: json.dumps(v).encode())))
def test_usage_file_parser(tmp_path: Path, body: bytes) -> None:
    path = tmp_path / "usage.json"
    path.write_bytes(body)
    usage, error = _read_usage(path)
    assert (usage is None) != (error is None)
    if error:
        _one_line(error)
    else:
        assert usage is not None and usage.input_tokens >= 0 and usage.cost_usd >= 0


def _junit_docs() -> st.SearchStrategy[str]:
    attrs = st.dictionaries(st.sampled_from(["name", "classname", "message", "time", "type"]),
                            st.text(alphabet=string.printable, max_size=20), max_size=3)
    def case(a: dict, kind: str | None, text: str) -> str:
        from xml.sax.saxutils import escape, quoteattr
        attr = " ".join(f"{k}={quoteattr(v)}" for k, v in a.items())
        inner = f"<{kind} message={quoteattr(text)}>{escape(text)}</{kind}>" if kind else ""
        return f"<testcase {attr}>{inner}</testcase>"
    cases = st.lists(st.builds(case, attrs, st.sampled_from([None, "failure", "error", "skipped"]),
                               st.text(max_size=30)), max_size=6)
    return st.one_of(cases.map(lambda cs: f"<testsuites><testsuite>{''.join(cs)}</testsuite></testsuites>"),
                     st.text(max_size=200))


@FUZZ
@given(doc=_junit_docs())
def test_junit_parser(tmp_path: Path, doc: str) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(doc)
    try:
        verdict = judge_junit(path)
    except JUnitError as exc:
        _one_line(str(exc))
    else:
        assert 0.0 <= verdict.score <= 1.0 and verdict.tests_passed <= verdict.tests_total



_junk_line = st.one_of(
    st.binary(min_size=1, max_size=80).map(lambda b: b.replace(b"\n", b" ")),
    json_like.map(lambda v: json.dumps(v).encode()),
    st.integers(2**63, 2**80).map(lambda n: make_record(0).model_copy(update={"seed": n})
                                  .model_dump_json().encode()),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=st.lists(st.tuples(st.integers(0, 6), _junk_line), min_size=1, max_size=4))
@example(junk=[(0, b"\r\x00")])   # a stray carriage return: bytes.splitlines cut the line in two
def test_index_rebuild_sets_aside_any_damaged_line(tmp_path: Path, junk: list[tuple[int, bytes]]) -> None:
    """Damaged lines anywhere in a JSONL (bytes, other JSON, numbers beyond 64 bits): updating
    the index warns and goes on, rebuild moves them aside, and then verify agrees."""
    runs = tmp_path / "runs"
    shutil.rmtree(runs, ignore_errors=True)
    (runs / "t").mkdir(parents=True)
    lines = [make_record(i).model_dump_json().encode() for i in range(6)]
    for at, line in junk:
        lines.insert(at, line)
    (runs / "t" / "s.jsonl").write_bytes(b"".join(line + b"\n" for line in lines))
    with open_store(runs, update=False) as store:
        stats = store.update()
        unreadable = len(stats.warnings)
        assert stats.added + unreadable == len(lines)
    rebuilt = rebuild(runs)
    assert len(rebuilt.warnings) == unreadable and rebuilt.added == len(lines) - unreadable
    with open_store(runs) as store:
        assert store.verify() == []
    aside = runs / "t" / "s.jsonl.unreadable"
    assert (aside.read_bytes().count(b"\n") if aside.exists() else 0) == unreadable


@FUZZ
@given(form=st.sampled_from(sorted(FORMS)), data=st.data())
def test_python_literal_edits(form: str, data: st.DataObject) -> None:
    """Any new text, in any literal form: written in place and read back exactly, or refused in
    one line; never a traceback, never a file that is not UTF-8."""
    source = FORMS[form]
    old = read_value(source, "PROMPT", "t.py")
    cut = data.draw(st.integers(0, len(old)))
    new = old[:cut] + data.draw(st.text(max_size=12)) + old[cut + data.draw(st.integers(0, 5)):]
    try:
        edited = replace_value(source, "PROMPT", new, "t.py")
    except FatalError as exc:
        _one_line(str(exc))
        return
    edited.encode("utf-8")
    assert read_value(edited, "PROMPT", "t.py") == new
