"""The examples write their outputs where ``--out`` says, by default outside the repository."""

import ast
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO / "examples").glob("*.py"))
WRITERS = {"savefig", "write_text", "write_bytes", "to_csv", "to_parquet", "to_json", "dump"}


def _writes_files(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in WRITERS:
                return True
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "open" and len(node.args) > 1):
            mode = node.args[1]
            if isinstance(mode, ast.Constant) and set(str(mode.value)) & set("wax"):
                return True
    return False


def _out_argument(tree):
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "add_argument" and node.args
                and isinstance(node.args[0], ast.Constant) and node.args[0].value == "--out"):
            return node
    return None


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_writes_only_under_out(path):
    # before: four examples wrote plots or JSON into examples/output or benchmarks/results
    source = path.read_text()
    tree = ast.parse(source)
    for fragment in ('"examples" / "output"', '"benchmarks" / "results"'):
        assert fragment not in source, f"{path.name} writes into the repository ({fragment})"
    if not _writes_files(tree):
        return
    out = _out_argument(tree)
    if out is None:
        # only an opt-in file the user names (tiktok_influencer_leakage's --json FILE, no default)
        assert "--json" in source and "Path(args.json).write_text" in source, (
            f"{path.name} writes files but takes no --out")
        return
    default = next((k.value for k in out.keywords if k.arg == "default"), None)
    assert default is not None and "REPO" not in ast.unparse(default), (
        f"{path.name}: the default of --out must be outside the repository")


def test_examples_default_out_is_the_temporary_folder():
    # the one default the examples share, announced in their docstrings
    for path in EXAMPLES:
        source = path.read_text()
        if "--out" in source:
            assert 'OUT = Path(tempfile.gettempdir()) / "skinfluence-examples"' in source, path.name


@pytest.mark.shared_data
def test_segment_example_writes_its_plot_under_out(shared_data, tmp_path):
    pytest.importorskip("matplotlib")
    data = shared_data("tiktok_creator_videos")
    script = REPO / "examples" / "segment_tiktok_creators.py"
    done = subprocess.run([sys.executable, str(script), str(data), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=600, cwd=tempfile.gettempdir())
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "tiktok_segments.png").stat().st_size > 0


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_real_data_example_has_a_synthetic_fallback(path):
    # the gallery runs every example; without ../shared/data a real-data example must say
    # so and go on with a generator instead of failing the documentation build
    source = path.read_text()
    if '"shared" / "data"' not in source:
        return
    assert "absent" in source, f"{path.name} reads ../shared/data but never says it is absent"
    assert re.search(r"\bmake_(creators|audiences|follower_accounts)\(", source), (
        f"{path.name} has no synthetic fallback (make_creators or a sibling)")


def test_segment_example_without_data_says_so_and_uses_make_creators(tmp_path):
    pytest.importorskip("matplotlib")
    script = REPO / "examples" / "segment_tiktok_creators.py"
    env = {**os.environ, "SKINFLUENCE_DOCS_QUICK": "1", "MPLBACKEND": "agg"}
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "absent"),
                           "--out", str(tmp_path)], capture_output=True, text=True,
                          timeout=600, cwd=tempfile.gettempdir(), env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"{tmp_path / 'absent'} is absent" in done.stdout
    assert "make_creators" in done.stdout and "1,000 creators" in done.stdout
    assert (tmp_path / "tiktok_segments.png").stat().st_size > 0
