"""Personal data redaction: Vietnamese IDs, phones, OTPs, e-mails, cards, passwords; everyday numbers kept."""

import pytest

from bot.privacy import mostly_personal_data, redact


@pytest.mark.parametrize(
    "text, expected",
    [
        # 12-digit personal ID / CCCD, any grouping
        ("CCCD của tôi là 001203012345", "CCCD của tôi là <CCCD>"),
        ("số định danh 001 203 012 345 nhé", "số định danh <CCCD> nhé"),
        ("so dinh danh 001.203.012.345", "so dinh danh <CCCD>"),
        ("0012-0301-2345", "<CCCD>"),
        ("abc001203012345xyz", "abc<CCCD>xyz"),
        ("001203012345 12 số", "<CCCD> 12 số"),
        # old 9-digit CMND
        ("cmnd 123456789 cũ", "cmnd <CMND> cũ"),
        ("cmnd 123 456 789", "cmnd <CMND>"),
        # phones, with or without +84, dots, spaces, dashes, parentheses
        ("gọi 0912345678", "gọi <SĐT>"),
        ("sđt 0912.345.678", "sđt <SĐT>"),
        ("sdt 0912 345 678 nha", "sdt <SĐT> nha"),
        ("091 234 5678", "<SĐT>"),
        ("+84 912 345 678", "<SĐT>"),
        ("+84912345678", "<SĐT>"),
        ("(+84) 912345678", "<SĐT>"),
        ("84912345678", "<SĐT>"),
        ("0084 912 345 678", "<SĐT>"),
        ("+84-912-345-678", "<SĐT>"),
        ("máy bàn 024.3938.5555", "máy bàn <SĐT>"),
        ("０９１２３４５６７８", "<SĐT>"),
        # OTP-like codes near OTP / mã / code / passcode
        ("mã OTP là 482193", "mã OTP là <OTP>"),
        ("482193 là mã otp", "<OTP> là mã otp"),
        ("OTP: 1 2 3 4 5 6", "OTP: <OTP>"),
        ("ma xac thuc 7391", "ma xac thuc <OTP>"),
        ("passcode 123456", "passcode <OTP>"),
        # e-mail, bank card, password
        ("email a.b+c@gmail.com nhé", "email <EMAIL> nhé"),
        ("thẻ 9704 1234 5678 9012", "thẻ <THẺ>"),
        ("4111111111111111", "<THẺ>"),
        ("mật khẩu là Abc@123", "mật khẩu là <MẬT KHẨU>"),
        ("mk: hunter2", "mk: <MẬT KHẨU>"),
        ("stk 1234567890", "stk <STK>"),
    ],
)
def test_personal_data_is_replaced_by_a_typed_placeholder(text, expected):
    assert expected == redact(text)[0]


@pytest.mark.parametrize(
    "text",
    [
        "lệ phí 10.000 đồng, nộp trực tiếp 20.000 đồng",
        "phạt 1.000.000.000 đồng",
        "tổng đài 1900 0368",
        "từ ngày 01/07/2025 kích hoạt mức 2",
        "Điều 12 Thông tư 75/2022/TT-BTC",
        "mã thủ tục 1.000",
        "kích hoạt VNeID như thế nào",
        "ma nam 2024 minh moi lam the luc 23 tuoi thi sao",  # "mà năm 2024" without tones: a year, no OTP
        "lệ phí 50 000 đồng",  # thousands grouped by spaces: an amount
        "",
    ],
)
def test_everyday_numbers_are_kept(text):
    assert (text, set()) == redact(text)


def test_kinds_found_are_reported():
    _, found = redact("cccd 001203012345, sđt 0912345678, mã OTP 4821, a@b.vn")
    assert {"<CCCD>", "<SĐT>", "<OTP>", "<EMAIL>"} == found


@pytest.mark.parametrize(
    "redacted, expected",
    [
        ("<CCCD>", True),
        ("số của tôi <SĐT>", True),
        ("số căn cước của tôi là <CCCD> nhé", True),
        ("cmnd cũ <CMND> có dùng để kích hoạt VNeID được không", False),
        ("mã OTP là <OTP>", True),  # a secret: always a warning
        ("mật khẩu là <MẬT KHẨU>", True),
        ("tôi gọi <SĐT> mãi không ai nghe, làm sao để đăng ký thường trú cho con ở Hà Nội", False),
        ("lệ phí đăng ký thường trú", False),
    ],
)
def test_mostly_personal_data(redacted, expected):
    assert expected == mostly_personal_data(redacted)


def test_long_text_is_redacted_quickly():
    text = ("lệ phí " * 1500) + "0912345678"
    out, found = redact(text)
    assert out.endswith("<SĐT>") and {"<SĐT>"} == found


@pytest.mark.parametrize(
    "text, secret",
    [
        ("Mật khẩu VNeID của tôi là Abc@1234", "Abc@1234"),
        ("mk vneid: Abc@1234 nhé", "Abc@1234"),
        ("Mat khau cua toi la: Hoa@123", "Hoa@123"),
    ],
)
def test_passwords_with_words_before_the_separator_are_redacted(text, secret):
    redacted, kinds = redact(text)
    assert secret not in redacted and "<MẬT KHẨU>" in kinds


@pytest.mark.parametrize(
    "text", ["quên mật khẩu vneid là gì", "mật khẩu phải gồm mấy ký tự", "mã hồ sơ 1234567 tra ở đâu"]
)
def test_ordinary_questions_are_not_secrets(text):
    assert not mostly_personal_data(redact(text)[0])


@pytest.mark.parametrize(
    "text", ["cccd 10 / 10 / 10 / 10 / 0", "cmnd 10 / 10 / 10 / 100", "số định danh 10  /  10  /  10  /  10  /  0"]
)
def test_a_date_shape_inside_a_spaced_run_of_digits_is_a_number(text):
    # found by the property test: "10 / 10 / 10" looked like a date and kept the ID in clear
    out, found = redact(text)
    assert found and "10" not in out


def test_a_number_in_spaced_groups_before_k_is_no_amount():
    # "k" after it is "không" (found by the property test): "100 1000 10 k" is no amount of "10 k" đồng
    assert ("cccd <CMND> k", {"<CMND>"}) == redact("cccd 100 1000 10 k")
