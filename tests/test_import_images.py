"""Images come along: an old site's local lead photos and body images are copied beside
each imported story, alt text mapped; remote images stay URLs; missing files are reported."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

from conftest import build, photo_bytes
from importing import (
    FIXTURES,
    HTML_ON,
    by_title,
    content_tree,
    folio_import,
    fresh_site,
    output_pages,
    summary,
)

JPEG = photo_bytes(900, 600)
PNG = photo_bytes(400, 300, kind="PNG")
OTHER_JPEG = photo_bytes(640, 480)


def old_site(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


HUGO = {
    "config.toml": 'baseURL = "https://old.example.org/"\ntitle = "Old Times"\n',
    "static/img/harbour.jpg": JPEG,
    "static/img/quay.png": PNG,
    "content/posts/harbour.md": """---
title: Harbour
date: 2019-05-01T10:00:00-04:00
author: Jane Doe
image: /img/harbour.jpg
image-alt: Boats in the harbour at dawn
---
The quay: ![The quay from the water](/img/quay.png)

<img src="/img/quay.png" alt="The quay, as HTML">

![Same quay, by its old URL](https://old.example.org/img/quay.png)

![A remote picture](https://cdn.example.net/pic.jpg)

```markdown
![Not an image, a code sample](/img/nowhere.png)
```
""",
    "content/posts/bundle/index.md": """---
title: A Bundle
date: 2019-05-02T10:00:00-04:00
author: Jane Doe
images: [cover.jpg]
alt: The cover of the bundle
---
Inside: ![Inside the bundle](inside.png)

{{< figure src="cover.jpg" alt="The cover again" >}}
""",
    "content/posts/bundle/cover.jpg": OTHER_JPEG,
    "content/posts/bundle/inside.png": PNG,
    "content/posts/gone.md": """---
title: Gone
date: 2019-05-03T10:00:00-04:00
author: Jane Doe
image: /img/gone.jpg
---
![A lost chart](/lost/chart.png)
""",
}


def imported_hugo(tmp_path: Path) -> tuple[Path, Path, dict[str, object]]:
    """The Hugo site imported into a fresh site that renders HTML and declares /lost/ outside."""
    source = old_site(tmp_path / "old", HUGO)
    site = fresh_site(tmp_path / "site")
    with (site / "folio.toml").open("a", encoding="utf-8") as config:
        config.write(HTML_ON + '\n[links]\noutside = ["/lost/"]\n')
    report = tmp_path / "report.json"
    result = folio_import(site, "hugo", source, "--report", report)
    assert summary(result) == "3 imported, 0 unchanged, 0 skipped, 0 failed.", result.out
    return source, site, json.loads(report.read_text(encoding="utf-8"))


def built_pages(site: Path) -> dict[str, BeautifulSoup]:
    result = build(site)
    assert result.code == 0, result.err
    return {name: BeautifulSoup(page, "html.parser") for name, page in output_pages(site).items()}


def resolves(site: Path, src: str) -> bool:
    return (site / "output" / unquote(urlsplit(src).path).lstrip("/")).is_file()


def test_hugo_photos_and_body_images_are_copied_beside_the_story(tmp_path: Path) -> None:
    source, site, report = imported_hugo(tmp_path)
    files = content_tree(site)
    assert files["2019/harbour/harbour.jpg"] == JPEG
    assert files["2019/harbour/quay.png"] == PNG, "one copy for three references"
    assert files["2019/bundle/cover.jpg"] == OTHER_JPEG
    assert files["2019/bundle/inside.png"] == PNG
    assert sorted(name for name in files if not name.endswith(".md")) == [
        "2019/bundle/cover.jpg", "2019/bundle/inside.png",
        "2019/harbour/harbour.jpg", "2019/harbour/quay.png",
    ]
    found = by_title(site)
    assert found["Harbour"]["photo"] == {
        "src": "2019/harbour/harbour.jpg", "alt": "Boats in the harbour at dawn"}
    assert found["A Bundle"]["photo"] == {
        "src": "2019/bundle/cover.jpg", "alt": "The cover of the bundle"}
    assert report["images"]["copied"] == 4
    pages = built_pages(site)
    harbour = pages["2019/05/01/harbour/index.html"]
    lead = harbour.select_one(".lead-photo img")
    assert lead is not None and lead["alt"] == "Boats in the harbour at dawn"
    body = harbour.select_one(".story-body")
    assert body is not None
    alts = {img["alt"]: img["src"] for img in body.find_all("img")}
    assert alts["A remote picture"] == "https://cdn.example.net/pic.jpg", "remote stays a URL"
    assert alts["The quay, as HTML"] == "/2019/harbour/quay.png"
    assert "/img/nowhere.png" in body.get_text(), "code samples are left alone"
    bundle = pages["2019/05/02/bundle/index.html"]
    lead = bundle.select_one(".lead-photo img")
    assert lead is not None and lead["alt"] == "The cover of the bundle"
    for name in ("2019/05/01/harbour/index.html", "2019/05/02/bundle/index.html"):
        sources = [img["src"] for img in pages[name].find_all("img")]
        sources += [s.split()[0] for img in pages[name].find_all(["img", "source"])
                    for s in str(img.get("srcset", "")).split(",") if s.strip()]
        assert len(sources) > 4
        local = [src for src in sources if "://" not in src]
        assert local and all(resolves(site, src) for src in local), local
    assert (source / "static/img/quay.png").read_bytes() == PNG, "the old site is untouched"


def test_a_missing_image_is_reported_and_the_import_still_builds(tmp_path: Path) -> None:
    _, site, report = imported_hugo(tmp_path)
    missing = {(entry["field"], entry["path"]): entry for entry in report["images"]["missing"]}
    assert set(missing) == {("photo", "/img/gone.jpg"), ("body", "/lost/chart.png")}
    photo = missing["photo", "/img/gone.jpg"]
    assert photo["source"].endswith("gone.md")
    assert "static/img/gone.jpg" in photo["looked_for"]
    assert "static/lost/chart.png" in missing["body", "/lost/chart.png"]["looked_for"]
    gone = by_title(site)["Gone"]
    assert gone["source_photo"] == "/img/gone.jpg" and "photo" not in gone, "kept, not shown"
    text = (site / "content/2019/gone.md").read_text(encoding="utf-8")
    assert "![A lost chart](/lost/chart.png)" in text, "left as written: /lost/ is outside"
    pages = built_pages(site)
    body = pages["2019/05/03/gone/index.html"].select_one(".story-body img")
    assert body is not None and body["src"] == "/lost/chart.png"


def test_a_missing_image_is_shown_from_the_old_site_until_copied_in(tmp_path: Path) -> None:
    source = old_site(tmp_path / "old", {
        "config.toml": 'baseURL = "https://old.example.org/"\n',
        "content/posts/gone.md": ("---\ntitle: Gone\ndate: 2019-05-03T10:00:00-04:00\n"
                                  "author: Jane Doe\n---\n![A lost chart](/lost/chart.png)\n\n"
                                  '<img src="/lost/map.png" alt="A lost map">\n'),
    })
    site = fresh_site(tmp_path / "site")
    with (site / "folio.toml").open("a", encoding="utf-8") as config:
        config.write(HTML_ON)
    report = tmp_path / "report.json"
    assert folio_import(site, "hugo", source, "--report", report).code == 0
    missing = json.loads(report.read_text(encoding="utf-8"))["images"]["missing"]
    assert {entry["path"] for entry in missing} == {"/lost/chart.png", "/lost/map.png"}
    images = built_pages(site)["2019/05/03/gone/index.html"].select(".story-body img")
    assert [img["src"] for img in images] == [
        "https://old.example.org/lost/chart.png", "https://old.example.org/lost/map.png"]


def test_an_image_whose_alt_text_runs_over_lines_is_copied(tmp_path: Path) -> None:
    source = old_site(tmp_path / "old", {
        "config.toml": 'baseURL = "https://old.example.org/"\n',
        "static/img/quay.png": PNG,
        "content/posts/quay.md": ("---\ntitle: Quay\ndate: 2019-05-01T10:00:00-04:00\n"
                                  "author: Jane Doe\n---\n![The quay seen\nfrom the water]"
                                  "(/img/quay.png)\n"),
    })
    site = fresh_site(tmp_path / "site")
    assert folio_import(site, "hugo", source).code == 0
    assert content_tree(site)["2019/quay/quay.png"] == PNG
    assert "(quay/quay.png)" in (site / "content/2019/quay.md").read_text(encoding="utf-8")


def test_missing_images_are_named_in_the_printed_report(tmp_path: Path) -> None:
    source = old_site(tmp_path / "old", HUGO)
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "hugo", source)
    assert "warning: photo: '/img/gone.jpg' is not in the old site (looked for " \
        "static/img/gone.jpg" in result.out
    assert "warning: body: image '/lost/chart.png' is not in the old site" in result.out
    assert "Note: 4 image(s) of the old site copied beside their stories." in result.out
    assert "Warning: 2 local image(s) named by 1 story are not in the old site" in result.out


def test_a_dry_run_copies_nothing_and_a_second_import_changes_nothing(tmp_path: Path) -> None:
    source = old_site(tmp_path / "old", HUGO)
    site = fresh_site(tmp_path / "site")
    dry = folio_import(site, "hugo", source, "--dry-run")
    assert "Note: 4 image(s) of the old site would be copied beside their stories." in dry.out
    assert content_tree(site) == {}
    folio_import(site, "hugo", source)
    first = content_tree(site)
    again = folio_import(site, "hugo", source)
    assert summary(again) == "0 imported, 3 unchanged, 0 skipped, 0 failed.", again.out
    assert "image(s) of the old site copied" not in again.out
    assert content_tree(site) == first


def test_existing_files_are_never_overwritten(tmp_path: Path) -> None:
    source = old_site(tmp_path / "old", HUGO)
    site = fresh_site(tmp_path / "site")
    taken = site / "content/2019/harbour/harbour.jpg"
    taken.parent.mkdir(parents=True)
    taken.write_bytes(OTHER_JPEG)
    shared = site / "content/2019/harbour/quay.png"
    shared.write_bytes(PNG)
    result = folio_import(site, "hugo", source)
    assert result.code == 0, result.out
    assert taken.read_bytes() == OTHER_JPEG, "another file of the same name stays"
    assert (site / "content/2019/harbour/harbour-2.jpg").read_bytes() == JPEG
    assert by_title(site)["Harbour"]["photo"]["src"] == "2019/harbour/harbour-2.jpg"
    text = (site / "content/2019/harbour.md").read_text(encoding="utf-8")
    assert "(harbour/quay.png)" in text, "identical bytes are shared"
    assert "Note: 3 image(s) of the old site copied" in result.out


JEKYLL = {
    "_config.yml": "title: Old Times\nurl: https://old.example.org\npermalink: pretty\n",
    "assets/img/lead.jpg": JPEG,
    "assets/img/map.png": PNG,
    "_posts/2016-02-03-with-an-image-table.md": """---
title: With an image table
author: Jane Doe
image:
  path: /assets/img/lead.jpg
  alt: A lead photo, described
---
![The map](/assets/img/map.png)
""",
    "_posts/2016-02-04-with-image-alt.md": """---
title: With image_alt
author: Jane Doe
image: https://old.example.org/assets/img/map.png
image_alt: The map, as a lead photo
---
![A remote map](https://maps.example.net/map.png)
""",
}


def test_jekyll_images_and_their_alt_text(tmp_path: Path) -> None:
    source = old_site(tmp_path / "old", JEKYLL)
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "jekyll", source)
    assert summary(result) == "2 imported, 0 unchanged, 0 skipped, 0 failed.", result.out
    found = by_title(site)
    assert found["With an image table"]["photo"] == {
        "src": "2016/with-an-image-table/lead.jpg", "alt": "A lead photo, described"}
    assert found["With image_alt"]["photo"] == {
        "src": "2016/with-image-alt/map.png", "alt": "The map, as a lead photo"}, \
        "a URL on the old site's own address names its file"
    pages = built_pages(site)
    table = pages["2016/02/03/with-an-image-table/index.html"]
    lead = table.select_one(".lead-photo img")
    assert lead is not None and lead["alt"] == "A lead photo, described"
    assert resolves(site, str(lead["src"]))
    body = table.select_one(".story-body img")
    assert body is not None and body["alt"] == "The map" and resolves(site, str(body["src"]))
    other = pages["2016/02/04/with-image-alt/index.html"].select_one(".story-body img")
    assert other is not None and other["src"] == "https://maps.example.net/map.png"


ELEVENTY = {
    ".eleventy.js": """module.exports = function (config) {
  config.addPassthroughCopy({ "src/_images": "images" });
  return { dir: { input: "src" } };
};
""",
    "src/_images/ferry.jpg": JPEG,
    "src/posts/ferry.md": """---
title: The Ferry
date: 2018-07-01
author: Jane Doe
image: /images/ferry.jpg
image_alt: The ferry leaving port
---
{% image "images/ferry.jpg" "The ferry again" %}
""",
}


def test_eleventy_passthrough_copies_are_found(tmp_path: Path) -> None:
    source = old_site(tmp_path / "old", ELEVENTY)
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "eleventy", source)
    assert summary(result) == "1 imported, 0 unchanged, 0 skipped, 0 failed.", result.out
    assert by_title(site)["The Ferry"]["photo"] == {
        "src": "2018/ferry/ferry.jpg", "alt": "The ferry leaving port"}
    page = built_pages(site)["2018/07/01/ferry/index.html"]
    lead = page.select_one(".lead-photo img")
    assert lead is not None and lead["alt"] == "The ferry leaving port"
    body = page.select_one(".story-body img")
    assert body is not None and body["alt"] == "The ferry again"
    assert resolves(site, str(body["src"]))


def test_a_wordpress_featured_image_stays_a_url_with_its_alt(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    with (site / "folio.toml").open("a", encoding="utf-8") as config:
        config.write(HTML_ON)
    folio_import(site, "wordpress", FIXTURES / "wordpress" / "export-1.2-http.xml")
    pages = built_pages(site)
    leads = [page.select_one(".lead-photo img") for page in pages.values()]
    shown = {str(img["alt"]): str(img["src"]) for img in leads if img is not None}
    assert shown["Fishing boats moored in the harbour at dawn"].startswith("http")


def test_pelican_static_images_are_found(tmp_path: Path) -> None:
    content = old_site(tmp_path / "old" / "content", {
        "images/dock.png": PNG,
        "dock.md": "Title: The Dock\nDate: 2017-03-04 10:00\nAuthor: Jane Doe\n\n"
                   "![The dock at night]({static}/images/dock.png)\n",
    })
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "pelican", content)
    assert summary(result) == "1 imported, 0 unchanged, 0 skipped, 0 failed.", result.out
    assert content_tree(site)["2017/dock/dock.png"] == PNG
    body = built_pages(site)["2017/03/04/dock/index.html"].select_one(".story-body img")
    assert body is not None and body["alt"] == "The dock at night"
    assert resolves(site, str(body["src"]))


def test_nothing_outside_the_old_site_is_copied(tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes(PNG)
    source = old_site(tmp_path / "old", {
        "_config.yml": "title: Old Times\n",
        "_posts/2016-02-03-sneaky.md": "---\ntitle: Sneaky\nauthor: Jane Doe\n"
                                      "image: ../../secret.png\n---\n"
                                      "![A secret](../../secret.png)\n"
                                      "![Linked out](/linked/secret.png)\n",
    })
    (source / "linked").symlink_to(tmp_path)
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "jekyll", source)
    assert summary(result) == "1 imported, 0 unchanged, 0 skipped, 0 failed.", result.out
    assert [name for name in content_tree(site) if not name.endswith(".md")] == []
    assert "warning: photo: '../../secret.png' is not in the old site" in result.out
    assert "warning: body: image '../../secret.png' is not in the old site" in result.out
    assert "warning: body: image '/linked/secret.png' is not in the old site" in result.out
