from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo import models
from odoo.tools import SQL


class KeyAccountDashboardTarget(models.Model):
    """Targets, sales and commissions by salesperson and month, for the
    dashboard's attainment table: the monthly targets, the confirmed sale
    orders of the salesperson (untaxed, in company currency, as the KPIs and
    the monthly report count them) and the commission of the settlement lines
    not cancelled, each row one of them. A reporting view with record rules
    of its own: salespeople see their own figures, managers all."""

    _name = "key_account.dashboard.target"
    _inherit = ["key_account.dashboard.mixin"]
    _description = "Key Account Dashboard: Targets and Commissions"
    _auto = False
    _order = "month desc, user_id"
    # what the view reads, flushed before it is (a settlement cancelled in
    # the same transaction is no longer counted)
    _depends = {
        "key_account.commission.target": ["user_id", "company_id", "month", "amount"],
        "sale.order": [
            "state",
            "user_id",
            "company_id",
            "date_order",
            "amount_untaxed",
            "currency_rate",
        ],
        "key_account.commission.settlement": [
            "state",
            "user_id",
            "company_id",
            "date_to",
        ],
        "key_account.commission.settlement.line": [
            "settlement_id",
            "user_id",
            "company_id",
            "date",
            "amount_commission",
        ],
    }

    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    month = fields.Date(readonly=True, help="The first day of the month.")
    date = fields.Datetime(
        readonly=True, help="The order's date, the target's month, the line's date."
    )
    target = fields.Monetary(readonly=True)
    sales = fields.Monetary(readonly=True)
    targeted_sales = fields.Monetary(
        string="Sales Against a Target",
        readonly=True,
        help="The sales of salespeople who have a target in the order's month: "
        "what the target attainment is measured on.",
    )
    commission = fields.Monetary(readonly=True)

    @property
    def _table_query(self):
        # ids: 3n for a target, 3n + 1 for an order, 3n + 2 for a settlement line
        return SQL(
            """
            SELECT t.id * 3 AS id, t.user_id, t.company_id, c.currency_id,
                   t.month, t.month::timestamp AS date, t.amount AS target,
                   0::numeric AS sales, 0::numeric AS targeted_sales,
                   0::numeric AS commission
              FROM key_account_commission_target t
              JOIN res_company c ON c.id = t.company_id
         UNION ALL
            SELECT so.id * 3 + 1, so.user_id, so.company_id, c.currency_id,
                   date_trunc('month', so.date_order)::date, so.date_order, 0,
                   so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1),
                   CASE WHEN EXISTS (
                            SELECT 1 FROM key_account_commission_target t
                             WHERE t.user_id = so.user_id
                               AND t.company_id = so.company_id
                               AND t.month = date_trunc('month', so.date_order)::date)
                        THEN so.amount_untaxed
                             / COALESCE(NULLIF(so.currency_rate, 0), 1)
                        ELSE 0 END,
                   0
              FROM sale_order so
              JOIN res_company c ON c.id = so.company_id
             WHERE so.state = 'sale' AND so.user_id IS NOT NULL
         UNION ALL
            SELECT l.id * 3 + 2, COALESCE(l.user_id, s.user_id), c.id, c.currency_id,
                   date_trunc('month', COALESCE(l.date, s.date_to))::date,
                   COALESCE(l.date, s.date_to)::timestamp, 0, 0, 0,
                   l.amount_commission
              FROM key_account_commission_settlement_line l
              JOIN key_account_commission_settlement s ON s.id = l.settlement_id
              JOIN res_company c ON c.id = COALESCE(l.company_id, s.company_id)
             WHERE s.state != 'cancelled'
            """
        )

    def _condition_to_sql(self, alias, fname, operator, value, query):
        """A condition on the month also bounds the row's date, which it
        implies (the month is the date's first day): the orders' index on
        their date then serves the dashboard's period, not a scan of every
        confirmed order."""
        sql = super()._condition_to_sql(alias, fname, operator, value, query)
        if fname != "month" or operator not in (">=", ">", "<=", "<") or not value:
            return sql
        try:
            day = fields.Date.to_date(value)
        except (TypeError, ValueError):
            return sql
        if not day:
            return sql
        date = SQL.identifier(alias, "date")
        if operator in (">=", ">"):
            # month >= day: the date is on or after it
            bound = SQL("%s >= %s", date, fields.Datetime.to_datetime(day))
        else:
            # month <= day: the date is before the next month's first day
            after = day.replace(day=1) + relativedelta(months=1)
            bound = SQL("%s < %s", date, fields.Datetime.to_datetime(after))
        return SQL("(%s AND %s)", sql, bound)
