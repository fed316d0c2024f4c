"""
Ranking creators: recall@k curves, a brand's shortlist and a global ranking with ranges
=======================================================================================

Three Display objects for the two ranking questions of skinfluence:

- *which creators fit this brand?* A ``ListwiseRanker`` scores (brand, creator) pairs
  from both sides' captions. :class:`~skinfluence.plotting.RankingCurveDisplay` draws
  its recall@k and NDCG@k over brands it never saw, beside an untrained baseline (the
  cosine of the caption vectors), and :class:`~skinfluence.plotting.TopCreatorsDisplay`
  one brand's shortlist, the creators it already works with in orange.
- *who is more influential overall?* A ``PairwiseRanker`` learns from judgements
  "A is more influential than B" and scores every creator;
  :class:`~skinfluence.plotting.PairRankingDisplay` draws the top of that ranking with
  the range of ranks each creator takes when the ranker is refitted on resampled
  judgements.

Synthetic creators and brands from ``make_creators`` (the truth is known), sized to run
in about a minute on two cores.
"""

# %%
# Brands, creators and an unseen-brand split
# ------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

from skinfluence import PostsText, make_creators
from skinfluence.plotting import PairRankingDisplay, RankingCurveDisplay, TopCreatorsDisplay
from skinfluence.ranking import ListwiseRanker, make_queries, split_pairs, unseen_split

data = make_creators(200, n_topics=8, n_brands=20, n_posts=(4, 8), brand_posts=(6, 10),
                     random_state=0)
split = unseen_split(data.positives, test_size=0.25, random_state=0)
pool = np.union1d(split.train_candidates, split.test_candidates)

# each account's captions -> TF-IDF -> 48 dimensions (no model download)
texts = np.concatenate([PostsText().fit_transform(data.brand_accounts),
                        PostsText().fit_transform(data.accounts.iloc[pool])])
z = TfidfVectorizer(sublinear_tf=True, min_df=2).fit_transform(texts)
z = TruncatedSVD(48, random_state=0).fit_transform(z).astype(np.float32)
brands, creators = {"text": z[:len(data.brands)]}, {"text": z[len(data.brands):]}
brand_ids = data.brands["brand_id"].to_numpy()
pairs = split_pairs(data.positives.assign(relevance=1.0 + data.positives.competence), split,
                    negatives=20, relevance="relevance", random_state=0)
X, y, _ = make_queries(brands, brand_ids, creators, pool, pairs.train)
X_test, y_test, qid_test = make_queries(brands, brand_ids, creators, pool, pairs.test)
ranker = ListwiseRanker(hidden_size=64, embedding_size=32, residual_similarity=True,
                        max_epochs=15, lr=3e-3, device="cpu", random_state=0).fit(X, y)

# %%
# Recall@k and NDCG@k on unseen brands
# ------------------------------------
# The second model is drawn into the first one's panels with ``ax=display.axes_``, as
# with scikit-learn's ``RocCurveDisplay``.
curves = RankingCurveDisplay.from_estimator(ranker, X_test, y_test, max_k=20,
                                            name="ListwiseRanker")
RankingCurveDisplay.from_predictions(y_test, X_test.cosine(), qid=qid_test, max_k=20,
                                     name="caption cosine (untrained)", ax=curves.axes_,
                                     linestyle="--")
curves.figure_.suptitle(f"{len(split.test_queries)} unseen brands x "
                        f"{len(split.test_candidates)} unseen creators")

# %%
# One brand's shortlist
# ---------------------
# Creators are labelled by username; orange bars are creators the brand works with.
brand = split.test_queries[0]
usernames = data.accounts["username"].to_numpy(dtype=object)
labels = usernames[X_test.candidate_ids[X_test.candidate_index]]
name = data.brands.set_index("brand_id").loc[brand, "name"]
top = TopCreatorsDisplay.from_estimator(ranker, X_test, query=brand, y=y_test, k=10,
                                        candidate_labels=labels, brand=name)

# %%
# Who is more influential: a global ranking with ranges
# -----------------------------------------------------
# A noisy judge compares random pairs of creators (the truly more influential one wins
# more often); the ranker learns from 1,500 judgements and scores every creator.
from skinfluence.ranking import PairwiseRanker, make_pairs  # noqa: E402
from skinfluence.report import influence_items  # noqa: E402

frame = data.accounts
items = influence_items(frame)
rng = np.random.default_rng(0)
a = rng.integers(0, len(frame), 1500)
b = (a + rng.integers(1, len(frame), 1500)) % len(frame)
gap = data.influence[a] - data.influence[b]
judged = (rng.random(1500) < 1 / (1 + np.exp(-3 * gap))).astype(int)
ids = frame["account_id"].to_numpy()
pairs_X = make_pairs(items, np.column_stack([ids[a], ids[b]]), keep_ids=False)
pair_ranker = PairwiseRanker(n_estimators=60, n_jobs=1, random_state=0).fit(pairs_X, judged)

ranking = PairRankingDisplay.from_estimator(pair_ranker, items.set_index("account_id"),
                                            X=pairs_X, y=judged, n_resamples=10,
                                            labels=usernames, top=20, random_state=0)

# %%
# The ranks and their ranges stay on the display:
best = ranking.shown_[:5]
for i in best:
    print(f"{usernames[i]:>12}  rank {ranking.ranks_[i]:>3}  "
          f"(between {ranking.rank_low_[i]:.0f} and {ranking.rank_high_[i]:.0f})")
plt.show()
