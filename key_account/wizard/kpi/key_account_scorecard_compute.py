from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError

from ...models.common.groups import KA_MANAGER

KA_SALESPERSON = "key_account.group_key_account_user,!" + KA_MANAGER


class KeyAccountScorecardCompute(models.TransientModel):
    _name = "key_account.scorecard.compute"
    _inherit = ["key_account.number.mixin"]
    _description = "Compute KPI Scorecards"

    template_id = fields.Many2one("key_account.kpi.template", required=True)
    period_type = fields.Selection(related="template_id.period_type")
    user_ids = fields.Many2many(
        "res.users",
        string="People",
        compute="_compute_user_ids",
        store=True,
        readonly=False,
    )
    date_from = fields.Date(
        string="From", compute="_compute_dates", store=True, readonly=False
    )
    date_to = fields.Date(
        string="To", compute="_compute_dates", store=True, readonly=False
    )

    @api.model
    def default_get(self, fields_list):
        # Opened from the menu, no template is chosen yet: the people are the
        # team a manager appraises, the company's salespeople; choosing a
        # template that names its people then puts them instead.
        res = super().default_get(fields_list)
        if "user_ids" in fields_list and not res.get("user_ids"):
            template = self.env["key_account.kpi.template"].browse(
                res.get("template_id")
            )
            people = template.user_ids or self._ka_default_people()
            res["user_ids"] = [Command.set(people.ids)]
        return res

    @api.model
    def _ka_default_people(self):
        """The salespeople of the current company: the active Key Account
        users of the company who own its key accounts, managers excepted (they
        are appraised with a template of their own)."""
        company = self.env.company
        owners = self.env["res.partner"]._read_group(
            [
                ("ka_type_id", "!=", False),
                ("user_id", "!=", False),
                ("company_id", "in", [company.id, False]),
            ],
            ["user_id"],
        )
        users = self.env["res.users"].union(*(user for (user,) in owners))
        return users.filtered(
            lambda user: user.active
            and not user.share
            and company in user.company_ids
            and user.has_groups(KA_SALESPERSON)
        ).sorted("name")

    @api.depends("template_id")
    def _compute_user_ids(self):
        # the people a template names replace the selection; a template
        # naming nobody keeps it
        for wizard in self:
            if wizard.template_id.user_ids:
                wizard.user_ids = wizard.template_id.user_ids
            elif not wizard.user_ids:
                wizard.user_ids = wizard._ka_default_people()

    @api.depends("template_id")
    def _compute_dates(self):
        Scorecard = self.env["key_account.scorecard"]
        for wizard in self:
            if wizard.template_id and not wizard.date_from:
                wizard.date_from, wizard.date_to = Scorecard._ka_last_period(
                    wizard.template_id.period_type
                )

    def action_compute(self):
        self.ensure_one()
        if not self.env.user.has_group(KA_MANAGER):
            raise AccessError(
                self.env._("Only Key Account managers can compute scorecards.")
            )
        if not self.user_ids:
            raise UserError(self.env._("Choose the people to appraise."))
        if not self.date_from or not self.date_to or self.date_from > self.date_to:
            raise UserError(self.env._("The period ends before it starts."))
        cards, skipped = self.env["key_account.scorecard"]._ka_compute_scorecards(
            self.template_id, self.user_ids, self.date_from, self.date_to
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "key_account.key_account_scorecard_action"
        )
        action["domain"] = [("id", "in", cards.ids)]
        if skipped:
            action["help"] = self.env._(
                "Skipped (a confirmed scorecard overlaps the period): %(names)s",
                names=", ".join(skipped.mapped("name")),
            )
        return action
