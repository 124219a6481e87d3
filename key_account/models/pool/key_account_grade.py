from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


class KeyAccountGrade(models.Model):
    _inherit = "key_account.grade"

    # public pool: empty (0) uses the company's rule from Settings
    ka_pool_followup_days = fields.Integer(
        string="Pool: Days Without Follow-up",
        help="Return to the pool after this many days without a follow-up "
        "(0: the company's setting).",
    )
    ka_pool_order_days = fields.Integer(
        string="Pool: Days Without Order",
        help="Return to the pool after this many days without a confirmed order "
        "(0: the company's setting).",
    )
    ka_pool_warning_days = fields.Integer(
        string="Pool: Warning Days",
        help="Warn the owner this many days before the return (0: the company's "
        "setting).",
    )

    @api.constrains(
        "ka_pool_followup_days",
        "ka_pool_order_days",
        "ka_pool_warning_days",
        "company_id",
    )
    def _check_ka_pool_rules(self):
        for grade in self:
            if (
                min(
                    grade.ka_pool_followup_days,
                    grade.ka_pool_order_days,
                    grade.ka_pool_warning_days,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._(
                        "The pool days of grade %(grade)s cannot be negative.",
                        grade=grade.name,
                    )
                )
            companies = grade.company_id or self.env["res.company"].sudo().search([])
            for company in companies:
                company._ka_check_pool_warning(
                    *grade._ka_pool_periods(company), name=grade.name
                )
            # and in the pools of the teams with rules of their own
            self.env["crm.team"].sudo().search([])._ka_check_pool_periods(
                companies=grade.company_id or None, grades=grade
            )

    def _ka_pool_periods(self, company):
        """(days without follow-up, days without order, warning days) for the
        accounts of this grade (may be empty) in ``company``."""
        grade = self[:1]
        return (
            grade.ka_pool_followup_days or company.ka_pool_followup_days,
            grade.ka_pool_order_days or company.ka_pool_order_days,
            grade.ka_pool_warning_days or company.ka_pool_warning_days,
        )
