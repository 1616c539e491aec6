"""The keyed audit chain: HMAC-SHA256 under a key kept outside the database, anchors that catch a cut-off end,
and migration 0007 re-keying a chain of plain SHA-256 hashes."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import stat
from datetime import UTC
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text
from sqlalchemy.orm import defer

from webapp.extensions import db
from webapp.models import AuditHead, Event
from webapp.services.audit import AuditKeyError, audit_key, record_event, rehash_chain, verify_chain

GENESIS = "0" * 64
OTHER_KEY = b"someone-else's-key-0123456789abcdef"


# --- what an attacker with write access to the database (and not the key) can do -------------------------


def _payload(event: Event, prev_hash: str) -> bytes:
    """The canonical JSON every hash covers, written out here so that a change to it fails these tests."""
    at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
    payload = {"id": event.id, "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
               "actor_id": event.actor_id, "action": event.action, "object_type": event.object_type,
               "object_id": event.object_id, "document_id": event.document_id, "before": event.before,
               "after": event.after, "comment": event.comment, "prev_hash": prev_hash}
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def plain(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def keyed(key: bytes):
    return lambda payload: hmac.new(key, payload, hashlib.sha256).hexdigest()


def _events(app) -> list[Event]:
    with app.app_context():
        # acting_for_id (migration 0016) is absent while a test has the database at an older revision
        events = list(db.session.scalars(select(Event).options(defer(Event.acting_for_id)).order_by(Event.id)))
        db.session.expunge_all()
        return events


def _sql(app, statement: str, **params) -> None:
    with app.app_context():
        db.session.execute(text(statement), params)
        db.session.commit()


def _forge(app, digest, start_id: int = 0) -> None:
    """Recompute the chain from start_id on with `digest`, and move the head to its new end."""
    previous = GENESIS
    for event in _events(app):
        if event.id >= start_id:
            new_hash = digest(_payload(event, previous))
            _sql(app, "UPDATE audit_event SET prev_hash = :p, hash = :h WHERE id = :id",
                 p=previous, h=new_hash, id=event.id)
            previous = new_hash
        else:
            previous = event.hash
    _sql(app, "UPDATE audit_head SET last_hash = :h", h=previous)


def _key(app) -> bytes:
    with app.app_context():
        return audit_key()


def _record(app, count: int) -> list[int]:
    with app.app_context():
        events = [record_event(None, "test.event", after={"n": n}, comment=f"событие {n}") for n in range(count)]
        db.session.commit()
        return [event.id for event in events]


def _verify(runner, *anchors: Path):
    return runner.invoke(args=["audit", "verify", *(arg for path in anchors for arg in ("--anchor", str(path)))])


# --- the key ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("configured", [None, "a-key-from-the-environment-0123456789"])
def test_events_are_hmac_sha256_of_their_content_under_the_key_and_verify(app, runner, configured):
    app.config["AUDIT_KEY"] = configured
    _record(app, 3)
    key = configured.encode() if configured else (Path(app.instance_path) / "audit_key").read_bytes()
    assert (Path(app.instance_path) / "audit_key").exists() == (configured is None)
    events = _events(app)
    for event in events:
        assert event.hash == keyed(key)(_payload(event, event.prev_hash))
        assert event.hash != plain(_payload(event, event.prev_hash))
    assert [e.prev_hash for e in events] == [GENESIS, events[0].hash, events[1].hash]
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "Audit trail intact: 3 events." in result.output


def test_without_audit_key_a_key_is_made_once_in_the_instance_folder(app, runner):
    app.config["AUDIT_KEY"] = None
    path = Path(app.instance_path) / "audit_key"
    assert _verify(runner).exit_code == 0
    assert not path.exists(), "verifying an empty trail made a key"
    _record(app, 2)
    key = path.read_text()
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    _record(app, 1)
    assert path.read_text() == key
    assert all(e.hash == keyed(key.encode())(_payload(e, e.prev_hash)) for e in _events(app))
    assert _verify(runner).exit_code == 0


def test_a_lost_key_file_stops_recording_instead_of_starting_another_chain(app, runner):
    app.config["AUDIT_KEY"] = None
    _record(app, 2)
    path = Path(app.instance_path) / "audit_key"
    kept = path.read_text()
    path.unlink()
    with app.app_context(), pytest.raises(AuditKeyError, match="no audit key"):
        record_event(None, "test.event")
    assert not path.exists()
    result = _verify(runner)
    assert result.exit_code == 2 and "no audit key: AUDIT_KEY is not set" in result.output
    path.write_text(kept)
    _record(app, 1)
    assert _verify(runner).exit_code == 0


def test_a_changed_key_records_nothing_and_fails_verification(app, runner):
    ids = _record(app, 2)
    app.config["AUDIT_KEY"] = OTHER_KEY.decode()
    with app.app_context(), pytest.raises(AuditKeyError, match="not the one the chain was made with"):
        record_event(None, "test.event")
    assert len(_events(app)) == 2
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"event {ids[0]}: no event matches its hash under the audit key in AUDIT_KEY" in result.output


@pytest.mark.parametrize(("key", "message"), [
    ("short", "5 characters long, at least 32"),
    (12345678901234567890123456789012345, "must be a string, not int"),  # DOCFLOW_AUDIT_KEY of digits only
])
def test_an_unusable_key_is_a_clear_error(app, runner, key, message):
    _record(app, 1)
    app.config["AUDIT_KEY"] = key
    result = _verify(runner)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


# --- rewriting ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("digest", "first", "message"), [
    (plain, 2, "its hash is a plain SHA-256 made without the audit key"),
    (plain, 0, "its hash is a plain SHA-256 made without the audit key"),
    (keyed(OTHER_KEY), 2, "its content does not match its hash: the row was changed"),
    (keyed(OTHER_KEY), 0, "no event matches its hash under the audit key"),
])
def test_a_row_rewritten_and_the_chain_recomputed_without_the_key_fails(app, runner, digest, first, message):
    ids = _record(app, 5)
    _sql(app, "UPDATE audit_event SET comment = 'подделка' WHERE id = :id", id=ids[first])
    _forge(app, digest, start_id=ids[first])
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"Audit trail broken at event {ids[first]}: {message}" in result.output


@pytest.mark.parametrize(("statement", "message"), [
    ("DELETE FROM audit_head", "chain head: the head row is missing, the table goes on to event {last}"),
    ("UPDATE audit_head SET last_id = {middle}, last_hash = (SELECT hash FROM audit_event WHERE id = {middle})",
     "chain head: it names event {middle}, but the table goes on to event {last}: the head was moved back"),
    ("UPDATE audit_head SET last_hash = (SELECT hash FROM audit_event WHERE id = {middle})",
     "chain head: it names event {last} with the hash"),
])
def test_a_tampered_head_fails(app, runner, statement, message):
    ids = _record(app, 3)
    _sql(app, statement.format(middle=ids[1]))
    result = _verify(runner)
    assert result.exit_code == 1 and message.format(middle=ids[1], last=ids[2]) in result.output


# --- anchors --------------------------------------------------------------------------------------------


def test_anchor_prints_the_head_as_one_line_or_appends_it_to_a_file(app, runner, tmp_path):
    empty = runner.invoke(args=["audit", "anchor"])
    assert empty.exit_code == 0 and re.fullmatch(rf"2026-11-23T07:0\d:\d\dZ 0 {GENESIS}\n", empty.output)
    ids = _record(app, 2)
    with app.app_context():
        head = db.session.get(AuditHead, 1)
        assert head.last_id == ids[1]
        expected = rf"2026-11-23T07:0\d:\d\dZ {ids[1]} {head.last_hash}"
    printed = runner.invoke(args=["audit", "anchor"])
    assert printed.exit_code == 0 and re.fullmatch(expected + r"\n", printed.output)
    anchors = tmp_path / "anchors.txt"
    anchors.write_text(f"# kept on another host\n{empty.output.strip()}")  # the last line left open
    written = runner.invoke(args=["audit", "anchor", "-o", str(anchors)])
    assert written.exit_code == 0 and f"Anchored event {ids[1]} in {anchors}" in written.output
    lines = anchors.read_text().splitlines()
    assert lines[:2] == ["# kept on another host", empty.output.strip()] and re.fullmatch(expected, lines[2])
    result = _verify(runner, anchors)
    assert result.exit_code == 0 and "Audit trail intact: 2 events; 2 anchors match." in result.output


def test_an_anchor_catches_the_end_cut_off_and_the_head_moved_back(app, runner, tmp_path):
    ids = _record(app, 5)
    anchors = tmp_path / "anchors.txt"
    assert runner.invoke(args=["audit", "anchor", "-o", str(anchors)]).exit_code == 0
    _sql(app, "DELETE FROM audit_event WHERE id > :id", id=ids[2])
    _sql(app, "UPDATE audit_head SET last_id = :id, last_hash = (SELECT hash FROM audit_event WHERE id = :id)",
         id=ids[2])
    assert _verify(runner).exit_code == 0  # the chain alone cannot tell: what is left is a valid chain
    result = _verify(runner, anchors)
    assert result.exit_code == 1
    assert re.search(rf"Audit trail broken at event {ids[4]}: {re.escape(str(anchors))} line 1 \(taken "
                     rf"2026-11-23T07:0\d:\d\dZ\) names it, but the table ends at event {ids[2]}: events at the end "
                     "were deleted", result.output)
    _record(app, 2)  # the service goes on writing: whatever ids the new events get, the anchored one is not there
    result = _verify(runner, anchors)
    assert result.exit_code == 1 and f"Audit trail broken at event {ids[4]}: " in result.output


def test_an_anchor_that_does_not_match_fails(app, runner, tmp_path):
    ids = _record(app, 3)
    events = _events(app)
    anchors = tmp_path / "anchors.txt"
    anchors.write_text(f"2026-11-01T09:00:00Z {ids[0]} {events[0].hash}\n"
                       f"2026-11-02T09:00:00Z {ids[1]} {'a' * 64}\n")
    result = _verify(runner, anchors)
    assert result.exit_code == 1
    assert (f"Audit trail broken at event {ids[1]}: {anchors} line 2 (taken 2026-11-02T09:00:00Z) has the hash "
            f"{'a' * 64}, the event now has {events[1].hash}") in result.output
    beyond = tmp_path / "beyond.txt"
    beyond.write_text(f"2026-11-03T09:00:00Z {ids[2] + 1} {events[2].hash}\n")
    result = _verify(runner, beyond)
    assert result.exit_code == 1 and f"event {ids[2] + 1}: {beyond} line 1" in result.output


def test_anchor_refuses_a_broken_chain(app, runner, tmp_path):
    ids = _record(app, 3)
    _sql(app, "UPDATE audit_event SET comment = 'подделка' WHERE id = :id", id=ids[1])
    anchors = tmp_path / "anchors.txt"
    result = runner.invoke(args=["audit", "anchor", "-o", str(anchors)])
    assert result.exit_code == 1
    assert f"broken at event {ids[1]}" in result.output and "nothing anchored" in result.output
    assert not anchors.exists()


HASH = "ab" * 32


@pytest.mark.parametrize(("content", "message"), [
    (b"", "holds no anchor lines"),
    (b"# only a comment\n\n", "holds no anchor lines"),
    (b"2026-11-23T07:00:00Z 5\n", "line 1: expected '<time> <event id> <hash>', 2 fields"),
    (f"# note\n2026-11-23T07:00:00Z five {HASH}\n".encode(), "line 2: expected '<time> <event id> <hash>', "
                                                               "the event id 'five' is not a number"),
    (b"2026-11-23T07:00:00Z 5 abc\n", "the hash is not 64 hexadecimal digits"),
    (f"yesterday 5 {HASH}\n".encode(), "the time 'yesterday' is not ISO 8601"),
    (f"2026-11-23T07:00:00Z 0 {HASH}\n".encode(), "event 0 (the empty trail) has the hash 000...0"),
    (b"\xff\xfe\x00binary", "Cannot read the anchor file"),
])
def test_a_malformed_anchor_file_is_exit_2_with_the_line_named(app, runner, tmp_path, content, message):
    _record(app, 1)
    anchors = tmp_path / "anchors.txt"
    anchors.write_bytes(content)
    result = _verify(runner, anchors)
    assert result.exit_code == 2 and message in result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output


def test_a_missing_anchor_file_is_exit_2(app, runner, tmp_path):
    result = _verify(runner, tmp_path / "nowhere.txt")
    assert result.exit_code == 2 and "does not exist" in result.output


# --- migration 0007 -------------------------------------------------------------------------------------


def test_migration_0007_rekeys_a_plain_chain_with_a_key_it_makes(app, runner):
    app.config["AUDIT_KEY"] = None  # an installation that never set one: the key goes to instance/audit_key
    ids = _record(app, 4)
    key_file = Path(app.instance_path) / "audit_key"
    with app.app_context():
        downgrade(revision="0006")
    old = _events(app)
    assert all(e.hash == plain(_payload(e, e.prev_hash)) for e in old), "0006 chains with plain SHA-256"
    assert [e.prev_hash for e in old[1:]] == [e.hash for e in old[:-1]]
    key_file.unlink()  # the old installation had no key
    with app.app_context():
        upgrade()
    key = key_file.read_text().encode()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    new = _events(app)
    with app.app_context():
        assert db.session.get(AuditHead, 1).last_hash == new[-1].hash
    assert [e.id for e in new] == ids
    assert all(e.hash == keyed(key)(_payload(e, e.prev_hash)) for e in new)
    assert [e.prev_hash for e in new] == [GENESIS] + [e.hash for e in new[:-1]]
    assert _verify(runner).exit_code == 0
    _record(app, 1)
    assert _verify(runner).exit_code == 0


def test_migration_0007_does_not_launder_a_row_changed_before_it(app, runner):
    ids = _record(app, 4)
    with app.app_context():
        downgrade(revision="0006")
    _sql(app, "UPDATE audit_event SET comment = 'подделка' WHERE id = :id", id=ids[1])
    with app.app_context():
        upgrade()
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"Audit trail broken at event {ids[1]}: its content does not match its hash" in result.output


def test_rehash_chain_rekeys_rows_of_plain_sha256(app):
    ids = _record(app, 3)
    _forge(app, plain)  # rows as an installation before 0007 has them
    with app.app_context():
        assert str(verify_chain()).startswith(f"event {ids[0]}: its hash is a plain SHA-256")
        rehashed = rehash_chain(db.session.connection(), old_key=None, new_key=audit_key())
        db.session.commit()
        assert (rehashed.events, rehashed.broken) == (3, [])
        assert verify_chain() is None
    events = _events(app)
    assert all(e.hash == keyed(_key(app))(_payload(e, e.prev_hash)) for e in events)
