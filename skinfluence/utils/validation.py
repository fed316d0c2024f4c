"""Input validation for components whose ``X`` is an account frame."""

from __future__ import annotations

import numpy as np

from ..exceptions import AccountFrameError
from ..nested import POSTS_COLUMN, validate_account_frame

__all__ = ["check_account_frame", "check_not_empty"]


def check_not_empty(estimator, X):
    """Raise an ``AccountFrameError`` if the account frame given to ``fit`` has no rows."""
    if len(X) == 0:
        raise AccountFrameError(
            f"{type(estimator).__name__}.fit: the account frame has no rows (0 accounts); "
            "fit needs at least one account"
        )


def check_account_frame(
    estimator,
    X,
    *,
    reset: bool,
    required_columns=(),
    required_post_fields=(),
    posts_column: str = POSTS_COLUMN,
    require_posts: bool = True,
):
    """Validate an account frame given to ``fit`` (``reset=True``) or ``transform``/``predict``.

    With ``reset=True`` it records ``feature_names_in_`` (the frame's columns)
    and ``n_features_in_`` on ``estimator``, like sklearn's ``validate_data``.
    With ``reset=False`` it checks that the columns the estimator needs are
    still there; extra columns are allowed (an account frame often carries more
    than one component reads).

    Returns
    -------
    X : DataFrame
        The validated account frame.
    """
    required_columns = list(required_columns)
    validate_account_frame(
        X,
        posts_column=posts_column,
        required_columns=required_columns,
        required_post_fields=required_post_fields,
        require_posts=require_posts,
    )
    if reset:
        check_not_empty(estimator, X)
        estimator.feature_names_in_ = np.asarray(X.columns, dtype=object)
        estimator.n_features_in_ = X.shape[1]
    return X
