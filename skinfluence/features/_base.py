"""The shared bases of the feature extractors, and their input and error helpers.

- :class:`AccountFrameTransformer`: a transformer whose ``X`` is an account frame.
  It declares the input tags, validates and flattens the frame once per public
  call (:meth:`~AccountFrameTransformer._validate_frame` returns the
  :class:`~skinfluence.nested.FlatPosts` the rest of the call works on), and
  offers ``get_feature_names_out`` to subclasses that name their columns (so
  scikit-learn's own ``set_output`` wrapping applies to them).
- :class:`_PostExtractor`: an extractor that computes features per post and pools
  them per account (``TextStats``, ``SentimentFeatures``, ``SentenceEmbedder``,
  ``ImageEmbedder``). ``transform`` always returns one row per account;
  ``transform_posts`` always returns the per-post
  :class:`~skinfluence.PostFeatures`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ..base import ComponentMixin
from ..exceptions import AccountFrameError
from ..nested import ID_COLUMN, FlatPosts, _validate_and_flatten, is_account_frame
from ..ragged import PostFeatures
from ..utils._param_validation import Real, StrOptions, fit_context
from ..utils.validation import check_not_empty, check_post_fields_seen

__all__ = ["AccountFrameTransformer"]


def _names_its_features(estimator) -> bool:
    return hasattr(estimator, "_feature_names_out")


class AccountFrameTransformer(ComponentMixin, TransformerMixin, BaseEstimator):
    """Base of transformers whose ``X`` is an account frame (one row per account, nested posts).

    Subclasses have a ``posts_column`` parameter, may override
    :meth:`_required_post_fields`, and name their output columns by defining
    ``_feature_names_out()`` (which makes ``get_feature_names_out``, and with it
    scikit-learn's ``set_output``, available).
    """

    def _required_post_fields(self) -> list[str]:
        """Post fields the component reads (checked on every call, declared in the tags)."""
        return []

    def _optional_post_fields(self) -> list[str]:
        """Post fields the component reads when the posts have them.

        Whichever of them the posts given to ``fit`` have must be there in every
        later call (:func:`~skinfluence.utils.validation.check_post_fields_seen`).
        """
        return []

    def _validate_frame(self, X, *, reset: bool) -> FlatPosts:
        """Validate the account frame once and return its flat posts.

        With ``reset=True`` (in ``fit``) it records ``feature_names_in_`` and
        ``n_features_in_``, like scikit-learn's ``validate_data``, and the post
        fields read; later calls raise if one of those fields is gone.
        """
        name = type(self).__name__
        if not is_account_frame(X, self.posts_column):
            _raise_not_a_frame(name, X, self.posts_column)
        flat = _validate_and_flatten(
            X, posts_column=self.posts_column, required_post_fields=self._required_post_fields(),
            require_posts=True, caller=name, field_params=self._field_params(),
        )
        self._check_fields_seen(flat, reset=reset)
        if reset:
            check_not_empty(self, X)
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
            self.n_features_in_ = X.shape[1]
        return flat

    def _field_params(self) -> dict[str, str]:
        """Post field -> the parameter naming it (``text_field``, ``image_field``, ...)."""
        return {value: param for param, value in self.get_params(deep=False).items()
                if param.endswith("_field") and isinstance(value, str)}

    def _check_fields_seen(self, flat: FlatPosts, *, reset: bool) -> None:
        read = [f for f in [*self._required_post_fields(), *self._optional_post_fields()]
                if isinstance(f, str)]
        check_post_fields_seen(self, read, flat.fields, reset=reset)

    @available_if(_names_its_features)
    def get_feature_names_out(self, input_features=None):
        """Names of the output columns.

        Parameters
        ----------
        input_features : Ignored

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        return np.asarray(self._feature_names_out(), dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.account_frame = True
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.input_tags.post_fields = tuple(
            f for f in self._required_post_fields() if isinstance(f, str))
        tags.transformer_tags.preserves_dtype = []
        return tags


class _PostExtractor(AccountFrameTransformer):
    """Base of extractors that compute features per post of an account frame.

    Subclasses declare their parameters (``_parameter_constraints``, merged with
    these), decorate ``fit`` with ``@fit_context`` and make it return
    ``self._fit(X, y)``, whose body calls ``self._check_extras()`` and gets the
    flat posts from ``self._fit_frame(X, flat)``; and they implement
    ``_compute(flat, X)`` returning ``(values, mask)`` of shape
    ``(n_posts, n_features)`` and ``(n_posts,)``, and ``_post_feature_names()``.

    ``transform`` returns one row per account (the posts pooled with
    ``pooling``); ``transform_posts`` returns the per-post
    :class:`~skinfluence.PostFeatures`. With ``pooling=None`` an extractor is
    per-post only: ``transform`` raises and points to ``transform_posts`` (or a
    :class:`~skinfluence.PostEncoder`).
    """

    # constraints shared by the four extractors (subclasses add their own)
    _parameter_constraints: dict = {
        "pooling": [StrOptions({"mean", "max"}), None],
        "fill_value": [Real, None],
        "posts_column": [str],
    }

    def _fill(self) -> float:
        return np.nan if self.fill_value is None else float(self.fill_value)

    # ------------------------------------------------------------------- fit

    # Subclasses: ``fit`` (decorated with ``@fit_context``) returns ``self._fit(X, y)``;
    # ``_fit(X, y, flat=None)`` holds the fitting and gets the flat posts from
    # ``self._fit_frame(X, flat)``.

    def _fit_frame(self, X, flat):
        """The flat posts of the frame given to ``fit``: validated here unless the caller did."""
        if flat is None:
            return self._validate_frame(X, reset=True)
        self._check_fields_seen(flat, reset=True)
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        return flat

    def _fit_validated(self, X, y, flat):
        """``fit`` on an account frame that the caller validated and flattened into ``flat``.

        For :class:`~skinfluence.PostEncoder`, which validates the frame (with this
        extractor's post fields) once for all its extractors. The parameters are
        still validated, as by ``fit``.
        """
        return fit_context(type(self)._fit)(self, X, y, flat)

    # ------------------------------------------------------------ public calls

    def transform_posts(self, X) -> PostFeatures:
        """Per-post features of an account frame, whatever ``pooling`` is.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns)
            Account frame.

        Returns
        -------
        PostFeatures
            ``values`` of shape (n_posts, n_features); masked-out posts hold zeros.
        """
        check_is_fitted(self)
        flat = self._validate_frame(X, reset=False)
        return self._transform_posts_flat(flat, X)

    def transform(self, X):
        """Features per account: each account's valid posts pooled with ``pooling``.

        Parameters
        ----------
        X : DataFrame of shape (n_accounts, n_columns)
            Account frame.

        Returns
        -------
        features : ndarray of shape (n_accounts, n_features)
            Accounts without a valid post get ``fill_value``. Follows
            ``set_output`` (pandas output keeps the frame's index).
        """
        check_is_fitted(self)
        self._check_pooled()
        flat = self._validate_frame(X, reset=False)
        return self._transform_flat(flat, X)

    # ------------------------------------------------------- flat, once validated

    def _post_arrays(self, flat: FlatPosts, X):
        values, mask = self._compute(flat, X)
        return np.where(mask[:, None], values, 0), mask

    def _transform_posts_flat(self, flat: FlatPosts, X) -> PostFeatures:
        """The per-post container of already validated, flattened posts."""
        values, mask = self._post_arrays(flat, X)
        return PostFeatures(values.astype(np.float32, copy=False), flat.offsets, mask=mask,
                            feature_names=self._post_feature_names(), index=X.index)

    def _transform_flat(self, flat: FlatPosts, X) -> np.ndarray:
        """The pooled rows of already validated, flattened posts."""
        from ._pooling import pool_posts

        values, mask = self._post_arrays(flat, X)
        return pool_posts(values, flat.offsets, mask, self.pooling, fill_value=self._fill())

    def _check_pooled(self):
        if self.pooling is None:
            name = type(self).__name__
            raise ValueError(
                f"{name}(pooling=None) computes per-post features only: transform returns one "
                f"row per account and needs pooling='mean' or 'max'. Call "
                f"{name}.transform_posts(X) for the per-post PostFeatures container, or use the "
                "extractor inside a PostEncoder."
            )

    # ----------------------------------------------------------------- names

    def _feature_names_out(self):
        names = self._post_feature_names()
        if self.pooling is None:  # per-post only: the columns of transform_posts
            return names
        return self._pooled_feature_names(names)

    def _pooled_feature_names(self, names):
        return names


def _raise_not_a_frame(name, X, posts_column):
    shape = getattr(X, "shape", None)
    got = type(X).__name__ + (f" of shape {shape}" if shape is not None else "")
    if isinstance(X, pd.DataFrame):
        raise AccountFrameError(
            f"{name} expects an account frame with a nested {posts_column!r} column; the "
            f"DataFrame's columns are {list(X.columns)}"
        )
    raise AccountFrameError(
        f"{name} expects an account frame (a pandas DataFrame with one row per account and a "
        f"nested {posts_column!r} column, see skinfluence.nest_posts); got {got}"
    )


def _post_labels(frame: pd.DataFrame, flat: FlatPosts, post_positions):
    """'post 'p7' (#2 of account 'acc1')' labels for error messages."""
    acc = flat.account_index()[post_positions]
    within = np.asarray(post_positions) - flat.offsets[acc]
    if ID_COLUMN in frame.columns:
        ids = frame[ID_COLUMN].to_numpy()[acc].tolist()
    else:
        ids = [f"row {a}" for a in acc]
    post_ids = None
    if "post_id" in flat.fields:
        post_ids = flat.column("post_id").combine_chunks().take(
            np.asarray(post_positions, dtype=np.int64)).to_pylist()
    out = []
    for k, (a, w) in enumerate(zip(ids, within, strict=True)):
        pid = f"post {post_ids[k]!r} " if post_ids is not None else "post "
        out.append(f"{pid}(#{w} of account {a!r})")
    return out


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
