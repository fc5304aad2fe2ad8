"""The knowledge base in SQLite (sqlite-utils): entries, their revisions, and the queries actions need.

Every change is a revision with who, when and why. Retiring hides an entry and never deletes it; any
revision can be restored. A save names the revision it was based on and is refused when someone else
saved in between.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import sqlite_utils

from knowledge import search as search_index
from knowledge.content_files import CONTENT_DIR, load_dir
from knowledge.schema import InvalidEntry, check_entries, check_entry, normalize_entry, reference_problem, references

ROOT = Path(__file__).resolve().parent.parent
# how long a write waits for another writer before "database is locked" (ms); readers never wait (WAL)
BUSY_TIMEOUT_MS = int(os.environ.get("DVCBOT_KB_BUSY_TIMEOUT_MS", "10000"))
CONTENT_AUTHOR = "content-files"
MAX_ENTRY_BYTES = 256 * 1024  # one stored entry (JSON); the largest shipped entry is a few KB


def default_path() -> Path:
    """Where every process finds the knowledge base, decided here only: ``$DVCBOT_KB_PATH``, else
    ``$DVCBOT_VAR_DIR/knowledge.db``, else ``var/knowledge.db`` in the repository (read at each call, so a
    process that sets the variables before opening the store gets them)."""
    if os.environ.get("DVCBOT_KB_PATH"):
        return Path(os.environ["DVCBOT_KB_PATH"])
    return Path(os.environ.get("DVCBOT_VAR_DIR") or ROOT / "var") / "knowledge.db"


class Conflict(Exception):
    """The entry changed since the revision the editor started from."""


class NotFound(KeyError):
    """No entry (or revision) with that id."""


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def _digest(entry: dict) -> str:
    return hashlib.sha256(json.dumps(entry, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class KnowledgeBase:
    """One knowledge database file.

    :param path: SQLite file; created with its tables when missing
    """

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode=WAL")
        self.db = sqlite_utils.Database(conn)
        self._ensure_tables()

    # ---- schema -------------------------------------------------------------------------------
    def _ensure_tables(self) -> None:
        if "entries" not in self.db.table_names():
            self.db.table("entries").create(
                {
                    "id": str,
                    "kind": str,
                    "topic": str,
                    "title": str,
                    "status": str,
                    "retired": int,
                    "revision": int,
                    "data": str,
                    "content_digest": str,
                    "updated_at": str,
                    "updated_by": str,
                },
                pk="id",
            )
            self.db.table("entries").create_index(["kind"])
        if "revisions" not in self.db.table_names():
            self.db.table("revisions").create(
                {
                    "seq": int,
                    "entry_id": str,
                    "revision": int,
                    "action": str,
                    "data": str,
                    "retired": int,
                    "author": str,
                    "reason": str,
                    "created_at": str,
                },
                pk="seq",
            )
            self.db.table("revisions").create_index(["entry_id", "revision"], unique=True)
        search_index.ensure_index(self.db)

    # ---- reading ------------------------------------------------------------------------------
    def _row(self, entry_id: str) -> dict | None:
        rows = list(self.db.query("select * from entries where id = ?", [entry_id]))
        return rows[0] if rows else None

    @staticmethod
    def _entry(row: dict) -> dict:
        entry = json.loads(row["data"])
        entry["_revision"] = row["revision"]
        entry["_retired"] = bool(row["retired"])
        return entry

    def get(self, entry_id: str, include_retired: bool = False) -> dict | None:
        """The current version of an entry (with ``_revision``), or ``None``."""
        row = self._row(entry_id)
        if row is None or (row["retired"] and not include_retired):
            return None
        return self._entry(row)

    def entries(self, kind: str | None = None, include_retired: bool = False) -> list[dict]:
        """All current entries, optionally of one kind, ordered by topic then id."""
        sql = "select * from entries where 1=1"
        params: list = []
        if kind:
            sql += " and kind = ?"
            params.append(kind)
        if not include_retired:
            sql += " and retired = 0"
        return [self._entry(r) for r in self.db.query(sql + " order by topic, id", params)]

    def version(self) -> int:
        """A number that grows with every change of any entry (the last revision's sequence number)."""
        rows = list(self.db.query("select max(seq) as seq from revisions"))
        return int(rows[0]["seq"] or 0) if rows else 0

    def faq_for_intent(self, intent: str) -> dict | None:
        """The FAQ entry that answers an NLU intent."""
        for row in self.db.query(
            "select * from entries where kind = 'faq' and retired = 0 and json_extract(data, '$.intent') = ?",
            [intent],
        ):
            return self._entry(row)
        return None

    def faq_for_aspect(self, service_id: str, aspect: str) -> dict | None:
        """The FAQ entry staff marked as answering ``aspect`` of a service (its ``service`` and ``aspect`` fields)."""
        for row in self.db.query(
            "select * from entries where kind = 'faq' and retired = 0 and json_extract(data, '$.service') = ?"
            " and json_extract(data, '$.aspect') = ? order by id",
            [service_id, aspect],
        ):
            return self._entry(row)
        return None

    def fees(self, service_id: str) -> list[dict]:
        """Fee entries of one service (all jurisdictions and windows)."""
        return [
            self._entry(r)
            for r in self.db.query(
                "select * from entries where kind = 'fee' and retired = 0 and json_extract(data, '$.service') = ?",
                [service_id],
            )
        ]

    def contacts(self, ids: Iterable[str]) -> list[dict]:
        """Contact entries by id, in the order given, skipping unknown ones."""
        return [c for c in (self.get(i) for i in ids) if c and c.get("kind") == "contact"]

    def revision(self, entry_id: str, revision: int) -> dict:
        """One stored revision of an entry (its data as a dict, with ``_revision`` and ``_retired``)."""
        rows = list(self.db.query("select * from revisions where entry_id = ? and revision = ?", [entry_id, revision]))
        if not rows:
            raise NotFound(f"{entry_id}@{revision}")
        return self._entry(rows[0])

    def history(self, entry_id: str) -> list[dict]:
        """Every revision of an entry, oldest first."""
        rows = list(self.db.query("select * from revisions where entry_id = ? order by revision", [entry_id]))
        if not rows:
            raise NotFound(entry_id)
        return rows

    # ---- writing ------------------------------------------------------------------------------
    def _write(
        self,
        entry: dict,
        action: str,
        author: str,
        reason: str,
        expected_revision: int | None,
        retired: bool = False,
        content_digest: str | None = None,
        check_references: bool = True,
    ) -> int:
        """Validate, then store ``entry`` as a new revision inside one transaction.

        :param check_references: False only when the caller already checked the references of a whole set of
            entries written together (content files may point at each other in any order)
        """
        entry = {k: v for k, v in normalize_entry(entry).items() if not k.startswith("_")}
        problems = check_entry(entry)
        if problems:
            raise InvalidEntry([(str(entry.get("id", "?")), f, m) for f, m in problems])
        if check_references:
            self._check_references(entry)
        if not author or not str(author).strip():
            raise ValueError("cần tên người sửa (author)")
        data = json.dumps(entry, ensure_ascii=False, sort_keys=False)
        if len(data.encode("utf-8")) > MAX_ENTRY_BYTES:
            raise InvalidEntry(
                [
                    (
                        str(entry.get("id", "?")),
                        "*",
                        f"mục quá lớn ({len(data.encode('utf-8')) // 1024} KB, tối đa {MAX_ENTRY_BYTES // 1024} KB)",
                    )
                ]
            )
        conn = self.db.conn
        if conn.in_transaction:  # part of a larger all-or-nothing write (sync_content)
            return self._store(entry, data, action, author, reason, expected_revision, retired, content_digest)
        # BEGIN IMMEDIATE takes the write lock before the revision is read, so two savers cannot both pass
        # the check; entry, revision and search index are written together or not at all
        conn.execute("BEGIN IMMEDIATE")
        try:
            revision = self._store(entry, data, action, author, reason, expected_revision, retired, content_digest)
        except sqlite3.IntegrityError as exc:
            conn.rollback()
            raise Conflict(f"Mục '{entry['id']}' vừa được người khác sửa. Hãy xem lại bản mới rồi sửa lại.") from exc
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
        return revision

    def _store(
        self,
        entry: dict,
        data: str,
        action: str,
        author: str,
        reason: str,
        expected_revision: int | None,
        retired: bool,
        content_digest: str | None,
    ) -> int:
        """Write one revision inside the caller's transaction; returns the new revision number."""
        row = self._row(entry["id"])
        current = row["revision"] if row else 0
        if expected_revision is not None and expected_revision != current:
            raise Conflict(
                f"Mục '{entry['id']}' đã được người khác sửa (phiên bản {current}, bạn sửa từ phiên bản "
                f"{expected_revision}). Hãy xem lại bản mới rồi sửa lại."
            )
        if (
            action == "edit"
            and row is not None
            and json.loads(row["data"]) == entry
            and bool(row["retired"]) == retired
        ):
            return current  # an edit that changes nothing adds no revision
        revision = current + 1
        now = _now()
        self.db.table("entries").upsert(
            {
                "id": entry["id"],
                "kind": entry["kind"],
                "topic": entry.get("topic", ""),
                "title": entry["title"],
                "status": entry["status"],
                "retired": int(retired),
                "revision": revision,
                "data": data,
                "content_digest": content_digest if content_digest is not None else (row or {}).get("content_digest"),
                "updated_at": now,
                "updated_by": author,
            },
            pk="id",
        )
        self.db.table("revisions").insert(
            {
                "entry_id": entry["id"],
                "revision": revision,
                "action": action,
                "data": data,
                "retired": int(retired),
                "author": author,
                "reason": reason or "",
                "created_at": now,
            }
        )
        search_index.index_entry(self.db, entry, retired)
        return revision

    def _check_references(self, entry: dict) -> None:
        for field, ref, kind in references(entry):
            target = self.get(ref)
            if target is None or target.get("kind") != kind:
                raise InvalidEntry([(entry["id"], *reference_problem(field, ref, kind))])

    def add(self, entry: dict, author: str, reason: str = "") -> int:
        """Create a new entry; refused when the id exists (even retired)."""
        if self._row(str(entry.get("id", ""))):
            raise Conflict(f"Đã có mục '{entry['id']}'. Dùng lệnh sửa (edit) thay vì thêm.")
        return self._write(entry, "create", author, reason, expected_revision=0)

    def edit(self, entry: dict, author: str, reason: str, base_revision: int) -> int:
        """Save a new version of an existing entry that was read at ``base_revision``; returns the new revision,
        or ``base_revision`` itself when the entry is unchanged (nothing is written then)."""
        row = self._row(str(entry.get("id", "")))
        if row is None:
            raise NotFound(entry.get("id"))
        return self._write(entry, "edit", author, reason, expected_revision=base_revision, retired=bool(row["retired"]))

    def retire(self, entry_id: str, author: str, reason: str, base_revision: int | None = None) -> int:
        """Hide an entry from the bot; its history stays and it can be restored with :meth:`revert`."""
        current = self.get(entry_id, include_retired=True)
        if current is None:
            raise NotFound(entry_id)
        return self._write(
            current,
            "retire",
            author,
            reason,
            expected_revision=current["_revision"] if base_revision is None else base_revision,
            retired=True,
        )

    def revert(self, entry_id: str, revision: int, author: str, reason: str = "") -> int:
        """Make revision ``revision`` current again (as a new revision, nothing is rewritten)."""
        rows = [r for r in self.history(entry_id) if r["revision"] == revision]
        if not rows:
            raise NotFound(f"{entry_id}@{revision}")
        current = self.get(entry_id, include_retired=True)
        if current is None:
            raise NotFound(entry_id)
        return self._write(
            json.loads(rows[0]["data"]),
            "revert",
            author,
            reason or f"khôi phục phiên bản {revision}",
            expected_revision=current["_revision"],
            retired=bool(rows[0]["retired"]),
        )

    # ---- content files ------------------------------------------------------------------------
    def sync_content(self, directory: Path = CONTENT_DIR) -> dict:
        """Bring the shipped content files into the database without losing staff edits.

        New entries are added; an entry whose shipped text changed is updated only when staff have not
        edited it since the last import (otherwise the staff version is kept and reported).
        Returns counts: ``added``, ``updated``, ``kept_staff_edit``, ``unchanged``.
        """
        entries = load_dir(directory)
        problems = check_entries(entries)
        if problems:
            raise InvalidEntry(problems)
        counts = {"added": 0, "updated": 0, "kept_staff_edit": 0, "unchanged": 0}
        # one transaction: every entry is written, or none (a bad reference in the last file undoes the first)
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._sync(entries, counts)
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
        return counts

    def _sync(self, entries: list[dict], counts: dict) -> None:
        # check_entries has checked every reference of the set: entries that point at each other (a service's
        # sub-cases) are written in file order without checking each one against the store
        for entry in entries:
            digest = _digest(entry)
            row = self._row(entry["id"])
            if row is None:
                self._write(
                    entry,
                    "create",
                    CONTENT_AUTHOR,
                    "nạp từ knowledge/content",
                    0,
                    content_digest=digest,
                    check_references=False,
                )
                counts["added"] += 1
            elif row["content_digest"] == digest:
                counts["unchanged"] += 1
            elif row["updated_by"] == CONTENT_AUTHOR and not row["retired"]:
                self._write(
                    entry,
                    "edit",
                    CONTENT_AUTHOR,
                    "cập nhật từ knowledge/content",
                    row["revision"],
                    content_digest=digest,
                    check_references=False,
                )
                counts["updated"] += 1
            else:
                self.db.table("entries").update(entry["id"], {"content_digest": digest})
                counts["kept_staff_edit"] += 1

    def close(self) -> None:
        self.db.conn.close()


def open_kb(path: str | Path | None = None, sync: bool = False) -> KnowledgeBase:
    """Open the knowledge base at ``path`` (default :func:`default_path`)."""
    kb = KnowledgeBase(path)
    if sync:
        kb.sync_content()
    return kb
