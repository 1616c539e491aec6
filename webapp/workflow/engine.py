"""Workflow definitions: parsing, strict validation with file-and-key messages, and graph queries."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: Roles a transition may name: the user roles of the service plus two relations to the document.
KNOWN_ROLES = frozenset({
    "secretary", "head", "approver", "executor", "controller", "auditor", "admin",
    "author",  # the user who drafted the document
    "current_approver",  # an approver whose turn it is on the running approval route
})
KNOWN_GUARDS = frozenset({"content_complete", "approvers_assigned", "all_approvals_given", "body_scope",
                          "own_draft", "bodies_open"})
KNOWN_EFFECTS = frozenset({"start_approval", "record_return", "assign_number", "freeze", "create_assignments",
                           "render_docx", "notify", "notify_heads"})
#: Groups of «Мои задачи» a transition may put a document into for whoever may fire it: sign (на подпись),
#: review (на проверку председателю).
KNOWN_TASKS = frozenset({"sign", "review"})
DOCUMENT_TYPES = frozenset({"order", "protocol", "decision", "resolution", "regulation", "plan"})
TYPES_FILE = "_types.yaml"
# Every workflow starts in DRAFT and puts a document in force in PUBLISHED (its content is then frozen).
DRAFT, PUBLISHED = "draft", "published"


class DefinitionError(ValueError):
    """A workflow file is wrong; the message names the file and the key."""

    def __init__(self, path: Path | str, key: str, problem: str):
        self.path, self.key, self.problem = str(path), key, problem
        super().__init__(f"{path}: {key}: {problem}")


@dataclass(frozen=True)
class State:
    name: str
    title: str
    editable: bool = False
    final: bool = False


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    title: str
    roles: frozenset[str]
    guards: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    comment_required: bool = False
    done: str = ""  # what happened, for notices: «отправлен на согласование» (agreed with the document type)
    confirm: bool = False  # the page asks «are you sure?» before firing it (cancelling, withdrawing)
    task: str = ""  # the inbox group of a document waiting for this transition (KNOWN_TASKS), or none


@dataclass
class Workflow:
    name: str
    title: str
    initial: str
    states: dict[str, State]
    transitions: dict[str, Transition]
    follows_parent: bool = False
    path: str = ""

    def state(self, name: str) -> State:
        return self.states.get(name) or State(name, name)

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions.values() if state in t.sources]

    def transition(self, name: str) -> Transition | None:
        return self.transitions.get(name)


@dataclass
class Registry:
    """Every workflow by name, and which one each document type follows."""

    workflows: dict[str, Workflow]
    by_type: dict[str, str] = field(default_factory=dict)

    def for_type(self, doc_type: str) -> Workflow:
        return self.workflows[self.by_type[doc_type]]


def _as_list(value, path, key) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise DefinitionError(path, key, "expected a name or a list of names")


def parse_workflow(path: Path, data: object) -> Workflow:
    if not isinstance(data, dict):
        raise DefinitionError(path, "(top)", "expected a mapping with name, title, initial, states, transitions")
    for key in ("name", "title", "initial", "states"):
        if key not in data:
            raise DefinitionError(path, key, "missing")
    unknown_top = set(data) - {"name", "title", "initial", "states", "transitions", "follows_parent"}
    if unknown_top:
        raise DefinitionError(path, sorted(unknown_top)[0], "unknown key")
    raw_states = data["states"]
    if not isinstance(raw_states, dict) or not raw_states:
        raise DefinitionError(path, "states", "expected a non-empty mapping of state names")
    states: dict[str, State] = {}
    for name, spec in raw_states.items():
        spec = spec or {}
        if not isinstance(spec, dict) or "title" not in spec:
            raise DefinitionError(path, f"states.{name}", "expected a mapping with a title")
        extra = set(spec) - {"title", "editable", "final"}
        if extra:
            raise DefinitionError(path, f"states.{name}.{sorted(extra)[0]}", "unknown key")
        states[name] = State(str(name), str(spec["title"]), bool(spec.get("editable", False)),
                             bool(spec.get("final", False)))
    if data["initial"] not in states:
        raise DefinitionError(path, "initial", f"unknown state {data['initial']!r}")
    raw_transitions = data.get("transitions") or {}
    if not isinstance(raw_transitions, dict):
        raise DefinitionError(path, "transitions", "expected a mapping of transition names")
    transitions: dict[str, Transition] = {}
    for name, spec in raw_transitions.items():
        where = f"transitions.{name}"
        if not isinstance(spec, dict):
            raise DefinitionError(path, where, "expected a mapping")
        extra = set(spec) - {"from", "to", "title", "roles", "guards", "effects", "comment", "done", "confirm",
                           "task"}
        if extra:
            raise DefinitionError(path, f"{where}.{sorted(extra)[0]}", "unknown key")
        for key in ("from", "to", "title", "roles"):
            if key not in spec:
                raise DefinitionError(path, f"{where}.{key}", "missing")
        sources = _as_list(spec["from"], path, f"{where}.from")
        for source in sources:
            if source not in states:
                raise DefinitionError(path, f"{where}.from", f"unknown state {source!r}")
        if spec["to"] not in states:
            raise DefinitionError(path, f"{where}.to", f"unknown state {spec['to']!r}")
        roles = _as_list(spec["roles"], path, f"{where}.roles")
        for role in roles:
            if role not in KNOWN_ROLES:
                raise DefinitionError(path, f"{where}.roles", f"unknown role {role!r}")
        guards = _as_list(spec.get("guards"), path, f"{where}.guards")
        for guard in guards:
            if guard not in KNOWN_GUARDS:
                raise DefinitionError(path, f"{where}.guards", f"unknown guard {guard!r}")
        effects = _as_list(spec.get("effects"), path, f"{where}.effects")
        for effect in effects:
            if effect not in KNOWN_EFFECTS:
                raise DefinitionError(path, f"{where}.effects", f"unknown effect {effect!r}")
        comment = spec.get("comment", "optional")
        if comment not in ("required", "optional"):
            raise DefinitionError(path, f"{where}.comment", "expected 'required' or 'optional'")
        task = spec.get("task", "")
        if task and task not in KNOWN_TASKS:
            raise DefinitionError(path, f"{where}.task", f"unknown task {task!r}")
        confirm = spec.get("confirm", False)
        if not isinstance(confirm, bool):
            raise DefinitionError(path, f"{where}.confirm", "expected true or false")
        transitions[str(name)] = Transition(str(name), tuple(sources), spec["to"], str(spec["title"]),
                                            frozenset(roles), tuple(guards), tuple(effects), comment == "required",
                                            str(spec.get("done") or ""), confirm, task)
    workflow = Workflow(str(data["name"]), str(data["title"]), data["initial"], states, transitions,
                        bool(data.get("follows_parent", False)), str(path))
    _check_graph(path, workflow)
    return workflow


def _check_graph(path: Path, workflow: Workflow) -> None:
    """Every state reachable from the initial one; every non-final state has a way out."""
    if workflow.follows_parent:
        return  # its state is copied from the parent document's, it has no transitions of its own
    for state in workflow.states.values():
        if state.final and workflow.transitions_from(state.name):
            raise DefinitionError(path, f"states.{state.name}", "a final state must have no transitions out")
        if not state.final and not workflow.transitions_from(state.name):
            raise DefinitionError(path, f"states.{state.name}", "not final and no transition leads out of it")
    seen, queue = {workflow.initial}, deque([workflow.initial])
    while queue:
        for transition in workflow.transitions_from(queue.popleft()):
            if transition.target not in seen:
                seen.add(transition.target)
                queue.append(transition.target)
    for name in workflow.states:
        if name not in seen:
            raise DefinitionError(path, f"states.{name}", f"unreachable from the initial state {workflow.initial!r}")
    if not any(s.final for s in workflow.states.values()):
        raise DefinitionError(path, "states", "no final state")


# libyaml's safe loader when PyYAML was built with it (its wheels are): the same documents, ten times faster; every
# app (each test's too) reads the workflow files once.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506 (a safe loader)


def load_registry(directory: Path | str) -> Registry:
    """Load every *.yaml of a directory and the type mapping; raise DefinitionError on the first problem."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DefinitionError(directory, "(directory)", "not a directory")
    workflows: dict[str, Workflow] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name == TYPES_FILE:
            continue
        try:
            data = _load_yaml(path)
        except yaml.YAMLError as exc:
            raise DefinitionError(path, "(syntax)", str(exc).replace("\n", " ")) from exc
        workflow = parse_workflow(path, data)
        if workflow.name != path.stem:
            raise DefinitionError(path, "name", f"must equal the file name {path.stem!r}")
        workflows[workflow.name] = workflow
    types_path = directory / TYPES_FILE
    if not types_path.exists():
        raise DefinitionError(types_path, "(file)", "missing: it says which workflow each document type follows")
    try:
        by_type = _load_yaml(types_path) or {}
    except yaml.YAMLError as exc:
        raise DefinitionError(types_path, "(syntax)", str(exc).replace("\n", " ")) from exc
    if not isinstance(by_type, dict):
        raise DefinitionError(types_path, "(top)", "expected a mapping of document type to workflow name")
    for doc_type, name in by_type.items():
        if doc_type not in DOCUMENT_TYPES:
            raise DefinitionError(types_path, str(doc_type), "unknown document type")
        if name not in workflows:
            raise DefinitionError(types_path, str(doc_type), f"unknown workflow {name!r}")
    for doc_type in sorted(DOCUMENT_TYPES - set(by_type)):
        raise DefinitionError(types_path, doc_type, "no workflow given for this document type")
    for workflow in workflows.values():
        for required in (DRAFT, PUBLISHED):
            if required not in workflow.states:
                raise DefinitionError(workflow.path, "states", f"every workflow needs a {required!r} state")
    return Registry(workflows, dict(by_type))


def to_mermaid(workflow: Workflow, current: str | None = None) -> str:
    """The graph as Mermaid stateDiagram text; the current state, when given, is styled."""
    lines = ["stateDiagram-v2", f"    [*] --> {workflow.initial}"]
    for state in workflow.states.values():
        lines.append(f'    {state.name} : {state.title}')
    for transition in workflow.transitions.values():
        for source in transition.sources:
            lines.append(f"    {source} --> {transition.target} : {transition.title}")
    for state in workflow.states.values():
        if state.final:
            lines.append(f"    {state.name} --> [*]")
    if current in workflow.states:
        lines.append("    classDef current fill:#ffe08a,stroke:#b58100,stroke-width:2px")
        lines.append(f"    class {current} current")
    return "\n".join(lines) + "\n"
