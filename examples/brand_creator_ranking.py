"""Which creators should my brand work with? Rank unseen creators for unseen brands
=================================================================================

``ListwiseRanker`` (the MIR model of Gan et al., MM 2019) scores (brand, creator) pairs
from the post histories of both. Here:

1. synthetic brands with post histories of their own and creators
   (``make_creators(brand_posts=...)``), with about 11 creators each brand works with;
2. ``unseen_split``: test brands and their creators are never seen in training;
3. per-post caption embeddings (all-MiniLM-L6-v2, offline) of every account, from
   ``PostEncoder``;
4. ``GridSearchCV`` over the ranker's K-buckets list length and learning rate (the
   ranker scores with MIR's two towers plus a residual similarity of the histories), with
   ``GroupKFold`` by brand and a per-query recall@20 scorer that receives the brand ids
   through metadata routing;
5. the tuned ranker on the test brands against cosine similarity of the mean caption
   embeddings, and each test brand's top creators with the posts that made them fit
   (the posts the creator tower attends to most).

Usage::

    python examples/brand_creator_ranking.py [--creators 600] [--brands 60] [--show 3]

The figure shows recall@k on the test brands, for k from 1 to 100, for the tuned ranker
and the cosine baseline. The documentation build (``SKINFLUENCE_DOCS_QUICK=1``) uses 200
creators, 20 brands, 3 epochs and a grid of 2 instead of 4 candidates, so its ranker is
barely trained: the figures of ``docs/ranking.md`` are those of the full run.
"""

# %%
# Imports, and the caption embeddings of an account frame
# -------------------------------------------------------

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.model_selection import GridSearchCV, GroupKFold  # noqa: E402

from skinfluence import unnest_posts  # noqa: E402
from skinfluence.datasets import make_creators  # noqa: E402
from skinfluence.features import PostEncoder, SentenceEmbedder  # noqa: E402
from skinfluence.metrics import (  # noqa: E402
    make_ranking_scorer,
    median_rank,
    query_auc,
    recall_at_k,
)
from skinfluence.ranking import (  # noqa: E402
    ListwiseRanker,
    make_queries,
    split_pairs,
    unseen_split,
)


def captions_features(frame):
    """Per-post caption embeddings of an account frame, as a ragged PostFeatures."""
    return PostEncoder([("text", SentenceEmbedder())]).fit_transform(frame)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--creators", type=int, default=600)
    parser.add_argument("--brands", type=int, default=60)
    parser.add_argument("--show", type=int, default=3, help="test brands to print")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    quick = os.environ.get("SKINFLUENCE_DOCS_QUICK") == "1"  # set by the documentation build
    if quick:
        args.creators, args.brands = min(args.creators, 200), min(args.brands, 20)
    t0 = time.perf_counter()

    # 1. brands and creators, with the creators each brand works with
    data = make_creators(args.creators, n_topics=8, n_brands=args.brands, n_posts=(4, 8),
                         brand_posts=(8, 12), random_state=args.seed)
    print(f"{len(data.brands)} brands, {len(data.accounts)} creators, "
          f"{len(data.positives)} brand-creator collaborations")

    # 2. unseen brands and unseen creators for the test
    split = unseen_split(data.positives, test_size=0.2, random_state=args.seed)
    pool = np.union1d(split.train_candidates, split.test_candidates)
    print(f"train: {len(split.train_queries)} brands x {len(split.train_candidates)} creators; "
          f"test: {len(split.test_queries)} brands x {len(split.test_candidates)} creators")

    # 3. per-post caption embeddings of every account
    creators = data.accounts.iloc[pool].reset_index(drop=True)
    brand_posts = captions_features(data.brand_accounts)
    creator_posts = captions_features(creators)
    brand_ids = data.brands["brand_id"].to_numpy()

    # training rows: each brand's collaborations (relevance 1 + competence) and 30 others;
    # the test: every test brand against every test creator
    pairs = split_pairs(data.positives.assign(relevance=1.0 + data.positives.competence),
                        split, negatives=30, relevance="relevance", random_state=args.seed)
    X, y, qid = make_queries({"text": brand_posts}, brand_ids, {"text": creator_posts},
                             pool, pairs.train)

    # 4. tune with GroupKFold by brand and a per-query scorer; qid reaches fit and scorer
    with sklearn.config_context(enable_metadata_routing=True):
        ranker = ListwiseRanker(pooling="attention", max_posts=8, hidden_size=128,
                                embedding_size=64, residual_similarity=True,
                                max_epochs=3 if quick else 20,
                                device="auto", random_state=0).set_fit_request(qid=True)
        grid = {"k": [2, 4], "lr": [3e-3] if quick else [1e-3, 3e-3]}
        search = GridSearchCV(ranker, grid, cv=GroupKFold(3),
                              scoring=make_ranking_scorer("recall", k=20))
        search.fit(X, y, qid=qid, groups=qid)
    print(f"best {search.best_params_}, cross-validated R@20 {search.best_score_:.3f}")

    # 5. the test grid
    X_test, y_test, q_test = make_queries({"text": brand_posts}, brand_ids,
                                          {"text": creator_posts}, pool, pairs.test)
    best = search.best_estimator_
    scores = {"ListwiseRanker (tuned)": best.predict(X_test),
              "cosine of mean captions": X_test.cosine()}
    print(f"\n{'test brands':<26}{'AUC':>7}{'R@10':>7}{'R@50':>7}{'MedR':>7}")
    for name, s in scores.items():
        print(f"{name:<26}{query_auc(y_test, s, qid=q_test):>7.3f}"
              f"{recall_at_k(y_test, s, qid=q_test, k=10):>7.3f}"
              f"{recall_at_k(y_test, s, qid=q_test, k=50):>7.3f}"
              f"{median_rank(y_test, s, qid=q_test):>7.1f}")

    # each test brand's top creators, with the posts the creator tower attends to most
    top = best.top_k(X_test, k=5)
    weights = best.attention_weights(X_test)["text"]
    posts = unnest_posts(creators)
    brands = data.brands.set_index("brand_id")
    truth = set(zip(data.positives.brand_id, data.positives.account_id, strict=True))
    for b in split.test_queries[: args.show]:
        print(f"\n{brands.loc[b, 'name']} ({brands.loc[b, 'category']}): top creators")
        for _, row in top[top["query"] == b].iterrows():
            cand = int(row["candidate"])
            position = int(np.flatnonzero(pool == cand)[0])
            mark = "works with the brand" if (b, cand) in truth else ""
            print(f"  {int(row['rank'])}. @{creators.loc[position, 'username']} "
                  f"({data.topic[cand]}) score {row['score']:.3f}  {mark}")
            w = weights[position]
            texts = posts.loc[posts["account_id"] == cand, "text"].to_numpy()[: len(w)]
            for i in np.argsort(-w)[:2]:
                print(f"       {w[i]:.2f}  {texts[i][:70]}")
    print(f"\n({time.perf_counter() - t0:.0f} s)")

    ks = np.arange(1, 101)
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, s in scores.items():
        ax.plot(ks, [recall_at_k(y_test, s, qid=q_test, k=k) for k in ks], label=name)
    ax.set(xlabel="k (creators shown to each brand)", ylabel="recall@k (mean over test brands)",
           title=f"{len(split.test_queries)} unseen brands x "
                 f"{len(split.test_candidates)} unseen creators", ylim=(0, 1))
    ax.legend()
    fig.tight_layout()


# %%
# Brands, creators, tuning, the test, each brand's top creators, and the recall curves
# ------------------------------------------------------------------------------------
# Run as a script, the options come from the command line; in the gallery the defaults
# are used (with the quick mode's sizes).

if __name__ == "__main__":
    main()
