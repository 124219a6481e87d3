from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL
from odoo.tools import format_date

from ..common.lang import envs_by_lang
from ..common.settings import days_setting
from .key_account_holiday import next_anniversary

OCCASIONS = [
    ("birthday", "Birthday"),
    ("holiday", "Holiday"),
    ("anniversary", "Key-account anniversary"),
]
GREETING_ACTIVITY = "key_account.mail_activity_type_ka_greeting"


class KeyAccountGreeting(models.Model):
    """An occasion to greet a key account (seed 001 资源库 2.1.1; seed 002
    二(五)1): the birthday of a person, a holiday, the anniversary of the
    day the customer became a key account. The daily cron writes one line
    per account, occasion and day (a unique key: a second run of the day
    writes nothing) and gives the account's owner an activity on it, the
    setting's days ahead; the line offers to prepare a gift.

    Holidays give one line and one activity per account, not one per owner
    listing the accounts: each account's greeting is a task of its own
    (its own gift request, recipient and approval), done account by account,
    and the owner's to-do list shows who is still to greet; an owner's
    portfolio of key accounts is tens of accounts, not thousands.

    Lines are read by the account's owner and Key Account managers only
    (record rules, as the customer file they come from): the day of a
    birthday is personal data. Nobody writes them but the cron."""

    _name = "key_account.greeting"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Key Account Greeting"
    _order = "date desc, id desc"
    _rec_name = "partner_id"
    # the owner reads the line (nobody writes it) and marks its activity done
    _mail_post_access = "read"

    partner_id = fields.Many2one(
        "res.partner",
        string="Key Account",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    user_id = fields.Many2one(
        related="partner_id.user_id",
        string="Owner",
        store=True,
        index=True,
    )
    company_id = fields.Many2one(
        related="partner_id.company_id", store=True, index="btree_not_null"
    )
    occasion = fields.Selection(
        OCCASIONS, string="Occasion Type", required=True, readonly=True
    )
    holiday_id = fields.Many2one("key_account.holiday", readonly=True)
    # "birthday", "anniversary" or "holiday-<id>": with the account and the
    # day, what makes an occasion once
    occasion_key = fields.Char(required=True, readonly=True)
    date = fields.Date(string="Day", required=True, readonly=True)
    occasion_label = fields.Char(string="Occasion", compute="_compute_occasion_label")

    _sql_constraints = [
        (
            "occasion_uniq",
            "unique (partner_id, occasion_key, date)",
            "A key account is greeted once per occasion and day.",
        ),
    ]

    @api.depends("occasion", "holiday_id.name", "date", "partner_id.ka_since")
    def _compute_occasion_label(self):
        for greeting in self:
            greeting.occasion_label = greeting._ka_occasion_label()

    def _ka_occasion_label(self):
        """The occasion in a few words, in the environment's language."""
        self.ensure_one()
        if self.occasion == "birthday":
            return self.env._("Birthday")
        if self.occasion == "holiday":
            return self.holiday_id.with_env(self.env).name or ""
        return self.env._(
            "Key-account anniversary (since %(year)s)",
            year=self.partner_id.sudo().ka_since.year,
        )

    def _ka_summary(self):
        """The owner's activity, in the environment's language."""
        self.ensure_one()
        values = {
            "partner": self.partner_id.sudo().display_name,
            "occasion": self._ka_occasion_label(),
            "date": format_date(self.env, self.date),
        }
        if self.occasion == "birthday":
            return self.env._(
                "Birthday of %(partner)s on %(date)s: send greetings, prepare a gift.",
                **values,
            )
        if self.occasion == "holiday":
            return self.env._(
                "%(occasion)s on %(date)s: greet %(partner)s, prepare a gift.",
                **values,
            )
        return self.env._(
            "%(partner)s: %(occasion)s on %(date)s: send greetings, prepare a gift.",
            **values,
        )

    # ---- the daily cron ---------------------------------------------------------
    @api.model
    def _ka_cron_greetings(self):
        """Daily: the occasions of the next days (Settings, default 3) of
        every owned key account, in its owner's time zone, each written once
        and given one activity for the owner. Pool accounts (no owner) are
        skipped. Birth dates are read as superuser: they stay in the lines
        and activities of the owner, who reads the file.

        :return: the new greetings
        """
        days = max(days_setting(self.env, "key_account.greeting_days", 3), 0)
        accounts = (
            self.env["res.partner"]
            .sudo()
            .search(
                [
                    ("ka_type_id", "!=", False),
                    ("user_id", "!=", False),
                    ("user_id.active", "=", True),
                ]
            )
        )
        if not accounts:
            return self.browse()
        # the window of each owner: from their today, in their time zone
        windows = {}
        for owner in accounts.user_id:
            today = fields.Date.context_today(self.with_context(tz=owner.tz or "UTC"))
            windows[owner.id] = (today, today + timedelta(days=days))
        births = dict(
            self.env["key_account.file"]
            .sudo()
            .search_fetch(
                [("partner_id", "in", accounts.ids), ("date_of_birth", "!=", False)],
                ["partner_id", "date_of_birth"],
            )
            .mapped(lambda file: (file.partner_id.id, file.date_of_birth))
        )
        Holiday = self.env["key_account.holiday"].sudo()
        holidays_by_window = {}
        rows = []  # (partner, occasion, holiday id, occasion key, day)
        for account in accounts:
            start, end = windows[account.user_id.id]
            birth = births.get(account.id)
            if birth and not account.is_company:
                day = next_anniversary(birth, start, end)
                if day:
                    rows.append((account.id, "birthday", None, "birthday", day))
            since = account.ka_since
            if since:
                day = next_anniversary(since, start, end)
                # from the first anniversary on
                if day and day.year > since.year:
                    rows.append((account.id, "anniversary", None, "anniversary", day))
            if (start, end) not in holidays_by_window:
                holidays_by_window[start, end] = Holiday._ka_occurrences(start, end)
            for holiday, day in holidays_by_window[start, end].items():
                if holiday.company_id and account.company_id not in (
                    holiday.company_id,
                    account.company_id.browse(),
                ):
                    continue
                key = f"holiday-{holiday.id}"
                rows.append((account.id, "holiday", holiday.id, key, day))
        return self._ka_insert_greetings(rows)

    @api.model
    def _ka_insert_greetings(self, rows):
        """Write the greetings of ``rows`` not written yet (one INSERT; the
        unique key skips those of an earlier run, or of a run at the same
        time) and give each new one its owner's activity, in the owner's
        language.

        :param rows: [(partner id, occasion, holiday id, occasion key, day)]
        :return: the new greetings
        """
        if not rows:
            return self.browse()
        self.env["res.partner"].flush_model(["user_id", "company_id"])
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO key_account_greeting
                       (partner_id, user_id, company_id, occasion, holiday_id,
                        occasion_key, date, create_uid, create_date, write_uid,
                        write_date)
                SELECT row.partner_id, p.user_id, p.company_id, row.occasion,
                       row.holiday_id, row.occasion_key, row.day, %(uid)s,
                       NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM unnest(%(partners)s::int[], %(occasions)s::varchar[],
                              %(holidays)s::int[], %(keys)s::varchar[],
                              %(days)s::date[])
                       AS row(partner_id, occasion, holiday_id, occasion_key, day)
                  JOIN res_partner p ON p.id = row.partner_id
                    ON CONFLICT (partner_id, occasion_key, date) DO NOTHING
             RETURNING id
                """,
                uid=self.env.uid,
                partners=[row[0] for row in rows],
                occasions=[row[1] for row in rows],
                holidays=[row[2] for row in rows],
                keys=[row[3] for row in rows],
                days=[row[4] for row in rows],
            )
        )
        greetings = self.sudo().browse(sorted(row[0] for row in self.env.cr.fetchall()))
        envs = envs_by_lang(self.env, greetings.user_id)
        activity_type = self.env.ref(GREETING_ACTIVITY)
        model = self.env["ir.model"]._get_id(self._name)
        # one create for all; no e-mail per activity (the cron's other
        # activities send none)
        self.env["mail.activity"].sudo().with_context(
            mail_activity_quick_update=True
        ).create(
            [
                {
                    "res_model_id": model,
                    "res_id": greeting.id,
                    "activity_type_id": activity_type.id,
                    "user_id": greeting.user_id.id,
                    "date_deadline": greeting.date,
                    "summary": greeting.with_env(envs[greeting.user_id.id])
                    .sudo()
                    ._ka_summary(),
                    "automated": True,
                }
                for greeting in greetings
            ]
        )
        return greetings.with_env(self.env)

    # ---- actions -------------------------------------------------------------------
    def action_prepare_gift(self):
        """Open a new gift request for the greeting's account, its recipient
        (a person account: the person) and occasion filled in. Read as the
        user: only the owner and managers read the greeting."""
        self.ensure_one()
        self.check_access("read")
        account = self.partner_id
        context = {
            "default_partner_id": account.id,
            "default_occasion": self.occasion_label,
        }
        if not account.is_company:
            context["default_recipient_id"] = account.id
        if self.company_id:
            context["default_company_id"] = self.company_id.id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Prepare a gift"),
            "res_model": "key_account.gift",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": context,
        }
