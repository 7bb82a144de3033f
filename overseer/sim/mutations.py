"""The failure modes, applied to a task's reference solution with ``ast``.

Each mutation is only offered where it applies (a missing import needs an import, a missed empty
input needs the guard that handles it), so that every offered mutation breaks the task: the
example task set's tests pin that down, and the exact expected pass rate relies on it.
"""

from __future__ import annotations

import ast
import copy
import random
from dataclasses import dataclass
from pathlib import Path

from overseer.errors import FatalError

SLOW_ITERATIONS = 10**12
# Order matters only for readability of the result: code changes first, the prose wrapper last.
MODE_ORDER = ("missing_import", "empty_input", "off_by_one", "slow", "rename", "prose")


@dataclass(frozen=True)
class Reference:
    path: Path
    tree: ast.Module
    entry: str


def parse_reference(path: Path) -> Reference:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FatalError(f"{path}: the simulator needs a reference.py for this task") from None
    except SyntaxError as exc:
        raise FatalError(f"{path}:{exc.lineno}: reference does not parse: {exc.msg}") from None
    entries = [n.name for n in tree.body
               if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]
    if not entries:
        raise FatalError(f"{path}: reference defines no public function")
    return Reference(path, tree, entries[0])


def _functions(tree: ast.Module) -> list[ast.FunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]


def _entry_first(tree: ast.Module, entry: str) -> list[ast.FunctionDef]:
    functions = _functions(tree)
    return sorted(functions, key=lambda f: (f.name != entry, f.lineno))


def _imports(tree: ast.Module) -> list[ast.stmt]:
    return [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))
            and not (isinstance(n, ast.ImportFrom) and n.module == "__future__")]


def _is_empty_check(test: ast.expr) -> bool:
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return isinstance(test.operand, ast.Name)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq):
        left, right = test.left, test.comparators[0]
        is_len = (isinstance(left, ast.Call) and isinstance(left.func, ast.Name)
                  and left.func.id == "len")
        if is_len and isinstance(right, ast.Constant) and right.value == 0:
            return True
        if isinstance(left, ast.Name) and isinstance(right, (ast.Constant, ast.List, ast.Dict)):
            empty = right.value == "" if isinstance(right, ast.Constant) else not (
                right.elts if isinstance(right, ast.List) else right.keys)
            return bool(empty)
    return False


def _empty_guard(tree: ast.Module, entry: str) -> tuple[ast.FunctionDef, ast.If] | None:
    for function in _entry_first(tree, entry):
        for statement in function.body:
            if (isinstance(statement, ast.If) and not statement.orelse
                    and _is_empty_check(statement.test)
                    and isinstance(statement.body[-1], (ast.Return, ast.Raise))):
                return function, statement
    return None


def _off_by_one_site(tree: ast.Module, entry: str) -> ast.AST | None:
    for function in _entry_first(tree, entry):
        nodes = sorted(
            (n for n in ast.walk(function) if hasattr(n, "lineno")),
            key=lambda n: (n.lineno, getattr(n, "col_offset", 0)),
        )
        for node in nodes:
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "range" and node.args):
                return node
        for node in nodes:
            if (isinstance(node, ast.Compare) and len(node.ops) == 1
                    and isinstance(node.ops[0], (ast.Lt, ast.LtE, ast.Gt, ast.GtE))):
                return node
    return None


def applicable_modes(reference: Reference) -> frozenset[str]:
    modes = {"prose", "rename", "slow"}
    if _imports(reference.tree):
        modes.add("missing_import")
    if _empty_guard(reference.tree, reference.entry):
        modes.add("empty_input")
    if _off_by_one_site(reference.tree, reference.entry):
        modes.add("off_by_one")
    return frozenset(modes)


def _minus_one(node: ast.expr) -> ast.expr:
    return ast.BinOp(left=node, op=ast.Sub(), right=ast.Constant(1))


_FLIP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt}


def _apply(tree: ast.Module, entry: str, mode: str) -> None:
    if mode == "missing_import":
        doomed = {id(n) for n in _imports(tree)}
        tree.body = [n for n in tree.body if id(n) not in doomed]
    elif mode == "empty_input":
        found = _empty_guard(tree, entry)
        assert found is not None
        function, guard = found
        function.body = [s for s in function.body if s is not guard] or [ast.Pass()]
    elif mode == "off_by_one":
        site = _off_by_one_site(tree, entry)
        if isinstance(site, ast.Call):
            index = 0 if len(site.args) == 1 else 1
            site.args[index] = _minus_one(site.args[index])
        elif isinstance(site, ast.Compare):
            site.ops = [_FLIP[type(site.ops[0])]()]
    elif mode == "slow":
        function = _entry_first(tree, entry)[0]
        loop = ast.parse(f"for _candidate in range({SLOW_ITERATIONS}):\n    pass").body[0]
        has_doc = ast.get_docstring(function) is not None
        function.body.insert(1 if has_doc else 0, loop)
    elif mode == "rename":
        new = "".join(p.capitalize() if i else p for i, p in enumerate(entry.split("_"))) \
            if "_" in entry else f"compute_{entry}"
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == entry:
                node.name = new
            elif isinstance(node, ast.Name) and node.id == entry:
                node.id = new


_INTROS = ("Here is a solution to the task.", "Sure! Below is an implementation.",
           "Here's how I would solve this:")
_OUTROS = ("This handles the cases described in the specification.",
           "The function runs in linear time for typical inputs.",
           "Let me know if you want more tests.")


def write_solution(reference: Reference, modes: set[str], rng: random.Random) -> str:
    """The simulated model's reply: the reference with ``modes`` applied, as text."""
    tree = copy.deepcopy(reference.tree)
    for mode in MODE_ORDER:
        if mode in modes and mode != "prose":
            _apply(tree, reference.entry, mode)
    code = ast.unparse(ast.fix_missing_locations(tree)) + "\n"
    if "prose" in modes:
        code = f"{rng.choice(_INTROS)}\n\n```python\n{code}```\n\n{rng.choice(_OUTROS)}\n"
    return code
