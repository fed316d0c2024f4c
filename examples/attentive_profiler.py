"""Attentive influencer profiling: which posts make an account a "fitness" creator?
==================================================================================

``AttentiveProfiler`` (Kim et al., WWW 2020) classifies an account from all its posts and
weighs each post with an attention layer, so every prediction comes with the posts it
relied on. Here:

1. synthetic creators (``make_creators``: 4 topics, 8 post categories, 40 % off-topic
   posts such as selfies, memes and promotions);
2. per-post caption embeddings (all-MiniLM-L6-v2, offline) from ``PostEncoder``, with each
   post's category as the auxiliary post-level label;
3. ``make_pipeline(PostEncoder(...), AttentiveProfiler(attention="mixture"))`` fitted on
   75 % of the accounts, scored on the rest, beside its twins with the paper's attention
   and with mean pooling (same settings, same split);
4. one test account's profile: its predicted topic, its most attended posts (caption,
   weight, true and predicted category) and the attention plot (``AttentionDisplay``), saved to
   ``DIR/attentive_profiler.png`` (``--out DIR``; default a ``skinfluence-examples`` folder in
   the system's temporary directory, never the repository).

Usage::

    python examples/attentive_profiler.py [--accounts 96] [--attention mixture|paper|account|none]
        [--cache-dir DIR] [--out DIR]

The documentation build (``SKINFLUENCE_DOCS_QUICK=1``) profiles 48 creators of 10-25 posts
for 10 epochs instead of 96 of 20-50 posts for 40 (the scores are then noisier than those of
``docs/profiler.md``).
"""

# %%
# Imports, and the attention variants the profiler can use
# --------------------------------------------------------

from __future__ import annotations

import argparse
import os
import tempfile
import warnings
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from skinfluence import PostEncoder, SentenceEmbedder, flatten_posts  # noqa: E402
from skinfluence.datasets import make_creators  # noqa: E402
from skinfluence.plotting import AttentionDisplay  # noqa: E402
from skinfluence.profiling import AttentiveProfiler  # noqa: E402

OUT = Path(tempfile.gettempdir()) / "skinfluence-examples"
#: --attention choice -> AttentiveProfiler(attention=...)
ATTENTION = {"mixture": "mixture", "paper": True, "account": "account", "none": False}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=96)
    parser.add_argument("--cache-dir", type=Path,
                        default=Path.home() / ".cache" / "skinfluence" / "embeddings")
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the plot (default {OUT})")
    parser.add_argument("--attention", choices=list(ATTENTION), default="mixture",
                        help="the profiler's attention (the others are trained as twins)")
    args = parser.parse_args()
    quick = os.environ.get("SKINFLUENCE_DOCS_QUICK") == "1"  # set by the documentation build
    epochs = 10 if quick else 40
    if quick:
        args.accounts = min(args.accounts, 48)

    data = make_creators(args.accounts, n_topics=4, n_post_categories=8,
                         n_posts=(10, 25) if quick else (20, 50),
                         off_topic=0.4, random_state=0)
    frame, y = data.accounts, data.topic
    train, test = train_test_split(np.arange(len(frame)), test_size=0.25, stratify=y,
                                   random_state=0)
    model = make_pipeline(
        PostEncoder([("caption", SentenceEmbedder(pooling=None, cache_dir=args.cache_dir))],
                    label_field="label"),
        AttentiveProfiler(attention=ATTENTION[args.attention], max_epochs=epochs, batch_size=16,
                          random_state=0),
    )
    model.fit(frame.iloc[train], y[train])
    encoder, profiler = model[0], model[-1]
    print(f"{len(frame)} creators, {frame['posts'].list.len().sum():,} posts; topics "
          f"{sorted(set(y))}; trained on {profiler.device_}")
    print(f"test accuracy (influencer topic): {model.score(frame.iloc[test], y[test]):.3f} "
          f"(chance {1 / len(set(y)):.2f})")

    test_frame = frame.iloc[test]
    X = encoder.transform(test_frame)
    labels = X.extras["label"]
    known = X.mask & np.array([v is not None for v in labels])
    post_acc = np.mean(profiler.predict_posts(X)[known] == labels[known])
    print(f"test accuracy (post category, auxiliary head): {post_acc:.3f} "
          f"(chance {1 / len(data.post_category_names):.2f})")

    # over all test accounts: does the attention find the on-topic posts? (the truth is known
    # here: make_creators labels every post), and the twins with the other attentions
    acc_of = X.account_index()
    on_all = labels == y[test][acc_of]
    share = (np.bincount(acc_of, on_all, minlength=len(X)) / np.maximum(X.lengths, 1)).mean()

    def where_attention_goes(est):
        w_all = est.attention_weights(X)
        mass = np.bincount(acc_of, w_all * on_all, minlength=len(X)).mean()
        n_eff = 1 / np.bincount(acc_of, w_all.astype(float) ** 2, minlength=len(X))
        return (f"{mass:.0%} of the attention on on-topic posts (they are {share:.0%} of the "
                f"posts), spread over {np.median(n_eff / X.lengths):.0%} of an account's posts "
                "(1/sum(w^2), median)")

    print(f"all test accounts: {where_attention_goes(profiler)}")
    if profiler.off_topic_share_ is not None:
        print(f"learned share of off-topic posts: {profiler.off_topic_share_:.2f} (the mixture's "
              "prior; the data has 0.40)")
    X_train = encoder.transform(frame.iloc[train])
    for name, attention in ATTENTION.items():
        if name == args.attention or name == "account":
            continue
        twin = clone(profiler).set_params(attention=attention).fit(X_train, y[train])
        print(f"twin with attention={attention!r} (same settings): test accuracy "
              f"{twin.score(X, y[test]):.3f}" + ("" if attention is False else
                                                  f"; {where_attention_goes(twin)}"))

    # one profile: the test account with the most off-topic posts among the correct ones
    texts = np.asarray(flatten_posts(test_frame).column("text").to_pylist(), dtype=object)
    pred = profiler.predict(X)
    off = np.add.reduceat((labels != y[test][X.account_index()]).astype(float),
                          X.offsets[:-1]) / np.maximum(X.lengths, 1)
    i = int(np.argmax(np.where(pred == y[test], off, -1)))
    one = X[i]
    w = profiler.attention_weights(one)
    a, b = X.offsets[i], X.offsets[i + 1]
    proba = profiler.predict_proba(one)[0]
    print(f"\naccount {str(test_frame['account_id'].iloc[i])!r}: true topic {y[test][i]!r}, "
          f"predicted {pred[i]!r} ({proba.max():.0%}); {one.n_posts} posts, "
          f"{off[i]:.0%} off topic; uniform weight would be {1 / one.mask.sum():.3f}")
    post_pred = profiler.predict_posts(one)
    print("most attended posts:")
    for k in np.argsort(-w)[:5]:
        print(f"  {w[k]:.3f}  [{labels[a + k]} -> {post_pred[k]}]  {texts[a + k]}")
    print("least attended posts (of those with features; an empty caption is masked out):")
    valid = np.flatnonzero(one.mask)
    for k in valid[np.argsort(w[valid])][:3]:
        print(f"  {w[k]:.3f}  [{labels[a + k]} -> {post_pred[k]}]  {texts[a + k]}")
    on_topic = labels[a:b] == y[test][i]
    print(f"attention on on-topic posts: {w[on_topic].sum():.0%} "
          f"(they are {on_topic.mean():.0%} of the posts)")

    warnings.filterwarnings("ignore", message="Glyph .* missing from font")  # emoji in captions
    display = AttentionDisplay.from_estimator(profiler, X, i, texts=texts, top=12)
    display.figure_.tight_layout()
    output = args.out / "attentive_profiler.png"
    output.parent.mkdir(parents=True, exist_ok=True)
    display.figure_.savefig(output, dpi=110)
    print(f"\nsaved {output}")


# %%
# Fit, score, compare the attentions, and draw one account's profile
# ------------------------------------------------------------------
# Run as a script, the options come from the command line; in the gallery the defaults
# are used and the figure below is the one saved to ``--out``.

if __name__ == "__main__":
    main()
