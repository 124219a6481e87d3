from odoo import fields
from odoo import models
from odoo.tools import SQL


class KeyAccountCollectionReport(models.Model):
    """What the key accounts paid, by date: one row per payment of a posted
    customer invoice (and, negative, per refund of a credit note), read from
    Odoo's reconciliations (see ``account.move._ka_payment_shares_sql``). A
    credit note applied to an invoice collects nothing."""

    _name = "key_account.collection.report"
    _description = "Key Account Collections"
    _auto = False
    _order = "date desc, id desc"
    _depends = {
        "account.partial.reconcile": [
            "debit_move_id",
            "credit_move_id",
            "amount",
            "debit_amount_currency",
            "credit_amount_currency",
            "max_date",
            "exchange_move_id",
        ],
        "account.move": [
            "state",
            "move_type",
            "amount_total",
            "commercial_partner_id",
            "invoice_user_id",
            "invoice_date",
            "company_id",
        ],
        "account.move.line": ["move_id", "display_type"],
        "res.partner": ["ka_type_id", "user_id"],
    }

    date = fields.Date(string="Payment Date", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Key Account", readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        readonly=True,
        help="The owner of the key account.",
    )
    invoice_user_id = fields.Many2one(
        "res.users", string="Invoice Salesperson", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    payment_move_id = fields.Many2one("account.move", string="Paid With", readonly=True)
    amount = fields.Monetary(string="Collected", readonly=True)
    days_to_pay = fields.Integer(
        string="Days to Pay",
        aggregator="avg",
        readonly=True,
        help="Days from the invoice date to the payment.",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT s.partial_id AS id, s.date, s.partner_id, p.user_id,
                   s.invoice_user_id, s.company_id, s.move_id,
                   s.counterpart_id AS payment_move_id, s.amount,
                   CASE WHEN s.amount > 0 THEN s.date - s.invoice_date END
                       AS days_to_pay
              FROM (%s) s
              JOIN res_partner p ON p.id = s.partner_id
             WHERE s.cash AND p.ka_type_id IS NOT NULL
            """,
            self.env["account.move"]._ka_payment_shares_sql(),
        )
