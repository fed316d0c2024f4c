"""TextStats: caption statistics per post (hashtags, mentions, emoji, URLs, length, sponsorship).

The statistics count the shared caption patterns of :mod:`skinfluence.patterns`,
for all captions at once with Arrow's regular expressions.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.utils.validation import check_is_fitted

from ..exceptions import AccountFrameError
from ..nested import POSTS_COLUMN, FlatPosts
from ..patterns import (
    EMOJI,
    HASHTAG,
    MENTION,
    SPONSOR_HASHTAGS,
    SPONSOR_PHRASES,
    URL,
    WORDS,
    sponsor_pattern,
)
from ..registry import register
from ..utils._param_validation import InvalidParameterError, OptionList, fit_context
from ._base import _blank, _captions, _PostExtractor

__all__ = ["TextStats", "TEXT_STATS", "SPONSOR_HASHTAGS", "SPONSOR_PHRASES"]

#: Per-post statistics of :class:`TextStats`, with their meaning.
TEXT_STATS: dict[str, str] = {
    "chars": "caption length in characters (0 for a missing caption)",
    "words": "number of whitespace-separated words",
    "hashtags": "number of #hashtags (see skinfluence.patterns: #été counts, the all-digit #2024 does not)",
    "mentions": "number of @mentions",
    "emoji": "number of emoji (pictographs; a flag counts once, each member of a ZWJ sequence counts)",
    "urls": "number of links (http://, https://, www.)",
    "sponsored": "1 if the post carries a sponsorship marker (#ad, #sponsored, 'paid partnership', ...), else 0",
    "no_text": "1 if the caption is missing or blank, else 0",
}

# the statistics that count a pattern of the shared table
_PATTERNS = {"words": WORDS, "hashtags": HASHTAG, "mentions": MENTION, "urls": URL, "emoji": EMOJI}


@register("extractor")
class TextStats(_PostExtractor):
    """Caption statistics per post, pooled per account: hashtags, mentions, emoji, URLs, length, sponsorship.

    Every statistic is computed for all captions at once with Arrow's
    (RE2, Unicode-aware) regular expressions, without a Python loop over posts
    or accounts.

    Parameters
    ----------
    features : "all" or list of str, default="all"
        Per-post statistics, in this order; see ``TEXT_STATS``: ``chars``,
        ``words``, ``hashtags``, ``mentions``, ``emoji``, ``urls``,
        ``sponsored``, ``no_text``.
    text_field : str, default="text"
        Post field with the caption.
    pooling : {"mean", "max"} or None, default="mean"
        How posts are pooled per account by ``transform``; the mean of the 0/1
        ``sponsored`` and ``no_text`` is the share of such posts. None makes the
        extractor per-post only (for :class:`~skinfluence.PostEncoder`):
        ``transform`` then raises; :meth:`transform_posts` always returns the
        per-post :class:`~skinfluence.PostFeatures`.
    sponsor_markers : list of str, default=None
        Sponsorship markers: items starting with ``#`` are whole hashtags
        (``"#ad"`` matches ``#ad`` and ``#AD`` but not ``#adidas``), other
        items are phrases matched as whole words; all case-insensitive. None:
        ``SPONSOR_HASHTAGS`` and ``SPONSOR_PHRASES`` (``#ad``, ``#sponsored``,
        ``#partner``, ``#gifted``, ``#werbung``, "paid partnership", "sponsored
        by", ...).
    sponsor_field : str, default=None
        Optional post field that also marks a post as sponsored when true or
        positive (e.g. a count of tagged paid-partnership sponsors).
    fill_value : float or None, default=None
        Output for accounts without posts; None keeps NaN.
    posts_column : str, default="posts"
        The nested posts column.

    Attributes
    ----------
    features_ : list of str
        The per-post statistics computed.
    n_features_in_ : int
        Number of columns of the account frame seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Columns of the account frame seen in ``fit``.

    See Also
    --------
    SentimentFeatures : VADER sentiment per post.
    skinfluence.EngagementAggregator : Engagement, cadence and growth.

    Notes
    -----
    Hashtags, mentions, URLs, emoji and sponsorship markers follow the shared
    definitions of :mod:`skinfluence.patterns` (a hashtag is ``#`` plus Unicode
    letters, digits or ``_`` with at least one letter or ``_``: ``#été`` counts,
    ``#2024`` does not), the same as ``EngagementAggregator``'s ``hashtag_rate``.
    A missing (null) caption counts as an empty one: zero of everything and
    ``no_text = 1``. Every post counts in the pooling (no post is masked out).
    Emoji are counted as pictographic code points (a flag once, skin-tone
    modifiers not at all, each member of a zero-width-joiner family).

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence import nest_posts
    >>> from skinfluence import TextStats
    >>> frame = nest_posts(
    ...     pd.DataFrame({"account_id": ["a", "b", "c"]}),
    ...     pd.DataFrame({"account_id": ["a", "a", "b"],
    ...                   "text": ["#AD new serum 💄 @glowco", "Paid partnership with X", "#adidas run"]}))
    >>> stats = TextStats(features=["hashtags", "mentions", "emoji", "sponsored"])
    >>> stats.fit_transform(frame)
    array([[0.5, 0.5, 0.5, 1. ],
           [1. , 0. , 0. , 0. ],
           [nan, nan, nan, nan]])
    >>> stats.get_feature_names_out().tolist()
    ['hashtags_mean', 'mentions_mean', 'emoji_mean', 'sponsored_mean']
    """

    _parameter_constraints: dict = {
        **_PostExtractor._parameter_constraints,
        "features": [OptionList(TEXT_STATS, allow_single=False, extra=("all",))],
        "text_field": [str],
        "sponsor_markers": [list, tuple, None],
        "sponsor_field": [str, None],
    }

    def __init__(self, features="all", *, text_field="text", pooling="mean", sponsor_markers=None,
                 sponsor_field=None, fill_value=None, posts_column=POSTS_COLUMN):
        self.features = features
        self.text_field = text_field
        self.pooling = pooling
        self.sponsor_markers = sponsor_markers
        self.sponsor_field = sponsor_field
        self.fill_value = fill_value
        self.posts_column = posts_column

    def _selected(self):
        return list(TEXT_STATS) if isinstance(self.features, str) else list(self.features)

    def _markers(self):
        markers = self.sponsor_markers
        if markers is None:
            return None
        if not markers or not all(isinstance(m, str) and m.strip("# ") for m in markers):
            raise InvalidParameterError(
                "The 'sponsor_markers' parameter of TextStats must be None or a non-empty list of "
                f"non-empty str. Got {markers!r} instead."
            )
        return list(markers)

    def _required_post_fields(self):
        fields = [self.text_field]
        if self.sponsor_field is not None:
            fields.append(self.sponsor_field)
        return fields

    @fit_context
    def fit(self, X, y=None):
        """Check the parameters and the account frame.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns)
            Account frame whose posts have the ``text_field`` field.
        y : Ignored

        Returns
        -------
        self : TextStats
        """
        return self._fit(X, y)

    def _fit(self, X, y=None, flat=None):
        self._check_extras()
        self._sponsor_regex_ = sponsor_pattern(self._markers())
        flat = self._fit_frame(X, flat)
        self.features_ = self._selected()
        return self

    def _compute(self, flat: FlatPosts, X):
        text = _captions(flat, self.text_field, "TextStats")
        filled = pc.fill_null(text, "")
        cols = []
        for name in self.features_:
            if name == "chars":
                v = pc.utf8_length(filled)
            elif name == "sponsored":
                v = self._sponsored(flat, filled)
            elif name == "no_text":
                v = _blank(text).astype(np.float64)
            else:
                v = pc.count_substring_regex(filled, _PATTERNS[name])
            cols.append(np.asarray(v, dtype=np.float64) if isinstance(v, np.ndarray)
                        else v.to_numpy(zero_copy_only=False).astype(np.float64))
        values = np.stack(cols, axis=1) if cols else np.zeros((flat.n_posts, 0))
        return values, np.ones(flat.n_posts, dtype=bool)

    def _sponsored(self, flat, filled):
        marked = pc.match_substring_regex(filled, self._sponsor_regex_).to_numpy(zero_copy_only=False)
        if self.sponsor_field is not None:
            col = flat.column(self.sponsor_field)
            if pa.types.is_boolean(col.type):
                field = pc.fill_null(col, False).to_numpy(zero_copy_only=False)
            elif pa.types.is_integer(col.type) or pa.types.is_floating(col.type) or pa.types.is_null(col.type):
                field = np.nan_to_num(flat.numeric(self.sponsor_field), nan=0.0) > 0
            else:
                raise AccountFrameError(
                    f"TextStats: post field {self.sponsor_field!r} (sponsor_field) must be boolean "
                    f"or numeric, got Arrow type {col.type}"
                )
            marked = marked | field
        return marked.astype(np.float64)

    def _post_feature_names(self):
        check_is_fitted(self, "features_")
        return np.asarray(self.features_, dtype=object)

    def _pooled_feature_names(self, names):
        return np.asarray([f"{n}_{self.pooling}" for n in names], dtype=object)

    @classmethod
    def get_test_params(cls):
        return [{}, {"features": ["hashtags", "sponsored", "no_text"], "pooling": "max",
                     "fill_value": 0.0}]
