"""The theme's words in the site's language: gettext catalogs, site over theme."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import REPO, article, build, make_site, tree

FRENCH = """\
title = "La Gazette"
base_url = "https://gazette.example.org/"
language = "fr"
"""
# A site template that says two words through the catalogs.
SKETCH = '{% extends "theme/article.html" %}{% block main %}{{ super() }}<p class="words">' \
         '{{ _("Tags") }} / {{ _("Corrections") }}</p>{% endblock %}'


def catalog(*pairs: tuple[str, str]) -> str:
    entries = "".join(f'msgid "{msgid}"\nmsgstr "{msgstr}"\n\n' for msgid, msgstr in pairs)
    return 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n' + entries


def site_with_words(root: Path, language_folder: str, po: str) -> Path:
    site = make_site(root, {"content/story.md": article(slug="story")}, FRENCH)
    (site / "templates").mkdir()
    (site / "templates" / "article.html").write_text(SKETCH, "utf-8")
    folder = site / "locale" / language_folder / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(po, "utf-8")
    return site


def words(site: Path) -> str:
    html = (site / "output/2020/05/01/story/index.html").read_text("utf-8")
    found = BeautifulSoup(html, "html.parser").select_one(".words")
    assert found is not None
    return found.get_text()


def test_a_site_catalog_translates_the_theme_words(tmp_path: Path) -> None:
    site = site_with_words(tmp_path, "fr", catalog(("Tags", "Mots-clés")))
    assert build(site).code == 0
    # A word the site's catalog lacks comes from the theme's.
    assert words(site) == "Mots-clés / Rectificatifs"


def test_a_regional_tag_falls_back_to_its_language(tmp_path: Path) -> None:
    site = site_with_words(tmp_path, "fr", catalog(("Tags", "Mots-clés")))
    toml = site / "folio.toml"
    toml.write_text(toml.read_text("utf-8").replace('"fr"', '"fr-CA"'), "utf-8")
    assert build(site).code == 0
    assert words(site).startswith("Mots-clés /")


def test_an_edited_catalog_rebuilds_like_a_clean_build(tmp_path: Path) -> None:
    site = site_with_words(tmp_path, "fr", catalog(("Tags", "Mots-clés")))
    assert build(site).code == 0
    po = site / "locale/fr/LC_MESSAGES/messages.po"
    po.write_text(catalog(("Tags", "Étiquettes")), "utf-8")
    assert build(site).code == 0
    assert words(site).startswith("Étiquettes /")
    clean = tmp_path / "clean"
    shutil.copytree(site, clean, ignore=shutil.ignore_patterns("output", ".folio-cache"))
    assert build(clean).code == 0
    assert tree(site / "output") == tree(clean / "output")


def test_a_broken_catalog_names_its_file_and_line(tmp_path: Path) -> None:
    broken = catalog(("Tags", "Mots-clés")) + 'Auteurs\n'
    site = site_with_words(tmp_path, "fr", broken)
    result = build(site)
    assert result.code != 0
    assert "locale/fr/LC_MESSAGES/messages.po, line 8: not a valid gettext catalog" \
        in result.err
    assert "Traceback" not in result.err
    assert not (site / "output").exists()


THEME = REPO / "themes" / "default"


def theme_msgids() -> set[str | tuple[str, ...]]:
    """The words of the templates, and those an embed's box says (embeds.py, N_)."""
    from babel.messages.extract import extract_from_dir, extract_from_file

    options = {"extensions": "jinja2.ext.i18n"}
    found = {message for _, _, message, _, _ in extract_from_dir(
        THEME / "templates", method_map=[("**.html", "jinja2"), ("**.xml", "jinja2")],
        options_map={"**.html": options, "**.xml": options})}
    embeds = REPO / "generator" / "site" / "embeds.py"
    found.update(message for _, message, _, _ in extract_from_file(
        "python", str(embeds), keywords={"N_": None, "gettext": None}))
    assert len(found) > 60, found
    return found


@pytest.mark.parametrize("language", ["fr", "es", "de"])
def test_every_word_of_the_theme_is_translated(language: str) -> None:
    from babel.messages.pofile import read_po

    with (THEME / "locale" / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    for msgid in theme_msgids():
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        message = catalog.get(key)
        assert message is not None, f"{language}: {msgid!r} is not in the catalog (make catalogs)"
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(forms) and not message.fuzzy, f"{language}: {msgid!r} is not translated"


def test_a_french_site_reads_in_french(tmp_path: Path) -> None:
    video = "Texte.\n\n```embed\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n```\n"
    stories = {f"content/s{n}.md": article(video, slug=f"s{n}", tags=["Syrie"],
                                            title=f"Titre {n}", byline=["Ana Lima", "Ben Okafor"])
               for n in range(3)}
    site = make_site(tmp_path, stories, FRENCH + 'timezone = "Europe/Paris"\n')
    assert build(site).code == 0
    story = BeautifulSoup((site / "output/2020/05/01/s0/index.html").read_text("utf-8"),
                          "html.parser")
    assert " ".join(story.select_one(".byline").get_text().split()) == \
        "Par Ana Lima et Ben Okafor"
    assert story.select_one(".tags h2").get_text() == "Mots-clés"
    assert "1 mai 2020" in story.select_one(".dateline time").get_text()
    assert story.select_one(".embed-load").get_text() == "Lire la vidéo"
    assert story.select_one(".embed-link").get_text() == "Regarder sur YouTube"
    tag = BeautifulSoup((site / "output/tags/syrie/index.html").read_text("utf-8"),
                        "html.parser")
    assert tag.h1.get_text() == "Mot-clé : Syrie"
    assert tag.select_one(".skip-link").get_text() == "Aller au contenu"
