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
        "brand_creators", "audience_quality", "attention", "list_components", "write_html"]
    # the steps only the HTML report needs (skinfluence demo --report) do not slow the demo
    assert [step.run.__name__ for step in _demo.STEPS if step.report_only] == [
        "audience_quality", "attention", "write_html"]

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


@pytest.mark.parametrize(("argv", "message"), [
    (["--accounts", "20"], r"--accounts must be between 100 and 10000 .*; got 20"),
    (["--accounts", "0"], r"--accounts must be between 100 and 10000"),
    (["--accounts", "10001"], r"--accounts must be between 100 and 10000"),
    (["--random-state", "-1"], r"--random-state must be between 0 and 4294967295; got -1"),
])
def test_demo_arguments_are_checked_before_any_work(argv, message, capsys, monkeypatch):
    # before: --accounts 20 ended in scikit-learn's traceback from train_test_split
    from skinfluence import _demo

    monkeypatch.setattr(_demo, "make_data", None)  # no step may start
    with pytest.raises(SystemExit) as info:
        main(["demo", *argv])
    assert info.value.code == 2
    assert re.search(message, capsys.readouterr().err)
    with pytest.raises(ValueError, match=r"The '(n_accounts|random_state)' parameter of run_demo "
                                         r"must be an int in the range"):
        run_demo(n_accounts=int(argv[1]) if argv[0] == "--accounts" else None,
                 random_state=int(argv[1]) if argv[0] == "--random-state" else 0)


def test_demo_quick_mode_uses_less_data_and_fewer_grid_points(monkeypatch, capsys):
    from skinfluence import _demo

    seen = {}

    def record(demo):
        seen.update({**demo.settings, "n_accounts": demo.n_accounts})
        return "recorded"

    monkeypatch.setattr(_demo, "STEPS", (_demo.Step("{n_pairs:,} pairs, {n_folds} folds", record),))
    main(["demo", "--quick"])
    assert "[1/1] 1,500 pairs, 3 folds" in capsys.readouterr().out
    quick, full = _demo._SETTINGS[True], _demo._SETTINGS[False]
    assert seen["n_accounts"] == 200
    from sklearn.model_selection import ParameterGrid

    assert len(ParameterGrid(quick["grid"])) == 2 < len(ParameterGrid(full["grid"])) == 8
    assert all(quick[k] < full[k] for k in ("n_accounts", "n_folds", "n_pairs", "n_trees",
                                             "n_brands", "n_epochs"))
    main(["demo", "--quick", "--accounts", "150"])
    assert seen["n_accounts"] == 150 and seen["n_folds"] == 3
    main(["demo"])
    assert seen["n_accounts"] == 600 and seen["n_folds"] == 5


def test_demo_report_flag_reaches_the_steps(monkeypatch, tmp_path, capsys):
    from skinfluence import _demo

    seen = {}

    def record(demo):
        seen["html"] = demo.html_path
        return "recorded"

    steps = (_demo.Step("plain step", record),
             _demo.Step("report step", record, report_only=True))
    monkeypatch.setattr(_demo, "STEPS", steps)
    main(["demo", "--quick"])
    out = capsys.readouterr().out
    assert "[1/1] plain step" in out and "report step" not in out and seen["html"] is None
    target = str(tmp_path / "r.html")
    main(["demo", "--quick", "--report", target])
    out = capsys.readouterr().out
    assert "[2/2] report step" in out and seen["html"] == target
    assert f"Report written to {target}" in out
