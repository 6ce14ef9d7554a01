"""Command line: `ma-ice build` (everything), or one step: fetch | process | codebook | downloads |
notebooks; `ma-ice run` reruns one notebook with new parameters into a folder; `ma-ice grade` lists what the
checks of submitted lab notebooks say."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ma_ice_coop import config
from ma_ice_coop.build.guard import build_lock
from ma_ice_coop.errors import Interrupted, ParameterError, ProjectError
from ma_ice_coop.specs.parameters import parse_value


def _mirror(args) -> "config.Path | None":
    return config.mirror_dir(args.mirror)


def _parse_params(items: list[str]) -> dict:
    """NAME=VALUE pairs; values are read as YAML (numbers, dates, true/false, lists), so -p year=2016 gives an
    int; a value that cannot be read is a clear error naming the parameter."""
    params = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"parameter {item!r} is not NAME=VALUE (e.g. -p county=Essex)")
        params[name.strip()] = parse_value(name.strip(), value)
    return params


def _writes(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """A command that writes the project's outputs: it holds the build lock (one at a time per checkout)."""
    parser.set_defaults(locked=True)
    parser.add_argument("--wait", action="store_true", help="if another build is running, wait for it to finish")
    return parser


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ma-ice", description=__doc__)
    parser.add_argument(
        "--mirror", help=f"offline data mirror folder (default: ${config.MIRROR_ENV}; unset = download)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = _writes(sub.add_parser("fetch", help="download (or copy from the mirror) and verify every input file"))
    p.add_argument(
        "--extended",
        action="store_true",
        help="instead, download and verify the extended ICE detainer releases (large; never needed by the core build)",
    )
    p.add_argument("--release", action="append", metavar="ID", help="with --extended: only this release (repeatable)")
    p.add_argument(
        "--from",
        dest="from_dir",
        metavar="DIR",
        help="with --extended: install files you downloaded by hand (a browser) from DIR, verified the same way",
    )
    p.add_argument("--verify", action="store_true", help="with --extended: re-hash the files already in place")
    p = _writes(sub.add_parser("process", help="build the tidy tables in data/processed/ from verified inputs"))
    p.add_argument("tables", nargs="*", help="only these tables (default: all)")
    p.add_argument(
        "--extended",
        action="store_true",
        help="instead, build data/processed/extended/ from the extended releases fetched with `fetch --extended`",
    )
    _writes(sub.add_parser("codebook", help="write data/processed/CODEBOOK.md from the table schemas"))
    _writes(sub.add_parser("downloads", help="write reports/data/*.csv (measures, covariates) and their README"))
    p = _writes(
        sub.add_parser("notebooks", help="execute the registered notebooks (papermill) and render HTML reports")
    )
    p.add_argument("ids", nargs="*", help="only these notebook ids (default: all in notebooks/registry.yaml)")
    p.add_argument("--force", action="store_true", help="rerun even the runs whose inputs are unchanged")
    p.add_argument("--workers", type=int, help="parallel worker processes (default: number of cores)")
    p = _writes(
        sub.add_parser("build", help="everything: fetch, process, codebook, downloads, notebooks, index (cached)")
    )
    p.add_argument("--force", action="store_true", help="redo every step even if its inputs are unchanged")
    p.add_argument("--workers", type=int, help="parallel notebook workers (default: number of cores)")
    p.add_argument("--no-notebooks", action="store_true", help="stop after the processed tables and downloads")
    p = sub.add_parser("run", help="run one notebook with new parameters into a folder of your choice")
    p.add_argument("notebook", help="notebook id from notebooks/registry.yaml (e.g. county_profile)")
    p.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter (repeatable); lists as YAML, e.g. -p 'covariates=[pres_dem_share]'",
    )
    p.add_argument("--out", required=True, help="output folder for the executed notebook and its HTML")
    p = sub.add_parser("grade", help="run submitted lab notebooks (copies) and list what each exercise check says")
    p.add_argument("notebooks", nargs="+", help="the .ipynb files to grade (they are not changed)")
    return parser


# One function per command. Each imports what it needs when it runs (not at start-up), so that
# `ma-ice --help` and a no-op build do not pay for pandas, papermill or matplotlib.


def _fetch(args) -> None:
    if args.extended:
        _fetch_extended(args)
        return
    if args.release or args.from_dir or args.verify:
        raise ParameterError("--release, --from and --verify apply to the extended releases: add --extended")
    from ma_ice_coop.sources.fetch import fetch_all  # lazy: each command imports only what it needs (a fast CLI)

    mirror = _mirror(args)
    where = f"mirror {mirror}" if mirror else "upstream URLs"
    print(f"fetching inputs from {where} into {config.raw_dir()}", file=sys.stderr)
    files = fetch_all(mirror)
    print(f"{len(files)} input files verified (sha256)", file=sys.stderr)


def _fetch_extended(args) -> None:
    """`ma-ice fetch --extended`: the large detainer releases, then a table of what is in place and how verified."""
    from ma_ice_coop.sources.extended import extended_files, extended_status, fetch_extended  # lazy: a fast CLI

    extended_files(args.release)  # an unknown release id is an error before anything is printed or fetched
    if _mirror(args) is not None:
        print(
            "note: the data mirror holds no extended files; --mirror / MA_ICE_MIRROR is ignored for --extended",
            file=sys.stderr,
        )
    where = f"the files in {args.from_dir}" if args.from_dir else "the publishers' URLs"
    print(f"fetching the extended detainer releases from {where} into {config.extended_raw_dir()}", file=sys.stderr)
    files = fetch_extended(args.release, from_dir=args.from_dir, verify=args.verify)
    rows = [row for row in extended_status(args.release) if row["file_id"] in files]
    width = max((len(row["file_id"]) for row in rows), default=4)
    print(f"{'file':<{width}}  {'size':>10}  verified by", file=sys.stderr)
    for row in rows:
        size = f"{row['bytes'] / 1e6:,.1f} MB" if row["bytes"] is not None else "?"
        print(f"{row['file_id']:<{width}}  {size:>10}  {row['verification']}", file=sys.stderr)
    print(f"{len(files)} extended files in place; lock: {config.extended_lock_path()}", file=sys.stderr)


def _process(args) -> None:
    if args.extended:
        if args.tables:
            raise ParameterError("--extended builds every extended table; name no tables with it")
        from ma_ice_coop.build.extended import process_extended  # lazy: a fast CLI

        process_extended()
        return
    from ma_ice_coop.tables.process import process_all  # lazy: each command imports only what it needs (a fast CLI)

    process_all(args.tables or None)


def _codebook(args) -> None:
    from ma_ice_coop.tables.codebook import write_codebook  # lazy: each command imports only what it needs (a fast CLI)

    print(f"wrote {write_codebook()}", file=sys.stderr)


def _downloads(args) -> None:
    from ma_ice_coop.build.downloads import write_downloads  # lazy: a fast CLI

    for name, rows in write_downloads().items():
        print(f"  wrote reports/data/{name} ({rows:,} rows)", file=sys.stderr)


def _build(args) -> None:
    from ma_ice_coop.build.pipeline import build_all  # lazy: each command imports only what it needs (a fast CLI)

    build_all(mirror=_mirror(args), force=args.force, workers=args.workers, notebooks=not args.no_notebooks)


def _run(args) -> None:
    from ma_ice_coop.build.execute import run_to_folder  # lazy: each command imports only what it needs (a fast CLI)

    executed, page = run_to_folder(args.notebook, _parse_params(args.param), Path(args.out))
    print(f"wrote {executed}\nwrote {page}", file=sys.stderr)


def _grade(args) -> None:
    from ma_ice_coop.build.grading import grade_notebooks  # lazy: each command imports only what it needs (a fast CLI)

    grade_notebooks([Path(name) for name in args.notebooks])


def _notebooks(args) -> None:
    from ma_ice_coop.build.pool import build_runs  # lazy: each command imports only what it needs (a fast CLI)

    build_runs(ids=args.ids or None, workers=args.workers, force=args.force)


COMMANDS = {
    "fetch": _fetch,
    "process": _process,
    "codebook": _codebook,
    "downloads": _downloads,
    "build": _build,
    "run": _run,
    "notebooks": _notebooks,
    "grade": _grade,
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if getattr(args, "locked", False):
            with build_lock(wait=args.wait):
                COMMANDS[args.command](args)
        else:
            COMMANDS[args.command](args)
    except Interrupted as exc:
        print(str(exc), file=sys.stderr)
        # Every worker and kernel has been ended and the scratch removed (build.pool._stop_everything); exit now:
        # a normal interpreter exit joins the worker pool's manager thread, which on a loaded machine can wait
        # long on the queues of workers that were killed.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    except KeyboardInterrupt:
        print(
            "interrupted: stopped; nothing was replaced (every output is written whole or not at all)", file=sys.stderr
        )
        return 130
    except ProjectError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
