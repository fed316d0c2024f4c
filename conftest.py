"""Repository-wide pytest hooks (tests/ and the doctests of skinfluence/).

``@pytest.mark.requires_extras("text", ...)`` skips a test, with the install hint as the
reason, when a skinfluence extra is not installed; doctests of components that declare
extras are skipped the same way. With every extra installed (CI) nothing is skipped, so
``tox -e core`` and ``tox -e mindeps`` (no extras) run the rest of the suite.
"""

import importlib

import pytest


def _missing_extras(extras):
    from skinfluence.utils._optional import EXTRAS, missing_modules

    return [e for e in extras if missing_modules([m for m, _ in EXTRAS[e]])]


def _doctest_extras(item):
    """Extras declared by the object a doctest documents (a component class or its method)."""
    from skinfluence.registry._registry import declared_extras

    module_name, _, qualname = item.name.rpartition(".")
    parts = item.name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr, None)
            if obj is None:
                return ()
            extras = declared_extras(obj) if isinstance(obj, type) else ()
            if extras:
                return tuple(extras)
        return ()
    return ()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "requires_extras(*extras): skip unless these skinfluence extras are installed"
    )


def pytest_collection_modifyitems(config, items):
    for item in items:
        extras = [e for mark in item.iter_markers("requires_extras") for e in mark.args]
        if type(item).__name__ == "DoctestItem":
            extras += _doctest_extras(item)
        missing = _missing_extras(extras) if extras else []
        if missing:
            hint = ", ".join(f'pip install "skinfluence[{e}]"' for e in missing)
            item.add_marker(pytest.mark.skip(reason=f"needs the {missing} extra(s): {hint}"))
