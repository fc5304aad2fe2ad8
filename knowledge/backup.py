"""Backups of the knowledge base: a consistent copy while the bot keeps reading (SQLite's online backup API),
and the check that a file is a sound knowledge database before it replaces the live one."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from knowledge.backup_guard import check_schema
from knowledge.schema import check_entry, normalize_entry
from knowledge.store import BUSY_TIMEOUT_MS

REQUIRED_COLUMNS = {
    "entries": {"id", "kind", "title", "status", "retired", "revision", "data"},
    "revisions": {"entry_id", "revision", "action", "data", "author", "created_at"},
}


def check_backup(path: str) -> int:
    """Check that ``path`` is a sound knowledge database; returns its number of entries.

    Opens the file read-only: SQLite integrity check, the tables and columns the bot reads, and every
    current entry valid against the schema. Raises :class:`ValueError` with the reason otherwise.
    """
    file = Path(path)
    if not file.is_file():
        raise ValueError(f"Không có tệp {path}.")
    with open(file, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise ValueError(f"{path} không phải tệp cơ sở dữ liệu SQLite.")
    conn = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise ValueError(f"{path} bị hỏng (integrity_check: {result}).")
        check_schema(conn, path)  # no trigger, view or table that is not the project's own
        for table, needed in REQUIRED_COLUMNS.items():
            columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            if not columns:
                raise ValueError(f"{path} thiếu bảng '{table}': không phải bản sao lưu cơ sở tri thức.")
            if needed - columns:
                raise ValueError(f"{path}: bảng '{table}' thiếu cột {', '.join(sorted(needed - columns))}.")
        count = 0
        for entry_id, data in conn.execute("select id, data from entries where retired = 0"):
            try:
                entry = normalize_entry(json.loads(data))
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{path}: mục '{entry_id}' không đọc được ({exc}).") from exc
            problems = check_entry(entry)
            if problems:
                field, msg = problems[0]
                raise ValueError(f"{path}: mục '{entry_id}', trường '{field}': {msg}.")
            count += 1
        if not count:
            raise ValueError(f"{path} không có mục nào.")
        return count
    except sqlite3.DatabaseError as exc:
        raise ValueError(f"{path} không đọc được: {exc}") from exc
    finally:
        conn.close()


def copy_db(source: str, target: str, single_file: bool = False) -> None:
    """Copy one SQLite database into another with SQLite's online backup API (readers keep reading).

    :param single_file: leave ``target`` in rollback-journal mode: one self-contained file, no -wal/-shm
    """
    src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
    dst = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        src.backup(dst)
        if single_file:
            dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()
