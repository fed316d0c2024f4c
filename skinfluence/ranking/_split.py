"""Train/test split of a brand-to-creator task with unseen brands *and* unseen candidates."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils import Bunch, check_random_state

from ..utils._param_validation import Interval, validate_parameter_constraints

__all__ = ["split_pairs", "unseen_split"]

_CONSTRAINTS = {
    "test_size": [Interval(Real, 0, 1, closed="neither"), Interval(Integral, 1, None,
                                                                   closed="left")],
    "random_state": ["random_state"],
}
_PAIR_CONSTRAINTS = {
    "negatives": [Interval(Integral, 0, None, closed="left")],
    "relevance": [str, None],
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


def split_pairs(positives, split, *, negatives=20, relevance=None, query="brand_id",
                candidate="account_id", random_state=None):
    """The training pairs and the test grid of an :func:`unseen_split`.

    Training: each training query's positives among the training candidates, with
    their relevance, and ``negatives`` other training candidates drawn at random for
    that query, with relevance 0. Test: every test query against every test
    candidate (the protocol of Gan et al.), relevance 1 for the query's positives
    and 0 otherwise.

    Parameters
    ----------
    positives : DataFrame
        The positive (query, candidate) pairs, one per row (the frame given to
        :func:`unseen_split`).
    split : Bunch
        The output of :func:`unseen_split` on ``positives``.
    negatives : int, default=20
        Training candidates drawn per training query as negatives (relevance 0),
        without replacement among those that are not its positives.
    relevance : str or None, default=None
        Column of ``positives`` holding the relevance of the training positives
        (> 0, e.g. a grade or ``1 + competence``); ``None`` gives them 1.
    query : str, default="brand_id"
        Column of the query ids.
    candidate : str, default="account_id"
        Column of the candidate ids.
    random_state : int, RandomState instance or None, default=None
        Seed of the draw of negatives.

    Returns
    -------
    pairs : Bunch
        ``train`` and ``test``: DataFrames with columns ``query``, ``candidate``
        and ``"relevance"``, ready for :func:`make_queries`.

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence.ranking import split_pairs, unseen_split
    >>> pos = pd.DataFrame({"brand_id": [0, 0, 1, 2, 3], "account_id": [10, 11, 12, 12, 13]})
    >>> split = unseen_split(pos, test_size=1, random_state=0)
    >>> pairs = split_pairs(pos, split, negatives=1, random_state=0)
    >>> pairs.test.to_dict("list")
    {'brand_id': [2], 'account_id': [12], 'relevance': [1.0]}
    >>> pairs.train.groupby("brand_id")["relevance"].sum().to_dict()
    {0: 2.0, 1: 0.0, 3: 1.0}
    """
    validate_parameter_constraints(
        _PAIR_CONSTRAINTS, {"negatives": negatives, "relevance": relevance,
                            "random_state": random_state}, caller_name="split_pairs")
    if not isinstance(positives, pd.DataFrame):
        raise TypeError(f"positives must be a DataFrame; got {type(positives).__name__}")
    needed = [query, candidate] + ([relevance] if relevance is not None else [])
    missing = [c for c in needed if c not in positives.columns]
    if missing:
        raise ValueError(f"split_pairs: positives is missing column(s) {missing}; it has "
                         f"{list(positives.columns)}")
    keys = ("train_queries", "test_queries", "train_candidates", "test_candidates")
    if not all(k in split for k in keys):
        raise TypeError(f"split_pairs: split must be the Bunch returned by unseen_split, with "
                        f"{list(keys)}; got keys {sorted(split)}")
    rel = (np.ones(len(positives)) if relevance is None
           else positives[relevance].to_numpy(dtype=float))
    bad = ~np.isfinite(rel) | (rel <= 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"split_pairs: the relevance of positives must be finite and > 0; row "
                         f"{row} (column {relevance!r}) has {rel[row]}")
    rng = check_random_state(random_state)
    q, c = positives[query].to_numpy(), positives[candidate].to_numpy()
    keep = np.isin(q, split.train_queries) & np.isin(c, split.train_candidates)
    train_c = np.asarray(split.train_candidates)
    rows = [pd.DataFrame({query: q[keep], candidate: c[keep], "relevance": rel[keep]})]
    by_query = pd.Series(c[keep]).groupby(q[keep]).agg(list).to_dict()
    for b in split.train_queries:
        others = np.setdiff1d(train_c, by_query.get(b, []))
        drawn = rng.choice(others, min(negatives, len(others)), replace=False)
        rows.append(pd.DataFrame({query: b, candidate: drawn, "relevance": 0.0}))
    train = pd.concat(rows, ignore_index=True)
    test_q, test_c = np.asarray(split.test_queries), np.asarray(split.test_candidates)
    test = pd.DataFrame({query: np.repeat(test_q, len(test_c)),
                         candidate: np.tile(test_c, len(test_q))})
    truth = pd.MultiIndex.from_arrays([q, c])
    test["relevance"] = pd.MultiIndex.from_arrays(
        [test[query].to_numpy(), test[candidate].to_numpy()]).isin(truth).astype(float)
    return Bunch(train=train, test=test)
