from itertools import pairwise

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import SQL


class KeyAccountGrade(models.Model):
    _name = "key_account.grade"
    _inherit = ["key_account.code.mixin", "key_account.number.mixin"]
    _description = "Key Account Grade"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    sequence = fields.Integer(
        default=10, help="Grades are ranked by sequence: the first is the best."
    )
    color = fields.Integer(help="Colour of the grade's kanban column and tags.")
    active = fields.Boolean(default=True)
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    min_sales_12m = fields.Monetary(
        string="Minimum 12-month Sales",
        help="An account whose confirmed sales of the last 12 months reach this "
        "amount gets at least this grade at the next re-grading.",
    )
    min_margin_12m = fields.Monetary(
        string="Minimum 12-month Margin",
        help="When the company grades by margin (or by sales or margin, "
        "Settings): an account whose gross margin of the last 12 months reaches "
        "this amount gets at least this grade at the next re-grading.",
    )
    is_dormant = fields.Boolean(
        string="Dormant Grade",
        help="Accounts that stopped ordering land in this grade (grade D), "
        "whatever their sales.",
    )
    inactive_months = fields.Integer(
        string="Months Without Order",
        default=12,
        help="An account of this grade with no confirmed order for this many "
        "months drops to the dormant grade at the next re-grading.",
    )
    partner_count = fields.Integer(
        compute="_compute_partner_count", string="Key Accounts"
    )
    # seed 000 §2.5: the privileges of a grade, its discount level first
    pricelist_id = fields.Many2one(
        "product.pricelist",
        domain="[('company_id', 'in', [False, company_id or current_company_id])]",
        help="The discount level of the grade: an account getting this grade "
        "(re-grading, first grading, a change by hand) gets this pricelist in "
        "the grade's company. Empty: the account keeps its pricelist.",
    )

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_currency_id(self):
        for grade in self:
            grade.currency_id = (
                grade.company_id.currency_id or self.env.company.currency_id
            )

    @api.depends_context("company")
    def _compute_partner_count(self):
        # a company's grade counts its accounts there; a shared one those of
        # the company the user works in
        for company, grades in self.grouped(
            lambda g: g.company_id or self.env.company
        ).items():
            counts = dict(
                self.env["res.partner"]
                .with_company(company)
                ._read_group(
                    [("ka_grade_id", "in", grades.ids)], ["ka_grade_id"], ["__count"]
                )
            )
            for grade in grades:
                grade.partner_count = counts.get(grade, 0)

    @api.model
    def _ka_grades_for_company(self, company):
        """The grade table that applies to the accounts of ``company``.

        :return: (ranked grades without the dormant one, dormant grade or empty)
        """
        grades = self.search(
            [("company_id", "in", [company.id, False])], order="sequence, id"
        )
        dormant = grades.filtered("is_dormant")
        # a company's own dormant grade wins over a shared one
        dormant = dormant.filtered("company_id")[:1] or dormant[:1]
        return grades.filtered(lambda g: not g.is_dormant), dormant

    @api.constrains("min_sales_12m", "min_margin_12m", "inactive_months")
    def _check_positive_values(self):
        for grade in self:
            if grade.min_sales_12m < 0 or grade.min_margin_12m < 0:
                raise ValidationError(
                    self.env._(
                        "The minimum 12-month sales of grade %(grade)s cannot be "
                        "negative.",
                        grade=grade.name,
                    )
                )
            if grade.inactive_months < 0:
                raise ValidationError(
                    self.env._(
                        "Months and days of grade %(grade)s cannot be negative.",
                        grade=grade.name,
                    )
                )

    @api.constrains(
        "min_sales_12m",
        "min_margin_12m",
        "sequence",
        "is_dormant",
        "company_id",
        "active",
    )
    def _check_thresholds_decrease(self):
        """Ranked by sequence, each grade must ask for less than the one above."""
        companies = self.company_id
        if not all(grade.company_id for grade in self):
            # a shared grade takes part in the table of every company
            companies |= self.env["res.company"].sudo().search([])
        for company in companies:
            self._ka_check_thresholds(company)

    @api.model
    def _ka_check_thresholds(self, company):
        """The grade table of ``company`` asks, from the first grade to the
        last, for decreasing 12-month sales, and for decreasing margins when
        the company grades by margin (Settings)."""
        ranked, _dormant = self._ka_grades_for_company(company)
        measures = ["min_sales_12m"]
        if company._ka_grade_basis() in ("margin", "either"):
            measures.append("min_margin_12m")
        for fname in measures:
            for higher, lower in pairwise(ranked):
                if lower[fname] >= higher[fname]:
                    values = {
                        "lower": lower.name,
                        "lower_amount": lower[fname],
                        "higher": higher.name,
                        "higher_amount": higher[fname],
                    }
                    if fname == "min_sales_12m":
                        message = self.env._(
                            "Grade thresholds must decrease from the first grade "
                            "to the last: grade %(lower)s asks for %(lower_amount)s "
                            "of 12-month sales, not less than grade %(higher)s "
                            "(%(higher_amount)s).",
                            **values,
                        )
                    else:
                        message = self.env._(
                            "Grade thresholds must decrease from the first grade "
                            "to the last: grade %(lower)s asks for %(lower_amount)s "
                            "of 12-month margin, not less than grade %(higher)s "
                            "(%(higher_amount)s).",
                            **values,
                        )
                    raise ValidationError(message)

    @api.constrains("pricelist_id", "company_id")
    def _check_pricelist_company(self):
        for grade in self:
            pricelist = grade.pricelist_id
            if pricelist.company_id and pricelist.company_id != grade.company_id:
                raise ValidationError(
                    self.env._(
                        "The pricelist %(pricelist)s belongs to %(company)s: "
                        "grade %(grade)s can only give a pricelist of its own "
                        "company or one shared by all companies.",
                        pricelist=pricelist.display_name,
                        company=pricelist.company_id.name,
                        grade=grade.name,
                    )
                )

    @api.constrains("is_dormant", "company_id", "active")
    def _check_one_dormant_grade(self):
        for company_id in {g.company_id.id for g in self.filtered("is_dormant")}:
            domain = [("is_dormant", "=", True), ("company_id", "=", company_id)]
            if self.search_count(domain) > 1:
                raise ValidationError(
                    self.env._(
                        "There can be only one dormant grade per company, and "
                        "one shared by all companies."
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_use(self):
        """A grade in use is archived, not deleted: its accounts (in any
        company, archived ones too) would lose their grade and the grade
        history its rows' grades."""
        self.env["res.partner"].flush_model(["ka_grade_id"])
        # company-dependent: one value per company in a jsonb column
        self.env.cr.execute(
            SQL(
                """
                SELECT value::int, count(DISTINCT p.id)
                  FROM res_partner p, jsonb_each_text(p.ka_grade_id)
                 WHERE p.ka_grade_id IS NOT NULL
                   AND value::int = ANY(%s)
              GROUP BY value::int
                """,
                self.ids,
            )
        )
        accounts = dict(self.env.cr.fetchall())
        History = self.env["key_account.grade.history"].sudo()
        rows = {grade.id: 0 for grade in self}
        for fname in ("old_grade_id", "new_grade_id"):
            for grade, count in History._read_group(
                [(fname, "in", self.ids)], [fname], ["__count"]
            ):
                rows[grade.id] += count
        for grade in self:
            if accounts.get(grade.id) or rows[grade.id]:
                raise UserError(
                    self.env._(
                        "The grade %(grade)s is used by %(accounts)s accounts and "
                        "%(rows)s grade history rows: deleting it would leave "
                        "them without a grade. Archive it instead.",
                        grade=grade.name,
                        accounts=accounts.get(grade.id, 0),
                        rows=rows[grade.id],
                    )
                )
