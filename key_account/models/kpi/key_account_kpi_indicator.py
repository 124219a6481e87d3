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
    def _kpi_compute(self, users, date_from, date_to, scope="own"):
        """Values of this indicator for ``users`` over [date_from, date_to].

        :param scope: ``"own"``: each user's own records; ``"department"``:
            the records of the department each user is appraised over
            (:meth:`res.users._ka_appraisal_departments`), summed before the
            ratio is taken
        :return: ``{user_id: {...}}`` for every user (missing users get a zero
            value without data), or ``None`` when not available
        """
        self.ensure_one()
        method = getattr(self, f"_kpi_{self.code}", None)
        if method is None:
            return None
        members = None
        if scope == "department":
            members = users._ka_appraisal_departments(self._kpi_company_ids())
        results = method(users, date_from, date_to, members=members)
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

    def _kpi_order_domain(self, user_ids, date_from, date_to):
        start, end = self._kpi_bounds(date_from, date_to)
        return [
            ("state", "=", "sale"),
            ("user_id", "in", user_ids),
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

    @staticmethod
    def _kpi_scope(users, members):
        """``{appraised user id: [user ids measured]}``: each user alone, or
        the department given by :meth:`_kpi_compute`."""
        if members is None:
            return {user.id: [user.id] for user in users}
        return members

    @staticmethod
    def _kpi_measured(scope):
        """All the users whose records are read, once."""
        return sorted({uid for ids in scope.values() for uid in ids})

    @staticmethod
    def _kpi_sum(scope, per_user):
        """Sum the tuples of figures ``per_user`` (``{user_id: tuple}``) over
        each appraised user's scope.

        :return: ``{appraised id: list of sums}`` for the appraised users
            with a row
        """
        totals = {}
        for appraised_id, ids in scope.items():
            rows = [per_user[uid] for uid in ids if uid in per_user]
            if rows:
                totals[appraised_id] = [sum(col) for col in zip(*rows, strict=True)]
        return totals

    # ------------------------------------------------------------------------
    # the catalogue
    # ------------------------------------------------------------------------
    def _kpi_sales_plan(self, users, date_from, date_to, members=None):
        """Sales-plan completion in %: confirmed sales (untaxed, company
        currency) ÷ the monthly targets of the period x the factor of the
        salesperson's status, summed over the scope. Nobody with a target:
        no data."""
        scope = self._kpi_scope(users, members)
        measured = self.env["res.users"].browse(self._kpi_measured(scope))
        targets = self.env["key_account.commission.target"]._ka_effective_targets(
            measured, date_from, date_to
        )
        sales = self._kpi_sales_by_user(measured, date_from, date_to)
        results = {}
        for appraised_id, ids in scope.items():
            target = sum(targets.get(uid, 0.0) for uid in ids)
            if not target:
                continue
            amount = sum(sales.get(uid, (0.0,))[0] for uid in ids)
            results[appraised_id] = {
                "value": self._kpi_ratio(amount, target),
                "has_data": True,
                "model": "sale.order",
                "domain": self._kpi_order_domain(ids, date_from, date_to),
            }
        return results

    def _kpi_expense_ratio(self, users, date_from, date_to, members=None):
        """Sales-expense ratio: actual engagement expenses (visits and
        receptions) dated in the period ÷ confirmed sales, in %."""
        scope = self._kpi_scope(users, members)
        measured = self._kpi_measured(scope)
        sales = self._kpi_sales_by_user(
            self.env["res.users"].browse(measured), date_from, date_to
        )
        domain = [
            ("kind", "=", "actual"),
            ("user_id", "in", measured),
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
        for appraised_id, ids in scope.items():
            amount = sum(sales.get(uid, (0.0,))[0] for uid in ids)
            spent = sum(expenses.get(uid, 0.0) for uid in ids)
            if not (amount or spent):
                continue
            results[appraised_id] = {
                "value": self._kpi_ratio(spent, amount),
                "has_data": True,
                "model": "key_account.expense",
                "domain": [
                    ("user_id", "in", ids) if d[0] == "user_id" else d for d in domain
                ],
            }
        return results

    def _kpi_expense_saving(self, users, date_from, date_to, members=None):
        """Expense-saving rate in %: (planned - actual) ÷ planned engagement
        spending of the period. Planned: the approved plan of the visits and
        receptions done in the period (visit date, reception date) and the
        value of the gifts handed out in it; actual: their actual expenses
        (a gift's value is its actual cost). Overspending gives a negative
        rate."""
        scope = self._kpi_scope(users, members)
        measured = self._kpi_measured(scope)
        start, end = self._kpi_bounds(date_from, date_to)
        common = [
            ("user_id", "in", measured),
            ("company_id", "in", self._kpi_company_ids()),
            ("state", "in", ("done", "closed")),
        ]
        per_user = defaultdict(lambda: [0.0, 0.0])
        sources = (
            (
                "key_account.visit",
                [("actual_date", ">=", date_from), ("actual_date", "<=", date_to)],
                "amount_actual:sum",
            ),
            (
                "key_account.reception",
                [("date_start", ">=", start), ("date_start", "<", end)],
                "amount_actual:sum",
            ),
            (
                "key_account.gift",
                [
                    ("delivered_date", ">=", date_from),
                    ("delivered_date", "<=", date_to),
                ],
                "amount_planned:sum",
            ),
        )
        for model, dates, actual in sources:
            for user, planned, spent in (
                self.env[model]
                .sudo()
                ._read_group(
                    [*common, *dates], ["user_id"], ["amount_planned:sum", actual]
                )
            ):
                per_user[user.id][0] += planned or 0.0
                per_user[user.id][1] += spent or 0.0
        results = {}
        for appraised_id, (planned, spent) in self._kpi_sum(scope, per_user).items():
            results[appraised_id] = {
                "value": self._kpi_ratio(planned - spent, planned),
                "has_data": bool(planned),
                "model": "key_account.visit",
                "domain": [
                    ("user_id", "in", scope[appraised_id]),
                    *common[1:],
                    *sources[0][1],
                ],
            }
        return results

    def _kpi_followup(self, users, date_from, date_to, members=None):
        """Follow-up adherence: follow-ups done ÷ due by the grade cadence over
        the period, in %, on the key accounts the salesperson owns (over the
        scope: the accounts its people own).

        Due: for each account, the period's days divided by its grade's days
        between contacts (and between visits), rounded up. Done: the done
        contacts (activities of types counting as contact, on the account or
        its contacts) and visits done in the period, each kind capped at what
        was due; a visit counts as a contact too.
        """
        scope = self._kpi_scope(users, members)
        measured = self.env["res.users"].browse(self._kpi_measured(scope))
        days = (date_to - date_from).days + 1
        # the cadence of the grade that drives it (the account's company's)
        owned = self.env["res.partner"].sudo()._ka_owned_accounts(measured)
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
        per_user = defaultdict(lambda: [0, 0])
        for account in accounts:
            user_id, grade = owned[account.id]
            account_visits = visits.get(account.id, 0)
            for interval, count in (
                (grade.contact_interval_days, contacts[account.id] + account_visits),
                (grade.visit_interval_days, account_visits),
            ):
                if interval > 0:
                    expected = -(-days // interval)
                    per_user[user_id][0] += min(count, expected)
                    per_user[user_id][1] += expected
        return {
            appraised_id: {
                "value": self._kpi_ratio(done, due),
                "has_data": True,
                "model": "res.partner",
                "domain": [
                    ("ka_type_id", "!=", False),
                    ("user_id", "in", scope[appraised_id]),
                ],
            }
            for appraised_id, (done, due) in self._kpi_sum(scope, per_user).items()
        }

    def _kpi_sales_growth(self, users, date_from, date_to, members=None):
        """Growth of confirmed sales (untaxed, company currency) over the same
        period a year before, in %. From nothing to something counts 100%."""
        scope = self._kpi_scope(users, members)
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
                users=self._kpi_measured(scope),
                companies=self._kpi_company_ids(),
                start=start,
                end=end,
                prev_start=prev_start,
                prev_end=prev_end,
            )
        )
        per_user = {
            user_id: (current, previous)
            for user_id, current, previous in self.env.cr.fetchall()
        }
        results = {}
        for appraised_id, (current, previous) in self._kpi_sum(scope, per_user).items():
            if previous:
                value = 100.0 * (current - previous) / previous
            else:
                value = 100.0 if current > 0 else 0.0
            results[appraised_id] = {
                "value": value,
                "has_data": True,
                "model": "sale.order",
                "domain": [
                    ("state", "=", "sale"),
                    ("user_id", "in", scope[appraised_id]),
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

    def _kpi_gross_margin(self, users, date_from, date_to, members=None):
        """Gross margin of the confirmed orders ÷ their untaxed amount, in %."""
        scope = self._kpi_scope(users, members)
        sales = self._kpi_sales_by_user(
            self.env["res.users"].browse(self._kpi_measured(scope)),
            date_from,
            date_to,
        )
        return {
            appraised_id: {
                "value": self._kpi_ratio(margin, amount),
                "has_data": bool(amount),
                "model": "sale.order",
                "domain": self._kpi_order_domain(
                    scope[appraised_id], date_from, date_to
                ),
            }
            for appraised_id, (amount, margin, _count) in self._kpi_sum(
                scope, sales
            ).items()
        }

    def _kpi_scope_last_orders(self, users, date_to, members):
        """:meth:`_kpi_account_last_orders` over each appraised user's scope.

        :return: ({appraised id: {partner_id: last order}}, threshold)
        """
        scope = self._kpi_scope(users, members)
        last_orders, threshold = self._kpi_account_last_orders(
            self.env["res.users"].browse(self._kpi_measured(scope)), date_to
        )
        result = {}
        for appraised_id, ids in scope.items():
            accounts = {}
            for uid in ids:
                accounts.update(last_orders.get(uid, {}))
            if accounts:
                result[appraised_id] = accounts
        return result, threshold

    def _kpi_churn(self, users, date_from, date_to, members=None):
        """Key accounts of the salesperson that ordered in the look-back window
        (12 months) before the period end but not in its last months (3)."""
        last_orders, threshold = self._kpi_scope_last_orders(users, date_to, members)
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

    def _kpi_churn_rate(self, users, date_from, date_to, members=None):
        """Churned key accounts ÷ key accounts that ordered in the look-back
        window before the period end, in %."""
        last_orders, threshold = self._kpi_scope_last_orders(users, date_to, members)
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

    def _kpi_grouped(self, model, domain, scope, aggregates, user_field="user_id"):
        """One ``_read_group`` of ``model`` by ``user_field`` over the users
        of ``scope``, summed per appraised user.

        :return: ({appraised id: sums}, the domain with the users of the
            scope, a function giving an appraised user's drill-down domain)
        """
        full = [(user_field, "in", self._kpi_measured(scope)), *domain]
        per_user = {
            user.id: tuple(value or 0.0 for value in values)
            for user, *values in self.env[model]
            .sudo()
            ._read_group(full, [user_field], aggregates)
        }

        def domain_of(appraised_id):
            return [(user_field, "in", scope[appraised_id]), *domain]

        return self._kpi_sum(scope, per_user), domain_of

    def _kpi_new_accounts(self, users, date_from, date_to, members=None):
        """Key accounts (companies or persons) of the salesperson that became
        key accounts in the period (Key Account Since) and still are."""
        scope = self._kpi_scope(users, members)
        totals, domain_of = self._kpi_grouped(
            "res.partner",
            [
                ("ka_type_id", "!=", False),
                "|",
                ("is_company", "=", True),
                ("parent_id", "=", False),
                ("ka_since", ">=", date_from),
                ("ka_since", "<=", date_to),
            ],
            scope,
            ["__count"],
        )
        return {
            appraised_id: {
                "value": float(count),
                "has_data": True,
                "model": "res.partner",
                "domain": domain_of(appraised_id),
            }
            for appraised_id, (count,) in totals.items()
        }

    def _kpi_dev_plan(self, users, date_from, date_to, members=None):
        """Development plans of the salesperson within the period: done ÷
        planned (new key accounts and visits, each capped at its plan), in %."""
        scope = self._kpi_scope(users, members)
        domain = [("date_from", ">=", date_from), ("date_to", "<=", date_to)]
        plans = (
            self.env["key_account.development.plan"]
            .sudo()
            .search([("user_id", "in", self._kpi_measured(scope)), *domain])
        )
        per_user = defaultdict(lambda: [0, 0])
        for plan in plans:
            planned = plan.planned_new_accounts + plan.planned_visits
            done = min(plan.done_new_accounts, plan.planned_new_accounts) + min(
                plan.done_visits, plan.planned_visits
            )
            per_user[plan.user_id.id][0] += done
            per_user[plan.user_id.id][1] += planned
        return {
            appraised_id: {
                "value": self._kpi_ratio(done, planned),
                "has_data": bool(planned),
                "model": "key_account.development.plan",
                "domain": [("user_id", "in", scope[appraised_id]), *domain],
            }
            for appraised_id, (done, planned) in self._kpi_sum(scope, per_user).items()
        }

    def _kpi_completeness(self, users, date_from, date_to, members=None):
        """Average file completeness of the key accounts owned by the
        salesperson (over the scope: by the department's people) — their
        current state: files are not historised."""
        scope = self._kpi_scope(users, members)
        totals, domain_of = self._kpi_grouped(
            "res.partner",
            [
                ("ka_type_id", "!=", False),
                "|",
                ("is_company", "=", True),
                ("parent_id", "=", False),
            ],
            scope,
            ["ka_file_completeness:sum", "__count"],
        )
        return {
            appraised_id: {
                "value": total / count if count else 0.0,
                "has_data": True,
                "model": "res.partner",
                "domain": domain_of(appraised_id),
            }
            for appraised_id, (total, count) in totals.items()
        }

    def _kpi_feedback_domain(self, date_from, date_to, date_field):
        start, end = self._kpi_bounds(date_from, date_to)
        return [
            ("company_id", "in", self._kpi_company_ids()),
            (date_field, ">=", start),
            (date_field, "<", end),
        ]

    def _kpi_complaints(self, users, date_from, date_to, members=None):
        """Valid complaints (our fault) received in the period."""
        totals, domain_of = self._kpi_grouped(
            "key_account.feedback",
            [
                ("feedback_type", "=", "complaint"),
                ("is_valid", "=", True),
                *self._kpi_feedback_domain(date_from, date_to, "received_date"),
            ],
            self._kpi_scope(users, members),
            ["__count"],
        )
        return {
            appraised_id: {
                "value": float(count),
                "has_data": True,
                "model": "key_account.feedback",
                "domain": domain_of(appraised_id),
            }
            for appraised_id, (count,) in totals.items()
        }

    def _kpi_feedback_timeliness(self, users, date_from, date_to, members=None):
        """Feedback due in the period answered in time ÷ feedback due, in %."""
        domain = self._kpi_feedback_domain(date_from, date_to, "answer_due")
        return self._kpi_share(
            "key_account.feedback",
            domain,
            [("answered_in_time", "=", True)],
            self._kpi_scope(users, members),
        )

    def _kpi_share(self, model, domain, met, scope, user_field="user_id"):
        """The records of ``domain`` that also meet ``met`` ÷ all of them, in
        %, per appraised user (no record: no data)."""
        due, domain_of = self._kpi_grouped(
            model, domain, scope, ["__count"], user_field
        )
        done, _domain_of = self._kpi_grouped(
            model, [*domain, *met], scope, ["__count"], user_field
        )
        return {
            appraised_id: {
                "value": self._kpi_ratio(done.get(appraised_id, [0])[0], count),
                "has_data": bool(count),
                "model": model,
                "domain": domain_of(appraised_id),
            }
            for appraised_id, (count,) in due.items()
        }

    def _kpi_satisfaction(self, users, date_from, date_to, members=None):
        """Average satisfaction (1-5) of the rated feedback received in the
        period."""
        totals, domain_of = self._kpi_grouped(
            "key_account.feedback",
            [
                ("satisfaction", ">", 0),
                *self._kpi_feedback_domain(date_from, date_to, "received_date"),
            ],
            self._kpi_scope(users, members),
            ["satisfaction:sum", "__count"],
        )
        return {
            appraised_id: {
                "value": total / count if count else 0.0,
                "has_data": True,
                "model": "key_account.feedback",
                "domain": domain_of(appraised_id),
            }
            for appraised_id, (total, count) in totals.items()
        }

    def _kpi_request_timeliness(self, kind, users, date_from, date_to, members):
        """Requests of ``kind`` due in the period, done on time ÷ due, in %
        (by their assistant)."""
        start, end = self._kpi_bounds(date_from, date_to)
        domain = [
            ("kind", "=", kind),
            ("company_id", "in", self._kpi_company_ids()),
            ("state", "!=", "cancelled"),
            ("due_at", ">=", start),
            ("due_at", "<", end),
        ]
        return self._kpi_share(
            "key_account.request",
            domain,
            [("on_time", "=", True)],
            self._kpi_scope(users, members),
            "assistant_id",
        )

    def _kpi_analysis_timeliness(self, users, date_from, date_to, members=None):
        """Analysis requests due in the period done on time ÷ due, in %."""
        return self._kpi_request_timeliness(
            "analysis", users, date_from, date_to, members
        )

    def _kpi_support_timeliness(self, users, date_from, date_to, members=None):
        """Support requests due in the period done on time ÷ due, in %."""
        return self._kpi_request_timeliness(
            "support", users, date_from, date_to, members
        )

    def _kpi_visit_record_timeliness(self, users, date_from, date_to, members=None):
        """Visits whose record was due in the period, done or marked late:
        recorded in time ÷ all of them, in % (seed 002 二(四)3: within 24
        hours; Settings)."""
        start, end = self._kpi_bounds(date_from, date_to)
        domain = [
            ("company_id", "in", self._kpi_company_ids()),
            ("record_due", ">=", start),
            ("record_due", "<", end),
            "|",
            ("state", "in", ("done", "closed")),
            ("record_late", "=", True),
        ]
        return self._kpi_share(
            "key_account.visit",
            domain,
            [("record_late", "=", False)],
            self._kpi_scope(users, members),
        )

    def _kpi_report_timeliness(self, users, date_from, date_to, members=None):
        """Monthly reports due in the period, submitted or marked late:
        submitted in time ÷ all of them, in % (seed 000 §五2.9: before the
        month's end; Settings)."""
        domain = [
            ("company_id", "in", self._kpi_company_ids()),
            ("deadline", ">=", date_from),
            ("deadline", "<=", date_to),
            "|",
            ("state", "=", "submitted"),
            ("late", "=", True),
        ]
        return self._kpi_share(
            "key_account.monthly.report",
            domain,
            [("late", "=", False)],
            self._kpi_scope(users, members),
        )

    def _kpi_revisit_timeliness(self, users, date_from, date_to, members=None):
        """Deals whose revisit was due in the period, revisited or late:
        revisited in time ÷ all of them, in %, by the account's owner when
        the deal was made (seed 001: within a month; Settings)."""
        domain = [
            ("company_id", "in", self._kpi_company_ids()),
            ("ka_revisit_due", ">=", date_from),
            ("ka_revisit_due", "<=", date_to),
            "|",
            ("ka_revisit_done", "!=", False),
            ("ka_revisit_late", "=", True),
        ]
        return self._kpi_share(
            "sale.order",
            domain,
            [("ka_revisit_late", "=", False)],
            self._kpi_scope(users, members),
            "ka_revisit_user_id",
        )

    def _kpi_staff_turnover(self, users, date_from, date_to, members=None):
        """Staff turnover of the sales teams the user leads, in %: members
        who left (their membership archived) in the period ÷ the members the
        teams had in it (present at its start or joined during it). The
        leader's own department whatever the line's scope; a user who leads
        no team has no data."""
        start, end = self._kpi_bounds(date_from, date_to)
        self.env["crm.team"].flush_model(["user_id", "active", "company_id"])
        self.env["crm.team.member"].flush_model(
            ["crm_team_id", "user_id", "active", "create_date", "write_date"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT t.user_id,
                       COUNT(DISTINCT m.user_id) FILTER (
                           WHERE NOT m.active AND m.write_date >= %(start)s),
                       COUNT(DISTINCT m.user_id),
                       ARRAY_AGG(DISTINCT m.id)
                  FROM crm_team t
                  JOIN crm_team_member m ON m.crm_team_id = t.id
                 WHERE t.active
                   AND t.user_id = ANY(%(users)s)
                   AND (t.company_id IS NULL OR t.company_id = ANY(%(companies)s))
                   AND m.user_id != t.user_id
                   AND m.create_date < %(end)s
                   AND (m.active OR m.write_date >= %(start)s)
              GROUP BY t.user_id
                """,
                users=users.ids,
                companies=self._kpi_company_ids(),
                start=start,
                end=end,
            )
        )
        return {
            user_id: {
                "value": self._kpi_ratio(left, headcount),
                "has_data": bool(headcount),
                "model": "crm.team.member",
                "domain": [("id", "in", member_ids), ("active", "in", (True, False))],
            }
            for user_id, left, headcount, member_ids in self.env.cr.fetchall()
        }
