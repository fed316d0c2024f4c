"""load_peerindex: the PeerIndex "who is more influential" pair data (Kaggle, 2013).

Reading is strict: a value that does not fit the documented schema raises a
:class:`~skinfluence.exceptions.DataLoadError` naming the file, the column, the
line and what was expected (see ``docs/real_data.md``).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ..exceptions import DataLoadError
from ._readers import (
    _fail,
    _numbers,
    _read_csv,
    _single_file,
)

__all__ = ["PEERINDEX_FEATURES", "load_peerindex"]

#: The 11 per-user features of the PeerIndex pair data, in file order; the
#: frame has ``A_<feature>`` and ``B_<feature>`` for each.
PEERINDEX_FEATURES = (
    "follower_count",
    "following_count",
    "listed_count",
    "mentions_received",
    "retweets_received",
    "mentions_sent",
    "retweets_sent",
    "posts",
    "network_feature_1",
    "network_feature_2",
    "network_feature_3",
)




def load_peerindex(
    path: str | os.PathLike, *, return_X_y: bool = False
) -> pd.DataFrame | tuple[pd.DataFrame, np.ndarray]:
    """Load the PeerIndex "who is more influential" pair data (Kaggle, 2013).

    Each row compares two Twitter users A and B by 11 pre-computed,
    non-negative activity and network features each; ``Choice`` says which
    one human judges found more influential.

    Parameters
    ----------
    path : str or path-like
        ``train.csv`` or ``test.csv`` of the competition, or a folder (then its
        ``train.csv`` is read).
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of one frame. Needs the labelled file.

    Returns
    -------
    frame : DataFrame of shape (n_pairs, 22) or (n_pairs, 23)
        When ``return_X_y=False``: columns ``A_<feature>`` then
        ``B_<feature>`` for the features of :data:`PEERINDEX_FEATURES`
        (float64, NaN for an empty cell), then ``Choice`` (int64, 1 = A is
        more influential, 0 = B) when the file has it. Rows keep file order;
        duplicated rows are kept.
    (X, y) : tuple of DataFrame of shape (n_pairs, 22) and ndarray of shape (n_pairs,)
        When ``return_X_y=True``: the 22 feature columns and ``Choice`` as int64.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    DataLoadError
        When the header does not hold the 11 features for both A and B (the
        message lists what is missing or unexpected), a value is not a
        non-negative number, ``Choice`` is not 0/1, or ``return_X_y=True`` is
        asked of a file without ``Choice`` (the unlabelled test file). Messages
        name the file, column and line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skinfluence.datasets import PEERINDEX_FEATURES, load_peerindex
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> header = ["Choice"] + [f"{s}_{f}" for s in "AB" for f in PEERINDEX_FEATURES]
    >>> row = ["1"] + [str(v) for v in range(22)]
    >>> _ = (folder / "train.csv").write_text(",".join(header) + "\\n" + ",".join(row) + "\\n")
    >>> X, y = load_peerindex(folder, return_X_y=True)
    >>> X.shape, y.tolist(), X["B_follower_count"].tolist()
    ((1, 22), [1], [11.0])
    """
    path = _single_file(path, "train.csv", "PeerIndex train.csv or test.csv")
    raw = _read_csv(path)
    header_line = "line 1"
    expected_columns = [f"{side}_{f}" for side in "AB" for f in PEERINDEX_FEATURES]
    columns = list(raw.columns)
    sides = {side: [c[2:] for c in columns if c.startswith(f"{side}_")] for side in "AB"}
    others = [c for c in columns if c != "Choice" and c[:2] not in ("A_", "B_")]
    if sides["A"] != sides["B"] or others or set(sides["A"]) != set(PEERINDEX_FEATURES) \
            or len(sides["A"]) != len(PEERINDEX_FEATURES):
        problems = []
        for side in "AB":
            missing = [f"{side}_{f}" for f in PEERINDEX_FEATURES if f not in sides[side]]
            extra = [f"{side}_{f}" for f in sides[side] if f not in PEERINDEX_FEATURES]
            if missing:
                problems.append(f"missing {missing}")
            if extra:
                problems.append(f"unexpected {extra}")
        if others:
            problems.append(f"unexpected {others}")
        if not problems:
            problems.append("the A_ and B_ features are not in the same order")
        raise DataLoadError(
            f"{path}: {header_line}: the header must hold the {len(PEERINDEX_FEATURES)} features for "
            f"both users A and B with matching names (and optionally 'Choice'): "
            f"{'; '.join(problems)}; expected the columns {['Choice'] + expected_columns}"
        )
    data = {c: _numbers(raw, c, path) for c in expected_columns}
    frame = pd.DataFrame(data)
    labelled = "Choice" in raw.columns
    if labelled:
        choice = _numbers(raw, "Choice", path, integer=True, required=True, expected="0 or 1")
        if not np.isin(choice, (0, 1)).all():
            rows = np.flatnonzero(~np.isin(choice, (0, 1)))
            raise _fail(path, "Choice", raw.index[rows[0]],
                        f"label {raw['Choice'].iloc[rows[0]]!r}", "0 or 1", len(rows))
        frame["Choice"] = choice.astype(np.int64)
    frame.attrs["source_file"] = str(path)
    frame.attrs["n_repeated_header_rows_dropped"] = raw.attrs["n_repeated_header_rows_dropped"]
    if not return_X_y:
        return frame
    if not labelled:
        raise DataLoadError(
            f"{path}: return_X_y=True needs the label column 'Choice', which this file does not have "
            "(the competition's test.csv is unlabelled); load it with return_X_y=False"
        )
    return frame.drop(columns="Choice"), frame["Choice"].to_numpy()
