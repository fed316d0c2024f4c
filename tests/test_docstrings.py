"""Every public object's numpydoc Parameters section matches its signature.

As imbalanced-learn does (``tests/test_docstring_parameters.py``): numpydoc's validator
runs on each public class, its public methods and each public function exported from
``skinfluence``, and a test fails on a parameter that is documented but not in the
signature, in the signature but not documented, or documented out of order, and on a
public object without a docstring.
"""

import inspect

import pytest

import skinfluence

numpydoc_validate = pytest.importorskip("numpydoc.validate")

# numpydoc error codes checked: no docstring; parameters missing, unknown, out of order.
CHECKED = {"GL08", "PR01", "PR02", "PR03"}
# get_test_params is a hook of the shared tests, documented once on ComponentMixin.
_SKIPPED_METHODS = {"get_test_params"}
# Methods inherited from scikit-learn (their docstrings are scikit-learn's to keep).
_INHERITED_FROM = ("sklearn.", "skorch.", "builtins")


def _public_objects():
    for name in sorted(skinfluence.__all__):
        if name.startswith("__"):
            continue
        obj = getattr(skinfluence, name)
        if inspect.isclass(obj):
            yield f"skinfluence.{name}", obj, None
            for attr, member in inspect.getmembers(obj):
                if (attr.startswith("_") and attr != "__init__") or attr in _SKIPPED_METHODS:
                    continue
                if not (inspect.isfunction(member) or inspect.ismethod(member)):
                    continue
                owner = next((k for k in obj.__mro__ if attr in vars(k)), None)
                if owner is None or owner.__module__.startswith(_INHERITED_FROM):
                    continue
                if attr == "__init__":
                    continue  # documented in the class docstring
                yield f"skinfluence.{name}.{attr}", member, obj
        elif callable(obj):
            yield f"skinfluence.{name}", obj, None


OBJECTS = list(_public_objects())


@pytest.mark.parametrize("qualname, obj, owner", OBJECTS, ids=[o[0] for o in OBJECTS])
def test_docstring_parameters_match_signature(qualname, obj, owner):
    result = numpydoc_validate.validate(qualname)
    errors = [(code, msg) for code, msg in result["errors"] if code in CHECKED]
    assert not errors, f"{qualname}: " + "; ".join(f"{c}: {m}" for c, m in errors)
