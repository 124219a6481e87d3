from collections import defaultdict
from datetime import datetime
from datetime import time

from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools import split_every

from ..common.bulk import insert_rows
from ..common.groups import KA_MANAGER
from ..common.key_account_guard_mixin import trusted_write
from ..common.settings import days_setting
from ..profile.accounts import KEY_ACCOUNT_DOMAIN_STR

# the figures of a review: computed by the module (refresh, cron), never
# written by a client
FIGURE_FIELDS = frozenset(
    {
        "sales",
        "margin",
        "margin_share",
        "previous_sales",
        "previous_margin",
        "previous_margin_share",
        "satisfaction",
        "satisfaction_count",
        "open_complaint_count",
        "engagement_cost",
        "health_score",
        "computed_date",
    }
)

# the quarterly cron makes the reviews of this many accounts at a time: their
# figures in a few grouped queries, their drafts in one create
REVIEW_BATCH = 10_000


# days after the quarter's end by which its reviews are signed (Settings)
DEFAULT_REVIEW_DUE_DAYS = 30


def quarter_start(day):
    """The first day of the quarter of ``day``."""
    return day.replace(month=day.month - (day.month - 1) % 3, day=1)


class KeyAccountReview(models.Model):
    """The quarterly review of a key account: its sales, margin and profit
    share against the previous quarter (and its plan, when one is kept),
    satisfaction, open complaints and engagement cost; the owner's comment
    and the manager's sign-off. The reviews of an account are its trend."""

    _name = "key_account.review"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "key_account.workflow.mixin",
        "key_account.number.mixin",
    ]
    _description = "Key Account Quarterly Review"
    _order = "date_from desc, partner_id"
    _check_company_auto = True

    _ka_workflow_fields = frozenset(
        {"state", "signed_by_id", "signed_date", "submitted_date"} | FIGURE_FIELDS
    )
    _ka_open_states = ("draft",)
    _ka_lock_all = False

    name = fields.Char(compute="_compute_name", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Key Account",
        required=True,
        index=True,
        check_company=True,
        domain=KEY_ACCOUNT_DOMAIN_STR,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        required=True,
        index=True,
        help="The owner of the key account when the review was made: writes "
        "the comment and submits it.",
    )
    date_from = fields.Date(string="Quarter Start", required=True, index=True)
    date_to = fields.Date(string="Quarter End", compute="_compute_name", store=True)
    quarter = fields.Char(compute="_compute_name", store=True)
    state = fields.Selection(
        [("draft", "Draft"), ("submitted", "To Sign"), ("signed", "Signed")],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    # ---- the figures (company currency) ----------------------------------------------
    sales = fields.Monetary(readonly=True, aggregator="sum")
    margin = fields.Monetary(readonly=True, aggregator="sum")
    margin_share = fields.Float(
        string="Profit Share (%)",
        digits=(5, 2),
        readonly=True,
        aggregator="avg",
        help="The account's margin of the quarter as a share of the company's.",
    )
    previous_sales = fields.Monetary(string="Sales, Previous Quarter", readonly=True)
    previous_margin = fields.Monetary(string="Margin, Previous Quarter", readonly=True)
    previous_margin_share = fields.Float(
        string="Profit Share, Previous Quarter (%)", digits=(5, 2), readonly=True
    )
    sales_change = fields.Float(
        string="Sales Change (%)",
        digits=(6, 1),
        compute="_compute_changes",
        help="Against the previous quarter; empty without previous sales.",
    )
    margin_change = fields.Float(
        string="Margin Change (%)", digits=(6, 1), compute="_compute_changes"
    )
    satisfaction = fields.Float(
        string="Satisfaction (1-5)",
        digits=(3, 1),
        readonly=True,
        aggregator="avg",
        help="Average score of the feedback rated in the quarter.",
    )
    satisfaction_count = fields.Integer(string="Scores", readonly=True)
    open_complaint_count = fields.Integer(
        string="Open Complaints",
        readonly=True,
        help="Complaints received by the end of the quarter and not answered by then.",
    )
    engagement_cost = fields.Monetary(
        readonly=True,
        help="Actual expenses of visits and receptions, and gifts handed out, in "
        "the quarter.",
    )
    health_score = fields.Integer(
        string="Health", readonly=True, help="The account's health when computed."
    )
    computed_date = fields.Date(string="Figures Of", readonly=True)
    # ---- against the plan (kept by the account plans, when installed) ------------
    has_plan = fields.Boolean(compute="_compute_plan")
    plan_sales = fields.Monetary(string="Planned Sales", compute="_compute_plan")
    plan_margin = fields.Monetary(string="Planned Margin", compute="_compute_plan")
    # ---- the people ----------------------------------------------------------
    owner_comment = fields.Text(
        string="Owner's Comment", help="What happened, why, and what comes next."
    )
    manager_comment = fields.Text(string="Manager's Comment")
    submitted_date = fields.Date(readonly=True, copy=False)
    signed_by_id = fields.Many2one("res.users", readonly=True)
    signed_date = fields.Date(readonly=True, copy=False)
    deadline = fields.Date(
        string="Sign By",
        compute="_compute_deadline",
        store=True,
        help="The quarter's last day plus the days of Settings (Quarterly review "
        "signed within), as they were when the review was made.",
    )
    on_time = fields.Boolean(
        string="Signed On Time",
        compute="_compute_on_time",
        store=True,
        help="Signed by its deadline.",
    )

    _sql_constraints = [
        (
            "quarter_unique",
            "UNIQUE(partner_id, company_id, date_from)",
            "A key account has one review per quarter.",
        ),
    ]

    @api.depends("partner_id", "date_from")
    def _compute_name(self):
        for review in self:
            review.update(
                self._ka_name_values(review.partner_id.name, review.date_from)
            )

    @api.depends("date_to")
    def _compute_deadline(self):
        days = days_setting(
            self.env, "key_account.review_due_days", DEFAULT_REVIEW_DUE_DAYS
        )
        for review in self:
            review.deadline = review.date_to and review.date_to + relativedelta(
                days=days
            )

    @api.depends("signed_date", "deadline")
    def _compute_on_time(self):
        for review in self:
            review.on_time = bool(
                review.signed_date
                and review.deadline
                and review.signed_date <= review.deadline
            )

    @api.model
    def _ka_name_values(self, account_name, date_from):
        """The name, quarter and last day of the review of the account named
        ``account_name`` for the quarter of ``date_from``."""
        start = date_from and quarter_start(date_from)
        quarter = (start and f"{start.year} Q{(start.month - 1) // 3 + 1}") or ""
        return {
            "date_to": start and start + relativedelta(months=3, days=-1),
            "quarter": quarter,
            "name": self._ka_name(account_name, quarter),
        }

    @api.model
    def _ka_name(self, account_name, quarter):
        return self.env._(
            "%(account)s, %(quarter)s", account=account_name or "", quarter=quarter
        )

    @api.depends("sales", "previous_sales", "margin", "previous_margin")
    def _compute_changes(self):
        for review in self:
            review.sales_change = (
                100 * (review.sales - review.previous_sales) / review.previous_sales
                if review.previous_sales
                else 0.0
            )
            review.margin_change = (
                100 * (review.margin - review.previous_margin) / review.previous_margin
                if review.previous_margin > 0
                else 0.0
            )

    def _compute_plan(self):
        targets = self._ka_review_plan_targets()
        for review in self:
            plan = targets.get(review.id, {})
            review.has_plan = bool(plan)
            review.plan_sales = plan.get("sales", 0.0)
            review.plan_margin = plan.get("margin", 0.0)

    def _ka_review_plan_targets(self):
        """{review id: {'sales': amount, 'margin': amount}}: the targets of the
        approved (or closed) account plan covering each review's quarter, for
        the days of the quarter in the plan's period (a quarter of a one-year
        plan: about a quarter of its targets). Reviews without a plan: none."""
        reviews = self.filtered(lambda r: r.partner_id and r.date_from and r.date_to)
        if not reviews:
            return {}
        plans = (
            self.env["key_account.plan"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", reviews.partner_id.ids),
                    ("state", "in", ("approved", "closed")),
                    ("date_from", "<=", max(reviews.mapped("date_to"))),
                    ("date_to", ">=", min(reviews.mapped("date_from"))),
                ]
            )
        )
        targets = {}
        for review in reviews:
            for plan in plans:
                if (
                    plan.partner_id != review.partner_id
                    or plan.company_id != review.company_id
                    or not plan.date_from <= review.date_from <= plan.date_to
                ):
                    continue
                end = min(review.date_to, plan.date_to)
                share = ((end - review.date_from).days + 1) / (
                    (plan.date_to - plan.date_from).days + 1
                )
                amounts = dict.fromkeys(("sales", "margin"), 0.0)
                for objective in plan.objective_ids:
                    if objective.measure in amounts:
                        amounts[objective.measure] += objective.target_amount * share
                targets[review.id] = {
                    measure: review.currency_id.round(amount)
                    for measure, amount in amounts.items()
                }
                break
        return targets

    # ---- guards --------------------------------------------------------------
    def _ka_locked_fields(self):
        return {"partner_id", "company_id", "user_id", "date_from", "owner_comment"}

    def _ka_locked_message(self, record, what=None):
        return self.env._(
            "%(review)s is submitted: only a manager can reset it to draft.",
            review=record.name,
        )

    def _ka_is_manager(self):
        return self.env.su or self.env.user.has_group(KA_MANAGER)

    @api.model_create_multi
    def create(self, vals_list):
        if not self._ka_is_manager():
            raise AccessError(
                self.env._(
                    "Reviews are made by the quarterly schedule or the account's "
                    "Quarterly Review button."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            if "manager_comment" in vals:
                if not self._ka_is_manager():
                    raise AccessError(
                        self.env._("Only Key Account managers comment as manager.")
                    )
                if self.filtered(lambda r: r.state == "signed"):
                    raise UserError(self.env._("A signed review can no longer change."))
            if vals.keys() & {"partner_id", "company_id", "user_id", "date_from"} and (
                not self._ka_is_manager()
            ):
                raise AccessError(
                    self.env._(
                        "Only Key Account managers change the account, owner or "
                        "quarter of a review."
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_signed(self):
        if self.filtered(lambda r: r.state != "draft"):
            raise UserError(self.env._("Only draft reviews can be deleted."))

    # ---- actions -------------------------------------------------------------
    def _ka_check_owner(self):
        if self._ka_is_manager():
            return
        others = self.filtered(lambda r: r.user_id != self.env.user)
        if others:
            raise AccessError(
                self.env._(
                    "%(review)s is not yours: the account's owner does it.",
                    review=others[0].name,
                )
            )

    def action_refresh(self):
        """Button: recompute the figures of draft reviews."""
        self._ka_check_owner()
        if self.filtered(lambda r: r.state != "draft"):
            raise UserError(
                self.env._("Only the figures of a draft review can be refreshed.")
            )
        self._ka_compute_figures()
        return True

    def action_submit(self):
        self._ka_check_owner()
        for review in self:
            if review.state != "draft":
                raise UserError(
                    self.env._("%(review)s is already submitted.", review=review.name)
                )
            if not (review.owner_comment or "").strip():
                raise UserError(
                    self.env._(
                        "%(review)s: write your comment before submitting it.",
                        review=review.name,
                    )
                )
        self._ka_workflow_write(
            {"state": "submitted", "submitted_date": fields.Date.context_today(self)}
        )
        return True

    def action_sign(self):
        if not self.env.user.has_group(KA_MANAGER):
            raise AccessError(
                self.env._("Only Key Account managers sign quarterly reviews.")
            )
        for review in self:
            if review.state != "submitted":
                raise UserError(
                    self.env._(
                        "%(review)s is not waiting for a signature.",
                        review=review.name,
                    )
                )
            if review.user_id == self.env.user:
                raise AccessError(
                    self.env._(
                        "%(review)s is your own: another manager signs it.",
                        review=review.name,
                    )
                )
        self._ka_workflow_write(
            {
                "state": "signed",
                "signed_by_id": self.env.uid,
                "signed_date": fields.Date.context_today(self),
            }
        )
        return True

    def action_reset_draft(self):
        if not self.env.user.has_group(KA_MANAGER):
            raise AccessError(
                self.env._("Only Key Account managers reset a review to draft.")
            )
        signed = self.filtered(lambda r: r.state != "submitted")
        if signed:
            raise UserError(
                self.env._(
                    "%(review)s is not waiting for a signature: only a submitted "
                    "review goes back to draft (a signed review is closed).",
                    review=signed[0].name,
                )
            )
        self._ka_workflow_write(
            {"state": "draft", "signed_by_id": False, "signed_date": False}
        )
        return True

    # ---- making reviews ------------------------------------------------------
    @api.model
    def _ka_cron_quarterly_reviews(self):
        """After each quarter: a draft review of the quarter just ended for
        every active key account with an owner, in its process company."""
        today = fields.Date.context_today(self)
        start = quarter_start(today) - relativedelta(months=3)
        accounts = self.env["res.partner"].search(
            [("ka_type_id", "!=", False), ("user_id", "!=", False)]
        )
        return self._ka_make_reviews(accounts, start, bulk=True)

    @api.model
    def _ka_make_reviews(self, accounts, start, bulk=False):
        """The reviews of ``accounts`` for the quarter starting ``start``:
        the existing ones, and new drafts (figures computed) for the others.
        Set-based: the figures of a batch of accounts (``REVIEW_BATCH``)
        in a few grouped queries, its drafts in one create.

        With ``bulk`` (the scheduled action, which follows no review), a
        batch's drafts are written with one INSERT
        (:func:`~..common.bulk.insert_rows`) rather than a create, whose
        conversions record by record cost a hundred times more.

        :return: the reviews
        """
        Review = self.sudo()
        scheduler_id = self.env["res.partner"]._ka_scheduler_company_id()
        existing = Review.search(
            [("partner_id", "in", accounts.ids), ("date_from", "=", start)]
        )
        existing.fetch(["partner_id", "company_id"])
        have = {(r.partner_id.id, r.company_id.id) for r in existing}
        # each account's process company and owner: one query
        self.env["res.partner"].flush_model(["company_id", "user_id", "name"])
        self.env.cr.execute(
            SQL(
                """
                SELECT id, COALESCE(company_id, %s), user_id, name
                  FROM res_partner
                 WHERE id = ANY(%s) AND user_id IS NOT NULL
                """,
                scheduler_id,
                accounts.ids,
            )
        )
        owned = {pid: row for pid, *row in self.env.cr.fetchall()}
        # the quarter's name and end, once
        quarter = Review._ka_name_values("", start)
        vals_list = []
        for account_id in accounts.ids:
            if account_id not in owned:
                continue
            company_id, user_id, name = owned[account_id]
            if (account_id, company_id) in have:
                continue
            have.add((account_id, company_id))
            vals_list.append(
                {
                    "partner_id": account_id,
                    "company_id": company_id,
                    "user_id": user_id,
                    "date_from": start,
                    # computed here, not by an UPDATE of every new review
                    **quarter,
                    "name": Review._ka_name(name, quarter["quarter"]),
                }
            )
        created_ids = []
        currencies = {
            company.id: company.currency_id.id
            for company in self.env["res.company"]
            .sudo()
            .browse({vals["company_id"] for vals in vals_list})
        }
        # no creation log: written by a scheduled action, it would read in
        # its language, not the owner's
        Create = Review.with_context(mail_create_nolog=True)
        # the companies' margins, once for every batch
        company_margin = Review._ka_company_margins(currencies, start)
        for batch in split_every(REVIEW_BATCH, vals_list, list):
            figures = Review._ka_quarter_figures(
                [(vals["partner_id"], vals["company_id"]) for vals in batch],
                start,
                company_margin=company_margin,
            )
            # the figures are the module's: written with the draft, as its
            # refresh writes them (trusted); a figure of 0 left empty, as
            # before (averages in the lists leave empty figures out)
            batch = [
                {
                    **vals,
                    **{
                        fname: value
                        for fname, value in figures[
                            (vals["partner_id"], vals["company_id"])
                        ].items()
                        if value
                    },
                }
                for vals in batch
            ]
            if bulk:
                created = insert_rows(
                    Review, batch, lambda vals: currencies[vals["company_id"]]
                )
            else:
                with trusted_write():
                    created = Create.create(batch)
            # their name, quarter and end are in the values (the computation's
            # own function): not computed again, not written a second time
            for fname in ("name", "quarter", "date_to"):
                self.env.remove_to_compute(Review._fields[fname], created)
            created_ids += created.ids
            created.flush_recordset()
        return (existing | Review.browse(created_ids)).with_env(self.env)

    def _ka_compute_figures(self):
        """Compute the figures of these reviews: a few grouped queries for
        all of them, per quarter."""
        for start, reviews in self.sudo().grouped("date_from").items():
            reviews._ka_compute_quarter(start)

    def _ka_compute_quarter(self, start):
        figures = self._ka_quarter_figures(
            [(review.partner_id.id, review.company_id.id) for review in self], start
        )
        for review in self:
            review._ka_workflow_write(
                figures[(review.partner_id.id, review.company_id.id)]
            )

    @api.model
    def _ka_company_margins(self, company_ids, start):
        """The margins of the companies ``company_ids`` in the quarter of
        ``start`` and in the previous one, the profit shares' denominators:
        {(company id, of the quarter itself): margin}."""
        start = quarter_start(start)
        self.env["sale.order"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT so.company_id, so.date_order >= %(start)s,
                       SUM(COALESCE(so.margin, 0)
                           / COALESCE(NULLIF(so.currency_rate, 0), 1))
                  FROM sale_order so
                 WHERE so.state = 'sale' AND so.company_id = ANY(%(companies)s)
                   AND so.date_order >= %(previous)s AND so.date_order < %(end)s
              GROUP BY 1, 2
                """,
                start=datetime.combine(start, time.min),
                previous=datetime.combine(start - relativedelta(months=3), time.min),
                end=datetime.combine(start + relativedelta(months=3), time.min),
                companies=sorted(company_ids),
            )
        )
        return {
            (company_id, current): float(margin or 0)
            for company_id, current, margin in self.env.cr.fetchall()
        }

    @api.model
    def _ka_quarter_figures(self, keys, start, company_margin=None):
        """The figures of the reviews of the quarter of ``start`` of the
        ``keys`` (key account id, company id), as values to write: one
        grouped query per figure for all of them. ``company_margin``: what
        :meth:`_ka_company_margins` gives for their companies, when the
        caller read it already (for several batches).

        :return: {(partner id, company id): values}
        """
        start = quarter_start(start)
        end = start + relativedelta(months=3)
        previous = start - relativedelta(months=3)
        start_dt = datetime.combine(start, time.min)
        end_dt = datetime.combine(end, time.min)
        partner_ids = sorted({partner_id for partner_id, _company in keys})
        company_ids = sorted({company_id for _partner, company_id in keys})
        for model in (
            "sale.order",
            "key_account.feedback",
            "key_account.expense",
            "key_account.gift",
            "key_account.health",
        ):
            self.env[model].flush_model()
        cr = self.env.cr
        # sales and margin of the quarter and of the previous one
        cr.execute(
            SQL(
                """
                SELECT so.ka_commercial_partner_id, so.company_id,
                       so.date_order >= %(start)s AS current,
                       SUM(so.amount_untaxed
                           / COALESCE(NULLIF(so.currency_rate, 0), 1)),
                       SUM(COALESCE(so.margin, 0)
                           / COALESCE(NULLIF(so.currency_rate, 0), 1))
                  FROM sale_order so
                  JOIN (SELECT DISTINCT partner_id, company_id
                          FROM unnest(%(partners)s::int[], %(companies)s::int[])
                               AS k(partner_id, company_id)) k
                    ON k.partner_id = so.ka_commercial_partner_id
                   AND k.company_id = so.company_id
                 WHERE so.state = 'sale'
                   AND so.date_order >= %(previous)s AND so.date_order < %(end)s
              GROUP BY 1, 2, 3
                """,
                start=start_dt,
                previous=datetime.combine(previous, time.min),
                end=end_dt,
                partners=[partner_id for partner_id, _company in keys],
                companies=[company_id for _partner, company_id in keys],
            )
        )
        figures = defaultdict(lambda: [0.0, 0.0])
        for partner_id, company_id, current, sales, margin in cr.fetchall():
            figures[(partner_id, company_id, current)] = [
                float(sales or 0),
                float(margin or 0),
            ]
        if company_margin is None:
            company_margin = self._ka_company_margins(company_ids, start)
        # satisfaction: the feedback rated in the quarter
        cr.execute(
            SQL(
                """
                SELECT partner_id, company_id, AVG(satisfaction), COUNT(*)
                  FROM key_account_feedback
                 WHERE partner_id = ANY(%s) AND satisfaction > 0
                   AND received_date >= %s AND received_date < %s
              GROUP BY 1, 2
                """,
                partner_ids,
                start_dt,
                end_dt,
            )
        )
        scores = {(p, c): (avg, count) for p, c, avg, count in cr.fetchall()}
        # complaints received by the end of the quarter, unanswered by then
        cr.execute(
            SQL(
                """
                SELECT partner_id, company_id, COUNT(*)
                  FROM key_account_feedback
                 WHERE partner_id = ANY(%(partners)s)
                   AND feedback_type = 'complaint' AND received_date < %(end)s
                   AND (answered_date IS NULL OR answered_date >= %(end)s)
              GROUP BY 1, 2
                """,
                partners=partner_ids,
                end=end_dt,
            )
        )
        complaints = {(p, c): count for p, c, count in cr.fetchall()}
        # engagement cost: the actual expenses and the gifts handed out
        cost = defaultdict(float)
        cr.execute(
            SQL(
                """
                SELECT partner_id, company_id, SUM(amount)
                  FROM (SELECT partner_id, company_id, amount
                          FROM key_account_expense
                         WHERE partner_id = ANY(%(ids)s) AND kind = 'actual'
                           AND date >= %(start)s AND date < %(end)s
                     UNION ALL
                        SELECT partner_id, company_id, amount_planned
                          FROM key_account_gift
                         WHERE partner_id = ANY(%(ids)s)
                           AND state IN ('done', 'closed')
                           AND delivered_date >= %(start)s
                           AND delivered_date < %(end)s) spent
              GROUP BY 1, 2
                """,
                ids=partner_ids,
                start=start,
                end=end,
            )
        )
        for partner_id, company_id, amount in cr.fetchall():
            cost[(partner_id, company_id)] += amount or 0.0
        # the accounts' health when computed
        cr.execute(
            SQL(
                "SELECT partner_id, score FROM key_account_health "
                "WHERE partner_id = ANY(%s)",
                partner_ids,
            )
        )
        health = {partner_id: score or 0 for partner_id, score in cr.fetchall()}
        today = fields.Date.context_today(self)
        result = {}
        for key in keys:
            partner_id, company_id = key
            sales, margin = figures[(*key, True)]
            prev_sales, prev_margin = figures[(*key, False)]
            total = company_margin.get((company_id, True), 0.0)
            prev_total = company_margin.get((company_id, False), 0.0)
            avg, count = scores.get(key, (0.0, 0))
            result[key] = {
                "sales": sales,
                "margin": margin,
                "margin_share": round(100 * margin / total, 2) if total > 0 else 0,
                "previous_sales": prev_sales,
                "previous_margin": prev_margin,
                "previous_margin_share": (
                    round(100 * prev_margin / prev_total, 2) if prev_total > 0 else 0
                ),
                "satisfaction": avg or 0.0,
                "satisfaction_count": count,
                "open_complaint_count": complaints.get(key, 0),
                "engagement_cost": cost.get(key, 0.0),
                "health_score": health.get(partner_id, 0),
                "computed_date": today,
            }
        return result
