"""Command line: `ma-ice fetch | process | codebook | downloads | notebooks`."""

from __future__ import annotations

import argparse
import sys

from . import config
from .errors import ProjectError


def _mirror(args) -> "config.Path | None":
    return config.mirror_dir(args.mirror)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ma-ice", description=__doc__)
    parser.add_argument("--mirror", help=f"offline data mirror folder (default: ${config.MIRROR_ENV}; unset = download)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("fetch", help="download (or copy from the mirror) and verify every input file")
    p = sub.add_parser("process", help="build the tidy tables in data/processed/ from verified inputs")
    p.add_argument("tables", nargs="*", help="only these tables (default: all)")
    sub.add_parser("codebook", help="write data/processed/CODEBOOK.md from the table schemas")
    sub.add_parser("downloads", help="write reports/data/*.csv (measures, covariates) and their README")
    p = sub.add_parser("notebooks", help="execute the registered notebooks (papermill) and render HTML reports")
    p.add_argument("ids", nargs="*", help="only these notebook ids (default: all in notebooks/registry.yaml)")
    p.add_argument("--force", action="store_true", help="rerun even the runs whose inputs are unchanged")
    p.add_argument("--workers", type=int, help="parallel worker processes (default: number of cores)")
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch":
            from .fetch import fetch_all

            mirror = _mirror(args)
            where = f"mirror {mirror}" if mirror else "upstream URLs"
            print(f"fetching inputs from {where} into {config.raw_dir()}", file=sys.stderr)
            files = fetch_all(mirror)
            print(f"{len(files)} input files verified (sha256)", file=sys.stderr)
        elif args.command == "process":
            from .process import process_all

            process_all(args.tables or None)
        elif args.command == "codebook":
            from .codebook import write_codebook

            path = write_codebook()
            print(f"wrote {path}", file=sys.stderr)
        elif args.command == "downloads":
            from .downloads import write_downloads

            for name, rows in write_downloads().items():
                print(f"  wrote reports/data/{name} ({rows:,} rows)", file=sys.stderr)
        elif args.command == "notebooks":
            from .build import build_notebooks

            build_notebooks(args.ids or None, workers=args.workers, force=args.force)
    except ProjectError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
