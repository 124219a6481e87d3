from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..common.groups import KA_MANAGER
from ..common.groups import KA_USER
from ..common.lang import env_for

BELOW_TARGET_MONTHS = 3
COMMISSION_STATUSES = [
    ("regular", "Regular"),
    ("probation", "On Probation"),
    ("demoted", "Demoted"),
]
# what a Key Account manager sets on a salesperson's user (Commissions >
# Salespeople) without the Administration rights the user form needs
COMMISSION_FIELDS = frozenset({"ka_commission_plan_id", "ka_commission_status"})


class ResUsers(models.Model):
    _inherit = "res.users"

    # how a salesperson is paid, and whether they fall behind: for Key
    # Account managers; each salesperson sees their own plan and status in
    # the ka_my_* fields (their preferences); not copied, so that a user
    # administrator who is no Key Account manager duplicates a user
    ka_commission_plan_id = fields.Many2one(
        "key_account.commission.plan",
        string="Commission Plan",
        groups="key_account.group_key_account_manager",
        copy=False,
    )
    ka_commission_status = fields.Selection(
        COMMISSION_STATUSES,
        string="Salesperson Status",
        default="regular",
        groups="key_account.group_key_account_manager",
        copy=False,
        help="Scales the salesperson's targets by the factor set in Settings.",
    )
    ka_below_target = fields.Boolean(
        string="Below Target 3 Months",
        compute="_compute_ka_below_target",
        groups="key_account.group_key_account_manager",
        help="Confirmed sales below the target (x the status factor) in each "
        "of the last three complete months: on probation this means "
        "dismissal, otherwise demotion.",
    )
    ka_commission_proposal_ids = fields.One2many(
        "key_account.commission.proposal",
        "user_id",
        string="Demotions and Dismissals",
        groups="key_account.group_key_account_manager",
        help="The proposals made about the salesperson and what was decided.",
    )
    ka_my_commission_plan_id = fields.Many2one(
        "key_account.commission.plan",
        string="My Commission Plan",
        compute="_compute_ka_my_commission",
        groups="key_account.group_key_account_user",
        help="The plan you are paid on (set by a Key Account manager).",
    )
    ka_my_commission_status = fields.Selection(
        COMMISSION_STATUSES,
        string="My Salesperson Status",
        compute="_compute_ka_my_commission",
        groups="key_account.group_key_account_user",
        help="Scales your targets (set by a Key Account manager).",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return [
            *super().SELF_READABLE_FIELDS,
            "ka_my_commission_plan_id",
            "ka_my_commission_status",
        ]

    # ---- a Key Account manager gives salespeople their plan and status ---------------
    def write(self, vals):
        if (
            vals
            and set(vals) <= COMMISSION_FIELDS
            and not self.env.su
            and not self.env.user.has_group("base.group_erp_manager")
            and self.env.user.has_group(KA_MANAGER)
        ):
            self._ka_check_commission_assignment(vals)
            # checked: written as superuser, a manager cannot write users
            return self.sudo().write(vals)
        return super().write(vals)

    def _ka_check_commission_assignment(self, vals):
        """A Key Account manager sets the plan and status of the salespeople
        of their companies, not their own, and a plan of their company."""
        manager = self.env.user
        if manager in self:
            raise AccessError(
                self.env._(
                    "You do not set your own commission plan or status: another "
                    "Key Account manager does."
                )
            )
        for user in self:
            if (
                user.share
                or not user.has_group(KA_USER)
                or not user.company_ids & manager.company_ids
            ):
                raise AccessError(
                    self.env._(
                        "%(user)s is not a Key Account salesperson of your "
                        "companies: you cannot set their commission plan or status.",
                        user=user.name,
                    )
                )
        plan = self.env["key_account.commission.plan"].browse(
            vals.get("ka_commission_plan_id")
        )
        if plan:
            plan.check_access("read")
            for user in self:
                if plan.company_id and plan.company_id not in user.company_ids:
                    raise UserError(
                        self.env._(
                            "%(plan)s is a commission plan of %(company)s, a "
                            "company %(user)s does not work for.",
                            plan=plan.display_name,
                            company=plan.company_id.name,
                            user=user.name,
                        )
                    )

    @api.depends_context("uid")
    @api.depends("ka_commission_plan_id", "ka_commission_status")
    def _compute_ka_my_commission(self):
        """One's own plan and status, empty on anybody else's user."""
        for user in self:
            own = user._origin == self.env.user
            data = user.sudo()
            user.ka_my_commission_plan_id = own and data.ka_commission_plan_id
            user.ka_my_commission_status = own and data.ka_commission_status

    def _compute_ka_below_target(self):
        today = fields.Date.context_today(self)
        first = today.replace(day=1) - relativedelta(months=BELOW_TARGET_MONTHS)
        end = today.replace(day=1)
        Target = self.env["key_account.commission.target"]
        targets = Target._ka_effective_targets_by_month(
            self, first, end - relativedelta(days=1)
        )
        sales = self._ka_sales_by_month(first, end, self.env.companies)
        below = {}
        for (uid, month), amount in targets.items():
            if amount and sales.get((uid, month), 0.0) < amount:
                below[uid] = below.get(uid, 0) + 1
        for user in self:
            user.ka_below_target = below.get(user.id, 0) >= BELOW_TARGET_MONTHS

    def _ka_sales_by_month(self, first, end, companies):
        """{(user id, first day of the month): confirmed untaxed sales in
        company currency} of these users in ``companies`` for the months in
        [first, end)."""
        self.env["sale.order"].flush_model(
            [
                "state",
                "user_id",
                "company_id",
                "date_order",
                "amount_untaxed",
                "currency_rate",
            ]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT so.user_id, date_trunc('month', so.date_order)::date,
                       SUM(so.amount_untaxed
                           / COALESCE(NULLIF(so.currency_rate, 0), 1))
                  FROM sale_order so
                 WHERE so.state = 'sale' AND so.user_id = ANY(%(users)s)
                   AND so.company_id = ANY(%(companies)s)
                   AND so.date_order >= %(first)s AND so.date_order < %(end)s
                 GROUP BY 1, 2
                """,
                users=self.ids,
                companies=companies.ids,
                first=first,
                end=end,
            )
        )
        return {(uid, month): amount for uid, month, amount in self.env.cr.fetchall()}

    # ---- part-timers: no sale for three calendar months ends the cooperation ---------
    @api.model
    def _ka_cron_end_part_time_cooperation(self, today=None):
        """Daily: the part-timers without a sale in the three calendar months
        before this one (their approved leaves not counted; never sold: since
        their user was made) no longer cooperate: their key accounts go back
        to the company's pool, and later sales of those customers are the
        company's (:meth:`key_account.commission.settlement._ka_ended_orders`).
        Returns the part-timers whose cooperation ended."""
        today = today or fields.Date.context_today(self)
        month = today.replace(day=1)
        part_timers = self.sudo().search(
            [
                ("share", "=", False),
                ("ka_commission_plan_id.salesperson_kind", "=", "part_time"),
            ]
        )
        if not part_timers:
            return part_timers
        # their sales in any company
        companies = self.env["res.company"].sudo().search([])
        Settlement = (
            self.env["key_account.commission.settlement"]
            .sudo()
            .with_context(allowed_company_ids=companies.ids)
        )
        sold = Settlement._ka_sale_months(part_timers, today)
        leaves = self.env["key_account.commission.leave"]._ka_leave_months(part_timers)
        ended = part_timers.browse()
        for user in part_timers:
            months = sold.get(user.id, set())
            if month in months:
                continue
            started = months | {user.create_date.date().replace(day=1)}
            if Settlement._ka_inactive_in(
                started, month, leave=leaves.get(user.id, frozenset())
            ):
                ended |= user
        return ended.filtered(lambda user: user._ka_end_cooperation())

    def _ka_end_cooperation(self):
        """This part-timer's key accounts go back to the pool, a move 'End
        of Cooperation' told in their language; whether there were any."""
        self.ensure_one()
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("user_id", "=", self.id), ("ka_type_id", "!=", False)])
        )
        if not partners:
            return False
        partners._ka_pool_move(
            self.env["res.users"],
            "ended",
            reason=env_for(self.env, self)._(
                "No sale in %(months)s calendar months: the part-timer's "
                "cooperation ended, the account goes back to the company.",
                months=BELOW_TARGET_MONTHS,
            ),
        )
        return True
