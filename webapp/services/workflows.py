"""Which workflow a document follows and what its state means (titles, editable, final)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from webapp.models import Document
from webapp.ru.morph import agree_with
from webapp.workflow import Registry, State, Transition, Workflow, load_registry

SHIPPED_DIR = Path(__file__).resolve().parents[1] / "workflow" / "shipped"
EXTENSION_KEY = "docflow.workflows"


def workflows_dir(config: dict, instance_path: Path) -> Path:
    """WORKFLOWS_DIR when set; else instance/workflows when an installation keeps its own; else the shipped ones."""
    if config.get("WORKFLOWS_DIR"):
        return Path(config["WORKFLOWS_DIR"])
    own = instance_path / "workflows"
    return own if own.is_dir() else SHIPPED_DIR


def init_app(app) -> None:
    """Load and validate the definitions at start-up: a broken file stops the service with file and key named."""
    directory = workflows_dir(app.config, Path(app.instance_path))
    app.config["WORKFLOWS_DIR"] = str(directory)
    app.extensions[EXTENSION_KEY] = load_registry(directory)


def registry() -> Registry:
    return current_app.extensions[EXTENSION_KEY]


def workflow_of(document: Document) -> Workflow:
    return registry().for_type(document.doc_type)


def state_of(document: Document) -> State:
    return workflow_of(document).state(document.state)


def state_title(document: Document) -> str:
    """The state as the document's page and every list name it, agreed with the type: «Утверждено» for a Решение."""
    return agree_with(state_of(document).title, document.type_title)


def done_text(document: Document, transition: Transition) -> str:
    """What firing the transition did, for notices and messages: «отправлено на согласование» for a Решение
    (the workflow's `done`, else the new state's title)."""
    phrase = transition.done or workflow_of(document).state(transition.target).title.lower()
    return agree_with(phrase, document.type_title)


def is_editable(document: Document) -> bool:
    """Content may change only in a state its workflow marks editable; published documents are frozen."""
    return state_of(document).editable


def state_titles() -> dict[str, str]:
    """Every state name of every workflow with its titles (a filter's choices): a name whose workflows title it
    differently lists each title once, «Опубликован / Зарегистрирован и опубликован»."""
    titles: dict[str, list[str]] = {}
    for workflow in registry().workflows.values():
        for state in workflow.states.values():
            if state.title not in titles.setdefault(state.name, []):
                titles[state.name].append(state.title)
    return {name: " / ".join(names) for name, names in titles.items()}
