"""The documentation site: every public object has an API page, and the built site renders.

The first tests need no build: they read the API page that ``docs/_ext/api_reference.py``
writes at each build and compare it with the package's ``__all__`` lists. The others
check the built site (``docs/_build/html``, written by ``tox -e docs`` or
``bash docs/build.sh``; CI builds it before the tests) the way a person would: headless
Chromium (Debian's ``chromium``) opens the home page, an API page, the gallery and one
example, takes screenshots (kept in ``docs/_build/screenshots/``) and the tests check that
each is not blank, has its title, and that the gallery shows one thumbnail per example,
each drawn from the example's own figure. They are skipped, with the reason, when the
site has not been built or Chromium is absent.
"""

from __future__ import annotations

import functools
import http.server
import importlib
import importlib.util
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

import skinfluence
from skinfluence._discovery import NOT_AT_TOP_LEVEL

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
SITE = DOCS / "_build" / "html"
SCREENSHOTS = DOCS / "_build" / "screenshots"
EXAMPLES = sorted(p.stem for p in (REPO / "examples").glob("*.py"))


def _api_reference():
    spec = importlib.util.spec_from_file_location("api_reference",
                                                  DOCS / "_ext" / "api_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _documented_paths(text):
    """Dotted paths of the objects in the autosummary tables of an api.rst text."""
    paths, current = set(), None
    in_table = False
    for line in text.splitlines():
        if line.startswith(".. currentmodule::"):
            current = line.split("::", 1)[1].strip()
        elif line.startswith(".. autosummary::"):
            in_table = True
        elif in_table and line.startswith("   ") and not line.strip().startswith(":"):
            if line.strip():
                paths.add(f"{current}.{line.strip()}")
        elif in_table and line.strip() and not line.startswith("   "):
            in_table = False
    return paths


def _expected_paths():
    """Every public object, read here independently of the page generator."""
    expected = {f"skinfluence.{n}" for n in skinfluence.__all__ if not n.startswith("__")}
    separate = {"base", "exceptions", "persistence", "patterns", "report"}
    utils = [p.stem for p in (REPO / "skinfluence" / "utils").glob("*.py")
             if not p.stem.startswith("_")]
    modules = [f"skinfluence.{m}" for m in separate] + [f"skinfluence.utils.{m}" for m in utils]
    for name in modules:
        module = importlib.import_module(name)
        expected |= {f"{name}.{n}" for n in module.__all__}
    return expected


def test_separate_modules_cover_what_is_not_at_top_level():
    # a module kept off the top level is still public: it needs its own section, except
    # the command line (docs/cli.md) and utils, whose public modules are listed one by one
    api = _api_reference()
    covered = {m.split(".")[1] for m in api.SEPARATE_MODULES}
    assert NOT_AT_TOP_LEVEL - {"cli"} <= covered
    utils = {p.stem for p in (REPO / "skinfluence" / "utils").glob("*.py")
             if not p.stem.startswith("_")}
    assert {f"skinfluence.utils.{m}" for m in utils} <= set(api.SEPARATE_MODULES)


def test_api_page_lists_every_public_object():
    documented = _documented_paths(_api_reference().render())
    missing = _expected_paths() - documented
    assert not missing, f"public objects without an API page: {sorted(missing)}"
    extra = documented - _expected_paths()
    assert not extra, f"API pages for objects that are not public: {sorted(extra)}"


def test_documented_paths_parser_reads_tables():
    # the parser above is what the first test relies on: check it on a known text
    text = (".. currentmodule:: skinfluence\n\n.. autosummary::\n   :toctree: generated/\n\n"
            "   KMeansSegmenter\n   make_creators\n\nNext\n----\n")
    assert _documented_paths(text) == {"skinfluence.KMeansSegmenter", "skinfluence.make_creators"}


# ---------------------------------------------------------------- the built site

def _needs_site():
    if not (SITE / "index.html").is_file():
        pytest.skip(f"the documentation site is not built ({SITE}): run `tox -e docs` or "
                    "`bash docs/build.sh` first")


def test_every_public_object_has_a_page_in_the_built_site():
    _needs_site()
    missing = [p for p in sorted(_expected_paths())
               if not (SITE / "generated" / f"{p}.html").is_file()]
    assert not missing, f"no page in {SITE / 'generated'} for {missing}"


def test_every_example_ran_and_drew_a_figure():
    _needs_site()
    for name in EXAMPLES:
        page = SITE / "auto_examples" / f"{name}.html"
        assert page.is_file(), f"examples/{name}.py has no gallery page"
        html = page.read_text(encoding="utf-8")
        images = re.findall(r'<img[^>]+src="([^"]*_images/sphx_glr_' + re.escape(name)
                            + r'_\d+\.png)"', html)
        assert images, f"examples/{name}.py shows no figure in the gallery"
        for src in images:
            assert (page.parent / src).resolve().is_file(), src


def test_every_display_is_used_in_a_gallery_example():
    # issue 15: each Display object appears in at least one example; sphinx-gallery's
    # "Examples using" block on its API page lists them (from_estimator calls count)
    _needs_site()
    displays = [n for n in skinfluence.__all__ if n.endswith("Display")]
    assert displays, "no Display object is public"
    unused = [n for n in displays if "sphx-glr-thumbcontainer" not in
              (SITE / "generated" / f"skinfluence.{n}.html").read_text(encoding="utf-8")]
    assert not unused, f"Display objects used by no gallery example: {unused}"


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium)")


@pytest.fixture(scope="module")
def site_url():
    """The built site served on a free localhost port (as a person would browse it)."""
    _needs_site()
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _run_chromium(*args):
    with tempfile.TemporaryDirectory(prefix="skinfluence-chromium-") as profile:
        command = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                   "--no-first-run", "--disable-background-networking",
                   "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                   f"--user-data-dir={profile}", "--window-size=1280,1600",
                   "--virtual-time-budget=5000", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


PAGES = {
    "home": ("index.html", "skinfluence documentation"),
    "api": ("generated/skinfluence.KMeansSegmenter.html", "KMeansSegmenter"),
    "gallery": ("auto_examples/index.html", "Example gallery"),
    "example": ("auto_examples/segment_tiktok_creators.html", "Segment 1,794 TikTok creators"),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders_in_headless_chromium(site_url, page):
    from PIL import Image, ImageStat

    path, title = PAGES[page]
    url = f"{site_url}/{path}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{page}.png"
    shot.unlink(missing_ok=True)
    done = _run_chromium(f"--screenshot={shot}", url)
    assert shot.is_file(), f"no screenshot of {url}: {done.stderr[-2000:]}"

    with Image.open(shot) as image:
        assert image.size == (1280, 1600)
        gray = image.convert("L")
        stat = ImageStat.Stat(gray)
        # not blank: a page of text, navigation and figures has contrast everywhere;
        # a blank or single-colour page has a standard deviation near 0
        assert stat.stddev[0] > 20, f"{page}: the screenshot looks blank (sd {stat.stddev[0]:.1f})"
        dark = sum(gray.histogram()[:128]) / (gray.width * gray.height)
        assert dark > 0.005, f"{page}: almost no dark pixels ({dark:.2%}): no text rendered"

    dom = _run_chromium("--dump-dom", url).stdout
    found = re.search(r"<title>(.*?)</title>", dom, re.S)
    assert found and title in found.group(1), f"{page}: title {found and found.group(1)!r}"
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", dom, re.S)
    assert heading and title in re.sub(r"<[^>]+>", "", heading.group(1)), f"{page}: no <h1> {title!r}"
    if page == "gallery":
        thumbs = re.findall(r'class="sphx-glr-thumbcontainer"[^>]*tooltip="[^"]*"', dom) or \
            re.findall(r'class="sphx-glr-thumbcontainer"', dom)
        assert len(thumbs) >= len(EXAMPLES), f"{len(thumbs)} thumbnails for {len(EXAMPLES)} examples"
        images = re.findall(r'<img[^>]+src="([^"]*_images/sphx_glr_[^"]*_thumb\.png)"', dom)
        assert len(images) >= len(EXAMPLES)
        for src in images:
            # a thumbnail is the example's own figure, not sphinx-gallery's placeholder
            assert "no_image" not in src
            assert (SITE / "auto_examples" / src).resolve().stat().st_size > 1000, src
