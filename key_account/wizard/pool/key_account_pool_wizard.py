from odoo import api
from odoo import fields
from odoo import models


class KeyAccountPoolWizard(models.TransientModel):
    """Release key accounts with a reason, or assign them (managers)."""

    _name = "key_account.pool.wizard"
    _description = "Release or Assign Key Accounts"

    mode = fields.Selection(
        [("release", "Release to the pool"), ("assign", "Assign to a salesperson")],
        required=True,
        default="assign",
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Key Accounts",
        default=lambda self: self._default_partner_ids(),
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("key_account.group_key_account_user").id),
            ("share", "=", False),
        ],
    )
    reason = fields.Text()
    override_caps = fields.Boolean(
        help="Assign even beyond the salesperson's caps (a reason is required).",
    )

    @api.model
    def _default_partner_ids(self):
        if self.env.context.get("active_model") == "res.partner":
            return self.env["res.partner"].browse(self.env.context.get("active_ids"))
        return self.env["res.partner"]

    def action_confirm(self):
        self.ensure_one()
        if self.mode == "release":
            self.partner_ids.action_ka_release(self.reason)
        else:
            self.partner_ids.action_ka_assign(
                self.user_id, reason=self.reason, override_caps=self.override_caps
            )
        return {"type": "ir.actions.act_window_close"}
