"""HashedTfidf: a per-post lexical channel (hashed TF-IDF), kept sparse from end to end."""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from ..nested import POSTS_COLUMN, FlatPosts
from ..ragged import PostFeatures
from ..registry import register
from ..utils._param_validation import Integral, Interval, StrOptions, fit_context
from ._base import _blank, _captions, _PostExtractor

__all__ = ["HashedTfidf"]

#: Key of the sparse channel in the container returned by ``HashedTfidf.transform_posts``.
SPARSE_KEY = "tfidf"


@register("extractor")
class HashedTfidf(_PostExtractor):
    """A per-post lexical channel: hashed word n-grams weighted by TF-IDF, kept sparse.

    Each post's text is cut into word n-grams, hashed into ``n_features``
    buckets (no vocabulary is stored), and the buckets seen in at least
    ``min_df`` training posts are kept; their inverse document frequencies
    are learned on the training posts only. A post's row is its (optionally
    sublinear) term counts times the IDF, L2-normalised.

    ``transform_posts`` returns a :class:`~skinfluence.PostFeatures` whose
    per-post rows live in the sparse channel ``sparse["tfidf"]`` (a CSR
    matrix with one row per post and ``n_columns_`` columns) and whose dense
    ``values`` have no column: nothing vocabulary-sized is ever densified.
    Inside a :class:`~skinfluence.PostEncoder` the channel is named after the
    extractor; :class:`~skinfluence.profiling.AttentiveProfiler` projects it
    with a learned embedding bag, and :class:`~skinfluence.PostPooler` pools
    it to a sparse account matrix.

    Parameters
    ----------
    text_field : str, default="text"
        Post field with the text (caption, image description, ...).
    n_features : int, default=2**20
        Number of hash buckets before the ``min_df`` selection.
    ngram_range : tuple (min_n, max_n), default=(1, 2)
        Word n-gram sizes.
    min_df : int, default=2
        Keep the buckets that occur in at least this many training posts.
    sublinear_tf : bool, default=True
        Use ``1 + log(tf)`` instead of the raw count.
    lowercase : bool, default=True
        Lower-case the text before tokenising.
    pooling : {"mean", "max"} or None, default="mean"
        How ``transform`` pools an account's valid posts (the result is a
        sparse matrix); None makes the extractor per-post only.
    posts_column : str, default="posts"
        The nested posts column.

    Attributes
    ----------
    columns_ : ndarray of shape (`n_columns_`,)
        Hash buckets kept (those with at least ``min_df`` training posts).
    idf_ : ndarray of shape (`n_columns_`,)
        Their smoothed inverse document frequencies, ``ln((1 + n) / (1 + df)) + 1``.
    n_columns_ : int
        Number of columns of the per-post rows.
    n_features_in_ : int
        Number of columns of the account frame seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Columns of the account frame seen in ``fit``.

    See Also
    --------
    SentenceEmbedder : Dense caption embeddings.
    PostsText : The captions joined per account, for an account-level vectorizer.

    Notes
    -----
    Missing or blank texts are masked out (they have no row content and are
    ignored by pooling). An account without a valid post gets an all-zero
    row from ``transform``. Hash collisions merge the n-grams of a bucket;
    with ``n_features=2**20`` they are rare for a few hundred thousand
    distinct n-grams.

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence import nest_posts
    >>> from skinfluence.features import HashedTfidf
    >>> frame = nest_posts(
    ...     pd.DataFrame({"account_id": ["a", "b", "c"]}),
    ...     pd.DataFrame({"account_id": ["a", "a", "b"],
    ...                   "text": ["new serum", "serum swatches", "leg day"]}))
    >>> tfidf = HashedTfidf(min_df=1).fit(frame)
    >>> posts = tfidf.transform_posts(frame)
    >>> posts
    PostFeatures(n_accounts=3, n_posts=3, n_features=0, masked=0, sparse={'tfidf': 8})
    >>> pooled = tfidf.transform(frame)
    >>> pooled.shape, pooled.format, pooled[2].nnz
    ((3, 8), 'csr', 0)
    """

    _parameter_constraints: dict = {
        "pooling": [StrOptions({"mean", "max"}), None],
        "posts_column": [str],
        "text_field": [str],
        "n_features": [Interval(Integral, 1, np.iinfo(np.int32).max, closed="both")],
        "ngram_range": [tuple],
        "min_df": [Interval(Integral, 1, None, closed="left")],
        "sublinear_tf": ["boolean"],
        "lowercase": ["boolean"],
    }

    def __init__(self, *, text_field="text", n_features=2**20, ngram_range=(1, 2), min_df=2,
                 sublinear_tf=True, lowercase=True, pooling="mean", posts_column=POSTS_COLUMN):
        self.text_field = text_field
        self.n_features = n_features
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.lowercase = lowercase
        self.pooling = pooling
        self.posts_column = posts_column

    def _required_post_fields(self):
        return [self.text_field]

    def _hasher(self):
        return HashingVectorizer(n_features=self.n_features, ngram_range=tuple(self.ngram_range),
                                 lowercase=self.lowercase, alternate_sign=False, norm=None,
                                 dtype=np.float32)

    def _texts(self, flat: FlatPosts):
        text = _captions(flat, self.text_field, "HashedTfidf")
        valid = ~_blank(text)
        return pc.fill_null(text, "").to_numpy(zero_copy_only=False), valid

    @fit_context
    def fit(self, X, y=None):
        """Learn the kept buckets and their IDF on the training posts.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns)
            Account frame whose posts have the ``text_field`` field.
        y : Ignored

        Returns
        -------
        self : HashedTfidf
        """
        return self._fit(X, y)

    def _fit(self, X, y=None, flat=None):
        self._check_extras()
        ngram = self.ngram_range
        if (len(ngram) != 2 or not all(isinstance(n, (int, np.integer)) for n in ngram)
                or not 1 <= ngram[0] <= ngram[1]):
            from ..utils._param_validation import InvalidParameterError

            raise InvalidParameterError(
                "The 'ngram_range' parameter of HashedTfidf must be a tuple (min_n, max_n) with "
                f"1 <= min_n <= max_n. Got {ngram!r} instead."
            )
        flat = self._fit_frame(X, flat)
        texts, valid = self._texts(flat)
        counts = self._hasher().transform(texts[valid])
        df = np.bincount(counts.indices, minlength=self.n_features)
        columns = np.flatnonzero(df >= self.min_df)
        if len(columns) == 0:
            raise ValueError(
                f"HashedTfidf: no n-gram occurs in min_df={self.min_df} or more of the "
                f"{int(valid.sum())} non-empty training texts of post field "
                f"{self.text_field!r}; lower min_df"
            )
        n = int(valid.sum())
        self.columns_ = columns.astype(np.int64)
        self.idf_ = (np.log((1.0 + n) / (1.0 + df[columns])) + 1.0).astype(np.float32)
        self.n_columns_ = len(columns)
        return self

    def _rows(self, flat: FlatPosts):
        """Per-post TF-IDF rows (CSR, n_posts x n_columns_) and the validity mask."""
        check_is_fitted(self, "columns_")
        texts, valid = self._texts(flat)
        counts = self._hasher().transform(np.where(valid, texts, ""))[:, self.columns_]
        counts = sp.csr_matrix(counts, dtype=np.float32)
        if self.sublinear_tf:
            np.log(counts.data, out=counts.data)
            counts.data += 1.0
        counts = counts @ sp.diags(self.idf_)
        rows = normalize(sp.csr_matrix(counts, dtype=np.float32), norm="l2", copy=False)
        rows.sort_indices()
        return rows, valid

    def _transform_posts_flat(self, flat: FlatPosts, X) -> PostFeatures:
        rows, valid = self._rows(flat)
        return PostFeatures(np.zeros((flat.n_posts, 0), dtype=np.float32), flat.offsets,
                            mask=valid, index=X.index, feature_names=[],
                            sparse={SPARSE_KEY: rows})

    def _transform_flat(self, flat: FlatPosts, X):
        from ._pooling import pool_sparse

        rows, valid = self._rows(flat)
        return pool_sparse(rows, flat.offsets, valid, self.pooling)

    def _compute(self, flat: FlatPosts, X):  # the dense part: none
        return np.zeros((flat.n_posts, 0)), self._texts(flat)[1]

    def _post_feature_names(self):
        check_is_fitted(self, "columns_")
        return np.asarray([], dtype=object)

    def _feature_names_out(self):
        check_is_fitted(self, "columns_")
        return np.asarray([f"hash{c}" for c in self.columns_], dtype=object)

    @classmethod
    def get_test_params(cls):
        return [{"min_df": 1, "n_features": 2**10},
                {"min_df": 1, "n_features": 64, "ngram_range": (1, 1), "sublinear_tf": False,
                 "pooling": "max"}]
