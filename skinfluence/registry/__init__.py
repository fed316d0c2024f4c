"""The component registry: every skinfluence component, built-in or plugin, by kind.

Built-in components register themselves with :func:`register` when their
module is imported; :func:`all_components` imports the built-in modules and the
third-party plugins of the entry-point group ``skinfluence.components`` on
first use (never at ``import skinfluence``). The built-in modules are not listed
anywhere: they are found by reading the package for classes decorated with
``@register`` (``skinfluence/_discovery.py``). A component's kind and extras are
kept here, in the registry, and surface as :class:`ComponentInfo` fields and as
the ``extras`` tag of ``sklearn.utils.get_tags(component)``.
"""

from ._registry import (
    ENTRY_POINT_GROUP,
    KINDS,
    ComponentInfo,
    all_components,
    get_component,
    register,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "KINDS",
    "ComponentInfo",
    "all_components",
    "get_component",
    "register",
]
