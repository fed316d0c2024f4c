"""Brand-to-creator ranking on MIR-protocol synthetic data (Gan et al., MM 2019).

Data, per seed: ``make_creators(3700, n_topics=12, n_brands=360, n_posts=(4, 8),
brand_posts=(10, 15), images="bytes")``: 360 brands in 12 categories with post histories
of their own (10-15 posts), 3,700 creators (4-8 posts each), about 11 positive creators
per brand drawn by competence.
``unseen_split(positives, test_size=74)``: 74 test brands x their positive creators as
candidates (unseen brands *and* unseen candidates, as in the paper), the other 286 brands
x the other positive creators for training.

Features per post: text by MiniLM (``SentenceEmbedder``, all-MiniLM-L6-v2, 384-D) and
image by a timm ResNet-10 without pretrained weights at 32 px (``ImageEmbedder``,
512-D; no weights can be downloaded here, so images carry colour and texture only).
They are cached under ``~/.cache/skinfluence/bench_listwise``.

Training rows (``split_pairs``): every training brand with its positives among the
training creators (target: competence rank grade 1-4 within the brand) and
``--negatives`` (50) other training creators drawn at random (target 0); the explicit
pair matrix of the gradient-boosting and MLP baselines would otherwise need 286 x 2,800
x 1,792 floats. Test rows: the full grid of 74 brands x their candidates.

Models: random; cosine similarity of mean-pooled embeddings (SBR-style, no training:
``QueryCandidates.cosine``); LightGBM lambdarank on the concatenated pooled features
(``BoostedRanker``); a ListNet MLP on the same concatenation (a small torch MLP trained on
the same K-buckets lists); the MIR model as the paper's best (``ListwiseRanker``:
engagement-weighted history pooling, bilinear fusion, ListNet, K-buckets) for K = 2, 4
and 6; MIR variants: mean pooling, attention pooling (ours), concatenation instead of
bilinear fusion, full lists instead of K-buckets, and MIR plus a learned residual cosine
similarity of the pooled histories (ours).

Two ceiling rows, which are not models: they read the generator's hidden truth.
"topic match" scores a (brand, creator) row by whether the creator's topic is the
brand's category (ties broken at random): the best any model can do from what the posts
show (captions and images carry the topic; the creator's quality and engagement, which
also drive the competence, are not in the post features). "competence" scores a row by
the competence that drew the positives.

Tuning: each model family gets the same budget: 3 values of its main hyper-parameter
(LightGBM: ``num_leaves`` 15, 63, 255; the MLP and MIR: ``lr`` 0.001, 0.003, 0.01),
chosen on held-out grids built like the test grid: two ``unseen_split`` draws inside the
first seed's training brands (a fifth of them and their creators held out), training
rows as above, score R@50 on the held-out brands x held-out creators. The chosen value is
used for all seeds. The MIR variants (K = 2 and 6, pooling, fusion, full lists, residual)
reuse the learning rate chosen for MIR K = 4: they are variants of one model, not
baselines.

Metrics on the test grid: AUC, cAUC (negatives of the brand's category), R@10, R@50,
MedR, NDCG@10; mean and std over seeds.

Speed, same run: a MIR training epoch through skorch against a plain torch loop over
the same module and lists (the whole one-epoch fit, and the epoch alone); BoostedRanker
against raw ``LGBMRanker`` on sorted rows. ``--speed-only`` measures just these, on the
first seed's data, and merges them into the results on disk.

Run ``python benchmarks/bench_listwise.py`` (``--seeds 0 1 2``, ``--quick`` for a small
smoke run); writes ``benchmarks/results/listwise.json``.
"""

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import sklearn
import torch
from sklearn.base import BaseEstimator

from skinfluence.datasets import make_creators
from skinfluence.features import ImageEmbedder, PostEncoder, SentenceEmbedder
from skinfluence.metrics import (
    category_auc,
    median_rank,
    ndcg_at_k,
    query_auc,
    recall_at_k,
)
from skinfluence.ranking import (
    BoostedRanker,
    ListwiseRanker,
    make_queries,
    split_pairs,
    unseen_split,
)

RESULTS = Path(__file__).parent / "results" / "listwise.json"
CACHE = Path.home() / ".cache" / "skinfluence" / "bench_listwise"


# ------------------------------------------------------------------------ data


class Posts:
    """A picklable ragged store (values, offsets, mask, extras) read from the cache."""

    def __init__(self, values, offsets, mask, engagement):
        self.values, self.offsets, self.mask = values, offsets, mask
        self.extras = {"engagement": engagement}


def encode(frame, tag, quick):
    """Per-post text and image features of an account frame (cached)."""
    path = CACHE / f"{tag}.npz"
    if path.exists():
        z = np.load(path)
        return {m: Posts(z[f"{m}_values"], z[f"{m}_offsets"], z[f"{m}_mask"], z["engagement"])
                for m in ("text", "image")}
    out = {}
    for m, extractor in (("text", SentenceEmbedder(batch_size=64)),
                         ("image", ImageEmbedder("resnet10t", pretrained=False, input_size=32,
                                                 batch_size=256, random_state=0))):
        t0 = time.perf_counter()
        pf = PostEncoder([(m, extractor)], engagement_fields=["likes", "comments"]).fit_transform(
            frame)
        out[m] = Posts(pf.values, pf.offsets, pf.mask,
                       np.log1p(np.nan_to_num(pf.extras["engagement"], nan=0.0)))
        print(f"  encoded {m} of {len(frame)} accounts ({pf.n_posts} posts) in "
              f"{time.perf_counter() - t0:.0f} s", flush=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, engagement=out["text"].extras["engagement"],
             **{f"{m}_{k}": getattr(out[m], k) for m in out for k in ("values", "offsets", "mask")})
    return out


class Task:
    """One seed's data: feature stores of every account, graded positives, the split."""

    def __init__(self, seed, quick, negatives):
        n_creators, n_brands, n_test = (600, 60, 12) if quick else (3700, 360, 74)
        data = make_creators(n_creators, n_topics=12, n_brands=n_brands, n_posts=(4, 8),
                             brand_posts=(10, 15), images="bytes", image_size=32,
                             random_state=seed)
        self.data, self.seed, self.negatives = data, seed, negatives
        self.split = unseen_split(data.positives, test_size=n_test, random_state=seed)
        self.pool = np.union1d(self.split.train_candidates, self.split.test_candidates)
        tag = f"{'quick' if quick else 'full'}_seed{seed}"
        self.brand_feats = encode(data.brand_accounts, f"{tag}_brands", quick)
        self.creator_feats = encode(data.accounts.iloc[self.pool].reset_index(drop=True),
                                    f"{tag}_creators", quick)
        pos = data.positives
        grade = 1 + np.minimum(3, (pos["rank_in_brand"].to_numpy() - 1) * 4 //
                               pos.groupby("brand_id")["rank_in_brand"].transform("max")
                               .to_numpy())
        self.positives = pos.assign(relevance=5 - grade)  # a brand's best get 4, its last 1
        pairs = split_pairs(self.positives, self.split, negatives=negatives,
                            relevance="relevance", random_state=seed)
        self.train = self.rows(pairs.train)
        self.test = self.rows(pairs.test)
        q_te, X_te = self.test[2], self.test[0]
        brand_cat = data.brands.set_index("brand_id")["category"]
        creator = X_te.candidate_ids[X_te.candidate_index]
        self.same_cat = brand_cat[q_te].to_numpy() == data.topic[creator]
        # the hidden truth, for the ceiling rows: the competence that drew the positives
        self.competence = data.competence[q_te, creator]
        self.info = {"n_train_rows": len(self.train[0]), "n_test_rows": len(X_te),
                     "n_train_brands": len(self.split.train_queries),
                     "n_test_brands": len(self.split.test_queries),
                     "n_train_candidates": len(self.split.train_candidates),
                     "n_test_candidates": len(self.split.test_candidates),
                     "n_test_positives": int(self.test[1].sum())}

    def rows(self, pairs):
        return make_queries(self.brand_feats, self.data.brands.brand_id.to_numpy(),
                            self.creator_feats, self.pool, pairs)

    def inner_splits(self, n=2):
        """Held-out grids inside the training part, built as the test grid is built.

        Each: an unseen_split of the training brands' positives among the training
        candidates (20 % of those brands held out with their creators); training rows
        as for the outer task; the held-out brands x held-out creators as the grid.
        """
        pos = self.positives
        inner = pos[pos.brand_id.isin(self.split.train_queries)
                    & pos.account_id.isin(self.split.train_candidates)]
        for r in range(n):
            sp = unseen_split(inner, test_size=0.2, random_state=1000 * self.seed + r)
            pairs = split_pairs(inner, sp, negatives=self.negatives, relevance="relevance",
                                random_state=1000 * self.seed + r)
            yield self.rows(pairs.train), self.rows(pairs.test)


def evaluate(y, s, qid, same_cat):
    return {"auc": query_auc(y, s, qid=qid),
            "cauc": category_auc(y, s, qid=qid, same_category=same_cat),
            "r@10": recall_at_k(y, s, qid=qid, k=10), "r@50": recall_at_k(y, s, qid=qid, k=50),
            "medr": median_rank(y, s, qid=qid), "ndcg@10": ndcg_at_k(y, s, qid=qid, k=10)}


# ---------------------------------------------------------------------- models


class ListNetMLP(BaseEstimator):
    """Baseline: an MLP over [brand, creator] pooled features, ListNet on K-buckets lists."""

    def __init__(self, hidden_size=256, lr=1e-3, k=4, max_epochs=20, random_state=0):
        self.hidden_size, self.lr, self.k = hidden_size, lr, k
        self.max_epochs, self.random_state = max_epochs, random_state

    def fit(self, X, y, qid=None):
        from skinfluence.ranking._mir_module import ListDataset, listnet_loss

        torch.manual_seed(self.random_state)
        q, c = X.pooled("mean")
        d = q.shape[1] + c.shape[1]
        self.net_ = torch.nn.Sequential(torch.nn.Linear(d, self.hidden_size), torch.nn.ReLU(),
                                        torch.nn.Dropout(0.1),
                                        torch.nn.Linear(self.hidden_size, 1))
        _, codes = np.unique(X.qid, return_inverse=True)
        ds = ListDataset(X.query_index, X.candidate_index, np.asarray(y, float), codes,
                         gather_query=lambda i: {"v": torch.from_numpy(q[i])},
                         gather_candidates=lambda i: {"v": torch.from_numpy(c[i])},
                         sampling="k-buckets", k=self.k, lists_per_positive=1,
                         seed=self.random_state)
        opt = torch.optim.Adam(self.net_.parameters(), lr=self.lr)
        rng = np.random.default_rng(self.random_state)
        for _ in range(self.max_epochs):
            order = rng.permutation(len(ds))
            for start in range(0, len(order), 64):
                batch, target = ds.__getitems__(order[start:start + 64])
                qv = batch["query"]["v"][:, None, :].expand(-1, target.shape[1], -1)
                x = torch.cat([qv, batch["candidates"]["v"]], dim=-1)
                s = self.net_(x).squeeze(-1)
                loss = listnet_loss(s, target, batch["mask"])
                opt.zero_grad()
                loss.backward()
                opt.step()
        self.q_dim_ = q.shape[1]
        return self

    def predict(self, X):
        q, c = X.pooled("mean")
        self.net_.eval()
        out = []
        with torch.inference_mode():
            for start in range(0, len(X), 100_000):
                sl = slice(start, start + 100_000)
                x = np.hstack([q[X.query_index[sl]], c[X.candidate_index[sl]]])
                out.append(self.net_(torch.from_numpy(x)).squeeze(-1).numpy())
        return np.concatenate(out)


# MIR as the paper's best: engagement-weighted history pooling, bilinear fusion, ListNet
MIR = dict(hidden_size=256, embedding_size=128, pooling="weighted", pooling_weight="engagement",
           max_posts=8, fusion="bilinear", sampling="k-buckets", k=4, lr=1e-3, max_epochs=20,
           batch_size=64, device="auto", random_state=0)


def model_specs(quick):
    """name -> (factory, tuned parameter, values, family whose tuning it reuses)."""
    epochs = 3 if quick else MIR["max_epochs"]
    mir = {**MIR, "max_epochs": epochs}
    lrs = [1e-3, 3e-3, 1e-2]
    return {
        "mir k=4": (lambda **p: ListwiseRanker(**{**mir, "k": 4, **p}), "lr", lrs, None),
        "lightgbm lambdarank": (
            lambda **p: BoostedRanker(n_estimators=200, colsample_bytree=0.5,
                                      random_state=0, **p), "num_leaves", [15, 63, 255], None),
        "listnet mlp": (lambda **p: ListNetMLP(max_epochs=epochs, **p), "lr", lrs, None),
        "mir mean pooling": (lambda **p: ListwiseRanker(**{**mir, "pooling": "mean", **p}),
                             "lr", lrs, "mir k=4"),
        "mir attention pooling (ours)": (
            lambda **p: ListwiseRanker(**{**mir, "pooling": "attention", **p}),
            "lr", lrs, "mir k=4"),
        "mir concat fusion": (lambda **p: ListwiseRanker(**{**mir, "fusion": "concat", **p}),
                              "lr", lrs, "mir k=4"),
        "mir k=2": (lambda **p: ListwiseRanker(**{**mir, "k": 2, **p}), "lr", lrs, "mir k=4"),
        "mir k=6": (lambda **p: ListwiseRanker(**{**mir, "k": 6, **p}), "lr", lrs, "mir k=4"),
        "mir full lists": (lambda **p: ListwiseRanker(**{**mir, "sampling": "full",
                                                         "batch_size": 8, **p}),
                           "lr", lrs, "mir k=4"),
        "mir + residual similarity (ours)": (
            lambda **p: ListwiseRanker(**{**mir, "residual_similarity": True, **p}),
            "lr", lrs, "mir k=4"),
    }


def tune(make, param, values, task):
    """The value of ``param`` with the best mean R@50 on the task's inner held-out grids."""
    scores = {v: [] for v in values}
    for (X, y, qid), (X_va, y_va, q_va) in task.inner_splits():
        for v in values:
            est = make(**{param: v}).fit(X, y, qid=qid)
            scores[v].append(recall_at_k(y_va, est.predict(X_va), qid=q_va, k=50))
    scores = {v: float(np.mean(s)) for v, s in scores.items()}
    best = max(scores, key=scores.get)
    return best, scores


# ------------------------------------------------------------------------- speed


def epoch_overhead(X, y, quick):
    """One MIR training epoch through skorch against a plain torch loop, same lists.

    The plain loop builds the same module from the ranker's own settings, the same
    list dataset, optimizer and loss, and iterates in a random order as skorch does.
    One untimed warm-up of each (imports, allocator), then best of 7, alternating.
    Two figures: the whole one-epoch fit (validation, history pooling, setup and the
    epoch) and the epoch alone (skorch's epoch timer against the loop's).
    """
    from skinfluence.ranking._mir_module import ListDataset, ListLoss, MIRNet

    params = {**MIR, "max_epochs": 1, "device": "cpu", "random_state": 0}

    def through_skinfluence():
        t0 = time.perf_counter()
        ranker = ListwiseRanker(**params).fit(X, y)
        return time.perf_counter() - t0, ranker.history_[-1]["dur"]

    def plain_torch():
        t0 = time.perf_counter()
        torch.manual_seed(0)
        ranker = ListwiseRanker(**params)
        qs, cs = ranker._sides(X)
        _, codes = np.unique(X.qid, return_inverse=True)
        ds = ListDataset(X.query_index, X.candidate_index, y, codes, gather_query=qs.gather,
                         gather_candidates=cs.gather, sampling="k-buckets", k=params["k"],
                         lists_per_positive=1, seed=0)
        net = MIRNet(**ranker._module_kwargs(qs.dims()))
        opt = torch.optim.Adam(net.parameters(), lr=params["lr"])
        crit = ListLoss("listnet")
        t1 = time.perf_counter()
        order = np.random.default_rng(0).permutation(len(ds))
        for start in range(0, len(order), params["batch_size"]):
            batch, target = ds.__getitems__(order[start:start + params["batch_size"]])
            loss = crit(net(**batch), target)
            opt.zero_grad()
            loss.backward()
            opt.step()
        end = time.perf_counter()
        return end - t0, end - t1

    runs = {"skinfluence": through_skinfluence, "torch": plain_torch}
    times = {k: [] for k in runs}
    for run in runs.values():  # warm-up, untimed
        run()
    for _ in range(2 if quick else 7):
        for name, run in runs.items():
            times[name].append(run())
    best = {k: min(t for t, _ in v) for k, v in times.items()}
    best["ratio"] = best["skinfluence"] / best["torch"]
    # the epoch alone: skorch's own epoch timer against the loop, setup excluded
    best["epoch_skinfluence"] = min(e for _, e in times["skinfluence"])
    best["epoch_torch"] = min(e for _, e in times["torch"])
    best["epoch_ratio"] = best["epoch_skinfluence"] / best["epoch_torch"]
    best["repeats"] = len(times["torch"])
    return best


def lgbm_overhead(X, y, qid):
    import lightgbm as lgb

    Z = X.pair_features()
    order = np.argsort(qid, kind="stable")
    _, sizes = np.unique(qid[order], return_counts=True)
    times = {"skinfluence": [], "raw": []}
    for _ in range(3):
        t0 = time.perf_counter()
        BoostedRanker(n_estimators=100, random_state=0).fit(X, y)
        times["skinfluence"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        Zs = X.pair_features()[order]  # the user pools and sorts too
        lgb.LGBMRanker(n_estimators=100, learning_rate=0.05, deterministic=True,
                       force_row_wise=True, n_jobs=1, verbose=-1, random_state=0,
                       label_gain=list(2.0 ** np.arange(31) - 1)).fit(
            Zs, y[order].astype(int), group=sizes)
        times["raw"].append(time.perf_counter() - t0)
    best = {k: min(v) for k, v in times.items()}
    best["ratio"] = best["skinfluence"] / best["raw"]
    del Z
    return best


# -------------------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--negatives", type=int, default=50)
    parser.add_argument("--models", nargs="*", default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--speed-only", action="store_true",
                        help="only the speed comparisons, on the first seed's data, merged "
                        "into the results on disk")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", "2")))
    specs = model_specs(args.quick)
    if args.models:
        specs = {k: v for k, v in specs.items() if k in args.models}
    results = {"rows": {}, "tuning": {}, "data": {}, "speed": {}}
    if args.out.exists() and not args.quick:
        results = json.loads(args.out.read_text())
    for seed in args.seeds:
        t0 = time.perf_counter()
        task = Task(seed, args.quick, args.negatives)
        (X_tr, y_tr, q_tr), (X_te, y_te, q_te) = task.train, task.test
        same = task.same_cat
        results["data"][str(seed)] = task.info
        print(f"seed {seed}: {task.info} ({time.perf_counter() - t0:.0f} s)", flush=True)
        rng = np.random.default_rng(seed)
        fixed = {
            "random": rng.random(len(y_te)),
            "cosine (no training)": X_te.cosine(),
            # ceilings, not models: they read the generator's hidden truth
            "ceiling: topic match (hidden)": task.same_cat + 1e-3 * rng.random(len(y_te)),
            "ceiling: competence (hidden)": task.competence,
        }
        rows = {name: evaluate(y_te, s, q_te, same) for name, s in fixed.items()}
        for name in fixed:
            results["rows"].setdefault(name, {})[str(seed)] = rows[name]
        if seed == args.seeds[0] and not args.skip_speed:
            results["speed"]["mir_epoch"] = epoch_overhead(X_tr, y_tr, args.quick)
            print("  speed, MIR epoch:", results["speed"]["mir_epoch"], flush=True)
            results["speed"]["lightgbm"] = lgbm_overhead(X_tr, y_tr, q_tr)
            print("  speed, LightGBM:", results["speed"]["lightgbm"], flush=True)
            if args.speed_only:
                save(results, args.quick, out=args.out)
                return
        for name, (make, param, values, family) in specs.items():
            t1 = time.perf_counter()
            key = family or name
            if key not in results["tuning"] or (args.quick and seed == args.seeds[0]
                                                and family is None):
                best, scores = tune(make, param, values, task)
                results["tuning"][key] = {"param": param, "scores": {str(k): v for k, v in
                                                                     scores.items()},
                                          "chosen": best, "seed": seed,
                                          "seconds": time.perf_counter() - t1}
                print(f"  tuned {key}: {param} {scores} -> {best}", flush=True)
                t1 = time.perf_counter()
            best = results["tuning"][key]["chosen"]
            est = make(**{param: best}).fit(X_tr, y_tr, qid=q_tr)
            rows[name] = evaluate(y_te, est.predict(X_te), q_te, same)
            rows[name]["fit_s"] = time.perf_counter() - t1
            print(f"  {name:<22} {param}={best}: " + "  ".join(
                f"{k} {v:.3f}" for k, v in rows[name].items()), flush=True)
            results["rows"].setdefault(name, {})[str(seed)] = rows[name]
            save(results, args.quick, quiet=True, out=args.out)  # keep what is done if cut
        for name in fixed:
            print(f"  {name:<22} " + "  ".join(f"{k} {v:.3f}" for k, v in rows[name].items()))
        save(results, args.quick, out=args.out)


def save(results, quick, quiet=False, out=RESULTS):
    """Summarise over the seeds run so far and write the results (after every model)."""
    results["machine"] = {"cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(),
                          "cuda": torch.cuda.is_available(), "python": platform.python_version(),
                          "torch": torch.__version__, "sklearn": sklearn.__version__}
    summary = {}
    for name, per_seed in results["rows"].items():
        keys = [k for k in next(iter(per_seed.values())) if k != "fit_s"]
        summary[name] = {k: (float(np.mean([r[k] for r in per_seed.values()])),
                             float(np.std([r[k] for r in per_seed.values()])))
                         for k in keys}
        summary[name]["n_seeds"] = len(per_seed)
    results["summary"] = summary
    if not quiet:
        print("\nmean +- std over seeds")
    for name, row in ({} if quiet else summary).items():
        print(f"  {name:<22} " + "  ".join(f"{k} {v[0]:.3f}±{v[1]:.3f}" for k, v in row.items()
                                           if k != "n_seeds") + f"  (seeds: {row['n_seeds']})")
    if not quick:
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(results, indent=2) + "\n")
        if not quiet:
            print(f"wrote {out}", flush=True)


if __name__ == "__main__":
    main()
