"""Feature extractors: turn an account's posts and profile into model input.

- one row per account: :class:`PostsText` (the captions joined), :class:`TextStats`,
  :class:`SentimentFeatures`, and the embedders with ``pooling="mean"`` or ``"max"``;
- one vector per post (ragged, for the neural models): :class:`SentenceEmbedder`,
  :class:`ImageEmbedder` with ``pooling=None``, combined by :class:`PostEncoder` into a
  :class:`PostFeatures` container; :class:`PostPooler` and :func:`pool_posts` turn it back
  into one row per account.

Importing this package imports neither torch, timm nor sentence-transformers.
"""

from ._image import ImageEmbedder
from ._posts_text import PostsText
from ._ragged import PostEncoder, PostFeatures, PostPooler, pool_posts
from ._text import SentenceEmbedder
from ._textstats import SentimentFeatures, TextStats

__all__ = [
    "ImageEmbedder",
    "PostEncoder",
    "PostFeatures",
    "PostPooler",
    "PostsText",
    "SentenceEmbedder",
    "SentimentFeatures",
    "TextStats",
    "pool_posts",
]
