from odoo import fields
from odoo import models


class KeyAccountReception(models.Model):
    _inherit = "key_account.reception"
    _ka_sheet_link = "ka_reception_id"

    ka_expense_sheet_ids = fields.One2many(
        "hr.expense.sheet", "ka_reception_id", string="Expense Reports", readonly=True
    )
