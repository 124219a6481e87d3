from odoo import fields
from odoo import models
from odoo.tools import SQL


class KeyAccountMovementReport(models.Model):
    """Key accounts won and lost, by date: one row per new key account (its
    Key Account Since date) and one per churned key account (its last order
    plus the churn months of Settings)."""

    _name = "key_account.movement.report"
    _description = "Key Account Movements"
    _auto = False
    _order = "date desc"
    _depends = {
        "res.partner": [
            "ka_type_id",
            "ka_since",
            "ka_last_order_date",
            "ka_grade_id",
            "user_id",
            "company_id",
            "active",
        ],
    }

    date = fields.Date(readonly=True)
    movement = fields.Selection(
        [("new", "New key account"), ("churn", "Churned key account")],
        readonly=True,
    )
    partner_id = fields.Many2one("res.partner", string="Key Account", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    grade_id = fields.Many2one("key_account.grade", readonly=True)
    account_count = fields.Integer(string="Key Accounts", readonly=True)

    @property
    def _table_query(self):
        # grades and last orders are each company's: an account's own
        # company's, a shared account's in the company the user works in
        return SQL(
            """
            WITH a AS (
                SELECT p.id, p.ka_since, p.user_id, p.company_id,
                       (p.ka_grade_id->>k.company::text)::int AS grade_id,
                       (p.ka_last_order_date->>k.company::text)::date AS last_order
                  FROM res_partner p,
                       LATERAL (SELECT COALESCE(p.company_id, %(company)s)
                                       AS company) k
                 WHERE p.ka_type_id IS NOT NULL AND p.active
            )
            SELECT a.id * 2 AS id, a.ka_since AS date, 'new' AS movement,
                   a.id AS partner_id, a.user_id, a.company_id,
                   a.grade_id, 1 AS account_count
              FROM a
             WHERE a.ka_since IS NOT NULL
            UNION ALL
            SELECT a.id * 2 + 1,
                   (a.last_order + make_interval(months => %(months)s))::date,
                   'churn', a.id, a.user_id, a.company_id, a.grade_id, 1
              FROM a
             WHERE a.last_order IS NOT NULL
               AND a.last_order + make_interval(months => %(months)s)
                   <= CURRENT_DATE
            """,
            company=self.env.company.id,
            months=self.env["key_account.kpi.indicator"]._kpi_churn_months()[0],
        )
