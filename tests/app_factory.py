"""The tests' app factory: the service's create_app, minus what each new app paid again for work another app of the
same test process had done already.

The suite makes a new app for almost every test (thousands per process). A profile of three web test modules
(`python -m cProfile -m pytest -n0 tests/web/test_documents.py tests/web/test_assignments.py`) showed 40% of
their time going to two things every new app did from scratch:
- Jinja parsed and compiled each page template again for each app's environment (22 of 82 s): here one process-wide
  bytecode cache, Jinja's own mechanism (checked against the template's source, so a changed template is compiled
  again);
- Werkzeug generated and compiled the URL builder functions of all ~140 routes again for each app (10 of 82 s):
  here a builder generated once per route is given to every app whose route is the same;
and, next in the profile, each app read the workflow definitions' YAML again (25 of its 85 ms). With those kept,
parsing the routes' rules was half of what was left (each rule's parse is kept too, 55 -> 27 ms an app). On
PostgreSQL each app also opened new connections, whose backends read the catalog again: the engines are kept per
URL.
A production process makes one app, so none of this is for the service itself."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy.engine import make_url
from werkzeug.routing import Rule
from werkzeug.routing.rules import RulePart

from webapp import create_app
from webapp.services import workflows


class _CompiledTemplates(BytecodeCache):
    """Jinja's compiled templates kept in the process's memory for every app (Jinja checks each against its source's
    checksum before use)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()


def _installed_once(owner: Any, name: str, wrap: Callable[[Callable], Callable]) -> None:
    """Put `wrap(owner.name)` in place of `owner.name`, marked, so that installing it again (this module imported
    twice) changes nothing."""
    original = getattr(owner, name)
    if getattr(original, "kept_per_process", False):
        return
    wrapped = wrap(original)
    wrapped.kept_per_process = True
    setattr(owner, name, wrapped)


def _kept_per_process(owner: Any, name: str, key_of: Callable[..., Hashable]) -> None:
    """Put in place of `owner.name` a function that calls the original once per key (`key_of` of the same arguments)
    and answers every later call with the same key from memory (a key of None: called every time); installing it
    twice changes nothing."""

    def remembering(original: Callable) -> Callable:
        kept: dict[Hashable, Any] = {}

        @functools.wraps(original)
        def remembered(*args):
            if (key := key_of(*args)) is None:
                return original(*args)
            if (value := kept.get(key)) is None:
                value = kept[key] = original(*args)
            return value

        return remembered

    _installed_once(owner, name, remembering)


def _builder_key(rule: Rule, append_unknown: bool = True) -> Hashable:
    """Rule._compile_builder (Werkzeug 3.x) remembered per route: the function it generates is a pure function of
    the rule's text, its parsed parts, its defaults (converted to URL text by the rule's converters) and
    `append_unknown` — all in the key — and takes the rule itself as its first argument, so one function serves
    the same route in every app."""
    defaults = rule.defaults or {}
    return (rule.rule, rule.subdomain, rule.host, append_unknown, tuple(rule._trace),
            tuple(sorted((name, type(rule._converters[name]).__name__, rule._converters[name].to_url(value))
                         for name, value in defaults.items() if name in rule._converters)),
            tuple(sorted(map(str, defaults))))


def _parsed_once(parse: Callable[[Rule, str], Iterable[RulePart]]) -> Callable[[Rule, str], list[RulePart]]:
    """Rule._parse_rule (Werkzeug 3.x) remembered per rule text and the map's converter classes: parsing the ~140
    routes' rules with their regular expressions was half of each app's making once the builders were kept. Its
    parts depend on nothing else (a converter's regex on its class and arguments); what it does to the rule besides
    (the trace, the arguments, a converter object per variable, made for this rule's map) is done again from the
    remembered record."""
    parsed: dict[Hashable, tuple[list[RulePart], list, list]] = {}

    def parse_rule(rule: Rule, text: str) -> list[RulePart]:
        key = (text, frozenset(rule.map.converters.items()))
        if (record := parsed.get(key)) is None:
            trace_before, converters_before = len(rule._trace), dict(rule._converters)
            parts = list(parse(rule, text))
            made = [(name, converter) for name, converter in rule._converters.items()
                    if converters_before.get(name) is not converter]
            parsed[key] = parts, rule._trace[trace_before:], made
            return list(parts)
        parts, trace, made = record
        rule._trace.extend(trace)
        for name, converter in made:  # the converter as its class made it with the same arguments, for this map
            rule._converters[name] = own = copy.copy(converter)
            own.map = rule.map
            rule.arguments.add(name)
        return list(parts)

    return parse_rule


def _workflows_key(directory) -> Hashable:
    """The workflow definitions read once per process for each directory and content (every file's name, size and
    modification time in the key): reading the YAML files was a quarter of each app's making. The definitions are
    never changed after loading."""
    directory = Path(directory)
    files = tuple(sorted((path.name, (stat := path.stat()).st_mtime_ns, stat.st_size)
                         for path in directory.iterdir() if path.is_file())) if directory.is_dir() else ()
    return str(directory.resolve()), files


def _engine_key(_extension: SQLAlchemy, bind_key: str | None, options: dict[str, Any], _app: Flask
                ) -> Hashable | None:
    """A PostgreSQL engine (and its pool of connections) kept per URL and engine options for every app of the test
    process. Each test's app used to open new connections, and a new PostgreSQL backend reads the catalog for each
    table and index it touches again: about 20 ms of the server's CPU for a few pages, in every test. A test's copy
    of a template database is put back and used again by later tests (conftest's _Databases), whose apps now find
    its connections open. SQLite's copies are new files in each test's folder: their engines are not kept."""
    url = make_url(options["url"])
    if url.get_backend_name() != "postgresql":
        return None
    rest = tuple(sorted((name, repr(value)) for name, value in options.items() if name != "url"))
    return bind_key, url.render_as_string(hide_password=False), rest


_kept_per_process(Rule, "_compile_builder", _builder_key)
_installed_once(Rule, "_parse_rule", _parsed_once)
_kept_per_process(workflows, "load_registry", _workflows_key)
_kept_per_process(SQLAlchemy, "_make_engine", _engine_key)


def make_app(config: dict[str, Any]) -> Flask:
    """create_app(config), with what the module's docstring says kept for every app of the test process."""
    app = create_app(config)
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return app
