from odoo import api
from odoo import fields
from odoo import models

from ..common.groups import KA_MANAGER


class ResUsers(models.Model):
    _inherit = "res.users"

    ka_access_log_count = fields.Integer(
        string="Customer Files Read",
        compute="_compute_ka_access_log_count",
        groups=KA_MANAGER,
        help="Lines of the customer-file access log written by this user.",
    )

    @api.depends_context("uid")
    def _compute_ka_access_log_count(self):
        counts = dict(
            self.env["key_account.access.log"]._read_group(
                [("user_id", "in", self._origin.ids)], ["user_id"], ["__count"]
            )
        )
        for user in self:
            user.ka_access_log_count = counts.get(user._origin, 0)

    def action_ka_access_log(self):
        """Stat button (managers): what this user read and exported."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "key_account.key_account_access_log_action"
        )
        action["domain"] = [("user_id", "=", self.id)]
        return action
