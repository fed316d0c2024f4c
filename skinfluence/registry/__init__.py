"""The component registry: every skinfluence component, built-in or plugin, by kind.

Built-in components register themselves with :func:`register` when their
module is imported; :func:`all_components` imports the built-in modules and the
third-party plugins of the entry-point group ``skinfluence.components`` on
first use (never at ``import skinfluence``).
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
