"""The choice a picker of a user or a body submitted: its hidden id (set when a suggestion was chosen, or carried by
a link) and the name in its text box (typed by hand, or without JavaScript). The text wins when it was changed: an
exact name (any case) picks the one user or body so named; an unknown name or id is an error in Russian, and the
filter then applies nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from webapp.security import db_id
from webapp.services import suggest

#: kind -> (the Russian noun for messages, find by id, find by exact name, the label shown in the box)
KINDS = {
    "user": ("Пользователь", suggest.user_by_id, suggest.user_named, suggest.user_label),
    "approver": ("Согласующий", lambda v, i: suggest.user_by_id(v, i, approvers=True),
                 lambda v, t: suggest.user_named(v, t, approvers=True), suggest.user_label),
    "body": ("Орган", suggest.body_by_id, suggest.body_named, lambda b: b.display_name),
}


@dataclass
class Picked:
    """What a picker named: the object (None: nothing chosen or an error), the text to show again, the error."""

    obj: Any = None
    text: str = ""
    error: str | None = None

    @property
    def id(self) -> int | None:
        return self.obj.id if self.obj is not None else None


def picked(kind: str, viewer, values: Mapping[str, str], key: str) -> Picked:
    """Read the picker `key` (the id) with `key`_name (its text box) from a form's or a URL's values."""
    noun, by_id, named, label = KINDS[kind]
    raw_id, text = (values.get(key) or "").strip(), values.get(f"{key}_name")
    chosen = None
    if raw_id and raw_id != "0":
        try:
            chosen = by_id(viewer, db_id(raw_id))
        except ValueError:
            chosen = None
        if chosen is None and text is None:
            return Picked(error=f"{noun} не найден: выберите из подсказок.")
    if text is None:  # a link with the id alone (a drill-down, a bookmark)
        return Picked(chosen, label(chosen) if chosen else "")
    text = " ".join(text.split())
    if not text:  # the box was emptied: no filter
        return Picked()
    if chosen is not None and label(chosen).lower() == text.lower():
        return Picked(chosen, label(chosen))
    found = named(viewer, text)
    if len(found) == 1:
        return Picked(found[0], label(found[0]))
    if found:
        return Picked(text=text, error=f"{noun} «{text}»: найдено несколько с таким именем, выберите из подсказок.")
    return Picked(text=text, error=f"{noun} «{text}» не найден: начните вводить имя и выберите из подсказок.")


def typed_users(viewer, text: str | None) -> tuple[list, str | None]:
    """The users named one per line (or separated by «;») in a box typed without JavaScript: each exact full name
    must denote one user the viewer may find; else ([], the message about the first that does not)."""
    found = []
    for name in (" ".join(part.split()) for line in (text or "").splitlines() for part in line.split(";")):
        if not name:
            continue
        users = suggest.user_named(viewer, name)
        if len(users) != 1:
            why = "найдено несколько с таким именем" if users else "не найден"
            return [], f"Пользователь «{name}» {why}: напишите полное имя, как в справочнике."
        found.append(users[0])
    return found, None
