"""The layering of docs/design.md, checked by a machine.

Each import-linter contract of pyproject.toml (``[tool.importlinter]``) runs as its own
test case, through the ``lint-imports`` command, and fails with import-linter's report.
Two more tests use grimp's import graph (what import-linter builds on): every module is
placed in a layer, and no group of modules imports itself round in a circle.

Every contract holds, with no import ignored: a change that breaks one fails CI.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

grimp = pytest.importorskip("grimp")
pytest.importorskip("importlinter")
tomllib = pytest.importorskip("tomllib")  # Python >= 3.11

REPO = Path(__file__).resolve().parents[1]
with open(REPO / "pyproject.toml", "rb") as _f:
    CONFIG = tomllib.load(_f)["tool"]["importlinter"]
CONTRACTS = {c["id"]: c for c in CONFIG["contracts"]}


def _lint(config_path: Path, contract_id: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run(
        [sys.executable, "-c", code, str(config_path), "--contract", contract_id, "--no-cache", "--no-logo"],
        cwd=REPO, env=env, capture_output=True, text=True,
    )


def _assert_kept(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, f"import contract broken:\n{result.stdout}\n{result.stderr}"


def _contract_cases():
    for contract_id in CONTRACTS:
        yield pytest.param(contract_id, id=contract_id)


@pytest.mark.parametrize("contract_id", list(_contract_cases()))
def test_import_contract(contract_id):
    _assert_kept(_lint(REPO / "pyproject.toml", contract_id))


# ------------------------------------------------------------------- via grimp's graph


def _layer_modules() -> list[str]:
    """Every module named in the layers contract (optional ones without parentheses)."""
    names = []
    for layer in CONTRACTS["layers"]["layers"]:
        for part in layer.replace("|", ":").split(":"):
            names.append("skinfluence." + part.strip().strip("()"))
    return names


def test_every_module_is_in_a_layer():
    # the contract is exhaustive for skinfluence's children, except utils (split in two):
    # every module of utils, and of the rest, must fall in a declared layer
    graph = grimp.build_graph("skinfluence", cache_dir=None)
    layers = _layer_modules()
    unplaced = sorted(
        m for m in graph.modules
        if m not in ("skinfluence", "skinfluence.utils")
        and not any(m == layer or m.startswith(layer + ".") for layer in layers)
    )
    assert not unplaced, f"modules in no layer of pyproject.toml's layers contract: {unplaced}"


def _cycles(graph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    modules = sorted(m for m in graph.modules if m == "skinfluence" or m.startswith("skinfluence."))
    succ = {m: sorted(graph.find_modules_directly_imported_by(m) & set(modules)) for m in modules}
    index, low, on_stack, stack, groups, counter = {}, {}, set(), [], [], [0]

    for root in modules:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter[0]
                counter[0] += 1
                stack.append(node)
                on_stack.add(node)
            if i < len(succ[node]):
                work.append((node, i + 1))
                nxt = succ[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                group = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    group.append(m)
                    if m == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return groups


def test_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for module in ("skinfluence", "skinfluence.a", "skinfluence.b", "skinfluence.c"):
        graph.add_module(module)
    graph.add_import(importer="skinfluence.a", imported="skinfluence.b")
    graph.add_import(importer="skinfluence.b", imported="skinfluence.a")
    graph.add_import(importer="skinfluence.c", imported="skinfluence.a")
    assert _cycles(graph) == [["skinfluence.a", "skinfluence.b"]]


def _packages():
    root = REPO / "skinfluence"
    names = sorted(p.stem if p.suffix == ".py" else p.name for p in root.iterdir()
                   if p.suffix == ".py" or (p / "__init__.py").is_file())
    for name in names:
        yield pytest.param(f"skinfluence.{name}", id=name)


@pytest.mark.parametrize("package", list(_packages()))
def test_no_import_cycle_through(package):
    # imports inside functions count: a lazy import that closes a circle is still a circle
    graph = grimp.build_graph("skinfluence", cache_dir=None)
    mine = [g for g in _cycles(graph) if any(m == package or m.startswith(package + ".") for m in g)]
    assert not mine, f"import cycles through {package}: {mine}"
