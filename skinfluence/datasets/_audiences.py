"""make_audiences: influencers with a nested sample of follower accounts and known shares.

Each influencer gets a true share of fake followers and of inactive followers;
a random sample of its followers is drawn, each follower fake with the
influencer's probability, and its profile (the ``FAKE_ACCOUNT_COLUMNS``
schema) is drawn from class-conditional distributions fitted loosely to the
three real fake-account sets (Kaggle, InstaFake, SRF). See ``docs/audience.md``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from ..nested import nest_posts
from ..utils._param_validation import (
    Integral,
    Interval,
    InvalidParameterError,
    Real,
    validate_params,
)
from ._fake_accounts import FAKE_ACCOUNT_COLUMNS
from ._synthetic import (
    _COUNT_RANGE_CONSTRAINT,
    _RANDOM_STATE_CONSTRAINT,
    _as_generator,
    _count_range,
)

__all__ = ["make_audiences", "make_follower_accounts", "FAKE_INACTIVE_RATE", "DISGUISED_RATE"]

#: Probability that a fake follower is inactive (when the influencer's
#: inactive share allows it; see ``make_audiences``).
FAKE_INACTIVE_RATE = 0.85
#: Share of fake followers with a genuine-looking profile (picture, bio, posts
#: drawn as for genuine accounts); only their follower and following counts differ.
DISGUISED_RATE = 0.1


def _lognormal_counts(rng, median, sigma, size, cap=None):
    out = np.floor(rng.lognormal(np.log(median), sigma, size))
    return np.minimum(out, cap) if cap is not None else out


@validate_params(
    {"is_fake": ["array-like"], "random_state": _RANDOM_STATE_CONSTRAINT},
    prefer_skip_nested_validation=True,
)
def make_follower_accounts(
    is_fake, *, random_state: int | np.random.RandomState | np.random.Generator | None = None
) -> pd.DataFrame:
    """Profiles of follower accounts in the ``FAKE_ACCOUNT_COLUMNS`` schema.

    Each feature is drawn from a class-conditional distribution fitted loosely
    to the real sets (genuine / fake): e.g. a profile picture for 99 % / 55 %,
    digits in the username for 20 % / 65 %, an empty bio for 30 % / 85 %,
    no posts for 5 % / 60 %, followers lognormal around 450 / 40, following
    lognormal around 450 for genuine accounts and, for fakes, either around
    80 (Kaggle-like spam) or 2,000 (InstaFake/SRF-like follow-for-follow).
    The full table is in ``docs/audience.md``. Features are independent given
    the class.

    Parameters
    ----------
    is_fake : array-like of bool of shape (n_accounts,)
        Which accounts are fake.
    random_state : int, RandomState instance, Generator or None, default=None
        Seed.

    Returns
    -------
    accounts : DataFrame of shape (n_accounts, 11)
        The ``FAKE_ACCOUNT_COLUMNS``, float64, no missing value.

    Examples
    --------
    >>> from skinfluence.datasets import make_follower_accounts
    >>> X = make_follower_accounts([True, False, False], random_state=0)
    >>> X.shape
    (3, 11)
    """
    rng = _as_generator(random_state)
    is_fake = np.asarray(is_fake, dtype=bool)
    n = len(is_fake)
    # disguised fakes get a genuine-looking profile; only their counts give them away
    disguised = is_fake & (rng.random(n) < DISGUISED_RATE)
    fake = is_fake & ~disguised

    def pick(real_values, fake_values):
        return np.where(fake, fake_values, real_values).astype(np.float64)

    def bern(p_real, p_fake):
        return pick(rng.random(n) < p_real, rng.random(n) < p_fake)

    def zero_or(p_zero_real, p_zero_fake, real_values, fake_values):
        values = pick(real_values, fake_values)
        return np.where(rng.random(n) < np.where(fake, p_zero_fake, p_zero_real), 0.0, values)

    words = pick(rng.choice(5, n, p=[0.12, 0.25, 0.45, 0.13, 0.05]),
                 rng.choice(5, n, p=[0.10, 0.70, 0.15, 0.05, 0.00]))
    following_fake = np.where(rng.random(n) < 0.5, _lognormal_counts(rng, 80, 1.0, n),
                              _lognormal_counts(rng, 2000, 0.7, n))
    columns = {
        "has_profile_pic": bern(0.99, 0.55),
        "username_digit_ratio": np.round(zero_or(0.8, 0.35, rng.beta(2, 8, n), rng.beta(2.5, 4, n)), 2),
        "fullname_words": words,
        "fullname_digit_ratio": np.round(
            zero_or(0.97, 0.85, rng.uniform(0.1, 0.4, n), rng.uniform(0.1, 1.0, n)), 2),
        "name_equals_username": bern(0.005, 0.07),
        "bio_length": zero_or(0.3, 0.85, np.minimum(150, np.round(rng.lognormal(np.log(40), 0.8, n))),
                              rng.integers(1, 151, n)),
        "has_external_url": bern(0.2, 0.01),
        "is_private": bern(0.4, 0.33),
        "n_posts": zero_or(0.05, 0.6, _lognormal_counts(rng, 70, 1.3, n), _lognormal_counts(rng, 8, 1.2, n)),
        "n_followers": pick(_lognormal_counts(rng, 450, 1.3, n), _lognormal_counts(rng, 40, 1.5, n)),
        "n_following": np.minimum(pick(_lognormal_counts(rng, 450, 0.9, n), following_fake), 7500.0),
    }
    columns["n_followers"] = np.where(disguised, _lognormal_counts(rng, 150, 1.2, n), columns["n_followers"])
    columns["n_following"] = np.where(disguised, _lognormal_counts(rng, 1000, 0.8, n, cap=7500.0),
                                      columns["n_following"])
    return pd.DataFrame({c: columns[c] for c in FAKE_ACCOUNT_COLUMNS})


def _inactive_rates(pi, iota):
    """Inactivity probabilities of fake (a) and genuine (r) followers with pi a + (1 - pi) r = iota.

    ``a`` is :data:`FAKE_INACTIVE_RATE` when that is compatible with ``iota``,
    else the closest feasible value.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a_low = np.where(pi > 0, np.clip((iota - (1 - pi)) / pi, 0, 1), 0.0)
        a_high = np.where(pi > 0, np.clip(iota / pi, 0, 1), 1.0)
        a = np.clip(FAKE_INACTIVE_RATE, a_low, a_high)
        r = np.where(pi < 1, np.clip((iota - pi * a) / (1 - pi), 0, 1), 0.0)
    return a, r


#: A share for every influencer: one float, or one per influencer (shape checked in
#: _share_param, which knows their number).
_SHARE_CONSTRAINT = [None, Interval(Real, 0, 1, closed="both"), "array-like"]


def _share_param(name, value, n, default):
    if value is None:
        return default
    if isinstance(value, Real):  # in [0, 1]: checked by make_audiences' constraints
        return np.full(n, float(value))
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(
            f"The {name!r} parameter of make_audiences must be None, a float in [0, 1] or an "
            f"array of such floats. Got {value!r} instead."
        ) from exc
    if arr.shape != (n,) or not np.all((arr >= 0) & (arr <= 1)):
        raise InvalidParameterError(
            f"The {name!r} parameter of make_audiences must be None, a float in [0, 1] or an array of "
            f"{n} floats in [0, 1] (one per influencer). Got an array of shape {arr.shape}"
            + ("" if arr.shape != (n,) else f" with values outside [0, 1] such as "
               f"{arr[~((arr >= 0) & (arr <= 1))][:3].tolist()}") + " instead."
        )
    return arr


@validate_params(
    {
        "n_influencers": [None, Interval(Integral, 1, None, closed="left")],
        "followers_per_sample": _COUNT_RANGE_CONSTRAINT,
        "fake_share": _SHARE_CONSTRAINT,
        "inactive_share": _SHARE_CONSTRAINT,
        "labelled": [Interval(Real, 0, 1, closed="both")],
        "creators": "no_validation",  # a make_creators Bunch: its fields are checked below
        "activity": ["boolean"],
        "inactive_days": [Interval(Integral, 0, None, closed="left")],
        "return_X_y": ["boolean"],
        "random_state": _RANDOM_STATE_CONSTRAINT,
    },
    prefer_skip_nested_validation=True,
)
def make_audiences(
    n_influencers: int | None = None,
    *,
    followers_per_sample: int | tuple[int, int] = (50, 300),
    fake_share=None,
    inactive_share=None,
    labelled: float = 0.1,
    creators: Bunch | None = None,
    activity: bool = True,
    inactive_days: int = 90,
    return_X_y: bool = False,
    random_state: int | np.random.RandomState | np.random.Generator | None = None,
) -> Bunch | tuple[pd.DataFrame, np.ndarray]:
    """Generate influencers with a nested sample of follower accounts and known shares.

    For every influencer, a true share of fake followers and a true share of
    inactive followers are set; a sample of its followers is drawn (each fake
    with the influencer's fake share, each inactive with a probability that
    makes the influencer's inactive share exact in expectation); each sampled
    follower gets a profile in the ``FAKE_ACCOUNT_COLUMNS`` schema from
    :func:`make_follower_accounts`, an activity field and, for a random
    ``labelled`` share of them, its label. The truth comes back beside the
    frame, so estimators of audience quality can be scored against it.

    Read more in ``docs/audience.md``.

    Parameters
    ----------
    n_influencers : int or None, default=None
        Number of influencers. None: 100, or the number of creators when
        ``creators`` is given (which must then match).
    followers_per_sample : int or tuple (low, high), default=(50, 300)
        Size of each influencer's follower sample: exactly this, or drawn
        uniformly in the inclusive range; never more than the influencer's
        followers (an influencer with 0 followers has an empty sample). ``low``
        may be 0.
    fake_share : None, float or array-like of shape (n_influencers,), default=None
        True share of fake followers per influencer. None: drawn as in
        :func:`make_creators` (85 % Beta(1.5, 12), mean 0.11; 15 % who bought
        followers Beta(4, 3), mean 0.57), or taken from ``creators``.
    inactive_share : None, float or array-like of shape (n_influencers,), default=None
        True share of inactive followers (no activity in the last
        ``inactive_days`` days) among all followers. None:
        ``0.85 * fake_share + (1 - fake_share) * Beta(2, 6)`` (fake followers
        are mostly dormant). Fake followers are inactive with probability
        0.85 when the share allows it, genuine ones with the probability that
        makes the total exact.
    labelled : float in [0, 1], default=0.1
        Share of sampled followers whose ``is_fake`` label is revealed (drawn
        at random); the others hold null, as in a hand-labelled subsample.
    creators : Bunch from :func:`make_creators` or None, default=None
        Add the audiences to these creators: their account frame (with its
        posts) gets the ``audience`` column, their ``followers`` set the
        follower counts and their ``fake_share`` the fake shares.
    activity : bool, default=True
        Whether follower records carry ``last_active_days``.
    inactive_days : int, default=90
        Threshold of inactivity: an inactive follower has
        ``last_active_days > inactive_days`` (``91 + Exp(250)`` days); an
        active one ``U(0, inactive_days)``.
    return_X_y : bool, default=False
        Return ``(accounts, fake_share)`` instead of the Bunch.
    random_state : int, RandomState instance, Generator or None, default=None
        Seed for reproducible output.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With fields

        - ``accounts``: DataFrame, one row per influencer: ``account_id``,
          ``followers`` (int) and ``audience``, a ``list<struct>`` column
          (ArrowDtype) holding the follower sample: the 11
          ``FAKE_ACCOUNT_COLUMNS`` (float64), ``last_active_days`` (float64,
          when ``activity``) and ``is_fake`` (int64, null when not labelled).
          With ``creators``, their frame plus ``audience``.
        - ``fake_share``, ``inactive_share``: the true shares, shape (n_influencers,).
        - ``sample_fake_share``, ``sample_inactive_share``: the shares within
          each drawn sample (NaN for an empty sample).
        - ``n_sampled``: sample sizes.
        - ``follower_is_fake``, ``follower_inactive``: the truth of every
          sampled follower, in flat order (influencers in frame order).
        - ``DESCR``.
    (accounts, fake_share) : tuple
        When ``return_X_y`` is True.

    Examples
    --------
    >>> from skinfluence.datasets import make_audiences
    >>> data = make_audiences(5, followers_per_sample=(2, 4), random_state=0)
    >>> list(data.accounts.columns)
    ['account_id', 'followers', 'audience']
    >>> data.accounts["audience"].list.len().tolist() == data.n_sampled.tolist()
    True
    >>> sorted(data.accounts["audience"].list.flatten().struct.explode().columns)[:3]
    ['bio_length', 'fullname_digit_ratio', 'fullname_words']
    """
    if creators is not None:
        if not (hasattr(creators, "accounts") and hasattr(creators, "fake_share")):
            raise InvalidParameterError(
                "The 'creators' parameter of make_audiences must be None or the Bunch returned "
                f"by make_creators. Got {type(creators).__name__!r} instead."
            )
        n_creators = len(creators.accounts)
        if n_influencers is not None and n_influencers != n_creators:
            raise InvalidParameterError(
                f"The 'n_influencers' parameter of make_audiences must be None or {n_creators} "
                f"(the number of creators). Got {n_influencers!r} instead."
            )
        if fake_share is not None:
            raise InvalidParameterError(
                "The 'fake_share' parameter of make_audiences must be None when creators is "
                f"given (their fake_share is used). Got {fake_share!r} instead."
            )
        n_influencers = n_creators
    elif n_influencers is None:
        n_influencers = 100
    low, high = _count_range("followers_per_sample", followers_per_sample, "make_audiences")

    rng = _as_generator(random_state)
    n = int(n_influencers)

    # ---- influencers: follower counts and true shares
    if creators is not None:
        followers = creators.accounts["followers"].to_numpy(dtype=np.float64, na_value=np.nan)
        if np.isnan(followers).any() or (followers < 0).any():
            raise ValueError("creators.accounts['followers'] must be non-negative and not missing")
        followers = followers.astype(np.int64)
        pi_default = np.asarray(creators.fake_share, dtype=np.float64)
    else:
        followers = np.floor(10 ** rng.uniform(3.0, 6.5, n)).astype(np.int64)
        bought = rng.random(n) < 0.15
        pi_default = np.where(bought, rng.beta(4.0, 3.0, n), rng.beta(1.5, 12.0, n))
    pi = _share_param("fake_share", fake_share, n, pi_default)
    iota = _share_param("inactive_share", inactive_share, n,
                        FAKE_INACTIVE_RATE * pi + (1 - pi) * rng.beta(2.0, 6.0, n))
    a, r = _inactive_rates(pi, iota)

    # ---- follower samples
    sizes = rng.integers(low, high + 1, n) if high > low else np.full(n, low, dtype=np.int64)
    sizes = np.minimum(sizes, followers)
    owner = np.repeat(np.arange(n), sizes)
    n_total = int(sizes.sum())
    is_fake = rng.random(n_total) < pi[owner]
    inactive = rng.random(n_total) < np.where(is_fake, a[owner], r[owner])
    table = make_follower_accounts(is_fake, random_state=rng)
    if activity:
        table["last_active_days"] = np.where(
            inactive, inactive_days + 1 + np.floor(rng.exponential(250.0, n_total)),
            np.floor(rng.uniform(0, inactive_days + 1, n_total))).astype(np.float64)
    revealed = rng.random(n_total) < labelled
    table["is_fake"] = pd.Series(is_fake.astype(np.int64), dtype="Int64").where(revealed, pd.NA)

    if creators is not None:
        profiles = creators.accounts.copy()
        id_column = "account_id"
        if "audience" in profiles.columns:
            raise ValueError("creators.accounts already has an 'audience' column")
        ids = profiles[id_column].to_numpy()
    else:
        profiles = pd.DataFrame({"account_id": np.arange(n, dtype=np.int64), "followers": followers})
        ids = profiles["account_id"].to_numpy()
    table.insert(0, "account_id", ids[owner])
    frame = nest_posts(profiles, table, on="account_id", posts_column="audience")

    counts = np.bincount(owner, minlength=n).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        sample_fake = np.where(counts > 0, np.bincount(owner, is_fake, minlength=n) / counts, np.nan)
        sample_inactive = np.where(counts > 0, np.bincount(owner, inactive, minlength=n) / counts, np.nan)
    if return_X_y:
        return frame, pi
    return Bunch(
        accounts=frame,
        fake_share=pi,
        inactive_share=iota,
        sample_fake_share=sample_fake,
        sample_inactive_share=sample_inactive,
        n_sampled=sizes.astype(np.int64),
        follower_is_fake=is_fake,
        follower_inactive=inactive,
        DESCR=DESCR,
    )


DESCR = """\
.. _make_audiences:

Synthetic audiences (skinfluence.datasets.make_audiences)
---------------------------------------------------------

Influencers with a nested random sample of their follower accounts and the true
shares of fake and inactive followers. All randomness comes from random_state.

accounts : DataFrame, one row per influencer
    account_id, followers and ``audience``: a list<struct> of follower records
    with the FAKE_ACCOUNT_COLUMNS (has_profile_pic, username_digit_ratio,
    fullname_words, fullname_digit_ratio, name_equals_username, bio_length,
    has_external_url, is_private, n_posts, n_followers, n_following),
    last_active_days and is_fake (1 fake / 0 genuine, null when unlabelled).
fake_share, inactive_share : true shares of the influencer's whole follower base.
sample_fake_share, sample_inactive_share : shares within the drawn sample.
n_sampled : sample sizes (at most the follower count).
follower_is_fake, follower_inactive : truth per sampled follower, flat order.

Follower profiles are drawn per class from distributions fitted loosely to the
Kaggle, InstaFake and SRF fake-account sets (docs/audience.md), independently
given the class; the detector's job is as hard as on the real sets (AUC about
0.97), not harder.
"""
