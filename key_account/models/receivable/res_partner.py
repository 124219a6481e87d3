from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL

from ..common.groups import KA_USER

# The receivables of a key account, each company's from its own posted
# customer invoices, credit notes and payments (Odoo's own: nothing is
# copied), in its currency. Stored company-dependent, as the 12-month sales
# are, rather than computed on read for ``env.companies``: a user reads the
# figures of the company they work in, and can search, filter (overdue
# receivables), sort, group and total them in the list and pivot, which a
# field computed on read cannot. They are kept current by the accounting
# itself (posting, cancelling, reconciling: see account.move and
# account.partial.reconcile) and, as the overdue days move with the
# calendar, by a daily pass. Company-dependent fields cannot be Monetary:
# Floats shown in the company's currency (``ka_currency_id``).
_RECEIVABLE = {
    "company_dependent": True,
    "readonly": True,
    "copy": False,
    "groups": KA_USER,
}
RECEIVABLE_FIELDS = (
    "ka_receivable_open",
    "ka_receivable_overdue",
    "ka_overdue_days",
    "ka_collected_12m",
    "ka_days_to_pay",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    ka_receivable_open = fields.Float(
        string="Open Receivable",
        help="What the account and its contacts owe: the open amounts of their "
        "posted invoices, less their open credit notes and the payments not yet "
        "matched, in company currency.",
        **_RECEIVABLE,
    )
    ka_receivable_overdue = fields.Float(
        string="Overdue Receivable",
        help="The open amounts of the posted invoices whose due date has passed, "
        "in company currency.",
        **_RECEIVABLE,
    )
    ka_overdue_days = fields.Integer(
        string="Oldest Overdue (Days)",
        help="Days since the due date of the oldest overdue invoice.",
        **_RECEIVABLE,
    )
    ka_collected_12m = fields.Float(
        string="Collected (12 Months)",
        help="What the payments of the last 12 months paid of the invoices, less "
        "the credit notes refunded, in company currency (a credit note applied "
        "to an invoice is no collection).",
        **_RECEIVABLE,
    )
    ka_days_to_pay = fields.Float(
        string="Average Days to Pay",
        digits=(16, 1),
        help="Days from the invoice date to the payment, averaged over the "
        "amounts collected in the last 12 months.",
        **_RECEIVABLE,
    )

    # ---- what clients may write -------------------------------------------------
    def _ka_system_fields(self):
        return super()._ka_system_fields() | set(RECEIVABLE_FIELDS)

    # ---- keeping the figures current --------------------------------------------
    def write(self, vals):
        # a company becoming a key account (or a contact changing company)
        # brings its receivables along
        moved = vals.keys() & {"ka_type_id", "parent_id", "is_company"}
        old_commercial = self.sudo().commercial_partner_id if moved else None
        res = super().write(vals)
        if moved:
            partners = self.sudo() | old_commercial | self.sudo().commercial_partner_id
            partners._ka_refresh_receivables()
        return res

    @api.model
    def _ka_cron_refresh_receivables(self):
        """Daily: the overdue amounts and days move with the calendar."""
        self.with_context(active_test=False).search(
            [("ka_type_id", "!=", False)]
        )._ka_refresh_receivables()

    def _ka_refresh_receivables(self):
        """Recompute the receivables of these partners (see the fields), for
        each company from its own accounting, in one statement: grouped
        queries over the receivable lines and the payment shares feed one
        UPDATE of the partners whose figures moved. A partner that is not a
        key account keeps none."""
        if not self:
            return
        self.env["account.move.line"].flush_model(
            [
                "amount_residual",
                "parent_state",
                "date_maturity",
                "partner_id",
                "account_id",
                "company_id",
            ]
        )
        self.env["account.move"].flush_model(
            [
                "state",
                "move_type",
                "amount_total",
                "commercial_partner_id",
                "invoice_date",
                "company_id",
            ]
        )
        self.env["account.partial.reconcile"].flush_model()
        self.flush_model(["ka_type_id", "commercial_partner_id", *RECEIVABLE_FIELDS])
        today = fields.Date.context_today(self)
        self.env.cr.execute(
            SQL(
                """
                WITH open AS (
                    SELECT rp.commercial_partner_id AS partner_id, aml.company_id,
                           SUM(aml.amount_residual) AS open,
                           SUM(aml.amount_residual) FILTER (WHERE due) AS overdue,
                           %(today)s - MIN(aml.date_maturity) FILTER (WHERE due)
                               AS days
                      FROM account_move_line aml
                      JOIN account_account aa
                        ON aa.id = aml.account_id
                       AND aa.account_type = 'asset_receivable'
                      JOIN res_partner rp ON rp.id = aml.partner_id,
                           LATERAL (SELECT aml.amount_residual > 0
                                           AND aml.date_maturity < %(today)s
                                           AS due) d
                     WHERE aml.parent_state = 'posted'
                       AND aml.amount_residual <> 0
                       AND rp.commercial_partner_id = ANY(%(ids)s)
                  GROUP BY 1, 2
                ), shares AS (%(shares)s), paid AS (
                    SELECT s.partner_id, s.company_id,
                           SUM(s.amount) AS collected,
                           SUM(s.amount * (s.date - s.invoice_date))
                               FILTER (WHERE s.amount > 0)
                           / NULLIF(SUM(s.amount) FILTER (WHERE s.amount > 0), 0)
                               AS days
                      FROM shares s
                     WHERE s.cash AND s.date > %(since)s AND s.date <= %(today)s
                  GROUP BY 1, 2
                ), f AS (
                    SELECT COALESCE(o.partner_id, pd.partner_id) AS partner_id,
                           COALESCE(o.company_id, pd.company_id)::text AS company,
                           ROUND(o.open, cur.decimal_places) AS open,
                           ROUND(o.overdue, cur.decimal_places) AS overdue,
                           o.days AS overdue_days,
                           ROUND(pd.collected, cur.decimal_places) AS collected,
                           ROUND(pd.days, 1) AS days_to_pay
                      FROM open o
                      FULL JOIN paid pd
                        ON pd.partner_id = o.partner_id
                       AND pd.company_id = o.company_id
                      JOIN res_company c
                        ON c.id = COALESCE(o.company_id, pd.company_id)
                      JOIN res_currency cur ON cur.id = c.currency_id
                ), v AS (
                    SELECT p.id,
                           jsonb_object_agg(f.company, f.open)
                               FILTER (WHERE f.open <> 0) AS open,
                           jsonb_object_agg(f.company, f.overdue)
                               FILTER (WHERE f.overdue <> 0) AS overdue,
                           jsonb_object_agg(f.company, f.overdue_days)
                               FILTER (WHERE f.overdue_days <> 0) AS overdue_days,
                           jsonb_object_agg(f.company, f.collected)
                               FILTER (WHERE f.collected <> 0) AS collected,
                           jsonb_object_agg(f.company, f.days_to_pay)
                               FILTER (WHERE f.days_to_pay <> 0) AS days_to_pay
                      FROM res_partner p
                      LEFT JOIN f ON f.partner_id = p.id AND p.ka_type_id IS NOT NULL
                     WHERE p.id = ANY(%(ids)s)
                  GROUP BY p.id
                )
                UPDATE res_partner p
                   SET ka_receivable_open = v.open,
                       ka_receivable_overdue = v.overdue,
                       ka_overdue_days = v.overdue_days,
                       ka_collected_12m = v.collected,
                       ka_days_to_pay = v.days_to_pay
                  FROM v
                 WHERE p.id = v.id
                   AND (p.ka_receivable_open IS DISTINCT FROM v.open
                        OR p.ka_receivable_overdue IS DISTINCT FROM v.overdue
                        OR p.ka_overdue_days IS DISTINCT FROM v.overdue_days
                        OR p.ka_collected_12m IS DISTINCT FROM v.collected
                        OR p.ka_days_to_pay IS DISTINCT FROM v.days_to_pay)
             RETURNING p.id
                """,
                today=today,
                since=today - relativedelta(months=12),
                ids=self.ids,
                shares=self.env["account.move"]._ka_payment_shares_sql(
                    SQL("inv.commercial_partner_id = ANY(%s)", self.ids)
                ),
            )
        )
        moved = self.browse([row[0] for row in self.env.cr.fetchall()])
        if moved:
            moved.invalidate_recordset(list(RECEIVABLE_FIELDS))
            moved.modified(list(RECEIVABLE_FIELDS))
