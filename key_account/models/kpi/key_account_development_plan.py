from collections import defaultdict

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


class KeyAccountDevelopmentPlan(models.Model):
    """What a salesperson plans to develop in a period: new key accounts and
    visits; what is done is counted from Odoo's records."""

    _name = "key_account.development.plan"
    _inherit = ["mail.thread", "key_account.number.mixin"]
    _description = "Key Account Development Plan"
    _order = "date_from desc, user_id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        required=True,
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    date_from = fields.Date(string="From", required=True, tracking=True)
    date_to = fields.Date(string="To", required=True, tracking=True)
    planned_new_accounts = fields.Integer(
        string="Planned New Key Accounts", tracking=True
    )
    planned_visits = fields.Integer(tracking=True)
    done_new_accounts = fields.Integer(
        string="New Key Accounts",
        compute="_compute_done",
        help="Customers of the salesperson, companies or persons of their own, that "
        "became key accounts in the period.",
    )
    done_visits = fields.Integer(
        string="Visits Done",
        compute="_compute_done",
        help="Visits of the salesperson done in the period.",
    )
    completion = fields.Float(
        string="Completion (%)",
        compute="_compute_done",
        help="Done ÷ planned, each capped at its plan.",
    )
    note = fields.Text()

    @api.depends("user_id", "date_from", "date_to")
    def _compute_name(self):
        for plan in self:
            plan.name = self.env._(
                "%(user)s: %(date_from)s - %(date_to)s",
                user=plan.user_id.name or "",
                date_from=plan.date_from or "",
                date_to=plan.date_to or "",
            )

    @api.depends("user_id", "date_from", "date_to", "planned_new_accounts")
    def _compute_done(self):
        periods = defaultdict(lambda: self.browse())
        for plan in self:
            if plan.user_id and plan.date_from and plan.date_to:
                periods[plan.date_from, plan.date_to] |= plan
        new_counts = {}
        visit_counts = {}
        # one grouped query per distinct period (usually one for a team)
        for (date_from, date_to), plans in periods.items():
            groups = (
                self.env["res.partner"]
                .sudo()
                ._read_group(
                    [
                        ("ka_type_id", "!=", False),
                        ("ka_since", ">=", date_from),
                        ("ka_since", "<=", date_to),
                        ("user_id", "in", plans.user_id.ids),
                    ],
                    ["user_id"],
                    ["__count"],
                )
            )
            counts = {user.id: count for user, count in groups}
            visits = self._ka_visits_done(plans.user_id, date_from, date_to)
            for plan in plans:
                new_counts[plan.id] = counts.get(plan.user_id.id, 0)
                visit_counts[plan.id] = visits.get(plan.user_id.id, 0)
        for plan in self:
            plan.done_new_accounts = new_counts.get(plan.id, 0)
            plan.done_visits = visit_counts.get(plan.id, 0)
            planned = plan.planned_new_accounts + plan.planned_visits
            done = min(plan.done_new_accounts, plan.planned_new_accounts) + min(
                plan.done_visits, plan.planned_visits
            )
            plan.completion = 100.0 * done / planned if planned else 0.0

    @api.model
    def _ka_visits_done(self, users, date_from, date_to):
        """Visits done (done or closed) by ``users`` in the period, one
        grouped query.

        :return: {user_id: count}
        """
        groups = (
            self.env["key_account.visit"]
            .sudo()
            ._read_group(
                [
                    ("state", "in", ["done", "closed"]),
                    ("user_id", "in", users.ids),
                    ("actual_date", ">=", date_from),
                    ("actual_date", "<=", date_to),
                ],
                ["user_id"],
                ["__count"],
            )
        )
        return {user.id: count for user, count in groups}

    @api.constrains("date_from", "date_to", "planned_new_accounts", "planned_visits")
    def _check_plan(self):
        for plan in self:
            if plan.date_from > plan.date_to:
                raise ValidationError(
                    self.env._(
                        "%(plan)s: the period ends before it starts.", plan=plan.name
                    )
                )
            if plan.planned_new_accounts < 0 or plan.planned_visits < 0:
                raise ValidationError(
                    self.env._(
                        "%(plan)s: planned numbers cannot be negative.", plan=plan.name
                    )
                )
