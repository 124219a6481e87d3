from odoo import fields
from odoo import models


class KeyAccountGradeHistory(models.Model):
    _name = "key_account.grade.history"
    _inherit = ["key_account.number.mixin"]
    _description = "Key Account Grade Change"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Key Account",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        help="The company whose grade changed: each company grades its key "
        "accounts from its own orders.",
    )
    old_grade_id = fields.Many2one("key_account.grade", string="From Grade")
    new_grade_id = fields.Many2one("key_account.grade", string="To Grade")
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    mode = fields.Selection(
        [("automatic", "Automatic re-grading"), ("manual", "Manual change")],
        required=True,
        default="manual",
    )
    user_id = fields.Many2one(
        "res.users", string="Changed By", default=lambda self: self.env.user
    )
    sales_12m = fields.Monetary(
        string="12-month Sales",
        currency_field="currency_id",
        help="The account's 12-month sales when its grade changed.",
    )
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.company.currency_id
    )
