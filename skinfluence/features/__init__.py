"""Feature extractors: turn an account's posts and profile into model input.

- one row per account (``transform``): :class:`PostsText` (the captions joined),
  :class:`TextStats`, :class:`SentimentFeatures`, :class:`SentenceEmbedder`,
  :class:`ImageEmbedder` and :class:`HashedTfidf` (sparse), their posts pooled with ``pooling="mean"`` or ``"max"``;
- one vector per post (ragged, for the neural models): every extractor's
  ``transform_posts`` returns a :class:`PostFeatures` container, and
  :class:`PostEncoder` puts several extractors side by side; :class:`PostPooler` and
  :func:`pool_posts` turn a container back into one row per account.

Modules: ``_base`` (the shared bases), ``_encoder`` (PostEncoder), ``_pooling``
(PostPooler, pool_posts), ``_posts_text``, ``_textstats``, ``_sentiment``, ``_text``
(SentenceEmbedder), ``_image`` (ImageEmbedder), ``_lexical`` (HashedTfidf). The container itself lives in the
ragged core, :mod:`skinfluence.ragged`.

Importing this package imports neither torch, timm nor sentence-transformers.
"""

from ..ragged import PostFeatures
from ._encoder import PostEncoder
from ._image import ImageEmbedder
from ._lexical import HashedTfidf
from ._pooling import PostPooler, pool_posts, pool_sparse
from ._posts_text import PostsText
from ._sentiment import SentimentFeatures
from ._text import SentenceEmbedder
from ._textstats import TextStats

__all__ = [
    "HashedTfidf",
    "ImageEmbedder",
    "PostEncoder",
    "PostFeatures",
    "PostPooler",
    "PostsText",
    "SentenceEmbedder",
    "SentimentFeatures",
    "TextStats",
    "pool_posts",
    "pool_sparse",
]
