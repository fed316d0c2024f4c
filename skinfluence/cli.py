"""The ``skinfluence`` command line: ``components``, ``demo``, ``report``, ``versions``.

A thin front end: heavy modules are imported inside the commands that need them.
"""

from __future__ import annotations

import argparse
import sys

# the demo's steps live in ._demo, which imports only the standard library at load time
from ._demo import accounts_range, run_demo

__all__ = ["main", "run_demo"]


def _cmd_components(args) -> int:
    from .registry import all_components
    from .utils._optional import ALL_ONLY, EXTRAS, is_installed

    infos = all_components(kind=args.kind)
    rows = [("component", "kind", "extras", "available", "source")]
    for info in infos:
        missing = info.missing
        status = "yes" if not missing else "no: missing " + ", ".join(missing)
        rows.append((info.name, info.kind, ",".join(info.extras) or "-", status, info.source))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for k, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))
    print()
    print("optional dependencies (the extras of pyproject.toml):")
    for extra, modules in (*EXTRAS.items(), ("all", ALL_ONLY)):
        present = [f"{dist} {'yes' if is_installed(mod) else 'no'}" for mod, dist in modules]
        print(f"  [{extra}] " + ", ".join(present) + (" (and every extra above)" if extra == "all" else ""))
    return 0


def _cmd_demo(args) -> int:
    run_demo(n_accounts=args.accounts, random_state=args.random_state, quick=args.quick,
             html=args.report)
    if args.report is not None:
        print(f"\nReport written to {args.report}: open it in a web browser.")
    return 0


def _load_model(path, what, trusted=None):
    """A fitted model from a skops file (skinfluence.persistence.save) or a pickle."""
    import os

    if path is None:
        return None
    if not os.path.exists(path):
        raise SystemExit(f"skinfluence report: the {what} file {path!r} does not exist")
    if str(path).endswith(".skops"):
        from .persistence import load

        return load(path, trusted=trusted or None)
    import joblib

    return joblib.load(path)  # a pickle: only load files you made yourself


def _cmd_report(args) -> int:
    import os

    from .plotting._matplotlib import import_pyplot
    from .report import build_report
    from .scale import read_accounts

    import_pyplot("skinfluence report")
    if not os.path.exists(args.accounts):
        raise SystemExit(f"skinfluence report: {args.accounts!r} does not exist; give an account "
                         "frame saved with skinfluence.scale.write_accounts (Parquet)")
    frame = read_accounts(args.accounts)
    report = build_report(
        frame,
        segmenter=_load_model(args.segmenter, "segmenter", args.trust),
        ranker=_load_model(args.ranker, "ranker", args.trust),
        audience=_load_model(args.audience, "audience", args.trust),
        profiler=_load_model(args.profiler, "profiler", args.trust),
        title=args.title,
        subtitle=f"{len(frame):,} creators from {os.path.basename(args.accounts.rstrip('/'))}",
    )
    path = report.write(args.out)
    print(f"Report written to {path} ({os.path.getsize(path) / 1e6:.2f} MB): open it in a "
          "web browser.")
    return 0


def _cmd_versions(args) -> int:
    from ._show_versions import show_versions

    show_versions()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skinfluence",
        description="Influencer analytics as scikit-learn estimators.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("components", help="list components, their kinds and optional dependencies")
    p.add_argument("--kind", choices=None, default=None,
                   help="only this kind (extractor, aggregator, segmenter, ranker, profiler, detector)")
    p.set_defaults(func=_cmd_components)

    low, high = accounts_range()
    p = sub.add_parser("demo", help="run an end-to-end pipeline on synthetic creators")
    p.add_argument("--accounts", type=int, default=None,
                   help=f"number of synthetic creators, {low} to {high} (default 600; 200 with --quick)")
    p.add_argument("--random-state", type=int, default=0, help="seed, 0 to 2**32-1 (default 0)")
    p.add_argument("--quick", action="store_true",
                   help="a smaller, faster run: less data, fewer grid points, folds, pairs and epochs")
    p.add_argument("--report", metavar="FILE.html", default=None,
                   help="also write the demo's report as one HTML file (pictures and "
                        "downloadable tables; opens offline in any browser)")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("report", help="write an HTML report on creators (an account frame) "
                                      "with fitted models")
    p.add_argument("accounts", help="account frame: a Parquet file or folder written by "
                                    "skinfluence.scale.write_accounts")
    p.add_argument("-o", "--out", default="skinfluence-report.html",
                   help="the HTML file to write (default skinfluence-report.html)")
    p.add_argument("--segmenter", metavar="FILE",
                   help="fitted pipeline ending with KMeansSegmenter (.skops, or a pickle you "
                        "made); default: segments are computed from followers and engagement")
    p.add_argument("--ranker", metavar="FILE",
                   help="fitted PairwiseRanker on skinfluence.report.influence_items; default: "
                        "creators ranked by median likes per post")
    p.add_argument("--audience", metavar="FILE",
                   help="fitted AudienceQuality; default: fitted on the frame's 'audience' "
                        "column when it has one")
    p.add_argument("--profiler", metavar="FILE",
                   help="fitted PostEncoder -> AttentiveProfiler pipeline, for the attention "
                        "section")
    p.add_argument("--trust", metavar="TYPE", action="append", default=[],
                   help="a type to trust in the .skops files beyond skinfluence's defaults "
                        "(repeatable; the error of an untrusted file names them)")
    p.add_argument("--title", default="Creator report", help="title of the page")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("versions", help="print versions of Python and the dependencies")
    p.set_defaults(func=_cmd_versions)
    return parser


def main(argv=None) -> int:
    """Entry point of the ``skinfluence`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "kind", None) is not None:
        from .registry import KINDS

        if args.kind not in KINDS:
            parser.error(f"--kind must be one of {', '.join(KINDS)}; got {args.kind!r}")
    if args.command == "demo":
        # checked before any work, so a bad value is one line, not a traceback from a step
        low, high = accounts_range()
        if args.accounts is not None and not low <= args.accounts <= high:
            parser.error(f"--accounts must be between {low} and {high} (the demo's steps need at "
                         f"least {low} synthetic creators); got {args.accounts}")
        if not 0 <= args.random_state < 2**32:
            parser.error(f"--random-state must be between 0 and {2**32 - 1}; got {args.random_state}")
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
