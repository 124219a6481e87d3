from odoo import fields
from odoo import models
from odoo.addons.key_account.models.account.key_account_health import HEALTH_BANDS
from odoo.tools import SQL

# an account's row: partner id x ID_FACTOR + company id
ID_FACTOR = 100000

FOLLOWUP_STATES = [
    ("within", "Within cadence"),
    ("overdue", "Overdue"),
    ("none", "No cadence"),
]


class KeyAccountDashboardAccount(models.Model):
    """The key accounts as the dashboard groups them: one row per key account
    and company, with that company's figures (grade, 12-month sales,
    receivables: company-dependent on the partner), its follow-up state and
    its health. A reporting view with record rules of its own: salespeople
    see their own accounts, managers all, each user the companies they work
    in (a partner's record rules let salespeople read the accounts of others,
    for the pool and the duplicate checks: not what their dashboard counts)."""

    _name = "key_account.dashboard.account"
    _inherit = ["key_account.dashboard.mixin"]
    _description = "Key Account Dashboard: Accounts"
    _auto = False
    _rec_name = "partner_id"
    _order = "health_score, partner_id"
    # what the view reads, flushed before it is
    _depends = {
        "res.partner": [
            "active",
            "company_id",
            "user_id",
            "ka_team_id",
            "ka_type_id",
            "ka_grade_id",
            "ka_sales_12m",
            "ka_receivable_open",
            "ka_receivable_overdue",
            "ka_overdue_days",
            "ka_next_followup_date",
        ],
        "key_account.health": ["partner_id", "band", "score"],
    }

    partner_id = fields.Many2one("res.partner", string="Key Account", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    type_id = fields.Many2one("key_account.type", readonly=True)
    grade_id = fields.Many2one("key_account.grade", readonly=True)
    sales_12m = fields.Monetary(string="12-month Sales", readonly=True)
    receivable_open = fields.Monetary(string="Open Receivable", readonly=True)
    receivable_overdue = fields.Monetary(string="Overdue Receivable", readonly=True)
    overdue_days = fields.Integer(
        string="Oldest Overdue (Days)", aggregator="max", readonly=True
    )
    next_followup_date = fields.Date(string="Next Follow-up Due", readonly=True)
    followup_state = fields.Selection(
        FOLLOWUP_STATES, string="Follow-up", readonly=True
    )
    health_band = fields.Selection(HEALTH_BANDS, readonly=True)
    health_score = fields.Integer(string="Health", aggregator="avg", readonly=True)
    # counts to sum: the dashboard reads its figures by salesperson in one
    # grouping (a column group-by would double its queries)
    followup_within = fields.Integer(string="Follow-ups Within Cadence", readonly=True)
    followup_overdue = fields.Integer(string="Follow-ups Overdue", readonly=True)
    at_risk = fields.Integer(string="Accounts at Risk", readonly=True)
    owing = fields.Integer(string="Accounts Owing Overdue", readonly=True)

    @property
    def _table_query(self):
        # a row per company the account is shared with (no company) or
        # belongs to; the company-dependent figures are that company's
        return SQL(
            """
            SELECT p.id::bigint * %s + c.id AS id,
                   p.id AS partner_id,
                   c.id AS company_id,
                   c.currency_id AS currency_id,
                   p.user_id AS user_id,
                   p.ka_team_id AS team_id,
                   p.ka_type_id AS type_id,
                   (p.ka_grade_id ->> c.id::text)::int AS grade_id,
                   COALESCE((p.ka_sales_12m ->> c.id::text)::numeric, 0) AS sales_12m,
                   COALESCE((p.ka_receivable_open ->> c.id::text)::numeric, 0)
                       AS receivable_open,
                   COALESCE((p.ka_receivable_overdue ->> c.id::text)::numeric, 0)
                       AS receivable_overdue,
                   COALESCE((p.ka_overdue_days ->> c.id::text)::int, 0) AS overdue_days,
                   p.ka_next_followup_date AS next_followup_date,
                   CASE WHEN p.ka_next_followup_date IS NULL THEN 'none'
                        WHEN p.ka_next_followup_date < CURRENT_DATE THEN 'overdue'
                        ELSE 'within' END AS followup_state,
                   COALESCE((p.ka_next_followup_date >= CURRENT_DATE)::int, 0)
                       AS followup_within,
                   COALESCE((p.ka_next_followup_date < CURRENT_DATE)::int, 0)
                       AS followup_overdue,
                   h.band AS health_band,
                   h.score AS health_score,
                   COALESCE((h.band = 'at_risk')::int, 0) AS at_risk,
                   COALESCE(
                       ((p.ka_receivable_overdue ->> c.id::text)::numeric > 0)::int, 0
                   ) AS owing
              FROM res_partner p
              JOIN res_company c ON p.company_id IS NULL OR p.company_id = c.id
         LEFT JOIN key_account_health h ON h.partner_id = p.id
             WHERE p.ka_type_id IS NOT NULL AND p.active
            """,
            ID_FACTOR,
        )

    def _as_query(self, ordered=True):
        # the rows of these ids (the records' rules and fields read them):
        # an id is partner x ID_FACTOR + company, which no index serves, so
        # the partners are named too, whose key does
        query = super()._as_query(ordered)
        if self._ids:
            partners = tuple({int(record_id) // ID_FACTOR for record_id in self._ids})
            query.add_where(
                SQL("%s IN %s", SQL.identifier(self._table, "partner_id"), partners)
            )
        return query
