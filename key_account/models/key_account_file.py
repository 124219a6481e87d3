from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

SOURCES = [
    ("trade_show", "Trade show"),
    ("referral", "Referral"),
    ("online", "Online enquiry"),
    ("cold_visit", "Cold visit"),
    ("other", "Other"),
]

# the partner's field -> the file's field: the partner shows the file under
# its former field names (res_partner.py), as the current user may read it
PARTNER_FILE_FIELDS = {
    "ka_source": "source",
    "ka_staff_count": "staff_count",
    "ka_annual_revenue": "annual_revenue",
    "ka_main_business": "main_business",
    "ka_decision_process": "decision_process",
    "ka_need": "need",
    "ka_expected_purchase_date": "expected_purchase_date",
    "ka_budget_min": "budget_min",
    "ka_budget_max": "budget_max",
}


class KeyAccountFile(models.Model):
    """The confidential customer file of a key account: read and written by
    the account's owner and by Key Account managers only (record rules).
    Salespeople see it on the partner form through the partner's fields
    ``ka_need``, ``ka_budget_max``... which read it with their own rights."""

    _name = "key_account.file"
    _description = "Customer File"
    _rec_name = "partner_id"

    # the unique constraint below is the index on partner_id
    partner_id = fields.Many2one(
        "res.partner",
        string="Key Account",
        required=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="partner_id.company_id", store=True, index="btree_not_null"
    )
    user_id = fields.Many2one(
        related="partner_id.commercial_partner_id.user_id",
        string="Owner",
        store=True,
        index="btree_not_null",
        help="The salesperson of the key account: with the Key Account managers, "
        "the only one who reads and edits its file.",
    )
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    source = fields.Selection(SOURCES)
    staff_count = fields.Integer(string="Staff")
    annual_revenue = fields.Monetary()
    main_business = fields.Text()
    decision_process = fields.Text(string="Procurement Decision Process")
    need = fields.Text(string="Current Need")
    expected_purchase_date = fields.Date(string="Expected Purchase")
    budget_min = fields.Monetary(string="Budget From")
    budget_max = fields.Monetary(string="Budget To")

    _sql_constraints = [
        (
            "partner_uniq",
            "unique (partner_id)",
            "A key account has one customer file.",
        ),
    ]

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_currency_id(self):
        # the partner's key-account currency (res.partner.ka_currency_id)
        for file in self:
            file.currency_id = (
                file.company_id.currency_id or self.env.company.currency_id
            )

    @api.constrains("staff_count", "annual_revenue", "budget_min", "budget_max")
    def _check_amounts(self):
        for file in self:
            partner = file.partner_id.sudo()
            if (
                min(
                    file.staff_count,
                    file.annual_revenue,
                    file.budget_min,
                    file.budget_max,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._(
                        "%(partner)s: staff, revenue and budget cannot be negative.",
                        partner=partner.display_name,
                    )
                )
            if file.budget_max and file.budget_min > file.budget_max:
                raise ValidationError(
                    self.env._(
                        "%(partner)s: the budget range starts above its end.",
                        partner=partner.display_name,
                    )
                )
