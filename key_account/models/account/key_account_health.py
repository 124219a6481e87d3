from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.sql import create_index

from ..common.dates import day_start_utc

HEALTH_BANDS = [
    ("healthy", "Healthy"),
    ("watch", "Watch"),
    ("at_risk", "At risk"),
]
# days between follow-ups when the grade asks for none
DEFAULT_CADENCE_DAYS = 30
# months with an order (of the last 12) that score 100
FULL_FREQUENCY_MONTHS = 6
# the receivables signal is 0 once the oldest overdue invoice is this late
RECEIVABLES_ZERO_DAYS = 90


class KeyAccountHealth(models.Model):
    """The health of a key account, one row per account, written by
    :meth:`res.partner._ka_compute_health` only. A narrow table of its own:
    re-scoring a hundred thousand accounts every day rewrites these rows,
    not the partners' (whose every index would be rewritten with them)."""

    _name = "key_account.health"
    _inherit = ["key_account.number.mixin"]
    _description = "Key Account Health"
    _log_access = False

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company", help="The account's process company, whose Settings weigh it."
    )
    score = fields.Integer()
    band = fields.Selection(HEALTH_BANDS, index=True)
    date = fields.Date()
    # one column per signal of res.partner._ka_health_signals()
    followup = fields.Integer()
    trend = fields.Integer()
    frequency = fields.Integer()
    completeness = fields.Integer()
    complaints = fields.Integer()
    receivables = fields.Integer()

    _sql_constraints = [
        ("partner_unique", "UNIQUE(partner_id)", "A key account has one health."),
    ]

    def init(self):
        res = super().init()
        # the accounts of a band, lowest score first (the dashboard's accounts
        # at risk): read from the index, the first ones only
        create_index(
            self.env.cr,
            "key_account_health_band_score_index",
            self._table,
            ["band", "score", "partner_id"],
        )
        return res


_HEALTH = {"compute": "_compute_ka_health", "readonly": True}


class ResPartner(models.Model):
    """The health of a key account: a score from 0 to 100 computed from the
    signals the module keeps (see :meth:`_ka_health_signals`), weighted by its
    process company's Settings, in bands. Computed for all accounts in one
    statement (:meth:`_ka_compute_health`), daily and on demand, into
    ``key_account.health``; read here."""

    _inherit = "res.partner"

    ka_health_score = fields.Integer(
        string="Health",
        help="0-100, from the signals below weighted as in Settings.",
        **_HEALTH,
    )
    ka_health_band = fields.Selection(
        HEALTH_BANDS,
        string="Health Band",
        search="_search_ka_health_band",
        **_HEALTH,
    )
    ka_health_color = fields.Integer(string="Health Colour", **_HEALTH)
    ka_health_date = fields.Date(string="Health Computed On", **_HEALTH)
    ka_health_followup = fields.Integer(
        string="Follow-up Signal",
        help="100 while the last follow-up is within the grade's cadence (the "
        "shorter of its days between visits and between contacts, else 30 days); "
        "down to 0 at three times the cadence.",
        **_HEALTH,
    )
    ka_health_trend = fields.Integer(
        string="Sales Trend Signal",
        help="Confirmed sales of the last 6 months against the 6 months before: "
        "100 when they did not fall, 0 when they halved or more, in between "
        "linearly; 100 for first sales, 0 with no sales in 12 months.",
        **_HEALTH,
    )
    ka_health_frequency = fields.Integer(
        string="Order Frequency Signal",
        help="Months with a confirmed order in the last 12: 6 or more score 100.",
        **_HEALTH,
    )
    ka_health_completeness = fields.Integer(
        string="File Completeness Signal",
        help="The customer file's completeness.",
        **_HEALTH,
    )
    ka_health_complaints = fields.Integer(
        string="Open Complaints Signal",
        help="100 without open complaints, 50 with one, 0 with two or more.",
        **_HEALTH,
    )
    ka_health_receivables = fields.Integer(
        string="Overdue Receivables Signal",
        help="100 without an overdue invoice; down to 0 when the oldest overdue "
        "invoice fell due 90 days ago or more.",
        **_HEALTH,
    )

    def _compute_ka_health(self):
        # as superuser: the health of an account is no secret, and is
        # written by the module only
        signals = list(self._ka_health_signals())
        columns = ["score", "band", "date", *signals]
        rows = {
            row["partner_id"][0]: row
            for row in self.env["key_account.health"]
            .sudo()
            .search_read([("partner_id", "in", self.ids)], ["partner_id", *columns])
        }
        colors = {"healthy": 10, "watch": 3, "at_risk": 1}
        for partner in self:
            row = rows.get(partner.id, {})
            partner.ka_health_score = row.get("score", 0)
            partner.ka_health_band = row.get("band", False)
            partner.ka_health_date = row.get("date", False)
            partner.ka_health_color = colors.get(row.get("band"), 0)
            for code in signals:
                partner[f"ka_health_{code}"] = row.get(code, 0)

    def _search_ka_health_band(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(self.env._("Unsupported search on the health band."))
        values = [value] if operator in ("=", "!=") else list(value)
        positive = operator in ("=", "in")
        Health = self.env["key_account.health"].sudo()
        bands = [v for v in values if v]
        # the accounts in the bands asked for (no band: no health row)
        matching = Health._search([("band", "in", bands)]).subselect("partner_id")
        scored = Health._search([]).subselect("partner_id")
        if len(bands) == len(values):
            domain = [("id", "in", matching)]
        elif not bands:
            domain = [("id", "not in", scored)]
        else:
            domain = ["|", ("id", "in", matching), ("id", "not in", scored)]
        return domain if positive else ["!", *domain]

    # ---- what clients may not write ----------------------------------------------
    def _ka_system_fields(self):
        return super()._ka_system_fields() | self._ka_health_fields()

    def _ka_health_fields(self):
        return {
            "ka_health_score",
            "ka_health_band",
            "ka_health_date",
            *(f"ka_health_{code}" for code in self._ka_health_signals()),
        }

    # ---- the signals ----------------------------------------------------------------
    def _ka_health_signals(self):
        """{code: SQL score from 0 to 100} of each signal, an expression of
        the account ``a`` (id, company_id, followed, cadence, completeness),
        its orders ``o`` (recent, previous, months) and open complaints ``f``
        (n) of :meth:`_ka_compute_health`. Each code has a stored field
        ``ka_health_<code>`` and a weight (``res.company``'s
        ``_ka_health_weight_fields``); overdue receivables come from the
        receivable capability's ``ka_overdue_days`` (``a.overdue_days``)."""
        return {
            "followup": SQL(
                """CASE WHEN a.followed IS NULL THEN 0
                        ELSE 100 - 50.0 * GREATEST(0, %(today)s - a.followed
                                                      - a.cadence) / a.cadence
                   END""",
                today=fields.Date.context_today(self),
            ),
            "trend": SQL(
                """CASE WHEN COALESCE(o.previous, 0) > 0
                        THEN 200.0 * (COALESCE(o.recent, 0) / o.previous - 0.5)
                        WHEN COALESCE(o.recent, 0) > 0 THEN 100
                        ELSE 0 END"""
            ),
            "frequency": SQL(
                "100.0 * COALESCE(o.months, 0) / %s", FULL_FREQUENCY_MONTHS
            ),
            "completeness": SQL("a.completeness"),
            "complaints": SQL("100 - 50 * COALESCE(f.n, 0)"),
            "receivables": SQL(
                "100 - 100.0 * COALESCE(a.overdue_days, 0) / %s",
                RECEIVABLES_ZERO_DAYS,
            ),
        }

    @api.model
    def _ka_health_signal_labels(self):
        """{code: label} in the environment's language."""
        return {
            "followup": self.env._("follow-up late"),
            "trend": self.env._("sales falling"),
            "frequency": self.env._("few orders"),
            "completeness": self.env._("customer file incomplete"),
            "complaints": self.env._("open complaints"),
            "receivables": self.env._("invoices overdue"),
        }

    # ---- the computation ---------------------------------------------------------
    @api.model
    def _ka_cron_health(self):
        """Daily: score every active key account."""
        return self.search([("ka_type_id", "!=", False)])._ka_compute_health()

    def action_ka_compute_health(self):
        """Button: score these accounts now (Key Account managers, or the
        owner of all of them)."""
        self.check_access("read")
        if not self._ka_is_manager() and self.sudo().filtered(
            lambda p: p.user_id != self.env.user
        ):
            raise AccessError(
                self.env._(
                    "Only the owner of a key account or a Key Account manager "
                    "computes its health."
                )
            )
        self.filtered("ka_type_id")._ka_compute_health()
        return True

    def _ka_compute_health(self):
        """Score these key accounts in one statement: their signals from the
        orders, follow-ups, customer file and complaints of their process
        company (:meth:`_ka_process_company`), weighted by its Settings,
        written into ``key_account.health`` (one row per account); then one
        activity for the owner of each account that fell into "at risk" (not
        again while it stays there).

        :return: the accounts that fell into "at risk"
        """
        if not self:
            return self.browse()
        signals = self._ka_health_signals()
        weight_fields = self.env["res.company"]._ka_health_weight_fields()
        self.flush_model(
            [
                "ka_type_id",
                "company_id",
                "ka_grade_id",
                "ka_last_followup_date",
                "ka_since",
                "ka_file_completeness",
                "ka_overdue_days",
            ]
        )
        self.env["sale.order"].flush_model(
            [
                "ka_commercial_partner_id",
                "company_id",
                "state",
                "date_order",
                "amount_untaxed",
                "currency_rate",
            ]
        )
        self.env["key_account.feedback"].flush_model(
            ["partner_id", "company_id", "feedback_type", "state"]
        )
        self.env["key_account.grade"].flush_model(
            ["visit_interval_days", "contact_interval_days"]
        )
        self.env["res.company"].flush_model(
            [*weight_fields.values(), "ka_health_watch_below", "ka_health_risk_below"]
        )
        Health = self.env["key_account.health"]
        Health.flush_model()
        today = fields.Date.context_today(self)
        year = day_start_utc(self, today - relativedelta(months=12))
        half = day_start_utc(self, today - relativedelta(months=6))
        codes = list(signals)
        scores = SQL(", ").join(
            SQL(
                "LEAST(100, GREATEST(0, ROUND(%s)))::int AS %s",
                signals[code],
                SQL.identifier(code),
            )
            for code in codes
        )
        weighted = SQL(" + ").join(
            SQL(
                "c.%s * s.%s",
                SQL.identifier(weight_fields[code]),
                SQL.identifier(code),
            )
            for code in codes
        )
        columns = SQL(", ").join(SQL.identifier(code) for code in codes)
        excluded = SQL(", ").join(
            SQL("%s = EXCLUDED.%s", SQL.identifier(code), SQL.identifier(code))
            for code in codes
        )
        self.env.cr.execute(
            SQL(
                """
                WITH a AS (
                    SELECT p.id, kh.band AS old_band,
                           COALESCE(p.company_id, %(scheduler)s) AS company_id,
                           COALESCE(p.ka_last_followup_date, p.ka_since) AS followed,
                           COALESCE(p.ka_file_completeness, 0) AS completeness,
                           (p.ka_overdue_days ->> COALESCE(p.company_id,
                                                           %(scheduler)s)::text
                           )::int AS overdue_days,
                           COALESCE(LEAST(NULLIF(g.visit_interval_days, 0),
                                          NULLIF(g.contact_interval_days, 0)),
                                    %(cadence)s) AS cadence
                      FROM res_partner p
                      LEFT JOIN key_account_health kh ON kh.partner_id = p.id
                      LEFT JOIN key_account_grade g
                             ON g.id = (p.ka_grade_id
                                        ->> COALESCE(p.company_id,
                                                     %(scheduler)s)::text)::int
                     WHERE p.id = ANY(%(ids)s) AND p.ka_type_id IS NOT NULL
                ), o AS (
                    SELECT so.ka_commercial_partner_id AS id,
                           SUM(so.amount_untaxed
                               / COALESCE(NULLIF(so.currency_rate, 0), 1))
                               FILTER (WHERE so.date_order >= %(half)s) AS recent,
                           SUM(so.amount_untaxed
                               / COALESCE(NULLIF(so.currency_rate, 0), 1))
                               FILTER (WHERE so.date_order < %(half)s) AS previous,
                           COUNT(DISTINCT date_trunc('month', so.date_order))
                               AS months
                      FROM sale_order so
                      JOIN a ON a.id = so.ka_commercial_partner_id
                            AND a.company_id = so.company_id
                     WHERE so.state = 'sale' AND so.date_order >= %(year)s
                  GROUP BY so.ka_commercial_partner_id
                ), f AS (
                    SELECT fb.partner_id AS id, COUNT(*) AS n
                      FROM key_account_feedback fb
                      JOIN a ON a.id = fb.partner_id AND a.company_id = fb.company_id
                     WHERE fb.feedback_type = 'complaint' AND fb.state = 'open'
                  GROUP BY fb.partner_id
                ), s AS (
                    SELECT a.id, a.company_id, %(scores)s
                      FROM a
                      LEFT JOIN o ON o.id = a.id
                      LEFT JOIN f ON f.id = a.id
                ), h AS (
                    SELECT s.*, ROUND((%(weighted)s) / 100.0)::int AS score,
                           c.ka_health_watch_below AS watch_below,
                           c.ka_health_risk_below AS risk_below
                      FROM s JOIN res_company c ON c.id = s.company_id
                ), saved AS (
                    INSERT INTO key_account_health
                           (partner_id, company_id, score, band, date, %(columns)s)
                    SELECT h.id, h.company_id, h.score,
                           CASE WHEN h.score < h.risk_below THEN 'at_risk'
                                WHEN h.score < h.watch_below THEN 'watch'
                                ELSE 'healthy' END,
                           %(today)s, %(columns)s
                      FROM h
                    ON CONFLICT (partner_id) DO UPDATE
                       SET company_id = EXCLUDED.company_id,
                           score = EXCLUDED.score, band = EXCLUDED.band,
                           date = EXCLUDED.date, %(excluded)s
                 RETURNING partner_id, band
                )
                SELECT saved.partner_id
                  FROM saved JOIN a ON a.id = saved.partner_id
                 WHERE saved.band = 'at_risk'
                   AND a.old_band IS DISTINCT FROM 'at_risk'
              ORDER BY saved.partner_id
                """,
                scheduler=self._ka_scheduler_company().id,
                cadence=DEFAULT_CADENCE_DAYS,
                ids=self.ids,
                half=half,
                year=year,
                today=today,
                scores=scores,
                weighted=weighted,
                columns=columns,
                excluded=excluded,
            )
        )
        fallen = self.browse([row[0] for row in self.env.cr.fetchall()])
        Health.invalidate_model()
        self.invalidate_model(
            [f"ka_health_{code}" for code in codes]
            + ["ka_health_score", "ka_health_band", "ka_health_date", "ka_health_color"]
        )
        fallen._ka_health_warn_owners()
        return fallen

    @api.model
    def _ka_health_worst(self, scores, weights, count=2):
        """The ``count`` signals scoring lowest in ``scores`` ({code: score})
        among those weighing in ``weights`` ({code: weight}); of equal
        scores, the heaviest: [(code, score)], worst first."""
        ranked = sorted(
            (score, -weights[code], code)
            for code, score in scores.items()
            if weights.get(code)
        )
        return [(code, score) for score, _weight, code in ranked[:count]]

    def _ka_health_warn_owners(self):
        """One activity for the owner of each of these accounts, in the
        owner's language, naming the two worst signals. One query reads what
        the messages say, one INSERT writes the activities, however many
        accounts fell (tens of thousands on a first scoring: the ORM costs
        milliseconds per account and per activity)."""
        if not self:
            return
        codes = list(self._ka_health_signals())
        weight_fields = self.env["res.company"]._ka_health_weight_fields()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, COALESCE(p.complete_name, p.name), u.id,
                       COALESCE(up.lang, 'en_US'), kh.score,
                       ARRAY[%(scores)s], ARRAY[%(weights)s]
                  FROM res_partner p
                  JOIN res_users u ON u.id = p.user_id AND u.active
                  JOIN res_partner up ON up.id = u.partner_id
                  JOIN key_account_health kh ON kh.partner_id = p.id
                  JOIN res_company c ON c.id = kh.company_id
                 WHERE p.id = ANY(%(ids)s)
              ORDER BY p.id
                """,
                scores=SQL(", ").join(
                    SQL("kh.%s", SQL.identifier(code)) for code in codes
                ),
                weights=SQL(", ").join(
                    SQL("c.%s", SQL.identifier(weight_fields[code])) for code in codes
                ),
                ids=self.ids,
            )
        )
        rows = self.env.cr.fetchall()
        if not rows:
            return
        texts = {}  # lang -> (labels, reason, summary, note): translated once
        ids, names, users, summaries, notes = [], [], [], [], []
        for pid, name, user_id, lang, score, scores, weights in rows:
            if lang not in texts:
                lang_env = self.with_context(lang=lang).env
                texts[lang] = (
                    self.with_env(lang_env)._ka_health_signal_labels(),
                    lang_env._("%(signal)s (%(score)s/100)"),
                    lang_env._("Key account at risk (health %(score)s/100)"),
                    lang_env._(
                        "The health of %(account)s fell to %(score)s/100. Its "
                        "worst signals: %(reasons)s."
                    ),
                )
            labels, reason, summary, note = texts[lang]
            worst = self._ka_health_worst(
                dict(zip(codes, scores, strict=True)),
                dict(zip(codes, weights, strict=True)),
            )
            reasons = "; ".join(
                reason % {"signal": labels[code], "score": value}
                for code, value in worst
            )
            ids.append(pid)
            names.append(name)
            users.append(user_id)
            summaries.append(summary % {"score": score})
            notes.append(
                str(
                    Markup("<p>%s</p>")
                    % (note % {"account": name, "score": score, "reasons": reasons})
                )
            )
        activity_type = self.env.ref("key_account.mail_activity_type_ka_health")
        Activity = self.env["mail.activity"]
        Activity.flush_model()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO mail_activity (res_model_id, res_model, res_id, res_name,
                                           activity_type_id, summary, note,
                                           date_deadline, automated, user_id,
                                           active, create_uid, create_date,
                                           write_uid, write_date)
                SELECT %(model)s, 'res.partner', row.res_id, row.res_name,
                       %(type)s, row.summary, row.note, %(today)s, TRUE,
                       row.user_id, TRUE, %(uid)s, NOW() AT TIME ZONE 'UTC',
                       %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM unnest(%(ids)s::int[], %(names)s::varchar[],
                              %(users)s::int[], %(summaries)s::varchar[],
                              %(notes)s::text[])
                       AS row(res_id, res_name, user_id, summary, note)
                """,
                model=self.env["ir.model"]._get_id("res.partner"),
                type=activity_type.id,
                today=fields.Date.context_today(self),
                uid=self.env.uid,
                ids=ids,
                names=names,
                users=users,
                summaries=summaries,
                notes=notes,
            )
        )
        Activity.invalidate_model()
        self.browse(ids).invalidate_recordset(["activity_ids"])
