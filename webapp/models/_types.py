"""Column helpers shared by the models."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint


def enum_check(column: str, values: type[enum.StrEnum], name: str | None = None) -> CheckConstraint:
    """Enums are stored as plain strings (portable, readable in SQL) guarded by a CHECK."""
    allowed = ", ".join(f"'{member.value}'" for member in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name or f"{column}_valid")
