from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..common.groups import KA_USER
from ..common.lang import envs_by_lang


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _ka_system_fields(self):
        return super()._ka_system_fields() | {
            "ka_next_visit_date",
            "ka_next_contact_date",
            "ka_next_followup_date",
        }

    # ---- follow-up cadence ---------------------------------------------------------

    ka_next_visit_date = fields.Date(
        string="Next Visit Due",
        compute="_compute_ka_next_followup",
        store=True,
        help="Last visit (or key-account start) plus the grade's days between visits.",
    )
    ka_next_contact_date = fields.Date(
        string="Next Contact Due",
        compute="_compute_ka_next_followup",
        store=True,
        help="Last contact (or key-account start) plus the grade's days between "
        "contacts.",
    )
    ka_next_followup_date = fields.Date(
        string="Next Follow-up Due",
        compute="_compute_ka_next_followup",
        store=True,
        index="btree_not_null",
    )
    ka_followup_overdue = fields.Boolean(
        string="Follow-up Overdue",
        compute="_compute_ka_followup_overdue",
        search="_search_ka_followup_overdue",
        help="The next follow-up was due before today.",
    )
    ka_visit_count = fields.Integer(
        compute="_compute_ka_engagement", string="Visits", groups=KA_USER
    )
    ka_reception_count = fields.Integer(
        compute="_compute_ka_engagement", string="Receptions", groups=KA_USER
    )
    ka_gift_count = fields.Integer(
        compute="_compute_ka_engagement", string="Gifts", groups=KA_USER
    )
    ka_gift_received_count = fields.Integer(
        compute="_compute_ka_engagement", string="Gifts Received", groups=KA_USER
    )
    ka_engagement_cost = fields.Monetary(
        compute="_compute_ka_engagement",
        string="Engagement Cost This Year",
        currency_field="ka_currency_id",
        groups=KA_USER,
        help="Actual expenses of visits and receptions, and gifts handed out, "
        "this calendar year.",
    )

    @api.depends(
        "ka_type_id",
        "ka_since",
        "ka_last_contact_date",
        "ka_last_visit_date",
        "company_id",
        "ka_grade_id.visit_interval_days",
        "ka_grade_id.contact_interval_days",
    )
    def _compute_ka_next_followup(self):
        # the grade of the account's process company, whichever company's
        # environment flushes (a grade changed in another company is
        # recomputed to the same dates)
        grades = self._ka_process_grades()
        for partner in self:
            grade = grades[partner.id]
            nexts = {}
            for kind, last, days in (
                ("visit", partner.ka_last_visit_date, grade.visit_interval_days),
                ("contact", partner.ka_last_contact_date, grade.contact_interval_days),
            ):
                base = last or partner.ka_since
                nexts[kind] = (
                    base + timedelta(days=days)
                    if partner.ka_type_id and base and days > 0
                    else False
                )
            partner.ka_next_visit_date = nexts["visit"]
            partner.ka_next_contact_date = nexts["contact"]
            dates = [d for d in nexts.values() if d]
            partner.ka_next_followup_date = min(dates) if dates else False

    @api.depends("ka_next_followup_date")
    @api.depends_context("tz")
    def _compute_ka_followup_overdue(self):
        today = fields.Date.context_today(self)
        for partner in self:
            partner.ka_followup_overdue = bool(
                partner.ka_next_followup_date and partner.ka_next_followup_date < today
            )

    def _search_ka_followup_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(self.env._("Unsupported search on overdue."))
        today = fields.Date.context_today(self)
        overdue = [("ka_next_followup_date", "<", today)]
        if (operator == "=") == value:
            return overdue
        return [
            "|",
            ("ka_next_followup_date", "=", False),
            ("ka_next_followup_date", ">=", today),
        ]

    @api.depends_context("uid", "tz")
    def _compute_ka_engagement(self):
        """The stat buttons of the engagement: the visits, receptions and
        gifts the user reads, and this year's cost, in one statement."""
        today = fields.Date.context_today(self)
        year = [today.replace(month=1, day=1), today.replace(month=12, day=31)]
        figures = self._ka_figures_by_partner(
            {
                "visits": ("key_account.visit", "partner_id", [], "count"),
                "receptions": ("key_account.reception", "partner_id", [], "count"),
                "gifts": ("key_account.gift", "partner_id", [], "count"),
                "received": ("key_account.gift", "recipient_id", [], "count"),
                "expenses": (
                    "key_account.expense",
                    "partner_id",
                    [
                        ("kind", "=", "actual"),
                        ("date", ">=", year[0]),
                        ("date", "<=", year[1]),
                    ],
                    "sum:amount",
                ),
                "handed": (
                    "key_account.gift",
                    "partner_id",
                    [
                        ("state", "in", ("done", "closed")),
                        ("delivered_date", ">=", year[0]),
                        ("delivered_date", "<=", year[1]),
                    ],
                    "sum:amount_planned",
                ),
            }
        )
        for partner in self:
            id_ = partner._origin.id
            partner.ka_visit_count = int(figures["visits"].get(id_, 0))
            partner.ka_reception_count = int(figures["receptions"].get(id_, 0))
            partner.ka_gift_count = int(figures["gifts"].get(id_, 0))
            partner.ka_gift_received_count = int(figures["received"].get(id_, 0))
            partner.ka_engagement_cost = figures["expenses"].get(id_, 0.0) + figures[
                "handed"
            ].get(id_, 0.0)

    def _ka_engagement_action(self, xmlid):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_ka_visits(self):
        return self._ka_engagement_action("key_account.key_account_visit_action")

    def action_ka_receptions(self):
        return self._ka_engagement_action("key_account.key_account_reception_action")

    def action_ka_gifts(self):
        return self._ka_engagement_action("key_account.key_account_gift_action")

    def action_ka_gifts_received(self):
        action = self._ka_engagement_action("key_account.key_account_gift_action")
        action["domain"] = [("recipient_id", "=", self.id)]
        action["context"] = {
            "default_partner_id": self.commercial_partner_id.id,
            "default_recipient_id": self.id,
        }
        return action

    def _ka_register_followup(self, kind, date):
        res = super()._ka_register_followup(kind, date)
        # a visit or contact answers the revisits the deals ask for
        self.env["sale.order"]._ka_register_revisits(
            self, min(date, fields.Date.context_today(self))
        )
        return res

    @api.model
    def _ka_cron_followup(self):
        """Daily: one follow-up activity for the owner of each key account whose
        follow-up is due, unless one is already open. Set-based."""
        today = fields.Date.context_today(self)
        due = self.search(
            [
                ("ka_type_id", "!=", False),
                ("ka_next_followup_date", "<=", today),
                ("user_id", "!=", False),
            ]
        )
        todo = due._ka_schedule_once(
            "key_account.mail_activity_type_ka_followup",
            lambda env: env._("Key-account follow-up due"),
            lambda partner: max(partner.ka_next_followup_date, today),
        )
        self._ka_schedule_revisits()
        return todo

    @api.model
    def _ka_schedule_revisits(self):
        """Quarterly satisfaction revisit of won key accounts (those with a
        confirmed order): an activity for the owner when no satisfaction score
        was recorded (a feedback with a score) in the last three months, unless
        one is already open. Set-based.

        :return: the partners given a revisit activity
        """
        today = fields.Date.context_today(self)
        # an order in the account's process company
        self.flush_model(
            ["active", "ka_type_id", "user_id", "ka_last_order_date", "company_id"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id FROM res_partner p
                 WHERE p.active
                   AND p.ka_type_id IS NOT NULL
                   AND p.user_id IS NOT NULL
                   AND p.ka_last_order_date->>COALESCE(p.company_id, %s)::text
                       IS NOT NULL
              ORDER BY p.id
                """,
                self._ka_scheduler_company().id,
            )
        )
        won = self.browse([row[0] for row in self.env.cr.fetchall()])
        since = fields.Datetime.to_datetime(today - relativedelta(months=3))
        scored = {
            partner.id
            for (partner,) in self.env["key_account.feedback"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", won.ids),
                    ("satisfaction", ">", 0),
                    ("received_date", ">=", since),
                ],
                ["partner_id"],
            )
        }
        return (won - self.browse(scored))._ka_schedule_once(
            "key_account.mail_activity_type_ka_revisit",
            lambda env: env._(
                "Quarterly satisfaction revisit: record the score as feedback"
            ),
            lambda partner: today,
        )

    def _ka_schedule_once(self, activity_xmlid, summary, deadline):
        """Give the owner of each partner of ``self`` an activity of the type
        ``activity_xmlid``, unless one of that type is already open; no e-mail
        per activity. Set-based: one search, one insert
        (:meth:`_ka_create_activities`).

        :param summary: function of an environment returning the summary,
            called once per language of the owners (each reads it in theirs)
        :param deadline: function of a partner returning the due date
        :return: the partners given an activity
        """
        activity_type = self.env.ref(activity_xmlid)
        open_ids = set(
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
            .mapped("res_id")
        )
        todo = self.filtered(lambda p: p.id not in open_ids)
        owners = todo.sudo().user_id
        envs = envs_by_lang(self.env, owners)
        summaries = {env.lang: summary(env) for env in envs.values()}
        self._ka_create_activities(
            [
                {
                    "res_id": partner.id,
                    "activity_type_id": activity_type.id,
                    "user_id": partner.sudo().user_id.id,
                    "date_deadline": deadline(partner),
                    "summary": summaries[envs[partner.sudo().user_id.id].lang],
                    "automated": True,
                }
                for partner in todo
            ]
        )
        return todo

    # ---- handover: open requests go with their accounts ------------------------------
    @api.model
    def _ka_handover_open_documents(self, partners, user):
        """The visits, receptions and gifts of ``user`` on ``partners`` (None:
        any account) not yet closed or cancelled."""
        domain = [
            ("user_id", "=", user.id),
            ("state", "not in", ("closed", "cancelled")),
        ]
        if partners is not None:
            domain.append(("partner_id", "in", partners.ids))
        documents = [
            self.env[model].sudo().search(domain)
            for model in (
                "key_account.visit",
                "key_account.reception",
                "key_account.gift",
            )
        ]
        return super()._ka_handover_open_documents(partners, user) + [
            records for records in documents if records
        ]
