"""The command line: components listing, demo, versions; and the README's quick start."""

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from skinfluence.cli import main, run_demo

README = Path(__file__).resolve().parents[1] / "README.md"


def test_components_lists_builtins_and_extras(capsys):
    assert main(["components"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^PostsText\s+extractor\s+-\s+yes\s+skinfluence$", out, re.M)
    assert "[torch] torch" in out and "[text] sentence-transformers" in out


def test_components_kind_filter(capsys):
    main(["components", "--kind", "ranker"])
    assert "PostsText" not in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["components", "--kind", "nonsense"])


def test_console_script_is_installed():
    exe = shutil.which("skinfluence") or str(Path(sys.executable).with_name("skinfluence"))
    out = subprocess.run([exe, "components"], capture_output=True, text=True, check=True).stdout
    assert "PostsText" in out


def test_versions(capsys):
    main(["versions"])
    assert "scikit-learn" in capsys.readouterr().out


def test_demo_runs_end_to_end_and_beats_the_baseline():
    buf = io.StringIO()
    report = run_demo(n_accounts=200, random_state=1, stream=buf)
    text = buf.getvalue()
    assert "[7/7]" in text and "skinfluence demo report" in text
    assert report["n_accounts"] == 200 and report["n_posts"] > 200
    assert sum(report["tiers"].values()) == 200
    assert report["test_accuracy"] > report["majority_accuracy"] + 0.3
    assert report["n_segments"] >= 2 and report["segments"]["size"].sum() == 200
    assert report["pair_auc"] > 0.75 and report["rank_spearman"] > 0.7
    assert "Pairwise ranking" in text and "Segments" in text
    # unseen creators for unseen brands, from captions alone: well above chance
    assert report["brand_auc"] > 0.65 and "Top creators for a brand" in text


def test_demo_is_a_table_of_named_steps(monkeypatch):
    from skinfluence import _demo

    assert run_demo is _demo.run_demo
    assert [step.run.__name__ for step in _demo.STEPS] == [
        "make_data", "check_contract", "classify_topics", "segment", "rank_pairs",
        "brand_creators", "list_components"]

    # a new step slots in with its progress line and its report section, in order
    def count_brands(demo):
        demo.report["n_brands"] = len(demo.state["data"].brands)
        return f"{demo.report['n_brands']} brands"

    def write_brands(demo):
        demo.write(f"Brands: {demo.report['n_brands']}\n")

    steps = (_demo.STEPS[0], _demo.Step("Counting brands of {n_accounts} creators",
                                        count_brands, write_brands))
    monkeypatch.setattr(_demo, "STEPS", steps)
    buf = io.StringIO()
    report = run_demo(n_accounts=20, random_state=0, stream=buf)
    text = buf.getvalue()
    assert "[1/2] Generating 20 synthetic creators" in text
    assert "[2/2] Counting brands of 20 creators ..." in text and "5 brands" in text
    assert text.index("Data: 20 creators") < text.index("Brands: 5") < text.index("Total time")
    assert report["n_brands"] == 5 and report["n_accounts"] == 20


def test_readme_quick_start_runs():
    text = README.read_text()
    code = re.search(r"## Quick start\s+```python\n(.*?)```", text, re.S).group(1)
    assert len(code.strip().splitlines()) <= 20
    namespace = {}
    exec(compile(code, str(README), "exec"), namespace)  # noqa: S102
    assert namespace["search"].score(namespace["X_test"], namespace["y_test"]) > 0.5


def test_readme_has_exactly_the_two_setup_commands():
    text = README.read_text()
    commands = re.findall(r"```bash\n(.*?)\n```", text, re.S)
    assert commands == ['pip install -e ".[all]" && skinfluence demo',
                        'pip install -e ".[all,dev]" && python -m pytest']
