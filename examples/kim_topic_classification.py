"""Influencer topic classification on Kim et al.'s Instagram data: MiniLM vs TF-IDF
==================================================================================

Each influencer of the post sample of Kim et al. (WWW 2020, "Multimodal Post Attentive
Profiling for Influencer Marketing") becomes one row of an account frame; its posts carry
the caption and Instagram's automatic image description ("Image may contain: 2 people,
food"). The task is the influencer's category (8 categories: beauty, family, fashion,
fitness, food, interior, pet, travel; "other" and two stray labels are left out).

Two models, same logistic regression, same folds:

- **MiniLM**: ``SentenceEmbedder`` on the captions and on the image descriptions
  (all-MiniLM-L6-v2, 384 dimensions each), mean-pooled per account;
- **TF-IDF**: ``PostsText`` + ``TfidfVectorizer`` on the same two fields.

``--tune`` adds three baselines that get the same tuning budget as a model compared with
them would (issue 17): inner ``GroupKFold(3)`` on each outer training fold over TF-IDF's
n-gram range, ``min_df`` and ``C``; over MiniLM + LR's ``C``; and over ``C`` of one logistic
regression on TF-IDF stacked with the MiniLM vectors.

Accounts are split with ``GroupKFold``: 111 posts of the sample appear under two
influencer names, and accounts sharing a post are kept in the same group, so no post is
seen in training and in testing.

Encoding ~30,000 distinct texts takes a few minutes on a CPU the first time; embeddings
are cached on disk (``--cache-dir``), so later runs take seconds.

``--max-accounts N`` runs on a stratified random sample of N accounts (seed 0), for a
quicker run on a busy machine.

Usage::

    python examples/kim_topic_classification.py [DATA_DIR] [--folds 5] [--cache-dir DIR]
                                                [--max-accounts N] [--tune] [--out DIR]

The figures are also written to ``DIR/example_kim_topics.json`` (default DIR: a
``skinfluence-examples`` folder in the system's temporary directory, never the
repository; ``--out benchmarks/results`` refreshes the recorded benchmark file).

When the data set is absent, the example says so and classifies 400 synthetic creators
from ``make_creators`` instead (8 topics; captions are the posts' texts, and the image
description, which the generator does not make, is one constant sentence). The
documentation build (``SKINFLUENCE_DOCS_QUICK=1``) uses a stratified sample of 600
accounts and 3 folds, as ``--max-accounts 600 --folds 3`` does.
"""

# %%
# Imports, the 8 categories, and the loader with its post-sharing groups
# ----------------------------------------------------------------------

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import joblib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_validate, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline, make_union

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from skinfluence import PostsText, make_creators, nest_posts, unnest_posts
from skinfluence.features import SentenceEmbedder

# sphinx-gallery runs the examples from examples/, without __file__
HERE = Path(__file__).parent if "__file__" in globals() else Path.cwd()
REPO = HERE.resolve().parent
OUT = Path(tempfile.gettempdir()) / "skinfluence-examples"
DEFAULT_DATA = REPO.parent / "shared" / "data" / "kim_instagram_influencers"
QUICK = os.environ.get("SKINFLUENCE_DOCS_QUICK") == "1"  # set by the documentation build
CATEGORIES = ["beauty", "family", "fashion", "fitness", "food", "interior", "pet", "travel"]


def synthetic_kim(n_accounts=400, seed=0):
    """make_creators in the shape of load_kim: caption and image_description, topic, groups."""
    data = make_creators(n_accounts, n_topics=len(CATEGORIES), n_posts=(2, 6), random_state=seed)
    posts = unnest_posts(data.accounts)
    posts = posts.assign(caption=posts["text"], image_description="Image may contain: 1 person")
    profiles = data.accounts[["account_id", "followers", "following", "n_posts"]]
    frame = nest_posts(profiles, posts[["account_id", "post_id", "caption", "image_description",
                                        "likes", "comments", "timestamp"]])
    return frame, np.asarray(data.topic), np.arange(len(frame))


def load_kim(folder: Path):
    """Account frame (one row per influencer, posts nested), category labels, CV groups."""
    if not Path(folder).is_dir():
        print(f"{folder} is absent: classifying synthetic creators from make_creators instead")
        return synthetic_kim()
    influencers = pd.read_csv(folder / "influencers.txt", sep="\t", skiprows=[1])
    influencers = influencers.rename(columns={
        "Username": "account_id", "Category": "category", "#Followers": "followers",
        "#Followees": "following", "#Posts": "n_posts"})
    posts = pd.read_csv(folder / "kim_posts_sample.csv.gz")
    posts = posts.rename(columns={
        "influencer": "account_id", "caption": "caption", "accessibility_caption": "image_description",
        "n_likes": "likes", "n_comments": "comments"})
    posts["timestamp"] = pd.to_datetime(posts["taken_at_timestamp"], unit="s", utc=True)
    for col in ("caption", "image_description"):
        posts[col] = posts[col].astype(object).where(posts[col].notna(), None)
    keep = influencers[influencers["category"].isin(CATEGORIES)]
    keep = keep[keep["account_id"].isin(posts["account_id"])]
    posts = posts[posts["account_id"].isin(keep["account_id"])]
    fields = ["account_id", "post_id", "caption", "image_description", "likes", "comments",
              "timestamp", "n_sponsor_users"]
    profiles = keep[["account_id", "followers", "following", "n_posts"]].reset_index(drop=True)
    frame = nest_posts(profiles, posts[fields])
    y = keep["category"].to_numpy()
    return frame, y, post_sharing_groups(frame["account_id"], posts)


def post_sharing_groups(accounts: pd.Series, posts: pd.DataFrame) -> np.ndarray:
    """Group id per account: accounts that share a post id end up in the same group."""
    parent = np.arange(len(accounts))
    position = pd.Index(accounts).get_indexer(posts["account_id"])

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for _, owners in pd.Series(position).groupby(posts["post_id"].to_numpy()):
        owners = owners.to_numpy()
        for other in owners[1:]:
            parent[find(other)] = find(owners[0])
    return np.array([find(i) for i in range(len(accounts))])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--cache-dir", type=Path,
                        default=Path.home() / ".cache" / "skinfluence" / "embeddings")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--max-accounts", type=int, default=None,
                        help="a stratified random sample of this many accounts (default: all)")
    parser.add_argument("--tune", action="store_true",
                        help="add baselines tuned by inner GroupKFold(3): TF-IDF (n-grams, "
                        "min_df, C), MiniLM (C) and TF-IDF stacked with MiniLM (C)")
    parser.add_argument("--out", type=Path, default=OUT,
                        help=f"folder for example_kim_topics.json (default {OUT})")
    args = parser.parse_args()
    if QUICK:
        args.max_accounts = min(args.max_accounts or 600, 600)
        args.folds = min(args.folds, 3)

    frame, y, groups = load_kim(args.data_dir)
    if args.max_accounts is not None and args.max_accounts < len(frame):
        keep, _ = train_test_split(np.arange(len(frame)), train_size=args.max_accounts,
                                   stratify=y, random_state=0)
        keep = np.sort(keep)
        frame, y, groups = frame.iloc[keep].reset_index(drop=True), y[keep], groups[keep]
    n_posts = int(frame["posts"].list.len().sum())
    print(f"{len(frame):,} influencers, {n_posts:,} posts, {len(CATEGORIES)} categories; "
          f"{len(np.unique(groups)):,} groups (accounts sharing a post are grouped)")
    print("class shares:", pd.Series(y).value_counts(normalize=True).round(3).to_dict())

    def embedder(field):
        return SentenceEmbedder(text_field=field, batch_size=args.batch_size,
                                cache_dir=args.cache_dir)

    def tfidf(field):
        return make_pipeline(PostsText(field), TfidfVectorizer(sublinear_tf=True, min_df=2,
                                                               ngram_range=(1, 2)))

    classifier = LogisticRegression(C=10.0, max_iter=2000)
    words = make_union(tfidf("caption"), tfidf("image_description"))
    minilm = make_union(embedder("caption"), embedder("image_description"))
    models = {
        "majority class": DummyClassifier(strategy="most_frequent"),
        "TF-IDF + LR": make_pipeline(words, classifier),
        "MiniLM (mean-pooled) + LR": make_pipeline(minilm, classifier),
    }
    if args.tune:
        # the same budget for every family: inner GroupKFold(3) over the main
        # hyper-parameters, on the training folds only (TF-IDF transforms cached)
        memory = joblib.Memory(Path(tempfile.mkdtemp(prefix="kim-tfidf-")), verbose=0)
        inner = GroupKFold(3)
        ngram = ["featureunion__pipeline-1__tfidfvectorizer__ngram_range",
                 "featureunion__pipeline-2__tfidfvectorizer__ngram_range"]
        min_df = ["featureunion__pipeline-1__tfidfvectorizer__min_df",
                  "featureunion__pipeline-2__tfidfvectorizer__min_df"]
        tfidf_grid = [{ngram[0]: [n], ngram[1]: [n], min_df[0]: [m], min_df[1]: [m],
                       "logisticregression__C": [2.0, 10.0]}
                      for n in [(1, 1), (1, 2)] for m in [2, 5]]
        models["TF-IDF + LR, tuned (n-grams, min_df, C)"] = GridSearchCV(
            Pipeline([("featureunion", words), ("logisticregression", classifier)],
                     memory=memory), tfidf_grid, cv=inner)
        models["MiniLM + LR, tuned (C)"] = GridSearchCV(
            make_pipeline(minilm, classifier),
            {"logisticregression__C": [0.3, 1.0, 3.0, 10.0, 30.0]}, cv=inner)
        stacked = make_union(words, minilm)
        models["TF-IDF + MiniLM stacked + LR, tuned (C)"] = GridSearchCV(
            Pipeline([("stack", stacked), ("logisticregression", classifier)], memory=memory),
            {"logisticregression__C": [2.0, 5.0, 10.0]}, cv=inner)
    t = time.perf_counter()
    make_union(embedder("caption"), embedder("image_description")).fit_transform(frame)
    encode_seconds = time.perf_counter() - t
    print(f"embeddings ready in {encode_seconds:.1f} s (cached in {args.cache_dir})")

    cv = GroupKFold(args.folds)
    results = {}
    print(f"\n{args.folds}-fold GroupKFold over accounts      accuracy         macro-F1")
    for name, model in models.items():
        t = time.perf_counter()
        scores = cross_validate(model, frame, y, groups=groups, cv=cv,
                                scoring=["accuracy", "f1_macro"],
                                # a search's inner folds get the outer training rows' groups
                                params={"groups": groups} if isinstance(model, GridSearchCV)
                                else None)
        acc, f1 = scores["test_accuracy"], scores["test_f1_macro"]
        results[name] = {"accuracy_mean": acc.mean(), "accuracy_std": acc.std(),
                         "f1_macro_mean": f1.mean(), "f1_macro_std": f1.std(),
                         "seconds": time.perf_counter() - t}
        print(f"  {name:36s} {acc.mean():.3f} ± {acc.std():.3f}    {f1.mean():.3f} ± {f1.std():.3f}")

    output = args.out / "example_kim_topics.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({
            "data": str(args.data_dir.name), "accounts": len(frame), "posts": n_posts,
            "sample": (f"stratified random sample of {args.max_accounts} accounts (seed 0)"
                       if args.max_accounts is not None else "all accounts of the 8 categories"),
            "command": "python examples/kim_topic_classification.py " + " ".join(sys.argv[1:]),
            "encoding_seconds": encode_seconds,
            "categories": CATEGORIES, "folds": args.folds, "cv": "GroupKFold (post-sharing groups)",
            "classifier": "LogisticRegression(C=10, max_iter=2000)", "results": results,
        }, indent=2))
    print(f"saved {output}")

    fig, ax = plt.subplots(figsize=(7, 0.6 * len(results) + 1.2))
    names = list(results)
    rows = np.arange(len(names))
    for k, metric in enumerate(("accuracy", "f1_macro")):
        ax.barh(rows + 0.2 * (2 * k - 1), [results[n][f"{metric}_mean"] for n in names],
                height=0.4, xerr=[results[n][f"{metric}_std"] for n in names],
                label=metric.replace("f1_macro", "macro-F1"))
    ax.set_yticks(rows, names)
    ax.set(xlim=(0, 1), xlabel=f"{args.folds}-fold GroupKFold over accounts (mean ± sd)",
           title=f"{len(frame):,} influencers, {len(np.unique(y))} categories")
    ax.legend(loc="lower right")
    fig.tight_layout()


# %%
# Encode, cross-validate every model, save the figures and plot them
# ------------------------------------------------------------------
# Run as a script, ``DATA_DIR`` and the options come from the command line; in the gallery
# the defaults are used (with the quick mode's sample).

if __name__ == "__main__":
    main()
