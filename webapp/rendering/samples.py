"""The documented template context: every variable with a description and a sample value.

The admin page shows this list beside the upload form, and an uploaded template is test-rendered with
these samples, so a tag that names a variable not listed here is refused before anything is stored.
"""

from __future__ import annotations

import copy
from typing import Any


def _point(number: str, text: str, kind: str = "point", level: int = 1, children: list | None = None,
           responsible: list[str] | None = None, deadline: str = "", deadline_text: str = "",
           notes: tuple[str, str] = ("", "")) -> dict[str, Any]:
    label = f"{number}." if number else ""
    deadline_note, responsible_note = notes
    return {"kind": kind, "number": number, "marker": "", "label": label,
            "text": text, "full": f"{label} {text}".strip(), "level": level,
            "is_assignment": bool(responsible), "responsible": responsible or [], "deadline": deadline,
            "deadline_text": deadline_text, "deadline_note": deadline_note, "responsible_note": responsible_note,
            "notes": [line for line in (deadline_note and f"Срок: {deadline_note}",
                                        responsible_note and f"Ответственный: {responsible_note}") if line],
            "children": children or []}


def _flat(points: list[dict]) -> list[dict]:
    out = []
    for point in points:
        out.append(point)
        out.extend(_flat(point["children"]))
    return out


def _document(attachments: list[dict]) -> dict[str, Any]:
    sub = _point("1.2.1", "Создать муниципальную методическую службу в срок до 1 февраля 2022 года.", level=2,
                 responsible=["Управление образования"], deadline="01.02.2022",
                 deadline_text="в срок до 1 февраля 2022 года")
    points = [
        _point("", "I. Общие положения", kind="heading"),
        _point("1", "Утвердить прилагаемое Положение о муниципальной методической службе.",
               children=[_point("1.1", "Принять информацию к сведению.", level=2), sub,
                         _point("1.3", "Разместить положение на сайте.", level=2,
                                responsible=["Информационно-методический отдел"], deadline="08.02.2022",
                                deadline_text="до 08.02.2022",
                                notes=("до 08.02.2022", "Информационно-методический отдел"))]),
        _point("2", "Контроль за исполнением приказа возложить на Суртаеву А.М.", kind="control"),
    ]
    item_points = [_point("1.1", "Принять информацию к сведению.")]
    return {
        "id": 12, "slug": "order-339", "type": "order", "type_title": "Приказ", "state": "published",
        "draft_mark": False, "heading": "ПРИКАЗ", "heading_alt": "ЖАКАРУ",
        "title": "Об утверждении положения о муниципальной методической службе",
        "number": "339", "date": "26.12.2020", "date_long": "26 декабря 2020 г.", "date_text": "26.12.2020",
        "event_date": "26.12.2020", "place": "с. Усть-Кокса",
        "issuing_body": "Управление образования администрации МО «Усть-Коксинский район»",
        "issuing_body_short": "Управление образования",
        "letterhead": [{"lang": "ru", "lines": ["УПРАВЛЕНИЕ ОБРАЗОВАНИЯ", "с. Усть-Кокса, ул. Харитошкина, 6"]},
                       {"lang": "alt", "lines": ["УПРАВЛЕНИЕЗИ", "Коксуу Оозы журт"]}],
        "labels": {"chair": "Председательствовал:", "secretary": "Секретарь:", "attendees": "Присутствовали:",
                   "invited": "Приглашённые:", "agenda": "Повестка дня:", "heard": "СЛУШАЛИ:",
                   "spoke": "ВЫСТУПИЛИ:", "decided": "РЕШИЛИ:", "meeting_time": "Время проведения:",
                   "venue": "Место проведения:"},
        "meeting_time": "10.00-17.00 часов", "venue": "ул. Чехова, д. 12, конференц-зал",
        "preamble": ["В целях обеспечения единых условий научно-методического сопровождения"],
        "participant_groups": [{"role": "chair", "label": "Председательствовал:", "people": [
            {"name": "Цулая Лариса Владимировна", "position": "начальник отдела",
             "line": "Цулая Лариса Владимировна, начальник отдела"}]}],
        "chairs": [{"name": "Цулая Лариса Владимировна", "position": "начальник отдела",
                    "line": "Цулая Лариса Владимировна, начальник отдела"}],
        "secretaries": [{"name": "Матвейчук Елена Николаевна", "position": "главный специалист",
                         "line": "Матвейчук Елена Николаевна, главный специалист"}],
        "attendees": [{"name": "Клюсова Виктория Викторовна", "position": "заместитель директора",
                       "line": "Клюсова Виктория Викторовна, заместитель директора"}],
        "invited": [{"name": "", "position": "", "line": "представители муниципальных органов управления"}],
        "agenda": [{"number": "1", "title": "О реализации проекта", "speakers": "Цулая Л.В.",
                    "numbered_title": "1. О реализации проекта", "heading": "1. О реализации проекта (Цулая Л.В.)",
                    "heard": ["Цулая Л.В. рассказала о ходе реализации проекта."], "decided_label": "РЕШИЛИ:",
                    "discussion": [{"speaker": "Клюсова В.В.", "text": "предложила перенести срок на март",
                                    "line": "Клюсова В.В. – предложила перенести срок на март"}],
                    "points": item_points, "lines": _flat(item_points)}],
        "decision_heading": "ПРИКАЗЫВАЮ:", "points": points, "lines": _flat(points),
        "stages": [{"title": "1 этап: 2015 – 2016 гг", "period": "2015 – 2016 гг", "start": "01.01.2015",
                    "end": "31.12.2016", "points": [_point("1", "Разработать нормативную базу.")],
                    "lines": [_point("1", "Разработать нормативную базу.")]}],
        "closing": ["Приказ вступает в силу со дня подписания."],
        "controller": "начальника информационно-методического отдела Суртаеву А.М.",
        "signatories": [{"position": "И.о. начальника", "name": "С.П. Бочкарева"}],
        "acknowledgment": {"label": "С приказом ознакомлена", "people": [{"name": "А.М. Суртаева",
                                                                          "date": "28.12.2020"}]},
        "approval_stamp": [],
        "attachments": attachments,
        "as_printed": False, "number_text": "339",
        "organisation": {"name": "Управление образования администрации МО «Усть-Коксинский район»",
                         "short_name": "Управление образования",
                         "above": ["Министерство образования и науки Республики Алтай"],
                         "name_alt": "«Көксуу-Оозы аймак» муниципал төзөмөлининг администрациязынынг управлениези",
                         "above_alt": ["Алтай Республиканын ўредў ле билим министерствозы"],
                         "place": "с. Усть-Кокса", "address": ["649490, с. Усть-Кокса, ул. В.И. Харитошкина, 6"]},
        "presiding": [{"label": "Председатель", "name": "Л.В. Цулая", "position": "начальник отдела"},
                      {"label": "Секретарь", "name": "Е.Н. Матвейчук", "position": "главный специалист"}],
        "control_clause": "Контроль за исполнением настоящего приказа возложить на начальника "
                          "информационно-методического отдела Суртаеву А.М.",
        "executor": {"name": "Матвейчук Елена Николаевна", "phone": "8 (3467) 00-00-01"},
        "emblem": "",
        "attendance_sheet": {"stamp": ["Приложение", "к протоколу от 10.06.2021 № 5"],
                             "title": "Список присутствовавших",
                             "people": [{"number": "1", "name": "Клюсова Виктория Викторовна",
                                         "position": "заместитель директора",
                                         "line": "1. Клюсова Виктория Викторовна, заместитель директора"}]},
    }


def sample_document() -> dict[str, Any]:
    """A document that fills every variable, with one attachment of the same shape."""
    attachment = _document([])
    attachment.update({"type": "regulation", "type_title": "Положение", "heading": "Положение", "heading_alt": "",
                       "title": "о муниципальной методической службе", "number": "", "letterhead": [],
                       "approval_stamp": ["Утверждено приказом", "от 26.12.2020 № 339"]})
    return _document([attachment])


SAMPLE_TODAY = "23.11.2026"


def sample_for(name: str) -> dict[str, Any]:
    """The sample context of a document type or a sheet (a fresh copy: a render may not change it)."""
    document = sample_document()
    sheet_doc = {key: document[key] for key in ("type_title", "number", "date_text", "title")}
    if name == "approval_sheet":
        return {"doc": sheet_doc, "rounds": [{"number": 1, "mode": "последовательно", "steps": [
            {"number": 1, "position": "Начальник юридического отдела", "name": "Сидоров А.В.",
             "decision": "Согласовано с замечаниями", "comment": "Уточнить срок в п. 2", "date": "24.12.2020 10:15"}]}]}
    if name == "acknowledgment_sheet":
        return {"doc": sheet_doc, "people": [{"number": 1, "name": "Суртаева А.М.", "position": "Начальник отдела",
                                              "date": "28.12.2020 09:00"}]}
    if name == "assignments_report":
        return {"as_of": "01.03.2022", "subtitle": "", "signer": "Начальник отдела контроля А.М. Суртаева",
                "total": 1, "done": 0, "overdue": 1, "rows": [
                    {"number": 1, "document": "Протокол № 1 от 10.06.2021", "point": "1.2.2",
                     "action": "Создать муниципальную методическую службу", "responsible": "Органы местного "
                     "самоуправления", "deadline": "01.02.2022", "status": "новое", "days_overdue": 28,
                     "done": False}]}
    return copy.deepcopy({"doc": document, "today": SAMPLE_TODAY})


# (path, description in Russian for the admin page); `[]` stands for «each element of the list».
DOCUMENT_VARIABLES: list[tuple[str, str]] = [
    ("doc.type", "вид документа: order, protocol, decision, resolution, regulation, plan"),
    ("doc.type_title", "вид документа по-русски"),
    ("doc.state", "состояние по маршруту; published — опубликован"),
    ("doc.draft_mark", "нужна ли отметка «Проект» (истина у проектов)"),
    ("doc.heading", "вид документа, как он напечатан"),
    ("doc.heading_alt", "вид документа на втором языке бланка"),
    ("doc.title", "заголовок к тексту («Об ...»)"),
    ("doc.number", "регистрационный номер (пусто у проекта)"),
    ("doc.date", "дата документа ДД.ММ.ГГГГ"),
    ("doc.date_long", "дата словами"),
    ("doc.date_text", "дата, как она печатается (у загруженных образцов — как в оригинале)"),
    ("doc.event_date", "дата заседания или мероприятия"),
    ("doc.place", "место составления"),
    ("doc.issuing_body", "орган, издавший документ"),
    ("doc.issuing_body_short", "его краткое название"),
    ("doc.letterhead[].lines", "строки бланка; колонок две у двуязычного бланка"),
    ("doc.labels.chair", "подписи разделов протокола: chair, secretary, attendees, invited, agenda, heard, "
                         "spoke, decided, meeting_time, venue"),
    ("doc.meeting_time", "время проведения"),
    ("doc.venue", "место проведения"),
    ("doc.preamble", "абзацы преамбулы (список строк)"),
    ("doc.participant_groups[].label", "группа участников: подпись («Председательствовал:»)"),
    ("doc.participant_groups[].people[].line", "участник одной строкой"),
    ("doc.chairs[].name", "председательствующие (также secretaries, attendees, invited): name, position, line"),
    ("doc.agenda[].numbered_title", "вопрос повестки с номером"),
    ("doc.agenda[].heading", "вопрос с докладчиками, как перед «РЕШИЛИ:»"),
    ("doc.agenda[].heard", "абзацы «СЛУШАЛИ»"),
    ("doc.agenda[].discussion[].line", "«ВЫСТУПИЛИ»: по выступающему — speaker, text и line («Фамилия И.О. – "
                                       "содержание»)"),
    ("doc.agenda[].decided_label", "«РЕШИЛИ:» как напечатано (или «ПОСТАНОВИЛИ:», заданное органу)"),
    ("doc.agenda[].lines[].full", "пункты решения по вопросу, по порядку"),
    ("doc.decision_heading", "«ПРИКАЗЫВАЮ:», «РЕШИЛИ:»"),
    ("doc.lines[].full", "пункт целиком: номер и текст"),
    ("doc.lines[].kind", "point, heading, paragraph, addressee, control"),
    ("doc.lines[].label", "номер пункта с точкой или маркер"),
    ("doc.lines[].text", "текст пункта"),
    ("doc.lines[].level", "уровень вложенности (1 — верхний)"),
    ("doc.lines[].responsible", "ответственные органы поручения (список)"),
    ("doc.lines[].deadline", "срок ДД.ММ.ГГГГ"),
    ("doc.lines[].deadline_text", "срок, как написан"),
    ("doc.lines[].deadline_note", "срок для строки «Срок: …» после пункта («до 01.02.2022», «ежеквартально до 5 "
                                  "числа»); пусто, если срок назван в тексте пункта или в вводящем его пункте"),
    ("doc.lines[].responsible_note", "ответственные для строки «Ответственные: …»; пусто, если все они названы в "
                                     "тексте пункта или в вводящем его пункте"),
    ("doc.lines[].notes", "строки «Срок: …» и «Ответственный: …» / «Ответственные: …», которые печатаются после "
                          "пункта (список; пуст, если печатать нечего)"),
    ("doc.points[].children", "те же пункты деревом: children у каждого"),
    ("doc.stages[].title", "этап плана; у этапа также period, start, end, points, lines"),
    ("doc.closing", "абзацы после пунктов"),
    ("doc.controller", "на кого возложен контроль"),
    ("doc.signatories[].position", "должность подписанта (слева)"),
    ("doc.signatories[].name", "И.О. Фамилия (справа)"),
    ("doc.acknowledgment.label", "«С приказом ознакомлены:»"),
    ("doc.acknowledgment.people[].name", "ознакомившиеся: name, date"),
    ("doc.approval_stamp", "строки «Утверждено приказом ... от ... № ...» приложения"),
    ("doc.attachments[].title", "приложения: у каждого те же переменные, что у doc"),
    ("doc.as_printed", "документ напечатан как загруженный оригинал (истина) или составлен в системе"),
    ("doc.organisation.name", "издающий орган: name, short_name, above (вышестоящие органы), name_alt, "
                              "above_alt (второй язык), place, address"),
    ("doc.number_text", "номер или «____» у проекта"),
    ("doc.presiding[].name", "«Председатель – И.О. Фамилия», «Секретарь – …»: label, name, position"),
    ("doc.control_clause", "пункт о контроле исполнения (последний пункт)"),
    ("doc.executor.name", "отметка об исполнителе: name, phone"),
    ("doc.attendance_sheet.people[].line", "список присутствовавших приложением к протоколу, когда их больше 15: "
                                           "stamp (строки «Приложение к протоколу от … № …»), title, people "
                                           "(number, name, position, line); пусто, если список не нужен"),
    ("doc.emblem", "герб (эмблема) органа — изображение: печатается {{ doc.emblem }} отдельным абзацем; "
                   "пусто, если органу герб не задан"),
    ("today", "сегодняшняя дата ДД.ММ.ГГГГ"),
]

SHEET_VARIABLES: dict[str, list[tuple[str, str]]] = {
    "approval_sheet": [
        ("doc.title", "документ: type_title, number, date_text, title"),
        ("rounds[].number", "круг согласования; mode — последовательно или одновременно"),
        ("rounds[].steps[].name", "согласующий: number, position, name, decision, comment, date"),
    ],
    "acknowledgment_sheet": [
        ("doc.title", "документ: type_title, number, date_text, title"),
        ("people[].name", "ознакомившиеся: number, name, position, date"),
    ],
    "assignments_report": [
        ("as_of", "дата справки"),
        ("total", "всего поручений; также done, overdue"),
        ("rows[].action", "поручение: number, document, point, action, responsible, deadline, status, "
                          "days_overdue, done"),
        ("signer", "подпись под справкой"),
    ],
}


def lookup(context: Any, path: str) -> Any:
    """The sample value at a documented path (`[]` takes the first element)."""
    value = context
    for part in path.split("."):
        many = part.endswith("[]")
        key = part[:-2] if many else part
        value = value[key]
        if many:
            value = value[0]
    return value


def documented(name: str) -> list[tuple[str, str, str]]:
    """(variable, description, sample) rows for the admin page."""
    sample = sample_for(name)
    rows = SHEET_VARIABLES.get(name, DOCUMENT_VARIABLES)
    out = []
    for path, description in rows:
        value = lookup(sample, path)
        if isinstance(value, dict):
            value = ", ".join(value)
        out.append((path.replace("[]", "[i]"), description, str(value)[:120]))
    return out
