"""The user's day: "today" and the start of a day are in the time zone of
whoever works (the context's, else the user's), as ``fields.Date.context_today``
reads it; the database stores naive UTC datetimes."""

from datetime import datetime
from datetime import time

import pytz


def tz_name(record):
    """The time zone ``fields.Date.context_today(record)`` uses."""
    return record.env.context.get("tz") or record.env.user.tz or "UTC"


def midnight_utc(tz, day):
    """The first instant of ``day`` in the time zone named ``tz``, as a naive
    UTC datetime (what ``Datetime`` columns hold)."""
    zone = pytz.timezone(tz or "UTC")
    start = zone.localize(datetime.combine(day, time.min))
    return start.astimezone(pytz.utc).replace(tzinfo=None)


def day_start_utc(record, day):
    """The first instant of ``day`` in the time zone of ``record``'s
    environment, as a naive UTC datetime."""
    return midnight_utc(tz_name(record), day)


def local_day(person, moment):
    """The day of ``moment`` (a naive UTC datetime) in the time zone of
    ``person`` (a user or a partner; UTC when they have none)."""
    tz = pytz.timezone(person.sudo().tz or "UTC")
    return pytz.utc.localize(moment).astimezone(tz).date()
