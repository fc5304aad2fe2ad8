"""What a knowledge-base backup may hold and where a backup may go: the guards of ``kb backup`` / ``kb restore``.

A backup is restored only when its schema is exactly the project's own (the tables ``entries`` and
``revisions``, the search table with its FTS5 index and the triggers sqlite-utils creates for it): a trigger,
view or table of anyone else's would run inside the live database after the restore. A backup never
overwrites the live database, a content file, or a file that is not a ``.db`` SQLite database.
"""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache
from pathlib import Path

from knowledge.content_files import CONTENT_DIR
from knowledge.store import KnowledgeBase

SQLITE_MAGIC = b"SQLite format 3\x00"


def _normal_sql(sql: str | None) -> str:
    return re.sub(r"\s+", " ", (sql or "").strip()).replace('"', "").replace("[", "").replace("]", "").lower()


@lru_cache(maxsize=1)
def own_schema() -> frozenset[tuple[str, str, str]]:
    """(type, name, sql) of every schema object a fresh knowledge base has."""
    kb = KnowledgeBase(":memory:")
    try:
        rows = kb.db.execute("select type, name, sql from sqlite_master").fetchall()
    finally:
        kb.close()
    return frozenset((t, n, _normal_sql(s)) for t, n, s in rows)


def check_schema(conn: sqlite3.Connection, name: str) -> None:
    """Raise :class:`ValueError` naming the first schema object of ``conn`` the project does not create."""
    own = own_schema()
    own_names = {(t, n) for t, n, _ in own}
    for kind, obj, sql in conn.execute("select type, name, sql from sqlite_master"):
        if obj.startswith("sqlite_autoindex_") or obj == "sqlite_sequence" or obj == "sqlite_stat1":
            continue
        if (kind, obj, _normal_sql(sql)) in own:
            continue
        what = {"trigger": "trigger", "view": "view", "table": "bảng", "index": "chỉ mục"}.get(kind, kind)
        if (kind, obj) in own_names:
            raise ValueError(f"{name}: {what} '{obj}' khác với của dvcbot: không khôi phục tệp này.")
        raise ValueError(f"{name}: có {what} lạ '{obj}' (không phải của dvcbot): không khôi phục tệp này.")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def _inside(path: Path, directory: Path) -> bool:
    try:
        return path.resolve().is_relative_to(directory.resolve())
    except OSError:
        return False


def check_backup_target(target: Path, live: Path, force: bool) -> None:
    """Refuse a backup target that is the live database, a content file, or (overwritten) not a database."""
    if _same_file(target, live) or _same_file(target.parent / (target.name.removesuffix("-wal")), live):
        raise ValueError(f"{target} là cơ sở tri thức đang dùng: chọn một tệp khác để sao lưu.")
    if _inside(target, CONTENT_DIR):
        raise ValueError(f"{target} nằm trong {CONTENT_DIR} (tệp nội dung): không sao lưu vào đó.")
    if target.suffix != ".db":
        raise ValueError(f"{target}: tệp sao lưu phải có đuôi .db.")
    if target.exists():
        if not force:
            raise ValueError(f"{target} đã có; chọn tên khác hoặc thêm --force để ghi đè.")
        if not target.is_file():
            raise ValueError(f"{target} không phải tệp thường: không ghi đè.")
        with open(target, "rb") as fh:
            if fh.read(16) not in (SQLITE_MAGIC, b""):
                raise ValueError(f"{target} không phải tệp cơ sở dữ liệu SQLite: --force không ghi đè nó.")


def check_restore_source(source: Path, live: Path) -> None:
    """Refuse restoring the live database onto itself, or anything that is not a regular file."""
    if _same_file(source, live):
        raise ValueError(f"{source} là chính cơ sở tri thức đang dùng: hãy khôi phục từ một tệp sao lưu.")
    if source.exists() and not source.is_file():
        raise ValueError(f"{source} không phải tệp thường.")
