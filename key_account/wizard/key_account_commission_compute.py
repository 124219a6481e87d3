from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo import models


def _last_month_start():
    return fields.Date.today().replace(day=1) - relativedelta(months=1)


class KeyAccountCommissionCompute(models.TransientModel):
    _name = "key_account.commission.compute"
    _description = "Compute Commissions"

    date_from = fields.Date(string="From", required=True, default=_last_month_start)
    date_to = fields.Date(
        string="To",
        required=True,
        default=lambda self: fields.Date.today().replace(day=1) - relativedelta(days=1),
    )
    user_ids = fields.Many2many(
        "res.users",
        string="Salespeople",
        help="Leave empty for every salesperson with a commission plan.",
    )
    propose_awards = fields.Boolean(
        help="Also propose the weekly and monthly champions' awards as award "
        "lines, for a manager to keep or delete before confirming.",
    )

    def action_compute(self):
        self.ensure_one()
        settlements = self.env["key_account.commission.settlement"].compute_settlements(
            self.date_from, self.date_to, users=self.user_ids or None
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Commission Settlements"),
            "res_model": "key_account.commission.settlement",
            "view_mode": "list,form",
            "domain": [("id", "in", settlements.ids)],
        }
