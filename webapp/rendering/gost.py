"""The requisites GOST R 7.0.97 asks of a document written in the service, added to its template context.

A document kept as its paper original printed it (a loaded sample, an imported letterhead or printed labels)
renders as printed; one written in the service gets its issuing body's letterhead and place, the order's
formula («ПРИКАЗЫВАЮ:»), the control clause as the last point, «№ ____» and a date line while it is a draft,
«Председатель – И.О. Фамилия» and «Секретарь – И.О. Фамилия» in a protocol, and the отметка об исполнителе.
Pure: plain data in, plain data out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from webapp.ru.morph import gender_of, to_accusative, to_genitive, with_count
from webapp.ru.typography import initials_first

#: The line before an order's points when its body sets none (config DECISION_FORMULAS overrides these).
FORMULAS = {"order": "ПРИКАЗЫВАЮ:"}

#: «Контроль за исполнением настоящего приказа ...»: the document's type in the genitive.
GENITIVE = {"order": "приказа", "decision": "решения", "resolution": "резолюции", "regulation": "положения",
            "plan": "плана", "protocol": "протокола"}

#: Types dated by their registration: a draft prints an empty date line to be filled in on signing.
DATED_ON_SIGNING = frozenset({"order", "decision", "resolution"})

DATE_LINE = "«___» ____________ 20___ г."
NUMBER_LINE = "____"

#: Labels a protocol written in the service prints (ГОСТ Р 7.0.97: «ПОВЕСТКА ДНЯ», «СЛУШАЛИ», «РЕШИЛИ»).
SERVICE_LABELS = {"chair": "Председатель", "secretary": "Секретарь", "attendees": "Присутствовали:",
                  "invited": "Приглашённые:", "agenda": "ПОВЕСТКА ДНЯ:", "heard": "СЛУШАЛИ:", "spoke": "ВЫСТУПИЛИ:",
                  "decided": "РЕШИЛИ:"}

#: More attendees than this: the protocol prints their count and the list follows as its attachment
#: (config PROTOCOL_ATTENDEES_LISTED overrides it).
ATTENDEES_LISTED = 15


@dataclass(frozen=True)
class Organisation:
    """The issuing body's letterhead requisites."""

    name: str
    short_name: str = ""
    above: list[str] = field(default_factory=list)
    name_alt: str = ""
    above_alt: list[str] = field(default_factory=list)
    place: str = ""
    address: list[str] = field(default_factory=list)
    formulas: dict[str, str] = field(default_factory=dict)
    emblem: Any = None  #: the emblem or coat of arms (an engine.Picture), centred above the letterhead


@dataclass(frozen=True)
class Executor:
    name: str
    phone: str = ""


@dataclass(frozen=True)
class Facts:
    as_printed: bool
    registered: bool
    organisation: Organisation | None = None
    formulas: dict[str, str] = field(default_factory=lambda: dict(FORMULAS))
    has_control_point: bool = False
    executor: Executor | None = None
    attendees_listed: int = ATTENDEES_LISTED


def organisation_context(organisation: Organisation | None) -> dict[str, Any]:
    if organisation is None:
        return {"name": "", "short_name": "", "above": [], "name_alt": "", "above_alt": [], "place": "",
                "address": []}
    return {"name": organisation.name, "short_name": organisation.short_name, "above": list(organisation.above),
            "name_alt": organisation.name_alt, "above_alt": list(organisation.above_alt),
            "place": organisation.place, "address": list(organisation.address)}


def letterhead(organisation: Organisation) -> list[dict[str, Any]]:
    """The bodies above, then the body's own name, in capitals; a second column in the region's language."""
    columns = [{"lang": "ru", "lines": [line.upper() for line in [*organisation.above, organisation.name]]}]
    if organisation.name_alt:
        columns.append({"lang": "alt", "lines": [line.upper() for line in
                                                 [*organisation.above_alt, organisation.name_alt]]})
    return columns


def control_clause(doc_type: str, controller: str) -> str:
    """«Контроль за исполнением настоящего приказа возложить на начальника отдела Суртаеву А.М.»; what the author
    typed is put in the accusative (typed already in it, it is kept)."""
    whom = re.sub(r"^\s*(?:контроль\b.*?\bвозложить\s+на\s+)", "", controller.strip(), flags=re.I | re.S)
    whom = to_accusative(whom.rstrip(" ."))
    return f"Контроль за исполнением настоящего {GENITIVE.get(doc_type, 'документа')} возложить на {whom}."


#: «УТВЕРЖДЁН» agrees with the approved document's type (ГОСТ Р 7.0.97: the гриф утверждения in capitals).
APPROVED = {"masc": "УТВЕРЖДЁН", "femn": "УТВЕРЖДЕНА", "neut": "УТВЕРЖДЕНО"}

#: «приказом», «решением»: the approving document's type in the instrumental case.
INSTRUMENTAL = {"order": "приказом", "protocol": "протоколом", "decision": "решением", "resolution": "резолюцией",
                "regulation": "положением", "plan": "планом"}


def approval_stamp(approved_type_title: str, approving_type: str, organisation: str, day: str, number: str
                   ) -> list[str]:
    """«УТВЕРЖДЕНО / приказом Департамента … / от 26.12.2020 № 339»: the word agrees with the approved document
    («Положение» → УТВЕРЖДЕНО, «План» → УТВЕРЖДЁН, «Инструкция» → УТВЕРЖДЕНА); the organisation in the
    genitive; the reference as «от ДД.ММ.ГГГГ № N», blanks to fill in while the approving document is a draft."""
    word = APPROVED.get(gender_of(approved_type_title.split()[0]) if approved_type_title else None, "УТВЕРЖДЕНО")
    by = INSTRUMENTAL.get(approving_type, "документом")
    return [word, f"{by} {to_genitive(organisation)}".strip(), f"от {day or '__________'} № {number or '_____'}"]


def _next_number(lines: list[dict[str, Any]]) -> str:
    tops = [int(line["number"]) for line in lines if line.get("level") == 1 and str(line.get("number")).isdigit()]
    return str(max(tops) + 1) if tops else ""


def _control_row(number: str, text: str) -> dict[str, Any]:
    label = f"{number}." if number else ""
    return {"kind": "control", "number": number, "marker": "", "label": label, "text": text,
            "full": f"{label} {text}".strip(), "level": 1, "is_assignment": False, "responsible": [],
            "deadline": "", "deadline_text": "", "deadline_note": "", "responsible_note": "", "notes": [],
            "children": []}


def _attendance_sheet(context: dict[str, Any]) -> None:
    """Many attendees: «Присутствовали: 23 человека (список прилагается)», and the list, with positions, on a page
    of its own after the protocol, marked «Приложение к протоколу от … № …» (ГОСТ Р 7.0.97-2016 p. 5.15)."""
    people = context["attendees"]
    for group in context["participant_groups"]:
        if group["role"] == "attendees":
            group["label"] = f"{group['label']} {with_count(len(people), 'человек')} (список прилагается)"
            group["people"] = []
    number = context["number"] or NUMBER_LINE
    reference = f"к протоколу от {context['date'] or DATE_LINE} № {number}"
    context["attendance_sheet"] = {
        "stamp": ["Приложение", reference], "title": "Список присутствовавших",
        "people": [{"number": str(index), "name": person["name"], "position": person["position"],
                    "line": f"{index}. {person['line']}"} for index, person in enumerate(people, start=1)],
    }


def complete(context: dict[str, Any], facts: Facts) -> dict[str, Any]:
    """The context with the service's requisites added (a printed document's own ones are never replaced)."""
    context["as_printed"] = facts.as_printed
    context["organisation"] = organisation_context(facts.organisation)
    context["number_text"] = context["number"]
    context["presiding"] = []
    context["executor"] = {"name": "", "phone": ""}
    context["control_clause"] = ""
    context["emblem"] = ""
    context["attendance_sheet"] = {}
    for role, people in (("chair", context["chairs"]), ("secretary", context["secretaries"])):
        for person in people:
            context["presiding"].append({"label": SERVICE_LABELS[role], "name": initials_first(person["name"]),
                                         "position": person["position"]})
    if facts.as_printed:
        return context
    doc_type = context["type"]
    organisation = facts.organisation
    if organisation is not None:
        if not context["letterhead"]:
            context["letterhead"] = letterhead(organisation)
            context["emblem"] = organisation.emblem or ""
        context["place"] = context["place"] or organisation.place
    formula = (organisation.formulas if organisation else {}).get(doc_type) or facts.formulas.get(doc_type)
    decided = formula if doc_type == "protocol" and formula else SERVICE_LABELS["decided"]  # «ПОСТАНОВИЛИ:»
    if formula and doc_type != "protocol" and not context["decision_heading"]:
        context["decision_heading"] = formula
    if not facts.registered:
        context["number_text"] = NUMBER_LINE
        if doc_type in DATED_ON_SIGNING:
            context["date_text"] = DATE_LINE
    context["labels"] = {**context["labels"], **SERVICE_LABELS}
    for group in context["participant_groups"]:
        group["label"] = context["labels"][group["role"]]
    for item in context["agenda"]:
        item["decided_label"] = decided
    if doc_type == "protocol" and len(context["attendees"]) > facts.attendees_listed:
        _attendance_sheet(context)
    for signatory in context["signatories"]:  # a signature prints «И.О. Фамилия»
        signatory["name"] = initials_first(signatory["name"])
    if doc_type == "protocol" and not context["signatories"]:
        context["signatories"] = [{"position": line["label"], "name": line["name"]} for line in context["presiding"]]
    if context["controller"] and not facts.has_control_point:
        clause = control_clause(doc_type, context["controller"])
        context["control_clause"] = clause
        row = _control_row(_next_number(context["lines"]), clause)
        context["points"].append(row)
        context["lines"].append(row)
    if facts.executor is not None:
        context["executor"] = {"name": facts.executor.name, "phone": facts.executor.phone}
    return context
