from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..common.groups import KA_MANAGER


class KeyAccountCommissionSettlement(models.Model):
    """The champions' awards, proposed in the drafts of a period."""

    _inherit = "key_account.commission.settlement"

    @api.model
    def propose_awards(self, date_from, date_to):
        """Propose the champions' awards of the period as award lines in the
        draft settlements of [date_from, date_to], for a manager to keep or
        delete before confirming: the monthly champion (most confirmed sales
        of a month, above the month's target) earns 300, the weekly champion
        (most sales of a week ending in the period; a full-timer must already
        have more than a quarter of the month's target) 200. Returns the
        lines created; proposing twice adds nothing."""
        if not (self.env.su or self.env.user.has_group(KA_MANAGER)):
            raise AccessError(
                self.env._("Only Key Account managers can compute commissions.")
            )
        date_from = fields.Date.to_date(date_from)
        date_to = fields.Date.to_date(date_to)
        # proposals only: the manager who confirms keeps or deletes them
        settlements = self.sudo().search(
            [
                ("date_from", "=", date_from),
                ("date_to", "=", date_to),
                ("state", "=", "draft"),
                ("company_id", "in", self.env.companies.ids),
            ]
        )
        if not settlements:
            return self.env["key_account.commission.settlement.line"]
        by_user = {s.user_id.id: s for s in settlements}
        users = settlements.user_id.sudo()
        first_month = date_from.replace(day=1)
        self.env.cr.execute(
            SQL(
                """
            SELECT so.user_id, so.date_order::date,
                   SUM(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1))
              FROM sale_order so
             WHERE so.state = 'sale' AND so.user_id = ANY(%(users)s)
               AND so.company_id = ANY(%(companies)s)
               AND so.date_order >= %(start)s AND so.date_order < %(stop)s
             GROUP BY 1, 2
            """,
                users=users.ids,
                companies=self.env.companies.ids,
                start=first_month - relativedelta(days=7),
                stop=date_to + relativedelta(days=1),
            )
        )
        daily = defaultdict(float)
        for uid, day, amount in self.env.cr.fetchall():
            daily[uid, day] += amount
        Target = self.env["key_account.commission.target"]
        proposals = []
        month = first_month
        while month <= date_to:
            month_end = month + relativedelta(months=1, days=-1)
            targets = Target._ka_effective_targets(users, month, month_end)

            def month_to(uid, day, month=month):
                return sum(
                    a for (u, d), a in daily.items() if u == uid and month <= d <= day
                )

            if month >= date_from and month_end <= date_to:
                totals = {u.id: month_to(u.id, month_end) for u in users}
                eligible = [
                    (amount, uid)
                    for uid, amount in totals.items()
                    if amount and targets.get(uid) and amount > targets[uid]
                ]
                if eligible:
                    proposals.append(
                        (
                            max(eligible)[1],
                            self.env.company.ka_award_monthly,
                            self.env._(
                                "Monthly champion %(month)s",
                                month=month.strftime("%Y-%m"),
                            ),
                        )
                    )
            # weeks (Monday to Sunday) ending in this month and the period
            sunday = month + relativedelta(days=(6 - month.weekday()) % 7)
            while sunday <= min(month_end, date_to):
                if sunday >= date_from:
                    monday = sunday - relativedelta(days=6)
                    eligible = []
                    for user in users:
                        week = sum(
                            daily.get((user.id, monday + relativedelta(days=n)), 0.0)
                            for n in range(7)
                        )
                        full_time = (
                            by_user[user.id].plan_id.salesperson_kind == "full_time"
                        )
                        if not week or (
                            full_time
                            and month_to(user.id, sunday)
                            <= targets.get(user.id, 0.0) / 4
                        ):
                            continue
                        eligible.append((week, user.id))
                    if eligible:
                        proposals.append(
                            (
                                max(eligible)[1],
                                self.env.company.ka_award_weekly,
                                self.env._(
                                    "Weekly champion, week of %(monday)s",
                                    monday=fields.Date.to_string(monday),
                                ),
                            )
                        )
                sunday += relativedelta(days=7)
            month += relativedelta(months=1)
        existing = {
            (line.settlement_id.id, line.reason)
            for line in settlements.line_ids
            if line.line_type == "award"
        }
        lines = self.env["key_account.commission.settlement.line"].sudo()
        created = lines.create(
            [
                {
                    "settlement_id": by_user[uid].id,
                    "line_type": "award",
                    "amount_commission": amount,
                    "reason": reason,
                }
                for uid, amount, reason in proposals
                if (by_user[uid].id, reason) not in existing
            ]
        )
        return created.with_env(self.env)
