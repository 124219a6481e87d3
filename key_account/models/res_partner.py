from collections import defaultdict
from datetime import datetime
from datetime import time

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools.mail import generate_tracking_message_id

KA_USER = "key_account.group_key_account_user"
KA_MANAGER = "key_account.group_key_account_manager"

LEVELS = [("low", "Low"), ("medium", "Medium"), ("high", "High")]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ---- key-account profile (on the company) ------------------------------
    ka_type_id = fields.Many2one(
        "key_account.type",
        string="Key Account Type",
        index="btree_not_null",
        tracking=True,
        domain="[('company_id', 'in', [False, company_id or current_company_id])]",
        help="A company with a key-account type is a key account.",
    )
    ka_grade_id = fields.Many2one(
        "key_account.grade",
        string="Grade",
        index="btree_not_null",
        copy=False,
        group_expand="_read_group_ka_grade_ids",
        domain="[('company_id', 'in', [False, company_id or current_company_id])]",
    )
    ka_grade_color = fields.Integer(related="ka_grade_id.color", string="Grade Colour")
    ka_grade_locked = fields.Boolean(
        string="Grade Locked",
        copy=False,
        help="A locked grade is fixed by hand: re-grading leaves it alone.",
    )
    ka_since = fields.Date(
        string="Key Account Since",
        compute="_compute_ka_since",
        store=True,
        readonly=False,
        copy=False,
    )
    ka_source = fields.Selection(
        [
            ("trade_show", "Trade show"),
            ("referral", "Referral"),
            ("online", "Online enquiry"),
            ("cold_visit", "Cold visit"),
            ("other", "Other"),
        ],
        string="Source",
    )
    ka_staff_count = fields.Integer(string="Staff")
    ka_annual_revenue = fields.Monetary(
        string="Annual Revenue", currency_field="ka_currency_id"
    )
    ka_main_business = fields.Text(string="Main Business")
    ka_decision_process = fields.Text(
        string="Procurement Decision Process", groups=KA_USER
    )
    ka_need = fields.Text(string="Current Need")
    ka_expected_purchase_date = fields.Date(string="Expected Purchase")
    ka_budget_min = fields.Monetary(
        string="Budget From", currency_field="ka_currency_id"
    )
    ka_budget_max = fields.Monetary(string="Budget To", currency_field="ka_currency_id")
    ka_currency_id = fields.Many2one(
        "res.currency", compute="_compute_ka_currency_id", string="Key Account Currency"
    )
    ka_sales_12m = fields.Monetary(
        string="12-month Sales",
        currency_field="ka_currency_id",
        compute="_compute_ka_sales",
        store=True,
        copy=False,
        help="Untaxed amount of the confirmed sale orders of the last 12 months, "
        "of the company and all its contacts, in company currency.",
    )
    ka_last_order_date = fields.Date(
        string="Last Order",
        compute="_compute_ka_sales",
        store=True,
        copy=False,
    )
    ka_last_contact_date = fields.Date(
        string="Last Contact",
        readonly=True,
        copy=False,
        help="Last follow-up contact: a done call, e-mail or meeting activity "
        "(types marked in their configuration), or a done visit.",
    )
    ka_last_visit_date = fields.Date(string="Last Visit", readonly=True, copy=False)
    ka_last_followup_date = fields.Date(
        string="Last Follow-up",
        compute="_compute_ka_last_followup_date",
        store=True,
        help="The later of the last contact and the last visit.",
    )
    ka_order_ids = fields.One2many(
        "sale.order",
        "ka_commercial_partner_id",
        string="Orders of the Company",
        help="Sale orders of the company and all its contacts.",
    )
    ka_file_completeness = fields.Integer(
        string="File Completeness",
        compute="_compute_ka_file_completeness",
        store=True,
        aggregator="avg",
        help="Share of the customer-file checklist (Settings) that is filled, in %.",
    )
    ka_contact_ids = fields.One2many(
        "res.partner",
        "parent_id",
        string="Relationship Map",
        domain=[("type", "=", "contact")],
        groups=KA_USER,
    )
    ka_grade_history_ids = fields.One2many(
        "key_account.grade.history",
        "partner_id",
        string="Grade History",
        groups=KA_USER,
    )
    ka_grade_history_count = fields.Integer(
        compute="_compute_ka_grade_history_count", groups=KA_USER
    )

    # ---- relationship map (on the contacts) --------------------------------
    ka_role = fields.Selection(
        [
            ("decision_maker", "Decision maker"),
            ("buyer", "Buyer"),
            ("user", "User"),
            ("influencer", "Influencer"),
            ("other", "Other"),
        ],
        string="Role",
        groups=KA_USER,
    )
    ka_influence = fields.Selection(LEVELS, string="Influence", groups=KA_USER)
    ka_relationship = fields.Selection(
        LEVELS, string="Relationship Strength", groups=KA_USER
    )
    ka_competitor_relationship = fields.Selection(
        LEVELS, string="Competitor's Relationship", groups=KA_USER
    )
    ka_birthday = fields.Date(string="Birthday", groups=KA_USER)
    ka_hobbies = fields.Char(string="Hobbies", groups=KA_USER)
    ka_notes = fields.Text(
        string="Relationship Notes",
        groups=KA_USER,
        help="Personality, strengthening measures, next steps.",
    )

    # ---- computes ------------------------------------------------------------
    @api.depends("ka_type_id")
    def _compute_ka_since(self):
        for partner in self:
            if partner.ka_type_id and not partner.ka_since:
                partner.ka_since = fields.Date.context_today(partner)

    @api.depends("ka_last_contact_date", "ka_last_visit_date")
    def _compute_ka_last_followup_date(self):
        for partner in self:
            dates = [
                d
                for d in (partner.ka_last_contact_date, partner.ka_last_visit_date)
                if d
            ]
            partner.ka_last_followup_date = max(dates) if dates else False

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_ka_currency_id(self):
        for partner in self:
            partner.ka_currency_id = (
                partner.company_id.currency_id or self.env.company.currency_id
            )

    @api.depends(
        "ka_type_id",
        "company_id",
        "ka_order_ids.state",
        "ka_order_ids.amount_untaxed",
        "ka_order_ids.currency_rate",
        "ka_order_ids.date_order",
        "ka_order_ids.company_id",
    )
    def _compute_ka_sales(self):
        accounts = self.filtered(lambda p: p.ka_type_id and p._origin.id)
        (self - accounts).ka_sales_12m = 0.0
        (self - accounts).ka_last_order_date = False
        for partner, (total, last) in accounts._ka_sales_values().items():
            partner.ka_sales_12m = total
            partner.ka_last_order_date = last

    def _ka_sales_values(self):
        """12-month sales (in each partner's company currency) and last order
        date of these companies, from one grouped query.

        :return: {partner: (amount, last order date or False)}
        """
        if not self:
            return {}
        stats = self._ka_sales_stats([p._origin.id for p in self])
        today = fields.Date.context_today(self)
        values = {}
        for partner in self:
            currency = partner.ka_currency_id
            company = partner.company_id or self.env.company
            total = 0.0
            last = False
            for order_company, amount, last_date in stats.get(partner._origin.id, ()):
                if order_company.currency_id != currency:
                    amount = order_company.currency_id._convert(
                        amount, currency, company, today
                    )
                total += amount
                last = max(last, last_date) if last else last_date
            values[partner] = (currency.round(total), last)
        return values

    @api.model
    def _ka_sales_window_start(self):
        """First instant counted in the 12-month sales (UTC, naive)."""
        today = fields.Date.context_today(self)
        return datetime.combine(today - relativedelta(months=12), time.min)

    @api.model
    def _ka_sales_stats(self, partner_ids):
        """Confirmed sales of companies, grouped by the company selling.

        :return: {partner_id: [(order company, 12-month amount in that
            company's currency, last order date)]}
        """
        self.env["sale.order"].flush_model(
            [
                "ka_commercial_partner_id",
                "state",
                "amount_untaxed",
                "currency_rate",
                "date_order",
                "company_id",
            ]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT so.ka_commercial_partner_id,
                       so.company_id,
                       SUM(CASE WHEN so.date_order >= %(since)s
                                THEN so.amount_untaxed
                                     / COALESCE(NULLIF(so.currency_rate, 0), 1)
                                ELSE 0 END),
                       MAX(so.date_order)::date
                  FROM sale_order so
                 WHERE so.state = 'sale'
                   AND so.ka_commercial_partner_id = ANY(%(ids)s)
              GROUP BY so.ka_commercial_partner_id, so.company_id
                """,
                since=self._ka_sales_window_start(),
                ids=list(partner_ids),
            )
        )
        stats = defaultdict(list)
        Company = self.env["res.company"]
        for partner_id, company_id, amount, last_date in self.env.cr.fetchall():
            stats[partner_id].append((Company.browse(company_id), amount, last_date))
        return stats

    @api.depends(
        "ka_type_id",
        "industry_id",
        "ka_staff_count",
        "ka_annual_revenue",
        "street",
        "city",
        "country_id",
        "phone",
        "mobile",
        "email",
        "ka_main_business",
        "ka_decision_process",
        "ka_need",
        "ka_expected_purchase_date",
        "ka_budget_max",
        "website",
        "vat",
        "child_ids.ka_role",
        "child_ids.active",
    )
    def _compute_ka_file_completeness(self):
        checks = (
            self.env["key_account.file.check"].sudo().search([]).mapped("criterion")
        )
        for partner in self:
            if not partner.ka_type_id or not checks:
                partner.ka_file_completeness = 0
                continue
            done = sum(1 for check in checks if partner._ka_file_check(check))
            partner.ka_file_completeness = round(100 * done / len(checks))

    def _ka_file_check(self, check):
        """Whether the customer file of this company passes ``check``."""
        self.ensure_one()
        partner = self.sudo()
        if check in ("decision_maker", "buyer"):
            return any(c.ka_role == check for c in partner.child_ids if c.active)
        return bool(
            {
                "industry": lambda: partner.industry_id,
                "size": lambda: partner.ka_staff_count or partner.ka_annual_revenue,
                "address": lambda: partner.street and partner.city,
                "phone_email": lambda: partner.phone or partner.mobile or partner.email,
                "main_business": lambda: partner.ka_main_business,
                "decision_process": lambda: partner.ka_decision_process,
                "need": lambda: partner.ka_need,
                "expected_purchase": lambda: partner.ka_expected_purchase_date,
                "budget": lambda: partner.ka_budget_max,
                "website": lambda: partner.website,
                "vat": lambda: partner.vat,
            }[check]()
        )

    @api.model
    def _ka_recompute_completeness(self):
        """The checklist changed: recompute every key account's completeness."""
        accounts = self.with_context(active_test=False).search(
            [("ka_type_id", "!=", False)]
        )
        self.env.add_to_compute(self._fields["ka_file_completeness"], accounts)

    def _compute_ka_grade_history_count(self):
        counts = dict(
            self.env["key_account.grade.history"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.ka_grade_history_count = counts.get(partner, 0)

    def _read_group_ka_grade_ids(self, grades, domain):
        return grades.search([])

    # ---- constraints -----------------------------------------------------------
    @api.constrains(
        "ka_staff_count", "ka_annual_revenue", "ka_budget_min", "ka_budget_max"
    )
    def _check_ka_amounts(self):
        for partner in self:
            if (
                min(
                    partner.ka_staff_count,
                    partner.ka_annual_revenue,
                    partner.ka_budget_min,
                    partner.ka_budget_max,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._(
                        "%(partner)s: staff, revenue and budget cannot be negative.",
                        partner=partner.display_name,
                    )
                )
            if partner.ka_budget_max and partner.ka_budget_min > partner.ka_budget_max:
                raise ValidationError(
                    self.env._(
                        "%(partner)s: the budget range starts above its end.",
                        partner=partner.display_name,
                    )
                )

    # ---- grade changes ---------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if any(
            "ka_grade_id" in vals or "ka_grade_locked" in vals for vals in vals_list
        ):
            self._ka_check_grade_rights()
        partners = super().create(vals_list)
        graded = partners.filtered("ka_grade_id")
        if graded:
            graded._ka_log_grade_changes(
                dict.fromkeys(graded.ids, self.env["key_account.grade"])
            )
        return partners

    def write(self, vals):
        if "ka_grade_id" not in vals:
            if "ka_grade_locked" in vals:
                self._ka_check_grade_rights()
            return super().write(vals)
        self._ka_check_grade_rights()
        old_grades = {partner.id: partner.ka_grade_id for partner in self}
        res = super().write(vals)
        self._ka_log_grade_changes(old_grades)
        return res

    def _children_sync(self, values):
        # A grade is the company's own: nothing to copy to its contacts. Skips
        # the per-company work of res.partner.write() when re-grading thousands.
        if values.keys() <= {"ka_grade_id", "ka_grade_locked"}:
            return
        return super()._children_sync(values)

    def _ka_check_grade_rights(self):
        if self.env.su or self.env.context.get("ka_regrade"):
            return
        if not self.env.user.has_group(KA_MANAGER):
            raise AccessError(
                self.env._("Only Key Account managers can set or lock a grade by hand.")
            )

    def _ka_log_grade_changes(self, old_grades):
        """Write a history row and a chatter note for each partner whose grade
        differs from ``old_grades[partner.id]``: one insert for all of them."""
        automatic = bool(self.env.context.get("ka_regrade"))
        changed = self.filtered(lambda p: p.ka_grade_id != old_grades.get(p.id))
        if not changed:
            return
        now = fields.Datetime.now()
        # one INSERT, not create(): 20,000 history rows cost a few seconds
        # and a query per hundred rows through the ORM
        self.env["res.partner"].flush_model(["company_id"])
        self.env["key_account.grade.history"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO key_account_grade_history
                       (partner_id, company_id, old_grade_id, new_grade_id, date,
                        mode, user_id, sales_12m, currency_id, create_uid,
                        write_uid, create_date, write_date)
                SELECT h.partner_id, p.company_id, h.old_grade_id, h.new_grade_id,
                       %(now)s, %(mode)s, %(uid)s, h.sales_12m, h.currency_id,
                       %(uid)s, %(uid)s, %(now)s, %(now)s
                  FROM unnest(%(partners)s::int[], %(old)s::int[], %(new)s::int[],
                              %(sales)s::numeric[], %(currencies)s::int[])
                       AS h(partner_id, old_grade_id, new_grade_id, sales_12m,
                            currency_id)
                  JOIN res_partner p ON p.id = h.partner_id
                """,
                now=now,
                mode="automatic" if automatic else "manual",
                uid=self.env.uid,
                partners=changed.ids,
                old=[old_grades[partner.id].id or None for partner in changed],
                new=[partner.ka_grade_id.id or None for partner in changed],
                sales=[partner.ka_sales_12m for partner in changed],
                currencies=[partner.ka_currency_id.id or None for partner in changed],
            )
        )
        changed.invalidate_recordset(["ka_grade_history_ids", "ka_grade_history_count"])
        none = self.env._("no grade")
        if automatic:
            template = self.env._(
                "Re-graded from %(old)s to %(new)s (12-month sales: %(sales)s)."
            )
        else:
            template = self.env._("Grade changed by hand from %(old)s to %(new)s.")
        bodies = {
            partner.id: Markup("<p>%s</p>")
            % (
                template
                % {
                    "old": old_grades[partner.id].name or none,
                    "new": partner.ka_grade_id.name or none,
                    "sales": partner.ka_currency_id.format(partner.ka_sales_12m),
                }
            )
            for partner in changed
        }
        changed._ka_message_log_batch(bodies)

    def _ka_message_log_batch(self, bodies):
        """Log the internal notes ``bodies`` ({partner id: Markup}) on these
        partners in one INSERT: the same messages as _message_log_batch()
        (current user as author, note subtype, no notification), without
        mail.message.create()'s per-record work, which dominates re-grading
        thousands of accounts. The bodies are built from escaped values."""
        if not self:
            return
        author_id, email_from = self._message_compute_author(raise_on_email=False)
        reply_to = self.env["mail.thread"]._notify_get_reply_to(default=email_from)[
            False
        ]
        self.env["mail.message"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO mail_message (model, res_id, body, message_type,
                                          subtype_id, is_internal, author_id,
                                          email_from, reply_to, message_id,
                                          email_add_signature, date, create_uid,
                                          write_uid, create_date, write_date)
                SELECT 'res.partner', b.res_id, b.body, 'notification', %(subtype)s,
                       TRUE, %(author)s, %(email_from)s, %(reply_to)s,
                       %(message_id)s, FALSE, %(now)s, %(uid)s, %(uid)s,
                       %(now)s, %(now)s
                  FROM unnest(%(ids)s::int[], %(bodies)s::text[]) AS b(res_id, body)
                """,
                subtype=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                author=author_id,
                email_from=email_from,
                reply_to=reply_to,
                message_id=generate_tracking_message_id("message-notify"),
                now=fields.Datetime.now(),
                uid=self.env.uid,
                ids=self.ids,
                bodies=[str(bodies.get(partner_id, "")) for partner_id in self.ids],
            )
        )
        self.invalidate_recordset(["message_ids"])

    # ---- follow-ups -------------------------------------------------------------
    def _ka_register_followup(self, kind, date):
        """Record a follow-up of ``kind`` ('contact' or 'visit') done on ``date``
        with these companies. A visit is a contact too. Dates only move forward."""
        fnames = ["ka_last_contact_date"]
        if kind == "visit":
            fnames.append("ka_last_visit_date")
        for fname in fnames:
            behind = self.sudo().filtered(lambda p, f=fname: not p[f] or p[f] < date)
            behind.write({fname: date})

    # ---- the moving 12-month window ----------------------------------------------
    @api.model
    def _ka_cron_refresh_sales(self):
        """Daily: move every key account's 12-month window to today."""
        self.with_context(active_test=False).search(
            [("ka_type_id", "!=", False)]
        )._ka_refresh_sales()

    def _ka_refresh_sales(self):
        """Recompute the 12-month sales of these partners: one grouped query
        and one UPDATE of the partners whose figures moved (the ORM's flush
        would issue an UPDATE per hundred partners)."""
        fnames = ["ka_sales_12m", "ka_last_order_date"]
        self.flush_recordset(fnames)
        accounts = self.filtered(lambda p: p.ka_type_id)
        values = dict.fromkeys(self - accounts, (0.0, False))
        values.update(accounts._ka_sales_values())
        if not values:
            return
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner p
                   SET ka_sales_12m = v.sales, ka_last_order_date = v.last,
                       write_uid = %(uid)s, write_date = %(now)s
                  FROM unnest(%(ids)s::int[], %(sales)s::numeric[], %(last)s::date[])
                       AS v(id, sales, last)
                 WHERE p.id = v.id
                   AND (p.ka_sales_12m IS DISTINCT FROM v.sales
                        OR p.ka_last_order_date IS DISTINCT FROM v.last)
             RETURNING p.id
                """,
                uid=self.env.uid,
                now=fields.Datetime.now(),
                ids=[partner.id for partner in values],
                sales=[sales for sales, _last in values.values()],
                last=[last or None for _sales, last in values.values()],
            )
        )
        moved = self.browse([row[0] for row in self.env.cr.fetchall()])
        self.invalidate_recordset([*fnames, "write_uid", "write_date"])
        # what depends on the sales is recomputed as after an ORM write
        moved.modified(fnames)

    # ---- re-grading --------------------------------------------------------------
    @api.model
    def _ka_cron_regrade(self):
        """Quarterly: re-grade every key account from its real sales."""
        accounts = self.with_context(active_test=False).search(
            [("ka_type_id", "!=", False)]
        )
        return accounts._ka_regrade()

    def action_ka_regrade(self):
        """Button: re-grade these accounts now (managers)."""
        if not self.env.user.has_group(KA_MANAGER):
            raise AccessError(
                self.env._("Only Key Account managers can re-grade accounts.")
            )
        accounts = self.filtered("ka_type_id") if self else None
        if accounts is None:
            self._ka_cron_regrade()
        else:
            accounts._ka_regrade()
        return True

    def _ka_regrade(self):
        """Give each key account of ``self`` the grade its sales earn.

        Set-based: one grouped query and one UPDATE refresh the 12-month
        sales, then one UPDATE per new grade; history and chatter are written
        with one INSERT each.
        :return: the partners whose grade changed
        """
        accounts = self.filtered("ka_type_id")
        if not accounts:
            return self.browse()
        accounts._ka_refresh_sales()

        today = fields.Date.context_today(self)
        moves = defaultdict(list)  # new grade -> partner ids
        by_company = defaultdict(list)
        for partner in accounts:
            if not partner.ka_grade_locked:
                by_company[partner.company_id or self.env.company].append(partner)
        Grade = self.env["key_account.grade"]
        for company, partners in by_company.items():
            ranked, dormant = Grade.with_company(company)._ka_grades_for_company(
                company
            )
            if not ranked:
                continue
            for partner in partners:
                new_grade = next(
                    (g for g in ranked if partner.ka_sales_12m >= g.min_sales_12m),
                    ranked[-1],
                )
                if dormant and new_grade.inactive_months:
                    last = partner.ka_last_order_date or partner.ka_since
                    if last and last < today - relativedelta(
                        months=new_grade.inactive_months
                    ):
                        new_grade = dormant
                if new_grade != partner.ka_grade_id:
                    moves[new_grade].append(partner.id)
        changed = self.browse([pid for ids in moves.values() for pid in ids])
        if not changed:
            return changed
        old_grades = {partner.id: partner.ka_grade_id for partner in changed}
        # One UPDATE per grade: through write(), the ORM flushes a hundred
        # partners per query. What depends on the grade is recomputed as after
        # a write; history and chatter are written as write() would.
        self.flush_recordset(["ka_grade_id"])
        now = fields.Datetime.now()
        for grade, partner_ids in moves.items():
            self.env.cr.execute(
                SQL(
                    """UPDATE res_partner
                          SET ka_grade_id = %s, write_uid = %s, write_date = %s
                        WHERE id = ANY(%s)""",
                    grade.id,
                    self.env.uid,
                    now,
                    partner_ids,
                )
            )
        changed.invalidate_recordset(["ka_grade_id", "write_uid", "write_date"])
        changed.modified(["ka_grade_id"])
        changed.with_context(ka_regrade=True)._ka_log_grade_changes(old_grades)
        return changed

    # ---- actions -------------------------------------------------------------------
    def action_ka_grade_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "key_account.key_account_grade_history_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    # ---- ADDED by the engagement branch: cadence, visits, receptions, gifts ----------

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
        "ka_grade_id.visit_interval_days",
        "ka_grade_id.contact_interval_days",
    )
    def _compute_ka_next_followup(self):
        for partner in self:
            grade = partner.ka_grade_id
            nexts = {}
            for kind, last, days in (
                ("visit", partner.ka_last_visit_date, grade.visit_interval_days),
                ("contact", partner.ka_last_contact_date, grade.contact_interval_days),
            ):
                base = last or partner.ka_since
                nexts[kind] = (
                    base + relativedelta(days=days)
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

    def _compute_ka_engagement(self):
        today = fields.Date.context_today(self)
        year_start = today.replace(month=1, day=1)
        year_end = today.replace(month=12, day=31)
        ids = self.ids
        counts = {}
        for model in ("key_account.visit", "key_account.reception", "key_account.gift"):
            counts[model] = dict(
                self.env[model]._read_group(
                    [("partner_id", "in", ids)], ["partner_id"], ["__count"]
                )
            )
        received = dict(
            self.env["key_account.gift"]._read_group(
                [("recipient_id", "in", ids)], ["recipient_id"], ["__count"]
            )
        )
        cost = defaultdict(float)
        for partner, amount in self.env["key_account.expense"]._read_group(
            [
                ("partner_id", "in", ids),
                ("kind", "=", "actual"),
                ("date", ">=", year_start),
                ("date", "<=", year_end),
            ],
            ["partner_id"],
            ["amount:sum"],
        ):
            cost[partner.id] += amount
        for partner, amount in self.env["key_account.gift"]._read_group(
            [
                ("partner_id", "in", ids),
                ("state", "in", ("done", "closed")),
                ("delivered_date", ">=", year_start),
                ("delivered_date", "<=", year_end),
            ],
            ["partner_id"],
            ["amount_planned:sum"],
        ):
            cost[partner.id] += amount
        for partner in self:
            partner.ka_visit_count = counts["key_account.visit"].get(partner, 0)
            partner.ka_reception_count = counts["key_account.reception"].get(partner, 0)
            partner.ka_gift_count = counts["key_account.gift"].get(partner, 0)
            partner.ka_gift_received_count = received.get(partner, 0)
            partner.ka_engagement_cost = cost.get(partner.id, 0.0)

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
        if not due:
            return self.browse()
        activity_type = self.env.ref("key_account.mail_activity_type_ka_followup")
        # no e-mail per reminder: the owner sees them in their activities
        Activity = (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True)
        )
        open_ids = set(
            Activity.search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", due.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            ).mapped("res_id")
        )
        todo = due.filtered(lambda p: p.id not in open_ids)
        model_id = self.env["ir.model"]._get_id("res.partner")
        Activity.create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": partner.id,
                    "activity_type_id": activity_type.id,
                    "user_id": partner.user_id.id,
                    "date_deadline": max(partner.ka_next_followup_date, today),
                    "summary": self.env._("Key-account follow-up due"),
                    "automated": True,
                }
                for partner in todo
            ]
        )
        return todo
