from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tools import format_amount

from ..common.groups import KA_MANAGER
from ..common.lang import env_for

BELOW_TARGET_MONTHS = 3
PROPOSAL_KINDS = [("demotion", "Demotion"), ("dismissal", "Dismissal")]


class KeyAccountCommissionProposal(models.Model):
    """A consequence of a full-time salesperson's results, proposed by the
    monthly check (:meth:`_ka_cron_propose`) and decided by a Key Account
    manager (the source document, commission rules 3.5: a regular
    salesperson under the monthly minimum, or three months in a row under
    target, is demoted; a probationer three months under target dismissed).

    Everything but the decision's comment is written by the check and the
    decision's actions; nobody decides on their own proposal. An accepted
    demotion scales the salesperson's targets from the month after the
    decision (:meth:`key_account.commission.target._ka_effective_targets_by_month`)."""

    _name = "key_account.commission.proposal"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "key_account.workflow.mixin",
        "key_account.number.mixin",
    ]
    _description = "Demotion or Dismissal Proposal"
    _order = "month desc, id desc"
    _rec_name = "user_id"
    _check_company_auto = True
    _ka_open_states = ("proposed",)
    _ka_initial_state = "proposed"

    user_id = fields.Many2one(
        "res.users", string="Salesperson", required=True, readonly=True, index=True
    )
    kind = fields.Selection(PROPOSAL_KINDS, required=True, readonly=True)
    month = fields.Date(
        required=True,
        readonly=True,
        index=True,
        help="The first day of the month whose results led to the proposal.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    status_before = fields.Selection(
        [
            ("regular", "Regular"),
            ("probation", "On Probation"),
            ("demoted", "Demoted"),
        ],
        string="Status When Proposed",
        readonly=True,
    )
    below_minimum = fields.Boolean(
        string="Below the Monthly Minimum",
        readonly=True,
        help="The month's confirmed sales were below the company's monthly minimum.",
    )
    below_target = fields.Boolean(
        string="Below Target 3 Months",
        readonly=True,
        help="The confirmed sales were below the target in each of the three "
        "months up to this one.",
    )
    sales_amount = fields.Monetary(string="Month's Sales", readonly=True)
    target_amount = fields.Monetary(string="Month's Target", readonly=True)
    minimum_amount = fields.Monetary(string="Monthly Minimum", readonly=True)
    figures = fields.Text(
        readonly=True,
        help="Sales and targets of the months the proposal rests on.",
    )
    manager_id = fields.Many2one(
        "res.users",
        string="Asked to Decide",
        readonly=True,
        help="Who was asked to decide: the leader of the salesperson's sales "
        "team, else the Key Account managers.",
    )
    state = fields.Selection(
        [
            ("proposed", "To Decide"),
            ("accepted", "Accepted"),
            ("rejected", "Rejected"),
        ],
        default="proposed",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    decision_note = fields.Text(string="Comment", tracking=True)
    decided_by_id = fields.Many2one("res.users", readonly=True)
    decided_on = fields.Date(readonly=True)
    effective_month = fields.Date(
        readonly=True,
        help="An accepted demotion scales the targets from this month on.",
    )

    _sql_constraints = [
        (
            "user_month_uniq",
            "unique(user_id, month)",
            "A salesperson gets one proposal per month.",
        ),
    ]

    @api.depends("kind", "user_id", "month")
    def _compute_display_name(self):
        for proposal in self:
            user = proposal.user_id.name or ""
            month = (proposal.month and proposal.month.strftime("%Y-%m")) or ""
            if proposal.kind == "dismissal":
                proposal.display_name = self.env._(
                    "Dismissal of %(user)s (%(month)s)", user=user, month=month
                )
            else:
                proposal.display_name = self.env._(
                    "Demotion of %(user)s (%(month)s)", user=user, month=month
                )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "Proposals of demotion or dismissal are made by the monthly "
                    "check of the salespeople's results, not by hand."
                )
            )
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_decided(self):
        decided = self.filtered(lambda p: p.state != "proposed")
        if decided:
            raise UserError(
                self.env._(
                    "%(proposal)s was decided: it stays in the salesperson's history.",
                    proposal=decided[0].display_name,
                )
            )

    def _ka_locked_message(self, record, what=None):
        return self.env._(
            "%(proposal)s was decided: it can no longer change.",
            proposal=record.display_name,
        )

    # ---- the decision -------------------------------------------------------------
    def _ka_check_decider(self):
        user = self.env.user
        if not user.has_group(KA_MANAGER):
            raise AccessError(
                self.env._("Only Key Account managers decide on these proposals.")
            )
        for proposal in self:
            if proposal.user_id == user:
                raise AccessError(
                    self.env._(
                        "%(proposal)s is about you: another Key Account manager "
                        "decides on it.",
                        proposal=proposal.display_name,
                    )
                )
            if proposal.state != "proposed":
                raise UserError(
                    self.env._(
                        "%(proposal)s was already decided.",
                        proposal=proposal.display_name,
                    )
                )

    def action_accept(self):
        """Accept: a demotion makes the salesperson's status Demoted and
        scales their targets from next month on."""
        self._ka_check_decider()
        today = fields.Date.context_today(self)
        next_month = today.replace(day=1) + relativedelta(months=1)
        for proposal in self:
            vals = {
                "state": "accepted",
                "decided_by_id": self.env.user.id,
                "decided_on": today,
            }
            if proposal.kind == "demotion":
                vals["effective_month"] = next_month
            proposal._ka_workflow_write(vals)
            if proposal.kind == "demotion":
                # checked above: a Key Account manager decides
                proposal.user_id.sudo().ka_commission_status = "demoted"
        self._ka_after_decision()
        return True

    def action_reject(self):
        """Reject, saying why (the comment)."""
        self._ka_check_decider()
        for proposal in self:
            if not (proposal.decision_note or "").strip():
                raise UserError(
                    self.env._(
                        "Say why you reject %(proposal)s in its comment.",
                        proposal=proposal.display_name,
                    )
                )
        self._ka_workflow_write(
            {
                "state": "rejected",
                "decided_by_id": self.env.user.id,
                "decided_on": fields.Date.context_today(self),
            }
        )
        self._ka_after_decision()
        return True

    def _ka_after_decision(self):
        """The decision in the proposal's chatter (the salesperson's history,
        in the salesperson's language); the managers' activities closed."""
        activity_type = self.env.ref(
            "key_account.mail_activity_type_commission_proposal"
        )
        for proposal in self.sudo():
            env = env_for(self.env, proposal.user_id)
            values = {
                "manager": self.env.user.name,
                "comment": proposal.decision_note or "",
            }
            if proposal.state == "rejected":
                body = env._("Rejected by %(manager)s. %(comment)s", **values)
            elif proposal.kind == "demotion":
                body = env._(
                    "Accepted by %(manager)s: demoted, the targets scaled from "
                    "%(month)s on. %(comment)s",
                    month=proposal.effective_month.strftime("%Y-%m"),
                    **values,
                )
            else:
                body = env._("Dismissal accepted by %(manager)s. %(comment)s", **values)
            proposal.message_post(body=body.strip(), subtype_xmlid="mail.mt_note")
            activities = proposal.activity_ids.filtered(
                lambda a, t=activity_type: a.activity_type_id == t
            )
            mine = activities.filtered(lambda a: a.user_id == self.env.user)
            mine.action_feedback(feedback=proposal.decision_note or False)
            (activities - mine).unlink()

    # ---- the monthly check --------------------------------------------------------
    @api.model
    def _ka_cron_propose(self, today=None):
        """Monthly: look at last month's results of the full-time salespeople
        and propose the consequences; once per person and month, whenever it
        runs again."""
        today = today or fields.Date.context_today(self)
        month = today.replace(day=1) - relativedelta(months=1)
        return self.sudo()._ka_propose(month)

    @api.model
    def _ka_propose(self, month):
        """The proposals for ``month`` (its first day), as superuser."""
        first = month - relativedelta(months=BELOW_TARGET_MONTHS - 1)
        end = month + relativedelta(months=1)
        # one proposal per person and month: those who have theirs are done
        done = self.search([("month", "=", month)]).user_id
        users = (
            self.env["res.users"].search(
                [
                    ("share", "=", False),
                    ("ka_commission_plan_id.salesperson_kind", "=", "full_time"),
                ]
            )
            - done
        )
        Target = self.env["key_account.commission.target"]
        months = [first + relativedelta(months=n) for n in range(BELOW_TARGET_MONTHS)]
        proposals = self.browse()
        for company, members in users.grouped("company_id").items():
            sales = members._ka_sales_by_month(first, end, company)
            targets = Target._ka_effective_targets_by_month(
                members, first, month, companies=company
            )
            minimum = company.ka_commission_minimum
            vals_list = []
            for user in members:
                status = user.ka_commission_status or "regular"
                below = [
                    targets.get((user.id, m))
                    and sales.get((user.id, m), 0.0) < targets[(user.id, m)]
                    for m in months
                ]
                below_target = all(below)
                below_minimum = (
                    status == "regular"
                    and minimum > 0
                    and sales.get((user.id, month), 0.0) < minimum
                )
                if not (below_target or below_minimum):
                    continue
                kind = "demotion" if status == "regular" else "dismissal"
                deciders = self._ka_deciders(user, company)
                vals_list.append(
                    {
                        "manager_id": deciders[:1].id,
                        "user_id": user.id,
                        "kind": kind,
                        "month": month,
                        "company_id": company.id,
                        "status_before": status,
                        "below_minimum": below_minimum,
                        "below_target": below_target,
                        "sales_amount": sales.get((user.id, month), 0.0),
                        "target_amount": targets.get((user.id, month), 0.0),
                        "minimum_amount": minimum,
                    }
                )
            created = self.with_context(mail_create_nolog=True).create(vals_list)
            for proposal in created:
                proposal._ka_ask_managers(months, sales, targets)
            proposals |= created
        return proposals

    @api.model
    def _ka_deciders(self, user, company):
        """Who is asked to decide on a proposal about ``user`` in
        ``company``: the leader of their sales team when a Key Account
        manager, else the company's Key Account managers (never ``user``)."""

        def fit(candidate):
            return (
                candidate.active
                and candidate != user
                and not candidate.share
                and company in candidate.company_ids
                and candidate.has_group(KA_MANAGER)
            )

        teams = (
            self.env["crm.team.member"]
            .search([("user_id", "=", user.id)], order="id")
            .crm_team_id
        )
        leaders = teams.user_id.filtered(fit)
        if leaders:
            return leaders[:1]
        return self.env.ref(KA_MANAGER).users.filtered(fit).sorted("id")

    def _ka_figures(self, env, months, sales, targets):
        """The figures of the proposal, one sentence a month, in ``env``'s
        language."""
        self.ensure_one()
        currency = self.currency_id
        lines = []
        for m in months:
            target = targets.get((self.user_id.id, m))
            sold = format_amount(env, sales.get((self.user_id.id, m), 0.0), currency)
            if target:
                lines.append(
                    env._(
                        "%(month)s: sales %(sales)s, target %(target)s.",
                        month=m.strftime("%Y-%m"),
                        sales=sold,
                        target=format_amount(env, target, currency),
                    )
                )
            else:
                lines.append(
                    env._(
                        "%(month)s: sales %(sales)s, no target.",
                        month=m.strftime("%Y-%m"),
                        sales=sold,
                    )
                )
        if self.below_minimum:
            lines.append(
                env._(
                    "The monthly minimum is %(minimum)s.",
                    minimum=format_amount(env, self.minimum_amount, currency),
                )
            )
        return "\n".join(lines)

    def _ka_ask_managers(self, months, sales, targets):
        """The figures, and an activity for each decider, in their language."""
        self.ensure_one()
        deciders = self._ka_deciders(self.user_id, self.company_id)
        self.figures = self._ka_figures(
            env_for(self.env, deciders[:1]), months, sales, targets
        )
        for manager in deciders:
            env = env_for(self.env, manager)
            if self.kind == "demotion":
                summary = env._(
                    "Decide on the demotion of %(user)s", user=self.user_id.name
                )
            else:
                summary = env._(
                    "Decide on the dismissal of %(user)s", user=self.user_id.name
                )
            self.activity_schedule(
                "key_account.mail_activity_type_commission_proposal",
                user_id=manager.id,
                summary=summary,
                note=Markup("<br/>").join(
                    self._ka_figures(env, months, sales, targets).split("\n")
                ),
            )
