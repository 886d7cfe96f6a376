"""The package's structure drawn from its imports: rooms, floors, back-arrows, circles, sizes.

Prints figures, asserts nothing. Run from the repository root::

    .venv/bin/python benchmarks/structure.py            # figures
    .venv/bin/python benchmarks/structure.py --details  # also every back-arrow, circle and long function

Definitions (so that before and after are measured alike):

* a *module* is one ``.py`` file under ``src/camsite``; a *room* is a top-level
  module or a top-level subpackage (``camsite.stages`` and everything in it is one room);
* an *import* is any ``import camsite...`` / ``from camsite... import`` / relative import,
  at module level or inside a function (the latter are counted separately as *local imports*);
* a *circle* is a strongly connected set of two or more modules;
* *floors* are the levels of the rooms' import graph after merging each circle of rooms
  into one node: a room with no camsite import is on floor 0, every other room one floor
  above the highest room it imports;
* a *back-arrow* is an import between two rooms that lie on one circle of rooms (it runs
  against the direction of every other import between floors);
* module and function sizes are physical lines (a function's from ``def`` to its last line).
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "src" / "camsite"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve(mod: str, is_pkg: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imports(path: Path, mod: str, known: set[str]) -> list[tuple[str, bool]]:
    """(imported camsite module, local?) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    local_nodes: set[int] = set()
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for sub in ast.walk(fn):
                local_nodes.add(id(sub))
    found: list[tuple[str, bool]] = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(mod, is_pkg, node)
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t.startswith("camsite") and t != "camsite" and t != mod:
                found.append((t, id(node) in local_nodes))
    return found


def _room(mod: str) -> str:
    parts = mod.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _sccs(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components (iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    out.append(sorted(comp))
    return out


def _floors(graph: dict[str, set[str]]) -> tuple[int, list[tuple[str, str]], list[list[str]]]:
    comps = _sccs(graph)
    comp_of = {n: i for i, c in enumerate(comps) for n in c}
    cgraph: dict[int, set[int]] = defaultdict(set)
    back: list[tuple[str, str]] = []
    for a, targets in graph.items():
        for b in targets:
            if comp_of[a] == comp_of[b]:
                back.append((a, b))
            else:
                cgraph[comp_of[a]].add(comp_of[b])
    level: dict[int, int] = {}

    def depth(c: int) -> int:
        if c not in level:
            level[c] = 1 + max((depth(d) for d in cgraph[c]), default=-1)
        return level[c]

    sys.setrecursionlimit(10_000)
    top = max((depth(c) for c in range(len(comps))), default=0)
    return top + 1, sorted(back), [c for c in comps if len(c) > 1]


def _functions(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            out.append((node.name, (node.end_lineno or node.lineno) - start + 1))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true")
    args = parser.parse_args()
    files = sorted(ROOT.rglob("*.py"))
    mods = {_module_name(p): p for p in files}
    known = set(mods)
    mgraph: dict[str, set[str]] = {m: set() for m in mods}
    local = 0
    for m, p in mods.items():
        for t, is_local in _imports(p, m, known):
            mgraph[m].add(t)
            local += is_local
    rgraph: dict[str, set[str]] = defaultdict(set)
    for m, targets in mgraph.items():
        rgraph[_room(m)]
        for t in targets:
            if _room(t) != _room(m):
                rgraph[_room(m)].add(_room(t))
    rgraph.pop("camsite", None)
    for targets in rgraph.values():
        targets.discard("camsite")
    n_floors, back, _ = _floors(dict(rgraph))
    circles = [c for c in _sccs(mgraph) if len(c) > 1]
    lines = {m: len(p.read_text(encoding="utf-8").splitlines()) for m, p in mods.items()}
    long_mods = sorted((n, m) for m, n in lines.items() if n > 500)
    long_fns = sorted(
        ((n, f"{m}.{name}") for m, p in mods.items() for name, n in _functions(p) if n > 80), reverse=True
    )
    print(f"modules           {len(mods)}")
    print(f"lines             {sum(lines.values())}")
    print(f"rooms             {len(rgraph)}")
    print(f"floors            {n_floors}")
    print(f"back-arrows       {len(back)}")
    print(f"circles           {len(circles)}")
    print(f"local imports     {local}")
    print(f"modules > 500     {len(long_mods)}")
    print(f"functions > 80    {len(long_fns)}")
    if args.details:
        for a, b in back:
            print(f"  back-arrow  {a} -> {b}")
        for c in circles:
            print(f"  circle      {' <-> '.join(c)}")
        for n, m in long_mods:
            print(f"  module      {m}: {n} lines")
        for n, f in long_fns:
            print(f"  function    {f}: {n} lines")


if __name__ == "__main__":
    main()
