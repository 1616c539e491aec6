"""Russian-language helpers: dates, deadlines of directives and case changes of body names."""

from .dates import DateError, format_date_long, format_date_short, parse_date
from .deadlines import (
    Deadline,
    Recurrence,
    find_deadline,
    is_ongoing_verb,
    occurrences,
    parse_deadline,
    strip_deadline,
)
from .morph import to_dative, to_nominative

__all__ = [
    "DateError",
    "Deadline",
    "Recurrence",
    "find_deadline",
    "format_date_long",
    "format_date_short",
    "is_ongoing_verb",
    "occurrences",
    "parse_date",
    "parse_deadline",
    "strip_deadline",
    "to_dative",
    "to_nominative",
]
