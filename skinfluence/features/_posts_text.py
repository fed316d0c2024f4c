"""PostsText: one document per account from its posts' captions."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.utils.validation import check_is_fitted

from ..nested import POSTS_COLUMN
from ..registry import register
from ..utils._param_validation import fit_context
from ._base import AccountFrameTransformer, _captions


@register("extractor")
class PostsText(AccountFrameTransformer):
    """Join each account's post captions into one document, for text vectorizers.

    The bridge between an account frame and scikit-learn's text tools:
    ``make_pipeline(PostsText(), TfidfVectorizer(), LogisticRegression())``
    classifies accounts from everything they wrote. The join runs in Arrow over
    the flat post table, with no Python loop per account.

    Parameters
    ----------
    field : str, default="text"
        The post field holding the caption.
    separator : str, default="\\n"
        Put between two posts of the same account.
    posts_column : str, default="posts"
        The nested posts column of the account frame.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns of the account frame seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Columns of the account frame seen in ``fit``.

    See Also
    --------
    skinfluence.nest_posts : Build the account frame this reads.

    Notes
    -----
    Missing (null) captions count as empty strings; an account without posts
    gives an empty document.

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence import PostsText, nest_posts
    >>> frame = nest_posts(
    ...     pd.DataFrame({"account_id": [1, 2]}),
    ...     pd.DataFrame({"account_id": [1, 1], "text": ["new lipstick", "gym day"]}))
    >>> PostsText(separator=" | ").fit_transform(frame).tolist()
    ['new lipstick | gym day', '']
    """

    _parameter_constraints: dict = {
        "field": [str],
        "separator": [str],
        "posts_column": [str],
    }

    def __init__(self, field="text", *, separator="\n", posts_column=POSTS_COLUMN):
        self.field = field
        self.separator = separator
        self.posts_column = posts_column

    @fit_context
    def fit(self, X, y=None):
        """Check the account frame and record its columns.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns)
            Account frame whose posts have the ``field`` field.
        y : Ignored

        Returns
        -------
        self : PostsText
        """
        _captions(self._validate_frame(X, reset=True), self.field, type(self).__name__)
        return self

    def _required_post_fields(self):
        return [self.field]

    def transform(self, X):
        """One document per account.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns)
            Account frame.

        Returns
        -------
        docs : ndarray of shape (n_accounts,), dtype=object
            The account's captions joined by ``separator``.
        """
        check_is_fitted(self)
        flat = self._validate_frame(X, reset=False)
        text = _captions(flat, self.field, type(self).__name__)
        text = pc.fill_null(text, "")
        lists = pa.LargeListArray.from_arrays(pa.array(flat.offsets, pa.int64()), text)
        docs = pc.binary_join(lists, pa.scalar(self.separator, pa.large_string()))
        return np.asarray(docs.to_numpy(zero_copy_only=False), dtype=object)

    @classmethod
    def get_test_params(cls):
        return [{}, {"separator": " "}]
