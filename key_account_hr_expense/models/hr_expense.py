from odoo import fields
from odoo import models


class HrExpense(models.Model):
    _inherit = "hr.expense"

    ka_expense_ids = fields.One2many(
        "key_account.expense",
        "ka_hr_expense_id",
        string="Key Account Expenses",
        readonly=True,
    )
