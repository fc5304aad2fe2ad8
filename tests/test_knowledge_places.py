"""Provinces before and after the 2025 merger, resolved offline with underthesea.address."""

import pytest

from knowledge.places import canonical_province, is_province, new_provinces, old_provinces, resolve


def test_counts():
    assert 34 == len(new_provinces())
    assert 63 == len(old_provinces())


@pytest.mark.parametrize(
    "given, province, old",
    [
        ("Đắk Nông", "Lâm Đồng", "Đắk Nông"),
        ("dak nong", "Lâm Đồng", "Đắk Nông"),
        ("tỉnh Long An", "Tây Ninh", "Long An"),
        ("huyện Bến Lức, tỉnh Long An", "Tây Ninh", "Long An"),
        ("Bình Dương", "Hồ Chí Minh", "Bình Dương"),
        ("TP HCM", "Hồ Chí Minh", "Hồ Chí Minh"),
        ("Nghệ An", "Nghệ An", "Nghệ An"),
        ("Bà Rịa Vũng Tàu", "Hồ Chí Minh", "Bà Rịa - Vũng Tàu"),
        ("BRVT", "Hồ Chí Minh", "Bà Rịa - Vũng Tàu"),
        ("Daklak", "Đắk Lắk", "Đắk Lắk"),
    ],
)
def test_resolve(given, province, old):
    place = resolve(given)
    assert province == place.province
    assert old == place.old_province
    assert place.changed == (province != old)


@pytest.mark.parametrize("text", ["xyz", "thời tiết", ""])
def test_unknown_places(text):
    assert resolve(text) is None if text else True
    assert not is_province(text)


def test_canonical_names_with_prefixes():
    assert "Hà Nội" == canonical_province("Thành phố Hà Nội")
    assert "Huế" == canonical_province("Thừa Thiên Huế")
