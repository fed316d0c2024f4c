"""Post fields across components: named once, needed fields present, fit and transform agree."""

import numpy as np
import pandas as pd
import pytest

from skinfluence import TextStats, nest_posts, unnest_posts
from skinfluence.exceptions import AccountFrameError
from skinfluence.features._base import AccountFrameTransformer
from skinfluence.utils.estimator_checks import make_check_frame


class _MeanLikes(AccountFrameTransformer):
    """Mean likes per account, read when the posts have them (a field read only if present)."""

    def __init__(self, *, posts_column="posts"):
        self.posts_column = posts_column

    def _optional_post_fields(self):
        return ["likes"]

    def fit(self, X, y=None):
        self._validate_frame(X, reset=True)
        return self

    def transform(self, X):
        flat = self._validate_frame(X, reset=False)
        from skinfluence import segment_reduce

        return segment_reduce(flat.numeric("likes", missing="nan"), flat.offsets, "mean")[:, None]


def _without(frame, field):
    return nest_posts(frame.drop(columns="posts"), unnest_posts(frame).drop(columns=field))


def test_the_shared_base_keeps_the_fields_read_in_fit():
    # before: a field read in fit and gone in transform gave NaN
    frame, _ = make_check_frame(n_accounts=10)
    est = _MeanLikes().fit(frame)
    with pytest.raises(AccountFrameError, match=r"_MeanLikes: post field\(s\) \['likes'\] were in the "
                                                r"posts given to fit but are missing now"):
        est.transform(_without(frame, "likes"))
    est.transform(_without(frame, "label"))  # a field it does not read may be absent
    # fitted without the field, it is not required later
    no_likes = _MeanLikes().fit(_without(frame, "likes"))
    assert np.isnan(no_likes.transform(_without(frame, "likes"))).all()
    assert no_likes.transform(frame).shape == (10, 1)


def test_required_fields_missing_name_the_component_and_the_closest_field():
    frame, _ = make_check_frame(n_accounts=10)
    texts = nest_posts(frame.drop(columns="posts"),
                       unnest_posts(frame).rename(columns={"text": "texts"}))
    with pytest.raises(AccountFrameError) as info:
        TextStats().fit(texts)
    msg = str(info.value)
    assert msg.startswith("TextStats: posts are missing required field(s) ['text']; posts have fields [")
    assert "did you mean 'texts'? Map it with skinfluence.rename_post_fields(frame, {'texts': 'text'})" in msg
    assert msg.endswith(", or name it with text_field='texts'.")  # the component's own parameter
    stats = TextStats().fit(frame)
    with pytest.raises(AccountFrameError, match=r"TextStats: posts are missing required field\(s\) "
                                                r"\['text'\]"):
        stats.transform(texts)


def test_field_map_in_a_cross_validated_pipeline():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    from skinfluence import EngagementAggregator, rename_post_fields

    frame, y = make_check_frame(n_accounts=30, random_state=3)
    graph = {"likes": "like_count", "comments": "comments_count", "text": "caption"}
    theirs = rename_post_fields(frame, graph)
    back = {v: k for k, v in graph.items()}
    pipe = make_pipeline(FunctionTransformer(rename_post_fields, kw_args={"mapping": back}),
                         EngagementAggregator(fill_value=0.0), StandardScaler(), LogisticRegression())
    plain = make_pipeline(EngagementAggregator(fill_value=0.0), StandardScaler(), LogisticRegression())
    np.testing.assert_allclose(cross_val_score(pipe, theirs, y, cv=3),
                               cross_val_score(plain, frame, y, cv=3))
    with pytest.raises(ValueError, match="did you mean 'like_count' for 'likes'"):
        plain.fit(theirs, y)


def test_python_list_posts_are_checked_the_same_way():
    frame = pd.DataFrame({"account_id": ["a", "b"],
                          "posts": [[{"like_count": 3, "comments": 1}], []]})
    from skinfluence import EngagementAggregator

    with pytest.raises(AccountFrameError, match="did you mean 'like_count'"):
        EngagementAggregator(features=["likes_mean"]).fit(frame)


def test_known_synonyms_are_proposed_with_the_parameter_that_names_the_field():
    from skinfluence import EngagementAggregator

    frame = nest_posts(pd.DataFrame({"account_id": [1]}), pd.DataFrame({
        "account_id": [1], "caption": ["hi"], "taken_at": pd.to_datetime(["2024-01-01"], utc=True),
        "views": [3], "likes": [1], "comments": [2]}))
    with pytest.raises(AccountFrameError) as info:
        EngagementAggregator(features=["hashtag_rate", "recency_days"]).fit(frame)
    msg = str(info.value)
    assert "did you mean 'caption' for 'text', 'taken_at' for 'timestamp'?" in msg
    assert "or name them with text_field='caption', timestamp_field='taken_at'" in msg
    # a field already named as the data contract names one is never proposed for another
    with pytest.raises(AccountFrameError) as info:
        EngagementAggregator(features=["shares_mean"]).fit(frame)
    assert "did you mean" not in str(info.value)
    assert "rename_post_fields(frame, {'<your field>': 'shares'})" in str(info.value)
