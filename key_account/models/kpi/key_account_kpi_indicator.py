from collections import defaultdict
from datetime import datetime
from datetime import time

from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL

DEFAULT_CHURN_MONTHS = 3
DEFAULT_CHURN_LOOKBACK_MONTHS = 12


class KeyAccountKpiIndicator(models.Model):
    """An indicator of the KPI catalogue.

    Each indicator is computed by a method ``_kpi_<code>(users, date_from,
    date_to)`` that runs ONE grouped query for all the users and returns
    ``{user_id: {"value": float, "has_data": bool, "model": str,
    "domain": list}}`` (the records behind the value), or ``None`` when the
    indicator is not available (its data comes from a module part not
    installed).
    """

    _name = "key_account.kpi.indicator"
    _inherit = ["key_account.number.mixin"]
    _description = "KPI Indicator"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Technical code: the indicator is computed by the method _kpi_<code>.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(
        string="Computation",
        translate=True,
        help="How the value is computed, from which records.",
    )
    unit = fields.Selection(
        [
            ("percent", "%"),
            ("count", "Count"),
            ("amount", "Amount"),
            ("score", "Score"),
        ],
        required=True,
        default="percent",
    )
    higher_is_better = fields.Boolean(
        default=True,
        help="Unticked for indicators such as churn or complaints, where "
        "reaching the target means staying at or below it.",
    )
    is_available = fields.Boolean(
        string="Available",
        compute="_compute_is_available",
        help="Whether the records this indicator is computed from exist in "
        "this database.",
    )

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "The code of an indicator must be unique."),
    ]

    def _compute_is_available(self):
        for indicator in self:
            method = getattr(self, f"_kpi_{indicator.code}", None)
            indicator.is_available = bool(method) and not getattr(
                method, "_kpi_unavailable", False
            )

    # ------------------------------------------------------------------------
    # entry point
    # ------------------------------------------------------------------------
    def _kpi_compute(self, users, date_from, date_to):
        """Values of this indicator for ``users`` over [date_from, date_to].

        :return: ``{user_id: {...}}`` for every user (missing users get a zero
            value without data), or ``None`` when not available
        """
        self.ensure_one()
        method = getattr(self, f"_kpi_{self.code}", None)
        if method is None:
            return None
        results = method(users, date_from, date_to)
        if results is None:
            return None
        # for a count, no row means a measured zero; for a ratio or an
        # average, nothing to measure
        empty = {
            "value": 0.0,
            "has_data": self.unit == "count",
            "model": False,
            "domain": [],
        }
        return {user.id: results.get(user.id, empty) for user in users}

    # ------------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------------
    @staticmethod
    def _kpi_bounds(date_from, date_to):
        """The period as naive UTC datetimes [start, end)."""
        return (
            datetime.combine(date_from, time.min),
            datetime.combine(date_to + relativedelta(days=1), time.min),
        )

    @staticmethod
    def _kpi_ratio(numerator, denominator):
        """numerator ÷ denominator in %, 0 when there is nothing to divide."""
        return 100.0 * numerator / denominator if denominator else 0.0

    def _kpi_company_ids(self):
        return self.env.companies.ids

    def _kpi_order_domain(self, user_id, date_from, date_to):
        start, end = self._kpi_bounds(date_from, date_to)
        return [
            ("state", "=", "sale"),
            ("user_id", "=", user_id),
            ("company_id", "in", self._kpi_company_ids()),
            ("date_order", ">=", start),
            ("date_order", "<", end),
        ]

    def _kpi_sales_by_user(self, users, date_from, date_to, extra=None):
        """Confirmed sales in company currency per salesperson, one query.

        :return: {user_id: (untaxed amount, margin, order count)}
        """
        self.env["sale.order"].flush_model(
            ["state", "user_id", "company_id", "date_order", "amount_untaxed"]
        )
        self.env["sale.order"].flush_model(["currency_rate", "margin"])
        start, end = self._kpi_bounds(date_from, date_to)
        self.env.cr.execute(
            SQL(
                """
                SELECT so.user_id,
                       SUM(so.amount_untaxed
                           / COALESCE(NULLIF(so.currency_rate, 0), 1)),
                       SUM(COALESCE(so.margin, 0)
                           / COALESCE(NULLIF(so.currency_rate, 0), 1)),
                       COUNT(*)
                  FROM sale_order so
                 WHERE so.state = 'sale'
                   AND so.user_id = ANY(%(users)s)
                   AND so.company_id = ANY(%(companies)s)
                   AND so.date_order >= %(start)s
                   AND so.date_order < %(end)s
              GROUP BY so.user_id
                """,
                users=users.ids,
                companies=self._kpi_company_ids(),
                start=start,
                end=end,
            )
        )
        return {
            user_id: (amount or 0.0, margin or 0.0, count)
            for user_id, amount, margin, count in self.env.cr.fetchall()
        }

    @api.model
    def _kpi_churn_months(self):
        """(months without order, months looked back), from Settings."""
        icp = self.env["ir.config_parameter"].sudo()
        months = int(icp.get_param("key_account.churn_months") or DEFAULT_CHURN_MONTHS)
        lookback = int(
            icp.get_param("key_account.churn_lookback_months")
            or DEFAULT_CHURN_LOOKBACK_MONTHS
        )
        return months, lookback

    def _kpi_account_last_orders(self, users, date_to):
        """For the key accounts of ``users`` that ordered in the look-back
        window before the period end, the last order before the end.

        :return: {user_id: {partner_id: last order datetime}}
        """
        months, lookback = self._kpi_churn_months()
        _start, end = self._kpi_bounds(date_to, date_to)
        self.env["sale.order"].flush_model(
            ["state", "ka_commercial_partner_id", "company_id", "date_order"]
        )
        self.env["res.partner"].flush_model(["user_id", "ka_type_id", "active"])
        self.env.cr.execute(
            SQL(
                """
                SELECT p.user_id, p.id, MAX(so.date_order)
                  FROM res_partner p
                  JOIN sale_order so ON so.ka_commercial_partner_id = p.id
                 WHERE p.ka_type_id IS NOT NULL
                   AND p.active
                   AND p.user_id = ANY(%(users)s)
                   AND so.state = 'sale'
                   AND so.company_id = ANY(%(companies)s)
                   AND so.date_order < %(end)s
                   AND so.date_order >= %(since)s
              GROUP BY p.user_id, p.id
                """,
                users=users.ids,
                companies=self._kpi_company_ids(),
                end=end,
                since=end - relativedelta(months=lookback),
            )
        )
        result = defaultdict(dict)
        for user_id, partner_id, last in self.env.cr.fetchall():
            result[user_id][partner_id] = last
        return result, end - relativedelta(months=months)

    # ------------------------------------------------------------------------
    # the catalogue
    # ------------------------------------------------------------------------
    def _kpi_sales_plan(self, users, date_from, date_to):
        """Sales-plan completion in %: confirmed sales (untaxed, company
        currency) ÷ the monthly targets of the period x the factor of the
        salesperson's status. Users without a target have no data."""
        targets = self.env["key_account.commission.target"]._ka_effective_targets(
            users, date_from, date_to
        )
        sales = self._kpi_sales_by_user(users, date_from, date_to)
        return {
            user_id: {
                "value": self._kpi_ratio(sales.get(user_id, (0.0,))[0], target),
                "has_data": bool(target),
                "model": "sale.order",
                "domain": self._kpi_order_domain(user_id, date_from, date_to),
            }
            for user_id, target in targets.items()
        }

    def _kpi_expense_ratio(self, users, date_from, date_to):
        """Sales-expense ratio: actual engagement expenses (visits and
        receptions) dated in the period ÷ confirmed sales, in %."""
        sales = self._kpi_sales_by_user(users, date_from, date_to)
        domain = [
            ("kind", "=", "actual"),
            ("user_id", "in", users.ids),
            ("company_id", "in", self._kpi_company_ids()),
            ("date", ">=", date_from),
            ("date", "<=", date_to),
        ]
        expenses = {
            user.id: amount
            for user, amount in self.env["key_account.expense"]
            .sudo()
            ._read_group(domain, ["user_id"], ["amount:sum"])
        }
        results = {}
        for user_id in set(sales) | set(expenses):
            amount = sales.get(user_id, (0.0,))[0]
            results[user_id] = {
                "value": self._kpi_ratio(expenses.get(user_id, 0.0), amount),
                "has_data": bool(amount or expenses.get(user_id)),
                "model": "key_account.expense",
                "domain": [
                    ("user_id", "=", user_id) if d[0] == "user_id" else d
                    for d in domain
                ],
            }
        return results

    def _kpi_followup(self, users, date_from, date_to):
        """Follow-up adherence: follow-ups done ÷ due by the grade cadence over
        the period, in %, on the key accounts the salesperson owns.

        Due: for each account, the period's days divided by its grade's days
        between contacts (and between visits), rounded up. Done: the done
        contacts (activities of types counting as contact, on the account or
        its contacts) and visits done in the period, each kind capped at what
        was due; a visit counts as a contact too.
        """
        days = (date_to - date_from).days + 1
        # the cadence of the grade that drives it (the account's company's)
        owned = self.env["res.partner"].sudo()._ka_owned_accounts(users)
        accounts = self.env["res.partner"].sudo().browse(list(owned))
        start, end = self._kpi_bounds(date_from, date_to)
        people = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search_fetch(
                [("commercial_partner_id", "in", accounts.ids)],
                ["commercial_partner_id"],
            )
        )
        company_of = {p.id: p.commercial_partner_id.id for p in people}
        contacts = defaultdict(int)
        for res_id, count in (
            self.env["mail.message"]
            .sudo()
            ._read_group(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "in", people.ids),
                    ("mail_activity_type_id.ka_counts_as_contact", "=", True),
                    ("date", ">=", start),
                    ("date", "<", end),
                ],
                ["res_id"],
                ["__count"],
            )
        ):
            contacts[company_of[res_id]] += count
        visits = {
            partner.id: count
            for partner, count in self.env["key_account.visit"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", accounts.ids),
                    ("state", "in", ("done", "closed")),
                    ("actual_date", ">=", date_from),
                    ("actual_date", "<=", date_to),
                ],
                ["partner_id"],
                ["__count"],
            )
        }
        due = defaultdict(int)
        done = defaultdict(int)
        for account in accounts:
            user_id, grade = owned[account.id]
            account_visits = visits.get(account.id, 0)
            for interval, count in (
                (grade.contact_interval_days, contacts[account.id] + account_visits),
                (grade.visit_interval_days, account_visits),
            ):
                if interval > 0:
                    expected = -(-days // interval)
                    due[user_id] += expected
                    done[user_id] += min(count, expected)
        return {
            user_id: {
                "value": self._kpi_ratio(done[user_id], due[user_id]),
                "has_data": True,
                "model": "res.partner",
                "domain": [("ka_type_id", "!=", False), ("user_id", "=", user_id)],
            }
            for user_id in due
        }

    def _kpi_sales_growth(self, users, date_from, date_to):
        """Growth of confirmed sales (untaxed, company currency) over the same
        period a year before, in %. From nothing to something counts 100%."""
        prev_from = date_from - relativedelta(years=1)
        prev_to = date_to - relativedelta(years=1)
        start, end = self._kpi_bounds(date_from, date_to)
        prev_start, prev_end = self._kpi_bounds(prev_from, prev_to)
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
                SELECT so.user_id,
                       SUM(CASE WHEN so.date_order >= %(start)s
                                THEN so.amount_untaxed
                                     / COALESCE(NULLIF(so.currency_rate, 0), 1)
                                ELSE 0 END),
                       SUM(CASE WHEN so.date_order < %(prev_end)s
                                THEN so.amount_untaxed
                                     / COALESCE(NULLIF(so.currency_rate, 0), 1)
                                ELSE 0 END)
                  FROM sale_order so
                 WHERE so.state = 'sale'
                   AND so.user_id = ANY(%(users)s)
                   AND so.company_id = ANY(%(companies)s)
                   AND ((so.date_order >= %(start)s AND so.date_order < %(end)s)
                     OR (so.date_order >= %(prev_start)s
                         AND so.date_order < %(prev_end)s))
              GROUP BY so.user_id
                """,
                users=users.ids,
                companies=self._kpi_company_ids(),
                start=start,
                end=end,
                prev_start=prev_start,
                prev_end=prev_end,
            )
        )
        results = {}
        for user_id, current, previous in self.env.cr.fetchall():
            if previous:
                value = 100.0 * (current - previous) / previous
            else:
                value = 100.0 if current > 0 else 0.0
            results[user_id] = {
                "value": value,
                "has_data": True,
                "model": "sale.order",
                "domain": [
                    ("state", "=", "sale"),
                    ("user_id", "=", user_id),
                    ("company_id", "in", self._kpi_company_ids()),
                    "|",
                    "&",
                    ("date_order", ">=", start),
                    ("date_order", "<", end),
                    "&",
                    ("date_order", ">=", prev_start),
                    ("date_order", "<", prev_end),
                ],
            }
        return results

    def _kpi_gross_margin(self, users, date_from, date_to):
        """Gross margin of the confirmed orders ÷ their untaxed amount, in %."""
        sales = self._kpi_sales_by_user(users, date_from, date_to)
        return {
            user_id: {
                "value": self._kpi_ratio(margin, amount),
                "has_data": bool(amount),
                "model": "sale.order",
                "domain": self._kpi_order_domain(user_id, date_from, date_to),
            }
            for user_id, (amount, margin, _count) in sales.items()
        }

    def _kpi_churn(self, users, date_from, date_to):
        """Key accounts of the salesperson that ordered in the look-back window
        (12 months) before the period end but not in its last months (3)."""
        last_orders, threshold = self._kpi_account_last_orders(users, date_to)
        results = {}
        for user_id, accounts in last_orders.items():
            churned = [pid for pid, last in accounts.items() if last < threshold]
            results[user_id] = {
                "value": float(len(churned)),
                "has_data": True,
                "model": "res.partner",
                "domain": [("id", "in", churned)],
            }
        return results

    def _kpi_churn_rate(self, users, date_from, date_to):
        """Churned key accounts ÷ key accounts that ordered in the look-back
        window before the period end, in %."""
        last_orders, threshold = self._kpi_account_last_orders(users, date_to)
        results = {}
        for user_id, accounts in last_orders.items():
            churned = [pid for pid, last in accounts.items() if last < threshold]
            results[user_id] = {
                "value": self._kpi_ratio(len(churned), len(accounts)),
                "has_data": bool(accounts),
                "model": "res.partner",
                "domain": [("id", "in", list(accounts))],
            }
        return results

    def _kpi_new_accounts(self, users, date_from, date_to):
        """Companies of the salesperson that became key accounts in the
        period (Key Account Since) and still are."""
        domain = [
            ("ka_type_id", "!=", False),
            ("ka_since", ">=", date_from),
            ("ka_since", "<=", date_to),
            ("user_id", "in", users.ids),
        ]
        groups = (
            self.env["res.partner"].sudo()._read_group(domain, ["user_id"], ["__count"])
        )
        return {
            user.id: {
                "value": float(count),
                "has_data": True,
                "model": "res.partner",
                "domain": [*domain[:3], ("user_id", "=", user.id)],
            }
            for user, count in groups
        }

    def _kpi_dev_plan(self, users, date_from, date_to):
        """Development plans of the salesperson within the period: done ÷
        planned (new key accounts and visits, each capped at its plan), in %."""
        domain = [
            ("user_id", "in", users.ids),
            ("date_from", ">=", date_from),
            ("date_to", "<=", date_to),
        ]
        plans = self.env["key_account.development.plan"].sudo().search(domain)
        totals = defaultdict(lambda: [0, 0])
        for plan in plans:
            planned = plan.planned_new_accounts + plan.planned_visits
            done = min(plan.done_new_accounts, plan.planned_new_accounts) + min(
                plan.done_visits, plan.planned_visits
            )
            totals[plan.user_id.id][0] += done
            totals[plan.user_id.id][1] += planned
        return {
            user_id: {
                "value": self._kpi_ratio(done, planned),
                "has_data": bool(planned),
                "model": "key_account.development.plan",
                "domain": [*domain[1:], ("user_id", "=", user_id)],
            }
            for user_id, (done, planned) in totals.items()
        }

    def _kpi_completeness(self, users, date_from, date_to):
        """Average file completeness of the salesperson's key accounts (their
        current state: files are not historised)."""
        domain = [("ka_type_id", "!=", False), ("user_id", "in", users.ids)]
        groups = (
            self.env["res.partner"]
            .sudo()
            ._read_group(domain, ["user_id"], ["ka_file_completeness:avg"])
        )
        return {
            user.id: {
                "value": avg or 0.0,
                "has_data": True,
                "model": "res.partner",
                "domain": [domain[0], ("user_id", "=", user.id)],
            }
            for user, avg in groups
        }

    def _kpi_feedback_domain(self, users, date_from, date_to, date_field):
        start, end = self._kpi_bounds(date_from, date_to)
        return [
            ("user_id", "in", users.ids),
            ("company_id", "in", self._kpi_company_ids()),
            (date_field, ">=", start),
            (date_field, "<", end),
        ]

    def _kpi_complaints(self, users, date_from, date_to):
        """Valid complaints (our fault) received in the period."""
        domain = [
            ("feedback_type", "=", "complaint"),
            ("is_valid", "=", True),
            *self._kpi_feedback_domain(users, date_from, date_to, "received_date"),
        ]
        groups = (
            self.env["key_account.feedback"]
            .sudo()
            ._read_group(domain, ["user_id"], ["__count"])
        )
        return {
            user.id: {
                "value": float(count),
                "has_data": True,
                "model": "key_account.feedback",
                "domain": [*domain[:2], ("user_id", "=", user.id), *domain[4:]],
            }
            for user, count in groups
        }

    def _kpi_feedback_timeliness(self, users, date_from, date_to):
        """Feedback due in the period answered in time ÷ feedback due, in %."""
        domain = self._kpi_feedback_domain(users, date_from, date_to, "answer_due")
        groups = (
            self.env["key_account.feedback"]
            .sudo()
            ._read_group(domain, ["user_id", "answered_in_time"], ["__count"])
        )
        totals = defaultdict(lambda: [0, 0])
        for user, in_time, count in groups:
            totals[user.id][1] += count
            if in_time:
                totals[user.id][0] += count
        return {
            user_id: {
                "value": self._kpi_ratio(done, due),
                "has_data": bool(due),
                "model": "key_account.feedback",
                "domain": [("user_id", "=", user_id), *domain[1:]],
            }
            for user_id, (done, due) in totals.items()
        }

    def _kpi_satisfaction(self, users, date_from, date_to):
        """Average satisfaction (1-5) of the rated feedback received in the
        period."""
        domain = [
            ("satisfaction", ">", 0),
            *self._kpi_feedback_domain(users, date_from, date_to, "received_date"),
        ]
        groups = (
            self.env["key_account.feedback"]
            .sudo()
            ._read_group(domain, ["user_id"], ["satisfaction:avg"])
        )
        return {
            user.id: {
                "value": avg or 0.0,
                "has_data": True,
                "model": "key_account.feedback",
                "domain": [domain[0], ("user_id", "=", user.id), *domain[2:]],
            }
            for user, avg in groups
        }
