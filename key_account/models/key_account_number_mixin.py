import math

from odoo import api
from odoo import models
from odoo.exceptions import ValidationError

NUMBER_TYPES = ("float", "monetary", "integer")


class KeyAccountNumberMixin(models.AbstractModel):
    """Numbers from a client are finite: JSON-RPC accepts ``NaN`` and
    ``Infinity``, which would reach the database or end in a raw Python
    error. Checked for the numbers of this module's fields."""

    _name = "key_account.number.mixin"
    _description = "Key Account Finite Numbers"

    def _ka_check_numbers(self, vals):
        bad = [
            fname
            for fname, value in vals.items()
            if isinstance(value, float)
            and not math.isfinite(value)
            and (field := self._fields.get(fname))
            and field.type in NUMBER_TYPES
            and "key_account" in (field._modules or ())
        ]
        if bad:
            raise ValidationError(
                self.env._(
                    "%(fields)s: enter a number (not NaN nor infinity).",
                    fields=", ".join(
                        sorted(
                            self._fields[f]._description_string(self.env) for f in bad
                        )
                    ),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._ka_check_numbers(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._ka_check_numbers(vals)
        return super().write(vals)
