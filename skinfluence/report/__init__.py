"""A report a marketer can read: one self-contained HTML page from an account frame and models.

:class:`HTMLReport` writes the page (inline style, pictures as base64 PNG, each
section's numbers as a table downloadable as CSV); :func:`build_report` fills it
from an account frame and fitted models; the ``add_*_section`` functions add one
section each, for reports assembled step by step (``skinfluence demo --report``).
"""

from ._html import HTMLReport, Section
from ._sections import (
    INFLUENCE_FEATURES,
    add_attention_section,
    add_audience_section,
    add_brand_section,
    add_checks_section,
    add_influence_section,
    add_segments_section,
    build_report,
    contract_checks,
    default_segmenter,
    influence_items,
)

__all__ = [
    "HTMLReport",
    "INFLUENCE_FEATURES",
    "Section",
    "add_attention_section",
    "add_audience_section",
    "add_brand_section",
    "add_checks_section",
    "add_influence_section",
    "add_segments_section",
    "build_report",
    "contract_checks",
    "default_segmenter",
    "influence_items",
]
