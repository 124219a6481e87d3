from odoo import api
from odoo import fields
from odoo import models


class KeyAccountMonthMixin(models.AbstractModel):
    """Records of a calendar month: ``month`` is stored as the month's first
    day, whatever day of it is given."""

    _name = "key_account.month.mixin"
    _description = "Key Account Monthly Record"

    @api.model
    def _ka_first_of_month(self, vals):
        if vals.get("month"):
            vals["month"] = fields.Date.to_date(vals["month"]).replace(day=1)
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._ka_first_of_month(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._ka_first_of_month(vals))
