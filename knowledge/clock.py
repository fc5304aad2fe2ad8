"""Vietnam's clock and calendar: the time zone (UTC+7, no daylight saving), today's date whatever the server's
time zone, the one way dates and times are written for a Vietnamese reader, and the date of the 2025 merger
of provinces."""

from __future__ import annotations

import datetime as dt

VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")
# The day the 63 provinces became 34 (the date underthesea's address conversion data takes effect).
MERGER_DATE = dt.date(2025, 7, 1)


def now() -> dt.datetime:
    """The current time in Vietnam."""
    return dt.datetime.now(VIETNAM)


def today() -> dt.date:
    """The current date in Vietnam: fee windows and ``verified_on`` checks use it."""
    return now().date()


def vn_date(day: dt.date) -> str:
    """``24/11/2026`` (day and month without leading zeros, as Vietnamese texts write them)."""
    return f"{day.day}/{day.month}/{day.year}"


def vn_time(moment: dt.datetime) -> str:
    """``14:05 ngày 3/12/2026`` in Vietnam time (a naive ``moment`` is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    local = moment.astimezone(VIETNAM)
    return f"{local:%H:%M} ngày {vn_date(local.date())}"


MERGER = vn_date(MERGER_DATE)  # "1/7/2025", for sentences
