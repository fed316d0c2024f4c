"""Feature extractors: turn an account's posts and profile into model input."""

from ._posts_text import PostsText

__all__ = ["PostsText"]
