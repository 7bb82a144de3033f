"""A suite's own code: ``javascript`` assertions and ``transform``s, run as promptfoo runs them.

JavaScript runs in Node.js, a child of the check's process (its process group, its CPU limit, its
timeout): a one-line value is an expression (``return`` is put before it), a multi-line value is a
function body, and ``file://check.js`` (``file://check.js:name``) is a module whose export (or the
named one) is called with ``(output, context)``. A transform's result replaces the output (JSON
when it is not a string); a Python transform is ``file://transform.py`` with ``get_transform``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

# Reads {body | file, name, source, output, context} from stdin; writes {result} or {error, message}.
_NODE = r"""
const fs = require('fs'), path = require('path'), url = require('url');
const request = JSON.parse(fs.readFileSync(0, 'utf8'));
async function exported() {
  let mod;
  if (request.file.endsWith('.mjs')) {
    mod = await import(url.pathToFileURL(request.file).href);
  } else if (fs.existsSync(request.file)) {
    mod = require(request.file);
  } else {
    const m = new module.constructor(request.file, module);
    m.paths = module.paths; m._compile(request.source, request.file); mod = m.exports;
  }
  const fn = request.name ? mod[request.name] : (typeof mod === 'function' ? mod : mod.default);
  if (typeof fn !== 'function') throw new Error(request.file + ' must export a function' +
                                                (request.name ? ' named ' + request.name : ''));
  return fn;
}
(async () => {
  const fn = request.file ? await exported() : new Function('output', 'context', request.body);
  const result = await fn(request.output, request.context);
  process.stdout.write(JSON.stringify({result: result === undefined ? null : result}));
})().catch(err => {
  process.stdout.write(JSON.stringify({error: (err && err.name) || 'Error', message: String((err && err.message) || err)}));
});
"""


class ScriptError(Exception):
    """The suite's code raised: its failure, named by its error's class."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def node() -> str | None:
    return shutil.which("node")


def run_javascript(script: dict[str, Any], output: str, context: dict[str, Any]) -> Any:
    """What the suite's JavaScript returns for ``output``; ScriptError when it throws."""
    executable = node()
    if executable is None:   # the suite was loaded where Node.js is; this machine has none
        raise ScriptError("NodeNotFound", "javascript needs Node.js (node on PATH)")
    code = str(script.get("value") or "").rstrip()
    request = {"output": output, "context": {"vars": context.get("vars", {}), "test": context.get("test", {})},
               "body": code if "\n" in code else f"return {code}",
               "file": script.get("file"), "name": script.get("function"), "source": code}
    done = subprocess.run([executable, "-e", _NODE], input=json.dumps(request, default=str), text=True,
                          capture_output=True, check=False)
    try:
        reply = json.loads(done.stdout)
    except ValueError:
        raise ScriptError("NodeError", (done.stderr.strip().splitlines() or ["node gave no result"])[-1]) from None
    if "error" in reply:
        name, message = str(reply["error"]), str(reply.get("message", ""))
        if name == "SyntaxError" and "JSON" in message:   # JSON.parse of an answer that is not JSON
            name = "JSONDecodeError"
        raise ScriptError(name, message)
    return reply.get("result")


def transformed(transform: dict[str, Any], output: str, context: dict[str, Any]) -> str:
    """``output`` after the suite's transform; ScriptError when the transform raises."""
    if str(transform.get("file") or "").endswith(".py"):
        scope: dict[str, Any] = {"json": json}
        try:
            exec(compile(str(transform["value"]), str(transform["file"]), "exec"), scope)
            result = scope[str(transform.get("function") or "get_transform")](output, context)
        except Exception as exc:   # the suite's code: its failure, named
            raise ScriptError(type(exc).__name__, str(exc)) from None
    else:
        result = run_javascript(transform, output, context)
    return result if isinstance(result, str) else json.dumps(result)


def script_source(spec: str, read: Any) -> dict[str, Any]:
    """A ``file://path[:function]`` value or an inline one, as the check runs it: the code (read
    in, so that an edited script is a new case), the file's absolute path, the function's name.
    ``read`` resolves the path (promptfoo.py's ``_files``, which names a missing file)."""
    if not spec.startswith("file://"):
        return {"value": spec}
    name = ""
    head, colon, tail = spec.rpartition(":")
    if colon and head != "file" and tail.isidentifier():
        spec, name = head, tail
    path: Path = read(spec)
    return {"value": path.read_text(encoding="utf-8"), "file": str(path.resolve()),
            **({"function": name} if name else {})}
