"""The `folio` command: parses arguments, then calls a plain function per command.

Command modules are imported only when their command runs, so `folio --help`
stays fast.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from .site.errors import FolioError, UsageError, os_error_text

if TYPE_CHECKING:
    from .engine.report import BuildReport


def run() -> NoReturn:
    """The `folio` command: `main`, then exit at once. A normal exit frees every
    object of the build one by one, slow for a large archive's index; every file is
    written and closed by then."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # closed, or a reader gone
            stream.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.run(args)
    except FolioError as exc:
        print(f"Error: {exc}" if exc.exit_code == 2 else str(exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"Error: {os_error_text(exc)}", file=sys.stderr)
        return 1
    except Exception as exc:
        if type(exc).__module__ != "sqlite3":
            raise
        print(f"Error: the build cache (.folio-cache/) could not be used: {exc}",
              file=sys.stderr)
        return 1
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="folio", description="Build a static news archive from Markdown stories."
    )
    parser.add_argument("--version", action="version", version=f"folio {_version()}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    init = commands.add_parser(
        "init",
        help="start a new site in DIR (default: .)",
        description="Write a working site into DIR: a commented folio.toml, a sample story "
        "with a photo, an About page and a .gitignore. Never overwrites a site.",
    )
    init.add_argument("dir", nargs="?", type=Path, default=Path(), metavar="DIR",
                      help="folder of the new site (default: .)")
    init.add_argument("--now", type=_moment, metavar="ISO", help=argparse.SUPPRESS)
    init.set_defaults(run=_init)

    build = commands.add_parser(
        "build",
        help="build the site into output/",
        description="Build the site into output/ (or --output).",
    )
    _site_options(build)
    build.add_argument(
        "--output", type=Path, metavar="DIR", help="write here instead of SITE/output"
    )
    build.add_argument("--base-url", metavar="URL", help="override base_url from folio.toml")
    build.add_argument("--quiet", action="store_true", help="print nothing but errors")
    build.add_argument(
        "--jobs", type=_positive, metavar="N", help="render in N processes (default: all cores)"
    )
    build.add_argument(
        "--clean", action="store_true", help="ignore the build cache and build everything anew"
    )
    build.add_argument(
        "--dask", metavar="ADDRESS",
        help="render on a Dask cluster, e.g. tcp://10.0.0.5:8786 (needs folio[dask])",
    )
    build.set_defaults(run=_build)

    check = commands.add_parser(
        "check",
        help="validate content without writing anything",
        description="Load and validate every article; write nothing.",
    )
    _site_options(check)
    check.add_argument(
        "--links", action="store_true",
        help="only check that every internal link of the built output/ resolves",
    )
    check.set_defaults(run=_check)

    new = commands.add_parser(
        "new",
        help="start a new story in content/<year>/",
        description="Write content/<year>/<slug>.md, a draft dated now; asks nothing.",
    )
    new.add_argument("headline", help="the article's headline")
    new.add_argument("--section", help="section of the new article")
    new.add_argument("--byline", metavar="NAME",
                     help="who wrote it (default: default_byline of folio.toml)")
    new.add_argument("--language", metavar="TAG",
                     help="its language, e.g. fr (default: the site's): <slug>.fr.md, "
                          "published under /fr/")
    _site_option(new)
    new.add_argument("--now", type=_moment, metavar="ISO", help=argparse.SUPPRESS)
    new.set_defaults(run=_new)

    serve = commands.add_parser(
        "serve",
        help="preview the site, rebuilding and reloading the browser on every edit",
        description="Build the site, serve output/ and rebuild it whenever a file changes.",
    )
    _site_options(serve)
    serve.add_argument(
        "--port", type=int, default=8000, help="port to listen on; 0 picks a free one"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.set_defaults(run=_serve)
    _import_parser(commands)

    publish = commands.add_parser(
        "publish",
        help="send output/ to a folder, an rsync/ssh host, a git branch or S3",
        description="Send the built site to a [publish.NAME] target of folio.toml, or to a "
        "folder, ssh://, rsync://, git+REPOSITORY or s3:// URL; only what changed is sent.",
    )
    publish.add_argument(
        "target", nargs="?", help="a [publish.NAME] of folio.toml (default: the only one), or a URL"
    )
    _site_options(publish)
    publish.add_argument("--build", action="store_true", help="build the site first")
    publish.add_argument(
        "--dry-run", action="store_true", help="print what would change, change nothing"
    )
    publish.add_argument(
        "--delete",
        action=argparse.BooleanOptionalAction,
        help="delete what the target has that output/ lacks (default: the target's delete)",
    )
    publish.set_defaults(run=_publish)
    return parser


def _site_options(parser: argparse.ArgumentParser) -> None:
    _site_option(parser)
    parser.add_argument("--drafts", action="store_true", help="include draft: true articles")
    parser.add_argument(
        "--future", action="store_true", help="include articles dated later than now"
    )
    parser.add_argument(
        "--now",
        type=_moment,
        metavar="ISO",
        help="treat this time as the present (default: SOURCE_DATE_EPOCH or the clock)",
    )


def _site_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--site",
        type=Path,
        default=Path(),
        metavar="DIR",
        help="site folder holding folio.toml and content/ (default: .)",
    )


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an ISO 8601 time, got {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _present(args: argparse.Namespace) -> datetime | None:
    if args.now:
        return args.now  # type: ignore[no-any-return]
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return None
    expected = "expected whole seconds since 1970, at most 253402300799 (the end of 9999)"
    if not (epoch.isascii() and epoch.isdigit()):
        raise UsageError(f"SOURCE_DATE_EPOCH: {expected}, got {epoch[:40]!r}")
    try:
        return datetime.fromtimestamp(int(epoch), UTC)
    except (OverflowError, OSError, ValueError):
        raise UsageError(f"SOURCE_DATE_EPOCH: {expected}, got {epoch[:40]!r}") from None


def _config(args: argparse.Namespace, **overrides: Any) -> Any:
    from .site.config import load_config

    if not args.site.is_dir():
        raise UsageError(f"site folder {args.site} does not exist")
    return load_config(
        args.site, drafts=args.drafts, future=args.future, now=_present(args), **overrides
    )


def _build(args: argparse.Namespace) -> int:
    with _no_cycle_collection(unless=bool(args.dask)):
        report = _built(args)
    for notice in report.notices:
        print(f"Notice: {notice}", file=sys.stderr)
    if not args.quiet:
        _warn(report.warnings)
        print(report)
    return 0


def _built(args: argparse.Namespace) -> BuildReport:
    from .engine.build import build
    from .engine.parallel import Runner, dask_runner, default_jobs
    from .site.progress import Progress

    config = _config(args, base_url=args.base_url, output_dir=args.output)
    jobs = args.jobs or default_jobs()
    runner = dask_runner(args.dask, jobs) if args.dask else Runner(jobs)
    try:
        return build(config, Progress(quiet=args.quiet), runner, clean=args.clean)
    finally:
        runner.close()


@contextlib.contextmanager
def _no_cycle_collection(unless: bool) -> Iterator[None]:
    """Python's cycle collector off for the build (and the workers it forks).

    A build makes a great many objects and keeps nearly all of them to its end, and
    the collector scans them again each time enough new ones pile up, to find next
    to no garbage. Not under Dask (`unless`): its client runs an event loop beside
    the build, whose garbage is not the build's to bound.
    """
    if unless or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        # The build's objects go to the oldest generation unscanned, for a later full collection.
        gc.freeze()
        gc.unfreeze()
        gc.enable()


def _check(args: argparse.Namespace) -> int:
    from .engine.pipeline import check_site
    from .engine.report import plural

    if args.links:
        return _check_links(args)
    plan = check_site(_config(args))
    _warn(plan.warnings)
    print(
        f"OK: {plural(len(plan.index.newest_first), 'article')}, "
        f"{plural(len(plan.pages), 'page')}, no errors"
    )
    return 0


def _check_links(args: argparse.Namespace) -> int:
    from .site.links import broken, links_of_tree

    config = _config(args)
    if not (config.output_dir / "index.html").is_file():
        raise UsageError(f"no built site in {config.output_dir}; run folio build first")
    links = links_of_tree(config.output_dir, config.base_path)
    missing = broken(links, root=config.output_dir, outside=config.links_outside)
    for link in missing:
        print(f"  {link.page}: links to {link.url}, which is not there", file=sys.stderr)
    count = sum(len(page_links) for page_links in links.values())
    if missing:
        print(f"{len(missing)} broken of {count} internal links", file=sys.stderr)
        return 1
    print(f"OK: {count} internal links in {len(links)} pages, none broken")
    return 0


def _warn(warnings: Iterable[object]) -> None:
    for warning in warnings:
        print(f"Warning: {warning}", file=sys.stderr)


def _new(args: argparse.Namespace) -> int:
    from .site.config import load_config
    from .site.scaffold import new_article

    config = load_config(args.site, now=_present(args))
    path = new_article(config, args.headline, args.section, args.byline, args.language)
    print(f"Created {path}")
    return 0


def _init(args: argparse.Namespace) -> int:
    import shlex

    from .site.scaffold import init_site

    folder: Path = args.dir
    init_site(folder, _present(args) or datetime.now(UTC))
    print(f"Created a site in {folder}. Next:")
    steps = ([] if folder == Path() else [f"cd {shlex.quote(str(folder))}"])
    for command in [*steps, "folio serve", 'folio new "Headline of your first story"']:
        print(f"  {command}")
    return 0


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("folio")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def _serve(args: argparse.Namespace) -> int:
    from .serve import serve_site

    return serve_site(lambda: _config(args), args.host, args.port)


def _import_parser(commands: Any) -> None:
    imports = commands.add_parser(
        "import",
        help="bring stories in from plain text, feeds, WordPress, Jekyll, Hugo, ...",
        description="Write one Markdown file per story of SOURCE into content/<year>/; "
        "never overwrite a file; print what happened to every story.",
    )
    imports.add_argument(
        "format", metavar="FORMAT",
        help="text, feed, wordpress, jekyll, hugo, eleventy or pelican",
    )
    imports.add_argument("sources", nargs="+", type=Path, metavar="SOURCE", help="file or folder")
    _site_option(imports)
    imports.add_argument("--into", type=Path, metavar="DIR", help="write here (default: content/)")
    imports.add_argument("--dry-run", action="store_true", help="report, write nothing")
    imports.add_argument(
        "--map", action="append", default=[], metavar="KEY=FIELD",
        help="read the source's KEY as Folio's FIELD (repeatable)",
    )
    imports.add_argument(
        "--on-conflict", choices=["suffix", "skip"], default="suffix",
        help="a slug already taken: write SLUG-2.md (suffix, default) or skip the story",
    )
    imports.add_argument(
        "--default-byline", metavar="NAME",
        help="byline of stories whose source names no author (default: default_byline "
        "of folio.toml, Staff unless set)",
    )
    imports.add_argument("--pages", action="store_true", help="wordpress: import pages too")
    imports.add_argument(
        "--report", type=Path, metavar="FILE",
        help="where to write the report as JSON (default: import-report.json in the site)",
    )
    imports.add_argument(
        "--force", action="store_true",
        help="at an old site's root: replace folio.toml settings its configuration says otherwise",
    )
    imports.add_argument(
        "--source-base-url", metavar="URL", default="",
        help="the old site's address: links to its paths the archive does not hold point "
        "there (default: its configuration's base URL, at a Hugo, Jekyll or Eleventy root)",
    )
    imports.set_defaults(run=_import)


def _import(args: argparse.Namespace) -> int:
    from .importers import ImportRequest, run_import
    from .site.config import load_config

    config = load_config(args.site)
    request = ImportRequest(
        format=args.format,
        sources=tuple(args.sources),
        into=args.into or config.content_dir,
        dry_run=args.dry_run,
        mappings=tuple(args.map),
        suffix=args.on_conflict == "suffix",
        default_byline=args.default_byline or config.default_byline,
        pages=args.pages,
        force=args.force,
        source_base_url=args.source_base_url,
    )
    report = run_import(request, config)
    written = args.report or config.site_dir / "import-report.json"
    written.write_text(json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n",
                       encoding="utf-8")
    print(replace(report, written_to=str(written)))
    return 1 if report.failed else 0


def _publish(args: argparse.Namespace) -> int:
    from .publish.run import publish_site

    return publish_site(
        _config(args),
        args.target,
        dry_run=args.dry_run,
        delete=args.delete,
        build_first=args.build,
    )


if __name__ == "__main__":
    sys.exit(main())
