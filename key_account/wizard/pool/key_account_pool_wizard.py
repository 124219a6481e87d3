from odoo import api
from odoo import fields
from odoo import models

from ...models.common.groups import KA_MANAGER


class KeyAccountPoolWizard(models.TransientModel):
    """Release key accounts with a reason (managers and team leaders: to the
    pool of a team they choose), or assign them (managers, team leaders in
    their teams' pools)."""

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
    team_id = fields.Many2one(
        "crm.team",
        string="To the Pool of",
        domain="[('id', 'in', allowed_team_ids)]",
        help="Empty: each account goes back to its own pool.",
    )
    allowed_team_ids = fields.Many2many(
        "crm.team", compute="_compute_pool_admin", string="Teams You May Choose"
    )
    is_pool_admin = fields.Boolean(compute="_compute_pool_admin")
    reason = fields.Text()
    override_caps = fields.Boolean(
        help="Assign even beyond the salesperson's caps (a reason is required).",
    )

    @api.model
    def _default_partner_ids(self):
        if self.env.context.get("active_model") == "res.partner":
            return self.env["res.partner"].browse(self.env.context.get("active_ids"))
        return self.env["res.partner"]

    @api.depends("mode")
    @api.depends_context("uid")
    def _compute_pool_admin(self):
        """Managers choose among every team, a team leader among the teams
        they lead (only a choice: ``action_ka_release`` checks it)."""
        user = self.env.user
        Team = self.env["crm.team"].sudo()
        teams = (
            Team.search([("company_id", "in", [False, *self.env.companies.ids])])
            if user.has_group(KA_MANAGER)
            else Team.search([("user_id", "=", user.id)])
        )
        for wizard in self:
            wizard.allowed_team_ids = teams
            wizard.is_pool_admin = bool(teams)

    def action_confirm(self):
        self.ensure_one()
        if self.mode == "release":
            self.partner_ids.action_ka_release(self.reason, team=self.team_id.id)
        else:
            self.partner_ids.action_ka_assign(
                self.user_id, reason=self.reason, override_caps=self.override_caps
            )
        return {"type": "ir.actions.act_window_close"}
