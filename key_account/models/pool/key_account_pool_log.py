from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL

POOL_ACTIONS = [
    ("claim", "Claim"),
    ("release", "Release"),
    ("assign", "Assignment"),
    ("return", "Automatic return"),
    ("handover", "Handover"),
    ("ended", "End of Cooperation"),
]


class KeyAccountPoolLog(models.Model):
    """One move of a key account between salespeople and the public pool."""

    _name = "key_account.pool.log"
    _inherit = ["key_account.number.mixin"]
    _description = "Key Account Pool Move"
    _order = "date desc, id desc"
    _rec_name = "partner_id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Key Account",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    from_user_id = fields.Many2one(
        "res.users", string="From", index="btree_not_null", ondelete="set null"
    )
    to_user_id = fields.Many2one(
        "res.users", string="To", index="btree_not_null", ondelete="set null"
    )
    salesperson_id = fields.Many2one(
        "res.users",
        compute="_compute_salesperson_id",
        store=True,
        help="Who gained the account (claim, assignment) or lost it (release, return).",
    )
    action = fields.Selection(POOL_ACTIONS, required=True, index=True)
    reason = fields.Text()
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    done_by_id = fields.Many2one("res.users", default=lambda self: self.env.user)
    caps_overridden = fields.Boolean(
        help="A manager assigned the account beyond the salesperson's caps."
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Pool Team",
        index="btree_not_null",
        ondelete="set null",
        help="The team whose pool the account came from or went to (empty: the "
        "company-wide pool).",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )

    def init(self):
        # one row per salesperson, rewritten by each of their pool moves, so
        # that two concurrent moves of one person cannot both pass the caps
        # (res.partner._ka_pool_lock_user); no foreign key on purpose; Odoo
        # does not know the table: the module's uninstall_hook drops it
        self.env.cr.execute(
            SQL(
                """CREATE TABLE IF NOT EXISTS key_account_pool_turn (
                       user_id integer PRIMARY KEY,
                       moves integer NOT NULL DEFAULT 0
                   )"""
            )
        )

    @api.model
    def _ka_log_moves(self, vals_list):
        """Log the moves of ``vals_list`` (each a dict: ``partner_id``,
        ``from_user_id``, ``to_user_id``, ``action``, ``reason``, ``date``,
        ``caps_overridden``, ``company_id``, ``team_id``), done by the current
        user, in one INSERT however many: the pool's own moves, whose
        values it computed and checked (the companies are the accounts'),
        where the ORM's create costs about a millisecond a row.

        :return: the log rows
        """
        if not vals_list:
            return self.browse()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO key_account_pool_log
                       (partner_id, from_user_id, to_user_id, salesperson_id,
                        action, reason, date, done_by_id, caps_overridden,
                        team_id, company_id, create_uid, create_date, write_uid,
                        write_date)
                SELECT row.partner_id, row.from_id, row.to_id,
                       COALESCE(row.to_id, row.from_id), row.action, row.reason,
                       row.date, %(uid)s, row.caps, row.team_id, row.company_id,
                       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s,
                       NOW() AT TIME ZONE 'UTC'
                  FROM unnest(%(partners)s::int[], %(froms)s::int[], %(tos)s::int[],
                              %(actions)s::varchar[], %(reasons)s::text[],
                              %(dates)s::timestamp[], %(caps)s::bool[],
                              %(teams)s::int[], %(companies)s::int[])
                       WITH ORDINALITY
                       AS row(partner_id, from_id, to_id, action, reason, date,
                              caps, team_id, company_id, n)
              ORDER BY row.n
             RETURNING id
                """,
                uid=self.env.uid,
                partners=[vals["partner_id"] for vals in vals_list],
                froms=[vals.get("from_user_id") or None for vals in vals_list],
                tos=[vals.get("to_user_id") or None for vals in vals_list],
                actions=[vals["action"] for vals in vals_list],
                reasons=[vals.get("reason") or None for vals in vals_list],
                dates=[vals["date"] for vals in vals_list],
                caps=[bool(vals.get("caps_overridden")) for vals in vals_list],
                teams=[vals.get("team_id") or None for vals in vals_list],
                companies=[vals["company_id"] for vals in vals_list],
            )
        )
        logs = self.browse([row[0] for row in self.env.cr.fetchall()])
        self.invalidate_model()
        self.env["res.partner"].browse(
            [vals["partner_id"] for vals in vals_list]
        ).invalidate_recordset(["ka_pool_log_ids"])
        return logs

    @api.depends("action", "from_user_id", "to_user_id")
    def _compute_salesperson_id(self):
        for log in self:
            log.salesperson_id = log.to_user_id or log.from_user_id
