"""Column schemas shared by the data sets and the components that read them.

A schema is part of the data contract, not of a loader: the fake-account loaders
produce frames in it, the audience generator builds follower samples in it, and the
audience components read it. Keeping it here, on the ground floor, lets components use
it without importing :mod:`skinfluence.datasets` (no component imports a data set,
as no scikit-learn estimator imports ``sklearn.datasets``).
"""

from __future__ import annotations

__all__ = ["FAKE_ACCOUNT_COLUMNS"]

#: The follower-account schema shared by the three fake-account data sets
#: (the columns of ``X`` returned by :func:`~skinfluence.datasets.load_fake_accounts`).
#: All float64; NaN where the data set does not record the feature:
#:
#: ====================== ================== ===================================== ==============================
#: column                 Kaggle             InstaFake                             SRF
#: ====================== ================== ===================================== ==============================
#: has_profile_pic        profile pic        userHasProfilPic                      has_profile_picture
#: username_digit_ratio   nums/length usern. usernameDigitCount / usernameLength   NaN
#: fullname_words         fullname words     NaN                                   NaN
#: fullname_digit_ratio   nums/length fulln. NaN                                   NaN
#: name_equals_username   name==username     NaN                                   NaN
#: bio_length             description length userBiographyLength                   NaN
#: has_external_url       external URL       NaN                                   NaN
#: is_private             private            userIsPrivate                         Private.account
#: n_posts                #posts             userMediaCount                        Number.of.posts
#: n_followers            #followers         userFollowerCount                     Number.of.followers
#: n_following            #follows           userFollowingCount                    Number.of.people.they.follow
#: ====================== ================== ===================================== ==============================
FAKE_ACCOUNT_COLUMNS = (
    "has_profile_pic",
    "username_digit_ratio",
    "fullname_words",
    "fullname_digit_ratio",
    "name_equals_username",
    "bio_length",
    "has_external_url",
    "is_private",
    "n_posts",
    "n_followers",
    "n_following",
)
