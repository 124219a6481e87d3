import math

from odoo import api
from odoo import models
from odoo.exceptions import ValidationError

NUMBER_TYPES = ("float", "monetary", "integer")


def check_numbers(records, vals_list, fnames=None):
    """Refuse, with a clear message, a value of ``vals_list`` that is not a
    finite number in a float, monetary or integer field of ``records``' model
    (only the fields ``fnames``, when given)."""
    for vals in vals_list:
        for fname, value in vals.items():
            field = records._fields.get(fname)
            if field is None or field.type not in NUMBER_TYPES:
                continue
            if fnames is not None and fname not in fnames:
                continue
            try:
                number = float(value or 0)
            except (TypeError, ValueError, OverflowError):
                number = math.nan
            if not math.isfinite(number):
                raise ValidationError(
                    records.env._(
                        "%(field)s must be a finite number, not %(value)s.",
                        field=field._description_string(records.env),
                        value=str(value)[:40],
                    )
                )


def module_number_fields(records):
    """The number fields that this module adds to ``records``' model (the
    ones to check on another app's model)."""
    return {
        fname
        for fname, field in records._fields.items()
        if field.type in NUMBER_TYPES and "key_account" in (field._modules or ())
    }


class KeyAccountNumberMixin(models.AbstractModel):
    """Amounts, rates and factors that are numbers.

    A client sends what it likes over JSON-RPC, ``NaN`` and ``Infinity``
    included (Python's JSON reads them), or a string: Odoo's rounding then
    fails with a raw Python error, or stores a NaN that poisons every sum.
    ``create`` and ``write`` refuse them with a clear message instead, for
    every float, monetary and integer field (on other apps' models, of the
    fields this module adds)."""

    _name = "key_account.number.mixin"
    _description = "Key Account Finite Numbers"
    # on another app's model (partners, companies, orders, settings): only
    # the fields this module adds
    _ka_own_numbers_only = False

    def _ka_number_fields(self):
        return module_number_fields(self) if self._ka_own_numbers_only else None

    @api.model_create_multi
    def create(self, vals_list):
        check_numbers(self, vals_list, self._ka_number_fields())
        return super().create(vals_list)

    def write(self, vals):
        check_numbers(self, [vals], self._ka_number_fields())
        return super().write(vals)
