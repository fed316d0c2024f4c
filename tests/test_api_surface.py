"""One source of truth: the public API, the registry and the shared checks agree.

The top-level names come from the subpackages' ``__all__`` and the built-in components
from the classes decorated with ``@register`` (``skinfluence/_discovery.py``); these
tests fail when the three drift apart, e.g. a component that is registered but not
exported, exported but not registered, or not reached by ``tests/test_common.py``.
"""

import importlib
import importlib.util
import inspect
import io
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin

import skinfluence
from skinfluence import _discovery, all_components
from skinfluence.base import ComponentMixin
from skinfluence.nested import unnest_posts
from skinfluence.utils import estimator_checks

TESTS = Path(__file__).resolve().parent
PUBLIC_MODULES = sorted({module for module in skinfluence._EXPORTS.values()})


def _builtins():
    """Registered components that skinfluence itself defines (not plugins, not test classes)."""
    out = {}
    for info in all_components():
        module = sys.modules.get(info.cls.__module__)
        if info.source == "skinfluence" and getattr(module, info.name, None) is info.cls:
            out[info.name] = info.cls
    return out


def _exported_estimators():
    return {
        name: getattr(skinfluence, name)
        for name in skinfluence.__all__
        if inspect.isclass(getattr(skinfluence, name))
        and issubclass(getattr(skinfluence, name), BaseEstimator)
    }


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_static_all_matches_runtime_all(module):
    # the top level reads __all__ from the source without importing: it must be the real one
    mod = importlib.import_module(module)
    if not hasattr(mod, "__all__"):  # a private module exporting single names (show_versions)
        return
    static = _discovery._static_all(Path(mod.__file__))
    assert static == list(mod.__all__)
    for name in mod.__all__:
        assert hasattr(mod, name), f"{module}.__all__ lists {name!r}, which it does not define"


def test_top_level_is_the_union_of_the_subpackages():
    expected = set()
    for path in sorted(Path(skinfluence.__file__).parent.iterdir()):
        name = path.stem if path.suffix == ".py" else path.name
        if name.startswith("_") or name in _discovery.NOT_AT_TOP_LEVEL:
            continue
        if path.suffix == ".py" or (path / "__init__.py").is_file():
            expected |= set(importlib.import_module(f"skinfluence.{name}").__all__)
    expected |= {"show_versions", "__version__"}
    assert set(skinfluence.__all__) == expected
    assert set(dir(skinfluence)) >= expected


def test_every_public_name_resolves_to_one_object():
    for name in skinfluence.__all__:
        value = getattr(skinfluence, name)
        for module in PUBLIC_MODULES:
            mod = importlib.import_module(module)
            if name in getattr(mod, "__all__", ()):
                assert getattr(mod, name) is value, f"{name} differs between skinfluence and {module}"


def test_infrastructure_is_not_at_top_level():
    for name in ("ComponentMixin", "AccountFrameError", "check_component", "main"):
        assert name not in skinfluence.__all__
        with pytest.raises(AttributeError):
            getattr(skinfluence, name)


def test_registered_builtins_are_exactly_the_exported_estimators():
    builtins = _builtins()
    exported = _exported_estimators()
    assert sorted(builtins) == sorted(exported)
    for name, cls in builtins.items():
        assert exported[name] is cls


def test_registry_finds_every_module_that_registers_a_class():
    modules = set(_discovery.component_modules())
    assert "skinfluence.utils.estimator_checks" not in modules
    assert "skinfluence.registry._registry" not in modules
    defining = {cls.__module__ for cls in _builtins().values()}
    assert defining == modules


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_shared_checks_run_on_every_registered_component():
    spec = importlib.util.spec_from_file_location("_common_for_surface", TESTS / "test_common.py")
    common = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(common)
    checked = {type(est) for est in common.INSTANCES}
    assert checked == {info.cls for info in all_components()}
    assert set(_builtins().values()) <= checked


def test_import_loads_no_pandas_and_no_component():
    code = textwrap.dedent("""
        import sys
        import skinfluence
        assert len(skinfluence.__all__) > 30
        loaded = [m for m in ("pandas", "sklearn", "skinfluence.features", "skinfluence.datasets")
                  if m in sys.modules]
        print(loaded)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ------------------------------------- shared-check input comes from tags and generators


class _ImagePosts(ComponentMixin, TransformerMixin, BaseEstimator):
    """Mean image size in bytes per account (only to see the input the checks build)."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.account_frame = True
        tags.input_tags.two_d_array = False
        tags.input_tags.post_fields = ("image",)
        return tags

    def fit(self, X, y=None):
        return self


def test_check_input_has_images_when_the_tags_ask_for_them():
    frame, y = estimator_checks._check_frame(_ImagePosts())
    plain, y_plain = estimator_checks.make_check_frame()
    np.testing.assert_array_equal(y, y_plain)
    posts = unnest_posts(frame)
    assert len(posts) == len(unnest_posts(plain)) > 0
    image = pytest.importorskip("PIL.Image")  # the [image] extra
    first = image.open(io.BytesIO(posts["image"].iloc[0]))
    assert first.format == "PNG" and first.size == (8, 8)
    assert posts["image"].map(len).gt(0).all()


def test_audience_check_input_keeps_the_edge_accounts():
    from skinfluence.audience import AudienceQuality

    frame, _ = estimator_checks._check_frame(AudienceQuality())
    sizes = frame["audience"].list.len().to_numpy()
    zero_followers = np.flatnonzero(frame["followers"].to_numpy() == 0)
    assert (sizes[[1, 4, 7]] == 0).all() and (sizes[zero_followers] == 0).all()
    assert (sizes[[0, 3, 5]] >= 20).all() and sizes.max() <= 40
