"""SentimentFeatures: VADER sentiment of each post's caption, pooled per account."""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..nested import POSTS_COLUMN
from ..registry import register
from ..utils._param_validation import OptionList, fit_context
from ._base import _blank, _captions, _PostExtractor

__all__ = ["SentimentFeatures"]

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
        How posts are pooled per account by ``transform``; None makes the
        extractor per-post only (``transform`` raises; :meth:`transform_posts`
        always returns the per-post :class:`~skinfluence.PostFeatures`).
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
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
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
    >>> from skinfluence import SentimentFeatures
    >>> frame = nest_posts(
    ...     pd.DataFrame({"account_id": ["a", "b", "c"]}),
    ...     pd.DataFrame({"account_id": ["a", "a", "b"],
    ...                   "text": ["I love this serum 😍", "", "worst day ever 😡"]}))
    >>> SentimentFeatures(scores=["compound"]).fit_transform(frame).round(3)
    array([[ 0.802],
           [-0.625],
           [   nan]])
    """

    _parameter_constraints: dict = {
        **_PostExtractor._parameter_constraints,
        "scores": [OptionList(_VADER_SCORES)],
        "text_field": [str],
    }

    def __init__(self, scores=_VADER_SCORES, *, text_field="text", pooling="mean", fill_value=None,
                 posts_column=POSTS_COLUMN):
        self.scores = scores
        self.text_field = text_field
        self.pooling = pooling
        self.fill_value = fill_value
        self.posts_column = posts_column

    def _selected(self):
        return [self.scores] if isinstance(self.scores, str) else list(self.scores)

    def _required_post_fields(self):
        return [self.text_field]

    @fit_context
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
        return self._fit(X, y)

    def _fit(self, X, y=None, flat=None):
        self._check_extras()
        self.scores_ = self._selected()
        flat = self._fit_frame(X, flat)
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
