"""The import graph of the journeylens package, read from the source (ast, imports inside functions too).

- no cycle among journeylens modules;
- the rooms of notebooks/ follow the data's way, each importing only the rooms before it:
  workspace < ingest < live < signals < ai < queue < retro < notify;
- app/ may import notebooks/, notebooks/ never import app/; the sample world (sample_data/) is made
  without the code it tests, so it imports neither;
- no module in app/ or notebooks/ is over 300 lines (CONTRIBUTING.md: split it by what it does).

A notebook's cells (`@app.cell`) are its view: they run when the notebook is opened, never when it is
imported, and nothing imports them, like app/. So the graph holds them as a node of their own,
`<module>:cells`, which uses the module and whatever its cells import: the room rule applies to them, but
they cannot close a cycle. Imports in `with app.setup:` and `@app.function`s are the module's own.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "journeylens"
FOLDERS = ("app", "notebooks", "sample_data")
ROOMS = ("workspace", "ingest", "live", "signals", "ai", "queue", "retro", "notify")
MAX_LINES = 300
CELLS = ":cells"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def package_files() -> dict:
    """{module name: path} of every Python file the package ships (marimo's __marimo__ caches aside)."""
    files = {PACKAGE: ROOT / "__init__.py"}
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "__marimo__" not in path.parts:
                files[module_name(path)] = path
    return files


MODULES = package_files()


def is_package(name: str) -> bool:
    return name in MODULES and MODULES[name].name == "__init__.py"


def is_cell(node) -> bool:
    """A top-level function decorated with `@app.cell` or `@app.cell(...)`."""
    return isinstance(node, ast.FunctionDef) and any(
        ast.unparse(d.func if isinstance(d, ast.Call) else d) == "app.cell" for d in node.decorator_list)


def imports_in(source: str, name: str, cells: bool = False) -> dict:
    """{journeylens module: line} of every import in code `source` of module `name`, at any depth (inside
    functions too): outside notebook cells, or with `cells` only inside them. `from package import x`
    imports the submodule x when there is one."""
    tree = ast.parse(source)
    in_cells = {id(n) for cell in tree.body if is_cell(cell) for n in ast.walk(cell)}
    base = name if is_package(name) else name.rpartition(".")[0]
    found = {}
    for node in sorted(ast.walk(tree), key=lambda n: getattr(n, "lineno", 0)):
        if (id(node) in in_cells) != cells:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.setdefault(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base.rsplit(".", node.level - 1)[0] if node.level > 1 else base
                source_module = f"{anchor}.{node.module}" if node.module else anchor
            else:
                source_module = node.module or ""
            for alias in node.names:
                submodule = f"{source_module}.{alias.name}"
                found.setdefault(submodule if submodule in MODULES else source_module, node.lineno)
    return {target: line for target, line in found.items() if target == PACKAGE or target.startswith(PACKAGE + ".")}


def known(target: str) -> str:
    """`journeylens.a.b.name` -> the module it lies in (the package itself for a module that is not)."""
    while target not in MODULES:
        target = target.rpartition(".")[0]
    return target


def graph() -> dict:
    """{module or `<module>:cells`: {module it imports: the line of the import}}."""
    edges = {}
    for name, path in MODULES.items():
        source = path.read_text()
        edges[name] = {}
        for target, line in imports_in(source, name).items():
            if known(target) != name:
                edges[name].setdefault(known(target), line)
        view = {known(target): line for target, line in imports_in(source, name, cells=True).items()}
        if view or any(is_cell(node) for node in ast.parse(source).body):
            edges[name + CELLS] = {name: 0, **view}
    return edges


GRAPH = graph()


def path_of(node: str) -> Path:
    return MODULES[node.removesuffix(CELLS)]


def where(cycle: list) -> list:
    """The imports that close a cycle, as `notebooks/x/a.py:12 imports journeylens...b`."""
    return [f"{path_of(a).relative_to(ROOT)}:{GRAPH[a][b]} imports {b}" for a in cycle for b in GRAPH[a] if b in cycle]


def cycles(edges: dict) -> list:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def area(name: str) -> tuple:
    """("notebooks", room), ("app", None), ("sample_data", None) or ("root", None)."""
    parts = name.removesuffix(CELLS).split(".")[1:]
    if not parts:
        return ("root", None)
    if parts[0] == "notebooks":
        return ("notebooks", parts[1] if len(parts) > 1 else None)
    return (parts[0], None)


def upward(edges: dict) -> list:
    """[(module, imported module, why)] for every import against the data's way."""
    wrong = []
    for name, targets in sorted(edges.items()):
        here, room = area(name)
        for target in sorted(targets):
            there, other = area(target)
            if target == PACKAGE and name != PACKAGE:
                wrong.append((name, target, "no such module (or the bare package)"))
            elif here == "notebooks" and there == "app":
                wrong.append((name, target, "notebooks never import app"))
            elif here == "notebooks" and room and other and ROOMS.index(other) > ROOMS.index(room):
                wrong.append((name, target, f"room {room} may import only {ROOMS[:ROOMS.index(room) + 1]}"))
            elif here == "sample_data" and there in ("app", "notebooks"):
                wrong.append((name, target, "the sample world is made without the code it tests"))
    return wrong


def test_the_graph_is_read():
    """The parser on known edges, relative imports, imports inside functions and inside cells."""
    assert len(MODULES) > 60
    assert "journeylens.notebooks.workspace.contract" in GRAPH["journeylens.notebooks.workspace.snapshot"]
    assert any(t.startswith("journeylens.notebooks.") for t in GRAPH["journeylens.app.cli"])
    every_room = {area(t)[1] for targets in GRAPH.values() for t in targets if area(t)[0] == "notebooks"}
    assert every_room >= set(ROOMS)
    assert any(name.endswith(CELLS) for name in GRAPH), "the notebooks' cells are read"
    assert imports_in("from .contract import KINDS", "journeylens.notebooks.workspace.x") == {
        "journeylens.notebooks.workspace.contract": 1}
    assert imports_in("def f():\n    from ..ingest import upload", "journeylens.notebooks.queue.x") == {
        "journeylens.notebooks.ingest.upload": 2}
    notebook = ("@app.function\ndef f():\n    from journeylens.notebooks.ingest import upload\n\n\n"
                "@app.cell\ndef _():\n    from journeylens.notebooks.retro import weekly\n    return\n")
    assert imports_in(notebook, "journeylens.notebooks.queue.x") == {"journeylens.notebooks.ingest.upload": 3}
    assert imports_in(notebook, "journeylens.notebooks.queue.x", cells=True) == {
        "journeylens.notebooks.retro.weekly": 8}


def test_no_import_cycle():
    found = cycles(GRAPH)
    assert not found, "journeylens modules import each other in a cycle:\n" + "\n".join(
        "\n".join(where(cycle)) + "\n" for cycle in found)


def test_cycle_finder_finds_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    # cells use their module and what it needs, and nothing uses them: no cycle through them
    assert cycles({"m:cells": {"m", "n"}, "n": {"m"}, "m": set()}) == []


def test_rooms_import_only_rooms_before_them():
    assert upward(GRAPH) == []


def test_upward_imports_are_caught():
    edges = {"journeylens.notebooks.ingest.upload": {"journeylens.notebooks.queue.scoring"},
             "journeylens.notebooks.queue.scoring": {"journeylens.app.cli", "journeylens.notebooks.ingest.upload"},
             "journeylens.notebooks.signals.slo:cells": {"journeylens.notebooks.retro.weekly"},
             "journeylens.app.cli": {"journeylens.notebooks.retro.weekly"},
             "journeylens.sample_data.generate": {"journeylens.notebooks.workspace.contract"}}
    assert [(a, b) for a, b, _ in upward(edges)] == [
        ("journeylens.notebooks.ingest.upload", "journeylens.notebooks.queue.scoring"),
        ("journeylens.notebooks.queue.scoring", "journeylens.app.cli"),
        ("journeylens.notebooks.signals.slo:cells", "journeylens.notebooks.retro.weekly"),
        ("journeylens.sample_data.generate", "journeylens.notebooks.workspace.contract"),
    ]


def test_every_notebook_module_is_in_a_room():
    loose = [name for name in MODULES if area(name)[0] == "notebooks" and area(name)[1] not in (*ROOMS, None)]
    loose += [name for name in MODULES if name.count(".") == 2 and name.startswith(PACKAGE + ".notebooks.")
              and not is_package(name)]
    assert loose == [], "every module of notebooks/ lives in a room folder"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if area(n)[0] in ("app", "notebooks")))
def test_module_is_at_most_300_lines(name):
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(ROOT)} has {lines} lines: split it by what it does"
