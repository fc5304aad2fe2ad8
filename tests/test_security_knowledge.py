"""Knowledge-base doors of issue 12: restore accepts only the project's own schema and never the live file,
backups never overwrite content or non-database files, YAML has size and alias limits, validation of an empty
directory fails, a build writes all or nothing, broken content gives one clear line instead of a traceback."""

import shutil
import sqlite3
import time

import pytest

from bot.cli import main
from bot.runtime import paths
from knowledge.content_files import CONTENT_DIR, MAX_YAML_BYTES, ContentError, load_file, parse_yaml
from knowledge.schema import InvalidEntry
from knowledge.store import KnowledgeBase

# 9 levels of 9 aliases: under 600 bytes of YAML, 9⁹ strings once expanded
BOMB = (
    "\n".join(
        ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    )
    + "\nid: faq_bom\nkind: faq\ntitle: '*a8'\n"
)


def _revisions() -> int:
    return sqlite3.connect(paths.env()["DVCBOT_KB_PATH"]).execute("select count(*) from revisions").fetchone()[0]


@pytest.fixture(autouse=True)
def live_kb():
    """The session's live knowledge base, built from the content files."""
    kb = KnowledgeBase(paths.env()["DVCBOT_KB_PATH"])
    kb.sync_content()
    kb.close()


def error_lines(err: str) -> list[str]:
    """What a command printed on stderr, without the set-up's progress lines ("▶ …")."""
    return [line for line in err.strip().splitlines() if not line.startswith("▶")]


def test_a_nested_alias_bomb_is_refused_with_a_clear_error(tmp_path, capsys):
    assert len(BOMB.encode()) < 700
    path = tmp_path / "bom.yml"
    path.write_text(BOMB, "utf-8")
    before = _revisions()
    for command in ("add", "import"):
        assert 1 == main(["kb", command, str(path), "--by", "test"])
        err = capsys.readouterr().err
        assert "không cho phép neo/bí danh YAML" in err and "Traceback" not in err
    assert before == _revisions()


def test_yaml_without_aliases_still_loads():
    assert {"a": [1, 2]} == parse_yaml("a: [1, 2]")
    with pytest.raises(ContentError, match="neo/bí danh"):
        parse_yaml("a: &x 1\nb: *x")


def test_import_refuses_devices_and_files_over_the_limit(tmp_path, capsys):
    started = time.monotonic()
    assert 1 == main(["kb", "import", "/dev/zero", "--by", "test"])
    assert time.monotonic() - started < 5
    assert "không phải tệp thường" in capsys.readouterr().err
    big = tmp_path / "big.yml"
    big.write_text("# " + "x" * MAX_YAML_BYTES + "\nid: a\n", "utf-8")
    assert 1 == main(["kb", "import", str(big), "--by", "test"])
    assert "lớn quá" in capsys.readouterr().err


def test_validate_of_a_directory_without_content_files_fails(capsys):
    assert 1 == main(["kb", "validate", "--dir", "/etc"])
    assert "Không tìm thấy tệp nội dung" in capsys.readouterr().err


def test_invalid_utf8_names_the_file(run_dvcbot, tmp_path):
    bad = tmp_path / "hong.yml"
    bad.write_bytes(b"entries:\n- id: faq_x\n  title: \xff\xfe\n")
    with pytest.raises(ContentError, match="hong.yml.*UTF-8"):
        load_file(bad)
    result = run_dvcbot(["kb", "validate", "--dir", str(tmp_path)])
    assert 1 == result.returncode and "hong.yml" in result.stderr and "Traceback" not in result.stderr


def test_backup_never_overwrites_content_files_the_live_file_or_other_files(tmp_path, capsys):
    content = CONTENT_DIR / "vneid.yml"
    original = content.read_bytes()
    other = tmp_path / "notes.txt"
    other.write_text("giữ nguyên", "utf-8")
    not_db = tmp_path / "notes.db"
    not_db.write_text("giữ nguyên", "utf-8")
    for target in (content, CONTENT_DIR / "moi.db", other, not_db, paths.env()["DVCBOT_KB_PATH"]):
        assert 1 == main(["kb", "backup", "--force", str(target)]), target
        assert "✗" in capsys.readouterr().err
    assert original == content.read_bytes() and not (CONTENT_DIR / "moi.db").exists()
    assert "giữ nguyên" == other.read_text("utf-8") == not_db.read_text("utf-8")
    good = tmp_path / "kb.db"
    assert 0 == main(["kb", "backup", str(good)]) and 0 == main(["kb", "backup", "--force", str(good)])


def test_restore_refuses_the_live_file_quickly(capsys):
    started = time.monotonic()
    assert 1 == main(["kb", "restore", paths.env()["DVCBOT_KB_PATH"]])
    assert time.monotonic() - started < 5
    assert "đang dùng" in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra",
    [
        "CREATE TRIGGER rewrite AFTER UPDATE ON entries BEGIN "
        "UPDATE entries SET data = replace(data, 'VNeID', 'chuyển khoản vào tài khoản 0123456789'); END",
        "CREATE VIEW v AS SELECT * FROM entries",
        "CREATE TABLE extra (x)",
        "CREATE INDEX sneaky ON entries (title)",
    ],
)
def test_restore_accepts_only_the_project_schema(tmp_path, capsys, extra):
    backup = tmp_path / "kb.db"
    assert 0 == main(["kb", "backup", str(backup)])
    capsys.readouterr()
    conn = sqlite3.connect(backup)
    conn.execute(extra)
    conn.commit()
    conn.close()
    live = paths.env()["DVCBOT_KB_PATH"]
    schema_before = sqlite3.connect(live).execute("select name from sqlite_master order by name").fetchall()
    assert 1 == main(["kb", "restore", str(backup)])
    assert "không khôi phục" in capsys.readouterr().err
    assert schema_before == sqlite3.connect(live).execute("select name from sqlite_master order by name").fetchall()


def test_a_clean_backup_is_restored(tmp_path, capsys):
    backup = tmp_path / "kb.db"
    assert 0 == main(["kb", "backup", str(backup)])
    assert 0 == main(["kb", "restore", str(backup)])
    assert "Đã khôi phục" in capsys.readouterr().out


def test_build_writes_every_entry_or_none(tmp_path, fresh_db):
    for name in CONTENT_DIR.glob("*.yml"):
        shutil.copy(name, tmp_path / name.name)
    # the last file (by name) holds an entry too large to store: it fails after others were written
    (tmp_path / "zz.yml").write_text(
        "entries:\n- id: faq_qua_lon\n  kind: faq\n  title: Quá lớn\n  status: needs_review\n"
        "  review_note: r\n  verified_on: 2025-01-01\n  source: s\n  questions: [a, b]\n  answer: '"
        + "x" * 300_000
        + "'\n",
        "utf-8",
    )
    with pytest.raises(InvalidEntry) as info:
        fresh_db.sync_content(tmp_path)
    assert "quá lớn" in str(info.value.errors)
    assert 0 == fresh_db.db.execute("select count(*) from entries").fetchone()[0]
    assert 0 == fresh_db.db.execute("select count(*) from revisions").fetchone()[0]


def test_ask_with_broken_content_prints_one_line(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "hong.yml"
    bad.write_bytes(b"entries:\n- id: faq_x\n  title: \xff\n")
    monkeypatch.setattr("knowledge.store.load_dir", lambda directory=None: load_file(bad))
    monkeypatch.delenv("DVCBOT_RASA_URL", raising=False)
    assert 1 == main(["ask", "lệ phí thường trú"])
    err = capsys.readouterr().err
    assert "hong.yml" in err and "Traceback" not in err and 1 == len(error_lines(err))


def test_ask_with_a_corrupt_database_prints_one_line(tmp_path, monkeypatch, capsys):
    broken = tmp_path / "hong.db"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x13" * 4096)
    monkeypatch.setenv("DVCBOT_KB_PATH", str(broken))
    monkeypatch.delenv("DVCBOT_RASA_URL", raising=False)
    assert 1 == main(["ask", "lệ phí thường trú"])
    err = capsys.readouterr().err
    assert "Traceback" not in err and 1 == len(error_lines(err)) and "✗" in err
