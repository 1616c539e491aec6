"""Names of downloaded files as a clerk reads them in her «Загрузки» folder: «Приказ № 339 от 26.12.2020 — Об
утверждении положения….docx», «Лист ознакомления — Протокол № 1 от 10.06.2021.csv». Sent with RFC 5987's
`filename*=UTF-8''…` (Flask's send_file writes it, with an ASCII fallback for old clients)."""

from __future__ import annotations

import re

UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')  # what Windows refuses in a name, and control characters
TITLE_LENGTH = 80


def file_name(name: str, extension: str) -> str:
    """A name safe on every file system: «01-29/5» becomes «01-29-5»; at most 150 characters before the extension."""
    cleaned = " ".join(UNSAFE.sub("-", name).split()).strip(" .-") or "документ"
    if len(cleaned) > 150:
        cleaned = cleaned[:149].rstrip(" .-") + "…"
    return f"{cleaned}.{extension}"


def document_file_name(label: str, title: str | None, extension: str, prefix: str | None = None) -> str:
    """«Приказ № 339 от 26.12.2020 — Об утверждении положения о ….docx»; a sheet's prefix goes first."""
    title = " ".join((title or "").split())
    if len(title) > TITLE_LENGTH:
        title = title[: TITLE_LENGTH - 1].rstrip(" ,.;:-") + "…"
    name = f"{label} — {title}" if title else label
    return file_name(f"{prefix} — {name}" if prefix else name, extension)
