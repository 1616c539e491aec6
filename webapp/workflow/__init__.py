"""The workflow engine: loads and validates workflows/*.yaml and answers questions about them. No Flask, no models."""

from webapp.workflow.engine import (
    KNOWN_EFFECTS,
    KNOWN_GUARDS,
    KNOWN_ROLES,
    DefinitionError,
    Registry,
    State,
    Transition,
    Workflow,
    load_registry,
    to_mermaid,
)

__all__ = [
    "KNOWN_EFFECTS",
    "KNOWN_GUARDS",
    "KNOWN_ROLES",
    "DefinitionError",
    "Registry",
    "State",
    "Transition",
    "Workflow",
    "load_registry",
    "to_mermaid",
]
