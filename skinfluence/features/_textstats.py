"""SentimentFeatures (VADER) and TextStats (hashtags, mentions, emoji, URLs, length, sponsorship).

Both read the captions of an account frame's posts, compute features per post
and pool them per account (``pooling="mean"`` or ``"max"``), or return them per
post (``pooling=None``, a :class:`~skinfluence.features._ragged.PostFeatures`)
for :class:`~skinfluence.features._ragged.PostEncoder`.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.utils.validation import check_is_fitted

from ..exceptions import AccountFrameError
from ..nested import POSTS_COLUMN, FlatPosts
from ..registry import register
from ._ragged import _param_error, _PostExtractor

__all__ = [
    "SentimentFeatures",
    "TextStats",
    "TEXT_STATS",
    "SPONSOR_HASHTAGS",
    "SPONSOR_PHRASES",
]

#: Per-post statistics of :class:`TextStats`, with their meaning.
TEXT_STATS: dict[str, str] = {
    "chars": "caption length in characters (0 for a missing caption)",
    "words": "number of whitespace-separated words",
    "hashtags": "number of #hashtags",
    "mentions": "number of @mentions",
    "emoji": "number of emoji (pictographs; a flag counts once, each member of a ZWJ sequence counts)",
    "urls": "number of links (http://, https://, www.)",
    "sponsored": "1 if the post carries a sponsorship marker (#ad, #sponsored, 'paid partnership', ...), else 0",
    "no_text": "1 if the caption is missing or blank, else 0",
}

#: Hashtags that disclose a paid or gifted post (matched whole, case-insensitive).
SPONSOR_HASHTAGS = (
    "ad", "ads", "advert", "advertisement", "advertising", "sponsored", "sponsor", "spon", "sp",
    "partner", "paidpartner", "paidpartnership", "brandpartner", "gifted", "werbung", "anzeige",
    "publicidad", "publi",
)
#: Phrases that disclose a paid post (case-insensitive, whole words).
SPONSOR_PHRASES = ("paid partnership", "sponsored by", "in partnership with")

# Unicode-aware patterns (RE2 syntax, run by Arrow over all captions at once).
_WORD = r"\p{L}\p{N}_"
_PATTERNS = {
    "words": r"\S+",
    "hashtags": rf"(?:^|[^{_WORD}#&])#[{_WORD}]*[\p{{L}}_][{_WORD}]*",
    "mentions": rf"(?:^|[^{_WORD}@.])@[{_WORD}]",
    "urls": r"(?i)(?:https?://|www\.)\S+",
    # flags (two regional indicators) once; skin-tone modifiers (1F3FB-1F3FF) excluded
    "emoji": (
        r"[\x{1F1E6}-\x{1F1FF}]{2}|[\x{1F300}-\x{1F3FA}\x{1F400}-\x{1F6FF}\x{1F900}-\x{1FAFF}"
        r"\x{2600}-\x{27BF}\x{2B50}\x{2B55}\x{1F004}\x{1F0CF}]"
    ),
}


def _sponsor_pattern(markers) -> str:
    hashtags, phrases = [], []
    for m in markers:
        if m.startswith("#"):
            hashtags.append(re.escape(m[1:]))
        else:
            phrases.append(r"\s+".join(re.escape(w) for w in m.split()))
    parts = []
    if hashtags:
        parts.append(rf"(?:^|[^{_WORD}#&])#(?:{'|'.join(hashtags)})(?:$|[^{_WORD}])")
    if phrases:
        parts.append(rf"(?:^|[^{_WORD}])(?:{'|'.join(phrases)})(?:$|[^{_WORD}])")
    return "(?i)" + "|".join(parts)


def _captions(flat: FlatPosts, field: str, caller: str) -> pa.Array:
    """The caption field as one large_string Arrow array (nulls kept)."""
    col = flat.column(field)
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)
            or pa.types.is_null(col.type)):
        raise AccountFrameError(
            f"{caller}: post field {field!r} must hold strings (captions), got Arrow type {col.type}"
        )
    return col.combine_chunks().cast(pa.large_string())


def _blank(text: pa.Array) -> np.ndarray:
    """True where a caption is missing or whitespace only."""
    empty = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(text)), 0)
    return pc.fill_null(empty, True).to_numpy(zero_copy_only=False)


# ================================================================================ TextStats


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
        How posts are pooled per account; the mean of the 0/1 ``sponsored``
        and ``no_text`` is the share of such posts. None returns the per-post
        :class:`~skinfluence.features._ragged.PostFeatures`.
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
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Columns of the account frame seen in ``fit``.

    See Also
    --------
    SentimentFeatures : VADER sentiment per post.
    skinfluence.EngagementAggregator : Engagement, cadence and growth.

    Notes
    -----
    A missing (null) caption counts as an empty one: zero of everything and
    ``no_text = 1``. Every post counts in the pooling (no post is masked out).
    Emoji are counted as pictographic code points (a flag once, skin-tone
    modifiers not at all, each member of a zero-width-joiner family).

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence import nest_posts
    >>> from skinfluence.features._textstats import TextStats
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
        if isinstance(self.features, str):
            if self.features != "all":
                raise _param_error("TextStats", "features", "'all' or a list of feature names",
                                   self.features)
            return list(TEXT_STATS)
        try:
            selected = list(self.features)
        except TypeError:
            selected = None
        if (not selected or any(f not in TEXT_STATS for f in selected)
                or len(set(selected)) != len(selected)):
            raise _param_error("TextStats", "features", "'all' or a non-empty list of distinct "
                               f"names among {list(TEXT_STATS)}", self.features)
        return selected

    def _markers(self):
        markers = self.sponsor_markers
        if markers is None:
            return ["#" + h for h in SPONSOR_HASHTAGS] + list(SPONSOR_PHRASES)
        if isinstance(markers, str) or not markers or not all(
                isinstance(m, str) and m.strip("# ") for m in markers):
            raise _param_error("TextStats", "sponsor_markers", "None or a non-empty list of "
                               "non-empty str", markers)
        return list(markers)

    def _required_post_fields(self):
        fields = [self.text_field]
        if self.sponsor_field is not None:
            fields.append(self.sponsor_field)
        return fields

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
        self._check_extras()
        self._check_pooling()
        selected = self._selected()
        self._sponsor_regex_ = _sponsor_pattern(self._markers())
        for name in ("text_field",):
            if not isinstance(getattr(self, name), str):
                raise _param_error("TextStats", name, "a str", getattr(self, name))
        if self.sponsor_field is not None and not isinstance(self.sponsor_field, str):
            raise _param_error("TextStats", "sponsor_field", "a str or None", self.sponsor_field)
        self._validate_frame(X, reset=True)
        self.features_ = selected
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


# ======================================================================== SentimentFeatures

_VADER_SCORES = ("compound", "pos", "neu", "neg")


@register("extractor", extras=("text",))
class SentimentFeatures(_PostExtractor):
    """VADER sentiment of each post's caption, pooled per account.

    VADER (Hutto & Gilbert, 2014) is a lexicon and rule-based sentiment model
    built for social-media text: it reads emoji, slang, capitalisation
    ("GREAT!!!"), negation and boosters, and needs no model download.

    Parameters
    ----------
    scores : list of {"compound", "pos", "neu", "neg"}, default=("compound", "pos", "neu", "neg")
        VADER scores per post: ``compound`` is the normalised overall
        sentiment in [-1, 1]; ``pos``, ``neu``, ``neg`` are the shares of the
        text that are positive, neutral and negative.
    text_field : str, default="text"
        Post field with the caption.
    pooling : {"mean", "max"} or None, default="mean"
        How posts are pooled per account; None returns the per-post
        :class:`~skinfluence.features._ragged.PostFeatures`.
    fill_value : float or None, default=None
        Output for accounts without a scored post; None keeps NaN.
    posts_column : str, default="posts"
        The nested posts column.

    Attributes
    ----------
    analyzer_ : vaderSentiment.vaderSentiment.SentimentIntensityAnalyzer
        The analyzer (re-created after unpickling).
    n_features_in_ : int
        Number of columns of the account frame seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Columns of the account frame seen in ``fit``.

    See Also
    --------
    TextStats : Hashtags, mentions, emoji, URLs, length and sponsorship markers.

    Notes
    -----
    Posts whose caption is missing or blank get no score: they are masked out
    (ignored by the pooling); an account with no scored post gets
    ``fill_value``. VADER's lexicon is English: non-English words are neutral.
    Identical captions are scored once.

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence import nest_posts
    >>> from skinfluence.features._textstats import SentimentFeatures
    >>> frame = nest_posts(
    ...     pd.DataFrame({"account_id": ["a", "b", "c"]}),
    ...     pd.DataFrame({"account_id": ["a", "a", "b"],
    ...                   "text": ["I love this serum 😍", "", "worst day ever 😡"]}))
    >>> SentimentFeatures(scores=["compound"]).fit_transform(frame).round(3)
    array([[ 0.802],
           [-0.625],
           [   nan]])
    """

    def __init__(self, scores=_VADER_SCORES, *, text_field="text", pooling="mean", fill_value=None,
                 posts_column=POSTS_COLUMN):
        self.scores = scores
        self.text_field = text_field
        self.pooling = pooling
        self.fill_value = fill_value
        self.posts_column = posts_column

    def _selected(self):
        scores = [self.scores] if isinstance(self.scores, str) else self.scores
        try:
            scores = list(scores)
        except TypeError:
            scores = None
        if not scores or any(s not in _VADER_SCORES for s in scores) or len(set(scores)) != len(scores):
            raise _param_error("SentimentFeatures", "scores", "a non-empty list of distinct names "
                               f"among {list(_VADER_SCORES)}", self.scores)
        return scores

    def _required_post_fields(self):
        return [self.text_field]

    def fit(self, X, y=None):
        """Load the VADER analyzer and check the account frame.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns)
            Account frame whose posts have the ``text_field`` field.
        y : Ignored

        Returns
        -------
        self : SentimentFeatures
        """
        self._check_extras()
        self._check_pooling()
        self.scores_ = self._selected()
        if not isinstance(self.text_field, str):
            raise _param_error("SentimentFeatures", "text_field", "a str", self.text_field)
        self._validate_frame(X, reset=True)
        self.analyzer_ = self._new_analyzer()
        return self

    @staticmethod
    def _new_analyzer():
        from ..utils._optional import import_optional

        vader = import_optional("vaderSentiment.vaderSentiment", extra="text",
                                caller="SentimentFeatures")
        return vader.SentimentIntensityAnalyzer()

    def _compute(self, flat, X):
        text = _captions(flat, self.text_field, "SentimentFeatures")
        mask = ~_blank(text)
        texts = text.to_pylist()
        if self.analyzer_ is None:  # after unpickling
            self.analyzer_ = self._new_analyzer()
        scored = {}
        values = np.zeros((flat.n_posts, len(self.scores_)), dtype=np.float64)
        for i in np.flatnonzero(mask):
            t = texts[i]
            s = scored.get(t)
            if s is None:
                r = self.analyzer_.polarity_scores(t)
                s = scored[t] = [r[k] for k in self.scores_]
            values[i] = s
        return values, mask

    def _post_feature_names(self):
        check_is_fitted(self, "scores_")
        return np.asarray([f"sentiment_{s}" for s in self.scores_], dtype=object)

    def _pooled_feature_names(self, names):
        return np.asarray([f"{n}_{self.pooling}" for n in names], dtype=object)

    def __getstate__(self):
        state = super().__getstate__()
        if "analyzer_" in state:
            state["analyzer_"] = None  # a lexicon, rebuilt on use
        return state

    @classmethod
    def get_test_params(cls):
        return [{}, {"scores": ["compound"], "pooling": "max", "fill_value": 0.0}]
