"""What one template render may spend (time, steps, characters), and every template operation that could build
a huge string or list, each checked against what is left before its result is computed."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sized
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from string import Formatter
from typing import Any

from jinja2 import filters, nodes, pass_environment, pass_eval_context
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.environment import Template
from jinja2.runtime import Undefined
from jinja2.sandbox import SandboxedEscapeFormatter, SandboxedFormatter
from jinja2.utils import Namespace, generate_lorem_ipsum
from markupsafe import soft_str


@dataclass(frozen=True)
class RenderLimits:
    """What one render of a template may spend. A 200-point protocol uses a few per cent of each."""

    render_seconds: float = 5.0  # wall time of one render (an upload's sample render, or a document's)
    max_loop_steps: int = 100_000  # loop iterations, range() items, list items built or walked, calls
    max_output_chars: int = 5_000_000  # characters written and built: the XML of all parts and every string made


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def too_slow(limits: RenderLimits) -> str:
    return (f"Шаблон слишком долго формируется: дольше {limits.render_seconds:g} с. Проверьте циклы и фильтры, "
            "которые повторяют текст.")


def too_many_steps(limits: RenderLimits) -> str:
    return (f"В шаблоне слишком много повторений цикла: больше {_number(limits.max_loop_steps)} шагов за один "
            "документ (считаются шаги циклов for, числа range(), элементы списков, которые шаблон строит или "
            "перебирает, и вызовы).")


def too_large(limits: RenderLimits) -> str:
    return (f"Шаблон порождает слишком большой документ: больше {_number(limits.max_output_chars)} знаков текста "
            "и разметки. Проверьте циклы и фильтры, которые размножают текст (center, format, replace, join, "
            "indent, wordwrap).")


class BudgetExceeded(Exception):
    """A render went past one of its limits; `reason` is a sentence for the administrator (Russian).

    `line` is the line of the template's XML being rendered at that moment, when it is known."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
        self.lineno: int | None = None
        self.line: str | None = None


class Budget:
    """What is left of one render's limits. Every charge also looks at the clock, so a render that keeps working
    stops at its deadline (an operation is bounded in size before it runs, hence in time too)."""

    __slots__ = ("chars", "deadline", "limits", "steps")

    def __init__(self, limits: RenderLimits):
        self.limits = limits
        self.deadline = time.monotonic() + limits.render_seconds
        self.steps = limits.max_loop_steps
        self.chars = limits.max_output_chars

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise BudgetExceeded(too_slow(self.limits))

    def step(self, count: int = 1) -> None:
        self.steps -= count
        if self.steps < 0:
            raise BudgetExceeded(too_many_steps(self.limits))
        self.tick()

    def room(self, chars: int) -> None:
        """Refuse, before building it, a result that could be longer than what is left."""
        if chars > self.chars:
            raise BudgetExceeded(too_large(self.limits))
        self.tick()

    def spend(self, chars: int) -> None:
        self.chars -= chars
        if self.chars < 0:
            raise BudgetExceeded(too_large(self.limits))
        self.tick()


_CURRENT: ContextVar[Budget | None] = ContextVar("docflow_template_budget", default=None)


def current() -> Budget:
    """The budget of the render in progress; outside a render, a fresh one (each operation is still bounded)."""
    budget = _CURRENT.get()
    return budget if budget is not None else Budget(RenderLimits())


def rendering() -> bool:
    return _CURRENT.get() is not None


@contextmanager
def spending(limits: RenderLimits | None = None) -> Iterator[Budget]:
    """One budget for everything rendered inside the block (all the parts of one DOCX)."""
    budget = Budget(limits or RenderLimits())
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


# --- how long a value would be as text ---------------------------------------------------------------------

_DEPTH = 100  # deeper nesting is refused as too large (Python's own repr gives up a little further)


def text_size(value: Any, limit: int) -> int:
    """About len(str(value)), without building it: exact for strings, an upper bound within a small factor for
    numbers and the containers templates can build (a list holding one long string 100 000 times is long).
    Counting stops soon after `limit`."""
    if isinstance(value, str):
        return len(value)
    return _size(value, limit, {}, 0)


def _size(value: Any, limit: int, seen: dict[int, int], depth: int) -> int:
    if isinstance(value, str):
        return len(value) + 2  # quotes, inside a container's repr
    if isinstance(value, bytes | bytearray):
        return 4 * len(value) + 3
    if isinstance(value, bool) or value is None or isinstance(value, Undefined):
        return 5
    if isinstance(value, int):
        return value.bit_length() // 3 + 2
    if isinstance(value, float | complex):
        return 48
    if isinstance(value, range):
        return 50
    if isinstance(value, Namespace):
        value = value._Namespace__attrs  # its repr shows its attributes
    if not isinstance(value, Collection):
        return 200  # a function, a loop, a cycler: its repr is short
    key = id(value)
    if key in seen:
        return seen[key]
    if depth > _DEPTH:
        return limit + 1
    seen[key] = 5  # a container inside itself prints as [...]
    total = 2
    pairs = value.items() if isinstance(value, Mapping) else ((item, None) for item in value)
    for first, second in pairs:
        total += _size(first, limit, seen, depth + 1) + 4
        if second is not None:
            total += _size(second, limit, seen, depth + 1)
        if total > limit:
            break
    seen[key] = total
    return total


def _text(value: Any, budget: Budget, factor: int = 1) -> str:
    """The value as a string, refused first if that string would not fit."""
    if not isinstance(value, str):
        budget.room(factor * text_size(value, budget.chars // factor + 1))
        return soft_str(value)
    if factor > 1:
        budget.room(factor * len(value))
    return value


def _built(budget: Budget, result: Any) -> Any:
    if isinstance(result, str | bytes | bytearray):
        budget.spend(len(result))
    return result


def _items(values: Iterable[Any], budget: Budget) -> list[Any]:
    """A list of the values, a step each, counted before a long one is copied."""
    if isinstance(values, Sized) and not isinstance(values, Undefined):
        budget.step(len(values))
        return list(values)
    items = []
    for item in values:
        budget.step()
        items.append(item)
    return items


def _escaping(*values: Any) -> int:
    """How much longer escaping can make text (`"` becomes `&#34;`) when Markup is involved."""
    return 6 if any(hasattr(value, "__html__") for value in values) else 1


_HUGE = 10**12


def _digits(text: str) -> int:
    """The sum of the numbers in a format spec: an upper bound of its width and precision together."""
    return sum(int(run) if len(run) < 13 else _HUGE for run in re.findall(r"\d+", text))


_PRINTF = re.compile(r"%(?:\((?P<key>[^)]*)\))?[-#0 +]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d*))?[hlL]?"
                     r"(?P<kind>.?)", re.S)
_NUMERIC = frozenset("diouxXeEfFgGc")


def printf_size(template: str, values: Any, limit: int) -> int:
    """An upper bound of len(template % values), from the widths, precisions and values of its fields."""
    positional = list(values) if isinstance(values, tuple) else [values]
    mapping = values if isinstance(values, Mapping) else {}
    total = len(template)
    for field in _PRINTF.finditer(template):
        if field["kind"] == "%":
            continue
        for part in (field["width"], field["precision"]):
            if part == "*":
                star = positional.pop(0) if positional else 0
                total += abs(star) if isinstance(star, int) else 0
            elif part:
                total += _digits(part)
        if field["key"] is not None:
            value = mapping.get(field["key"], "")
        else:
            value = positional.pop(0) if positional else ""
        factor = 10 if field["kind"] in ("r", "a") else 1
        total += factor * text_size(value, limit) + (330 if field["kind"] in _NUMERIC else 0)
        if total > limit:
            break
    return total


def field_size(value: Any, spec: str, limit: int) -> int:
    """An upper bound of len(format(value, spec)) for str.format."""
    numeric = 330 if isinstance(value, int | float | complex) else 0
    return text_size(value, limit) + _digits(spec) + numeric


# --- the output: `{{ value }}`, the parts joined into a part's XML, `~` -------------------------------------

def finalize(value: Any) -> Any:
    """Every `{{ value }}`: counted as written (escaped, it may be longer: checked first if it is long)."""
    budget = current()
    if isinstance(value, str):
        size = len(value)
        if size > 4096 and not hasattr(value, "__html__"):
            budget.room(size + 4 * sum(map(value.count, "&<>\"'")))
    elif isinstance(value, Undefined):
        return value
    else:
        size = 6 * text_size(value, budget.chars // 6 + 1)
        budget.room(size)
    budget.spend(size)
    return value


def joined(parts: Iterable[str]) -> str:
    """`Environment.concat`: a part's whole XML as it is generated, and the buffer of a macro or a block set."""
    budget = current()
    if isinstance(parts, list | tuple):
        budget.spend(sum(map(len, parts)))
        return "".join(parts)
    out: list[str] = []
    for chunk in parts:
        budget.chars -= len(chunk)
        if budget.chars < 0:
            exc = BudgetExceeded(too_large(budget.limits))
            frame = getattr(parts, "gi_frame", None)
            template = frame.f_globals.get("__jinja_template__") if frame is not None else None
            if template is not None:
                exc.lineno = template.get_corresponding_lineno(frame.f_lineno)
            raise exc
        out.append(chunk)
    return "".join(out)


def concatenated(join: Callable[[Iterable[Any]], str], parts: tuple[Any, ...]) -> str:
    """The `~` operator: the parts' lengths are added up before they are joined."""
    budget = current()
    size = sum(text_size(part, budget.chars + 1) for part in parts)
    budget.room(size * _escaping(*parts))
    return _built(budget, join(parts))


def loop_step() -> None:
    budget = _CURRENT.get()
    if budget is not None:
        budget.step()


# --- operators, globals, calls ------------------------------------------------------------------------------

MAX_INT_BITS = 1 << 16  # a product of integers longer than this (about 20 000 digits) is refused


def binop(operator: str, left: Any, right: Any, compute: Callable[[], Any]) -> Any:
    """The operators that can build a long result: `*` (repetition), `+` (concatenation) and `%` (formatting)."""
    budget = current()
    if operator == "*":
        for sequence, times in ((left, right), (right, left)):
            if isinstance(times, int) and isinstance(sequence, str | bytes | bytearray):
                budget.room(len(sequence) * max(times, 0))
            elif isinstance(times, int) and isinstance(sequence, list | tuple):
                budget.step(len(sequence) * max(times, 0))
        if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise BudgetExceeded(too_large(budget.limits))
    elif operator == "+":
        if isinstance(left, str | bytes | bytearray) and isinstance(right, str | bytes | bytearray):
            budget.room((len(left) + len(right)) * _escaping(left, right))
        elif isinstance(left, list | tuple) and isinstance(right, list | tuple):
            budget.step(len(left) + len(right))
    elif operator == "%" and isinstance(left, str | bytes | bytearray):
        template = left.decode("latin-1") if isinstance(left, bytes | bytearray) else left
        budget.room(_escaping(left) * printf_size(template, right, budget.chars + 1))
    return _built(budget, compute())


def bounded_range(*args: int) -> range:
    """range(): its numbers count as steps when it is made (Jinja's sandbox caps one range; nesting is not)."""
    numbers = range(*args)
    try:
        count = len(numbers)
    except OverflowError:  # more than sys.maxsize numbers
        count = _HUGE
    current().step(count)
    return numbers


def bounded_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # noqa: A002 - Jinja's
    budget = current()
    if all(isinstance(value, int) for value in (n, min, max)):
        words = max if max > min else min  # the builtins are shadowed by Jinja's argument names
        budget.room(n * (words + 2) * 16)
    return _built(budget, generate_lorem_ipsum(n, html, min, max))


def _padded(text: Any, width: Any = 0, *_: Any) -> int:
    return max(len(text), width) if isinstance(width, int) else len(text)


def _tabs(text: Any, tabsize: Any = 8) -> int:
    tab = b"\t" if isinstance(text, bytes | bytearray) else "\t"
    return len(text) + text.count(tab) * max(tabsize, 0) if isinstance(tabsize, int) else len(text)


def _replaced(text: Any, old: Any, new: Any, count: Any = -1) -> int:
    if not (isinstance(old, str | bytes | bytearray) and isinstance(new, str | bytes | bytearray)):
        return len(text)
    times = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    return len(text) + times * max(len(new) - len(old), 0)


def _translated(text: Any, table: Any, *_: Any) -> int:
    if isinstance(text, bytes | bytearray):
        return len(text)
    values = table.values() if isinstance(table, Mapping) else table if isinstance(table, Collection) else ()
    longest = max((len(value) for value in values if isinstance(value, str)), default=1)
    return len(text) * max(longest, 1)


def _encoded(text: Any, *_: Any, **__: Any) -> int:
    return 10 * len(text) + 8  # \U0001f600 with unicode_escape


_STRING_SIZES: dict[str, Callable[..., int]] = {
    "center": _padded, "ljust": _padded, "rjust": _padded, "zfill": _padded, "expandtabs": _tabs,
    "replace": _replaced, "translate": _translated, "encode": _encoded, "decode": _encoded,
}


def _pieces(text: Any, sep: Any = None, maxsplit: Any = -1) -> int:
    """How many pieces split() can make: a step each."""
    if sep is None:
        pieces = (len(text) + 1) // 2 + 1  # pieces are not empty and are separated by whitespace
    elif isinstance(sep, str | bytes | bytearray) and sep:
        pieces = text.count(sep) + 1
    else:
        return 0
    return min(pieces, maxsplit + 1) if isinstance(maxsplit, int) and maxsplit >= 0 else pieces


_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines() splits on


def _lines(text: Any, *_: Any, **__: Any) -> int:
    if isinstance(text, bytes | bytearray):
        return text.count(b"\n") + text.count(b"\r") + 1
    return sum(map(text.count, _LINE_BREAKS)) + 1


_STRING_PIECES: dict[str, Callable[..., int]] = {"split": _pieces, "rsplit": _pieces, "splitlines": _lines}
_GROWING = frozenset({"append", "extend", "insert", "update", "setdefault", "copy"})


def call(context: Any, function: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Every call a template makes is a step; string methods that can grow a string are checked before they run,
    and a list or dict that a method grows counts its new items as steps."""
    budget = current()
    budget.step()
    owner = getattr(function, "__self__", None)
    name = getattr(function, "__name__", None)
    if isinstance(owner, str | bytes | bytearray):
        if name == "join" and len(args) == 1 and not kwargs:
            items = _items(args[0], budget)
            size = sum(len(item) if isinstance(item, str | bytes | bytearray) else 0 for item in items)
            budget.room((size + len(owner) * max(len(items) - 1, 0)) * _escaping(owner))
            return _built(budget, function(items))
        sizes = _STRING_SIZES.get(name)
        pieces = _STRING_PIECES.get(name)
        try:
            if sizes is not None:
                budget.room(sizes(owner, *args, **kwargs) * _escaping(owner))
            if pieces is not None:
                budget.step(pieces(owner, *args, **kwargs))
        except TypeError:
            pass  # wrong arguments: the call itself says so
    elif isinstance(owner, list | dict) and name in _GROWING:
        before = len(owner)
        if name in ("extend", "update") and args and not isinstance(args[0], Sized):
            args = (_items(args[0], budget), *args[1:])
        result = context.call(function, *args, **kwargs)
        budget.step(max(len(owner) - before, len(result) if isinstance(result, Sized) else 0))
        return result
    return _built(budget, context.call(function, *args, **kwargs))


class _MeteredFields(Formatter):
    """str.format: each replacement field is checked before it is formatted, then counted."""

    factor = 1

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion in ("r", "a"):
            budget = current()
            budget.room(10 * text_size(value, budget.chars + 1) + 2)
        return super().convert_field(value, conversion)

    def format_field(self, value: Any, format_spec: str) -> Any:
        budget = current()
        budget.room(self.factor * field_size(value, format_spec, budget.chars + 1))
        return _built(budget, super().format_field(value, format_spec))


class MeteredFormatter(_MeteredFields, SandboxedFormatter):
    pass


class MeteredEscapeFormatter(_MeteredFields, SandboxedEscapeFormatter):
    factor = 6


# --- filters -----------------------------------------------------------------------------------------------

def center(value: Any, width: int = 80) -> str:
    budget = current()
    text = _text(value, budget)
    budget.room(_padded(text, width))
    return text.center(width)


def indent(s: Any, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    budget = current()
    text = _text(s, budget)
    unit = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    budget.room(len(text) + (len(text.splitlines()) + 2) * max(unit, 0))
    return filters.do_indent(s, width, first, blank)


@pass_environment
def wordwrap(environment: Any, s: Any, width: int = 79, break_long_words: bool = True, wrapstring: Any = None,
             break_on_hyphens: bool = True) -> str:
    budget = current()
    text = _text(s, budget)
    joint = environment.newline_sequence if wrapstring is None else wrapstring
    if isinstance(width, int) and width > 0:
        # Two lines in a row hold at least `width` characters; a long word is cut by copying what is left of it.
        lines = 2 * len(text) // max(width - 1, 1) + 2 * text.count("\n") + 2
        budget.room(len(text) + lines * len(soft_str(joint)))
        longest = max(map(len, text.split()), default=0) if break_long_words else 0
        budget.step(lines + longest * longest // (width * 10_000))
    return filters.do_wordwrap(environment, s, width, break_long_words, wrapstring, break_on_hyphens)


@pass_eval_context
def replace(eval_ctx: Any, s: Any, old: Any, new: Any, count: int | None = None) -> str:
    budget = current()
    text = _text(s, budget)
    old_text, new_text = _text(old, budget), _text(new, budget)
    budget.room(_replaced(text, old_text, new_text, -1 if count is None else count) * _escaping(s, old, new))
    return filters.do_replace(eval_ctx, s, old, new, count)


def format_(value: Any, *args: Any, **kwargs: Any) -> str:
    budget = current()
    template = _text(value, budget)
    budget.room(printf_size(template, kwargs or args, budget.chars + 1) * _escaping(value))
    return filters.do_format(value, *args, **kwargs)


@pass_eval_context
def join(eval_ctx: Any, value: Any, d: Any = "", attribute: Any = None) -> str:
    budget = current()
    items = _items(value, budget)
    if attribute is not None:
        items = list(map(filters.make_attrgetter(eval_ctx.environment, attribute), items))
    separator = _text(d, budget)
    size = len(separator) * max(len(items) - 1, 0)
    for item in items:
        size += text_size(item, budget.chars + 1)
        if size > budget.chars:
            break
    budget.room(size * (_escaping(d, *items) if eval_ctx.autoescape else 1))
    return filters.sync_do_join(eval_ctx, items, d)


def batch(value: Any, linecount: int, fill_with: Any = None) -> Iterator[list[Any]]:
    if fill_with is not None and isinstance(linecount, int):
        current().step(max(linecount, 0))  # the padding of the last batch
    return filters.do_batch(value, linecount, fill_with)


def slice_(value: Any, slices: int, fill_with: Any = None) -> Iterator[list[Any]]:
    if isinstance(slices, int):
        current().step(max(slices, 0))
    return filters.sync_do_slice(value, slices, fill_with)


@pass_environment
def sum_(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
    budget = current()
    items = _items(iterable, budget)
    if attribute is not None:
        items = list(map(filters.make_attrgetter(environment, attribute), items))
    if isinstance(start, list | tuple):
        # Adding lists copies the total so far each time: a step per hundred items copied.
        length, copied = len(start), 0
        for item in items:
            length += len(item) if isinstance(item, Sized) else 1
            copied += length
        budget.step(copied // 100)
    return sum(items, start)


@pass_eval_context
def urlize(eval_ctx: Any, value: Any, trim_url_limit: Any = None, nofollow: bool = False, target: Any = None,
           rel: Any = None, extra_schemes: Any = None) -> str:
    budget = current()
    text = _text(value, budget)
    words = text.count(" ") + text.count("\n") + 1
    budget.step(words)
    extra = 6 * (len(soft_str(target or "")) + len(soft_str(rel or ""))) + 120
    budget.room(6 * len(text) + words * extra)
    return filters.do_urlize(eval_ctx, value, trim_url_limit, nofollow, target, rel, extra_schemes)


_BOUNDED_FILTERS: dict[str, Callable[..., Any]] = {
    "center": center, "indent": indent, "wordwrap": wordwrap, "replace": replace, "format": format_, "join": join,
    "batch": batch, "slice": slice_, "sum": sum_, "urlize": urlize,
}
# Filters that walk their whole input: a step per item.
_WALKING = frozenset({"batch", "dictsort", "groupby", "items", "list", "map", "max", "min", "reject", "rejectattr",
                      "reverse", "select", "selectattr", "slice", "sort", "unique"})
# Filters that turn their input into text: how many times longer than str(input) the result can be.
_TEXT_FACTORS = {"capitalize": 3, "e": 6, "escape": 6, "forceescape": 6, "lower": 3, "pprint": 10, "safe": 1,
                 "string": 1, "striptags": 1, "title": 3, "tojson": 12, "trim": 1, "truncate": 1, "upper": 3,
                 "urlencode": 12, "wordcount": 1, "xmlattr": 6}


def _metered(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    at = 1 if hasattr(function, "jinja_pass_arg") else 0
    walks = name in _WALKING
    factor = _TEXT_FACTORS.get(name, 0)

    @functools.wraps(function)
    def metered(*args: Any, **kwargs: Any) -> Any:
        budget = current()
        value = args[at] if len(args) > at else None
        if walks and isinstance(value, Sized) and not isinstance(value, Undefined):
            budget.step(len(value))
        if factor and not isinstance(value, Undefined):
            _text(value, budget, factor)
        return _built(budget, function(*args, **kwargs))

    return metered


def metered_filters(existing: Mapping[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Jinja's filters, each counted against the budget; the ones that can amplify are checked before they run."""
    return {name: _metered(name, _BOUNDED_FILTERS.get(name, function)) for name, function in existing.items()}


# --- loops and the template's own output --------------------------------------------------------------------

class MeteredCodeGenerator(CodeGenerator):
    """Jinja's code generator, with each loop iteration counted (recursive loops too) and `~` measured before it
    joins. Jinja allows no new node types, so the count is written where a loop's body starts."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._loop_bodies: dict[int, nodes.For] = {}

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        self._loop_bodies[id(node.body)] = node
        super().visit_For(node, frame)

    def blockvisit(self, body: Iterable[nodes.Node], frame: Frame) -> None:
        loop = self._loop_bodies.pop(id(body), None)
        if loop is not None:
            self.writeline("environment.loop_step()", loop)
        super().blockvisit(body, frame)

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        # The join function as Jinja chooses it; its arguments are counted first.
        if frame.eval_ctx.volatile:
            join_function = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            join_function = "markup_join"
        else:
            join_function = "str_join"
        self.write(f"environment.concatenated({join_function}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class MeteredTemplate(Template):
    """A template whose render() spends a budget: the current render's (all parts of one DOCX share it), or its
    own. On a limit, the exception names the line of the template being rendered."""

    source_text: str | None = None  # set by whoever compiles it, to point at the line over a limit

    def render(self, *args: Any, **kwargs: Any) -> str:
        if rendering():
            return self._render(*args, **kwargs)
        with spending():
            return self._render(*args, **kwargs)

    def _render(self, *args: Any, **kwargs: Any) -> str:
        ctx = self.new_context(dict(*args, **kwargs))
        try:
            return self.environment.concat(self.root_render_func(ctx))
        except BudgetExceeded as exc:
            if exc.lineno is None:
                exc.lineno = self._failed_line(exc)
            if exc.line is None and exc.lineno is not None and self.source_text is not None:
                lines = self.source_text.splitlines()
                exc.line = lines[exc.lineno - 1] if 0 < exc.lineno <= len(lines) else None
            raise
        except Exception:
            self.environment.handle_exception()

    def _failed_line(self, exc: BaseException) -> int | None:
        """The template line of the innermost template frame in the traceback."""
        lineno = None
        trace = exc.__traceback__
        while trace is not None:
            if trace.tb_frame.f_globals.get("__jinja_template__") is self:
                lineno = self.get_corresponding_lineno(trace.tb_lineno)
            trace = trace.tb_next
        return lineno
