"""``dvcbot kb``: what staff do, as they do it (subprocesses on a private copy of the knowledge base)."""

import shutil
import subprocess
import sys

import pytest
import yaml

from bot.runtime import paths


@pytest.fixture
def kb_path(content_kb_file, tmp_path):
    path = tmp_path / "kb.db"
    shutil.copy(content_kb_file, path)
    return path


def kb(kb_path, *args, stdin=None):
    env = {**paths.env(), "DVCBOT_KB_PATH": str(kb_path)}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "kb", *args],
        input=stdin,
        cwd=paths.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_validate_shipped_content(kb_path):
    result = kb(kb_path, "validate")
    assert 0 == result.returncode, result.stdout
    assert "hợp lệ" in result.stdout


def test_validate_reports_broken_file(kb_path, tmp_path):
    bad = tmp_path / "content"
    bad.mkdir()
    (bad / "x.yml").write_text("topic: x\nentries:\n  - id: a_b\n    kind: fee\n    title: t\n", "utf-8")
    result = kb(kb_path, "validate", "--dir", str(bad))
    assert 1 == result.returncode
    assert "source" in result.stdout and "verified_on" in result.stdout


def test_stats_prints_coverage_table(kb_path):
    out = kb(kb_path, "stats").stdout
    assert "có nguồn" in out and "cần kiểm tra" in out and "TỔNG" in out


def test_correct_a_fee_in_three_commands(kb_path, tmp_path):
    exported = kb(kb_path, "export", "fee_thuong_tru_tt75").stdout
    entry = yaml.safe_load(exported)
    assert 20000 == entry["in_person"]
    entry["online"] = 9000
    entry["verified_on"] = "2026-11-20"
    edited = tmp_path / "phi.yml"
    edited.write_text(yaml.safe_dump(entry, allow_unicode=True), "utf-8")
    result = kb(kb_path, "edit", str(edited), "--by", "Nguyễn Văn A", "--why", "thử sửa phí")
    assert 0 == result.returncode, result.stderr
    assert 9000 == yaml.safe_load(kb(kb_path, "show", "fee_thuong_tru_tt75").stdout)["online"]
    history = kb(kb_path, "history", "fee_thuong_tru_tt75").stdout
    assert "Nguyễn Văn A: thử sửa phí" in history
    # a second save from the same exported copy is refused, not silently overwritten
    again = kb(kb_path, "edit", str(edited), "--by", "Trần B", "--why", "sửa trùng")
    assert 1 == again.returncode and "người khác" in again.stderr


def test_invalid_edit_names_the_field_and_writes_nothing(kb_path, tmp_path):
    entry = yaml.safe_load(kb(kb_path, "export", "fee_thuong_tru_tt75").stdout)
    entry["in_person"] = "hai mươi nghìn"
    bad = tmp_path / "bad.yml"
    bad.write_text(yaml.safe_dump(entry, allow_unicode=True), "utf-8")
    result = kb(kb_path, "edit", str(bad), "--by", "A", "--why", "sai")
    assert 1 == result.returncode
    assert "in_person" in result.stderr and "Không có gì được ghi" in result.stderr
    assert 20000 == yaml.safe_load(kb(kb_path, "show", "fee_thuong_tru_tt75").stdout)["in_person"]


@pytest.mark.parametrize("text", ["{{{ not yaml", "- 1\n- 2\n", "", "id: x"])
def test_malformed_files_are_refused(kb_path, tmp_path, text):
    bad = tmp_path / "bad.yml"
    bad.write_text(text, "utf-8")
    result = kb(kb_path, "add", str(bad), "--by", "A")
    assert 1 == result.returncode and result.stderr.strip()


def test_retire_history_revert(kb_path):
    assert 0 == kb(kb_path, "retire", "thuong_tru", "--by", "A", "--why", "thử").returncode
    assert "thuong_tru" not in kb(kb_path, "list", "--kind", "service").stdout
    assert "[đã ẩn]" in kb(kb_path, "list", "--kind", "service", "--all").stdout
    refused = kb(kb_path, "revert", "thuong_tru", "1", "--by", "A")
    assert 0 != refused.returncode and "--why" in refused.stderr  # a revert says why
    assert 0 == kb(kb_path, "revert", "thuong_tru", "1", "--by", "A", "--why", "ẩn nhầm").returncode
    assert "thuong_tru" in kb(kb_path, "list", "--kind", "service").stdout


def _exported(kb_path, tmp_path, entry_id="fee_thuong_tru_tt75", **changes):
    entry = yaml.safe_load(kb(kb_path, "export", entry_id).stdout)
    entry.update(changes)
    path = tmp_path / "entry.yml"
    path.write_text(yaml.safe_dump(entry, allow_unicode=True), "utf-8")
    return path


def test_edit_without_change_adds_no_revision_and_author_is_never_the_os_user(kb_path, tmp_path):
    before = kb(kb_path, "history", "fee_thuong_tru_tt75").stdout
    same = kb(kb_path, "edit", str(_exported(kb_path, tmp_path)), "--by", "A", "--why", "không đổi")
    assert 0 == same.returncode and "không có thay đổi" in same.stdout
    assert before == kb(kb_path, "history", "fee_thuong_tru_tt75").stdout
    path = _exported(kb_path, tmp_path, in_person=25000)
    env = {k: v for k, v in paths.env().items() if k != "DVCBOT_STAFF_NAME"}
    nobody = subprocess.run(
        [sys.executable, "-m", "bot.cli", "kb", "edit", str(path), "--why", "mức mới"],
        cwd=paths.ROOT, env={**env, "DVCBOT_KB_PATH": str(kb_path)}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert 1 == nobody.returncode and "DVCBOT_STAFF_NAME" in nobody.stderr
    named = subprocess.run(
        [sys.executable, "-m", "bot.cli", "kb", "edit", str(path), "--why", "mức mới"],
        cwd=paths.ROOT, env={**env, "DVCBOT_KB_PATH": str(kb_path), "DVCBOT_STAFF_NAME": "Cán bộ Hoa"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert 0 == named.returncode, named.stderr
    assert "Cán bộ Hoa: mức mới" in kb(kb_path, "history", "fee_thuong_tru_tt75").stdout
    diff = kb(kb_path, "diff", "fee_thuong_tru_tt75").stdout
    assert "in_person:\n  - 20000\n  + 25000" in diff
    assert "phiên bản 1 → 2" in kb(kb_path, "diff", "fee_thuong_tru_tt75", "1", "2").stdout


def test_moving_a_national_fee_to_a_province_is_warned_and_needs_yes(kb_path, tmp_path):
    path = _exported(kb_path, tmp_path, jurisdiction="Lâm Đồng")
    warned = kb(kb_path, "edit", str(path), "--by", "A", "--why", "thử")
    assert 1 == warned.returncode and "toàn quốc" in warned.stderr and "Không có gì được ghi" in warned.stderr
    assert "national" in kb(kb_path, "show", "fee_thuong_tru_tt75").stdout
    assert 0 == kb(kb_path, "edit", str(path), "--by", "A", "--why", "thử", "--yes").returncode
    assert "Lâm Đồng" in kb(kb_path, "show", "fee_thuong_tru_tt75").stdout


def test_add_search_and_export_import_round_trip(kb_path, tmp_path):
    new = {
        "id": "faq_doi_anh",
        "kind": "faq",
        "title": "Đổi ảnh trên thẻ căn cước",
        "questions": ["đổi ảnh căn cước được không", "doi anh tren the can cuoc"],
        "answer": "Thử.",
        "source": "Luật Cư trú số 68/2020/QH14",
        "verified_on": "2026-11-01",
        "status": "published",
    }
    path = tmp_path / "new.yml"
    path.write_text(yaml.safe_dump(new, allow_unicode=True), "utf-8")
    assert 0 == kb(kb_path, "add", str(path), "--by", "A").returncode
    assert "faq_doi_anh" in kb(kb_path, "search", "doi", "anh", "can", "cuoc").stdout
    dump = tmp_path / "all.yml"
    dump.write_text(kb(kb_path, "export").stdout, "utf-8")
    result = kb(kb_path, "import", str(dump), "--by", "A")
    assert 0 == result.returncode, result.stderr


def test_stale_lists_old_entries(kb_path, tmp_path):
    assert "Không có mục nào" in kb(kb_path, "stale", "--days", "10000").stdout
    old = {
        "id": "faq_cu",
        "kind": "faq",
        "title": "Mục cũ",
        "questions": ["a b", "c d"],
        "answer": "x",
        "source": "Luật Cư trú số 68/2020/QH14",
        "verified_on": "2020-01-01",
        "status": "published",
    }
    path = tmp_path / "old.yml"
    path.write_text(yaml.safe_dump(old, allow_unicode=True), "utf-8")
    kb(kb_path, "add", str(path), "--by", "A")
    out = kb(kb_path, "stale", "--days", "365").stdout
    assert "faq_cu" in out and "2020-01-01" in out
