from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


class KeyAccountGrade(models.Model):
    _inherit = "key_account.grade"

    # follow-up cadence
    visit_interval_days = fields.Integer(
        string="Days Between Visits",
        help="Follow-up cadence: a visit is due this many days after the last "
        "one (0: no visits due).",
    )
    contact_interval_days = fields.Integer(
        string="Days Between Contacts",
        help="Follow-up cadence: a call, message or e-mail is due this many days "
        "after the last contact (0: none due).",
    )
    # gift caps: over them a request needs the next approval level
    gift_max_value = fields.Monetary(
        string="Gift Cap per Gift",
        help="A gift worth more than this needs the next approval level (0: no cap).",
    )
    gift_max_year = fields.Monetary(
        string="Gift Cap per Customer and Year",
        help="Gifts to one customer worth more than this in a calendar year need "
        "the next approval level (0: no cap).",
    )

    def write(self, vals):
        res = super().write(vals)
        if vals.keys() & {"visit_interval_days", "contact_interval_days"}:
            # the cadence dates of the accounts of these grades follow, in
            # whatever company the accounts are graded (the ORM would only
            # find those graded so in the current company)
            self.env["res.partner"]._ka_search_by_process_grade(self).modified(
                ["ka_grade_id"]
            )
        return res

    @api.constrains("visit_interval_days", "contact_interval_days")
    def _check_cadence(self):
        for grade in self:
            if grade.visit_interval_days < 0 or grade.contact_interval_days < 0:
                raise ValidationError(
                    self.env._(
                        "Months and days of grade %(grade)s cannot be negative.",
                        grade=grade.name,
                    )
                )
