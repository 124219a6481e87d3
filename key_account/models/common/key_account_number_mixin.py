import math
from datetime import date
from datetime import datetime

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

NUMBER_TYPES = ("float", "monetary", "integer")
DATE_TYPES = ("date", "datetime")
CHECKED_TYPES = NUMBER_TYPES + DATE_TYPES
# The ranges a client may write, in one place. Amounts, rates and factors
# stay below ten thousand billion: a double still holds their cents, and
# every sum of them fits the database's numeric columns (beyond, rounding
# overflows). Integers fit a PostgreSQL integer column. Dates are those of
# a business that plans and records its work: 1900 to 2100 (date arithmetic
# overflows near year 9999).
MAX_AMOUNT = 1e13
MAX_INTEGER = 2**31 - 1
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2100, 12, 31)


def _field_label(records, field):
    return field._description_string(records.env)


def _check_number(records, field, value):
    try:
        number = float(value or 0)
    except (TypeError, ValueError, OverflowError):
        number = math.nan
    if not math.isfinite(number):
        raise ValidationError(
            records.env._(
                "%(field)s must be a finite number, not %(value)s.",
                field=_field_label(records, field),
                value=str(value)[:40],
            )
        )
    limit = MAX_INTEGER if field.type == "integer" else MAX_AMOUNT
    if abs(number) >= limit:
        bound = f"{limit:,.0f}"
        raise ValidationError(
            records.env._(
                "%(field)s must lie between -%(limit)s and %(limit)s, not %(value)s.",
                field=_field_label(records, field),
                limit=bound,
                value=str(value)[:40],
            )
        )


def _check_date(records, field, value):
    if not value:
        return
    try:
        if field.type == "date":
            day = fields.Date.to_date(value)
        else:
            day = fields.Datetime.to_datetime(value).date()
    except (TypeError, ValueError, OverflowError):
        raise ValidationError(
            records.env._(
                "%(field)s must be a date, not %(value)s.",
                field=_field_label(records, field),
                value=str(value)[:40],
            )
        ) from None
    if isinstance(day, datetime):
        day = day.date()
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValidationError(
            records.env._(
                "%(field)s must be a date between %(first)s and %(last)s, not "
                "%(value)s.",
                field=_field_label(records, field),
                first=fields.Date.to_string(FIRST_DATE),
                last=fields.Date.to_string(LAST_DATE),
                value=str(value)[:40],
            )
        )


def check_numbers(records, vals_list, fnames=None):
    """Refuse, with a clear message, a value of ``vals_list`` that does not
    fit a float, monetary, integer, date or datetime field of ``records``'
    model (only the fields ``fnames``, when given): a number that is not
    finite or too large (``MAX_AMOUNT``, ``MAX_INTEGER``), a date that is
    none or outside ``FIRST_DATE``..``LAST_DATE``."""
    for vals in vals_list:
        for fname, value in vals.items():
            field = records._fields.get(fname)
            if field is None or field.type not in CHECKED_TYPES:
                continue
            if fnames is not None and fname not in fnames:
                continue
            if field.type in DATE_TYPES:
                _check_date(records, field, value)
            else:
                _check_number(records, field, value)


def module_number_fields(records):
    """The number and date fields that this module adds to ``records``'
    model (the ones to check on another app's model)."""
    return {
        fname
        for fname, field in records._fields.items()
        if field.type in CHECKED_TYPES and "key_account" in (field._modules or ())
    }


class KeyAccountNumberMixin(models.AbstractModel):
    """Amounts, rates and factors that are numbers, dates that are dates.

    A client sends what it likes over JSON-RPC, ``NaN`` and ``Infinity``
    included (Python's JSON reads them), ``1e308``, year 9999, or a string:
    Odoo's rounding or date arithmetic then fails with a raw Python or
    database error, or stores a NaN that poisons every sum. ``create`` and
    ``write`` refuse them with a clear message instead, for every float,
    monetary, integer, date and datetime field (on other apps' models, of
    the fields this module adds): see ``check_numbers`` for the ranges.
    Every model of the module with such a field a client writes inherits
    this mixin."""

    _name = "key_account.number.mixin"
    # what a client sends is checked: numbers and dates here, the fields it
    # may not set at all in the guard
    _inherit = ["key_account.guard.mixin"]
    _description = "Key Account Finite Numbers"
    # on another app's model (partners, companies, orders, settings): only
    # the fields this module adds
    _ka_own_numbers_only = False

    def _ka_number_fields(self):
        return module_number_fields(self) if self._ka_own_numbers_only else None

    @api.model_create_multi
    def create(self, vals_list):
        fnames = self._ka_number_fields()
        check_numbers(self, vals_list, fnames)
        # and what the caller's defaults (context keys) would store
        defaults = {
            key[8:]: value
            for key, value in self.env.context.items()
            if key.startswith("default_") and key[8:] in self._fields
        }
        if defaults:
            check_numbers(self, [defaults], fnames)
        return super().create(vals_list)

    def write(self, vals):
        check_numbers(self, [vals], self._ka_number_fields())
        return super().write(vals)
