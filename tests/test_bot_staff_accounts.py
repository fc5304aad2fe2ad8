"""Staff accounts: scrypt hashes, sessions with a CSRF token, lock-out after repeated failed logins."""

import datetime as dt

import pytest

from bot.staff.accounts import LOCK_MINUTES, MAX_FAILURES, Accounts, LockedOut, hash_password, verify_password

PASSWORD = "mật-khẩu-đủ-dài"


@pytest.fixture
def accounts(tmp_path):
    store = Accounts(tmp_path / "staff.db")
    store.add_user("Lan", PASSWORD)
    yield store
    store.close()


def test_password_hash_is_salted_scrypt_and_verifies():
    a, b = hash_password(PASSWORD), hash_password(PASSWORD)
    assert a != b and a.startswith("scrypt$")
    assert PASSWORD not in a
    assert verify_password(PASSWORD, a)
    assert not verify_password(PASSWORD + "x", a)
    assert not verify_password(PASSWORD, "garbage")


def test_short_password_and_empty_name_are_refused(tmp_path):
    store = Accounts(tmp_path / "s.db")
    with pytest.raises(ValueError):
        store.add_user("Lan", "ngan")
    with pytest.raises(ValueError):
        store.add_user("  ", PASSWORD)


def test_login_gives_a_session_with_csrf_and_only_its_hash_is_stored(accounts):
    session = accounts.login("Lan", PASSWORD)
    assert session is not None and session.name == "Lan" and len(session.csrf) > 30
    assert accounts.session(session.token).csrf == session.csrf
    stored = accounts.db.execute("select token_hash from sessions").fetchall()
    assert [(session.token,)] != stored and len(stored) == 1
    assert accounts.session("forged") is None
    accounts.logout(session.token)
    assert accounts.session(session.token) is None


def test_wrong_password_and_unknown_user_give_no_session(accounts):
    assert accounts.login("Lan", "sai-mat-khau-roi") is None
    assert accounts.login("Ai đó", PASSWORD) is None


def test_lock_out_after_five_failures_for_fifteen_minutes(accounts):
    now = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.timezone.utc)
    for _ in range(MAX_FAILURES - 1):
        assert accounts.login("Lan", "sai-mat-khau-roi", now=now) is None
    with pytest.raises(LockedOut):
        accounts.login("Lan", "sai-mat-khau-roi", now=now)
    with pytest.raises(LockedOut):  # even the right password while locked
        accounts.login("Lan", PASSWORD, now=now + dt.timedelta(minutes=LOCK_MINUTES - 1))
    assert accounts.login("Lan", PASSWORD, now=now + dt.timedelta(minutes=LOCK_MINUTES + 1)) is not None


def test_expired_session_is_refused(accounts):
    session = accounts.login("Lan", PASSWORD)
    assert accounts.session(session.token, now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)) is None
