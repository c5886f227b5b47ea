"""The one rule for text on its way to the database: what PostgreSQL text can hold.

Two things cannot be stored, whatever the field:

* NUL (U+0000): PostgreSQL's ``text`` has no room for it (the driver refuses the whole statement);
* a lone UTF-16 surrogate (U+D800–U+DFFF): half of a character, as JSON can spell it (``"\\ud800"``) and a
  browser can send it after cutting an emoji in two; it has no UTF-8 form at all.

Every entry point applies this rule before text reaches a query: the API for every request (path, query and
JSON body, ``socialhub.api.deps``), and the services the web UI calls directly for their own text arguments.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping, Sequence

from socialhub.services.errors import Invalid

__all__ = ["Path", "UnstorableText", "find_unstorable", "problem", "require_storable", "storable_key"]

Path = tuple[str | int, ...]

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class UnstorableText(Invalid):
    code = "unstorable_text"


def problem(value: str) -> str | None:
    """What makes ``value`` unstorable, as the tail of a sentence ("contains …"), or None when it is fine."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "contains a NUL character (\\u0000, invisible), which text cannot hold; remove it"
    return (
        f"contains half of a character (a lone UTF-16 surrogate, \\u{ord(found.group()):04x}), "
        "which text cannot hold; type or paste the whole character again"
    )


def storable_key(key: str) -> str:
    """A key or field name that is safe to show in a message: unstorable characters spelled as escapes."""
    return _UNSTORABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", key)


def find_unstorable(value: object, path: Path = ()) -> tuple[Path, str] | None:
    """The first unstorable string in a JSON-like value (dict keys included, dataclasses by field): its path and
    ``problem``."""
    return next(_walk(value, path), None)


def _walk(value: object, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(value, str):
        found = problem(value)
        if found:
            yield path, found
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and (found := problem(key)):
                yield (*path, storable_key(key)), f"has a name that {found}"
            yield from _walk(item, (*path, key if isinstance(key, str) else str(key)))
    elif isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _walk(getattr(value, field.name), (*path, field.name))


def require_storable(**fields: object) -> None:
    """Refuse the first argument whose text cannot be stored, naming it: ``require_storable(team_name=…)``.

    Values may be strings, ``None``, JSON-like structures (options, metadata) or dataclasses holding them.
    """
    for name, value in fields.items():
        found = find_unstorable(value)
        if found is not None:
            where, sentence = found
            field = name + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in where)
            subject = f"The field '{field}'" if where else f"The {name.replace('_', ' ')}"
            raise UnstorableText(f"{subject} {sentence}.", details={"field": field})
