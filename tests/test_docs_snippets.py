"""The code in the docs runs as written (a snippet that fails is a silent wrong answer too)."""

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


def python_blocks(page):
    return re.findall(r"```python\n(.*?)```", (DOCS / page).read_text(), re.S)


@pytest.mark.shared_data
def test_pair_ranker_snippets_run(shared_data):
    # before: the first snippet ranked an undefined `candidates`
    pytest.importorskip("lightgbm")
    blocks = python_blocks("pair_ranker.md")
    quick_start, pairs = blocks[0], blocks[1]
    assert '"../shared/data/peerindex"' in quick_start
    code = quick_start.replace('"../shared/data/peerindex"', repr(str(shared_data("peerindex"))))
    code = code.replace("PairwiseRanker()", "PairwiseRanker(n_estimators=20, n_jobs=1)")  # speed
    namespace = {}
    exec(compile(code, "docs/pair_ranker.md", "exec"), namespace)  # noqa: S102
    ranking = namespace["ranker"].rank(namespace["candidates"].head(20))
    assert len(ranking) == 20 and ranking["rank"].min() == 1

    namespace = {}
    exec(compile(pairs, "docs/pair_ranker.md", "exec"), namespace)  # noqa: S102
    assert list(namespace["X"].columns[:2]) == ["A_account_id", "B_account_id"]
    assert namespace["X"]["B_follower_count"].tolist() == [5400, 120]
