from collections import Counter

from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError

from ...models.common.groups import KA_MANAGER


class KeyAccountCommissionCompute(models.TransientModel):
    """Compute the settlements of one cadence's period.

    The period proposed is the last complete one of the cadence: last month,
    or the last two-month period (January-February, March-April, ...), as
    the monthly cron computes them. Salespeople are computed with their own
    plan's cadence only: a salesperson whose plan has another cadence (or no
    plan) is refused with a clear message, to be computed on their own.

    Named salespeople with a live settlement overlapping the period are
    refused (the message names the settlement); with nobody named, everybody
    on a plan of the cadence is computed but those, who are left out and
    listed in a notification before the settlements open."""

    _name = "key_account.commission.compute"
    _inherit = ["key_account.number.mixin"]
    _description = "Compute Commissions"

    cadence = fields.Selection(
        [("monthly", "Monthly"), ("bimonthly", "Every Two Months")],
        string="Settlement Cadence",
        required=True,
        default=lambda self: self._default_cadence(),
        help="The salespeople whose plan settles at this cadence; the period "
        "proposed is the last complete one.",
    )
    date_from = fields.Date(
        string="From",
        compute="_compute_dates",
        store=True,
        readonly=False,
        required=True,
    )
    date_to = fields.Date(
        string="To",
        compute="_compute_dates",
        store=True,
        readonly=False,
        required=True,
    )
    user_ids = fields.Many2many(
        "res.users",
        string="Salespeople",
        domain="[('ka_commission_plan_id.cadence', '=', cadence)]",
        help="Leave empty for every salesperson whose plan settles at this cadence.",
    )
    propose_awards = fields.Boolean(
        help="Also propose the weekly and monthly champions' awards of the "
        "period as award lines, for a manager to keep or delete before "
        "confirming.",
    )

    @api.model
    def _default_cadence(self):
        """The cadence of most salespeople's plans (two months, as the shipped
        plans, when nobody has a plan)."""
        groups = (
            self.env["res.users"]
            .sudo()
            ._read_group(
                [("ka_commission_plan_id", "!=", False)],
                ["ka_commission_plan_id"],
                ["__count"],
            )
        )
        counts = Counter()
        for plan, count in groups:
            counts[plan.cadence] += count
        if counts["monthly"] > counts["bimonthly"]:
            return "monthly"
        return "bimonthly"

    @api.depends("cadence")
    def _compute_dates(self):
        Settlement = self.env["key_account.commission.settlement"]
        for wizard in self:
            if wizard.cadence:
                wizard.date_from, wizard.date_to = Settlement._ka_last_period(
                    wizard.cadence
                )

    def _ka_users(self):
        """The salespeople to compute: those named, or everybody on a plan of
        the cadence; refuses the named ones of another cadence."""
        Users = self.env["res.users"].sudo()
        if not self.user_ids:
            return Users.search([("ka_commission_plan_id.cadence", "=", self.cadence)])
        users = self.user_ids.sudo()
        cadences = dict(self._fields["cadence"]._description_selection(self.env))
        for user in users:
            plan = user.ka_commission_plan_id
            if not plan:
                raise UserError(
                    self.env._(
                        "%(user)s has no commission plan: give them one on "
                        "their user first.",
                        user=user.name,
                    )
                )
            if plan.cadence != self.cadence:
                raise UserError(
                    self.env._(
                        "%(user)s is paid on the plan %(plan)s, settled %(theirs)s, "
                        "not %(cadence)s: compute them with their own cadence.",
                        user=user.name,
                        plan=plan.name,
                        theirs=cadences[plan.cadence].lower(),
                        cadence=cadences[self.cadence].lower(),
                    )
                )
        return users

    def action_compute(self):
        self.ensure_one()
        if not self.env.user.has_group(KA_MANAGER):
            raise AccessError(
                self.env._("Only Key Account managers can compute commissions.")
            )
        if not self.date_from or not self.date_to or self.date_from > self.date_to:
            raise UserError(self.env._("The period must end after it starts."))
        Settlement = self.env["key_account.commission.settlement"]
        settlements, overlaps = Settlement._ka_compute_settlements(
            self.date_from,
            self.date_to,
            users=self._ka_users(),
            skip_overlaps=not self.user_ids,
        )
        if self.propose_awards:
            Settlement.propose_awards(self.date_from, self.date_to)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "key_account.key_account_commission_settlement_action"
        )
        action["domain"] = [("id", "in", settlements.ids)]
        if not overlaps:
            return action
        message = self.env._(
            "Left out, a settlement of theirs already covers part of the "
            "period: %(settlements)s. Compute exactly that period again, or "
            "cancel it first.",
            settlements=", ".join(overlaps.mapped("name")),
        )
        action["help"] = Markup("<p>%s</p>") % message
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Commissions computed"),
                "message": message,
                "type": "warning",
                "sticky": True,
                "next": action,
            },
        }
