"""The HTML report: self-contained, every section present, small with 10,000 creators, readable
in headless Chromium; ``skinfluence report`` and ``skinfluence demo --report``."""

import base64
import html
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from skinfluence.report import (  # noqa: E402
    HTMLReport,
    build_report,
    contract_checks,
    default_segmenter,
    influence_items,
)

SECTIONS = ("segments", "influence", "audience", "attention", "checks")


def _csv_links(page: str) -> dict[str, pd.DataFrame]:
    """Every CSV download of the page, decoded: file name -> table."""
    found = {}
    for name, data in re.findall(r'download="([^"]+)" href="data:text/csv;base64,([^"]+)"', page):
        found[name] = pd.read_csv(io.StringIO(base64.b64decode(data).decode("utf-8")))
    return found


def assert_self_contained(page: str):
    assert "<script" not in page.lower()
    assert not re.search(r"(src|href)\s*=\s*\"(https?:)?//", page), "a link leaves the file"
    assert not re.search(r"url\(", page), "a style fetches something"
    srcs = re.findall(r'<img[^>]*src="([^"]{0,30})', page)
    assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs)


def _tiny_models(data, seed=0):
    """Cheap fitted models for a report: a pair ranker, audience quality and a profiler."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import make_pipeline

    from skinfluence import PostEncoder
    from skinfluence._demo import _CaptionTopics
    from skinfluence.audience import AudienceQuality, FakeFollowerDetector
    from skinfluence.profiling import AttentiveProfiler
    from skinfluence.ranking import PairwiseRanker, make_pairs

    frame = data.accounts
    rng = np.random.default_rng(seed)
    items = influence_items(frame.iloc[:300])
    ids = items["account_id"].to_numpy()
    a = rng.integers(0, 300, 400)
    b = (a + rng.integers(1, 300, 400)) % 300
    y = (items["likes_mean"].to_numpy()[a] > items["likes_mean"].to_numpy()[b]).astype(int)
    ranker = PairwiseRanker(n_estimators=10, n_jobs=1, random_state=seed).fit(
        make_pairs(items, np.column_stack([ids[a], ids[b]]), keep_ids=False), y)
    detector = FakeFollowerDetector(HistGradientBoostingClassifier(max_iter=15, max_depth=3))
    audience = AudienceQuality(detector, cv=3, random_state=seed).fit(frame.iloc[:300])
    profiler = make_pipeline(
        PostEncoder([("caption", _CaptionTopics(n_components=8))], label_field="label"),
        AttentiveProfiler(hidden_size=8, attention_size=4, head_hidden_size=4, max_epochs=2,
                          device="cpu", random_state=seed),
    ).fit(frame.iloc[:200], data.topic[:200])
    return ranker, audience, profiler


@pytest.fixture(scope="module")
def small_report(tmp_path_factory):
    from skinfluence.datasets import make_audiences, make_creators

    data = make_creators(300, n_topics=4, random_state=0)
    data = make_audiences(creators=data, followers_per_sample=(20, 60), labelled=0.2,
                          random_state=0)
    data.topic = make_creators(300, n_topics=4, random_state=0).topic
    ranker, audience, profiler = _tiny_models(data)
    report = build_report(data.accounts, ranker=ranker, audience=audience, profiler=profiler)
    path = report.write(tmp_path_factory.mktemp("report") / "report.html")
    return Path(path), data


def test_report_has_every_section_and_its_numbers(small_report):
    path, data = small_report
    page = path.read_text(encoding="utf-8")
    assert_self_contained(page)
    for key in SECTIONS:
        assert f'<section id="{key}">' in page
    assert "Not available" not in page  # every model was given
    tables = _csv_links(page)
    assert set(tables) >= {"segments.csv", "creator_segments.csv", "top_creators.csv",
                           "audience_quality.csv", "attention.csv", "data_checks.csv"}
    # the numbers behind the pictures: every creator, with the columns a reader needs
    assert len(tables["creator_segments.csv"]) == 300
    ranking = tables["top_creators.csv"]
    assert len(ranking) == 300 and ranking["rank"].tolist() == sorted(ranking["rank"])
    audience = tables["audience_quality.csv"]
    audience = audience[audience["followers checked"] > 0]  # no sample: no estimate (NaN)
    assert len(audience) > 250
    assert (audience["at least"] <= audience["fake followers"] + 1e-9).all()
    assert (audience["fake followers"] <= audience["at most"] + 1e-9).all()
    assert tables["segments.csv"]["creators"].sum() == 300
    assert (tables["data_checks.csv"]["result"] != "failed").all()


def test_missing_models_are_explained_in_plain_words():
    from skinfluence.datasets import make_creators

    frame = make_creators(120, random_state=1).accounts
    page = build_report(frame).to_html()
    assert_self_contained(page)
    page = html.unescape(page)
    assert "no 'audience' column" in page and "no attentive profiler" in page
    assert "ranked by their typical (median) likes per post" in page


def test_failed_contract_checks_show_in_the_report():
    from skinfluence.datasets import make_creators

    frame = make_creators(30, random_state=0).accounts
    frame.loc[2, "followers"] = -1
    frame.loc[5, "account_id"] = frame.loc[4, "account_id"]
    checks = contract_checks(frame)
    failed = set(checks.loc[checks.result == "failed", "check"])
    assert "follower counts are known and not negative" in failed
    assert any("appears once" in c for c in failed)


def test_tables_are_truncated_with_counts_and_the_csv_holds_all():
    report = HTMLReport("t")
    table = pd.DataFrame({"creator": [f"c{i}" for i in range(1000)], "x": np.arange(1000.0)})
    report.section("s", "S", "lead").add_table(table, name="s.csv", title="all", shown=10,
                                               csv_max_rows=600)
    page = report.to_html()
    assert page.count("<tr>") == 1 + 10
    assert "Showing 10 of 1,000 rows." in page and "the first 600 of 1,000 rows" in page
    assert len(_csv_links(page)["s.csv"]) == 600
    with pytest.raises(ValueError, match="already has a section 's'"):
        report.section("s", "again", "")


def test_text_is_escaped():
    report = HTMLReport("<b>title</b>")
    report.section("s", "S", "<script>alert(1)</script>").add_table(
        pd.DataFrame({"creator": ["<img src=x>"]}), name="a.csv", title="t")
    page = report.to_html()
    assert "<script>" not in page and "<img src=x>" not in page and "&lt;img src=x&gt;" in page


@pytest.mark.slow
def test_report_of_10000_creators_stays_small(tmp_path):
    from skinfluence.datasets import make_audiences, make_creators

    data = make_creators(10_000, n_topics=4, n_posts=(2, 4), random_state=0)
    topic = data.topic
    data = make_audiences(creators=data, followers_per_sample=(5, 15), labelled=0.3,
                          random_state=0)
    data.topic = topic
    ranker, audience, profiler = _tiny_models(data)
    segmenter = default_segmenter().set_params(kmeanssegmenter__n_clusters=4,
                                               kmeanssegmenter__silhouette_sample_size=500)
    segmenter.fit(data.accounts)
    path = build_report(data.accounts, segmenter=segmenter, ranker=ranker, audience=audience,
                        profiler=profiler).write(tmp_path / "big.html")
    size = os.path.getsize(path)
    assert size < 5e6, f"{size / 1e6:.1f} MB"
    page = Path(path).read_text(encoding="utf-8")
    assert_self_contained(page)
    assert page.count("Showing 15 of 10,000 rows.") >= 2  # ranking and audience, truncated
    tables = _csv_links(page)
    assert len(tables["top_creators.csv"]) == len(tables["audience_quality.csv"]) == 10_000
    assert len(re.findall(r"<tr>", page)) < 200  # the page itself shows a few rows only


# ----------------------------------------------------------------------- command line


def test_cli_report_from_a_parquet_frame_and_a_saved_segmenter(tmp_path, capsys):
    from skinfluence.cli import main
    from skinfluence.datasets import make_creators
    from skinfluence.persistence import save
    from skinfluence.scale import write_accounts

    frame = make_creators(150, random_state=2).accounts
    write_accounts(frame, tmp_path / "creators.parquet")
    segmenter = default_segmenter().set_params(kmeanssegmenter__n_clusters=3).fit(frame)
    save(segmenter, tmp_path / "segmenter.skops")
    out = tmp_path / "out.html"
    assert main(["report", str(tmp_path / "creators.parquet"), "-o", str(out), "--segmenter",
                 str(tmp_path / "segmenter.skops"), "--title", "Spring campaign",
                 # SimpleImputer keeps a numpy dtype, which skops does not trust by default
                 "--trust", "numpy.dtype"]) == 0
    assert "Report written to" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert "<h1>Spring campaign</h1>" in page and "150 creators from creators.parquet" in page
    assert len(_csv_links(page)["segments.csv"]) == 3
    with pytest.raises(SystemExit, match="does not exist"):
        main(["report", str(tmp_path / "nothing.parquet"), "-o", str(out)])


@pytest.mark.slow
def test_demo_writes_its_report(tmp_path):
    from skinfluence.cli import run_demo

    out = tmp_path / "demo.html"
    buf = io.StringIO()
    report = run_demo(n_accounts=100, random_state=0, stream=buf, quick=True, html=out)
    assert report["html"] == str(out) and "[10/10] Writing the HTML report" in buf.getvalue()
    page = out.read_text(encoding="utf-8")
    assert_self_contained(page)
    for key in (*SECTIONS, "brand"):
        assert f'<section id="{key}">' in page
    assert "Not available" not in page
    curves = _csv_links(page)["ranking_curves.csv"]
    assert list(curves["k"]) == list(range(1, 21))


# --------------------------------------------------------------------- headless Chromium

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _chromium(args, tmp_path):
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=180)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                    "(Debian: apt-get install chromium)")
def test_report_renders_in_headless_chromium(small_report, tmp_path):
    from PIL import Image

    path, _ = small_report
    url = path.resolve().as_uri()
    dom = _chromium(["--dump-dom", url], tmp_path).stdout
    for key, heading in zip(SECTIONS, ("Creator segments", "Top creators", "Audience quality",
                                       "Why a creator got their topic", "Data checks"),
                            strict=True):
        assert re.search(rf'<section id="{key}"><h2>{heading}</h2>', dom), key
    assert dom.count("<img") >= 5
    shot = tmp_path / "report.png"
    _chromium([f"--screenshot={shot}", "--window-size=1280,4000", url], tmp_path)
    pixels = np.asarray(Image.open(shot).convert("L"), dtype=float)
    assert pixels.shape == (4000, 1280)
    # not blank: the page has dark text and pictures on a light background, all the way down
    assert pixels.std() > 20
    for band in np.array_split(pixels, 4):
        assert band.std() > 10 and (band < 100).mean() > 0.002


def test_report_docstrings_match_signatures():
    numpydoc_validate = pytest.importorskip("numpydoc.validate")
    import inspect

    import skinfluence.report as report

    names = []
    for name in report.__all__:
        obj = getattr(report, name)
        if inspect.isclass(obj):
            names += [f"{name}.{a}" for a, m in vars(obj).items()
                      if inspect.isfunction(m) and not a.startswith("_")]
        if callable(obj):
            names.append(name)
    errors = {}
    for name in names:
        result = numpydoc_validate.validate(f"skinfluence.report.{name}")
        bad = [c for c, _ in result["errors"] if c in {"GL08", "PR01", "PR02", "PR03"}]
        if bad:
            errors[name] = bad
    assert not errors
