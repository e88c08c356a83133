"""The `[publish.NAME]` tables of folio.toml, target URLs, and how `folio publish` picks one."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.publish.headers import cache_control, content_type
from generator.publish.plan import size_text
from generator.site.config import load_config
from generator.site.errors import ContentErrors, UsageError
from generator.site.publish_targets import Kind, PublishTarget, choose_target, kind_of

from conftest import CONFIG, run_folio
from publish_helpers import news_site, publish

SiteFactory = Callable[..., Path]


@pytest.mark.parametrize(("url", "kind"), [
    ("output-copy", Kind.DIRECTORY),
    ("/srv/www/news", Kind.DIRECTORY),
    ("../www", Kind.DIRECTORY),
    ("file:///srv/www", Kind.DIRECTORY),
    ("file://localhost/srv/www", Kind.DIRECTORY),
    ("ssh://deploy@example.org:2222/srv/www", Kind.RSYNC),
    ("rsync://example.org/module/news", Kind.RSYNC),
    ("git+ssh://git@github.com/newsroom/archive.git", Kind.GIT),
    ("git+../pages.git", Kind.GIT),
    ("s3://bucket", Kind.S3),
    ("s3://bucket/news/archive", Kind.S3),
])
def test_the_url_tells_the_kind(url: str, kind: Kind) -> None:
    assert kind_of(url) is kind


@pytest.mark.parametrize(("url", "says"), [
    ("http://example.org/", "unsupported scheme"),
    ("example.org:/srv/www", "ssh://"),
    ("ssh://example.org", "host[:port]/path"),
    ("ssh://example.org:0/x", "host[:port]/path"),
    ("ssh://deploy:hunter2@example.org/srv", "password"),
    ("git+", "repository"),
    ("git+https://user:token@github.com/o/r.git", "token"),
    ("s3://", "s3://bucket"),
    ("s3://key:secret@bucket/x", "password"),
    ("file://example.org/srv/www", "not on example.org"),
    ("file://localhost:8080/srv/www", "file:///path"),
    ("file://", "file:///path"),
])
def test_bad_urls_say_what_is_expected(url: str, says: str) -> None:
    with pytest.raises(ValueError, match=says.replace("[", r"\[").replace("]", r"\]")):
        kind_of(url)


def _load(site_factory: SiteFactory, tables: str) -> tuple[PublishTarget, ...]:
    site = site_factory({}, CONFIG + tables)
    return load_config(site).publish


def test_tables_become_targets_with_defaults(site_factory: SiteFactory) -> None:
    targets = _load(site_factory, """
[publish.live]
url = "s3://news-archive/site"
endpoint_url = "https://r2.example.net"
delete = true

[publish.pages]
url = "git+ssh://git@github.com/newsroom/archive.git"
cname = "news.example.org"
""")
    live, pages = targets
    assert (live.name, live.kind, live.delete, live.region) == ("live", Kind.S3, True, "")
    assert live.cache_control_html == "public, max-age=300"
    assert (pages.kind, pages.branch, pages.cname, pages.delete) == (
        Kind.GIT, "gh-pages", "news.example.org", False
    )


def test_every_mistake_is_named_with_its_line(site_factory: SiteFactory) -> None:
    tables = """
[publish.live]
url = "s3://bucket"
secret_access_key = "abc"
branch = "main"
delete = "yes"

[publish.box]
host = "example.org"

[publish.pages]
url = "git+/srv/pages.git"
branch = "-bad"
"""
    with pytest.raises(ContentErrors) as caught:
        _load(site_factory, tables)
    lines = (CONFIG + tables).splitlines()
    found = {(e.field, e.line) for e in caught.value.errors}
    assert found == {
        ("publish.live.secret_access_key", lines.index('secret_access_key = "abc"') + 1),
        ("publish.live.branch", lines.index('branch = "main"') + 1),
        ("publish.live.delete", lines.index('delete = "yes"') + 1),
        ("publish.box.host", lines.index('host = "example.org"') + 1),
        ("publish.box.url", lines.index("[publish.box]") + 1),
        ("publish.pages.branch", lines.index('branch = "-bad"') + 1),
    }
    messages = {e.field: e.message for e in caught.value.errors}
    assert "credentials never go in folio.toml" in messages["publish.live.secret_access_key"]
    assert messages["publish.live.branch"] == "applies only to git targets"
    assert messages["publish.box.host"].startswith("unknown setting")


def test_publish_must_be_tables(site_factory: SiteFactory) -> None:
    with pytest.raises(ContentErrors, match=r"publish: expected one \[publish.NAME\] table"):
        _load(site_factory, 'publish = "s3://bucket"\n')


def test_choosing_a_target() -> None:
    live = PublishTarget("live", "s3://bucket")
    pages = PublishTarget("pages", "git+/srv/pages.git")
    assert choose_target((live,), None, None) is live
    assert choose_target((live, pages), "pages", None) is pages
    assert choose_target((live,), "live", True).delete is True
    assert choose_target((), "s3://other/x", None).url == "s3://other/x"
    assert choose_target((), "./www", None).url == str(Path.cwd() / "www")
    assert choose_target((), "git+pages.git", None).url == f"git+{Path.cwd() / 'pages.git'}"
    with pytest.raises(UsageError, match="live, pages"):
        choose_target((live, pages), None, None)
    with pytest.raises(UsageError, match=r"no \[publish.staging\].*write ./staging"):
        choose_target((live,), "staging", None)


def test_publish_help_and_usage_errors(site_factory: SiteFactory) -> None:
    result = run_folio("publish", "--help")
    assert result.code == 0
    for flag in ("--site", "--dry-run", "--delete", "--no-delete", "--build"):
        assert flag in result.out
    site = site_factory({})
    assert run_folio("publish", "--site", site, "nowhere").code == 2
    assert run_folio("publish", "--site", site).code == 2
    assert run_folio("publish", "--site", site, "ftp://example.org/x").code == 2


@pytest.mark.parametrize(("path", "kind", "cache"), [
    ("index.html", "text/html; charset=utf-8", "html"),
    ("2015/09/18/story/index.html", "text/html; charset=utf-8", "html"),
    ("feed.xml", "application/xml; charset=utf-8", "html"),
    ("robots.txt", "text/plain; charset=utf-8", "html"),
    ("pagefind/shards.json", "application/json; charset=utf-8", "html"),
    ("pagefind/2015/pagefind-entry.json", "application/json; charset=utf-8", "html"),
    ("css/folio.css", "text/css; charset=utf-8", "assets"),
    ("js/search.js", "text/javascript; charset=utf-8", "assets"),
    ("2015/09/18/story/map.png", "image/png", "assets"),
    ("photos/0123456789abcdef/map-480.webp", "image/webp", "immutable"),
    ("photos/index.html", "text/html; charset=utf-8", "html"),
    ("pagefind/2015/fragment/en_9abfbc7.pf_fragment", "application/octet-stream", "immutable"),
    ("pagefind/2015-2/index/en_f990832.pf_index", "application/octet-stream", "immutable"),
    ("pagefind/2015/pagefind.en_0a1b2c3d4e.pf_meta", "application/octet-stream", "immutable"),
    ("pagefind/2015/wasm.en.pagefind", "application/octet-stream", "assets"),
    ("pagefind/2015/pagefind.js", "text/javascript; charset=utf-8", "assets"),
])
def test_headers_per_file(path: str, kind: str, cache: str) -> None:
    target = PublishTarget("t", "s3://b", cache_control_html="html",
                           cache_control_assets="assets", cache_control_immutable="immutable")
    assert content_type(path) == kind
    assert cache_control(path, target) == cache


def test_sizes_for_people() -> None:
    assert [size_text(n) for n in (0, 999, 1000, 12_400, 3_100_000, 5 * 10**12)] == [
        "0 B", "999 B", "1.0 kB", "12.4 kB", "3.1 MB", "5.0 TB"
    ]


def test_s3_without_boto3_says_what_to_install(
    site_factory: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)  # as if it were not installed
    monkeypatch.delitem(sys.modules, "generator.publish.s3", raising=False)
    site = news_site(site_factory)
    result = publish(site, "s3://bucket/site")
    assert result.code == 1
    assert "pip install 'folio[publish]'" in result.err
