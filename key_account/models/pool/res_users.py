from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    # ---- archived salespeople: their key accounts go back to the pool ------------
    def write(self, vals):
        leaving = self.filtered("active") if vals.get("active") is False else self
        res = super().write(vals)
        if vals.get("active") is False and leaving:
            leaving._ka_release_key_accounts()
        return res

    def _ka_release_key_accounts(self):
        """Archived salespeople: their key accounts go back to the pool (a
        manager can then hand them over with the handover wizard)."""
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("user_id", "in", self.ids), ("ka_type_id", "!=", False)])
        )
        if partners:
            partners._ka_pool_move(
                self.env["res.users"],
                "handover",
                reason=self.env._("The salesperson's user was archived."),
            )
