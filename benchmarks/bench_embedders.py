"""SentenceEmbedder and ImageEmbedder throughput, against the libraries called directly.

Text: the same captions (distinct, non-empty, from ``make_creators``) and the same
batch size, encoded by

- the peer: ``SentenceTransformer.encode(texts, batch_size=..., normalize_embeddings=True)``
  on a loaded model;
- ``SentenceEmbedder(batch_size=...).transform(frame)`` on an account frame holding exactly
  those captions (first pass: empty cache, every caption encoded), then a second
  ``transform`` (every caption from the cache).

The two are run alternately, ``--repeat`` times each, and the best time of each is kept
(the machine is shared: alternation spreads its noise over both). The embeddings must agree.

Images: ``ImageEmbedder`` (random weights, ``pretrained=False``: the speed is the
architecture's) on PNG bytes in an account frame, against the same work written by hand
(PIL decode, timm's data-config transform, ``torch.stack``, forward under
``torch.inference_mode``) with the same batch size.

Usage::

    python benchmarks/bench_embedders.py [--texts 2000] [--images 256] [--batch-size 32]
                                         [--repeat 3] [--device auto] [--threads N]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from skinfluence import nest_posts, unnest_posts
from skinfluence.datasets import make_creators
from skinfluence.features._image import ImageEmbedder
from skinfluence.features._text import SentenceEmbedder, _resolve_source


def caption_frame(n_texts, seed=0):
    """An account frame whose posts carry ``n_texts`` distinct, non-empty captions."""
    data = make_creators(max(50, n_texts // 10), n_posts=(15, 35), random_state=seed)
    posts = unnest_posts(data.accounts)
    posts = posts[posts["text"].fillna("").str.strip() != ""].drop_duplicates("text")
    if len(posts) < n_texts:
        raise SystemExit(f"only {len(posts)} distinct captions; lower --texts")
    posts = posts.iloc[:n_texts]
    profiles = data.accounts.drop(columns=["posts"])
    profiles = profiles[profiles["account_id"].isin(posts["account_id"])]
    return nest_posts(profiles, posts), posts["text"].tolist()


def alternate(fns: dict, repeat: int, before=None):
    """Run the named functions alternately; best time and last result of each."""
    best = {k: np.inf for k in fns}
    out = {}
    for _ in range(repeat):
        for name, fn in fns.items():
            if before is not None:
                before(name)
            t = time.perf_counter()
            out[name] = fn()
            best[name] = min(best[name], time.perf_counter() - t)
    return best, out


def bench_text(args, device):
    import torch
    from sentence_transformers import SentenceTransformer

    frame, texts = caption_frame(args.texts)
    source, _ = _resolve_source("all-MiniLM-L6-v2")
    model = SentenceTransformer(source, device=device)
    ours = SentenceEmbedder(batch_size=args.batch_size, device=device, pooling=None).fit(frame)
    direct = lambda: model.encode(texts, batch_size=args.batch_size,  # noqa: E731
                                  normalize_embeddings=True, convert_to_numpy=True)
    first_pass = lambda: ours.transform_posts(frame)  # noqa: E731
    # warm-up: first calls pay one-off costs (thread pools, kernel selection)
    model.encode(texts[:64], batch_size=args.batch_size)
    SentenceEmbedder.clear_cache()
    ours.transform_posts(frame.iloc[:3])

    def clear(name):
        if name == "ours_first_pass":
            SentenceEmbedder.clear_cache()

    best, out = alternate({"direct_encode": direct, "ours_first_pass": first_pass}, args.repeat,
                          before=clear)
    np.testing.assert_allclose(out["ours_first_pass"].values, out["direct_encode"], atol=1e-4)
    cached, _ = alternate({"ours_cached": first_pass}, args.repeat)
    t_direct, t_first, t_cached = best["direct_encode"], best["ours_first_pass"], cached["ours_cached"]
    pooled = SentenceEmbedder(batch_size=args.batch_size, device=device).fit(frame)
    t_pooled_cached, _ = alternate({"pooled": lambda: pooled.transform(frame)}, args.repeat)
    return {
        "texts": len(texts), "accounts": len(frame), "batch_size": args.batch_size,
        "device": device, "torch_threads": torch.get_num_threads(),
        "seconds": {"direct_encode": t_direct, "ours_first_pass": t_first,
                    "ours_cached": t_cached, "ours_cached_pooled": t_pooled_cached["pooled"]},
        "sentences_per_s": {"direct_encode": len(texts) / t_direct,
                            "ours_first_pass": len(texts) / t_first,
                            "ours_cached": len(texts) / t_cached},
        "throughput_ratio": t_direct / t_first,
        "cached_speedup": t_first / t_cached,
    }


def bench_images(args, device, model_name, size):
    import timm
    import torch
    from PIL import Image

    data = make_creators(max(4, args.images // 8), n_posts=8, images="bytes", image_size=size,
                         random_state=0)
    frame = data.accounts
    posts = unnest_posts(frame).iloc[:args.images]
    frame = nest_posts(frame.drop(columns=["posts"]), posts)
    blobs = posts["image"].tolist()
    ours = ImageEmbedder(model_name, pretrained=False, random_state=0, device=device,
                         batch_size=args.batch_size, pooling=None).fit(frame)
    net = ours.model_
    preprocess = timm.data.create_transform(**ours.data_config_, is_training=False)

    def by_hand():
        feats = []
        with torch.inference_mode():
            for start in range(0, len(blobs), args.batch_size):
                batch = torch.stack([
                    preprocess(Image.open(io.BytesIO(b)).convert("RGB"))
                    for b in blobs[start:start + args.batch_size]
                ]).to(device)
                feats.append(net.forward_head(net.forward_features(batch), pre_logits=True).cpu())
        return torch.cat(feats).numpy()

    by_hand()  # warm-up
    best, out = alternate({"by_hand": by_hand, "ours": lambda: ours.transform_posts(frame)},
                          args.repeat)
    np.testing.assert_allclose(out["ours"].values, out["by_hand"], rtol=1e-4, atol=1e-4)
    return {
        "model": model_name, "images": len(blobs), "image_size": size,
        "input_size": list(ours.data_config_["input_size"]), "batch_size": args.batch_size,
        "device": device, "seconds": best,
        "images_per_s": {k: len(blobs) / v for k, v in best.items()},
        "throughput_ratio": best["by_hand"] / best["ours"],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--image-models", default="resnet18,efficientnet_b0")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch CPU threads (default: torch's own choice)")
    args = parser.parse_args()

    import torch

    if args.threads is not None:
        torch.set_num_threads(args.threads)

    device = "cuda" if args.device == "auto" and torch.cuda.is_available() else (
        "cpu" if args.device == "auto" else args.device)
    load_before = os.getloadavg()
    text = bench_text(args, device)
    print(f"SentenceEmbedder vs SentenceTransformer.encode: {text['texts']:,} distinct captions, "
          f"batch {args.batch_size}, {device}, {text['torch_threads']} torch thread(s), "
          f"best of {args.repeat} (alternating)")
    s, r = text["seconds"], text["sentences_per_s"]
    print(f"  SentenceTransformer.encode (peer)        {s['direct_encode']:8.3f} s  "
          f"{r['direct_encode']:8.1f} sentences/s")
    print(f"  SentenceEmbedder, first pass            {s['ours_first_pass']:8.3f} s  "
          f"{r['ours_first_pass']:8.1f} sentences/s   ratio {text['throughput_ratio']:.3f}x")
    print(f"  SentenceEmbedder, second pass (cache)   {s['ours_cached']:8.4f} s  "
          f"{r['ours_cached']:8.0f} sentences/s   speed-up {text['cached_speedup']:.0f}x")
    print(f"  same, pooled per account (mean)         {s['ours_cached_pooled']:8.4f} s")

    images = []
    for name in args.image_models.split(","):
        res = bench_images(args, device, name.strip(), 64)
        images.append(res)
        print(f"ImageEmbedder {res['model']} (random weights, input {res['input_size']}), "
              f"{res['images']} PNG images of {res['image_size']} px, batch {args.batch_size}")
        print(f"  decode + timm transform + forward by hand  {res['seconds']['by_hand']:7.3f} s  "
              f"{res['images_per_s']['by_hand']:7.1f} images/s")
        print(f"  ImageEmbedder                              {res['seconds']['ours']:7.3f} s  "
              f"{res['images_per_s']['ours']:7.1f} images/s   ratio {res['throughput_ratio']:.3f}x")

    load_after = os.getloadavg()
    print(f"load average (1, 5, 15 min): before {tuple(round(x, 2) for x in load_before)}, "
          f"after {tuple(round(x, 2) for x in load_after)} on {os.cpu_count()} CPUs")
    out = Path(__file__).with_name("results") / "embedders.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({
        "cpus": os.cpu_count(), "python": platform.python_version(), "torch": torch.__version__,
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "pandas": pd.__version__, "repeat": args.repeat,
        "command": "python benchmarks/bench_embedders.py " + " ".join(sys.argv[1:]),
        "load_average": {"before": list(load_before), "after": list(load_after),
                         "note": "1/5/15-minute load averages; the machine is shared with other "
                                 "jobs, so absolute rates are pessimistic, while the ratios compare "
                                 "runs alternated within this run"},
        "text": text, "images": images,
    }, indent=2))
    print(f"saved {out}")


if __name__ == "__main__":
    main()
