"""The workflow engine: shipped definitions load; broken ones are refused naming file and key."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from webapp.cli import main
from webapp.workflow import DefinitionError, load_registry, to_mermaid

SHIPPED = Path(__file__).parents[2] / "workflows"


def test_shipped_definitions_load_and_map_every_type():
    registry = load_registry(SHIPPED)
    assert set(registry.workflows) == {"order", "protocol", "decision", "resolution", "regulation"}
    assert registry.for_type("plan").name == "decision"
    order = registry.workflows["order"]
    assert [t.name for t in order.transitions_from("on_approval")] == ["send_to_signing", "return_for_rework",
                                                                        "cancel"]
    assert order.transition("sign").effects == ("assign_number", "freeze", "create_assignments", "render_docx",
                                                "notify", "notify_heads")
    assert "record_return" in order.transition("return_for_rework").effects
    assert registry.workflows["regulation"].follows_parent


def _broken(tmp_path, name, change):
    directory = tmp_path / "wf"
    shutil.copytree(SHIPPED, directory)
    path = directory / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return directory


BROKEN = [
    ("unknown target state", "order", lambda d: d["transitions"]["sign"].update(to="signed_off"),
     "order.yaml: transitions.sign.to: unknown state 'signed_off'"),
    ("unknown source state", "protocol", lambda d: d["transitions"]["publish"].update({"from": ["nowhere"]}),
     "protocol.yaml: transitions.publish.from: unknown state 'nowhere'"),
    ("unreachable state", "order", lambda d: d["states"].update(archived={"title": "Архив", "final": True}),
     "order.yaml: states.archived: unreachable"),
    ("dead end", "protocol", lambda d: d["transitions"].pop("publish"),
     "protocol.yaml: states.signed: not final and no transition leads out of it"),
    ("unknown role", "order", lambda d: d["transitions"]["sign"].update(roles=["director"]),
     "order.yaml: transitions.sign.roles: unknown role 'director'"),
    ("unknown guard", "resolution", lambda d: d["transitions"]["approve"].update(guards=["moon_is_full"]),
     "resolution.yaml: transitions.approve.guards: unknown guard 'moon_is_full'"),
    ("unknown effect", "protocol", lambda d: d["transitions"]["publish"].update(effects=["print_fax"]),
     "protocol.yaml: transitions.publish.effects: unknown effect 'print_fax'"),
    ("unknown key", "order", lambda d: d["transitions"]["sign"].update(rolez=["head"]),
     "order.yaml: transitions.sign.rolez: unknown key"),
    ("bad initial", "order", lambda d: d.update(initial="start"), "order.yaml: initial: unknown state 'start'"),
]


@pytest.mark.parametrize(("case", "name", "change", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_invalid_definitions_are_refused_naming_file_and_key(tmp_path, case, name, change, message):
    directory = _broken(tmp_path, name, change)
    with pytest.raises(DefinitionError) as caught:
        load_registry(directory)
    assert message in str(caught.value)
    result = CliRunner().invoke(main, ["workflows", "check", str(directory)])
    assert result.exit_code == 1 and message in result.output


def test_type_mapping_must_name_known_workflows(tmp_path):
    directory = tmp_path / "wf"
    shutil.copytree(SHIPPED, directory)
    (directory / "_types.yaml").write_text((directory / "_types.yaml").read_text().replace("plan: decision",
                                                                                         "plan: planning"))
    with pytest.raises(DefinitionError, match=r"_types.yaml: plan: unknown workflow 'planning'"):
        load_registry(directory)


def test_yaml_syntax_error_names_the_file(tmp_path):
    directory = tmp_path / "wf"
    shutil.copytree(SHIPPED, directory)
    (directory / "order.yaml").write_text("states: [unclosed\n")
    with pytest.raises(DefinitionError, match=r"order.yaml: \(syntax\)"):
        load_registry(directory)


def test_cli_check_and_show(tmp_path):
    result = CliRunner().invoke(main, ["workflows", "check", str(SHIPPED)])
    assert result.exit_code == 0 and "order: 5 states, 6 transitions" in result.output
    result = CliRunner().invoke(main, ["workflows", "show", "order", "--dir", str(SHIPPED)])
    assert result.exit_code == 0
    assert result.output.startswith("stateDiagram-v2")
    assert "on_signing --> published : Подписать и зарегистрировать" in result.output
    result = CliRunner().invoke(main, ["workflows", "show", "nonesuch", "--dir", str(SHIPPED)])
    assert result.exit_code == 1 and "No workflow named 'nonesuch'" in result.output


def test_mermaid_marks_the_current_state():
    text = to_mermaid(load_registry(SHIPPED).workflows["protocol"], "signed")
    assert "class signed current" in text and "[*] --> draft" in text


def test_engine_imports_neither_flask_nor_models():
    for path in (Path(__file__).parents[2] / "webapp" / "workflow").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
            a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not {m for m in modules if m and (m.startswith(("flask", "sqlalchemy", "webapp.models",
                                                              "webapp.services")))}, path
