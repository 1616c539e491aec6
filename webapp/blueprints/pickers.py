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
from webapp.services.bodies import closed_reason

#: kind -> (the Russian noun for messages, find by id, find by exact name, the label shown in the box)
KINDS = {
    "user": ("Пользователь", suggest.user_by_id, suggest.user_named, suggest.user_label),
    "approver": ("Согласующий", lambda v, i: suggest.user_by_id(v, i, approvers=True),
                 lambda v, t: suggest.user_named(v, t, approvers=True), suggest.user_label),
    "body": ("Орган", suggest.body_by_id, suggest.body_named, lambda b: b.display_name),
    "draft_body": ("Орган", lambda v, i: suggest.body_by_id(v, i, draft=True),
                   lambda v, t: suggest.body_named(v, t, draft=True), lambda b: b.display_name),
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


def _names(text: str | None) -> list[str]:
    """Names typed one per line or separated by «;», spaces tidied, empty ones dropped."""
    return [n for n in (" ".join(part.split()) for line in (text or "").splitlines() for part in line.split(";")) if n]


def typed_users(viewer, text: str | None) -> tuple[list, str | None]:
    """The users named one per line (or separated by «;») in a box typed without JavaScript: each exact full name
    must denote one user the viewer may find; else ([], the message about the first that does not)."""
    found = []
    for name in _names(text):
        users = suggest.user_named(viewer, name)
        if len(users) != 1:
            why = "найдено несколько с таким именем" if users else "не найден"
            return [], f"Пользователь «{name}» {why}: напишите полное имя, как в справочнике."
        found.append(users[0])
    return found, None


def chosen_bodies(viewer, pairs) -> bool:
    """Read multi-pickers of bodies, each a pair of fields: the select (the ids it sent — chosen from
    /suggest/bodies?for=draft, or the ones the object already names) and the box of exact names typed without
    JavaScript (one per line or separated by «;»). Every body must be one the viewer may name in a draft or an
    assignment (policy.draft_bodies: an open one); a name found joins the chosen ids and leaves the box, a name that
    is unknown or shared stays in it. The reasons go on the select's field, in Russian; True when there are none."""
    pairs = list(pairs)
    wanted = {i for select, _names_box in pairs for i in select.data or []}
    allowed = suggest.draft_body_ids(viewer, wanted)
    known = suggest.bodies_by_id(wanted - allowed)  # to say why: closed, or not there at all
    clean = True
    for select, names_box in pairs:
        errors = []
        for body_id in (i for i in select.data or [] if i not in allowed):
            body = known.get(body_id)
            if body is not None and body.closed_at is not None:
                errors.append(closed_reason(body))
            else:
                errors.append("Орган не найден: выберите из подсказок.")
        chosen, left = list(dict.fromkeys(select.data or [])), []
        for name in _names(names_box.data):
            found = suggest.body_named(viewer, name, draft=True)
            if len(found) == 1:
                chosen += [found[0].id] if found[0].id not in chosen else []
                continue
            left.append(name)
            errors.append(f"Орган «{name}»: " + ("найдено несколько с таким названием, напишите полное название."
                                                 if found else "не найден среди действующих органов; напишите "
                                                 "полное или краткое название, как в справочнике."))
        select.data, names_box.data = chosen, "; ".join(left)
        if errors:
            select.errors = [*select.errors, *errors]
            clean = False
    return clean


def point_bodies(points) -> list:
    """The body pickers of a draft's points (the entries of its FieldList): (responsible, responsible_names)."""
    return [(entry.form.responsible, entry.form.responsible_names) for entry in points]


def body_labels(pairs) -> None:
    """Each select of a multi-picker (pairs as chosen_bodies takes them) offers the bodies it names, and no others
    (the rest are suggested as a name is typed): one statement for the form, whatever the size of the directory.
    A closed body says so."""
    selects = [select for select, _names_box in pairs]
    known = suggest.bodies_by_id({i for select in selects for i in select.data or []})
    for select in selects:
        select.choices = [(i, known[i].display_name + (" (закрыт)" if known[i].closed_at is not None else ""))
                          for i in dict.fromkeys(select.data or []) if i in known]
