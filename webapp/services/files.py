"""Keep uploaded and generated files content-addressed by SHA-256 under the files directory."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import StoredFile


def files_root() -> Path:
    return Path(current_app.config["FILES_DIR"])


def store_bytes(data: bytes, original_name: str, content_type: str = "application/octet-stream") -> StoredFile:
    """Store content once; the same bytes stored twice give the same row and file."""
    digest = hashlib.sha256(data).hexdigest()
    existing = db.session.scalar(select(StoredFile).where(StoredFile.sha256 == digest))
    if existing is not None:
        return existing
    # Only the base name: a client-supplied path never reaches the file system.
    safe_name = os.path.basename(original_name.replace("\\", "/"))[:300] or "file"
    row = StoredFile(sha256=digest, size=len(data), content_type=content_type, original_name=safe_name)
    target = files_root() / row.relative_path
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        # Write then rename, so a crash never leaves a truncated file under a valid hash.
        fd, tmp = tempfile.mkstemp(dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    db.session.add(row)
    db.session.flush()
    return row


def read_bytes(row: StoredFile) -> bytes:
    data = (files_root() / row.relative_path).read_bytes()
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise OSError(f"stored file {row.sha256} does not match its hash")
    return data
