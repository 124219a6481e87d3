from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError

# the links to the key-account document a report was claimed from
LINK_FIELDS = frozenset({"ka_visit_id", "ka_reception_id"})


class HrExpenseSheet(models.Model):
    _inherit = "hr.expense.sheet"

    ka_visit_id = fields.Many2one(
        "key_account.visit",
        string="Key Account Visit",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        groups="key_account.group_key_account_user",
    )
    ka_reception_id = fields.Many2one(
        "key_account.reception",
        string="Key Account Reception",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        groups="key_account.group_key_account_user",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.keys() & LINK_FIELDS for vals in vals_list):
            raise AccessError(
                self.env._(
                    "An expense report is linked to a visit or a reception by "
                    "claiming its expenses."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and vals.keys() & LINK_FIELDS:
            raise AccessError(
                self.env._(
                    "An expense report is linked to a visit or a reception by "
                    "claiming its expenses."
                )
            )
        return super().write(vals)

    def action_reset_expense_sheets(self):
        """A report claimed from a visit or reception was approved by the
        key-account chain: its employee does not take it back to draft (and
        change it); Finance may."""
        linked = self.sudo().filtered(lambda s: s.ka_visit_id or s.ka_reception_id)
        if not self.env.su and any(
            sheet.employee_id.user_id == self.env.user for sheet in linked
        ):
            raise UserError(
                self.env._(
                    "This report was claimed from a key-account visit or "
                    "reception and approved by its chain: only Finance can "
                    "reset it to draft."
                )
            )
        return super().action_reset_expense_sheets()

    def action_open_ka_document(self):
        self.ensure_one()
        return (self.ka_visit_id or self.ka_reception_id).get_formview_action()
