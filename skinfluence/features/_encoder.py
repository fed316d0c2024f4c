"""PostEncoder: several extractors' per-post features side by side, one ragged matrix per account."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from ..nested import POSTS_COLUMN, FlatPosts
from ..ragged import PostFeatures
from ..registry import register
from ..utils._param_validation import InvalidParameterError, StrOptions, fit_context
from ._base import AccountFrameTransformer, _PostExtractor

__all__ = ["PostEncoder"]


@register("extractor")
class PostEncoder(AccountFrameTransformer, auto_wrap_output_keys=None):
    """Per-post features from several extractors, one ragged matrix per account, for neural models.

    Runs each extractor's :meth:`transform_posts` on the account frame and
    puts the results side by side: one :class:`PostFeatures` whose rows are
    posts and whose columns are all extractors' features. Post labels,
    engagement and other post fields travel with it as extra per-post arrays,
    so they stay aligned with their account through cross-validation.

    Parameters
    ----------
    extractors : list of (str, estimator) tuples
        Named extractors with a ``transform_posts`` method
        (:class:`SentenceEmbedder`, :class:`ImageEmbedder`,
        :class:`SentimentFeatures`, :class:`TextStats`, or your own). They are
        cloned and fitted in ``fit``; their ``pooling`` is ignored. Nested
        parameters are reachable as ``<name>__<param>``.
    label_field : str, default=None
        Post field with the post's label (e.g. its category, for an auxiliary
        post-level task); carried as ``extras["label"]``.
    engagement_fields : list of str, default=None
        Numeric post fields summed into ``extras["engagement"]`` (missing
        values skipped; NaN when all are missing), the weights of
        ``PostPooler(method="weighted")``. Example: ``["likes", "comments"]``.
    extra_fields : list of str, default=()
        Further post fields carried as ``extras[field]`` (timestamps become
        seconds since the epoch, float).
    account_fields : list of str, "numeric" or None, default=None
        Columns of the account frame (profile features such as followers,
        following, post count) carried per account as
        ``account_extras[column]`` (float64; missing values NaN), for the
        account-level inputs of :class:`~skinfluence.profiling.AttentiveProfiler`.
        ``"numeric"``: every numeric column of the frame seen in ``fit``.
    mask_mode : {"all", "any"}, default="all"
        A post is valid when all its extractors' features are valid
        (``"all"``), or when at least one is (``"any"``; the invalid parts
        are zeros). Per-extractor validity is kept in ``extras["<name>_mask"]``
        when there is more than one extractor.
    posts_column : str, default="posts"
        The nested posts column.

    Attributes
    ----------
    extractors_ : list of (str, estimator) tuples
        The fitted clones.
    account_fields_ : list of str
        The account columns carried (empty when ``account_fields`` is None).
    n_features_in_ : int
        Number of columns of the account frame seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Columns of the account frame seen in ``fit``.

    See Also
    --------
    PostFeatures : The container returned by ``transform``.
    PostPooler : Pool the container back to one row per account.

    Notes
    -----
    ``transform`` always returns a :class:`PostFeatures` (its input tags and
    its output are per-post: it is not a ``set_output`` transformer). A ragged
    container has no tabular form, so ``set_output`` is accepted, so that
    ``Pipeline.set_output`` works, and changes nothing; the next step (e.g. a
    :class:`PostPooler`) follows the setting.

    An extractor with sparse per-post output (:class:`HashedTfidf`) adds a
    sparse channel to the container instead of dense columns, named after the
    extractor (``<name>__<key>`` when it has several): ``values`` stays
    small, and nothing vocabulary-sized is densified.

    One ``transform`` validates and flattens the frame once and hands the flat
    posts to the built-in extractors (and to any extractor derived from the same
    base); other extractors get the frame through their ``transform_posts``.

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence import nest_posts
    >>> from skinfluence import PostEncoder, PostPooler, TextStats
    >>> frame = nest_posts(
    ...     pd.DataFrame({"account_id": ["a", "b"]}),
    ...     pd.DataFrame({"account_id": ["a", "a", "b"], "text": ["#ad new serum", "gym", "hi @bo"],
    ...                   "likes": [10, 30, 5], "label": ["beauty", "fitness", "daily"]}))
    >>> enc = PostEncoder([("stats", TextStats(features=["hashtags", "mentions"]))],
    ...                   label_field="label", engagement_fields=["likes"])
    >>> posts = enc.fit_transform(frame)
    >>> posts
    PostFeatures(n_accounts=2, n_posts=3, n_features=2, masked=0, extras=['engagement', 'label'])
    >>> posts[[1]].extras["label"].tolist()
    ['daily']
    >>> PostPooler("weighted").fit_transform(posts).round(2).tolist()
    [[0.41, 0.0], [0.0, 1.0]]
    """

    _parameter_constraints: dict = {
        "extractors": [list, tuple],
        "label_field": [str, None],
        "engagement_fields": [list, tuple, None],
        "extra_fields": [list, tuple],
        "account_fields": [list, tuple, StrOptions({"numeric"}), None],
        "mask_mode": [StrOptions({"all", "any"})],
        "posts_column": [str],
    }

    def __init__(self, extractors, *, label_field=None, engagement_fields=None, extra_fields=(),
                 account_fields=None, mask_mode="all", posts_column=POSTS_COLUMN):
        self.extractors = extractors
        self.label_field = label_field
        self.engagement_fields = engagement_fields
        self.extra_fields = extra_fields
        self.account_fields = account_fields
        self.mask_mode = mask_mode
        self.posts_column = posts_column

    # ------------------------------------------------------------ params (nested)

    def get_params(self, deep=True):
        """Parameters of this encoder and, with ``deep=True``, of its extractors.

        Parameters
        ----------
        deep : bool, default=True
            Include ``<name>`` and ``<name>__<param>`` entries.

        Returns
        -------
        params : dict
        """
        out = super().get_params(deep=False)
        if not deep:
            return out
        try:
            pairs = list(self.extractors)
        except TypeError:
            return out
        for item in pairs:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
                name, est = item
                out[name] = est
                if hasattr(est, "get_params"):
                    for key, value in est.get_params(deep=True).items():
                        out[f"{name}__{key}"] = value
        return out

    def set_params(self, **params):
        """Set parameters, including ``<name>`` (replace an extractor) and ``<name>__<param>``.

        Parameters
        ----------
        **params : dict
            Encoder parameters, extractors by name, and ``<name>__<param>`` for
            the parameters of an extractor.

        Returns
        -------
        self : PostEncoder
        """
        if "extractors" in params:
            self.extractors = params.pop("extractors")
        names = [n for n, _ in self.extractors]
        replace = {k: params.pop(k) for k in list(params) if k in names}
        if replace:
            self.extractors = [(n, replace.get(n, e)) for n, e in self.extractors]
        nested: dict[str, dict] = {}
        own = {}
        for key, value in params.items():
            head, sep, rest = key.partition("__")
            if sep and head in names:
                nested.setdefault(head, {})[rest] = value
            else:
                own[key] = value
        if own:
            super().set_params(**own)
        for name, sub in nested.items():
            dict(self.extractors)[name].set_params(**sub)
        return self

    def _check_params(self):
        """Checks on the content of the list parameters (the constraints check their types)."""
        name = "PostEncoder"
        pairs = self.extractors
        if not pairs or not all(isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str)
                                for p in pairs):
            raise InvalidParameterError(
                f"The 'extractors' parameter of {name} must be a non-empty list of (name, "
                f"extractor) tuples. Got {pairs!r} instead."
            )
        names = [n for n, _ in pairs]
        if len(set(names)) != len(names) or any("__" in n or not n for n in names):
            raise InvalidParameterError(
                f"The 'extractors' parameter of {name} must be a list with distinct, non-empty "
                f"names without '__'. Got {names!r} instead."
            )
        for n, est in pairs:
            if not hasattr(est, "transform_posts") or not hasattr(est, "fit"):
                raise TypeError(
                    f"PostEncoder: extractor {n!r} ({type(est).__name__}) has no transform_posts "
                    "method; use SentenceEmbedder, ImageEmbedder, SentimentFeatures, TextStats or "
                    "an extractor that returns per-post features as a PostFeatures"
                )
        for pname in ("engagement_fields", "extra_fields"):
            v = getattr(self, pname)
            if v is not None and not all(isinstance(f, str) for f in v):
                raise InvalidParameterError(
                    f"The {pname!r} parameter of {name} must be a list of str"
                    + (" or None" if pname == "engagement_fields" else "") + f". Got {v!r} instead."
                )
        reserved = {"label", "engagement"} | {f"{n}_mask" for n in names}
        clash = [f for f in self.extra_fields if f in reserved]
        if clash:
            raise InvalidParameterError(
                f"The 'extra_fields' parameter of {name} must name fields whose names are not "
                f"reserved ({sorted(reserved)}). Got {list(self.extra_fields)!r} instead."
            )

    def _required_post_fields(self):
        fields = self._fields()
        # the built-in extractors read the flat posts validated here: check their fields too
        pairs = getattr(self, "extractors_", None) or self.extractors
        for item in pairs if isinstance(pairs, (list, tuple)) else ():
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], _PostExtractor):
                fields.extend(f for f in item[1]._required_post_fields() if f not in fields)
        return fields

    def _fields(self):
        fields = []
        if self.label_field is not None:
            fields.append(self.label_field)
        fields.extend(self.engagement_fields or ())
        fields.extend(self.extra_fields)
        return fields

    # --------------------------------------------------------------------- fit

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit (clones of) the extractors on the account frame.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns)
            Account frame.
        y : array-like of shape (n_accounts,), default=None
            Passed to the extractors' ``fit``.

        Returns
        -------
        self : PostEncoder
        """
        self._check_extras()
        self._check_params()
        self.__dict__.pop("extractors_", None)  # a refit checks the fields of the new extractors
        flat = self._validate_frame(X, reset=True)
        fitted = []
        for name, est in self.extractors:
            est = clone(est)
            if isinstance(est, _PostExtractor):  # the frame is validated once, for all of them
                fitted.append((name, est._fit_validated(X, y, flat)))
            else:
                fitted.append((name, est.fit(X, y)))
        self.account_fields_ = self._account_fields(X)
        self.extractors_ = fitted
        return self

    def _account_fields(self, X):
        """The account columns to carry, checked against the frame seen in ``fit``."""
        from pandas.api.types import is_bool_dtype, is_numeric_dtype

        fields = self.account_fields
        if fields is None:
            return []
        if isinstance(fields, str):  # "numeric"
            return [c for c in X.columns if c != self.posts_column and isinstance(c, str)
                    and is_numeric_dtype(X[c].dtype) and not is_bool_dtype(X[c].dtype)]
        if not all(isinstance(f, str) for f in fields):
            raise InvalidParameterError(
                "The 'account_fields' parameter of PostEncoder must be a list of str, 'numeric' "
                f"or None. Got {fields!r} instead."
            )
        missing = [f for f in fields if f not in X.columns]
        if missing:
            raise ValueError(
                f"PostEncoder: account_fields {missing} are not columns of the account frame; "
                f"its columns are {list(X.columns)}"
            )
        bad = [f for f in fields if not is_numeric_dtype(X[f].dtype)]
        if bad:
            raise ValueError(
                f"PostEncoder: account_fields {bad} are not numeric (dtypes "
                f"{[str(X[f].dtype) for f in bad]}); account-level inputs must be numbers"
            )
        return list(fields)

    def transform_posts(self, X):
        """Per-post features of every extractor, side by side (the same as :meth:`transform`).

        The encoder is per-post by nature: ``transform`` and ``transform_posts``
        both return the :class:`PostFeatures` container, so an encoder can also
        stand wherever an extractor with ``transform_posts`` is expected.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns)
            Account frame.

        Returns
        -------
        PostFeatures
        """
        return self.transform(X)

    def transform(self, X):
        """Per-post features of every extractor, side by side.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns)
            Account frame.

        Returns
        -------
        PostFeatures
            ``n_accounts`` long; ``values`` of shape (n_posts, n_features), the
            extractors' per-post features side by side, named
            ``<extractor name>__<feature>``.
        """
        check_is_fitted(self)
        flat = self._validate_frame(X, reset=False)
        parts = [(name, _posts_of(est, flat, X)) for name, est in self.extractors_]
        offsets = parts[0][1].offsets
        for name, part in parts[1:]:
            if not np.array_equal(part.offsets, offsets):
                raise ValueError(
                    f"PostEncoder: extractor {name!r} returned a different number of posts per "
                    "account than the first extractor; every extractor must return one row per post"
                )
        masks = np.stack([p.mask for _, p in parts])
        mask = masks.all(axis=0) if self.mask_mode == "all" else masks.any(axis=0)
        values = np.concatenate([p.values for _, p in parts], axis=1)
        extras = {}
        if len(parts) > 1:
            extras.update({f"{name}_mask": p.mask for name, p in parts})
        if self.label_field is not None:
            extras["label"] = _field_array(flat, self.label_field)
        if self.engagement_fields:
            stacked = np.stack([flat.numeric(f) for f in self.engagement_fields])
            total = np.nansum(stacked, axis=0)
            total[np.isnan(stacked).all(axis=0)] = np.nan
            extras["engagement"] = total
        for field in self.extra_fields:
            extras[field] = _field_array(flat, field)
        names = []
        sparse = {}
        for name, part in parts:
            own = part.feature_names
            if own is None:
                own = [f"x{i}" for i in range(part.n_features)]
            names.extend(f"{name}__{f}" for f in own)
            channels = part._sparse()
            for key, mat in channels.items():
                sparse[name if len(channels) == 1 else f"{name}__{key}"] = mat
        account_extras = {}
        for field in getattr(self, "account_fields_", []):
            if field not in X.columns:
                raise ValueError(
                    f"PostEncoder: the account frame has no column {field!r} (one of the "
                    f"account_fields seen in fit: {self.account_fields_})"
                )
            account_extras[field] = pd.to_numeric(X[field], errors="coerce").to_numpy(
                dtype=np.float64, na_value=np.nan)
        return PostFeatures(values, offsets, mask=mask, extras=extras, feature_names=names,
                            index=X.index, sparse=sparse, account_extras=account_extras)

    def _feature_names_out(self):
        """Per-post feature names, ``<extractor name>__<feature>``."""
        names = []
        for name, est in self.extractors_:
            if not hasattr(est, "_post_feature_names"):
                raise AttributeError(
                    f"PostEncoder: extractor {name!r} ({type(est).__name__}) does not name its "
                    "per-post features; read them from the container's feature_names instead"
                )
            names.extend(f"{name}__{f}" for f in est._post_feature_names())
        return names

    def set_output(self, *, transform=None):
        """Accept an output setting and keep returning the per-post container.

        ``transform`` returns a ragged :class:`PostFeatures`, which has no
        tabular form; this method exists so that ``Pipeline.set_output`` (and
        ``set_config(transform_output=...)``) reach the steps after the
        encoder. It stores nothing.

        Parameters
        ----------
        transform : {"default", "pandas", "polars"}, default=None
            Ignored (validated).

        Returns
        -------
        self : PostEncoder
        """
        if transform not in (None, "default", "pandas", "polars"):
            raise InvalidParameterError(
                "The 'transform' parameter of PostEncoder.set_output must be one of 'default', "
                f"'pandas', 'polars' or None. Got {transform!r} instead."
            )
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.post_fields = tuple(f for f in self._required_post_fields()
                                            if isinstance(f, str))
        return tags

    @classmethod
    def get_test_params(cls):
        from ._lexical import HashedTfidf
        from ._textstats import TextStats

        return [
            {"extractors": [("stats", TextStats(features=["hashtags", "words"], pooling=None))]},
            {"extractors": [("stats", TextStats(features=["chars"]))],
             "label_field": "label", "engagement_fields": ["likes", "comments"]},
            {"extractors": [("stats", TextStats(features=["words"])),
                            ("words", HashedTfidf(min_df=1, n_features=256))],
             "account_fields": "numeric"},
        ]


def _posts_of(extractor, flat: FlatPosts, X) -> PostFeatures:
    """An extractor's per-post output: from the flat posts validated by the encoder when it can."""
    if isinstance(extractor, _PostExtractor):
        return extractor._transform_posts_flat(flat, X)
    return extractor.transform_posts(X)


def _field_array(flat: FlatPosts, field: str) -> np.ndarray:
    """A post field as a numpy array (timestamps as seconds since the epoch, float)."""
    col = flat.column(field).combine_chunks()
    if pa.types.is_timestamp(col.type):
        return flat.seconds(field)
    if pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
        if col.null_count:
            return col.cast(pa.float64()).to_numpy(zero_copy_only=False)
        return col.to_numpy(zero_copy_only=False)
    if pa.types.is_boolean(col.type) and not col.null_count:
        return col.to_numpy(zero_copy_only=False)
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        return col.to_numpy(zero_copy_only=False)  # object array of str (None for nulls)
    return np.asarray(col.to_pylist(), dtype=object)
