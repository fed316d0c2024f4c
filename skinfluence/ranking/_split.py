"""Train/test split of a brand-to-creator task with unseen brands *and* unseen candidates."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils import Bunch, check_random_state

from ..utils._param_validation import Interval, validate_parameter_constraints

__all__ = ["unseen_split"]

_CONSTRAINTS = {
    "test_size": [Interval(Real, 0, 1, closed="neither"), Interval(Integral, 1, None,
                                                                   closed="left")],
    "random_state": ["random_state"],
}


def unseen_split(positives, *, query="brand_id", candidate="account_id", test_size=0.2,
                 random_state=None):
    """Split queries and candidates as Gan et al. do: test brands and their creators unseen.

    The test queries are drawn at random; the test candidates are every candidate
    positive for a test query; the training candidates are the candidates positive
    for a training query that are not test candidates. A model trained on
    training queries x training candidates then ranks test queries x test
    candidates, none of which it has seen.

    Parameters
    ----------
    positives : DataFrame
        The positive (query, candidate) pairs, one per row.
    query : str, default="brand_id"
        Column of the query ids.
    candidate : str, default="account_id"
        Column of the candidate ids.
    test_size : float in (0, 1) or int, default=0.2
        Share or number of queries in the test set.
    random_state : int, RandomState instance or None, default=None
        Seed of the draw of test queries.

    Returns
    -------
    split : Bunch
        ``train_queries``, ``test_queries``, ``train_candidates``,
        ``test_candidates`` (sorted id arrays) and ``n_dropped_pairs``: the
        positives of training queries whose candidate is a test candidate (left out
        of training so that test candidates stay unseen).

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence.ranking import unseen_split
    >>> pos = pd.DataFrame({"brand_id": [0, 0, 1, 2, 3], "account_id": [10, 11, 12, 12, 13]})
    >>> s = unseen_split(pos, test_size=1, random_state=0)
    >>> s.test_queries.tolist(), s.test_candidates.tolist(), s.train_candidates.tolist()
    ([2], [12], [10, 11, 13])
    """
    validate_parameter_constraints(_CONSTRAINTS, {"test_size": test_size,
                                                  "random_state": random_state},
                                   caller_name="unseen_split")
    if not isinstance(positives, pd.DataFrame):
        raise TypeError(f"positives must be a DataFrame; got {type(positives).__name__}")
    missing = [c for c in (query, candidate) if c not in positives.columns]
    if missing:
        raise ValueError(f"positives is missing column(s) {missing}; it has "
                         f"{list(positives.columns)}")
    queries = np.unique(positives[query].to_numpy())
    n_test = int(round(test_size * len(queries))) if isinstance(test_size, float) else test_size
    if not 1 <= n_test < len(queries):
        raise ValueError(f"unseen_split: test_size={test_size!r} leaves {n_test} of "
                         f"{len(queries)} queries for the test set; need 1 to {len(queries) - 1}")
    rng = check_random_state(random_state)
    test_q = np.sort(rng.choice(queries, n_test, replace=False))
    is_test = positives[query].isin(test_q).to_numpy()
    test_c = np.unique(positives.loc[is_test, candidate].to_numpy())
    train_rows = ~is_test
    clash = train_rows & positives[candidate].isin(test_c).to_numpy()
    train_c = np.unique(positives.loc[train_rows & ~clash, candidate].to_numpy())
    return Bunch(train_queries=np.setdiff1d(queries, test_q), test_queries=test_q,
                 train_candidates=train_c, test_candidates=test_c,
                 n_dropped_pairs=int(clash.sum()))
