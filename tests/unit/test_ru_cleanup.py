"""Unit tests of webapp.ru.cleanup: text as DOCX/PDF extraction leaves it, made into logical lines with offsets."""

import pytest

from webapp.ru.cleanup import clean


def texts(raw: str) -> list[str]:
    return [line.text for line in clean(raw)]


def test_every_character_keeps_its_offset_in_the_original() -> None:
    raw = "  **ПРИКАЗ**\n\n### О  проведении\u00a0конкурса\n1. Отделу образова-\nния подготовить план.\n"
    for line in clean(raw):
        for position, char in enumerate(line.text):
            source = raw[line.pos[position]]
            assert char == source or (char == " " and source.isspace()), (line.text, position)


@pytest.mark.parametrize(("raw", "expected"), [
    # a word split at the line end is one word again
    ("подготовить методические рекомен-\nдации по организации", "подготовить методические рекомендации по организации"),
    # a compound written with a hyphen keeps it, even when the hyphen falls at the line end
    ("условия (кадровые, материально-\nтехнические)", "условия (кадровые, материально-технические)"),
    ("администрации МО «Усть-\nКоксинский район»", "администрации МО «Усть-Коксинский район»"),
    # a date split across lines
    ("в срок до 1 февраля\n2022 года подготовить", "в срок до 1 февраля 2022 года подготовить"),
    ("приказом от 26.12.\n2020 № 339", "приказом от 26.12.2020 № 339"),
    # a sentence broken mid-way, also with blank lines between (PDF) and a quoted name open across lines
    ("Органам управления образованием\n\nадминистраций муниципальных округов:", "Органам управления образованием "
     "администраций муниципальных округов:"),
    ("работа круглого стола «Научно-методическое сопровождение:\nинновационные форматы».",
     "работа круглого стола «Научно-методическое сопровождение: инновационные форматы»."),
])
def test_broken_lines_are_joined(raw: str, expected: str) -> None:
    assert texts(raw) == [expected]


@pytest.mark.parametrize("raw", [
    "обеспечить создание служб;\nоказывать поддержку",  # list items ending with «;»
    "ГБУ ДПО «Институт»:\n- совершенствовать систему",  # a heading and its items
    "1. Утвердить положение.\n2. Отделу образования обеспечить",  # numbered points
    "Провести семинар.\nОтветственный: Иванов И.И.",  # a label line
    "ПРОТОКОЛ № 5 заседания комиссии\n12.03.2024",  # a heading and its date
    "Начальник отдела общего образования\nДепартамента образования",  # a signature's position, not wrapped text
    "Решение коллегии о мерах по улучшению работы с педагогами района и города\nО формировании грамотности",
])
def test_separate_lines_stay_separate(raw: str) -> None:
    assert len(clean(raw)) == 2


def test_wrapped_lines_join_even_before_a_capital_in_fixed_width_text() -> None:
    wrapped = ("Участники совещания отметили необходимость развития системы\n"
               "научно-методического сопровождения в формате оказания адресной\n"
               "методической помощи педагогам Республики Калмыкия.\n"
               "Центру непрерывного повышения профессионального мастерства\n"
               "БУ ДПО РК «Калмыцкий республиканский институт повышения\n"
               "квалификации работников образования»:\n"
               "обеспечивать тесное взаимодействие и сотрудничество с\n"
               "муниципальными методическими структурами (центрами, кабинетами\n"
               "и др.) в организации подготовки привлекаемых методистов;\n")
    assert texts(wrapped)[1:] == [
        "Центру непрерывного повышения профессионального мастерства БУ ДПО РК «Калмыцкий республиканский институт "
        "повышения квалификации работников образования»:",
        "обеспечивать тесное взаимодействие и сотрудничество с муниципальными методическими структурами (центрами, "
        "кабинетами и др.) в организации подготовки привлекаемых методистов;",
    ]


def test_page_numbers_and_running_headers_go() -> None:
    raw = ("1. Отделу образования подготовить\n"
           "Приказ № 12 от 15.01.2025\nСтраница 1 из 3\n\fПриказ № 12 от 15.01.2025\n"
           "план работы.\n2. Школам обеспечить участие.\n- 2 -\n"
           "Приказ № 12 от 15.01.2025\n3. Контроль оставляю за собой.\nСтраница 3 из 3\n")
    assert texts(raw) == ["1. Отделу образования подготовить план работы.", "2. Школам обеспечить участие.",
                          "3. Контроль оставляю за собой."]


def test_a_line_repeated_without_page_breaks_stays() -> None:
    raw = "Решили:\n1. Принять к сведению.\nРешили:\n1. Принять к сведению.\nРешили:\n"
    assert texts(raw).count("Решили:") == 3


def test_markup_spacing_and_emphasis_are_undone() -> None:
    raw = "**ПРИКАЗ**\n#### П Р И К А З Ы В А Ю:\n28 марта 2024 г.                     № 215\nТаблица\tСрок\n"
    assert texts(raw) == ["ПРИКАЗ", "ПРИКАЗЫВАЮ:", "28 марта 2024 г.\t№ 215", "Таблица\tСрок"]


def test_table_rows_are_never_joined() -> None:
    raw = "№\tМероприятие\tСрок\n1.\tПодготовка плана\tянварь\nпродолжение\n"
    assert len(clean(raw)) == 3


def test_rows_written_with_bars_become_cells_and_rules_go() -> None:
    raw = ("| № | Мероприятие | Срок |\n|---|:---|---|\n| 1. | Подготовка плана | январь |\n"
           "+-----+------+\nПункт 1 | не таблица\n")
    assert texts(raw) == ["№\tМероприятие\tСрок", "1.\tПодготовка плана\tянварь", "Пункт 1 | не таблица"]

def test_empty_text() -> None:
    assert clean("") == []
    assert clean("\n \n\f\n") == []
