"""Registry, plugins, lazy imports and optional-dependency errors."""

import re
import subprocess
import sys
import textwrap
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import get_tags

import skinfluence
from skinfluence import all_components, get_component, register
from skinfluence.base import ComponentMixin
from skinfluence.exceptions import MissingDependencyError, PluginLoadWarning
from skinfluence.registry import KINDS, _registry
from skinfluence.utils._optional import ALL_ONLY, EXTRAS, install_hint, is_installed
from skinfluence.utils.estimator_checks import check_component, make_check_frame

REPO = Path(__file__).resolve().parents[1]
PLUGIN_SRC = REPO / "examples" / "plugin_package" / "src"


def test_components_have_valid_kinds_and_are_sorted():
    infos = all_components()
    assert [i.kind for i in infos] == sorted((i.kind for i in infos), key=KINDS.index)
    for info in infos:
        assert info.kind in KINDS
        assert issubclass(info.cls, BaseEstimator) and issubclass(info.cls, ComponentMixin)


def test_kind_filter():
    assert all(i.kind == "extractor" for i in all_components(kind="extractor"))
    assert "PostsText" in [i.name for i in all_components(kind=["extractor", "ranker"])]
    with pytest.raises(ValueError, match="kind must be one of"):
        all_components(kind="transformer")


def test_get_component_suggests_close_names():
    with pytest.raises(KeyError, match="Did you mean 'PostsText'"):
        get_component("PostText")


def test_register_rejects_unknown_kind_and_extra():
    with pytest.raises(ValueError, match="kind must be one of"):
        register("transformer")
    with pytest.raises(ValueError, match="unknown extra"):
        register("extractor", extras=["gpu"])


def test_import_is_lazy_and_fast():
    code = textwrap.dedent("""
        import sys, time
        t = time.perf_counter()
        import skinfluence
        elapsed = time.perf_counter() - t
        heavy = [m for m in ("torch", "timm", "sentence_transformers", "lightgbm", "skorch")
                 if m in sys.modules]
        print(elapsed, heavy)
        skinfluence.all_components()  # listing components must not import them either
        heavy = [m for m in ("torch", "timm", "sentence_transformers", "lightgbm", "skorch")
                 if m in sys.modules]
        print(heavy)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    first, second = out.stdout.strip().splitlines()
    elapsed, heavy = first.split(" ", 1)
    assert float(elapsed) < 1.0
    assert heavy == "[]" and second == "[]"


def test_unknown_attribute():
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        skinfluence.Nope  # noqa: B018


# ------------------------------------------------------------------- optional deps


@pytest.fixture
def needs_torch_component():
    @register("profiler", extras=("torch",))
    class _NeedsTorch(ComponentMixin, TransformerMixin, BaseEstimator):
        def __sklearn_tags__(self):
            tags = super().__sklearn_tags__()
            tags.input_tags.account_frame = True
            tags.input_tags.two_d_array = False
            return tags

        def __init__(self, hidden=8):
            self.hidden = hidden

        def fit(self, X, y=None):
            self._check_extras()
            return self

    yield _NeedsTorch
    _registry._forget("_NeedsTorch")


def test_missing_extra_raises_at_fit_not_at_construction(needs_torch_component, monkeypatch):
    monkeypatch.setattr("skinfluence.base.missing_modules", lambda mods: ["torch"])
    est = needs_torch_component(hidden=4)  # construction never needs the extra
    info = get_component("_NeedsTorch")
    assert info.extras == ("torch",)
    with pytest.raises(MissingDependencyError, match=r'_NeedsTorch requires torch, which is not installed\. '
                                                       r'Install it with: pip install "skinfluence\[torch\]"'):
        est.fit(make_check_frame()[0])
    with pytest.raises(ImportError):  # catchable as a plain ImportError too
        est.fit(None)


def test_kind_and_extras_are_registry_metadata_reported_as_tags(needs_torch_component):
    # one declaration (@register), kept by the registry: no class variables to drift
    assert not hasattr(needs_torch_component, "_skinfluence_kind")
    assert not hasattr(needs_torch_component, "_skinfluence_extras")
    assert get_tags(needs_torch_component()).extras == ("torch",)
    assert get_component("_NeedsTorch").kind == "profiler"

    class Child(needs_torch_component):  # inherits its nearest registered base's declaration
        pass

    assert get_tags(Child()).extras == ("torch",)

    class Unregistered(ComponentMixin, TransformerMixin, BaseEstimator):
        def fit(self, X, y=None):
            return self

    assert get_tags(Unregistered()).extras == ()
    Unregistered()._check_extras()  # declares nothing, so nothing is missing


def test_registry_reports_availability(needs_torch_component, monkeypatch):
    monkeypatch.setattr(_registry, "missing_modules", lambda mods: list(mods))
    info = get_component("_NeedsTorch")
    assert info.missing == ["torch", "skorch"] and not info.available
    assert "_NeedsTorch" not in [i.name for i in all_components(available_only=True)]


def _pyproject_extras():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    with open(REPO / "pyproject.toml", "rb") as f:
        extras = tomllib.load(f)["project"]["optional-dependencies"]
    return {extra: {Requirement(r).name for r in reqs} for extra, reqs in extras.items()}


def _canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def test_extras_table_matches_pyproject_both_ways():
    pyproject = _pyproject_extras()
    # all bundles the others; dev (tests) and docs (the site) are tools, not runtime features
    declared = {extra for extra in pyproject if extra not in ("all", "dev", "docs")}
    assert set(EXTRAS) == declared, "skinfluence.utils._optional.EXTRAS and pyproject.toml list other extras"
    for extra, modules in EXTRAS.items():
        table = {_canonical(dist) for _, dist in modules}
        assert table == {_canonical(d) for d in pyproject[extra]}, f"extra [{extra}] differs"
    # [all] = every extra + the optional packages without an extra of their own
    all_reqs = [Requirement(r) for r in _all_requirements()]
    assert {e for r in all_reqs if r.name == "skinfluence" for e in r.extras} == set(EXTRAS)
    assert {_canonical(r.name) for r in all_reqs if r.name != "skinfluence"} == {
        _canonical(dist) for _, dist in ALL_ONLY
    }


def _all_requirements():
    tomllib = pytest.importorskip("tomllib")
    with open(REPO / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["optional-dependencies"]["all"]


def test_extras_table_import_names_are_right():
    # where a distribution is installed, its import name in the table must be importable
    for mod, dist in [m for mods in EXTRAS.values() for m in mods] + list(ALL_ONLY):
        try:
            version(dist)
        except PackageNotFoundError:
            continue
        assert is_installed(mod), f"{dist} is installed but the table's import name {mod!r} is not found"


def test_is_installed_after_import_of_a_module_without_spec(monkeypatch):
    # optuna_integration, once imported, is a lazy module whose __spec__ is None
    lazy = type(sys)("_lazy_without_spec")
    lazy.__spec__ = None
    monkeypatch.setitem(sys.modules, "_lazy_without_spec", lazy)
    assert is_installed("_lazy_without_spec")
    assert not is_installed("_no_such_module_xyz")


def test_no_hint_names_an_extra_that_does_not_exist():
    assert install_hint(["matplotlib.pyplot"], extra="plot") == "pip install matplotlib"
    assert install_hint(["optuna"]) == 'pip install "skinfluence[tune]"'
    assert install_hint(["torch", "timm"]) == 'pip install "skinfluence[image,torch]"'


def test_components_command_lists_every_extra(capsys):
    from skinfluence.cli import main

    assert main(["components"]) == 0
    out = capsys.readouterr().out
    for extra in (*EXTRAS, "all"):
        assert f"[{extra}] " in out
    assert "[tune] optuna" in out and "[all] matplotlib" in out and "[plot]" not in out


# ------------------------------------------------------------------------ plugins


def _install_fake_distribution(site: Path, name: str, entry_points: str) -> None:
    """What pip leaves behind for a distribution with entry points: a .dist-info folder."""
    info = site / f"{name.replace('-', '_')}-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text(entry_points)


@pytest.fixture
def plugin_site(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv(_registry.DISABLE_ENV, raising=False)
    _registry._reset_plugins()
    yield tmp_path
    for mod in [m for m in sys.modules if m.startswith(("skinfluence_caption_length", "broken_plugin"))]:
        del sys.modules[mod]
    _registry._reset_plugins()


def test_example_plugin_is_discovered_and_passes_the_shared_checks(plugin_site, monkeypatch):
    monkeypatch.syspath_prepend(str(PLUGIN_SRC))
    _install_fake_distribution(
        plugin_site, "skinfluence-caption-length",
        "[skinfluence.components]\ncaption_length = skinfluence_caption_length:CaptionLength\n",
    )
    info = get_component("CaptionLength")
    assert info.source == "skinfluence-caption-length" and info.kind == "extractor"
    assert "CaptionLength" in [i.name for i in all_components(kind="extractor")]
    check_component(info.cls())
    frame, _ = make_check_frame()
    out = info.cls().fit_transform(frame)
    assert out.shape == (len(frame), 2)


def test_broken_plugin_warns_and_registry_survives(plugin_site):
    (plugin_site / "broken_plugin.py").write_text("raise RuntimeError('boom at import')\n")
    _install_fake_distribution(plugin_site, "broken-plugin", "[skinfluence.components]\nbad = broken_plugin:Thing\n")
    with pytest.warns(PluginLoadWarning, match=r"skipping skinfluence plugin 'bad'.*broken-plugin.*boom at import"):
        infos = all_components()
    assert "PostsText" in [i.name for i in infos]


def test_plugin_without_kind_is_rejected_with_a_warning(plugin_site):
    (plugin_site / "broken_plugin.py").write_text("class Thing:\n    pass\n")
    _install_fake_distribution(plugin_site, "broken-plugin", "[skinfluence.components]\nbad = broken_plugin:Thing\n")
    with pytest.warns(PluginLoadWarning, match="declares no component kind"):
        all_components()


def test_plugin_autoload_can_be_disabled(plugin_site, monkeypatch):
    (plugin_site / "broken_plugin.py").write_text("raise RuntimeError('must not be imported')\n")
    _install_fake_distribution(plugin_site, "broken-plugin", "[skinfluence.components]\nbad = broken_plugin:Thing\n")
    monkeypatch.setenv(_registry.DISABLE_ENV, "1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        all_components()
    assert "broken_plugin" not in sys.modules
