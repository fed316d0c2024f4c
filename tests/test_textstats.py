"""TextStats and SentimentFeatures: values per post, pooling, markers, edge cases, real data."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import StandardScaler

from skinfluence import PostFeatures, SentimentFeatures, TextStats, nest_posts
from skinfluence.datasets import make_creators
from skinfluence.features._textstats import TEXT_STATS


def frame_of(texts_per_account, **extra_fields):
    ids, texts = [], []
    for i, texts_i in enumerate(texts_per_account):
        ids += [f"a{i}"] * len(texts_i)
        texts += list(texts_i)
    posts = pd.DataFrame({"account_id": ids, "text": pd.Series(texts, dtype=object), **extra_fields})
    profiles = pd.DataFrame({"account_id": [f"a{i}" for i in range(len(texts_per_account))]})
    return nest_posts(profiles, posts)


def per_post(texts, **kwargs):
    frame = frame_of([texts])
    est = TextStats(**kwargs).fit(frame)
    pf = est.transform_posts(frame)
    return pd.DataFrame(pf.values.astype(float), columns=list(pf.feature_names))


# ------------------------------------------------------------------------------ TextStats


class TestTextStatsValues:
    def test_counts_per_post(self):
        texts = [
            "#café and #美食 #1 #ootd, #ootd!",       # unicode hashtags; "#1" is not a hashtag
            "mail me at bob@example.com @Anna_B.x @zoë", # an e-mail is not a mention
            "see https://x.co/a?b=1 and www.shop.com/x",
            "flags 🇫🇷🇩🇪 thumbs 👍🏽 family 👨‍👩‍👧 ❤️ ⭐",
            "",
            None,
            "   ",
        ]
        df = per_post(texts)
        assert df["hashtags"].tolist() == [4, 0, 0, 0, 0, 0, 0]
        assert df["mentions"].tolist() == [0, 2, 0, 0, 0, 0, 0]
        assert df["urls"].tolist() == [0, 0, 2, 0, 0, 0, 0]
        # 2 flags, 1 thumb (skin tone not counted), 3 family members, heart, star
        assert df["emoji"].tolist() == [0, 0, 0, 8, 0, 0, 0]
        assert df["no_text"].tolist() == [0, 0, 0, 0, 1, 1, 1]
        assert df["chars"].tolist() == [len(t or "") for t in texts]
        assert df["words"].tolist() == [len((t or "").split()) for t in texts]

    @pytest.mark.parametrize("text, sponsored", [
        ("#ad new serum", 1), ("new serum #AD", 1), ("#Sponsored.", 1), ("love it (#gifted)", 1),
        ("Paid partnership with @brand", 1), ("paid\n partnership", 1), ("sponsored by Acme", 1),
        ("#Werbung", 1), ("#adidas run", 0), ("#advent calendar", 0), ("bad day", 0),
        ("unpaid partnership? no", 0), ("#adsponsored", 0), ("I ad-libbed", 0), (None, 0),
    ])
    def test_sponsorship_markers(self, text, sponsored):
        assert per_post([text], features=["sponsored"])["sponsored"].item() == sponsored

    def test_custom_markers_and_sponsor_field(self):
        texts = ["#collab with x", "#ad", "plain", "plain"]
        df = per_post(texts, features=["sponsored"], sponsor_markers=["#collab", "in collaboration"])
        assert df["sponsored"].tolist() == [1, 0, 0, 0]
        frame = frame_of([texts], n_sponsor_users=[0, 0, 2, np.nan])
        pf = TextStats(features=["sponsored"], sponsor_field="n_sponsor_users").fit(frame).transform_posts(frame)
        assert pf.values[:, 0].tolist() == [0, 1, 1, 0]
        frame = frame_of([texts], paid=[False, False, True, None])
        pf = TextStats(features=["sponsored"], sponsor_field="paid").fit(frame).transform_posts(frame)
        assert pf.values[:, 0].tolist() == [0, 1, 1, 0]

    def test_pooling_and_empty_accounts(self):
        frame = frame_of([["#a #b", "x", "#c"], [], ["@u hi 😀"]])
        est = TextStats(features=["hashtags", "mentions", "emoji", "no_text"])
        out = est.fit_transform(frame)
        np.testing.assert_allclose(out[0], [1.0, 0.0, 0.0, 0.0])
        assert np.isnan(out[1]).all()
        np.testing.assert_allclose(out[2], [0.0, 1.0, 1.0, 0.0])
        assert est.get_feature_names_out().tolist() == [
            "hashtags_mean", "mentions_mean", "emoji_mean", "no_text_mean"]
        mx = est.set_params(pooling="max", fill_value=0.0).fit_transform(frame)
        np.testing.assert_allclose(mx[0], [2.0, 0.0, 0.0, 0.0])
        assert (mx[1] == 0).all()
        per_post = est.set_params(pooling=None).fit(frame)
        with pytest.raises(ValueError, match=r"(?s)pooling=None.*transform_posts"):
            per_post.transform(frame)  # transform is one row per account, whatever the parameters
        pf = per_post.transform_posts(frame)
        assert isinstance(pf, PostFeatures) and pf.lengths.tolist() == [3, 0, 1]
        assert est.get_feature_names_out().tolist() == ["hashtags", "mentions", "emoji", "no_text"]

    def test_pooled_mean_equals_groupby_of_per_post_values(self):
        data = make_creators(40, n_posts=(0, 8), random_state=3)
        frame = data.accounts
        est = TextStats().fit(frame)
        pf = est.transform_posts(frame)
        flat = pd.DataFrame(pf.values.astype(float), columns=pf.feature_names)
        flat["acc"] = pf.account_index()
        expected = flat.groupby("acc").mean().reindex(range(len(frame)))
        np.testing.assert_allclose(est.transform(frame), expected.to_numpy(), rtol=1e-12)
        # the synthetic captions' sponsored posts start with #ad, #sponsored or #partner
        assert flat["sponsored"].mean() > 0

    def test_set_output_pandas(self):
        frame = frame_of([["#a"], ["b"]])
        df = TextStats(features=["hashtags"]).set_output(transform="pandas").fit_transform(frame)
        assert list(df.columns) == ["hashtags_mean"] and list(df.index) == [0, 1]

    @pytest.mark.parametrize("params, match", [
        ({"features": ["likes"]}, "The 'features' parameter of TextStats"),
        ({"features": "some"}, "The 'features' parameter of TextStats"),
        ({"pooling": "median"}, "The 'pooling' parameter of TextStats"),
        ({"sponsor_markers": "#ad"}, "The 'sponsor_markers' parameter"),
        ({"fill_value": "0"}, "The 'fill_value' parameter"),
    ])
    def test_bad_parameters(self, params, match):
        with pytest.raises(ValueError, match=match):
            TextStats(**params).fit(frame_of([["x"]]))

    def test_bad_input(self):
        frame = frame_of([["x"]], likes=[1])
        with pytest.raises(ValueError, match="'caption'"):
            TextStats(text_field="caption").fit(frame)
        with pytest.raises(ValueError, match="must hold strings"):
            TextStats(text_field="likes").fit(frame).transform(frame)
        with pytest.raises(ValueError, match="account frame"):
            TextStats().fit(["a caption"])

    def test_every_statistic_is_documented(self):
        assert TextStats().fit(frame_of([["x"]])).features_ == list(TEXT_STATS)


# The shared checks run once, for every registered component, in tests/test_common.py.


@pytest.mark.requires_extras("text")
def test_pipeline_grid_search():
    data = make_creators(30, n_posts=(1, 6), n_topics=2, random_state=0)
    model = make_pipeline(make_union(TextStats(fill_value=0.0), SentimentFeatures(fill_value=0.0)),
                          StandardScaler(), LogisticRegression())
    search = GridSearchCV(model, [{"featureunion__textstats__pooling": ["max"]},
                                  {"featureunion__sentimentfeatures__scores": [["pos", "neg"]]}],
                          cv=3)
    search.fit(data.accounts, data.topic)
    assert len(search.cv_results_["params"]) == 2
    n_features = len(TEXT_STATS) + len(search.best_estimator_[0].get_params()["sentimentfeatures__scores"])
    assert search.best_estimator_[:-2].transform(data.accounts).shape == (30, n_features)


# ----------------------------------------------------------------------- SentimentFeatures


@pytest.mark.requires_extras("text")
class TestSentiment:
    def test_matches_vader_per_post(self):
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        texts = ["I LOVE this!!! 😍", "worst service ever 😡", "Café au lait, très bon",
                 "not bad at all", "meh"]
        frame = frame_of([texts])
        pf = SentimentFeatures().fit(frame).transform_posts(frame)
        vader = SentimentIntensityAnalyzer()
        expected = [[vader.polarity_scores(t)[k] for k in ("compound", "pos", "neu", "neg")]
                    for t in texts]
        np.testing.assert_allclose(pf.values, expected, atol=1e-6)
        assert pf.values[0, 0] > 0.5 and pf.values[1, 0] < -0.5  # emoji and caps are read

    def test_blank_captions_are_masked_out(self):
        frame = frame_of([["great day", "", None], ["   "], []])
        est = SentimentFeatures(scores=["compound"])
        pf = est.fit(frame).transform_posts(frame)
        assert pf.mask.tolist() == [True, False, False, False]
        out = est.transform(frame)
        assert out[0, 0] == pytest.approx(pf.values[0, 0]) and np.isnan(out[1:, 0]).all()
        assert est.get_feature_names_out().tolist() == ["sentiment_compound_mean"]
        out = est.set_params(fill_value=0.0).fit_transform(frame)
        assert out[1:, 0].tolist() == [0.0, 0.0]

    def test_pickle_drops_and_rebuilds_the_analyzer(self):
        frame = frame_of([["happy happy joy"], ["sad and angry"]])
        est = SentimentFeatures().fit(frame)
        loaded = pickle.loads(pickle.dumps(est))
        assert loaded.analyzer_ is None
        np.testing.assert_array_equal(loaded.transform(frame), est.transform(frame))

    def test_bad_scores(self):
        with pytest.raises(ValueError, match="The 'scores' parameter of SentimentFeatures"):
            SentimentFeatures(scores=["joy"]).fit(frame_of([["x"]]))


# ------------------------------------------------------------------------------ real data


@pytest.mark.shared_data
@pytest.mark.requires_extras("text")
def test_kim_sample_captions_and_paid_partnership_tags(shared_data):
    path = shared_data("kim_instagram_influencers") / "kim_posts_sample.csv.gz"
    posts = pd.read_csv(path, nrows=3000, usecols=["influencer", "caption", "n_likes",
                                                   "n_sponsor_users"])
    posts = posts.rename(columns={"influencer": "account_id", "caption": "text"})
    posts["text"] = posts["text"].astype(object).where(posts["text"].notna(), None)
    frame = nest_posts(pd.DataFrame({"account_id": posts["account_id"].unique()}), posts)
    stats = TextStats(sponsor_field="n_sponsor_users", fill_value=0.0).fit(frame)
    out = pd.DataFrame(stats.transform(frame), columns=stats.get_feature_names_out())
    assert out.notna().all().all() and len(out) == frame.shape[0]
    assert out["hashtags_mean"].mean() > 1  # Instagram captions are hashtag-heavy
    pf = stats.transform_posts(frame)
    sponsored = pf.values[:, list(pf.feature_names).index("sponsored")]
    # every post tagged with a paid-partnership sponsor is marked
    tagged = posts["n_sponsor_users"].to_numpy() > 0
    order = np.argsort(pd.Index(frame["account_id"]).get_indexer(posts["account_id"]), kind="stable")
    assert sponsored[tagged[order]].all()
    sentiment = SentimentFeatures(scores=["compound"], fill_value=0.0).fit(frame).transform(frame)
    assert np.isfinite(sentiment).all() and sentiment.mean() > 0  # influencer captions lean positive


# ------------------------------------------------------------ one hashtag definition


@pytest.mark.parametrize("caption, n_hashtags", [
    ("#2024 recap", 0),   # all-digit tags are numbers, not hashtags (the platforms do not link them)
    ("#été à Paris", 1),  # Unicode letters
    ("#day_1 and #1", 1),
    ("a#b &#39; ##x", 0),
    ("#ad #AD", 2),
])
def test_hashtags_are_counted_the_same_by_every_component(caption, n_hashtags):
    from skinfluence import EngagementAggregator

    frame = frame_of([[caption], [caption, caption]])
    per_post = TextStats(features=["hashtags"]).fit(frame).transform_posts(frame).values
    assert per_post.ravel().tolist() == [n_hashtags] * 3
    rate = EngagementAggregator(features=["hashtag_rate"]).fit(frame).transform(frame)
    np.testing.assert_array_equal(rate.ravel(), [n_hashtags, n_hashtags])


@pytest.mark.parametrize("caption, n_mentions", [
    ("thanks @nike and @adidas", 2),
    ("mail me: anna@example.com", 0),  # an e-mail address is no mention
    ("merci @élodie", 1),              # Unicode handles
    ("@@ and @", 0),
])
def test_mentions_are_counted_the_same_by_every_component(caption, n_mentions):
    from skinfluence import EngagementAggregator

    frame = frame_of([[caption], [caption, caption]])
    per_post = TextStats(features=["mentions"]).fit(frame).transform_posts(frame).values
    assert per_post.ravel().tolist() == [n_mentions] * 3
    rate = EngagementAggregator(features=["mention_rate"]).fit(frame).transform(frame)
    np.testing.assert_array_equal(rate.ravel(), [n_mentions, n_mentions])
