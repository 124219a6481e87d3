from collections import defaultdict
from collections import namedtuple
from datetime import datetime
from datetime import time

from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import models
from odoo.tools import SQL

from .key_account_commission_settlement import LIVE_STATES

# What a settlement line is computed from: an order of the period (on plans
# paid on confirmed orders), or, on plans paid on invoiced and paid amounts,
# the share of an order's part of an invoice or credit note that one payment
# (one reconciliation, ``partial_key``) paid in the period, with what paid it
# (``payment_move_id``: a payment, or a credit note applied); ``base`` is in
# company currency, on the products the salesperson's plan covers (its
# commissionable categories), ``excluded`` the rest, left out; ``ratio`` the
# price ratio in % of list price of the covered products, ``date`` the
# order's date or the payment's.
SourceRow = namedtuple(
    "SourceRow",
    "order_id user_id company_id date base ratio referral_id referral_share "
    "invoice_id partial_key payment_move_id excluded",
    defaults=(None, None, None, 0.0),
)
# A line of a confirmed or paid settlement to take back in the next one: its
# order was cancelled since, or the payment it paid on was undone
# (``unpaid``).
ReversalRow = namedtuple("ReversalRow", "line_id user_id company_id order_id unpaid")


class KeyAccountCommissionSettlement(models.Model):
    """The sources of the settlements: one query each, for every salesperson
    of a computation at once."""

    _inherit = "key_account.commission.settlement"

    @api.model
    def _ka_expenses_by_user(self, users, date_from, date_to):
        """Expenses of ``users`` reimbursed in the period (visits and
        receptions), company currency: {user_id: amount}."""
        return self.env["key_account.expense"]._ka_reimbursed_by_user(
            users, date_from, date_to
        )

    @api.model
    def _ka_plan_categories_sql(self):
        """SQL: the body of a CTE ``ka_covered`` (``plan_id``, ``categ_id``):
        for each plan that lists commissionable categories, every product
        category it covers, those listed and their subcategories (by
        ``parent_path``). A plan with none is absent: it covers every
        product."""
        return SQL(
            """
            SELECT rel.plan_id, pc.id AS categ_id
              FROM key_account_commission_plan_product_category_rel rel
              JOIN product_category listed ON listed.id = rel.category_id
              JOIN product_category pc
                ON pc.parent_path LIKE listed.parent_path || %s
             GROUP BY rel.plan_id, pc.id
            """,
            "%",
        )

    @api.model
    def _ka_covered_sql(self, plan, category):
        """SQL: whether the plan ``plan`` covers a product of the category
        ``category`` (SQL expressions), where the query's WITH defines
        ``ka_covered`` (:meth:`_ka_plan_categories_sql`): a plan without
        categories covers every product. Two hashed lookups per row, no
        join: a plan without categories costs the first only."""
        return SQL(
            """(COALESCE(%(plan)s, 0) NOT IN (SELECT plan_id FROM ka_covered)
                OR (%(plan)s, %(category)s) IN
                   (SELECT plan_id, categ_id FROM ka_covered))""",
            plan=plan,
            category=category,
        )

    @api.model
    def _ka_prices_sql(self, order_ids):
        """SQL: per order among those ``order_ids`` (an SQL subquery)
        selects, the net amount of its lines of products its salesperson's
        plan covers and their amount at list price, in the order's currency:
        the price ratio's two terms (the query's WITH defines ``ka_covered``,
        see :meth:`_ka_covered_sql`)."""
        return SQL(
            """
            SELECT pl.order_id, SUM(pl.net) AS net, SUM(pl.list) AS list
              FROM (%(price_lines)s) pl
              JOIN sale_order so ON so.id = pl.order_id
              JOIN res_users u ON u.id = so.user_id
             WHERE pl.order_id IN (%(order_ids)s)
               AND %(covered)s
             GROUP BY pl.order_id
            """,
            price_lines=self._ka_price_lines_sql(),
            order_ids=order_ids,
            covered=self._ka_covered_sql(
                SQL("u.ka_commission_plan_id"), SQL("pl.categ_id")
            ),
        )

    @api.model
    def _ka_price_lines_sql(self):
        """SQL: the terms of the price ratio line by line (``order_id``,
        ``net``, ``list``), with the line's untaxed amount (``subtotal``) and
        its product's category (``categ_id``), for a query that sums them per
        order itself."""
        return SQL(
            """
            SELECT sol.order_id,
                   sol.price_unit * sol.product_uom_qty
                   * (1 - COALESCE(sol.discount, 0) / 100) AS net,
                   COALESCE(pt.list_price, 0) * sol.product_uom_qty AS list,
                   sol.price_subtotal AS subtotal, pt.categ_id
              FROM sale_order_line sol
              JOIN product_product pp ON pp.id = sol.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
             WHERE sol.display_type IS NULL
            """
        )

    @api.model
    def _ka_not_settled_sql(self, refreshed, invoice=None, partial=None):
        """SQL: the order ``so`` is in no live settlement (draft, confirmed or
        paid, but the ``refreshed`` drafts about to be recomputed); with
        ``invoice`` and ``partial`` (SQL expressions: a payment share), only
        its lines of that share, of the whole invoice or of no invoice
        count."""
        return SQL(
            """NOT EXISTS (
                   SELECT 1
                     FROM key_account_commission_settlement_line l
                     JOIN key_account_commission_settlement s
                       ON s.id = l.settlement_id
                    WHERE l.order_id = so.id AND l.line_type = 'order'
                      %s
                      AND s.state = ANY(%s)
                      AND s.id <> ALL(%s))""",
            SQL(
                """AND (l.invoice_id IS NULL
                        OR (l.invoice_id = %s
                            AND (COALESCE(l.partial_key, 0) = 0
                                 OR l.partial_key = %s)))""",
                invoice,
                partial,
            )
            if invoice
            else SQL(),
            list(LIVE_STATES),
            list(refreshed),
        )

    def _ka_fetch_orders(
        self, date_from, date_to, users, paid_users=None, refreshed=()
    ):
        """One query: the period's confirmed orders in no live settlement
        (draft, confirmed or paid; the lines of the ``refreshed`` drafts, about
        to be recomputed, do not count), with their base amount in company
        currency (the untaxed amount of the products the salesperson's plan
        covers), the amount left out (the other products') and their price
        ratio (% of list price, of the covered products). The orders of
        ``paid_users`` (paid on invoiced and paid amounts) are left out."""
        start = datetime.combine(date_from, time.min)
        stop = datetime.combine(date_to + relativedelta(days=1), time.min)
        user_clause = (
            SQL("AND so.user_id = ANY(%s)", users.ids)
            if users is not None
            else SQL("AND so.user_id IS NOT NULL")
        )
        if paid_users:
            user_clause = SQL(
                "%s AND so.user_id <> ALL(%s)", user_clause, paid_users.ids
            )
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            WITH ka_covered AS (%(plan_categories)s), orders AS (
                SELECT so.id, so.user_id, so.company_id, so.date_order,
                       ROUND(so.amount_untaxed
                             / COALESCE(NULLIF(so.currency_rate, 0), 1), 2) AS base,
                       COALESCE(NULLIF(so.currency_rate, 0), 1) AS rate,
                       so.ka_referral_partner_id, so.ka_referral_share,
                       u.ka_commission_plan_id AS plan_id,
                       COALESCE(u.ka_commission_plan_id IN
                                (SELECT plan_id FROM ka_covered), FALSE)
                           AS restricted
                  FROM sale_order so
                  LEFT JOIN res_users u ON u.id = so.user_id
                 WHERE so.state = 'sale'
                   AND so.date_order >= %(start)s AND so.date_order < %(stop)s
                   AND so.company_id = ANY(%(companies)s)
                   %(user_clause)s
                   AND %(not_settled)s
            )
            -- the price ratio summed over the lines here, not joined as an
            -- aggregate: the planner then sees one row per order, not
            -- millions (whose cost made PostgreSQL compile the query); only
            -- the lines the plan covers are summed (a filter of the sums,
            -- not of the join: the join keeps its plan), and on a plan with
            -- categories the base is theirs, the rest of the order left out
            SELECT o.id, o.user_id, o.company_id, o.date_order,
                   CASE WHEN o.restricted
                        THEN ROUND(COALESCE(SUM(p.subtotal) FILTER (WHERE %(covered)s),
                                            0) / o.rate, 2)
                        ELSE o.base END,
                   CASE WHEN COALESCE(SUM(p.list) FILTER (WHERE %(covered)s), 0) > 0
                        THEN SUM(p.net) FILTER (WHERE %(covered)s) / o.rate
                             / SUM(p.list) FILTER (WHERE %(covered)s) * 100
                        ELSE 100 END,
                   o.ka_referral_partner_id, o.ka_referral_share, NULL, NULL, NULL,
                   CASE WHEN o.restricted
                        THEN o.base - ROUND(
                            COALESCE(SUM(p.subtotal) FILTER (WHERE %(covered)s), 0)
                            / o.rate, 2)
                        ELSE 0 END
              FROM orders o
              LEFT JOIN (%(price_lines)s) p ON p.order_id = o.id
             GROUP BY o.id, o.user_id, o.company_id, o.date_order, o.base, o.rate,
                      o.ka_referral_partner_id, o.ka_referral_share, o.restricted
             ORDER BY o.user_id, o.date_order, o.id
            """,
                start=start,
                stop=stop,
                companies=self.env.companies.ids,
                user_clause=user_clause,
                not_settled=self._ka_not_settled_sql(refreshed),
                price_lines=self._ka_price_lines_sql(),
                plan_categories=self._ka_plan_categories_sql(),
                # a plan without categories: no lookup per line
                covered=SQL(
                    "(NOT o.restricted OR (o.plan_id, p.categ_id) IN "
                    "(SELECT plan_id, categ_id FROM ka_covered))"
                ),
            )
        )
        return [SourceRow(*row) for row in self.env.cr.fetchall()]

    @api.model
    def _ka_fetch_paid(self, date_from, date_to, users, refreshed=()):
        """One query, for ``users`` paid on invoiced and paid amounts: the
        payment shares of the period (see
        ``account.move._ka_payment_shares_sql``) of the posted customer
        invoices and credit notes of their orders, in no live settlement (as
        for orders, the ``refreshed`` drafts do not count; an order settled as
        a whole counts for all its invoices, an invoice settled as a whole for
        all its payments). A row per (payment share, order): the untaxed
        amount of the invoice's lines of that order in company currency
        (negative for a credit note) times the share of the invoice's total
        the payment paid, rounded so that the shares of an invoice add up to
        its amount to the cent; the order's price ratio; the payment date.
        A credit note applied to an invoice is a payment of the invoice and a
        deduction of the credit note, the same day. The base is the share of
        the lines of products the salesperson's plan covers, ``excluded`` the
        share of the others (their product, by its category), and the price
        ratio the covered products'."""
        if not users:
            return []
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            WITH ka_covered AS (%(plan_categories)s), touched AS (
                SELECT DISTINCT aml.move_id
                  FROM account_partial_reconcile apr
                  JOIN account_move_line aml
                    ON aml.id IN (apr.debit_move_id, apr.credit_move_id)
                 WHERE apr.max_date >= %(date_from)s AND apr.max_date <= %(date_to)s
                   AND aml.display_type = 'payment_term'
            ), shares AS (%(shares)s), invoice_lines AS (
                -- an invoice line belongs to one order (its first order line)
                SELECT DISTINCT ON (aml.id) aml.id, aml.move_id, aml.balance,
                       sol.order_id, pt.categ_id
                  FROM account_move_line aml
                  JOIN sale_order_line_invoice_rel rel ON rel.invoice_line_id = aml.id
                  JOIN sale_order_line sol ON sol.id = rel.order_line_id
                  LEFT JOIN product_product pp ON pp.id = aml.product_id
                  LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE aml.move_id IN (SELECT move_id FROM touched)
                   AND aml.display_type = 'product'
                 ORDER BY aml.id, sol.id
            ), bases AS (
                -- the lines of the products the salesperson's plan covers,
                -- and all of them: the rest is left out
                SELECT il.move_id, il.order_id,
                       -COALESCE(SUM(il.balance) FILTER (WHERE %(covered)s), 0)
                           AS base,
                       -SUM(il.balance) AS total
                  FROM invoice_lines il
                  JOIN sale_order so ON so.id = il.order_id
                  LEFT JOIN res_users u ON u.id = so.user_id
                 GROUP BY il.move_id, il.order_id
            ), parts AS (
                SELECT s.partial_id, s.move_id, s.counterpart_id, s.company_id,
                       s.date, b.order_id,
                       ROUND(b.base * s.cum_share, 2)
                       - ROUND(b.base * (s.cum_share - s.share), 2) AS base,
                       ROUND(b.total * s.cum_share, 2)
                       - ROUND(b.total * (s.cum_share - s.share), 2) AS total
                  FROM shares s
                  JOIN bases b ON b.move_id = s.move_id
                 WHERE s.date >= %(date_from)s AND s.date <= %(date_to)s
            ), prices AS (%(prices)s)
            SELECT so.id, so.user_id, p.company_id, p.date::timestamp, p.base,
                   CASE WHEN COALESCE(pr.list, 0) > 0
                        THEN pr.net / COALESCE(NULLIF(so.currency_rate, 0), 1)
                             / pr.list * 100
                        ELSE 100 END,
                   so.ka_referral_partner_id, so.ka_referral_share, p.move_id,
                   p.partial_id, p.counterpart_id, p.total - p.base
              FROM parts p
              JOIN sale_order so ON so.id = p.order_id
              LEFT JOIN prices pr ON pr.order_id = so.id
             WHERE so.user_id = ANY(%(users)s) AND (p.base <> 0 OR p.total <> 0)
               AND %(not_settled)s
             ORDER BY so.user_id, p.date, p.move_id, p.partial_id, so.id
            """,
                date_from=date_from,
                date_to=date_to,
                users=users.ids,
                shares=self.env["account.move"]._ka_payment_shares_sql(
                    SQL(
                        "inv.id IN (SELECT move_id FROM touched) "
                        "AND inv.company_id = ANY(%s)",
                        self.env.companies.ids,
                    )
                ),
                prices=self._ka_prices_sql(SQL("SELECT order_id FROM parts")),
                plan_categories=self._ka_plan_categories_sql(),
                covered=self._ka_covered_sql(
                    SQL("u.ka_commission_plan_id"), SQL("il.categ_id")
                ),
                not_settled=self._ka_not_settled_sql(
                    refreshed, invoice=SQL("p.move_id"), partial=SQL("p.partial_id")
                ),
            )
        )
        return [SourceRow(*row) for row in self.env.cr.fetchall()]

    @api.model
    def _ka_fetch_reversals(self, date_from, users, refreshed=()):
        """Order lines of confirmed or paid settlements of earlier periods
        whose order was cancelled since, or whose payment was undone since
        (its reconciliation removed: the payment cancelled, the invoice reset
        to draft), reversed in no live settlement yet (but the ``refreshed``
        drafts)."""
        user_clause = (
            SQL("AND s.user_id = ANY(%s)", users.ids) if users is not None else SQL()
        )
        self.env.cr.execute(
            SQL(
                """
            SELECT l.id, s.user_id, s.company_id, l.order_id,
                   COALESCE(l.partial_key, 0) <> 0
              FROM key_account_commission_settlement_line l
              JOIN key_account_commission_settlement s ON s.id = l.settlement_id
              JOIN sale_order so ON so.id = l.order_id
             WHERE l.line_type IN ('order', 'referral')
               AND ((l.invoice_id IS NULL AND so.state = 'cancel')
                    OR (COALESCE(l.partial_key, 0) <> 0
                        AND NOT EXISTS (SELECT 1 FROM account_partial_reconcile apr
                                         WHERE apr.id = l.partial_key)))
               AND s.state IN ('confirmed', 'paid')
               AND s.date_to < %(date_from)s
               AND s.company_id = ANY(%(companies)s)
               %(user_clause)s
               AND NOT EXISTS (
                   SELECT 1
                     FROM key_account_commission_settlement_line r
                     JOIN key_account_commission_settlement rs
                       ON rs.id = r.settlement_id
                    WHERE r.reversed_line_id = l.id
                      AND rs.state = ANY(%(live)s)
                      AND rs.id <> ALL(%(refreshed)s))
            """,
                date_from=date_from,
                companies=self.env.companies.ids,
                user_clause=user_clause,
                live=list(LIVE_STATES),
                refreshed=list(refreshed),
            )
        )
        return [ReversalRow(*row) for row in self.env.cr.fetchall()]

    @api.model
    def _ka_ended_orders(self, rows):
        """The orders of ``rows`` whose customer (or its company) went back
        to the company when the cooperation of the order's salesperson ended
        (a pool move 'ended' from them) before the order's date: the
        company's sales, commissioned to nobody."""
        order_ids = list({row.order_id for row in rows})
        if not order_ids:
            return frozenset()
        self.env.cr.execute(
            SQL(
                """
                SELECT so.id
                  FROM sale_order so
                  JOIN res_partner p ON p.id = so.partner_id
                 WHERE so.id = ANY(%(orders)s)
                   AND EXISTS (
                       SELECT 1 FROM key_account_pool_log l
                        WHERE l.action = 'ended'
                          AND l.from_user_id = so.user_id
                          AND l.partner_id IN (p.id, p.commercial_partner_id)
                          AND l.date <= so.date_order)
                """,
                orders=order_ids,
            )
        )
        return frozenset(row[0] for row in self.env.cr.fetchall())

    def _ka_sale_months(self, users, date_to):
        """{user_id: set of the first days of the months in which the user
        has a confirmed sale, up to date_to}, one grouped query."""
        if not users:
            return {}
        self.env.cr.execute(
            SQL(
                """
            SELECT so.user_id, date_trunc('month', so.date_order)::date
              FROM sale_order so
             WHERE so.state = 'sale' AND so.user_id = ANY(%(users)s)
               AND so.company_id = ANY(%(companies)s)
               AND so.date_order < %(stop)s
             GROUP BY 1, 2
            """,
                users=users.ids,
                companies=self.env.companies.ids,
                stop=date_to + relativedelta(days=1),
            )
        )
        months = defaultdict(set)
        for user_id, month in self.env.cr.fetchall():
            months[user_id].add(month)
        return months
