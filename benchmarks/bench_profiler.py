"""AttentiveProfiler (Kim et al., WWW 2020) against the paper's baselines, on synthetic and real data.

Three parts in one run (``--part all``, the default), and a diagnosis:

1. **synthetic** -- ``make_creators(320, n_topics=8, n_post_categories=10, n_posts=(50, 300),
   off_topic=0.3 and 0.5)`` (56,143 posts per level); per-post features: all-MiniLM-L6-v2
   caption embeddings (``SentenceEmbedder(pooling=None)``, 384 dimensions, cached on disk).
   Text only: the synthetic images are not informative for a pretrained image model, and a
   timm model with ``pretrained=False`` gives random features, so no image branch is measured.
   Models on the same ``StratifiedKFold`` folds over accounts (4 folds: 240 training
   accounts): ``AttentiveProfiler`` (the paper's attention), its no-attention variant
   (``attention=False``, mean pooling inside the network), its account-aware attention
   (``attention="account"``) and its mixture attention (``attention="mixture"``), both added
   later (issue 6), all with the same fixed
   settings (``PROFILER``, chosen before this data was generated), and the paper's baselines
   on mean-pooled post embeddings (Gaussian NB, k-NN, SVC, random forest), each tuned by an
   inner 3-fold CV over its main hyper-parameter (``BASELINE_GRIDS``; issue 17: untuned
   before; ``--baselines-only`` re-runs them alone and merges their rows). Influencer
   accuracy, and post-category accuracy on the test accounts' posts (the baselines are
   trained on a random sample of 4,000 training posts: SVC and random forests on every post
   would take minutes per fold). A reference row (not a model: it reads the true post
   labels) classifies the mean of each account's *on-topic* posts only with Gaussian NB:
   what perfect attention could give. Where the attention goes on test accounts: its mass
   on on-topic posts against their share, and the effective number of attended posts
   ``1 / sum(w^2)`` as a share of the account's posts. Then influencer accuracy against
   the number of posts per account (each account's last 5, 10, 20, 50, 100 posts;
   ``off_topic=0.5``).
2. **kim** -- ``../shared/data/kim_instagram_influencers`` (see
   ``examples/kim_topic_classification.py``: 8 categories, captions + Instagram's automatic
   image descriptions, ``GroupKFold`` over post-sharing account groups; 1-8 posts per
   account). AttentiveProfiler on per-post MiniLM features of both texts (768 dimensions,
   no post labels: the data has none) against TF-IDF + logistic regression and mean-pooled
   MiniLM + logistic regression, in the same run.
3. **speed** -- one training epoch of ``AttentiveProfiler`` against a plain PyTorch loop over
   the same module, loss, optimizer and batches; accounts/s for training and inference (and
   for ``attention="mixture"``).

4. **kim-inputs** (``--part kim-inputs``, not part of ``all``; issue 17) -- on the same Kim
   data, baselines tuned by inner ``GroupKFold(3)`` on each outer training fold (TF-IDF +
   LR over n-grams, ``min_df`` and ``C``; MiniLM + LR over ``C``; TF-IDF stacked with
   MiniLM, with and without the log profile counts, over ``C``) against the profiler's
   issue-17 inputs (``KIM_INPUTS``: two modalities with each fusion, the lexical
   ``HashedTfidf`` channels as embedding bags or as a linear "wide" head, account inputs,
   and a row whose configuration is chosen by inner CV), with the share of non-English
   captions and the accuracy by posts per account. ``--kim-accounts N`` runs a stratified
   sample, ``--kim-batch-size`` sets the profiler's batch (32 on the 2,000-account sample,
   128 on all accounts), and ``--kim-baselines-only`` / ``--kim-inputs KEY ...`` /
   ``--no-minilm`` split the rows over processes (one ``--out`` each).

5. **diagnose** (``--part diagnose``, not part of ``all``) -- why attention trails mean
   pooling: training variants (dropout, weight decay, no post loss, early stopping, fewer
   epochs, a random initial context vector) on a separate 64-account sample at the same
   off-topic levels, where the attention goes (on-topic weight on test and training
   accounts, effective number of attended posts) and the mean weight per post category.

Machine: 2 CPU cores, no GPU; torch runs on one thread. Each part can run on its own
(``--part``); every run merges its part into the same JSON file.

Usage::

    python benchmarks/bench_profiler.py [--part all|synthetic|kim|speed] [--quick]
        [--n-accounts 320] [--off-topic 0.3 0.5] [--curve-at 0.5] [--kim-accounts N]
        [--models attention mean account mixture mixture-cv]

``--models`` with a subset of the profiler variants runs only those (no baselines, no
reference row) and merges their rows into the synthetic (or kim) results already on disk.

Writes ``benchmarks/results/profiler.json`` (``profiler_quick.json`` with ``--quick``).
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402
from sklearn.model_selection import GridSearchCV, GroupKFold, KFold, StratifiedKFold  # noqa: E402
from sklearn.naive_bayes import GaussianNB  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline, make_union  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

from skinfluence import PostEncoder, PostFeatures, PostsText, SentenceEmbedder, pool_posts  # noqa: E402
from skinfluence.datasets import make_creators  # noqa: E402
from skinfluence.profiling import AttentiveProfiler  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
KIM = Path(os.environ.get("SKINFLUENCE_SHARED_DATA", REPO.parent / "shared" / "data")) \
    / "kim_instagram_influencers"
CACHE = Path.home() / ".cache" / "skinfluence" / "embeddings"
CURVE = (5, 10, 20, 50, 100)

# the profiler on few accounts: small batches and a higher learning rate (more steps)
PROFILER = {"max_epochs": 40, "batch_size": 8, "lr": 3e-3, "device": "cpu", "random_state": 0}
#: profiler variants of the synthetic part: --models key -> (row name, extra parameters)
VARIANTS = {"attention": ("AttentiveProfiler", {}),
            "mean": ("no attention (mean pooling)", {"attention": False}),
            "account": ("account-aware attention", {"attention": "account"}),
            "mixture": ("mixture attention", {"attention": "mixture"}),
            # post_loss_weight chosen inside each training fold (GridSearchCV, 3 inner folds,
            # account accuracy): the mixture's post head serves both tasks
            "mixture-cv": ("mixture attention, post_loss_weight by inner CV",
                           {"attention": "mixture", "grid": {"post_loss_weight": [0.5, 2.0]}}),
            # issue 17: the captions' hashed TF-IDF as a second channel (fitted on each
            # training fold's posts), fused with the MiniLM channel; all posts only
            "lexical": ("MiniLM + lexical channel (concat)",
                        {"lexical": True, "channels": ["text", "words"], "fusion": "concat"}),
            "lexical-mixture": ("MiniLM + lexical channel (concat), mixture attention",
                                {"lexical": True, "channels": ["text", "words"],
                                 "fusion": "concat", "attention": "mixture"})}
#: the variants run by default (the lexical ones need --models)
DEFAULT_VARIANTS = ["attention", "mean", "account", "mixture", "mixture-cv"]
FRAMES = {}  # (off_topic, n_accounts) -> the synthetic account frame (for the lexical channel)


def with_words(X, frame, train):
    """``X`` plus the sparse channel ``words``: HashedTfidf of the captions, fitted on ``train``."""
    from skinfluence import HashedTfidf

    words = HashedTfidf(text_field="text").fit(frame.iloc[train]).transform_posts(frame)
    return PostFeatures(X.values, X.offsets, mask=X.mask, extras=X.extras,
                        feature_names=X.feature_names, index=X.index,
                        sparse={"words": words.sparse["tfidf"]})


def profiler(params, **fixed):
    """The profiler of a variant: a GridSearchCV over its ``grid`` when it has one."""
    params = dict(params)
    grid = params.pop("grid", None)
    params.pop("lexical", None)
    est = AttentiveProfiler(**params, **fixed)
    if grid is None:
        return est
    return GridSearchCV(est, grid, cv=StratifiedKFold(3, shuffle=True, random_state=0))


#: the paper's baselines and the grids of their main hyper-parameters (issue 17: every
#: baseline is tuned by inner CV on each training fold, as the profiler's post_loss_weight is)
BASELINE_GRIDS = {
    "Gaussian NB": (lambda seed: GaussianNB(),
                    {"var_smoothing": [1e-9, 1e-5, 1e-2]}),
    "k-NN": (lambda seed: KNeighborsClassifier(),
             {"n_neighbors": [5, 15, 31]}),
    "SVC (RBF)": (lambda seed: make_pipeline(StandardScaler(), SVC()),
                  {"svc__C": [0.3, 1.0, 3.0, 10.0]}),
    "random forest": (lambda seed: RandomForestClassifier(300, n_jobs=1, random_state=seed),
                      {"max_features": ["sqrt", 0.2]}),
}


def baselines(seed=0, quick=False):
    """The paper's baselines, each tuned by an inner 3-fold CV over :data:`BASELINE_GRIDS`."""
    # --quick has too few accounts per class for stratified inner folds
    inner = (KFold(2, shuffle=True, random_state=seed) if quick
             else StratifiedKFold(3, shuffle=True, random_state=seed))
    return {f"{name}, tuned ({', '.join(k.split('__')[-1] for k in grid)})":
            GridSearchCV(make(seed), grid, cv=inner)
            for name, (make, grid) in BASELINE_GRIDS.items()}


def keep_last(X: PostFeatures, k: int) -> PostFeatures:
    """Each account's last ``k`` posts (posts are in time order)."""
    lengths = X.lengths
    kept = np.minimum(lengths, k)
    position = np.arange(X.n_posts) - np.repeat(X.offsets[:-1], lengths)
    sel = position >= np.repeat(lengths - kept, lengths)
    return PostFeatures(X.values[sel], np.r_[0, np.cumsum(kept)], mask=X.mask[sel],
                        extras={key: v[sel] for key, v in X.extras.items()}, index=X.index)


ORACLE = "(reference) on-topic posts only + NB"


def attention_stats(model, X, y):
    """Where the attention goes on accounts ``X`` (true topics ``y``)."""
    w = model.attention_weights(X).astype(np.float64)
    n = len(X)
    acc = X.account_index()
    on = X.mask & (X.extras["label"] == np.repeat(y, X.lengths))
    valid = np.bincount(acc, X.mask, minlength=n)
    has = valid > 0
    n_eff = 1.0 / np.maximum(np.bincount(acc, w * w, minlength=n), 1e-12)
    stats = {"on_topic_mass": float(np.bincount(acc, w * on, minlength=n)[has].mean()),
             "on_topic_share": float((np.bincount(acc, on, minlength=n)[has] / valid[has]).mean()),
             "effective_share": float(np.median(n_eff[has] / valid[has]))}
    if getattr(model, "off_topic_share_", None) is not None:  # the mixture's learned share
        stats["off_topic_share"] = float(model.off_topic_share_)
    return stats


def summary(values):
    values = np.asarray(values, dtype=float)
    return {"mean": float(values.mean()), "std": float(values.std()), "folds": values.tolist()}


def encode_creators(off_topic, n_accounts, cache_dir):
    data = make_creators(n_accounts, n_topics=8, n_post_categories=10, n_posts=(50, 300),
                         off_topic=off_topic, random_state=0)
    enc = PostEncoder([("text", SentenceEmbedder(pooling=None, batch_size=64, device="cpu",
                                                 cache_dir=cache_dir))], label_field="label")
    FRAMES[(off_topic, n_accounts)] = data.accounts
    t = time.perf_counter()
    threads = torch.get_num_threads()
    torch.set_num_threads(os.cpu_count() or 1)  # encoding: all cores; training: one thread
    try:
        X = enc.fit_transform(data.accounts)
    finally:
        torch.set_num_threads(threads)
    return X, np.asarray(data.topic), time.perf_counter() - t


def run_synthetic(args):
    out = {}
    for off_topic in args.off_topic:
        X, y, secs = encode_creators(off_topic, args.n_accounts, args.cache_dir)
        print(f"\n== synthetic, off_topic={off_topic}: {len(X)} accounts, {X.n_posts:,} posts "
              f"(encoded in {secs:.0f} s), {args.folds}-fold StratifiedKFold")
        folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=0).split(
            np.zeros(len(y)), y))
        labels = X.extras["label"]
        rng = np.random.default_rng(0)
        account_of_post = X.account_index()
        res = {"accounts": len(X), "posts": X.n_posts, "encode_seconds": secs, "models": {}}
        curve = [None] + (list(CURVE) if off_topic in args.curve_at else [])
        for k in curve:
            Xk = X if k is None else keep_last(X, k)
            pooled = pool_posts(Xk.values, Xk.offsets, Xk.mask, "mean")
            scores, post_scores, times, attn, chosen = {}, {}, {}, {}, {}
            subset = set(args.models) != set(DEFAULT_VARIANTS) and not args.baselines_only
            # reference, not a model: what perfect attention could give -- the mean of each
            # account's on-topic posts only (ground truth), classified by Gaussian NB
            on_topic = Xk.mask & (Xk.extras["label"] == np.repeat(y, Xk.lengths))
            oracle = pool_posts(Xk.values, Xk.offsets, on_topic, "mean")
            for train, test in folds:
                if not subset:
                    t = time.perf_counter()
                    model = GaussianNB().fit(oracle[train], y[train])
                    times.setdefault(ORACLE, []).append(time.perf_counter() - t)
                    scores.setdefault(ORACLE, []).append(
                        accuracy_score(y[test], model.predict(oracle[test])))
                models = {} if args.baselines_only else {
                    VARIANTS[m][0]: profiler(VARIANTS[m][1], **PROFILER)
                    for m in args.models if k is None or not VARIANTS[m][1].get("lexical")}
                lexical = {VARIANTS[m][0] for m in args.models if VARIANTS[m][1].get("lexical")}
                X_words = (with_words(Xk, FRAMES[(off_topic, args.n_accounts)], train)
                           if lexical and k is None else None)
                for name, model in models.items():
                    Xk_all = Xk
                    Xk = X_words if name in lexical else Xk_all
                    t = time.perf_counter()
                    model.fit(Xk[train], y[train])
                    times.setdefault(name, []).append(time.perf_counter() - t)
                    if isinstance(model, GridSearchCV):
                        chosen.setdefault(name, []).append(model.best_params_)
                        model = model.best_estimator_
                    scores.setdefault(name, []).append(accuracy_score(y[test],
                                                                      model.predict(Xk[test])))
                    if k is None:
                        Xt = Xk[test]
                        ok = Xt.mask & np.array([v is not None for v in Xt.extras["label"]])
                        post_scores.setdefault(name, []).append(float(np.mean(
                            model.predict_posts(Xt)[ok] == Xt.extras["label"][ok])))
                        if model.attention:
                            attn.setdefault(name, []).append(attention_stats(model, Xt, y[test]))
                    Xk = Xk_all
                for name, model in ({} if subset else baselines(quick=args.quick)).items():
                    t = time.perf_counter()
                    model.fit(pooled[train], y[train])
                    times.setdefault(name, []).append(time.perf_counter() - t)
                    chosen.setdefault(name, []).append(
                        {p: str(v) for p, v in model.best_params_.items()})
                    scores.setdefault(name, []).append(accuracy_score(y[test],
                                                                      model.predict(pooled[test])))
                if k is None and not subset:  # post-level baselines: a sample of training posts
                    in_train = np.isin(account_of_post, train) & X.mask
                    in_test = np.isin(account_of_post, test) & X.mask
                    pool = np.flatnonzero(in_train)
                    sample = rng.choice(pool, min(4000, len(pool)), replace=False)
                    for name, model in baselines(quick=args.quick).items():
                        model.fit(X.values[sample], labels[sample].astype(str))
                        pred = model.predict(X.values[in_test])
                        post_scores.setdefault(name, []).append(
                            float(np.mean(pred == labels[in_test].astype(str))))
            key = "all posts" if k is None else f"last {k} posts"
            print(f"  {key}: influencer accuracy" + ("   | post accuracy" if k is None else ""))
            for name in scores:
                line = f"    {name:30s} {np.mean(scores[name]):.3f} ± {np.std(scores[name]):.3f}"
                if name in post_scores:
                    line += f"   | {np.mean(post_scores[name]):.3f}"
                print(line + f"   ({np.mean(times[name]):.1f} s/fit)")
                entry = res["models"].setdefault(name, {})
                entry[key] = {"accuracy": summary(scores[name]),
                              "fit_seconds": float(np.mean(times[name]))}
                if name in post_scores:
                    entry[key]["post_accuracy"] = summary(post_scores[name])
                if name in chosen:
                    entry[key]["chosen_params"] = chosen[name]
                    print(f"      chosen per fold: {chosen[name]}")
            for name, per_fold in attn.items():
                keys = per_fold[0].keys()
                stats = {key: float(np.mean([a[key] for a in per_fold])) for key in keys}
                print(f"    {name} on test accounts: {stats['on_topic_mass']:.3f} of the weight "
                      f"on on-topic posts (their share: {stats['on_topic_share']:.3f}); effective "
                      f"number of attended posts 1/sum(w^2) = {stats['effective_share']:.1%} of "
                      f"the account's posts (median over accounts)")
                # "attention": the paper's (kept under its first name); others under their row
                res["attention" if name == "AttentiveProfiler" else f"attention: {name}"] = stats
        out[f"off_topic={off_topic}"] = res
        if args.save is not None:  # save after each level: a long run keeps what it measured
            args.save("synthetic", out)
    return out


DIAGNOSIS_VARIANTS = {
    "attention (benchmark settings)": {},
    "attention=False": {"attention": False},
    "dropout=0.5": {"dropout": 0.5},
    "post_loss_weight=0": {"post_loss_weight": 0.0},
    "AdamW, weight_decay=1e-2": {"optimizer": "adamw", "weight_decay": 1e-2},
    "early_stopping": {"early_stopping": True},
    "lr=1e-3, 20 epochs": {"lr": 1e-3, "max_epochs": 20},
    "10 epochs": {"max_epochs": 10},
    "random initial context vector": {"random_context": True},
}


def run_diagnose(args):
    """Why attention trails mean pooling: variants on a small, separate sample (64 accounts)."""
    import contextlib

    from skinfluence.profiling import _module

    @contextlib.contextmanager
    def random_context():
        original = _module.PostAttentionNet.__init__

        def init(self, *a, **kw):
            original(self, *a, **kw)
            if self.attention:
                with torch.no_grad():
                    self.context.normal_(0.0, self.context.numel() ** -0.5)

        _module.PostAttentionNet.__init__ = init
        try:
            yield
        finally:
            _module.PostAttentionNet.__init__ = original

    out = {}
    for off_topic in args.off_topic:
        X, y, _ = encode_creators(off_topic, 64, args.cache_dir)
        folds = list(StratifiedKFold(4, shuffle=True, random_state=0).split(np.zeros(len(y)), y))
        print(f"\n== diagnosis, off_topic={off_topic}: 64 accounts (48 training), {X.n_posts:,} "
              "posts, 4-fold StratifiedKFold; accuracy | test: on-topic weight (share), "
              "effective share | train: on-topic weight")
        res = {}
        for name, change in DIAGNOSIS_VARIANTS.items():
            change = dict(change)
            ctx = random_context() if change.pop("random_context", False) else \
                contextlib.nullcontext()
            accs, test_stats, train_stats = [], [], []
            with ctx:
                for train, test in folds:
                    model = AttentiveProfiler(**{**PROFILER, **change}).fit(X[train], y[train])
                    accs.append(model.score(X[test], y[test]))
                    test_stats.append(attention_stats(model, X[test], y[test]))
                    train_stats.append(attention_stats(model, X[train], y[train]))
            mean = {key: float(np.mean([t[key] for t in test_stats])) for key in test_stats[0]}
            train_mass = float(np.mean([t["on_topic_mass"] for t in train_stats]))
            print(f"  {name:32s} {np.mean(accs):.3f} ± {np.std(accs):.3f} | "
                  f"{mean['on_topic_mass']:.3f} ({mean['on_topic_share']:.3f}), "
                  f"{mean['effective_share']:.1%} | {train_mass:.3f}")
            res[name] = {"accuracy": summary(accs), "test_attention": mean,
                         "train_on_topic_mass": train_mass}
        # where the benchmark-settings attention goes, by post category (1 = uniform weight)
        rows = []
        for train, test in folds:
            model = AttentiveProfiler(**PROFILER).fit(X[train], y[train])
            Xt = X[test]
            w = model.attention_weights(Xt) * np.repeat(Xt.lengths, Xt.lengths)
            labels = Xt.extras["label"]
            rows.append((labels, labels == np.repeat(y[test], Xt.lengths), w))
        labels, on, w = (np.concatenate(parts) for parts in zip(*rows, strict=True))
        by_category = {}
        for cat in np.unique(labels):
            entry = {}
            for key, sel in (("on_topic", on), ("off_topic", ~on)):
                pick = (labels == cat) & sel
                if pick.any():
                    entry[key] = float(w[pick].mean())
            by_category[str(cat)] = entry
        print("  mean attention weight x n by post category (test accounts; 1 = uniform): "
              + ", ".join(f"{c} {e.get('on_topic', float('nan')):.2f} on / "
                          f"{e.get('off_topic', float('nan')):.2f} off"
                          for c, e in by_category.items()))
        out[f"off_topic={off_topic}"] = {"variants": res, "weight_by_category": by_category}
    return out


def load_kim_example():
    path = REPO / "examples" / "kim_topic_classification.py"
    spec = importlib.util.spec_from_file_location("kim_topic_classification", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_kim(args):
    kim = load_kim_example()
    frame, y, groups = kim.load_kim(KIM)
    sample = ""
    if args.kim_accounts is not None and args.kim_accounts < len(frame):
        # the sample of ``examples/kim_topic_classification.py --max-accounts N``
        from sklearn.model_selection import train_test_split

        keep, _ = train_test_split(np.arange(len(frame)), train_size=args.kim_accounts,
                                   stratify=y, random_state=0)
        keep = np.sort(keep)
        frame, y, groups = frame.iloc[keep].reset_index(drop=True), y[keep], groups[keep]
        sample = f" (stratified sample of {args.kim_accounts:,}, seed 0)"
    lengths = frame["posts"].list.len().to_numpy()

    def embedder(field, pooling="mean"):
        return SentenceEmbedder(text_field=field, batch_size=64, cache_dir=args.cache_dir,
                                pooling=pooling)

    t = time.perf_counter()
    enc = PostEncoder([("caption", embedder("caption", None)),
                       ("image", embedder("image_description", None))], mask_mode="any")
    X = enc.fit_transform(frame)
    pooled = make_union(embedder("caption"), embedder("image_description")).fit_transform(frame)
    secs = time.perf_counter() - t
    print(f"\n== Kim et al. Instagram: {len(frame):,} accounts{sample}, {X.n_posts:,} posts "
          f"({lengths.min()}-{lengths.max()} per account, median {np.median(lengths):.0f}); "
          f"features in {secs:.0f} s; {args.kim_folds}-fold GroupKFold")

    def tfidf(field):
        return make_pipeline(PostsText(field), TfidfVectorizer(sublinear_tf=True, min_df=2,
                                                               ngram_range=(1, 2)))

    lr = LogisticRegression(C=10.0, max_iter=2000)
    # a subset of the profiler variants (--models) runs without the baselines
    models = {} if set(args.models) != set(DEFAULT_VARIANTS) else {
        "TF-IDF + LR": (make_pipeline(make_union(tfidf("caption"), tfidf("image_description")),
                                      lr), frame),
        "MiniLM mean-pooled + LR": (lr, pooled),
    }
    for m in args.models:
        name, params = VARIANTS[m]
        if "grid" in params or "lexical" in params:  # no post labels here (grid); the
            continue  # lexical channel is measured by --part kim-inputs
        models[name] = (profiler(params, batch_size=128, max_epochs=20, device="cpu",
                                 random_state=0), X)
    res = {"accounts": len(frame), "sample": sample.strip(" ()") or "all accounts",
           "posts": X.n_posts, "posts_per_account": {"min": int(lengths.min()),
                                                      "median": float(np.median(lengths)),
                                                      "max": int(lengths.max()),
                                                      "share_with_one_post": float(
                                                          np.mean(lengths == 1))},
           "feature_seconds": secs, "models": {}}
    for name, (model, data) in models.items():
        acc, f1, secs = [], [], []
        for train, test in GroupKFold(args.kim_folds).split(np.zeros(len(y)), y, groups):
            from sklearn.base import clone

            m = clone(model)
            t = time.perf_counter()
            tr = data.iloc[train] if hasattr(data, "iloc") else data[train]
            te = data.iloc[test] if hasattr(data, "iloc") else data[test]
            m.fit(tr, y[train])
            pred = m.predict(te)
            secs.append(time.perf_counter() - t)
            acc.append(accuracy_score(y[test], pred))
            f1.append(f1_score(y[test], pred, average="macro"))
        print(f"  {name:30s} accuracy {np.mean(acc):.3f} ± {np.std(acc):.3f}   macro-F1 "
              f"{np.mean(f1):.3f} ± {np.std(f1):.3f}   ({np.mean(secs):.1f} s/fold)")
        res["models"][name] = {"accuracy": summary(acc), "f1_macro": summary(f1),
                               "seconds_per_fold": float(np.mean(secs))}
    return res


# ------------------------------------------------------------------ kim-inputs (issue 17)

#: profiler configurations of the kim-inputs part: key -> (row name, parameters). "dense"
#: drops the sparse channels (the original model reads one channel of all dense features).
KIM_INPUTS = {
    "original": ("profiler: MiniLM caption+image as one channel (original)",
                 {"dense_only": True}),
    "original+account": ("profiler: original + account inputs",
                         {"dense_only": True, "account_features": "all"}),
    "two-concat": ("profiler: 2 modalities, concat",
                   {"channels": ["caption", "image"], "fusion": "concat"}),
    "two-gated": ("profiler: 2 modalities, gated",
                  {"channels": ["caption", "image"], "fusion": "gated"}),
    "two-bilinear": ("profiler: 2 modalities, bilinear",
                     {"channels": ["caption", "image"], "fusion": "bilinear"}),
    "lexical": ("profiler: 2 modalities + 2 lexical, concat",
                {"channels": ["caption", "image", "caption_words", "image_words"],
                 "fusion": "concat"}),
    "lexical+account": ("profiler: 2 modalities + 2 lexical + account, concat",
                        {"channels": ["caption", "image", "caption_words", "image_words"],
                         "fusion": "concat", "account_features": "all"}),
    "lexical-gated+account": ("profiler: 2 modalities + 2 lexical + account, gated",
                              {"channels": ["caption", "image", "caption_words", "image_words"],
                               "fusion": "gated", "account_features": "all"}),
    "words-only": ("profiler: 2 lexical (no MiniLM)",
                   {"channels": ["caption_words", "image_words"]}),
    "words-only+account": ("profiler: 2 lexical + account (no MiniLM)",
                           {"channels": ["caption_words", "image_words"],
                            "account_features": "all"}),
    # the pooling variants of the earlier full-data run, with and without the account inputs
    "mixture": ("profiler: original, mixture attention",
                {"dense_only": True, "attention": "mixture"}),
    "mixture+account": ("profiler: original, mixture attention + account inputs",
                        {"dense_only": True, "attention": "mixture", "account_features": "all"}),
    "mean+account": ("profiler: original, mean pooling + account inputs",
                     {"dense_only": True, "attention": False, "account_features": "all"}),
    "two-gated+account": ("profiler: 2 modalities, gated + account inputs",
                          {"channels": ["caption", "image"], "fusion": "gated",
                           "account_features": "all"}),
    "lexical-mean+account": ("profiler: 2 modalities + 2 lexical + account, concat, mean pooling",
                             {"channels": ["caption", "image", "caption_words", "image_words"],
                              "fusion": "concat", "attention": False,
                              "account_features": "all"}),
    # the lexical channels as a linear "wide" head on the pooled TF-IDF (sparse_head="linear")
    "wide-mixture+account": ("profiler: mixture + account inputs + linear lexical head",
                             {"attention": "mixture", "account_features": "all",
                              "sparse_head": "linear"}),
    "wide-mean+account": ("profiler: mean pooling + account inputs + linear lexical head",
                          {"attention": False, "account_features": "all",
                           "sparse_head": "linear"}),
    # the profiler's own tuning budget: the wide configuration's pooling chosen by inner
    # GroupKFold(3) on each outer training fold, as the baselines' hyper-parameters are
    # (a larger grid, with the number of epochs, did not fit in the session's CPU time)
    "cv": ("profiler: wide + account, pooling by inner CV",
           {"account_features": "all", "sparse_head": "linear",
            "grid": {"attention": [False, "mixture"]}}),
}
#: the profiler's fixed settings on Kim's sample (chosen before the run, not tuned)
KIM_PROFILER = {"batch_size": 32, "max_epochs": 20, "lr": 1e-3, "device": "cpu",
                "random_state": 0}


def _english_share(texts, seed=0):
    """Share of non-empty texts detected as English (langdetect when importable), and how."""
    try:
        from langdetect import DetectorFactory, detect
        from langdetect.lang_detect_exception import LangDetectException
    except ImportError:
        return None, "langdetect not installed: not measured"
    DetectorFactory.seed = seed
    langs = []
    for t in texts:
        try:
            langs.append(detect(t))
        except LangDetectException:  # no letters (emoji, digits only)
            langs.append("unknown")
    return np.asarray(langs, dtype=object), "langdetect 1.0.9 (seed 0), one language per caption"


class _NoMiniLM(Exception):
    """Raised to skip the MiniLM encoding (``--no-minilm``)."""


def run_kim_inputs(args):
    """Issue 17 on Kim's data: tuned baselines against the profiler's new inputs, same folds."""
    import pandas as pd
    from sklearn.base import BaseEstimator, TransformerMixin, clone
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    from skinfluence import HashedTfidf

    kim = load_kim_example()
    frame, y, groups = kim.load_kim(KIM)
    n = args.kim_accounts or len(frame)
    sample = "all accounts"
    if n < len(frame):
        from sklearn.model_selection import train_test_split

        keep, _ = train_test_split(np.arange(len(frame)), train_size=n, stratify=y,
                                   random_state=0)
        keep = np.sort(keep)
        frame, y, groups = frame.iloc[keep].reset_index(drop=True), y[keep], groups[keep]
        sample = f"stratified sample of {n:,} accounts (seed 0)"
    lengths = frame["posts"].list.len().to_numpy()
    bucket = np.where(lengths == 1, "1", np.where(lengths <= 3, "2-3", "4+"))

    # language of the captions
    captions = [c for posts in frame["posts"] for c in (p["caption"] for p in posts)
                if c and c.strip()]
    t = time.perf_counter()
    langs, how = (None, "not measured in this run (--no-language)") if args.no_language \
        else _english_share(captions)
    lang = None
    if langs is not None:
        lang = {"non_english_share": float(np.mean(langs != "en")),
                "undetected_share": float(np.mean(langs == "unknown")),
                "top": {k: float(v) for k, v in
                        pd.Series(langs).value_counts(normalize=True).head(8).items()},
                "captions": len(captions), "method": how,
                "seconds": time.perf_counter() - t}
        print(f"  captions not detected as English: {lang['non_english_share']:.1%} of "
              f"{len(captions):,} non-empty captions ({how})")

    def embedder(field, pooling=None):
        return SentenceEmbedder(text_field=field, batch_size=64, cache_dir=args.cache_dir,
                                pooling=pooling, device="cpu")

    t = time.perf_counter()
    threads = torch.get_num_threads()
    torch.set_num_threads(os.cpu_count() or 1)
    try:
        if args.no_minilm:  # the rows without MiniLM: no encoding (posts, account extras only)
            from skinfluence import TextStats

            stats = PostEncoder([("n", TextStats(features=["words"], text_field="caption",
                                                 pooling=None))],
                                account_fields=["followers", "following", "n_posts"])
            X_dense = stats.fit_transform(frame)
            X_dense = PostFeatures(np.zeros((X_dense.n_posts, 0), np.float32), X_dense.offsets,
                                   feature_names=[], account_extras=X_dense.account_extras)
            pooled = None
            raise _NoMiniLM
        dense_enc = PostEncoder([("caption", embedder("caption")),
                                 ("image", embedder("image_description"))],
                                account_fields=["followers", "following", "n_posts"],
                                mask_mode="any")
        X_dense = dense_enc.fit_transform(frame)  # MiniLM is not fitted: no leak across folds
        pooled = make_union(embedder("caption", "mean"),
                            embedder("image_description", "mean")).fit_transform(frame)
    except _NoMiniLM:
        pass
    finally:
        torch.set_num_threads(threads)
    secs = time.perf_counter() - t
    print(f"\n== Kim et al. (issue 17 inputs): {len(frame):,} accounts ({sample}), "
          f"{X_dense.n_posts:,} posts, MiniLM features in {secs:.0f} s; {args.kim_folds}-fold "
          "GroupKFold")

    profile = frame[["followers", "following", "n_posts"]].to_numpy(dtype=np.float64)

    class Columns(BaseEstimator, TransformerMixin):
        """Rows of a fixed matrix selected by the account frame's ``row`` column."""

        def __init__(self, matrix=None):
            self.matrix = matrix

        def fit(self, X, y=None):
            return self

        def transform(self, X):
            return self.matrix[X["row"].to_numpy()]

    framed = frame.assign(row=np.arange(len(frame)))

    def tfidf(field, ngram=(1, 2), min_df=2):
        return make_pipeline(PostsText(field), TfidfVectorizer(sublinear_tf=True, min_df=min_df,
                                                               ngram_range=ngram))

    words = make_union(tfidf("caption"), tfidf("image_description"))
    minilm = Columns(pooled)
    log_profile = make_pipeline(Columns(profile), FunctionTransformer(np.log1p),
                                StandardScaler())
    lr = LogisticRegression(C=10.0, max_iter=2000)
    inner = GroupKFold(3)
    ngram = ["featureunion__pipeline-1__tfidfvectorizer__ngram_range",
             "featureunion__pipeline-2__tfidfvectorizer__ngram_range"]
    min_df = ["featureunion__pipeline-1__tfidfvectorizer__min_df",
              "featureunion__pipeline-2__tfidfvectorizer__min_df"]
    # 8 settings (the 2,000-account sample's grid had min_df 1/2 and C 2/5/10: 12 settings,
    # too slow on all accounts on 2 cores)
    tfidf_grid = [{ngram[0]: [g], ngram[1]: [g], min_df[0]: [m], min_df[1]: [m],
                   "logisticregression__C": [2.0, 10.0]}
                  for g in [(1, 1), (1, 2)] for m in [2, 5]]
    baselines = {
        "TF-IDF + LR, tuned (n-grams, min_df, C)": GridSearchCV(
            Pipeline([("featureunion", words), ("logisticregression", lr)]), tfidf_grid,
            cv=inner),
        "MiniLM + LR, tuned (C)": GridSearchCV(
            make_pipeline(minilm, lr), {"logisticregression__C": [0.3, 1.0, 3.0, 10.0, 30.0]},
            cv=inner),
        "TF-IDF + MiniLM stacked + LR, tuned (C)": GridSearchCV(
            Pipeline([("stack", make_union(words, minilm)), ("logisticregression", lr)]),
            {"logisticregression__C": [2.0, 5.0, 10.0]}, cv=inner),
        "TF-IDF + MiniLM + profile stacked + LR, tuned (C)": GridSearchCV(
            Pipeline([("stack", make_union(words, minilm, log_profile)),
                      ("logisticregression", lr)]),
            {"logisticregression__C": [2.0, 5.0, 10.0]}, cv=inner),
    }
    keys = [] if args.kim_baselines_only else (args.kim_inputs or list(KIM_INPUTS))
    if args.skip_tfidf_baseline:
        baselines = {k: v for k, v in baselines.items() if "MiniLM" in k}
    if args.no_minilm:  # only what reads no MiniLM feature
        baselines = {k: v for k, v in baselines.items() if "MiniLM" not in k}
        keys = [k for k in keys if "caption" not in KIM_INPUTS[k][1].get("channels", ["caption"])]
    folds = list(GroupKFold(args.kim_folds).split(np.zeros(len(y)), y, groups))
    res = {"accounts": len(frame), "sample": sample, "posts": X_dense.n_posts,
           "posts_per_account": {"1": int(np.sum(bucket == "1")),
                                 "2-3": int(np.sum(bucket == "2-3")),
                                 "4+": int(np.sum(bucket == "4+"))},
           "feature_seconds": secs, "language": lang,
           "profiler_settings": {**KIM_PROFILER, "batch_size": args.kim_batch_size},
           "models": {}}

    def record(name, preds, acc, f1, fit_s, infer_s, chosen=None):
        by = {b: float(np.mean(preds[bucket == b] == y[bucket == b])) for b in ("1", "2-3", "4+")}
        entry = {"accuracy": summary(acc), "f1_macro": summary(f1), "fit_seconds": fit_s,
                 "infer_accounts_per_s": infer_s, "accuracy_by_posts": by}
        if chosen:
            entry["chosen_params"] = chosen
        res["models"][name] = entry
        print(f"  {name:52s} acc {np.mean(acc):.3f} ± {np.std(acc):.3f}  F1 {np.mean(f1):.3f} ± "
              f"{np.std(f1):.3f}  | by posts 1: {by['1']:.3f}, 2-3: {by['2-3']:.3f}, 4+: "
              f"{by['4+']:.3f} | fit {fit_s:.1f} s/fold, infer {infer_s:,.0f} acc/s", flush=True)
        if args.save is not None:
            args.save("kim-inputs", res)

    if not args.kim_inputs or args.no_minilm:  # a subset of the profiler rows runs without
        # the baselines (but --no-minilm runs its TF-IDF baseline)
        for name, model in baselines.items():
            preds = np.empty(len(y), dtype=object)
            acc, f1, fit_s, infer_s, chosen = [], [], [], [], []
            for train, test in folds:
                m = clone(model)
                t = time.perf_counter()
                m.fit(framed.iloc[train], y[train], groups=groups[train])
                fit_s.append(time.perf_counter() - t)
                t = time.perf_counter()
                p = m.predict(framed.iloc[test])
                infer_s.append(len(test) / (time.perf_counter() - t))
                chosen.append({k: str(v) for k, v in m.best_params_.items()})
                preds[test] = p
                acc.append(accuracy_score(y[test], p))
                f1.append(f1_score(y[test], p, average="macro"))
            record(name, preds, acc, f1, float(np.mean(fit_s)), float(np.mean(infer_s)), chosen)

    for key in keys:
        name, params = KIM_INPUTS[key]
        params = dict(params)
        dense_only = params.pop("dense_only", False)
        preds = np.empty(len(y), dtype=object)
        acc, f1, fit_s, infer_s, chosen = [], [], [], [], []
        for train, test in folds:
            if dense_only:
                X = PostFeatures(X_dense.values, X_dense.offsets, mask=X_dense.mask,
                                 feature_names=X_dense.feature_names,
                                 account_extras=X_dense.account_extras)
            else:  # the lexical channels: buckets and IDF from the training posts only
                t = time.perf_counter()
                sparse = {}
                for field, key_ in (("caption", "caption_words"),
                                    ("image_description", "image_words")):
                    tf = HashedTfidf(text_field=field).fit(frame.iloc[train])
                    sparse[key_] = tf.transform_posts(frame).sparse["tfidf"]
                X = PostFeatures(X_dense.values, X_dense.offsets, mask=X_dense.mask,
                                 feature_names=X_dense.feature_names, sparse=sparse,
                                 account_extras=X_dense.account_extras)
            grid = params.pop("grid", None)
            model = AttentiveProfiler(**{**KIM_PROFILER, "batch_size": args.kim_batch_size},
                                      **params)
            if grid is not None:
                params["grid"] = grid
                model = GridSearchCV(model, grid, cv=inner)
            t = time.perf_counter()
            if grid is None:
                model.fit(X[train], y[train])
            else:
                model.fit(X[train], y[train], groups=groups[train])
                chosen.append({k: str(v) for k, v in model.best_params_.items()})
            fit_s.append(time.perf_counter() - t)
            t = time.perf_counter()
            p = model.predict(X[test])
            infer_s.append(len(test) / (time.perf_counter() - t))
            preds[test] = p
            acc.append(accuracy_score(y[test], p))
            f1.append(f1_score(y[test], p, average="macro"))
        record(name, preds, acc, f1, float(np.mean(fit_s)), float(np.mean(infer_s)),
               chosen or None)
    return res


def run_speed(args):
    from skinfluence.profiling._module import (
        BucketLoader,
        JointLoss,
        PostAttentionNet,
        PostBatchDataset,
        passthrough,
    )

    X, y_names, _ = encode_creators(0.3, args.n_accounts, args.cache_dir)
    classes, y = np.unique(y_names, return_inverse=True)
    n_epochs = 6
    est = AttentiveProfiler(max_epochs=n_epochs, batch_size=16, device="cpu", random_state=0)
    t = time.perf_counter()
    est.fit(X, y_names)
    fit_total = time.perf_counter() - t
    skorch_epochs = [row["dur"] for row in est.history_][1:]  # the first epoch warms up

    # the plain loop: same module, loss, optimizer, batches (the profiler's own dataset)
    post_classes, codes = np.unique(X.extras["label"].astype(str), return_inverse=True)
    ds = PostBatchDataset(X.values, X.offsets, X.mask, y.astype(np.int64), codes.astype(np.int64))
    torch.manual_seed(0)
    module = PostAttentionNet(X.n_features, len(classes), len(post_classes))
    criterion = JointLoss(0.5)
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)
    plain_epochs = []
    for _ in range(n_epochs):
        module.train()
        t = time.perf_counter()
        for Xi, yi in BucketLoader(ds, batch_size=16, collate_fn=passthrough):
            optimizer.zero_grad()
            loss = criterion(module(Xi["values"], Xi["mask"]), yi)
            loss.backward()
            optimizer.step()
        plain_epochs.append(time.perf_counter() - t)
    plain_epochs = plain_epochs[1:]

    t = time.perf_counter()
    est.predict_proba(X)
    infer = time.perf_counter() - t
    module.eval()
    t = time.perf_counter()
    with torch.inference_mode():
        for start in range(0, len(X), 16):
            (Xi, _), _ = ds.batch(np.arange(start, min(start + 16, len(X))))
            module(Xi["values"], Xi["mask"])
    plain_infer = time.perf_counter() - t
    # the mixture attention: same settings, its own module (epoch and inference time)
    mix = AttentiveProfiler(attention="mixture", max_epochs=n_epochs, batch_size=16,
                            device="cpu", random_state=0).fit(X, y_names)
    mix_epoch = float(np.median([row["dur"] for row in mix.history_][1:]))
    t = time.perf_counter()
    mix.predict_proba(X)
    mix_infer = time.perf_counter() - t
    sk, pl = float(np.median(skorch_epochs)), float(np.median(plain_epochs))
    print(f"\n== speed ({len(X)} accounts, {X.n_posts:,} posts, 384 features, batch 16, CPU, "
          f"{torch.get_num_threads()} torch thread)")
    print(f"  training epoch: AttentiveProfiler {sk:.3f} s, plain PyTorch loop {pl:.3f} s "
          f"-> overhead {sk / pl:.2f}x (goal <= 1.2x); {len(X) / sk:,.0f} accounts/s")
    print(f"  inference (all accounts): AttentiveProfiler {infer:.3f} s "
          f"({len(X) / infer:,.0f} accounts/s), plain loop in account order {plain_infer:.3f} s")
    print(f"  whole fit ({n_epochs} epochs, with set-up): {fit_total:.2f} s")
    print(f"  attention='mixture': training epoch {mix_epoch:.3f} s ({len(X) / mix_epoch:,.0f} "
          f"accounts/s), inference {mix_infer:.3f} s ({len(X) / mix_infer:,.0f} accounts/s)")
    return {"accounts": len(X), "posts": X.n_posts, "batch_size": 16,
            "epoch_seconds_profiler": skorch_epochs, "epoch_seconds_plain": plain_epochs,
            "epoch_median_profiler": sk, "epoch_median_plain": pl, "overhead": sk / pl,
            "train_accounts_per_s": len(X) / sk, "infer_seconds": infer,
            "infer_accounts_per_s": len(X) / infer, "plain_infer_seconds": plain_infer,
            "fit_seconds": fit_total, "mixture_epoch_median": mix_epoch,
            "mixture_train_accounts_per_s": len(X) / mix_epoch,
            "mixture_infer_seconds": mix_infer, "mixture_infer_accounts_per_s": len(X) / mix_infer,
            "gpu": "no GPU on this machine: not measured"}


def merge_synthetic(old, new):
    """``old`` synthetic results with the rows (and attention stats) of ``new`` merged in."""
    out = copy.deepcopy(old)
    for level, res in new.items():
        if level not in out:
            out[level] = res
            continue
        for name, entry in res["models"].items():
            out[level]["models"].setdefault(name, {}).update(entry)
        out[level].update({k: v for k, v in res.items() if k.startswith("attention")})
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=["all", "synthetic", "kim", "speed", "diagnose",
                                           "kim-inputs"],
                        default="all", help="'diagnose' (not in 'all'): attention variants on "
                        "64 accounts")
    parser.add_argument("--quick", action="store_true", help="smoke run: small data, 2 folds")
    parser.add_argument("--n-accounts", type=int, default=320)
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--kim-folds", type=int, default=5)
    parser.add_argument("--kim-accounts", type=int, default=None,
                        help="a stratified sample of this many Kim accounts (default: all)")
    parser.add_argument("--cache-dir", type=Path, default=CACHE)
    parser.add_argument("--off-topic", type=float, nargs="+", default=[0.3, 0.5])
    parser.add_argument("--curve-at", type=float, nargs="*", default=[0.5],
                        help="off-topic levels at which accuracy vs posts per account is measured")
    parser.add_argument("--models", nargs="+", choices=list(VARIANTS),
                        default=list(DEFAULT_VARIANTS),
                        help="profiler variants of the synthetic and kim parts; a subset runs "
                        "only those (no baselines) and merges its rows into the results on disk")
    parser.add_argument("--baselines-only", action="store_true",
                        help="synthetic part: the tuned baselines (and the reference) only, "
                        "merged into the results on disk")
    parser.add_argument("--no-minilm", action="store_true",
                        help="kim-inputs part: only the rows that read no MiniLM feature (tuned "
                        "TF-IDF; the lexical + account profiler), without encoding")
    parser.add_argument("--skip-tfidf-baseline", action="store_true",
                        help="kim-inputs part: leave out the tuned TF-IDF baseline (run by "
                        "--no-minilm)")
    parser.add_argument("--no-language", action="store_true",
                        help="kim-inputs part: skip the language detection of the captions")
    parser.add_argument("--kim-baselines-only", action="store_true",
                        help="kim-inputs part: the tuned baselines only (to run the baselines "
                        "and the profiler rows as separate processes, each with its --out)")
    parser.add_argument("--kim-batch-size", type=int, default=KIM_PROFILER["batch_size"],
                        help="kim-inputs part: the profiler's batch size (32 for the 2,000-account "
                        "sample, 128 on all accounts as in the kim part)")
    parser.add_argument("--out", type=Path, default=None,
                        help="results file (default benchmarks/results/profiler.json, "
                        "profiler_quick.json with --quick); a smaller run writes its own")
    parser.add_argument("--kim-inputs", nargs="+", choices=list(KIM_INPUTS), default=None,
                        help="kim-inputs part: only these profiler rows (no baselines), merged "
                        "into the results on disk")
    args = parser.parse_args()

    if args.quick:
        args.n_accounts, args.folds, args.kim_folds = 24, 2, 2
    torch.set_num_threads(1)
    out_path = args.out or RESULTS / ("profiler_quick.json" if args.quick else "profiler.json")
    result = json.loads(out_path.read_text()) if out_path.exists() else {}
    result["machine"] = {"cpu_cores": os.cpu_count(), "gpu": torch.cuda.is_available(),
                         "torch_threads": 1, "python": platform.python_version(),
                         "torch": torch.__version__}
    command = "python benchmarks/bench_profiler.py " + " ".join(a for a in sys.argv[1:])
    result.pop("command", None)
    # one entry per part: the parts may come from separate runs (each updates this file)
    parts = ["synthetic", "kim", "speed"] if args.part == "all" else [args.part]
    subset = args.part in ("all", "synthetic", "kim") and set(args.models) != set(DEFAULT_VARIANTS)
    # a run of a subset of the variants keeps the command of the full run of its part
    keys = [f"{part} ({' '.join(args.models)})" if part in ("synthetic", "kim") and subset
            else part for part in parts]
    if "synthetic" in keys and sorted(args.off_topic) != [0.3, 0.5]:  # other levels
        keys[keys.index("synthetic")] = f"synthetic (off_topic {' '.join(map(str, args.off_topic))})"
    result.setdefault("commands", {}).update({key: command.strip() for key in keys})
    t0 = time.perf_counter()

    def save(key=None, value=None):
        # merge with what is on disk now: parts may run as separate (even concurrent) runs
        on_disk = json.loads(out_path.read_text()) if out_path.exists() else {}
        if key == "synthetic":  # new levels (and rows) are added to those already measured
            value = merge_synthetic(on_disk.get("synthetic", result.get("synthetic", {})), value)
        if key == "kim" and set(args.models) != set(DEFAULT_VARIANTS) and "kim" in on_disk:
            value = {**on_disk["kim"], "models": {**on_disk["kim"]["models"], **value["models"]}}
        if key == "kim-inputs" and args.kim_inputs and "kim-inputs" in on_disk:
            value = {**on_disk["kim-inputs"],
                     "models": {**on_disk["kim-inputs"]["models"], **value["models"]}}
        if key is not None:
            result[key] = value
        mine = parts + ["synthetic_settings"] if "synthetic" in parts else parts
        for name, entry in on_disk.items():
            if name == "commands":
                result["commands"] = {**entry, **result["commands"]}
            elif name not in mine:
                result[name] = entry
        RESULTS.mkdir(parents=True, exist_ok=True)
        out_path.write_text(json.dumps(result, indent=2))

    args.save = save
    if args.part in ("all", "synthetic"):
        if set(args.models) == set(DEFAULT_VARIANTS):
            before = result.get("synthetic_settings", {})
            result["synthetic_settings"] = {
                **before, "n_accounts": args.n_accounts, "folds": args.folds,
                "profiler": PROFILER, "n_posts": [50, 300],
                "off_topic": sorted(set(before.get("off_topic", [])) | set(args.off_topic)),
                "curve_at": sorted(set(before.get("curve_at", [])) | set(args.curve_at))}
        else:
            on_disk = json.loads(out_path.read_text()) if out_path.exists() else {}
            settings = on_disk.get("synthetic_settings", result.get("synthetic_settings", {}))
            settings.setdefault("variant_runs", {})[
                f"{' '.join(args.models)} (off_topic {' '.join(map(str, args.off_topic))})"] = {
                "off_topic": args.off_topic, "curve_at": args.curve_at, "profiler": PROFILER}
            result["synthetic_settings"] = settings
        save("synthetic", run_synthetic(args))
    if args.part in ("all", "kim"):
        save("kim", run_kim(args))
    if args.part == "diagnose":
        save("diagnosis", run_diagnose(args))
    if args.part == "kim-inputs":
        save("kim-inputs", run_kim_inputs(args))
    if args.part in ("all", "speed"):
        save("speed", run_speed(args))
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")
    save()
    print(f"saved {out_path}")


if __name__ == "__main__":
    main()
