"""The shared staff write path: harmful-edit warnings, no-op edits, author and reason rules."""

import pytest

from knowledge import edits
from knowledge.store import Conflict

FEE = "fee_thuong_tru_tt75"


def test_moving_a_national_fee_to_one_province_is_warned(kb):
    fee = kb.get(FEE)
    assert [] == edits.warnings(kb, dict(fee))
    moved = {**fee, "jurisdiction": "Lâm Đồng"}
    (warning,) = edits.warnings(kb, moved)
    assert "toàn quốc" in warning and "Lâm Đồng" in warning


def test_dropping_or_multiplying_a_fee_figure_is_warned(kb):
    fee = kb.get(FEE)
    warnings = edits.warnings(kb, {**fee, "online": None, "in_person": fee["in_person"] * 10})
    assert any("Bỏ mức phí trực tuyến" in w for w in warnings)
    assert any("gấp 10.0 lần" in w and "200.000 đồng" in w for w in warnings)
    assert [] == edits.warnings(kb, {**fee, "in_person": fee["in_person"] + 5000})


def test_an_edit_that_changes_nothing_adds_no_revision(kb):
    fee = kb.get(FEE)
    before = len(kb.history(FEE))
    saved = edits.save(kb, dict(fee), "Lan", "không đổi gì", fee["_revision"])
    assert not saved.changed and fee["_revision"] == saved.revision
    assert before == len(kb.history(FEE))
    changed = edits.save(kb, {**fee, "in_person": 25000}, "Lan", "mức mới", fee["_revision"])
    assert changed.changed and fee["_revision"] + 1 == changed.revision
    assert "Lan" == kb.history(FEE)[-1]["author"]


def test_author_comes_from_the_staff_name_never_the_os_user(kb, monkeypatch):
    fee = kb.get(FEE)
    monkeypatch.delenv(edits.STAFF_NAME_ENV, raising=False)
    with pytest.raises(ValueError, match="DVCBOT_STAFF_NAME"):
        edits.save(kb, {**fee, "in_person": 25000}, "", "mức mới", fee["_revision"])
    monkeypatch.setenv(edits.STAFF_NAME_ENV, "Cán bộ Hoa")
    edits.save(kb, {**fee, "in_person": 25000}, "", "mức mới", fee["_revision"])
    assert "Cán bộ Hoa" == kb.history(FEE)[-1]["author"]


def test_reason_is_required_for_edit_and_revert(kb):
    fee = kb.get(FEE)
    with pytest.raises(ValueError):
        edits.save(kb, {**fee, "in_person": 25000}, "Lan", "  ", fee["_revision"])
    edits.save(kb, {**fee, "in_person": 25000}, "Lan", "mức mới", fee["_revision"])
    with pytest.raises(ValueError):
        edits.revert(kb, FEE, fee["_revision"], "Lan", "")
    edits.revert(kb, FEE, fee["_revision"], "Lan", "nhập nhầm")
    assert 20000 == kb.get(FEE)["in_person"]


def test_stale_base_revision_is_refused(kb):
    fee = kb.get(FEE)
    edits.save(kb, {**fee, "in_person": 25000}, "Lan", "mức mới", fee["_revision"])
    with pytest.raises(Conflict):
        edits.save(kb, {**fee, "in_person": 30000}, "Hoa", "mức khác", fee["_revision"])
