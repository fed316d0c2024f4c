"""The ``skinfluence`` command line: ``components``, ``demo``, ``versions``.

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
    run_demo(n_accounts=args.accounts, random_state=args.random_state, quick=args.quick)
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
    p.set_defaults(func=_cmd_demo)

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
