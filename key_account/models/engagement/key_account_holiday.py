from datetime import date

from odoo import api
from odoo import fields
from odoo import models


def next_anniversary(day, start, end):
    """The first day from ``start`` to ``end`` (included) falling on the
    month and day of ``day`` (the 29th of February on the 28th in other
    years), or None."""
    for year in range(start.year, end.year + 1):
        try:
            candidate = day.replace(year=year)
        except ValueError:
            candidate = date(year, 2, 28)
        if start <= candidate <= end:
            return candidate
    return None


class KeyAccountHoliday(models.Model):
    """A holiday on which the owners greet their key accounts (seed 001
    资源库 2.1.1; seed 002 二(五)1): the Spring Festival, the Mid-Autumn
    Festival, New Year's Day... Managers keep the list in Configuration; the
    daily greeting cron reads it."""

    _name = "key_account.holiday"
    _inherit = ["key_account.number.mixin"]
    _description = "Greeting Holiday"
    _order = "date, id"

    name = fields.Char(required=True, translate=True)
    date = fields.Date(required=True)
    yearly = fields.Boolean(
        string="Every Year",
        help="The same day every year (New Year's Day). Untick it for a holiday "
        "of the lunar calendar (Spring Festival, Mid-Autumn) and enter each "
        "year's date.",
    )
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="The company whose key accounts are greeted; empty: every company's.",
    )
    active = fields.Boolean(default=True)

    @api.model
    def _ka_occurrences(self, start, end):
        """{holiday: its day from ``start`` to ``end``} of the active holidays."""
        result = {}
        for holiday in self.search([]):
            if holiday.yearly:
                day = next_anniversary(holiday.date, start, end)
            else:
                day = holiday.date if start <= holiday.date <= end else None
            if day:
                result[holiday] = day
        return result
