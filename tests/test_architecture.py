"""The plan in docs/architecture.md is the code's: allowed imports only, no loops, packages that say what they hold."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from quiz.ui.pages import FILES

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "architecture.md"
# The modules every package may use, kept at the top of quiz/ (issue #23: "at most a handful").
TOP_MODULES = {"__init__", "__main__", "i18n", "settings", "hookspecs", "plugins"}
# Allowed by name, each with its reason in docs/architecture.md.
EXCEPTIONS = {("quiz.store.users", "quiz.people.passwords"), ("quiz.cli.main", "quiz_devtools.commands")}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (a submodule where ``from package import submodule``)
    line: int
    in_function: bool
    deferred_comment: bool


def _modules() -> dict[str, Path]:
    files = [*sorted((REPO / "quiz").rglob("*.py")), *sorted((REPO / "quiz_devtools").rglob("*.py"))]
    files += [REPO / "app.py", REPO / "serve.py"]
    found = {}
    for path in files:
        parts = path.relative_to(REPO).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports() -> list[Import]:
    found = []
    for name, path in MODULES.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]

        def visit(node: ast.AST, in_function: bool, name: str = name, package: str = package, lines=lines) -> None:
            for child in ast.iter_child_nodes(node):
                inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                targets: list[str] = []
                if isinstance(child, ast.Import):
                    targets = [alias.name for alias in child.names]
                elif isinstance(child, ast.ImportFrom):
                    base = child.module or ""
                    if child.level:
                        anchor = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                        base = ".".join([*anchor, base] if base else anchor)
                    targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in child.names]
                comments, above = [], getattr(child, "lineno", 0) - 2
                # The comment above a run of imports speaks for the whole run.
                while targets and above >= 0 and lines[above].strip().startswith(("#", "from ", "import ")):
                    comments.append(lines[above].strip())
                    above -= 1
                deferred = any(c.startswith("# Deferred:") for c in comments)
                for target in targets:
                    found.append(Import(name, target, child.lineno, in_function, deferred))
                visit(child, inside)

        visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


IMPORTS = _imports()
OURS = [i for i in IMPORTS if i.target.split(".")[0] in ("quiz", "quiz_devtools") and i.source != i.target]


def unit(module: str) -> str:
    """The row of the table a module belongs to: its package, or the top-level module itself."""
    parts = module.split(".")
    if parts[0] in ("quiz_devtools", "app", "serve"):
        return parts[0]
    return "quiz" if len(parts) == 1 else f"quiz.{parts[1]}"  # quiz.i18n, quiz.__main__ are rows too


def allowed_imports() -> dict[str, set[str]]:
    """The table in docs/architecture.md: package -> the packages it may import."""
    table = {}
    for row in re.findall(r"^\| `([\w.]+)` \|[^|]*\| ([^|]*) \|$", DOC.read_text(encoding="utf-8"), re.M):
        package, allowed = row
        table[package] = set(re.findall(r"`([\w.]+)`", allowed))
    return table


def test_the_architecture_page_has_a_row_for_every_package_and_top_level_module():
    table = allowed_imports()
    units = {unit(name) for name in MODULES} - {"quiz"}
    assert units - set(table) == set(), "a package docs/architecture.md does not describe"
    assert set(table) - units == set(), "a row in docs/architecture.md for a package that does not exist"


def test_every_import_between_packages_is_one_the_architecture_page_allows():
    table = allowed_imports()
    wrong = sorted(
        f"{i.source}:{i.line} imports {i.target}"
        for i in OURS
        if unit(i.source) != unit(i.target)
        and unit(i.target) != "quiz"  # the root package (its version, its folder) is anyone's
        and unit(i.target) not in table.get(unit(i.source), set())
        and (i.source, i.target) not in EXCEPTIONS
    )
    assert wrong == []


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_two_modules_import_each_other_not_even_through_an_import_inside_a_function():
    edges: dict[str, set[str]] = {}
    for i in OURS:
        edges.setdefault(i.source, set()).add(i.target)
    assert _cycles(edges) == []


def test_the_loop_finder_finds_a_loop_through_a_function_level_import():
    # The finder itself can fail: a loop of three, one edge of it hidden in a function.
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_of_our_own_code_hides_inside_a_function():
    hidden = [
        f"{i.source}:{i.line} imports {i.target}"
        for i in OURS
        if i.in_function and (i.source, i.target) not in EXCEPTIONS
    ]
    assert hidden == []


def test_every_import_inside_a_function_says_why_it_is_deferred():
    silent = sorted(
        {f"{i.source}:{i.line} imports {i.target}" for i in IMPORTS if i.in_function and not i.deferred_comment}
    )
    assert silent == [], "a function-level import needs a '# Deferred: …' comment on the line above"


def test_only_the_ui_and_the_dev_tools_import_streamlit():
    outside = sorted(
        f"{i.source}:{i.line}"
        for i in IMPORTS
        if i.target.split(".")[0] == "streamlit" and unit(i.source) not in ("quiz.ui", "quiz_devtools", "app", "serve")
    )
    assert outside == []


def test_the_product_package_holds_packages_and_a_handful_of_shared_modules():
    top = {p.stem for p in (REPO / "quiz").glob("*.py")}
    assert top <= TOP_MODULES, f"modules at the top of quiz/ that belong in a package: {sorted(top - TOP_MODULES)}"


@pytest.mark.parametrize(
    "package",
    sorted(p.parent for p in [*(REPO / "quiz").rglob("__init__.py"), *(REPO / "quiz_devtools").rglob("__init__.py")]),
    ids=lambda p: p.relative_to(REPO).as_posix(),
)
def test_every_package_names_its_modules_in_its_docstring(package):
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8"))) or ""
    modules = {p.stem for p in package.glob("*.py")} - {"__init__"}
    if package.name == "pages":  # page files are listed by address in FILES, which the router uses
        assert modules == set(FILES.values())
        return
    unnamed = sorted(m for m in modules if f"``{m}``" not in doc)
    assert doc and unnamed == [], f"{package.relative_to(REPO)}: the docstring does not name {unnamed}"


def test_the_dev_tools_stay_out_of_the_installed_product():
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'include = ["quiz", "quiz.*"]' in pyproject
    product = [i for i in OURS if unit(i.source) not in ("quiz_devtools", "quiz.cli")]
    assert not any(unit(i.target) == "quiz_devtools" for i in product)


def test_the_router_runs_no_server_code():
    """app.py only routes: the ASGI app is serve.py's, built by quiz.ui.server.asgi."""
    router = {i.target for i in IMPORTS if i.source == "app"}
    assert not any(t.startswith(("quiz.ui.server", "starlette")) for t in router)
    assert "get_script_run_ctx" not in (REPO / "app.py").read_text(encoding="utf-8")
    assert "st.App(" in (REPO / "serve.py").read_text(encoding="utf-8")
