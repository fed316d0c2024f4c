"""make_pairs: the wide pair frame that :class:`PairwiseRanker` reads, from an items table
and a list of pairs of account ids."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ..utils._param_validation import validate_parameter_constraints

__all__ = ["make_pairs"]

def make_pairs(
    items: pd.DataFrame,
    pairs: pd.DataFrame | ArrayLike,
    *,
    id_column: str = "account_id",
    features: Sequence[str] | None = None,
    prefixes: tuple[str, str] = ("A_", "B_"),
    keep_ids: bool = True,
) -> pd.DataFrame:
    """Build the wide pair frame from an items table and a list of pairs.

    Parameters
    ----------
    items : DataFrame
        One row per account, with its ids in the column ``id_column`` (or an index
        of that name) and its features.
    pairs : DataFrame or array-like of shape (n_pairs, 2)
        The ids of account A and account B of each pair (a DataFrame must have
        exactly these two columns; select them first, e.g. ``comparisons[["a", "b"]]``).
    id_column : str, default="account_id"
        Name of the id column (or index) of ``items``.
    features : list of str, default=None
        Columns of ``items`` to pair up; None: all but the id column.
    prefixes : tuple of two str, default: ``("A_", "B_")``
        Prefixes of A's and B's columns in the output.
    keep_ids : bool, default=True
        Add the id columns ``<prefix><id_column>`` (first), which
        :class:`PairwiseRanker` reads as account identities, not features.

    Returns
    -------
    X : DataFrame of shape (n_pairs, 2 * n_features [+ 2])
        Indexed like ``pairs`` (0..n-1 for an array).

    Raises
    ------
    ValueError
        If ids in ``items`` are missing or duplicated, if ``pairs`` refers to ids
        not in ``items`` (the message lists them, with their rows), or pairs an
        account with itself.

    Examples
    --------
    >>> import pandas as pd
    >>> from skinfluence.ranking import make_pairs
    >>> items = pd.DataFrame({"account_id": ["ann", "bob", "cy"],
    ...                       "followers": [10.0, 2000.0, 300.0]})
    >>> make_pairs(items, [["bob", "ann"], ["cy", "bob"]])
    A_account_id B_account_id  A_followers  B_followers
    0          bob          ann       2000.0         10.0
    1           cy          bob        300.0       2000.0
    """
    validate_parameter_constraints(
        {
            "items": [pd.DataFrame],
            "pairs": [pd.DataFrame, "array-like"],
            "id_column": [str],
            "features": ["array-like", None],
            "prefixes": [tuple, list],
            "keep_ids": ["boolean"],
        },
        {"items": items, "pairs": pairs, "id_column": id_column, "features": features,
         "prefixes": prefixes, "keep_ids": keep_ids},
        caller_name="make_pairs",
    )
    # the two prefixes together: what the declared constraints cannot say
    if not (len(prefixes) == 2
            and all(isinstance(p, str) and p for p in prefixes) and prefixes[0] != prefixes[1]):
        raise ValueError(f"prefixes must be two distinct non-empty strings; got {prefixes!r}")
    if id_column in items.columns:
        ids = items[id_column]
        table = items.drop(columns=[id_column])
    elif items.index.name == id_column:
        ids = items.index.to_series()
        table = items
    else:
        raise ValueError(
            f"items have no column (or index) named {id_column!r}; columns are "
            f"{list(items.columns)} (parameter id_column)"
        )
    ids = pd.Index(ids.to_numpy())
    if ids.hasnans:
        raise ValueError(f"items have missing ids in {id_column!r}")
    if not ids.is_unique:
        dup = ids[ids.duplicated()].unique().tolist()
        raise ValueError(f"items have duplicated ids in {id_column!r}: {dup[:10]}"
                         f"{' ...' if len(dup) > 10 else ''}")
    if features is not None:
        features = list(features)
        missing = [f for f in features if f not in table.columns]
        if missing:
            raise ValueError(f"features {missing} are not columns of items; columns are "
                             f"{list(table.columns)}")
        table = table[features]

    if isinstance(pairs, pd.DataFrame):
        if pairs.shape[1] != 2:
            raise ValueError(
                f"pairs must have exactly 2 columns (the ids of A and B); got {pairs.shape[1]}: "
                f"{list(pairs.columns)}. Select them first, e.g. pairs[[col_a, col_b]]"
            )
        out_index = pairs.index
        pair_ids = [pairs.iloc[:, 0].to_numpy(dtype=object), pairs.iloc[:, 1].to_numpy(dtype=object)]
    else:
        arr = np.asarray(pairs, dtype=object)
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise ValueError(f"pairs must have shape (n_pairs, 2) (the ids of A and B); got "
                             f"shape {arr.shape}")
        out_index = pd.RangeIndex(len(arr))
        pair_ids = [arr[:, 0], arr[:, 1]]

    positions = [ids.get_indexer(pd.Index(p)) for p in pair_ids]
    unknown = {}
    for side, pos, pid in zip("AB", positions, pair_ids, strict=True):
        for row in np.flatnonzero(pos < 0):
            unknown.setdefault(pid[row], []).append(f"{side}{row}")
    if unknown:
        listed = "; ".join(f"{k!r} (rows {', '.join(v[:3])}{' ...' if len(v) > 3 else ''})"
                           for k, v in list(unknown.items())[:10])
        raise ValueError(f"pairs refer to {len(unknown)} id(s) not in items[{id_column!r}]: "
                         f"{listed}{' ...' if len(unknown) > 10 else ''}")
    same = np.flatnonzero(positions[0] == positions[1])
    if len(same):
        raise ValueError(f"pairs compare an account with itself at rows {same[:10].tolist()}: "
                         f"{[pair_ids[0][r] for r in same[:3]]}")

    blocks = []
    if keep_ids:
        blocks.append(pd.DataFrame({f"{p}{id_column}": np.asarray(ids)[pos]
                                    for p, pos in zip(prefixes, positions, strict=True)},
                                   index=out_index))
    for p, pos in zip(prefixes, positions, strict=True):
        side = table.iloc[pos]
        side.columns = [f"{p}{c}" for c in table.columns]
        side.index = out_index
        blocks.append(side)
    return pd.concat(blocks, axis=1)
