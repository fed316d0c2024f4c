"""Post topic classification on TweetTopicXL (English): MiniLM embeddings vs TF-IDF
==================================================================================

Each tweet is one post with 1-5 of 19 topics (multi-label). The available part of the
data set is its train (180) and validation (20) splits; the 200 tweets are pooled and
scored by repeated 5-fold cross-validation (the test split is held out elsewhere).

Two feature sets, same one-vs-rest logistic regression:

- **MiniLM**: ``SentenceEmbedder`` (all-MiniLM-L6-v2), here on the tweets directly (a
  1-D list of texts; on an account frame it embeds each post's caption the same way);
- **TF-IDF**: ``TfidfVectorizer`` (word 1-2-grams).

Reported: micro-F1 (over all tweet-topic decisions) and macro-F1 (mean over the topics
with at least one tweet in the test fold; rare topics weigh as much as frequent ones),
mean and spread over the folds.

Usage::

    python examples/tweet_topics.py [DATA_DIR] [--repeats 3] [--out DIR]

The figures are also written to ``DIR/example_tweet_topics.json`` (default DIR: a
``skinfluence-examples`` folder in the system's temporary directory, never the
repository; ``--out benchmarks/results`` refreshes the recorded benchmark file).

When the data set is absent, the example says so and classifies 300 synthetic posts from
``make_creators`` instead (each post's category is its one topic). The documentation build
(``SKINFLUENCE_DOCS_QUICK=1``) runs one repeat instead of ``--repeats``.
"""

# %%
# Imports, the 19 topics and the loader
# -------------------------------------

from __future__ import annotations

import argparse
import json
import os
import tempfile
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import RepeatedKFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from skinfluence import make_creators, unnest_posts
from skinfluence.features import SentenceEmbedder

# sphinx-gallery runs the examples from examples/, without __file__
HERE = Path(__file__).parent if "__file__" in globals() else Path.cwd()
REPO = HERE.resolve().parent
OUT = Path(tempfile.gettempdir()) / "skinfluence-examples"
DEFAULT_DATA = REPO.parent / "shared" / "data" / "tweettopicxl_en"
QUICK = os.environ.get("SKINFLUENCE_DOCS_QUICK") == "1"  # set by the documentation build
TOPICS = [
    "arts_&_culture", "business_&_entrepreneurs", "celebrity_&_pop_culture",
    "diaries_&_daily_life", "family", "fashion_&_style", "film_tv_&_video", "fitness_&_health",
    "food_&_dining", "gaming", "learning_&_educational", "music", "news_&_social_concern",
    "other_hobbies", "relationships", "science_&_technology", "sports", "travel_&_adventure",
    "youth_&_student_life",
]


def synthetic_posts(n_posts=300, seed=0):
    """Post texts of make_creators, one topic (the post's category) each, as a 0/1 matrix."""
    posts = unnest_posts(make_creators(60, n_post_categories=8, random_state=seed).accounts)
    posts = posts.sample(n=n_posts, random_state=seed)
    Y = pd.get_dummies(posts["label"]).to_numpy(dtype=int)
    return posts["text"].tolist(), Y


def load(folder: Path):
    if not folder.is_dir():
        print(f"{folder} is absent: classifying synthetic posts from make_creators instead")
        return synthetic_posts()
    tweets = pd.concat([pd.read_json(folder / f"en_{split}.jsonl", lines=True)
                        for split in ("train", "validation")], ignore_index=True)
    return tweets["text"].tolist(), tweets[TOPICS].to_numpy(dtype=int)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT,
                        help=f"folder for example_tweet_topics.json (default {OUT})")
    args = parser.parse_args()
    if QUICK:
        args.repeats = 1

    texts, Y = load(args.data_dir)
    texts = np.asarray(texts, dtype=object)
    print(f"{len(texts)} tweets, {Y.shape[1]} topics, {Y.sum(axis=1).mean():.2f} topics per tweet; "
          f"positives per topic: min {Y.sum(axis=0).min()}, max {Y.sum(axis=0).max()}")

    def classifier():
        return OneVsRestClassifier(LogisticRegression(C=10.0, class_weight="balanced",
                                                      max_iter=2000))

    models = {
        "TF-IDF + LR": lambda: make_pipeline(TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2)),
                                             classifier()),
        "MiniLM + LR": lambda: make_pipeline(SentenceEmbedder(), classifier()),
    }
    cv = RepeatedKFold(n_splits=args.folds, n_repeats=args.repeats, random_state=0)
    results, per_fold = {}, {}
    print(f"\n{args.folds}-fold CV x {args.repeats}            micro-F1          macro-F1")
    for name, make in models.items():
        micro, macro = [], []
        for train, test in cv.split(texts):
            with warnings.catch_warnings():
                # a rare topic may have no positive tweet in a training fold
                warnings.filterwarnings("ignore", message="Label not .* is present in all training")
                model = make().fit(list(texts[train]), Y[train])
            pred = model.predict(list(texts[test]))
            micro.append(f1_score(Y[test], pred, average="micro", zero_division=0))
            present = np.flatnonzero(Y[test].sum(axis=0) > 0)  # topics this fold can score
            macro.append(f1_score(Y[test], pred, average="macro", labels=present,
                                  zero_division=0))
        micro, macro = np.array(micro), np.array(macro)
        per_fold[name] = (micro, macro)
        results[name] = {"f1_micro_mean": micro.mean(), "f1_micro_std": micro.std(),
                         "f1_macro_mean": macro.mean(), "f1_macro_std": macro.std()}
        print(f"  {name:24s} {micro.mean():.3f} ± {micro.std():.3f}    "
              f"{macro.mean():.3f} ± {macro.std():.3f}")
    output = args.out / "example_tweet_topics.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({
        "data": args.data_dir.name, "tweets": len(texts), "topics": TOPICS,
        "cv": f"RepeatedKFold({args.folds} folds x {args.repeats})",
        "classifier": "OneVsRest(LogisticRegression(C=10, class_weight='balanced'))",
        "results": results}, indent=2))
    print(f"saved {output}")

    fig, ax = plt.subplots(figsize=(6, 3.5))
    for j, (name, (micro, macro)) in enumerate(per_fold.items()):
        for k, values in enumerate((micro, macro)):
            x = k + 0.2 * (2 * j - 1)
            ax.bar(x, values.mean(), width=0.4, color=f"C{j}", label=name if k == 0 else None)
            ax.plot(np.full(len(values), x), values, "k.", ms=4)
    ax.set_xticks([0, 1], ["micro-F1", "macro-F1"])
    ax.set(ylim=(0, 1), ylabel="F1 (bars: mean; dots: folds)",
           title=f"{len(texts)} posts, {Y.shape[1]} topics: MiniLM vs TF-IDF")
    ax.legend()
    fig.tight_layout()


# %%
# Cross-validate both models and plot their scores
# ------------------------------------------------
# Run as a script, ``DATA_DIR``, ``--repeats`` and ``--out`` come from the command line;
# in the gallery the defaults are used.

if __name__ == "__main__":
    main()
