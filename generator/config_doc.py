"""docs/configuration.md, generated from the schema so that it cannot drift.

Every `folio.toml` key is a field of `Config` (generator/config.py) and every key
of a `[publish.NAME]` table a field of `PublishTarget` (generator/site/publish_targets.py);
each carries its documentation in `metadata["doc"]`. `make docs` writes this
module's output to docs/configuration.md; tests/test_docs.py fails when they differ.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Iterator
from dataclasses import MISSING, Field
from typing import Any

from .site.config import TABLES, Config, MenuItem
from .site.publish_targets import Kind, PublishTarget
from .site.scaffold import toml_value

INTRO = """\
# Configuration: folio.toml

<!-- Generated from the Config and PublishTarget schemas by `make docs`
     (generator/config_doc.py); edit the `doc` of a field there, not this page. -->

A site is configured by `folio.toml` in the site folder. Only `title` and
`base_url` are required:

```toml
title = "Folio Example Archive"
base_url = "https://archive.example.org/"
timezone = "America/New_York"
organizations = ["Reuters", "VICE News"]

[markdown]
html = false
```

A key Folio does not know, or a value of the wrong type or out of range, is an
error naming `folio.toml`, the line and the key; the build writes nothing.
"""

PUBLISH_INTRO = """\
## Publish targets: `[publish.NAME]`

Each `[publish.NAME]` table is a target of `folio publish NAME` (see
[publishing](publishing.md)). The kind of target follows from `url`; a key that
does not apply to that kind is an error. Passwords, tokens and keys never go in
`folio.toml` (it is usually committed): a key such as `aws_secret_access_key`
is refused with an error naming its line, and so is a password inside a URL.

```toml
[publish.live]                        # folio publish live
url = "s3://news-archive/site"
endpoint_url = "https://ACCOUNT.r2.cloudflarestorage.com"
delete = true
```
"""

_SCALAR_TYPES = {str: "string", int: "integer", bool: "boolean"}


def main() -> None:
    """Print docs/configuration.md."""
    print(render(), end="")


def render() -> str:
    """The whole of docs/configuration.md."""
    site_rows = [_site_row(spec) for spec in _documented(Config) if spec.metadata["toml"]]
    target_rows = [_target_row(spec) for spec in _documented(PublishTarget)]
    return "\n".join([
        INTRO,
        "## Site settings",
        "",
        *_table(("key", "type", "default", "meaning"), site_rows),
        "",
        PUBLISH_INTRO,
        *_table(("key", "type", "default", "targets", "meaning"), target_rows),
        "",
    ])


def _documented(schema: type) -> Iterator[Field[Any]]:
    return (spec for spec in dataclasses.fields(schema) if "doc" in spec.metadata)


def _site_row(spec: Field[Any]) -> tuple[str, ...]:
    hint = typing.get_type_hints(Config)[spec.name]
    default = "none" if _item_table(hint) else _default(spec)
    return (_site_key(spec.name, hint), _type_name(hint), default, spec.metadata["doc"])


def _target_row(spec: Field[Any]) -> tuple[str, ...]:
    hint = typing.get_type_hints(PublishTarget)[spec.name]
    kinds = spec.metadata["kinds"]
    targets = "all" if kinds == frozenset(Kind) else ", ".join(k.value for k in Kind if k in kinds)
    return (f"`{spec.name}`", _type_name(hint), _default(spec), targets, spec.metadata["doc"])


def _site_key(name: str, hint: Any) -> str:
    """How a field is written in folio.toml: `title`, `[markdown] html`, `[publish.NAME]`,
    `[[menu]]` (a list of tables)."""
    if _item_table(hint):
        listed = typing.get_args(hint)[0] is MenuItem
        return f"`[[{name}]]`" if listed else f"`[{name}.NAME]`"
    table = next((t for t in TABLES if name.startswith(f"{t}_")), None)
    return f"`[{table}] {name.removeprefix(f'{table}_')}`" if table else f"`{name}`"


def _item_table(hint: Any) -> bool:
    """Whether `hint` is a tuple of dataclasses: one TOML table per item."""
    args = typing.get_args(hint)
    return typing.get_origin(hint) is tuple and dataclasses.is_dataclass(args[0])


def _type_name(hint: Any) -> str:
    if _item_table(hint):
        return "tables"
    if typing.get_origin(hint) is tuple:
        return f"list of {_type_name(typing.get_args(hint)[0])}s"
    if hint in _SCALAR_TYPES:
        return _SCALAR_TYPES[hint]
    raise TypeError(f"config_doc: no TOML name for the type {hint!r}; add it to _SCALAR_TYPES")


def _default(spec: Field[Any]) -> str:
    if spec.default is MISSING:
        return "required"
    if spec.default == "":  # unset; the field's doc says what happens then
        return "none"
    return f"`{toml_value(spec.default)}`"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    lines = [_row(header), _row(tuple("---" for _ in header))]
    return lines + [_row(row) for row in rows]


def _row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def _cell(text: str) -> str:
    """`text` safe in a table cell: no column break, and `<name>` shown, not taken for HTML."""
    parts = text.replace("|", "\\|").split("`")
    # Even parts lie outside `code spans`, where Markdown would read <digest> as a tag.
    return "`".join(part.replace("<", "&lt;") if i % 2 == 0 else part
                    for i, part in enumerate(parts))


if __name__ == "__main__":
    main()
