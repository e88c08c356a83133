"""`folio publish` to S3-compatible storage: a real SeaweedFS server (`weed mini`) on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import CONFIG, article, build, photo_bytes, tree
from publish_helpers import NO_SEARCH, counts, news_site, publish
from servers.seaweed import ACCESS, SECRET, S3Server, seaweed

SiteFactory = Callable[..., Path]
pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with seaweed(tmp_path_factory.mktemp("seaweed")) as running:
        yield running


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Credentials the way a newsroom's machine has them: in the environment, nowhere else."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": ACCESS, "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)


def _bucket(server: S3Server, name: str) -> Any:
    client = server.client()
    client.create_bucket(Bucket=name)
    return client


def _config(server: S3Server, url: str, search: bool = False) -> str:
    return CONFIG + f"search = {str(search).lower()}\n" + (
        f"\n[publish.live]\nurl = '{url}'\nendpoint_url = '{server.endpoint}'\n"
        "region = 'us-east-1'\ncache_control_html = 'public, max-age=60'\n"
    )


def _objects(client: Any, bucket: str, prefix: str) -> dict[str, bytes]:
    keys = [
        item["Key"]
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])
    ]
    return {
        key[len(prefix):]: client.get_object(Bucket=bucket, Key=key)["Body"].read()
        for key in keys
    }


def test_site_with_photos_and_search_lands_with_its_headers(
    site_factory: SiteFactory, server: S3Server
) -> None:
    client = _bucket(server, "archive")
    photo = article("A photo story.", title="Harbour at Dawn",
                    photo={"src": "images/dawn.jpg", "alt": "The harbour at dawn"})
    site = news_site(site_factory, _config(server, "s3://archive/news", search=True),
                     **{"dawn.md": photo, "images/dawn.jpg": photo_bytes(1200, 800)})

    result = publish(site, "live")

    assert result.code == 0, result.err
    assert _objects(client, "archive", "news/") == tree(site / "output")
    assert counts(result) == {"uploaded": len(tree(site / "output")), "unchanged": 0, "deleted": 0}
    heads = {path: client.head_object(Bucket="archive", Key=f"news/{path}")
             for path in tree(site / "output")}
    assert heads["index.html"]["ContentType"] == "text/html; charset=utf-8"
    assert heads["index.html"]["CacheControl"] == "public, max-age=60"
    assert heads["feed.xml"]["ContentType"] == "application/xml; charset=utf-8"
    assert heads["sitemap.xml"]["CacheControl"] == "public, max-age=60"
    assert heads["css/folio.css"]["ContentType"] == "text/css; charset=utf-8"
    assert heads["css/folio.css"]["CacheControl"] == "public, max-age=3600"
    immutable = "public, max-age=31536000, immutable"
    photos = [path for path in heads if path.startswith("photos/")]
    assert photos and all(heads[p]["CacheControl"] == immutable for p in photos)
    assert {heads[p]["ContentType"] for p in photos} == {"image/jpeg", "image/webp"}
    fragments = [path for path in heads if re.match(r"pagefind/\d{4}/fragment/", path)]
    assert fragments and all(heads[p]["CacheControl"] == immutable for p in fragments)
    entries = [path for path in heads if re.match(r"pagefind/\d{4}/pagefind-entry\.json$", path)]
    assert entries and all(heads[p]["CacheControl"] == "public, max-age=60" for p in entries)
    assert heads["pagefind/shards.json"]["CacheControl"] == "public, max-age=60"


def test_second_publish_uploads_nothing(site_factory: SiteFactory, server: S3Server) -> None:
    _bucket(server, "twice")
    site = news_site(site_factory, _config(server, "s3://twice"))
    assert publish(site, "live").code == 0
    again = publish(site, "live")
    assert again.code == 0, again.err
    assert counts(again) == {"uploaded": 0, "unchanged": len(tree(site / "output")), "deleted": 0}
    assert "nothing changed" in again.out


def test_changes_then_deletions_when_asked(site_factory: SiteFactory, server: S3Server) -> None:
    client = _bucket(server, "edits")
    site = news_site(site_factory, _config(server, "s3://edits/site/"))
    assert publish(site, "live").code == 0
    (site / "content" / "harbour.md").unlink()
    assert build(site).code == 0
    stale = "site/2021/02/10/harbour/index.html"

    dry = publish(site, "live", "--delete", "--dry-run")
    assert dry.code == 0, dry.err
    assert "delete  2021/02/10/harbour/index.html" in dry.out.splitlines()
    assert client.head_object(Bucket="edits", Key=stale)

    kept = publish(site, "live")
    assert kept.code == 0 and counts(kept)["uploaded"] > 0 and counts(kept)["deleted"] == 0
    assert client.head_object(Bucket="edits", Key=stale)

    deleted = publish(site, "live", "--delete")
    assert deleted.code == 0, deleted.err
    assert counts(deleted)["uploaded"] == 0 and counts(deleted)["deleted"] >= 1
    assert _objects(client, "edits", "site/") == tree(site / "output")


def test_wrong_credentials_are_one_clear_line(
    site_factory: SiteFactory, server: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    _bucket(server, "locked")
    site = news_site(site_factory, _config(server, "s3://locked"))
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "not-a-key")
    result = publish(site, "live")
    assert result.code == 1
    assert result.err.startswith("Publishing to live failed: the S3 credentials were rejected")
    assert len(result.err.strip().splitlines()) == 1, result.err


def test_a_missing_bucket_is_one_clear_line(site_factory: SiteFactory, server: S3Server) -> None:
    site = news_site(site_factory, _config(server, "s3://no-such-bucket/x"))
    result = publish(site, "live")
    assert result.code == 1
    assert result.err.strip() == (
        "Publishing to live failed: the bucket no-such-bucket does not exist"
    )


def test_an_unreachable_endpoint_is_one_clear_line(site_factory: SiteFactory) -> None:
    config = NO_SEARCH + "[publish.live]\nurl = 's3://b'\n"
    config += "endpoint_url = 'http://127.0.0.1:9'\nregion = 'us-east-1'\n"
    site = news_site(site_factory, config)
    result = publish(site, "live")
    assert result.code == 1
    assert result.err.startswith("Publishing to live failed: cannot reach")
    assert len(result.err.strip().splitlines()) == 1, result.err


def test_credentials_in_folio_toml_are_refused(site_factory: SiteFactory) -> None:
    config = NO_SEARCH + "[publish.live]\nurl = 's3://b'\naws_secret_access_key = 'x'\n"
    site = news_site(site_factory, config, built=False)
    result = publish(site, "live")
    assert result.code == 1
    line = config.splitlines().index("aws_secret_access_key = 'x'") + 1
    assert f"folio.toml:{line}: publish.live.aws_secret_access_key: credentials never go" in (
        result.err
    )
