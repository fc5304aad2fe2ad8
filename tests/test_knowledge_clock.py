"""Vietnam's clock (knowledge/clock.py): one time zone and one way to write dates."""

import datetime as dt

from knowledge.clock import MERGER, MERGER_DATE, VIETNAM, vn_date, vn_time


def test_dates_are_written_without_leading_zeros():
    assert "3/12/2026" == vn_date(dt.date(2026, 12, 3))
    assert "1/7/2025" == MERGER == vn_date(MERGER_DATE)


def test_times_are_shown_in_vietnam_whatever_the_zone_given():
    utc = dt.datetime(2026, 12, 2, 20, 5, tzinfo=dt.timezone.utc)
    assert "03:05 ngày 3/12/2026" == vn_time(utc)
    assert vn_time(utc) == vn_time(utc.astimezone(VIETNAM)) == vn_time(utc.replace(tzinfo=None))
