"""Benchmark: reading and extracting a 10-page protocol DOCX (target <= 50 ms after start-up) and a batch of 100
documents.

    python bench/extract.py [--runs N]

The protocol is built with python-docx: a letterhead, participants, ten agenda items with «СЛУШАЛИ/РЕШИЛИ» and
eight numbered decisions each (Word's own numbering for the items), addressed to bodies with deadlines of every
kind, about 10 pages. The batch is the five sample documents of tests/data/seeds and this protocol, 100 in all.
Prints the median and worst of N runs, after one warm-up (regexes compiled, morphology loaded).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BODIES = ["Управлению образования администрации города", "Муниципальным общеобразовательным организациям",
          "Отделу дошкольного образования (Петрова А.С.)", "Информационно-методическому центру",
          "Руководителям образовательных организаций"]
DEADLINES = ["в срок до 15 марта 2024 года", "ежеквартально", "до 01.09.2024", "с 1 сентября 2024 года",
             "в течение 2024 года", "постоянно", "в течение 10 рабочих дней", "I квартал 2024 г."]


def protocol_docx() -> bytes:
    import docx

    book = docx.Document()
    for line in ("АДМИНИСТРАЦИЯ ГОРОДА", "УПРАВЛЕНИЕ ОБРАЗОВАНИЯ", "ПРОТОКОЛ",
                 "совещания руководителей образовательных организаций", "15.01.2024 № 3", "г. Энск"):
        book.add_paragraph(line)
    book.add_paragraph("Председатель – И.И. Иванов, начальник управления образования")
    book.add_paragraph("Секретарь – П.П. Петрова, главный специалист")
    book.add_paragraph("Присутствовали:")
    for n in range(12):
        book.add_paragraph(f"Сотрудник {n} Иван Петрович, директор школы № {n + 1}")
    book.add_paragraph("ПОВЕСТКА ДНЯ:")
    for item in range(10):
        book.add_paragraph(f"О ходе работы по направлению {item + 1} в первом полугодии учебного года",
                           style="List Number")
    for item in range(10):
        book.add_paragraph(f"{item + 1}. СЛУШАЛИ:")
        book.add_paragraph(f"Докладчик {item} о ходе работы по направлению {item + 1}, о результатах мониторинга, "
                           "о проблемах и предложениях образовательных организаций города. " * 3)
        book.add_paragraph("РЕШИЛИ:")
        for point in range(8):
            body, deadline = BODIES[(item + point) % 5], DEADLINES[(item * 3 + point) % 8]
            book.add_paragraph(f"{item + 1}.{point + 1}. {body} обеспечить выполнение мероприятий плана по "
                               f"направлению {item + 1} и представить информацию {deadline}.")
    book.add_paragraph("Председатель И.И. Иванов")
    book.add_paragraph("Секретарь П.П. Петрова")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def timed(function, runs: int) -> list[float]:
    function()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    from webapp.ru.extract import extract
    from webapp.sources import read_source

    protocol = protocol_docx()
    import gc

    gc.freeze()  # as `docflow serve` does after start-up
    seeds = [(p.name, p.read_bytes()) for p in sorted((ROOT / "tests" / "data" / "seeds").glob("*.txt"))]
    batch = [("protocol.docx", protocol) if i % 6 == 5 else seeds[i % 6 % len(seeds)] for i in range(100)]
    source = read_source("protocol.docx", protocol)
    words = len(source.text.split())

    def one() -> None:
        extract(read_source("protocol.docx", protocol).text, "protocol.docx")

    def many() -> None:
        for name, data in batch:
            extract(read_source(name, data).text, name)

    single = timed(one, args.runs)
    found = extract(source.text, "protocol.docx").as_json()
    print(f"10-page protocol DOCX ({words} words, {len(found['assignments'])} assignments found): "
          f"median {statistics.median(single) * 1000:.1f} ms, worst {max(single) * 1000:.1f} ms "
          f"({args.runs} runs; target <= 50 ms)")
    batch_times = timed(many, max(3, args.runs // 5))
    print(f"batch of 100 documents: median {statistics.median(batch_times):.2f} s, "
          f"{statistics.median(batch_times) * 10:.1f} ms per document")


if __name__ == "__main__":
    main()
