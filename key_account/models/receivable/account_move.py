from odoo import api
from odoo import models
from odoo.tools import SQL

# the customer documents whose receivable lines are paid: invoices (a payment
# is money in) and credit notes (a refund paid out or applied is money back)
CUSTOMER_DOCUMENTS = ("out_invoice", "out_refund")


class AccountMove(models.Model):
    _inherit = "account.move"

    def write(self, vals):
        # posting, resetting to draft and cancelling change what the key
        # accounts of these moves owe and paid (the reconciliations do too:
        # see account.partial.reconcile)
        res = super().write(vals)
        if "state" in vals:
            self._ka_receivable_accounts()._ka_refresh_receivables()
        return res

    def _ka_receivable_accounts(self):
        """The key accounts whose receivables these moves count in."""
        return (
            self.sudo().commercial_partner_id.filtered("ka_type_id").with_env(self.env)
        )

    @api.model
    def _ka_payment_shares_sql(self, where=None):
        """SQL: the payment shares of posted customer invoices and credit
        notes (``inv``, filtered by the SQL condition ``where``): one row per
        reconciliation (``account.partial.reconcile``) of one of their
        receivable lines, the one definition of "what was paid, when" that the
        receivables, the collection report and the commissions read.

        Columns: ``partial_id``, ``move_id`` (the invoice or credit note),
        ``counterpart_id`` (the payment, credit note or entry it is reconciled
        with), ``company_id``, ``partner_id`` (the commercial partner),
        ``invoice_user_id``, ``invoice_date``, ``date`` (the reconciliation's,
        its latest line's date), ``amount`` (in company currency, negative for
        a credit note), ``paid`` and ``total`` (what it pays of the
        document's total, in the document's currency: exchange differences
        are no payment), ``share`` (their ratio), ``cum_share`` (the share of
        the document paid up to this one included, by date then id: parts
        rounded from it add up to the whole, to the cent), ``cash`` (the
        counterpart is no customer invoice or credit note: money moved)."""
        return SQL(
            """
            SELECT s.*, s.paid / s.total AS share,
                   SUM(s.paid) OVER (PARTITION BY s.move_id
                                     ORDER BY s.date, s.partial_id)
                       / s.total AS cum_share
              FROM (
                SELECT apr.id AS partial_id, inv.id AS move_id,
                       om.id AS counterpart_id, inv.company_id,
                       inv.commercial_partner_id AS partner_id,
                       inv.invoice_user_id, inv.invoice_date,
                       apr.max_date AS date,
                       CASE WHEN inv.move_type = 'out_refund' THEN -1 ELSE 1 END
                           * apr.amount AS amount,
                       CASE WHEN apr.debit_move_id = aml.id
                            THEN apr.debit_amount_currency
                            ELSE apr.credit_amount_currency END AS paid,
                       inv.amount_total AS total,
                       om.move_type <> ALL(%(documents)s) AS cash
                  FROM account_move inv
                  JOIN account_move_line aml
                    ON aml.move_id = inv.id AND aml.display_type = 'payment_term'
                  JOIN account_partial_reconcile apr
                    ON apr.debit_move_id = aml.id OR apr.credit_move_id = aml.id
                  JOIN account_move_line oml
                    ON oml.id = CASE WHEN apr.debit_move_id = aml.id
                                     THEN apr.credit_move_id
                                     ELSE apr.debit_move_id END
                  JOIN account_move om ON om.id = oml.move_id
                 WHERE inv.move_type = ANY(%(documents)s) AND inv.state = 'posted'
                   AND inv.amount_total <> 0
                   AND NOT EXISTS (SELECT 1 FROM account_partial_reconcile x
                                    WHERE x.exchange_move_id = om.id)
                   AND %(where)s
              ) s
            """,
            documents=list(CUSTOMER_DOCUMENTS),
            where=where or SQL("TRUE"),
        )
