"""The import graph of src/tcoctl has no circles: every module imports only modules below
it. Imports inside functions count (they run too), and so do ``if TYPE_CHECKING:`` blocks:
a type named from a module above is a layer pointing up all the same."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import tcoctl

PACKAGE = Path(tcoctl.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth (in functions and ``if TYPE_CHECKING:`` too)."""
    return [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]


def import_graph() -> dict[str, set[str]]:
    """Module -> the tcoctl modules it imports (``from tcoctl import engine`` is an edge to
    tcoctl.engine; ``from tcoctl.engine import gather`` to tcoctl.engine)."""
    files = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        edges: set[str] = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in all_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges.update(alias.name for alias in node.names if alias.name in files)
                continue
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}".rstrip(".")
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in files:
                    edges.add(submodule)
                elif base in files:
                    edges.add(base)
        graph[name] = edges - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import circle as the modules around it, or [] if there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for after in sorted(graph[node]):
            if state.get(after) == 1:
                return [*path[path.index(after) :], after]
            if after not in state:
                cycle = visit(after)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return []


def test_the_import_graph_has_no_circles() -> None:
    graph = import_graph()
    assert "tcoctl.engine.evaluation" in graph["tcoctl.engine.scenarios"]  # it sees edges
    assert find_cycle(graph) == [], " -> ".join(find_cycle(graph))


FRONT_ENDS = ("tcoctl.__main__", "tcoctl.api", "tcoctl.console", "tcoctl.cli")
"""The top floor, with the package itself (it loads the API): the Python API and the
command line."""


def is_front_end(module: str) -> bool:
    return module == "tcoctl" or any(
        module == top or module.startswith(f"{top}.") for top in FRONT_ENDS
    )


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Each import of a front end (api, cli, console, the package) by a module below them
    (core, specs, engine, pipeline, output, ...), as 'module -> front end'."""
    return sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if not is_front_end(module)
        for target in targets
        if is_front_end(target)
    )


def test_no_floor_below_the_front_ends_imports_them() -> None:
    """core/, engine/, pipeline/ and the modules beside them serve the API and the command
    line and never reach up into them (the README's layer table): pipeline/validation once
    ran its cases through tcoctl.api, a floor above it."""
    graph = import_graph()
    assert "tcoctl.engine" in graph["tcoctl.pipeline.runner"]  # it sees edges
    assert upward_imports(graph) == []


def test_an_upward_import_is_found() -> None:
    """The check can fail: a made-up pipeline module importing the API and the CLI."""
    graph = {"tcoctl.pipeline.x": {"tcoctl.api", "tcoctl.cli.app", "tcoctl.engine"}}
    assert upward_imports(graph) == [
        "tcoctl.pipeline.x -> tcoctl.api",
        "tcoctl.pipeline.x -> tcoctl.cli.app",
    ]


def test_a_circle_is_found() -> None:
    """The check can fail: a made-up graph with a circle through three modules."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]


def outside_imports(package: Path, prefix: str) -> list[str]:
    """Each import, at any depth, of a module outside the standard library, numpy and the
    package's own ``prefix`` (tcoctl.core) by a module under ``package``, as 'file: module'
    (relative imports stay inside and pass)."""
    allowed = {*sys.stdlib_module_names, "numpy", "__future__"}
    found = []
    for path in sorted(package.rglob("*.py")):
        for node in all_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                continue
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            found += [
                f"{path.name}: {name}"
                for name in names
                if name.split(".")[0] not in allowed
                and name != prefix
                and not name.startswith(f"{prefix}.")
            ]
    return found


def test_the_core_imports_only_itself_numpy_and_the_standard_library() -> None:
    """core/ is the bottom floor: numpy relations in fixed units; it once reached up into
    specs/ for the yield models' names (now tcoctl.core.constants, which the specs read)."""
    assert outside_imports(PACKAGE / "core", "tcoctl.core") == []


def test_an_import_out_of_the_core_is_found(tmp_path: Path) -> None:
    """The check can fail: a made-up core module importing specs, pint and itself."""
    (tmp_path / "model.py").write_text(
        "import math\nimport numpy as np\nimport pint\nfrom tcoctl.core import relations\n"
        "from tcoctl.specs.dieyield import YIELD_MODELS\nfrom . import sibling\n"
        "def f() -> None:\n    from tcoctl import units\n",
        encoding="utf-8",
    )
    assert outside_imports(tmp_path, "tcoctl.core") == [
        "model.py: pint",
        "model.py: tcoctl.specs.dieyield",
        "model.py: tcoctl",
    ]
