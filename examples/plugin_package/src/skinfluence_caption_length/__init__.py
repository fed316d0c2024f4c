"""Example skinfluence plugin: caption length statistics per account."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from skinfluence.base import ComponentMixin
from skinfluence.exceptions import AccountFrameError
from skinfluence.nested import flatten_posts, segment_reduce
from skinfluence.registry import register
from skinfluence.utils.validation import check_account_frame

__all__ = ["CaptionLength"]


@register("extractor")
class CaptionLength(ComponentMixin, TransformerMixin, BaseEstimator):
    """Mean and maximum caption length (in characters) of each account's posts.

    Parameters
    ----------
    field : str, default="text"
        Post field holding the caption.
    posts_column : str, default="posts"
        The nested posts column.

    Notes
    -----
    Accounts without posts get NaN for both features (there is no caption to
    measure); null captions count as length 0.
    """


    def __init__(self, field="text", *, posts_column="posts"):
        self.field = field
        self.posts_column = posts_column

    def fit(self, X, y=None):
        self._check_extras()
        check_account_frame(self, X, reset=True, posts_column=self.posts_column,
                            required_post_fields=[self.field])
        return self

    def transform(self, X):
        check_is_fitted(self)
        check_account_frame(self, X, reset=False, posts_column=self.posts_column,
                            required_post_fields=[self.field])
        flat = flatten_posts(X, posts_column=self.posts_column)
        text = flat.column(self.field)
        if not (pa.types.is_string(text.type) or pa.types.is_large_string(text.type)
                or pa.types.is_null(text.type)):  # never measure str(number)
            raise AccountFrameError(
                f"CaptionLength: post field {self.field!r} must hold captions (strings); got "
                f"Arrow type {text.type}"
            )
        text = text.cast(pa.large_string())
        length = pc.fill_null(pc.utf8_length(text), 0).to_numpy().astype(float)
        return np.column_stack([
            segment_reduce(length, flat.offsets, "mean"),
            segment_reduce(length, flat.offsets, "max"),
        ])

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self)
        return np.asarray(["caption_length_mean", "caption_length_max"], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.account_frame = True
        tags.input_tags.two_d_array = False
        tags.input_tags.allow_nan = True
        tags.input_tags.post_fields = (self.field,)
        return tags
