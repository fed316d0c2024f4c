"""skinfluence: influencer analytics as scikit-learn estimators.

Everything public is importable from here (``from skinfluence import Name``),
but nothing is imported until it is first used (PEP 562): ``import skinfluence``
loads no model library (torch, timm, sentence-transformers, lightgbm), and not
even pandas.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0.dev0"

# Public name -> module that defines it. The single source of the public API:
# tests check that every registered component is listed here and vice versa.
_EXPORTS: dict[str, str] = {
    # the data contract
    "nest_posts": "skinfluence.nested",
    "unnest_posts": "skinfluence.nested",
    "validate_account_frame": "skinfluence.nested",
    "flatten_posts": "skinfluence.nested",
    "segment_reduce": "skinfluence.ragged",
    # registry
    "all_components": "skinfluence.registry",
    "get_component": "skinfluence.registry",
    "register": "skinfluence.registry",
    # data sets
    "make_creators": "skinfluence.datasets",
    "make_audiences": "skinfluence.datasets",
    "load_peerindex": "skinfluence.datasets",
    "load_tiktok_videos": "skinfluence.datasets",
    "load_top_instagram": "skinfluence.datasets",
    "load_fake_accounts": "skinfluence.datasets",
    "parse_count": "skinfluence.datasets",
    # components
    "PostsText": "skinfluence.features",
    "SentenceEmbedder": "skinfluence.features",
    "ImageEmbedder": "skinfluence.features",
    "TextStats": "skinfluence.features",
    "SentimentFeatures": "skinfluence.features",
    "PostEncoder": "skinfluence.features",
    "PostPooler": "skinfluence.features",
    "PostFeatures": "skinfluence.ragged",
    "pool_posts": "skinfluence.features",
    "EngagementAggregator": "skinfluence.accounts",
    "ProfileFeatures": "skinfluence.accounts",
    # segmentation
    "KMeansSegmenter": "skinfluence.segmentation",
    "make_silhouette_scorer": "skinfluence.segmentation",
    "silhouette_scorer": "skinfluence.segmentation",
    # ranking
    "PairwiseRanker": "skinfluence.ranking",
    "make_pairs": "skinfluence.ranking",
    # profiling
    "AttentiveProfiler": "skinfluence.profiling",
    # labels and leakage
    "make_influencer_labels": "skinfluence.labels",
    "leakage_scores": "skinfluence.labels",
    "check_label_leakage": "skinfluence.labels",
    "LeakageGuard": "skinfluence.labels",
    # audience quality
    "FakeFollowerDetector": "skinfluence.audience",
    "AudienceQuality": "skinfluence.audience",
    # misc
    "show_versions": "skinfluence._show_versions",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'skinfluence' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
