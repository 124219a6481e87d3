from odoo import fields
from odoo import models


class KeyAccountVisit(models.Model):
    _inherit = "key_account.visit"
    _ka_sheet_link = "ka_visit_id"

    ka_expense_sheet_ids = fields.One2many(
        "hr.expense.sheet", "ka_visit_id", string="Expense Reports", readonly=True
    )
