"""The package layout's rules (README: Layout), checked on the source itself.

The layer contracts are import-linter's (`lint-imports`, configured in pyproject.toml); these
tests add what import-linter does not say: no import cycles at all, counting imports inside
functions; short modules; no private names across modules; a docstring on every package; and
"ask the model, not its tag" outside `models/` and `config/`.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

from mlcc_cli.models.registry import MODELS

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "mlcc_cli"
MAX_LINES = 300
DEFERRED = "# deferred:"


def modules() -> Iterator[tuple[str, Path]]:
    """(dotted name, path) of every module of mlcc_cli."""
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def package_of(name: str) -> str:
    """The top-level package a module belongs to (`mlcc_cli.models.nn.mlp` -> `models`)."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module: the import cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in graph[node]:
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_strongly_connected_finds_a_cycle_and_only_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert strongly_connected(graph) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_counting_imports_inside_functions() -> None:
    # grimp reads every import statement, at module level, in functions and under
    # TYPE_CHECKING alike.
    graph = grimp.build_graph("mlcc_cli")
    edges = {
        module: {m for m in graph.find_modules_directly_imported_by(module)}
        for module in graph.modules
    }
    assert strongly_connected(edges) == []


def test_import_linter_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint_imports)], capture_output=True, text=True, check=False, cwd=PACKAGE.parents[1]
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize("name,path", list(modules()), ids=lambda value: str(value))
def test_module_is_short(name: str, path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it by job (limit {MAX_LINES})"


def test_top_level_holds_only_entry_points() -> None:
    top = {path.name for path in PACKAGE.glob("*.py")}
    assert top == {"__init__.py", "__main__.py", "cli.py", "errors.py"}


def test_every_package_starts_with_a_docstring() -> None:
    for init in sorted(PACKAGE.rglob("__init__.py")):
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        where = init.relative_to(PACKAGE)
        assert docstring, f"{where}: say what lives here and what it may import"
        assert "import" in docstring.lower(), f"{where}: say what the package may import"


def test_no_private_name_is_imported_from_another_module() -> None:
    offenders = []
    for name, path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mlcc_cli"):
                offenders += [
                    f"{name}: {alias.name} from {node.module}"
                    for alias in node.names
                    if alias.name.startswith("_") and not alias.name.startswith("__")
                ]
    assert offenders == []


def deferred_imports_without_reason(path: Path) -> list[str]:
    """Functions that import without a `# deferred:` comment naming the heavy library."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    missing = []
    for function in ast.walk(ast.parse(text)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        imports = [
            node for node in ast.walk(function) if isinstance(node, ast.Import | ast.ImportFrom)
        ]
        if not imports:
            continue
        first = min(imports, key=lambda node: node.lineno)
        region = "\n".join(lines[function.body[0].lineno - 1 : first.end_lineno])
        if DEFERRED not in region:
            missing.append(f"{path.relative_to(PACKAGE)}:{first.lineno} in {function.name}")
    return missing


def test_imports_inside_functions_say_what_they_defer() -> None:
    missing = [entry for _, path in modules() for entry in deferred_imports_without_reason(path)]
    assert missing == []


def test_deferred_import_check_catches_a_bare_import(tmp_path: Path) -> None:
    module = PACKAGE / "bare_import_probe.py"
    module.write_text("def f():\n    import json\n    return json\n", encoding="utf-8")
    try:
        assert deferred_imports_without_reason(module) == ["bare_import_probe.py:2 in f"]
    finally:
        module.unlink()


def compares_model_tag(node: ast.AST, tags: set[str]) -> bool:
    """`x == "mlp"`, `x in ("linear", "logistic")`, `{"softmax": ...}`: a model tag in use."""
    if isinstance(node, ast.Compare):
        candidates = [node.left, *node.comparators]
        strings = set()
        for candidate in candidates:
            if isinstance(candidate, ast.Constant) and isinstance(candidate.value, str):
                strings.add(candidate.value)
            elif isinstance(candidate, ast.Tuple | ast.List | ast.Set):
                strings |= {
                    item.value
                    for item in candidate.elts
                    if isinstance(item, ast.Constant) and isinstance(item.value, str)
                }
        mentions_model = "model" in ast.unparse(node)
        return mentions_model and bool(strings & tags)
    if isinstance(node, ast.Dict):
        keys = {key.value for key in node.keys if isinstance(key, ast.Constant)}
        return len(keys & tags) >= 2
    return False


def test_only_models_and_config_compare_model_type_tags() -> None:
    tags = set(MODELS)
    offenders = []
    for name, path in modules():
        if package_of(name) in ("models", "config"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offenders += [
            f"{name}:{node.lineno}: {ast.unparse(node)[:70]}"
            for node in ast.walk(tree)
            if compares_model_tag(node, tags)
        ]
    assert offenders == [], "ask the model object instead:\n" + "\n".join(offenders)


def test_model_tag_check_sees_comparisons_and_lookups() -> None:
    tags = {"linear", "mlp"}
    found = [
        compares_model_tag(ast.parse(code, mode="eval").body, tags)
        for code in (
            'config.model.type == "mlp"',
            'model_type in ("linear", "logistic")',
            '{"linear": 1, "mlp": 2}',
            'schedule.type == "linear"',
        )
    ]
    assert found == [True, True, True, False]
