from odoo import fields
from odoo import models
from odoo.exceptions import UserError

# what the key-account approval chain approved on a claimed expense: fixed
# once the expense is on its report
APPROVED_FIELDS = frozenset(
    {
        "total_amount_currency",
        "total_amount",
        "price_unit",
        "quantity",
        "product_id",
        "currency_id",
        "tax_ids",
        "employee_id",
        "payment_mode",
        "company_id",
        "sheet_id",
    }
)


class HrExpense(models.Model):
    _inherit = "hr.expense"

    ka_expense_ids = fields.One2many(
        "key_account.expense",
        "ka_hr_expense_id",
        string="Key Account Expenses",
        readonly=True,
    )

    def write(self, vals):
        if not self.env.su and vals.keys() & APPROVED_FIELDS:
            claimed = self.sudo().filtered("ka_expense_ids")
            if claimed:
                raise UserError(
                    self.env._(
                        "%(expense)s was claimed from a key-account visit or "
                        "reception: its amount is the one its approval chain "
                        "approved. Correct the expenses there.",
                        expense=claimed[0].name,
                    )
                )
        return super().write(vals)
