"""Tests of make_creators, the synthetic data generator."""

import struct
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from skinfluence import PostsText, flatten_posts, unnest_posts, validate_account_frame
from skinfluence.datasets import make_creators
from skinfluence.tiers import TIER_NAMES
from skinfluence.utils._param_validation import InvalidParameterError

PROFILE_COLUMNS = ["account_id", "username", "followers", "following", "n_posts", "posts"]
POST_FIELDS = ["post_id", "text", "likes", "comments", "views", "shares", "timestamp", "label"]
BUNCH_FIELDS = {
    "accounts", "topic", "topic_names", "post_category_names", "tier", "quality", "influence",
    "fake_share", "emerging", "growth_rate", "brands", "affinity", "relevance", "DESCR",
}


@pytest.fixture(scope="module")
def big():
    return make_creators(2000, random_state=1)


@pytest.fixture(scope="module")
def big_posts(big):
    return unnest_posts(big.accounts)


def _png_decode(blob: bytes) -> np.ndarray:
    """Decode the 8-bit RGB, filter-0 PNGs make_creators writes, with zlib only."""
    assert blob[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(blob):
        (length,) = struct.unpack(">I", blob[pos:pos + 4])
        tag = blob[pos + 4:pos + 8]
        data = blob[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", blob[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(tag + data) & 0xFFFFFFFF
        if tag == b"IHDR":
            header = struct.unpack(">IIBBBBB", data)
        elif tag == b"IDAT":
            idat += data
        pos += 12 + length
    w, h, depth, colour, _, _, _ = header
    assert (depth, colour) == (8, 2)
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(h, 1 + 3 * w)
    assert (raw[:, 0] == 0).all()
    return raw[:, 1:].reshape(h, w, 3)


# ----------------------------------------------------------------------------- structure


def test_bunch_fields_and_shapes():
    d = make_creators(40, n_posts=(2, 6), n_topics=5, n_post_categories=7, n_brands=3,
                      random_state=0)
    assert set(d) == BUNCH_FIELDS
    n = 40
    assert list(d.accounts.columns) == PROFILE_COLUMNS
    assert d.accounts.shape == (n, 6)
    for name in ("topic", "tier", "quality", "influence", "fake_share", "emerging",
                 "growth_rate"):
        assert d[name].shape == (n,), name
    assert d.emerging.dtype == bool
    assert list(d.topic_names) == ["fashion", "beauty", "fitness", "food", "travel"]
    assert list(d.post_category_names[:5]) == list(d.topic_names)
    assert list(d.post_category_names[5:]) == ["daily life", "promotion"]
    assert set(d.topic) <= set(d.topic_names)
    assert list(d.brands.columns) == ["brand_id", "name", "category"]
    assert len(d.brands) == 3 and set(d.brands.category) <= set(d.topic_names)
    assert d.affinity.shape == d.relevance.shape == (3, n)
    assert ((d.affinity > 0) & (d.affinity < 1)).all()
    assert set(np.unique(d.relevance)) <= {0, 1, 2, 3}
    for field in BUNCH_FIELDS - {"DESCR"}:
        assert field in d.DESCR, field
    # topics are balanced
    assert np.ptp(np.unique(d.topic, return_counts=True)[1]) <= 1


def test_frame_is_valid_and_leaks_no_ground_truth():
    d = make_creators(60, random_state=3)
    validate_account_frame(d.accounts, required_post_fields=POST_FIELDS)
    flat = flatten_posts(d.accounts)
    assert flat.fields == POST_FIELDS  # no image field without images, no latent fields
    posts = unnest_posts(d.accounts)
    assert str(posts.timestamp.dt.tz) == "UTC"
    # chronological within each account, post ids unique
    ts = posts.timestamp.astype("int64").to_numpy()
    same = posts.account_id.to_numpy()[1:] == posts.account_id.to_numpy()[:-1]
    assert (np.diff(ts)[same] >= 0).all()
    assert posts.post_id.is_unique
    # counts: views >= likes, profile total >= nested posts, integers
    assert (posts.views >= posts.likes).all()
    assert (d.accounts.n_posts.to_numpy() >= flat.counts()).all()
    for col in ("likes", "comments", "views", "shares"):
        assert posts[col].dtype == np.int64
    # the year before END_TIME
    assert posts.timestamp.min() >= pd.Timestamp("2024-01-01", tz="UTC")
    assert posts.timestamp.max() <= pd.Timestamp("2025-01-01", tz="UTC")
    assert d.accounts.username.is_unique


def test_return_X_y():
    X, y = make_creators(30, random_state=5, return_X_y=True)
    d = make_creators(30, random_state=5)
    pd.testing.assert_frame_equal(X, d.accounts)
    np.testing.assert_array_equal(y, d.topic)


def test_deterministic_under_random_state():
    a = make_creators(50, n_posts=(0, 8), random_state=11)
    b = make_creators(50, n_posts=(0, 8), random_state=11)
    c = make_creators(50, n_posts=(0, 8), random_state=12)
    pd.testing.assert_frame_equal(a.accounts.drop(columns="posts"), b.accounts.drop(columns="posts"))
    pd.testing.assert_frame_equal(unnest_posts(a.accounts), unnest_posts(b.accounts))
    for field in ("topic", "quality", "influence", "fake_share", "affinity", "relevance"):
        np.testing.assert_array_equal(a[field], b[field])
    assert not unnest_posts(a.accounts).equals(unnest_posts(c.accounts))
    assert not np.array_equal(a.quality, c.quality)
    # RandomState and Generator instances are accepted and reproducible too
    r1 = make_creators(10, random_state=np.random.RandomState(4))
    r2 = make_creators(10, random_state=np.random.RandomState(4))
    np.testing.assert_array_equal(r1.quality, r2.quality)
    g1 = make_creators(10, random_state=np.random.default_rng(4))
    g2 = make_creators(10, random_state=np.random.default_rng(4))
    pd.testing.assert_frame_equal(unnest_posts(g1.accounts), unnest_posts(g2.accounts))


def test_fixed_and_empty_post_counts():
    d = make_creators(25, n_posts=7, random_state=0)
    assert (flatten_posts(d.accounts).counts() == 7).all()
    d = make_creators(200, n_posts=(0, 3), random_state=0)
    counts = flatten_posts(d.accounts).counts()
    assert counts.min() == 0 and counts.max() == 3
    assert (d.accounts.posts.list.len() == 0).sum() > 20
    validate_account_frame(d.accounts)
    d = make_creators(5, n_posts=0, random_state=0)
    assert (d.accounts.posts.list.len() == 0).all()
    validate_account_frame(d.accounts)


def test_many_topics_and_categories_get_generic_vocabularies():
    d = make_creators(60, n_topics=18, n_post_categories=28, random_state=0)
    names = list(d.post_category_names)
    assert len(names) == len(set(names)) == 28
    assert names[16:18] == ["topic_16", "topic_17"]
    assert names[26:] == ["category_26", "category_27"]
    posts = unnest_posts(d.accounts)
    assert set(posts.label) <= set(names)
    assert set(d.topic) <= set(names[:18])
    # generic vocabularies do not depend on random_state
    e = make_creators(5, n_topics=18, random_state=1)
    assert list(e.topic_names) == names[:18]


# ------------------------------------------------------------------------ distributions


def test_followers_are_heavy_tailed(big):
    followers = big.accounts.followers.to_numpy()
    tiers, counts = np.unique(big.tier, return_counts=True)
    share = dict(zip(tiers, counts / len(followers), strict=True))
    assert set(tiers) == set(TIER_NAMES)
    assert share["mega"] < 0.06 and share["macro"] < 0.1
    assert share["nano"] + share["micro"] > 0.7
    assert 1_000 <= np.median(followers) < 100_000
    assert (followers < 1_000).mean() > 0.02  # a few accounts below 1k
    assert followers.max() > 5e6
    # tiers agree with follower counts
    bounds = {"nano": (0, 1e4), "micro": (1e4, 1e5), "mid": (1e5, 5e5), "macro": (5e5, 1e6),
              "mega": (1e6, np.inf)}
    for name, (lo, hi) in bounds.items():
        f = followers[big.tier == name]
        assert ((f >= lo) & (f < hi)).all(), name


def test_zero_follower_accounts_are_possible_and_valid(big, big_posts):
    zero = big.accounts.followers.to_numpy() == 0
    assert 1 <= zero.sum() <= 30  # ~0.5% of 2000
    validate_account_frame(big.accounts[zero])
    assert (big.tier[zero] == "nano").all()
    likes = big_posts.groupby("account_id").likes.mean()
    assert likes[np.flatnonzero(zero)].max() < 100  # only reach beyond followers


def test_off_topic_share(big, big_posts):
    account_topic = big.topic[big_posts.account_id.to_numpy()]
    off = big_posts.label.to_numpy(dtype=object) != account_topic
    assert abs(off.mean() - 0.2) < 0.02
    d = make_creators(100, off_topic=0.0, n_post_categories=10, random_state=0)
    posts = unnest_posts(d.accounts)
    np.testing.assert_array_equal(posts.label.to_numpy(dtype=object),
                                  d.topic[posts.account_id.to_numpy()])


def test_extra_categories_only_off_topic():
    d = make_creators(200, n_topics=8, n_post_categories=10, off_topic=0.5, random_state=2)
    posts = unnest_posts(d.accounts)
    assert {"daily life", "promotion"} <= set(posts.label)
    assert not {"daily life", "promotion"} & set(d.topic)


def test_emerging_accounts_grow(big, big_posts):
    assert big.emerging.sum() == 200
    assert (big.growth_rate[big.emerging] > 0).all()
    assert (big.growth_rate[~big.emerging] <= 0).all()
    t = big_posts.timestamp.astype("int64").to_numpy() / 1e9
    y = np.log1p(big_posts.likes.to_numpy())
    slopes = np.full(len(big.topic), np.nan)
    for i, rows in big_posts.groupby("account_id").indices.items():
        if len(rows) >= 5:
            x = (t[rows] - t[rows].min()) / max(np.ptp(t[rows]), 1.0)
            slopes[i] = np.polyfit(x, y[rows], 1)[0]
    em, other = slopes[big.emerging], slopes[~big.emerging]
    assert np.nanmean(em) > np.nanmean(other) + 0.2
    assert np.nanmean(other) < 0.05


def test_fake_followers_do_not_engage(big, big_posts):
    mean_likes = big_posts.groupby("account_id").likes.mean().to_numpy()
    f = big.accounts.followers.to_numpy()
    keep = f >= 1_000
    rate = np.log(mean_likes[keep] + 1) - np.log(f[keep])
    assert np.corrcoef(big.fake_share[keep], rate)[0, 1] < -0.2
    assert (big.fake_share > 0.5).mean() > 0.03  # some accounts bought many followers


def test_influence_drives_engagement(big, big_posts):
    log_likes = np.log10(big_posts.groupby("account_id").likes.median().to_numpy() + 1)
    assert np.corrcoef(big.influence, log_likes)[0, 1] > 0.9


def test_brand_affinity_prefers_topic_matches(big):
    match = big.brands.category.to_numpy()[:, None] == big.topic[None, :]
    assert big.affinity[match].mean() > big.affinity[~match].mean() + 0.3
    assert big.relevance[match].mean() > big.relevance[~match].mean() + 1.0
    # graded relevance is a monotone cut of affinity
    order = np.argsort(big.affinity.ravel())
    assert (np.diff(big.relevance.ravel()[order]) >= 0).all()
    # affinity increases with quality (topic-matched pairs)
    q = np.broadcast_to(big.quality, big.affinity.shape)[match]
    assert np.corrcoef(q, big.affinity[match])[0, 1] > 0.2


def test_text_is_learnable_but_not_trivial():
    d = make_creators(300, n_topics=8, off_topic=0.2, random_state=0)
    model = make_pipeline(PostsText(), TfidfVectorizer(), LogisticRegression())
    acc = cross_val_score(model, d.accounts, d.topic, cv=5).mean()
    assert 0.7 < acc < 0.97  # measured: 0.87
    # single captions are much noisier: post category from one caption
    posts = unnest_posts(d.accounts)
    post_model = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=500))
    post_acc = cross_val_score(post_model, posts.text.to_numpy(dtype=object),
                               posts.label.to_numpy(dtype=object), cv=3).mean()
    assert 1 / 8 + 0.2 < post_acc < 0.8  # measured: 0.56
    text = posts.text.to_numpy(dtype=object)
    assert (text == "").mean() > 0.01  # occasional empty captions
    assert any("#ad" in s or "#sponsored" in s for s in text)
    assert any("@" in s for s in text)
    assert any(not s.isascii() for s in text)


# ------------------------------------------------------------------------------ images


def test_images_bytes_decode_to_the_array():
    d = make_creators(12, n_posts=(0, 4), images="bytes", image_size=16, random_state=0)
    n_total = int(flatten_posts(d.accounts).counts().sum())
    assert d.images.shape == (n_total, 16, 16, 3) and d.images.dtype == np.uint8
    blobs = unnest_posts(d.accounts).image.tolist()
    assert len(blobs) == n_total
    for blob, img in zip(blobs, d.images, strict=True):
        np.testing.assert_array_equal(_png_decode(blob), img)
    Image = pytest.importorskip("PIL.Image")
    import io

    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(blobs[0])).convert("RGB")),
                                  d.images[0])


def test_images_png_files(tmp_path):
    folder = tmp_path / "new" / "imgs"
    d = make_creators(6, n_posts=3, images="png", image_dir=folder, random_state=0)
    paths = unnest_posts(d.accounts).image.tolist()
    assert len(paths) == 18 == len(d.images)
    assert len(list(folder.glob("*.png"))) == 18
    for path, img in zip(paths, d.images, strict=True):
        assert Path(path).is_absolute() and Path(path).parent == folder.resolve()
        np.testing.assert_array_equal(_png_decode(Path(path).read_bytes()), img)
    validate_account_frame(d.accounts)


def test_image_colours_depend_on_category():
    d = make_creators(60, n_posts=10, images="bytes", image_size=16, random_state=0)
    labels = unnest_posts(d.accounts).label.to_numpy(dtype=object)
    means = {c: d.images[labels == c].reshape(-1, 3).mean(axis=0) for c in np.unique(labels)}
    names = list(means)
    dists = [np.abs(means[a] - means[b]).max() for i, a in enumerate(names) for b in names[i + 1:]]
    assert min(dists) > 5
    # a nearest-mean-colour classifier beats chance by far
    per_image = d.images.reshape(len(labels), -1, 3).mean(axis=1)
    centres = np.stack([means[c] for c in names])
    pred = np.array(names, dtype=object)[
        np.argmin(((per_image[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)]
    assert (pred == labels).mean() > 0.6


# -------------------------------------------------------------------------- parameters


@pytest.mark.parametrize("kwargs, match", [
    ({"n_accounts": 0}, r"The 'n_accounts' parameter of make_creators must be an int in the "
                        r"range \[1, inf\)\. Got 0 instead\."),
    ({"n_accounts": 2.5}, "'n_accounts'"),
    ({"n_posts": -1}, "The 'n_posts' parameter"),
    ({"n_posts": (5, 2)}, r"Got \(5, 2\) instead"),
    ({"n_posts": (1, 2, 3)}, "'n_posts'"),
    ({"n_topics": 0}, "'n_topics'"),
    ({"n_topics": 8, "n_post_categories": 5}, "'n_post_categories'.*>= n_topics"),
    ({"n_brands": -1}, "'n_brands'"),
    ({"off_topic": 2}, r"The 'off_topic' parameter of make_creators must be a float in the "
                       r"range \[0\.0, 1\.0\]\. Got 2 instead\."),
    ({"off_topic": "0.2"}, "'off_topic'"),
    ({"n_posts": (1.5, 3)}, r"'n_posts' parameter of make_creators must be an int >= 0 or a "
                            r"\(low, high\) pair of ints"),
    ({"n_posts": "10"}, "'n_posts'"),
    ({"image_dir": 3, "images": "png"}, "'image_dir'"),
    ({"emerging": -0.1}, "'emerging'"),
    ({"images": "jpeg"}, "'images'"),
    ({"images": "png"}, "'image_dir'.*when images='png'"),
    ({"image_size": 2}, "'image_size'"),
    ({"return_X_y": "yes"}, "'return_X_y'"),
    ({"random_state": "seed"}, "'random_state'"),
])
def test_parameter_errors(kwargs, match):
    n = kwargs.pop("n_accounts", 5)
    with pytest.raises(InvalidParameterError, match=match):
        make_creators(n, **kwargs)


def test_parameters_of_every_accepted_kind_pass(tmp_path):
    # numpy integers and floats, a list pair, a path object and a numpy Generator
    d = make_creators(np.int64(4), n_posts=[1, np.int32(2)], n_topics=np.int64(2),
                      off_topic=np.float32(0.5), emerging=1, images="png", image_size=4,
                      image_dir=tmp_path, return_X_y=np.bool_(False),
                      random_state=np.random.default_rng(0))
    assert len(d.accounts) == 4 and d.emerging.all()
    assert d.accounts["posts"].list.len().between(1, 2).all()


def test_single_category_is_always_on_topic():
    d = make_creators(10, n_topics=1, off_topic=0.5, n_brands=2, random_state=0)
    assert set(unnest_posts(d.accounts).label) == {"fashion"}
    assert (d.brands.category == "fashion").all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_accounts=st.integers(1, 15),
    low=st.integers(0, 4),
    extra=st.integers(0, 4),
    n_topics=st.integers(1, 20),
    more_categories=st.integers(0, 3),
    n_brands=st.integers(0, 4),
    off_topic=st.floats(0, 1),
    seed=st.integers(0, 2**31 - 1),
)
def test_property_valid_frame(n_accounts, low, extra, n_topics, more_categories, n_brands,
                              off_topic, seed):
    n_cat = n_topics + more_categories
    d = make_creators(n_accounts, n_posts=(low, low + extra), n_topics=n_topics,
                      n_post_categories=n_cat, n_brands=n_brands, off_topic=off_topic,
                      random_state=seed)
    validate_account_frame(d.accounts)
    counts = flatten_posts(d.accounts).counts()
    assert ((counts >= low) & (counts <= low + extra)).all()
    assert (d.accounts.n_posts.to_numpy() >= counts).all()
    posts = unnest_posts(d.accounts)
    assert set(posts.label) <= set(d.post_category_names)
    assert len(d.post_category_names) == n_cat
    assert set(d.topic) <= set(d.topic_names)
    assert d.affinity.shape == (n_brands, n_accounts)
    if off_topic == 0.0 and len(posts):
        assert (posts.label.to_numpy(dtype=object) == d.topic[posts.account_id.to_numpy()]).all()


def test_fixed_seed_output_is_stable():
    # values recorded from make_creators before it was split into named steps (commit
    # 23180cb): the steps must draw from the random generator in the same order
    d = make_creators(30, n_post_categories=10, images="bytes", image_size=4, random_state=7)
    flat = flatten_posts(d.accounts)
    assert d.accounts["followers"].to_numpy()[:6].tolist() == [54089, 297496, 2085, 57087,
                                                                5665, 15]
    assert d.accounts["n_posts"].to_numpy()[:6].tolist() == [97, 154, 551, 168, 78, 194]
    assert d.accounts["username"].tolist()[:3] == ["mia.lo0", "luna.ru1", "liam.ba2"]
    assert d.topic[:6].tolist() == ["tech", "fashion", "beauty", "food", "pets", "tech"]
    assert flat.n_posts == 791
    sums = [int(flat.numeric(c).sum()) for c in ("likes", "views", "comments", "shares")]
    assert sums == [15081622, 133726522, 381971, 388070]
    assert flat.column("text").to_pylist()[:2] == [
        "review the really story @sofia.ti13 in phone #techreview",
        "below review vibes the time cheese good #explore",
    ]
    assert flat.column("label").to_pylist()[:6] == ["tech"] * 5 + ["food"]
    np.testing.assert_allclose(d.affinity[0, :4], [0.271804, 0.157129, 0.506071, 0.129163],
                               atol=1e-6)
    assert d.relevance.sum() == 88
    assert int(d.images.astype(np.int64).sum()) == 3125325
    ts = flat.column("timestamp")
    assert str(ts[0]) == "2024-11-22 17:19:00+00:00" and str(ts[-1]) == "2024-12-26 20:45:28+00:00"


# ------------------------------------------------------------------ brand accounts


def test_brand_accounts_leave_the_creators_unchanged():
    plain = make_creators(40, n_brands=4, random_state=3)
    with_brands = make_creators(40, n_brands=4, brand_posts=(2, 5), random_state=3)
    pd.testing.assert_frame_equal(plain.accounts, with_brands.accounts)
    np.testing.assert_array_equal(plain.affinity, with_brands.affinity)
    np.testing.assert_array_equal(with_brands.competence, with_brands.affinity)
    assert "brand_accounts" not in plain and "positives" not in plain


def test_brand_accounts_post_on_their_category_and_name_themselves():
    data = make_creators(120, n_topics=4, n_brands=8, brand_posts=10, random_state=0)
    frame = data.brand_accounts
    validate_account_frame(frame)
    assert frame["account_id"].tolist() == data.brands["brand_id"].tolist()
    posts = unnest_posts(frame)
    assert posts.groupby("account_id").size().tolist() == [10] * 8
    handle = frame.set_index("account_id")["username"]
    own = [f"@{handle[a]}" in t for a, t in zip(posts["account_id"], posts["text"], strict=True)]
    assert 0.5 < np.mean(own) < 0.9  # the handle on about 70 % of posts
    category = data.brands.set_index("brand_id")["category"]
    on_topic = (posts["label"].to_numpy() == category[posts["account_id"]].to_numpy()).mean()
    assert on_topic > 0.8


def test_positives_look_like_gan_et_al():
    data = make_creators(1500, n_topics=12, n_brands=120, n_posts=2, brand_posts=1,
                         random_state=1)
    pos = data.positives
    per_brand = pos.groupby("brand_id").size()
    assert 9 < per_brand.mean() < 13 and per_brand.min() >= 1
    assert not pos.duplicated(["brand_id", "account_id"]).any()
    # most creators work with one brand only (Gan et al.: 3,748 creators over 4,209 pairs)
    assert pos["account_id"].nunique() / len(pos) > 0.8
    # positives have high competence, mostly in the brand's category, ranked within brand
    assert pos["competence"].mean() > data.competence.mean() + 0.3
    brand_cat = data.brands["category"].to_numpy()[pos["brand_id"]]
    assert (brand_cat == data.topic[pos["account_id"]]).mean() > 0.7
    first = pos.groupby("brand_id")["competence"].apply(lambda c: c.is_monotonic_decreasing)
    assert first.all() and (pos.groupby("brand_id")["rank_in_brand"].min() == 1).all()


def test_brand_accounts_carry_images_when_asked():
    data = make_creators(20, n_brands=3, brand_posts=2, images="bytes", image_size=8,
                         random_state=0)
    assert data.brand_images.shape == (6, 8, 8, 3)
    assert "image" in unnest_posts(data.brand_accounts).columns


def test_brand_posts_parameter_errors():
    with pytest.raises(ValueError, match="brand_posts"):
        make_creators(10, brand_posts=-1)
    with pytest.raises(ValueError, match="positives_per_brand"):
        make_creators(10, brand_posts=2, positives_per_brand=0)
