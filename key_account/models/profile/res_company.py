from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

GRADE_BASES = [
    ("sales", "Sales"),
    ("margin", "Margin"),
    ("either", "Sales or margin"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    # ---- what a grade is given for, and what makes an account key ----------
    # Not required (no NOT NULL on res_company: code that does not know the
    # module creates companies): empty reads as "sales" (_ka_grade_basis).
    ka_grade_basis = fields.Selection(
        GRADE_BASES,
        string="Grade By",
        default="sales",
        help="What re-grading reads from the 12 months: the sales, the gross "
        "margin, or either (the better grade of the two), against each grade's "
        "thresholds.",
    )
    ka_definition_sales = fields.Monetary(
        string="Key by Purchase Amount",
        currency_field="currency_id",
        help="An account whose 12-month sales reach this amount meets the "
        "key-account definition (0: not used).",
    )
    ka_definition_margin_share = fields.Float(
        string="Key by Profit Share (%)",
        digits=(5, 2),
        help="An account whose share of the company's 12-month gross margin "
        "reaches this percentage meets the key-account definition (0: not used).",
    )

    def _ka_grade_basis(self):
        """What the company grades by: its setting, "sales" when empty."""
        self.ensure_one()
        return self.sudo().ka_grade_basis or "sales"

    # ---- each company's grade index (see res.partner._field_to_sql) ----------
    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["res.partner"]._ka_sync_grade_indexes()
        return companies

    def unlink(self):
        res = super().unlink()
        self.env["res.partner"]._ka_sync_grade_indexes()
        return res

    @api.constrains("ka_definition_sales", "ka_definition_margin_share")
    def _check_ka_definition(self):
        for company in self:
            if company.ka_definition_sales < 0 or not (
                0 <= company.ka_definition_margin_share <= 100
            ):
                raise ValidationError(
                    self.env._(
                        "%(company)s: the key-account definition needs an amount "
                        "of 0 or more and a profit share between 0 and 100%%.",
                        company=company.name,
                    )
                )

    @api.constrains("ka_grade_basis")
    def _check_ka_grade_basis(self):
        Grade = self.env["key_account.grade"]
        for company in self:
            Grade._ka_check_thresholds(company)
