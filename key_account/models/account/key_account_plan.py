from collections import defaultdict
from datetime import datetime
from datetime import time

from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..common.groups import KA_MANAGER
from ..common.key_account_workflow_mixin import FREE_PREFIXES
from ..common.lang import env_for

PERIODS = [("year", "One year"), ("three_years", "Three years")]
PERIOD_YEARS = {"year": 1, "three_years": 3}
# the figures frozen when a plan closes (written by the workflow only)
CLOSED_FIELDS = frozenset(
    {
        "closed_date",
        "closed_used_visits",
        "closed_used_receptions",
        "closed_used_gifts",
        "closed_visits_done",
        "closed_progress",
    }
)


class KeyAccountPlan(models.Model):
    """The management plan of a key account for a period of one or three
    years: objectives measured from the database, resources (the account's
    team, budgets for visits, receptions and gifts), strategy and service.
    Approved through the approval chain (its budget selects the levels),
    closed at the end of its period with its results frozen."""

    _name = "key_account.plan"
    _inherit = ["key_account.approval.mixin"]
    _description = "Key Account Plan"
    _order = "date_from desc, id desc"
    _check_company_auto = True
    _ka_document_type = "plan"
    # the account's plan outlives its owner: it goes to their successor
    _ka_cancelled_without_owner = ()
    _ka_workflow_fields = (
        frozenset({"state", "submitted_date", "submitted_by_id"}) | CLOSED_FIELDS
    )

    period_type = fields.Selection(
        PERIODS, string="Period", required=True, default="year", tracking=True
    )
    date_from = fields.Date(
        string="Start",
        required=True,
        tracking=True,
        default=lambda self: fields.Date.context_today(self).replace(month=1, day=1),
    )
    date_to = fields.Date(
        string="End", compute="_compute_date_to", store=True, index=True
    )
    objective_ids = fields.One2many(
        "key_account.plan.objective", "plan_id", string="Objectives", copy=True
    )
    team_member_ids = fields.One2many(
        related="partner_id.ka_team_member_ids", string="Account Team"
    )
    budget_visits = fields.Monetary(string="Visits Budget", tracking=True)
    budget_receptions = fields.Monetary(string="Receptions Budget", tracking=True)
    budget_gifts = fields.Monetary(string="Gifts Budget", tracking=True)
    amount_planned = fields.Monetary(
        string="Total Budget",
        compute="_compute_amount_planned",
        store=True,
        help="Selects the approval levels of the plan.",
    )
    strategy = fields.Html(string="Sales Strategy")
    service_notes = fields.Html(string="Customer Service")
    # what the period did so far (frozen at the close)
    used_visits = fields.Monetary(string="Spent on Visits", compute="_compute_results")
    used_receptions = fields.Monetary(
        string="Spent on Receptions", compute="_compute_results"
    )
    used_gifts = fields.Monetary(string="Spent on Gifts", compute="_compute_results")
    used_total = fields.Monetary(string="Budget Used", compute="_compute_results")
    visits_done = fields.Integer(compute="_compute_results")
    progress = fields.Float(
        string="% Done",
        compute="_compute_results",
        digits=(16, 1),
        help="The average of the objectives' % done, each counted up to 100%.",
    )
    is_current = fields.Boolean(
        string="Current", compute="_compute_is_current", search="_search_is_current"
    )
    closed_date = fields.Date(string="Closed On", readonly=True, copy=False)
    closed_used_visits = fields.Monetary(readonly=True, copy=False)
    closed_used_receptions = fields.Monetary(readonly=True, copy=False)
    closed_used_gifts = fields.Monetary(readonly=True, copy=False)
    closed_visits_done = fields.Integer(readonly=True, copy=False)
    closed_progress = fields.Float(readonly=True, copy=False, digits=(16, 1))

    @api.depends("name", "partner_id", "date_from", "date_to")
    def _compute_display_name(self):
        for plan in self:
            plan.display_name = self.env._(
                "%(number)s %(account)s (%(start)s - %(end)s)",
                number=plan.name or "",
                account=plan.partner_id.name or "",
                start=plan.date_from or "",
                end=plan.date_to or "",
            )

    @api.depends("date_from", "period_type")
    def _compute_date_to(self):
        for plan in self:
            plan.date_to = plan.date_from and (
                plan.date_from
                + relativedelta(years=PERIOD_YEARS[plan.period_type or "year"], days=-1)
            )

    @api.depends("budget_visits", "budget_receptions", "budget_gifts")
    def _compute_amount_planned(self):
        for plan in self:
            plan.amount_planned = (
                plan.budget_visits + plan.budget_receptions + plan.budget_gifts
            )

    @api.depends_context("tz")
    @api.depends("date_from", "date_to", "state")
    def _compute_is_current(self):
        today = fields.Date.context_today(self)
        for plan in self:
            plan.is_current = bool(
                plan.state not in ("cancelled", "refused")
                and plan.date_from
                and plan.date_from <= today <= plan.date_to
            )

    def _search_is_current(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(self.env._("Unsupported search on current plans."))
        today = fields.Date.context_today(self)
        current = [
            ("state", "not in", ("cancelled", "refused")),
            ("date_from", "<=", today),
            ("date_to", ">=", today),
        ]
        return current if (operator == "=") == value else ["!", *current]

    # ---- constraints -----------------------------------------------------------------
    @api.constrains(
        "partner_id",
        "company_id",
        "date_from",
        "date_to",
        "budget_visits",
        "budget_receptions",
        "budget_gifts",
        "state",
    )
    def _check_period(self):
        for plan in self:
            if min(plan.budget_visits, plan.budget_receptions, plan.budget_gifts) < 0:
                raise ValidationError(
                    self.env._(
                        "Plan %(plan)s: a budget cannot be negative.", plan=plan.name
                    )
                )
            if plan.state == "cancelled":
                continue
            other = self.sudo().search(
                [
                    ("id", "!=", plan.id),
                    ("partner_id", "=", plan.partner_id.id),
                    ("company_id", "=", plan.company_id.id),
                    ("state", "!=", "cancelled"),
                    ("date_from", "<=", plan.date_to),
                    ("date_to", ">=", plan.date_from),
                ],
                limit=1,
            )
            if other:
                raise ValidationError(
                    self.env._(
                        "%(account)s already has the plan %(other)s from %(start)s "
                        "to %(end)s: the periods of an account's plans may not "
                        "overlap (%(plan)s runs from %(plan_start)s to "
                        "%(plan_end)s).",
                        account=plan.partner_id.display_name,
                        other=other.name,
                        start=other.date_from,
                        end=other.date_to,
                        plan=plan.name,
                        plan_start=plan.date_from,
                        plan_end=plan.date_to,
                    )
                )

    # ---- figures from the database ---------------------------------------------------
    @api.depends(
        "state",
        "partner_id",
        "company_id",
        "date_from",
        "date_to",
        "objective_ids.percent",
    )
    def _compute_results(self):
        closed = self.filtered(lambda p: p.state == "closed")
        for plan in closed:
            plan.used_visits = plan.closed_used_visits
            plan.used_receptions = plan.closed_used_receptions
            plan.used_gifts = plan.closed_used_gifts
            plan.visits_done = plan.closed_visits_done
            plan.progress = plan.closed_progress
        live = (self - closed).filtered(lambda p: p.partner_id and p.date_from)
        spent = live._ka_spent()
        for plan in live:
            figures = spent[plan]
            plan.used_visits = figures["visits"]
            plan.used_receptions = figures["receptions"]
            plan.used_gifts = figures["gifts"]
            plan.visits_done = figures["visits_done"]
            plan.progress = plan._ka_progress()
        for plan in self - closed - live:
            plan.used_visits = plan.used_receptions = plan.used_gifts = 0.0
            plan.visits_done = 0
            plan.progress = plan._ka_progress()
        for plan in self:
            plan.used_total = plan.used_visits + plan.used_receptions + plan.used_gifts

    def _ka_progress_only(self):
        """The plan's progress (its ``progress``) without the budget figures
        computed with it: what the account's form shows of its current plan.
        0 for no plan."""
        if not self:
            return 0.0
        self.ensure_one()
        return self.closed_progress if self.state == "closed" else self._ka_progress()

    def _ka_progress(self):
        self.ensure_one()
        percents = [min(p, 100.0) for p in self.objective_ids.mapped("percent")]
        return sum(percents) / len(percents) if percents else 0.0

    def _ka_bounds(self):
        """The period as naive UTC datetimes [start, end) (as the KPIs)."""
        self.ensure_one()
        return (
            datetime.combine(self.date_from, time.min),
            datetime.combine(self.date_to + relativedelta(days=1), time.min),
        )

    def _ka_plans_sql(self):
        """SQL: the plans of ``self`` as rows ``p(id, partner_id, company_id,
        date_from, date_to, start, stop)``, ``id`` being the plan's index in
        ``self`` (a plan being edited in a form has no id yet)."""
        rows = [(plan, *plan._ka_bounds()) for plan in self]
        return SQL(
            """
            SELECT * FROM unnest(%s::int[], %s::int[], %s::int[], %s::date[],
                                 %s::date[], %s::timestamp[], %s::timestamp[])
                       AS p(id, partner_id, company_id, date_from, date_to,
                            start, stop)
            """,
            list(range(len(rows))),
            [plan.partner_id.id for plan, *_ in rows],
            [plan.company_id.id for plan, *_ in rows],
            [plan.date_from for plan, *_ in rows],
            [plan.date_to for plan, *_ in rows],
            [start for _plan, start, _stop in rows],
            [stop for _plan, _start, stop in rows],
        )

    def _ka_spent(self):
        """What each plan's account cost in the period, in the plan's company:
        the actual expenses of its visits and receptions, the gifts handed
        out, and the visits done. One query for all the plans.

        :return: {plan: {"visits", "receptions", "gifts", "visits_done"}}
        """
        result = defaultdict(
            lambda: {"visits": 0.0, "receptions": 0.0, "gifts": 0.0, "visits_done": 0}
        )
        if not self:
            return result
        self.env["key_account.expense"].flush_model(
            ["kind", "date", "partner_id", "company_id", "visit_id", "amount"]
        )
        self.env["key_account.gift"].flush_model(
            ["state", "delivered_date", "partner_id", "company_id", "amount_planned"]
        )
        self.env["key_account.visit"].flush_model(
            ["state", "actual_date", "partner_id", "company_id"]
        )
        self.env.cr.execute(
            SQL(
                """
                WITH p AS (%(plans)s)
                SELECT p.id,
                       (SELECT COALESCE(SUM(e.amount), 0) FROM key_account_expense e
                         WHERE e.kind = 'actual' AND e.visit_id IS NOT NULL
                           AND e.partner_id = p.partner_id
                           AND e.company_id = p.company_id
                           AND e.date BETWEEN p.date_from AND p.date_to),
                       (SELECT COALESCE(SUM(e.amount), 0) FROM key_account_expense e
                         WHERE e.kind = 'actual' AND e.visit_id IS NULL
                           AND e.partner_id = p.partner_id
                           AND e.company_id = p.company_id
                           AND e.date BETWEEN p.date_from AND p.date_to),
                       (SELECT COALESCE(SUM(g.amount_planned), 0)
                          FROM key_account_gift g
                         WHERE g.state IN ('done', 'closed')
                           AND g.partner_id = p.partner_id
                           AND g.company_id = p.company_id
                           AND g.delivered_date BETWEEN p.date_from AND p.date_to),
                       (SELECT COUNT(*) FROM key_account_visit v
                         WHERE v.state IN ('done', 'closed')
                           AND v.partner_id = p.partner_id
                           AND v.company_id = p.company_id
                           AND v.actual_date BETWEEN p.date_from AND p.date_to)
                  FROM p
                """,
                plans=self._ka_plans_sql(),
            )
        )
        for index, visits, receptions, gifts, done in self.env.cr.fetchall():
            result[self[index]] = {
                "visits": visits,
                "receptions": receptions,
                "gifts": gifts,
                "visits_done": done,
            }
        return result

    def _ka_sales(self):
        """Each plan's account's confirmed sales in the period, in the plan's
        company and its currency: untaxed amount, margin (``sale_margin``),
        the products and the product categories sold in the period and never
        before. One query for all the plans.

        :return: {plan: {"sales", "margin", "new_products", "new_categories"}}
        """
        result = defaultdict(
            lambda: {
                "sales": 0.0,
                "margin": 0.0,
                "new_products": 0,
                "new_categories": 0,
            }
        )
        if not self:
            return result
        self.env["sale.order"].flush_model(
            ["ka_commercial_partner_id", "company_id", "state", "date_order"]
        )
        self.env["sale.order"].flush_model(["currency_rate"])
        self.env["sale.order.line"].flush_model(
            ["order_id", "product_id", "display_type", "price_subtotal", "margin"]
        )
        self.env.cr.execute(
            SQL(
                """
                WITH p AS (%(plans)s),
                l AS (
                    SELECT p.id AS plan_id,
                           sol.product_id,
                           pt.categ_id,
                           so.date_order >= p.start AS in_period,
                           sol.price_subtotal
                               / COALESCE(NULLIF(so.currency_rate, 0), 1) AS amount,
                           COALESCE(sol.margin, 0)
                               / COALESCE(NULLIF(so.currency_rate, 0), 1) AS margin
                      FROM p
                      JOIN sale_order so
                        ON so.ka_commercial_partner_id = p.partner_id
                       AND so.company_id = p.company_id
                       AND so.state = 'sale'
                       AND so.date_order < p.stop
                      JOIN sale_order_line sol
                        ON sol.order_id = so.id AND sol.display_type IS NULL
                      LEFT JOIN product_product pp ON pp.id = sol.product_id
                      LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
                ),
                prod AS (
                    SELECT plan_id, product_id,
                           bool_or(in_period) AS now, bool_or(NOT in_period) AS before
                      FROM l WHERE product_id IS NOT NULL
                  GROUP BY plan_id, product_id
                ),
                cat AS (
                    SELECT plan_id, categ_id,
                           bool_or(in_period) AS now, bool_or(NOT in_period) AS before
                      FROM l WHERE categ_id IS NOT NULL
                  GROUP BY plan_id, categ_id
                )
                SELECT p.id,
                       (SELECT COALESCE(SUM(amount), 0) FROM l
                         WHERE l.plan_id = p.id AND l.in_period),
                       (SELECT COALESCE(SUM(margin), 0) FROM l
                         WHERE l.plan_id = p.id AND l.in_period),
                       (SELECT COUNT(*) FROM prod
                         WHERE prod.plan_id = p.id AND prod.now AND NOT prod.before),
                       (SELECT COUNT(*) FROM cat
                         WHERE cat.plan_id = p.id AND cat.now AND NOT cat.before)
                  FROM p
                """,
                plans=self._ka_plans_sql(),
            )
        )
        for index, sales, margin, products, categories in self.env.cr.fetchall():
            plan = self[index]
            currency = plan.currency_id
            result[plan] = {
                "sales": currency.round(sales),
                "margin": currency.round(margin),
                "new_products": products,
                "new_categories": categories,
            }
        return result

    # ---- workflow --------------------------------------------------------------------
    def _ka_locked_fields(self):
        return super()._ka_locked_fields() | {
            "period_type",
            "date_from",
            "budget_visits",
            "budget_receptions",
            "budget_gifts",
        }

    def _ka_locked_message(self, record, what=None):
        if record.state == "closed":
            return self.env._(
                "%(doc)s is closed: its results are kept as they were at the end "
                "of its period.",
                doc=record.display_name,
            )
        return super()._ka_locked_message(record, what)

    def _ka_check_open(self, fnames=None):
        # a closed plan is the record of its period: nothing changes
        closed = self.filtered(lambda r: r.state == "closed")
        if closed and (
            fnames is None or any(not f.startswith(FREE_PREFIXES) for f in fnames)
        ):
            raise UserError(self._ka_locked_message(closed[0]))
        return super()._ka_check_open(fnames)

    def _ka_check_submit(self):
        if not self.objective_ids:
            raise UserError(
                self.env._(
                    "Plan %(plan)s has no objective: set at least one before "
                    "submitting it.",
                    plan=self.name,
                )
            )

    def action_done(self):
        raise UserError(
            self.env._(
                "An account plan is not marked done: it runs until the end of its "
                "period and is then closed with its results."
            )
        )

    def action_close(self):
        """Close approved plans now, freezing their results (the daily cron
        closes them at the end of their period): Key Account managers."""
        if not (self.env.su or self.env.user.has_group(KA_MANAGER)):
            raise AccessError(self.env._("Only Key Account managers close plans."))
        for plan in self:
            if plan.state != "approved":
                raise UserError(
                    self.env._(
                        "%(doc)s must be approved before it is closed.",
                        doc=plan.display_name,
                    )
                )
        self._ka_close()
        return True

    def _ka_close(self):
        """Freeze the results of the plans and close them."""
        today = fields.Date.context_today(self)
        self.objective_ids._ka_freeze()
        for plan in self:
            plan._ka_workflow_write(
                {
                    "closed_date": today,
                    "closed_used_visits": plan.used_visits,
                    "closed_used_receptions": plan.used_receptions,
                    "closed_used_gifts": plan.used_gifts,
                    "closed_visits_done": plan.visits_done,
                    "closed_progress": plan.progress,
                    "state": "closed",
                }
            )
            # for the plan's owner, in their language
            plan.message_post(
                body=env_for(self.env, plan.user_id)._(
                    "Plan closed at the end of its period: %(progress)s%% done.",
                    progress=round(plan.closed_progress, 1),
                )
            )

    @api.model
    def _ka_cron_close_plans(self):
        """Daily: close the approved plans whose period ended.

        :return: the plans closed
        """
        today = fields.Date.context_today(self)
        plans = self.search([("state", "=", "approved"), ("date_to", "<", today)])
        for company, company_plans in plans.grouped("company_id").items():
            company_plans.with_company(company)._ka_close()
        return plans

    # ---- printing --------------------------------------------------------------------
    def _ka_report_approvals(self):
        """The approved lines of the latest submission: who signs the plan
        beside its owner."""
        self.ensure_one()
        return (
            self.sudo()
            ._ka_current_round()
            .filtered_domain([("state", "=", "approved")])
        )

    def _ka_report_members(self):
        """The account team for the report (read as the plan's reader may)."""
        self.ensure_one()
        return self.partner_id.ka_team_member_ids
