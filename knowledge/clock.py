"""Today's date in Vietnam (UTC+7, no daylight saving), whatever the server's timezone."""

from __future__ import annotations

import datetime as dt

VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")


def today() -> dt.date:
    """The current date in Vietnam: fee windows and ``verified_on`` checks use it."""
    return dt.datetime.now(VIETNAM).date()
