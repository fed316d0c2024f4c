"""Input validation for components whose ``X`` is an account frame."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..exceptions import AccountFrameError
from ..nested import POSTS_COLUMN, validate_account_frame
from ._param_validation import InvalidParameterError

__all__ = ["check_account_frame", "check_not_empty", "check_post_fields_seen",
           "check_reference_time"]


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


def check_post_fields_seen(estimator, read, present, *, reset: bool) -> None:
    """A post field the estimator read in ``fit`` must be there in every later call.

    ``fit`` (``reset=True``) records which of the fields the estimator reads
    (``read``: required ones and those it uses when present, such as ``shares``)
    the posts had; ``transform``/``predict`` (``reset=False``) raise an
    :class:`~skinfluence.exceptions.AccountFrameError` naming any of them that is
    gone, instead of computing with it silently missing (NaN or 0). Extra fields,
    and fields the estimator does not read, may differ between calls.

    Parameters
    ----------
    estimator : object
        The component; its fields seen are kept in ``estimator._post_fields_seen``.
    read : iterable of str
        Post fields the estimator reads.
    present : sequence of str
        Post fields of the frame given to this call.
    reset : bool
        True in ``fit``.
    """
    present = list(present)
    if reset:
        estimator._post_fields_seen = [f for f in dict.fromkeys(read) if f in present]
        return
    seen = getattr(estimator, "_post_fields_seen", ())  # absent from pickles of older versions
    gone = [f for f in seen if f not in present]
    if gone:
        raise AccountFrameError(
            f"{type(estimator).__name__}: post field(s) {gone} were in the posts given to fit but are "
            f"missing now; posts have fields {sorted(present)}. A field read in fit must be there in "
            "every later call (hold null values where it is unknown), or the features would be "
            "computed without it."
        )


_TIME_FORMS = (
    "None or a datetime-like value: a datetime, a numpy.datetime64, a pandas.Timestamp or a date "
    "string that pandas.Timestamp reads (e.g. '2024-05-01' or '2024-05-01T12:00:00+00:00'; a time "
    "without a zone is read as UTC)"
)


def check_reference_time(value, owner: str) -> pd.Timestamp:
    """``reference_time`` as a tz-aware :class:`pandas.Timestamp`; naive values are read as UTC.

    Parameters
    ----------
    value : str, datetime-like
        The parameter's value (not None).
    owner : str
        The estimator's class name, for the message.

    Returns
    -------
    reference : pandas.Timestamp

    Raises
    ------
    InvalidParameterError
        When ``value`` is not a time (e.g. ``"garbage"``) or is NaT; the message
        names the parameter and the accepted forms.
    """
    try:
        ref = pd.Timestamp(value)
    except (TypeError, ValueError, OverflowError):
        ref = None
    if ref is None or ref is pd.NaT:
        raise InvalidParameterError(
            f"The 'reference_time' parameter of {owner} must be {_TIME_FORMS}. Got {value!r} instead."
        ) from None
    return ref.tz_localize("UTC") if ref.tzinfo is None else ref
