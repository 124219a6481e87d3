from collections import defaultdict
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytz
from dateutil.relativedelta import relativedelta
from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import SUPERUSER_ID
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.modules import module as odoo_module
from odoo.tools import SQL
from odoo.tools import config
from odoo.tools import ormcache
from odoo.tools import split_every

from ..common.key_account_number_mixin import check_numbers
from ..common.key_account_number_mixin import module_number_fields
from ..common.key_account_workflow_mixin import field_labels
from .key_account_file import PARTNER_FILE_FIELDS
from .key_account_file import SOURCES
from .key_account_relation import LEVELS
from .key_account_relation import PARTNER_RELATION_FIELDS
from .key_account_relation import ROLES

KA_USER = "key_account.group_key_account_user"
KA_MANAGER = "key_account.group_key_account_manager"

# the confidential fields: computed per user from key_account.file and
# key_account.relation, with an inverse (see _compute_ka_file)
_FILE = {
    "compute": "_compute_ka_file",
    "inverse": "_inverse_ka_file",
    "groups": KA_USER,
}
_RELATION = {
    "compute": "_compute_ka_relation",
    "inverse": "_inverse_ka_relation",
    "groups": KA_USER,
}


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
    # The grade, its lock and the sales figures below are company-dependent:
    # each company grades its key accounts from its own orders, and a user
    # reads (searches, groups, sorts) the figures of the company they work in.
    ka_grade_id = fields.Many2one(
        "key_account.grade",
        string="Grade",
        company_dependent=True,
        copy=False,
        group_expand="_read_group_ka_grade_ids",
        domain="[('company_id', 'in', [False, current_company_id])]",
    )
    ka_grade_color = fields.Integer(related="ka_grade_id.color", string="Grade Colour")
    ka_grade_locked = fields.Boolean(
        string="Grade Locked",
        company_dependent=True,
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
    # ---- the customer file (key_account.file), as the current user reads it -----
    # Not stored here: each field reads the file with the user's record rules
    # (its owner and Key Account managers), so another salesperson, or anyone
    # but a manager on a pool account, reads nothing; writing one writes the
    # file as the user (created on the first write), the rules deciding.
    # Non-stored, they cannot be searched, grouped by or sorted on either.
    ka_source = fields.Selection(SOURCES, string="Source", **_FILE)
    ka_staff_count = fields.Integer(string="Staff", **_FILE)
    ka_annual_revenue = fields.Monetary(
        string="Annual Revenue", currency_field="ka_currency_id", **_FILE
    )
    ka_main_business = fields.Text(string="Main Business", **_FILE)
    ka_decision_process = fields.Text(string="Procurement Decision Process", **_FILE)
    ka_need = fields.Text(string="Current Need", **_FILE)
    ka_expected_purchase_date = fields.Date(string="Expected Purchase", **_FILE)
    ka_budget_min = fields.Monetary(
        string="Budget From", currency_field="ka_currency_id", **_FILE
    )
    ka_budget_max = fields.Monetary(
        string="Budget To", currency_field="ka_currency_id", **_FILE
    )
    ka_file_ids = fields.One2many(
        "key_account.file", "partner_id", string="Customer File", groups=KA_USER
    )
    ka_file_access = fields.Boolean(
        string="Reads the Customer File",
        compute="_compute_ka_file_access",
        groups=KA_USER,
        help="The current user may read and edit the customer file and the "
        "relationship map: the owner of the account and Key Account managers.",
    )
    ka_currency_id = fields.Many2one(
        "res.currency", compute="_compute_ka_currency_id", string="Key Account Currency"
    )
    ka_sales_12m = fields.Float(
        string="12-month Sales",
        company_dependent=True,
        readonly=True,
        copy=False,
        groups=KA_MANAGER,
        help="Untaxed amount of the confirmed sale orders of the last 12 months, "
        "of the company and all its contacts, in company currency.",
    )
    # what salespeople read instead: their own accounts' figure only
    ka_owner_sales_12m = fields.Monetary(
        string="12-month Sales (Own Accounts)",
        currency_field="ka_currency_id",
        compute="_compute_ka_owner_sales_12m",
        groups=KA_USER,
        help="The 12-month sales of the accounts you own (Key Account managers: "
        "of every account).",
    )
    ka_last_order_date = fields.Date(
        string="Last Order", company_dependent=True, readonly=True, copy=False
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

    # ---- relationship map (key_account.relation, on the contacts) ----------------
    # As the file: the entry of the contact, read and written with the user's
    # rights (the owner of the contact's company and Key Account managers).
    ka_role = fields.Selection(ROLES, string="Role", **_RELATION)
    ka_influence = fields.Selection(LEVELS, string="Influence", **_RELATION)
    ka_relationship = fields.Selection(
        LEVELS, string="Relationship Strength", **_RELATION
    )
    ka_competitor_relationship = fields.Selection(
        LEVELS, string="Competitor's Relationship", **_RELATION
    )
    ka_birthday = fields.Date(string="Birthday", **_RELATION)
    ka_hobbies = fields.Char(string="Hobbies", **_RELATION)
    ka_notes = fields.Text(
        string="Relationship Notes",
        help="Personality, strengthening measures, next steps.",
        **_RELATION,
    )
    ka_relation_ids = fields.One2many(
        "key_account.relation",
        "contact_id",
        string="Relationship Map Entry",
        groups=KA_USER,
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

    @api.model
    def _ka_sales_window_start(self):
        """First instant counted in the 12-month sales (UTC, naive)."""
        today = fields.Date.context_today(self)
        return datetime.combine(today - relativedelta(months=12), time.min)

    # ---- the customer file and the relationship map, per user ---------------------
    @api.depends(
        *(f"ka_file_ids.{fname}" for fname in PARTNER_FILE_FIELDS.values()),
        "ka_file_ids.user_id",
    )
    @api.depends_context("uid")
    def _compute_ka_file(self):
        """The customer file as the current user may read it: one query for
        the whole batch, through the record rules of ``key_account.file``."""
        self._ka_read_confidential(
            "key_account.file", "partner_id", PARTNER_FILE_FIELDS
        )

    def _inverse_ka_file(self):
        self._ka_write_confidential(
            "key_account.file", "partner_id", PARTNER_FILE_FIELDS
        )

    @api.depends(
        *(f"ka_relation_ids.{fname}" for fname in PARTNER_RELATION_FIELDS.values()),
        "ka_relation_ids.user_id",
    )
    @api.depends_context("uid")
    def _compute_ka_relation(self):
        """The contact's relationship-map entry as the current user may read it
        (see :meth:`_compute_ka_file`)."""
        self._ka_read_confidential(
            "key_account.relation", "contact_id", PARTNER_RELATION_FIELDS
        )

    def _inverse_ka_relation(self):
        self._ka_write_confidential(
            "key_account.relation", "contact_id", PARTNER_RELATION_FIELDS
        )

    def _ka_read_confidential(self, model, link, mapping):
        """Set the partner fields of ``mapping`` (partner field -> field of
        ``model``) from the records of ``model`` whose ``link`` is the partner,
        read as the current user: empty where the rules hide them."""
        records = self.env[model].search_fetch(
            [(link, "in", self._origin.ids)], [link, *mapping.values()]
        )
        by_partner = {record[link].id: record for record in records}
        for partner in self:
            record = by_partner.get(partner._origin.id)
            for pname, fname in mapping.items():
                partner[pname] = record[fname] if record else False

    def _ka_write_confidential(self, model, link, mapping):
        """Write the partner fields of ``mapping`` to the records of ``model``
        of these partners as the current user, creating the missing ones: the
        record rules of ``model`` decide, whatever the context.

        Only the fields with a value in cache are written: those being written
        (and those read before, unchanged). The ORM protects the others while
        one of them is written and would give them as empty."""
        Model = self.env[model]
        existing = Model.sudo().search_fetch([(link, "in", self.ids)], [link])
        records = {record[link].id: record.with_env(Model.env) for record in existing}
        updates = defaultdict(Model.browse)
        to_create = []
        for partner in self:
            vals = {
                fname: partner._fields[pname].convert_to_write(partner[pname], partner)
                for pname, fname in mapping.items()
                if pname in partner._cache
            }
            if partner.id in records:
                updates[tuple(vals.items())] |= records[partner.id]
            else:
                to_create.append({link: partner.id, **vals})
        for vals, targets in updates.items():
            self._ka_check_confidential_access(targets, "write", link)
            targets.write(dict(vals))
        if to_create:
            # create, then apply the rules as the ORM does, in a savepoint so
            # that a refusal leaves nothing behind
            with self.env.cr.savepoint():
                created = Model.sudo().create(to_create).with_env(Model.env)
                self._ka_check_confidential_access(created, "create", link)

    def _ka_check_confidential_access(self, records, operation, link):
        """Raise unless the current user may ``operation`` ``records`` (files
        or relationship-map entries) under their access rules."""
        forbidden = records - records._filtered_access(operation)
        if forbidden:
            account = forbidden[0].sudo()[link].commercial_partner_id
            raise AccessError(
                self.env._(
                    "%(account)s is not your key account: only its owner and Key "
                    "Account managers can edit its customer file and relationship "
                    "map. Claim it from the pool first, or ask a manager.",
                    account=account.display_name,
                )
            )

    @api.depends("user_id", "commercial_partner_id.user_id")
    @api.depends_context("uid")
    def _compute_ka_file_access(self):
        # for the form only (read-only fields, hidden relationship map): the
        # record rules of the file and the map are the guard
        manager = self._ka_is_manager()
        for partner in self:
            partner.ka_file_access = (
                manager or partner.commercial_partner_id.user_id == self.env.user
            )

    @api.depends("ka_sales_12m", "user_id")
    @api.depends_context("uid")
    def _compute_ka_owner_sales_12m(self):
        manager = self._ka_is_manager()
        for partner in self:
            mine = manager or partner.user_id == self.env.user
            # as superuser: the stored figure is Key Account managers' field
            partner.ka_owner_sales_12m = partner.sudo().ka_sales_12m if mine else 0.0

    @api.depends(
        "ka_type_id",
        "industry_id",
        "street",
        "city",
        "country_id",
        "phone",
        "mobile",
        "email",
        "website",
        "vat",
        "ka_file_ids.staff_count",
        "ka_file_ids.annual_revenue",
        "ka_file_ids.main_business",
        "ka_file_ids.decision_process",
        "ka_file_ids.need",
        "ka_file_ids.expected_purchase_date",
        "ka_file_ids.budget_max",
        "child_ids.ka_relation_ids.role",
        "child_ids.active",
    )
    def _compute_ka_file_completeness(self):
        # as superuser: the completeness of a file is not confidential
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
        file = partner.ka_file_ids[:1]
        if check in ("decision_maker", "buyer"):
            return any(
                c.ka_relation_ids[:1].role == check
                for c in partner.child_ids
                if c.active
            )
        return bool(
            {
                "industry": lambda: partner.industry_id,
                "size": lambda: file.staff_count or file.annual_revenue,
                "address": lambda: partner.street and partner.city,
                "phone_email": lambda: partner.phone or partner.mobile or partner.email,
                "main_business": lambda: file.main_business,
                "decision_process": lambda: file.decision_process,
                "need": lambda: file.need,
                "expected_purchase": lambda: file.expected_purchase_date,
                "budget": lambda: file.budget_max,
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

    @api.depends_context("uid")
    def _compute_ka_grade_history_count(self):
        counts = dict(
            self.env["key_account.grade.history"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.ka_grade_history_count = counts.get(partner, 0)

    def _read_group_ka_grade_ids(self, grades, domain):
        # the columns of the grade table of the company the user works in
        return grades.search([("company_id", "in", [False, self.env.company.id])])

    # ---- what clients may write ---------------------------------------------------
    # Written by the module's own processes only (sales from the orders, the
    # follow-up and pool clocks, completeness from the checklist): refused
    # from any client, managers included; the processes write them as
    # superuser or in SQL.
    _KA_SYSTEM_FIELDS = frozenset(
        {
            "ka_sales_12m",
            "ka_last_order_date",
            "ka_file_completeness",
            "ka_last_contact_date",
            "ka_last_visit_date",
            "ka_last_followup_date",
            "ka_next_visit_date",
            "ka_next_contact_date",
            "ka_next_followup_date",
            "ka_owner_since",
            "ka_pool_since",
            "ka_pool_warning_date",
        }
    )
    # set by Key Account managers only: they decide the grade, its lock and
    # the exemptions from the pool
    _KA_MANAGER_FIELDS = frozenset({"ka_grade_id", "ka_grade_locked"})
    _KA_GUARDED_FIELDS = (
        _KA_SYSTEM_FIELDS
        | _KA_MANAGER_FIELDS
        | {
            "ka_type_id",
            "ka_since",
            "user_id",
        }
    )

    def _ka_is_manager(self):
        return self.env.su or self.env.user.has_group(KA_MANAGER)

    def _ka_check_client_vals(self, vals, creating=False):
        """Refuse what a client (not the module's processes, which write as
        superuser) may not write on key accounts, whatever its context."""
        if not vals.keys() & self._KA_GUARDED_FIELDS:
            return
        system = vals.keys() & self._KA_SYSTEM_FIELDS
        if system:
            raise AccessError(
                self.env._(
                    "%(fields)s are kept by Key Accounts from the orders and the "
                    "follow-ups: they cannot be written.",
                    fields=field_labels(self, system),
                )
            )
        if self._ka_is_manager():
            return
        if vals.keys() & self._KA_MANAGER_FIELDS:
            raise AccessError(
                self.env._("Only Key Account managers can set or lock a grade by hand.")
            )
        if vals.get("ka_type_id"):
            new_type = self.env["key_account.type"].sudo().browse(vals["ka_type_id"])
            if new_type.ka_pool_never_return:
                raise AccessError(
                    self.env._(
                        "Only Key Account managers can give the type %(type)s: its "
                        "accounts never return to the pool.",
                        type=new_type.display_name,
                    )
                )
        if creating:
            if (
                vals.get("ka_type_id")
                and vals.get("user_id")
                and vals["user_id"] != self.env.uid
            ):
                raise AccessError(
                    self.env._(
                        "Only Key Account managers can give a key account to "
                        "somebody else."
                    )
                )
            return
        accounts = self.sudo().filtered("ka_type_id")
        if "ka_type_id" in vals and accounts.filtered(
            lambda p: p.ka_type_id.id != vals["ka_type_id"]
        ):
            raise AccessError(
                self.env._(
                    "Only Key Account managers can change the type of a key account."
                )
            )
        if "ka_since" in vals and accounts.filtered(
            lambda p: p.ka_since and p.ka_since != fields.Date.to_date(vals["ka_since"])
        ):
            raise AccessError(
                self.env._(
                    "Only Key Account managers can change since when a company "
                    "is a key account."
                )
            )

    def _ka_check_grade_company(self, vals):
        """A grade or a lock set by hand is the current company's: refuse it
        on a key account of another company (``vals``' company when given,
        on create), and a grade of another company's table."""
        company = self.env.company
        if "company_id" in vals:
            owners = self.env["res.company"].browse(vals["company_id"])
        else:
            owners = self.sudo().company_id
        foreign = owners - company
        if foreign:
            raise UserError(
                self.env._(
                    "This key account belongs to %(company)s: switch to that "
                    "company to set its grade.",
                    company=foreign[0].name,
                )
            )
        grade = self.env["key_account.grade"].sudo().browse(vals.get("ka_grade_id"))
        if grade.company_id and grade.company_id != company:
            raise UserError(
                self.env._(
                    "The grade %(grade)s belongs to %(company)s: it cannot be "
                    "given in %(current)s.",
                    grade=grade.name,
                    company=grade.company_id.name,
                    current=company.name,
                )
            )

    @api.constrains("ka_since")
    def _check_ka_since(self):
        for partner in self:
            if partner.ka_since and partner.ka_since > fields.Date.context_today(
                partner
            ):
                raise ValidationError(
                    self.env._(
                        "%(partner)s: a company cannot be a key account since a "
                        "day still to come.",
                        partner=partner.display_name,
                    )
                )

    # ---- grade changes and owners ------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        check_numbers(self, vals_list, module_number_fields(self))
        if not self.env.su:
            for vals in vals_list:
                self._ka_check_client_vals(vals, creating=True)
                if vals.keys() & self._KA_MANAGER_FIELDS:
                    self._ka_check_grade_company(vals)
        partners = super().create(vals_list)
        graded = partners.filtered("ka_grade_id")
        if graded:
            graded._ka_log_grade_changes(
                dict.fromkeys(graded.ids, self.env["key_account.grade"])
            )
        return partners

    def write(self, vals):
        """The module's processes write as superuser, after their own checks
        (pool moves log themselves). A client's write is checked: no system
        field, grades and types by managers, and an owner change on a key
        account by a manager only, logged as an assignment or a release."""
        check_numbers(self, [vals], module_number_fields(self))
        moved = self.browse()
        if not self.env.su:
            self._ka_check_client_vals(vals)
            if "user_id" in vals:
                new_user = self.env["res.users"].browse(vals["user_id"] or False)
                moved = self.sudo().filtered(
                    lambda p: p.ka_type_id and p.user_id != new_user
                )
                if moved and not self._ka_is_manager():
                    raise AccessError(
                        self.env._(
                            "Only Key Account managers can change the owner of a "
                            "key account: salespeople claim accounts from the "
                            "pool and release them."
                        )
                    )
                old_owners = {partner.id: partner.user_id for partner in moved}
            if vals.keys() & self._KA_MANAGER_FIELDS:
                self._ka_check_grade_company(vals)
        old_grades = (
            {partner.id: partner.ka_grade_id for partner in self}
            if "ka_grade_id" in vals
            else None
        )
        # orders moving to another company (a contact changing company), or
        # a company becoming or ceasing to be a key account: figures follow
        reparented = vals.keys() & {"parent_id", "is_company"}
        old_commercial = self.sudo().commercial_partner_id if reparented else None
        res = super().write(vals)
        sales_partners = self.sudo().browse()
        if reparented:
            sales_partners = (
                old_commercial | self.sudo().commercial_partner_id
            ).filtered("ka_type_id")
        if "ka_type_id" in vals:
            sales_partners |= self.sudo()
        if sales_partners:
            sales_partners._ka_refresh_sales()
        if old_grades is not None:
            self._ka_log_grade_changes(old_grades)
        if moved:
            moved.with_env(self.env)._ka_pool_after_move(
                new_user,
                "assign" if new_user else "release",
                old_owners,
                reason=self.env._("Owner changed on the partner form."),
            )
        return res

    def _children_sync(self, values):
        # A grade is the company's own: nothing to copy to its contacts. Skips
        # the per-company work of res.partner.write() when re-grading thousands.
        if values.keys() <= {"ka_grade_id", "ka_grade_locked"}:
            return
        return super()._children_sync(values)

    def _ka_log_grade_changes(self, old_grades, automatic=False):
        """Log the partners whose grade in the current company differs from
        ``old_grades[partner.id]``: see :meth:`_ka_write_grade_changes`."""
        changed = self.filtered(lambda p: p.ka_grade_id != old_grades.get(p.id))
        changed._ka_write_grade_changes(
            {
                partner.id: (
                    old_grades[partner.id],
                    partner.ka_grade_id,
                    partner.ka_sales_12m,
                )
                for partner in changed
            },
            automatic=automatic,
        )

    def _ka_write_grade_changes(self, changes, automatic=False):
        """Write a history row for each partner of ``self`` whose grade in
        the current company changed: one insert for all of them, the row
        carrying that company, its 12-month sales and currency.

        A company's own key account also gets a chatter note. A shared one
        does not: every company reads its chatter, and a grade and its sales
        are the figures of one company (its history rows follow the
        company's record rule).

        :param changes: {partner id: (old grade, new grade, 12-month sales)}
        :param automatic: the re-grading made the changes, not a person
        """
        if not self:
            return
        company = self.env.company
        currency = company.currency_id
        # one INSERT for all of them (the ORM inserts by hundreds)
        self.env["key_account.grade.history"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO key_account_grade_history
                       (partner_id, company_id, old_grade_id, new_grade_id, date,
                        mode, user_id, sales_12m, currency_id, create_uid,
                        create_date, write_uid, write_date)
                SELECT row.partner_id, %(company)s, row.old_grade_id,
                       row.new_grade_id, NOW() AT TIME ZONE 'UTC', %(mode)s,
                       %(uid)s, row.sales, %(currency)s, %(uid)s,
                       NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM unnest(%(ids)s::int[], %(old)s::int[], %(new)s::int[],
                              %(sales)s::numeric[])
                       AS row(partner_id, old_grade_id, new_grade_id, sales)
                """,
                company=company.id,
                currency=currency.id,
                mode="automatic" if automatic else "manual",
                uid=self.env.uid,
                ids=self.ids,
                old=[changes[pid][0].id or None for pid in self.ids],
                new=[changes[pid][1].id or None for pid in self.ids],
                sales=[changes[pid][2] for pid in self.ids],
            )
        )
        self.env["key_account.grade.history"].invalidate_model()
        self.invalidate_recordset(["ka_grade_history_ids"])
        self.flush_recordset(["company_id"])
        self.env.cr.execute(
            SQL(
                """SELECT id FROM res_partner
                    WHERE id = ANY(%s) AND company_id IS NOT NULL ORDER BY id""",
                self.ids,
            )
        )
        noted = self.browse([row[0] for row in self.env.cr.fetchall()])
        if not noted:
            return
        none = self.env._("no grade")
        # no sales figure: the chatter of a partner is read by every internal
        # user, the 12-month sales by Key Account managers only
        if automatic:
            template = self.env._("Re-graded from %(old)s to %(new)s.")
        else:
            template = self.env._("Grade changed by hand from %(old)s to %(new)s.")
        bodies = []
        for pid in noted.ids:
            old, new, _sales = changes[pid]
            values = {"old": old.name or none, "new": new.name or none}
            bodies.append(Markup("<p>%s</p>") % (template % values))
        noted._ka_log_notes(bodies)

    def _ka_log_notes(self, bodies):
        """Log an internal note on each partner of ``self`` (``bodies``: escaped
        Markup, in the same order) with one INSERT, however many partners: the
        ORM's message creation costs milliseconds per message, too much for a
        re-grading of tens of thousands of accounts. Notes notify nobody."""
        author = self.env.user.partner_id
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO mail_message (model, res_id, body, message_type,
                                          subtype_id, is_internal, author_id,
                                          email_from, date, create_uid,
                                          create_date, write_uid, write_date)
                SELECT 'res.partner', note.res_id, note.body, 'notification',
                       %(subtype)s, TRUE, %(author)s, %(email)s,
                       NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC',
                       %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM unnest(%(ids)s::int[], %(bodies)s::text[]) AS note(res_id, body)
                """,
                subtype=self.env.ref("mail.mt_note").id,
                author=author.id,
                email=author.email_formatted or None,
                uid=self.env.uid,
                ids=self.ids,
                bodies=[str(body) for body in bodies],
            )
        )
        self.env["mail.message"].invalidate_model()
        self.invalidate_recordset(["message_ids"])

    # ---- follow-ups -------------------------------------------------------------
    def _ka_register_followup(self, kind, date):
        """Record a follow-up of ``kind`` ('contact' or 'visit') done on ``date``
        with these companies. A visit is a contact too. Dates only move
        forward, and never beyond today."""
        date = min(date, fields.Date.context_today(self))
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
        """Recompute the 12-month sales and the last order date of these
        partners, for each company from its own confirmed orders (in its
        currency: no conversion between companies), in one statement: a
        grouped query over the orders feeding one UPDATE of the partners
        whose figures moved. A partner that is not a key account keeps none.

        Called by the daily cron and, for the partners concerned, whenever
        orders are confirmed, cancelled or changed (see sale.order)."""
        if not self:
            return
        fnames = ["ka_sales_12m", "ka_last_order_date"]
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
        self.flush_model(["ka_type_id", *fnames])
        self.env.cr.execute(
            SQL(
                """
                WITH s AS (
                    SELECT so.ka_commercial_partner_id AS partner_id,
                           so.company_id,
                           ROUND(SUM(so.amount_untaxed
                                     / COALESCE(NULLIF(so.currency_rate, 0), 1))
                                 FILTER (WHERE so.date_order >= %(since)s),
                                 cur.decimal_places) AS sales,
                           MAX(so.date_order)::date AS last
                      FROM sale_order so
                      JOIN res_company c ON c.id = so.company_id
                      JOIN res_currency cur ON cur.id = c.currency_id
                     WHERE so.state = 'sale'
                       AND so.ka_commercial_partner_id = ANY(%(ids)s)
                  GROUP BY so.ka_commercial_partner_id, so.company_id,
                           cur.decimal_places
                ), v AS (
                    SELECT p.id,
                           jsonb_object_agg(s.company_id::text, s.sales)
                               FILTER (WHERE s.sales <> 0) AS sales,
                           jsonb_object_agg(s.company_id::text, s.last)
                               FILTER (WHERE s.last IS NOT NULL) AS last
                      FROM res_partner p
                      LEFT JOIN s ON s.partner_id = p.id
                                 AND p.ka_type_id IS NOT NULL
                     WHERE p.id = ANY(%(ids)s)
                  GROUP BY p.id
                )
                UPDATE res_partner p
                   SET ka_sales_12m = v.sales, ka_last_order_date = v.last,
                       write_uid = %(uid)s, write_date = %(now)s
                  FROM v
                 WHERE p.id = v.id
                   AND (p.ka_sales_12m IS DISTINCT FROM v.sales
                        OR p.ka_last_order_date IS DISTINCT FROM v.last)
             RETURNING p.id
                """,
                since=self._ka_sales_window_start(),
                ids=self.ids,
                uid=self.env.uid,
                now=fields.Datetime.now(),
            )
        )
        moved = self.browse([row[0] for row in self.env.cr.fetchall()])
        if not moved:
            return
        moved.invalidate_recordset([*fnames, "write_uid", "write_date"])
        # what depends on the sales is recomputed as after an ORM write
        moved.modified(fnames)

    # ---- re-grading --------------------------------------------------------------
    @api.model
    def _ka_cron_regrade(self):
        """Quarterly: re-grade every key account from its real sales, in
        every company the user acts in (the scheduler's: all of them)."""
        accounts = self.with_context(active_test=False).search(
            [("ka_type_id", "!=", False)]
        )
        return accounts._ka_regrade()

    def action_ka_regrade(self):
        """Button: re-grade these accounts now (managers), in the companies
        they work in."""
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
        """Give each key account of ``self`` the grade its sales earn, in each
        company of the environment (``env.companies``): the accounts visible
        to a company (theirs and the shared ones) are graded from that
        company's figures and grade table, as that company's grades.

        Set-based: one statement refreshes the figures; then per company one
        query reads them, one UPDATE writes the new grades, one INSERT the
        history (and one the chatter notes).
        :return: the partners whose grade changed in at least one company
        """
        accounts = self.filtered("ka_type_id")
        if not accounts:
            return self.browse()
        accounts._ka_refresh_sales()
        self.flush_model(["ka_grade_id", "ka_grade_locked", "ka_since", "company_id"])
        changed = set()
        for company in self.env.companies:
            changed.update(accounts.with_company(company)._ka_regrade_company().ids)
        return self.browse(sorted(changed))

    def _ka_regrade_company(self):
        """Re-grade these key accounts in the current company: see
        :meth:`_ka_regrade`. Locked grades stay.

        :return: the partners whose grade changed
        """
        company = self.env.company
        ranked, dormant = self.env["key_account.grade"]._ka_grades_for_company(company)
        if not ranked:
            return self.browse()
        key = str(company.id)
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, (p.ka_grade_id->>%(key)s)::int,
                       (p.ka_sales_12m->>%(key)s)::numeric,
                       (p.ka_last_order_date->>%(key)s)::date, p.ka_since
                  FROM res_partner p
                 WHERE p.id = ANY(%(ids)s)
                   AND (p.company_id IS NULL OR p.company_id = %(company)s)
                   AND (p.ka_grade_locked->>%(key)s)::boolean IS NOT TRUE
                """,
                key=key,
                ids=self.ids,
                company=company.id,
            )
        )
        today = fields.Date.context_today(self)
        # the last day an order keeps each grade from turning dormant
        cutoffs = {
            grade: today - relativedelta(months=grade.inactive_months)
            for grade in ranked
            if dormant and grade.inactive_months
        }
        Grade = self.env["key_account.grade"]
        changes = {}  # partner id -> (old grade, new grade, sales)
        for partner_id, grade_id, sales, last_order, since in self.env.cr.fetchall():
            sales = float(sales or 0.0)
            new_grade = next(
                (g for g in ranked if sales >= g.min_sales_12m), ranked[-1]
            )
            last = last_order or since
            if new_grade in cutoffs and last and last < cutoffs[new_grade]:
                new_grade = dormant
            if new_grade.id != grade_id:
                changes[partner_id] = (Grade.browse(grade_id), new_grade, sales)
        if not changes:
            return self.browse()
        changed = self.browse(list(changes))
        # one UPDATE rather than res.partner.write(), whose per-partner work
        # (user and contact synchronisation) does not concern a grade; only
        # this company's value changes; what depends on the grade follows
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner p
                   SET ka_grade_id = COALESCE(p.ka_grade_id, '{}'::jsonb)
                                     || jsonb_build_object(%(key)s, v.grade_id),
                       write_uid = %(uid)s, write_date = NOW() AT TIME ZONE 'UTC'
                  FROM unnest(%(ids)s::int[], %(grades)s::int[]) AS v(id, grade_id)
                 WHERE p.id = v.id
                """,
                key=key,
                uid=self.env.uid,
                ids=changed.ids,
                grades=[changes[pid][1].id for pid in changed.ids],
            )
        )
        changed.invalidate_recordset(["ka_grade_id", "write_uid", "write_date"])
        changed.modified(["ka_grade_id"])
        changed._ka_write_grade_changes(changes, automatic=True)
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
        todo = due._ka_schedule_once(
            "key_account.mail_activity_type_ka_followup",
            self.env._("Key-account follow-up due"),
            lambda partner: max(partner.ka_next_followup_date, today),
        )
        self._ka_schedule_revisits()
        return todo

    # ---- the company of processes with one owner --------------------------------
    @api.model
    def _ka_scheduler_company(self):
        """The company the module's scheduled actions run in (they run as
        OdooBot, ``base.user_root``)."""
        return self.env["res.company"].browse(self._ka_scheduler_company_id())

    @api.model
    @ormcache()
    def _ka_scheduler_company_id(self):
        # cached: asked for each account (changing a user's company clears
        # the caches)
        return self.env["res.users"].sudo().browse(SUPERUSER_ID).company_id.id

    def _ka_process_company(self):
        """The company whose figures and grade drive the processes of this
        key account that have one owner (its return to the pool, its
        follow-up cadence): its own company, or for a shared account the
        company the scheduled actions run in."""
        self.ensure_one()
        return self.sudo().company_id or self._ka_scheduler_company()

    def _ka_process_grades(self):
        """Each partner's grade in its process company (see
        :meth:`_ka_process_company`), read as superuser.

        :return: {partner id: grade}
        """
        scheduler = self._ka_scheduler_company()
        Grade = self.env["key_account.grade"].sudo()
        stored = self.filtered("id")
        grades = {}
        if stored:
            # one query reading the one value wanted (the ORM would fetch
            # every company-dependent field of the partners)
            stored.flush_recordset(["ka_grade_id", "company_id"])
            self.env.cr.execute(
                SQL(
                    """
                    SELECT id,
                           (ka_grade_id->>COALESCE(company_id, %s)::text)::int
                      FROM res_partner WHERE id = ANY(%s)
                    """,
                    scheduler.id,
                    stored.ids,
                )
            )
            grades = {pid: Grade.browse(gid) for pid, gid in self.env.cr.fetchall()}
        for partner in (self - stored).sudo():
            company = partner.company_id or scheduler
            grades[partner.id] = partner.with_company(company).ka_grade_id
        return grades

    @api.model
    def _ka_owned_accounts(self, users):
        """The active key accounts owned by ``users``, each with its owner and
        its grade in its process company (see :meth:`_ka_process_company`):
        one query.

        :return: {partner id: (owner id, grade)}
        """
        self.flush_model(
            ["ka_type_id", "active", "user_id", "company_id", "ka_grade_id"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, p.user_id,
                       (p.ka_grade_id->>COALESCE(p.company_id, %s)::text)::int
                  FROM res_partner p
                 WHERE p.ka_type_id IS NOT NULL AND p.active
                   AND p.user_id = ANY(%s)
              ORDER BY p.id
                """,
                self._ka_scheduler_company().id,
                users.ids,
            )
        )
        Grade = self.env["key_account.grade"]
        return {
            pid: (user_id, Grade.browse(grade_id))
            for pid, user_id, grade_id in self.env.cr.fetchall()
        }

    @api.model
    def _ka_search_by_process_grade(self, grades):
        """Key accounts whose grade in their process company is one of
        ``grades`` (a search on the grade reads the current company's)."""
        self.flush_model(["ka_grade_id", "company_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id FROM res_partner p
                 WHERE p.ka_grade_id IS NOT NULL
                   AND (p.ka_grade_id->>COALESCE(p.company_id, %(company)s)::text)::int
                       = ANY(%(grades)s)
                """,
                company=self._ka_scheduler_company().id,
                grades=grades.ids,
            )
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

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
            self.env._("Quarterly satisfaction revisit: record the score as feedback"),
            lambda partner: today,
        )

    def _ka_schedule_once(self, activity_xmlid, summary, deadline):
        """Give the owner of each partner of ``self`` an activity of the type
        ``activity_xmlid``, unless one of that type is already open; no e-mail
        per activity. Set-based: one search, one create.

        :param deadline: function of a partner returning the due date
        :return: the partners given an activity
        """
        activity_type = self.env.ref(activity_xmlid)
        Activity = (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True)
        )
        open_ids = set(
            Activity.search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            ).mapped("res_id")
        )
        todo = self.filtered(lambda p: p.id not in open_ids)
        model_id = self.env["ir.model"]._get_id("res.partner")
        Activity.create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": partner.id,
                    "activity_type_id": activity_type.id,
                    "user_id": partner.user_id.id,
                    "date_deadline": deadline(partner),
                    "summary": summary,
                    "automated": True,
                }
                for partner in todo
            ]
        )
        return todo

    # ---- public pool ------------------------------------------------------------
    # A key account without owner (user_id) is in the pool. Every move of an
    # account between salespeople and the pool is a key_account.pool.log row
    # and a chatter note; the rules come from the company (Settings) and may be
    # overridden per grade.
    ka_pool_since = fields.Datetime(
        string="In Pool Since", readonly=True, copy=False, index="btree_not_null"
    )
    ka_owner_since = fields.Datetime(string="Owned Since", readonly=True, copy=False)
    ka_pool_warning_date = fields.Date(
        string="Pool Warning For",
        readonly=True,
        copy=False,
        help="The return date the owner was last warned about.",
    )
    ka_pool_days = fields.Integer(string="Days in Pool", compute="_compute_ka_pool")
    ka_pool_return_date = fields.Date(
        string="Returns to Pool On",
        compute="_compute_ka_pool",
        help="Empty when the account is exempt or not owned.",
    )
    ka_pool_days_left = fields.Integer(string="Days Left", compute="_compute_ka_pool")
    ka_pool_log_ids = fields.One2many(
        "key_account.pool.log", "partner_id", string="Pool Moves", groups=KA_USER
    )

    @api.depends(
        "user_id",
        "ka_type_id",
        "ka_grade_id",
        "ka_grade_locked",
        "ka_pool_since",
        "ka_owner_since",
        "ka_since",
        "ka_last_order_date",
        "ka_last_followup_date",
        "company_id",
    )
    def _compute_ka_pool(self):
        today = fields.Date.context_today(self)
        for partner in self:
            partner.ka_pool_days = 0
            partner.ka_pool_return_date = False
            partner.ka_pool_days_left = 0
            if not partner.ka_type_id:
                continue
            if not partner.user_id:
                since = partner.ka_pool_since or partner.create_date
                partner.ka_pool_days = (today - since.date()).days if since else 0
                continue
            due = partner._ka_pool_due_date(today)
            if due:
                partner.ka_pool_return_date = due[0]
                partner.ka_pool_days_left = max((due[0] - today).days, 0)

    def _ka_pool_due_date(self, today):
        """When this owned key account goes back to the pool.

        Mirrors the SQL of :meth:`_ka_pool_candidates`: the figures and grade
        of the account's process company (see :meth:`_ka_process_company`).
        :return: (date, 'followup' or 'order', warning days), or None when the
            account is exempt
        """
        self.ensure_one()
        company = self._ka_process_company()
        partner = self.sudo().with_company(company)
        if partner.ka_grade_locked or partner.ka_type_id.ka_pool_never_return:
            return None
        exempt = company.ka_pool_order_exempt_days
        last_order = partner.ka_last_order_date
        if exempt and last_order and last_order >= today - relativedelta(days=exempt):
            return None
        followup_days, order_days, warning_days = partner.ka_grade_id._ka_pool_periods(
            company
        )
        owner_since = partner.ka_owner_since and partner.ka_owner_since.date()
        refs = [owner_since, partner.ka_since]
        followup_ref = max(
            filter(None, [partner.ka_last_followup_date, *refs]), default=None
        )
        order_ref = max(filter(None, [last_order, *refs]), default=None)
        if not followup_ref:
            return None
        followup_due = followup_ref + relativedelta(days=followup_days)
        order_due = order_ref + relativedelta(days=order_days)
        if followup_due <= order_due:
            return followup_due, "followup", warning_days
        return order_due, "order", warning_days

    # ---- pool: locks -----------------------------------------------------------
    def _ka_pool_lock(self, table, ids):
        """Lock rows of ``table`` for the rest of the transaction, waiting a few
        seconds at most.

        :return: False when another transaction holds or has just changed them
        """
        cr = self.env.cr
        try:
            with cr.savepoint(flush=False):
                cr.execute(SQL("SELECT set_config('lock_timeout', '5s', true)"))
                cr.execute(
                    SQL(
                        "SELECT id FROM %s WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                        SQL.identifier(table),
                        list(ids),
                    ),
                    log_exceptions=False,
                )
        except (pg_errors.LockNotAvailable, pg_errors.SerializationFailure):
            return False
        finally:
            cr.execute(SQL("SELECT set_config('lock_timeout', '0', true)"))
        return True

    def _ka_pool_lock_accounts(self):
        """Lock these accounts; a concurrent claim that won makes us fail with
        the winner's name."""
        if self._ka_pool_lock("res_partner", self.ids):
            self.invalidate_recordset(["user_id"])
            return
        # our snapshot is stale: ask a fresh transaction who owns them now
        with self.env.registry.cursor() as cr:
            cr.execute(
                SQL(
                    """SELECT p.name, owner.name
                         FROM res_partner p
                         JOIN res_users u ON u.id = p.user_id
                         JOIN res_partner owner ON owner.id = u.partner_id
                        WHERE p.id = ANY(%s)
                        LIMIT 1""",
                    self.ids,
                )
            )
            row = cr.fetchone()
        if row:
            raise UserError(
                self.env._(
                    "%(account)s was already claimed by %(owner)s.",
                    account=row[0],
                    owner=row[1],
                )
            )
        raise UserError(
            self.env._(
                "Someone else is moving this key account right now: try again in "
                "a moment."
            )
        )

    def _ka_pool_lock_user(self, user):
        """Serialise the cap checks of ``user``: one pool move for them at a
        time. Each move rewrites the user's row of ``key_account_pool_turn``
        (a table without foreign keys, so nothing of Odoo's own, such as its
        session bookkeeping on ``res_users``, ever waits on it): a concurrent
        move waits, then fails instead of counting on a stale snapshot."""
        cr = self.env.cr
        try:
            with cr.savepoint(flush=False):
                cr.execute(SQL("SELECT set_config('lock_timeout', '5s', true)"))
                cr.execute(
                    SQL(
                        """INSERT INTO key_account_pool_turn AS turn (user_id, moves)
                           VALUES (%s, 1)
                           ON CONFLICT (user_id)
                           DO UPDATE SET moves = turn.moves + 1""",
                        user.id,
                    ),
                    log_exceptions=False,
                )
        except (pg_errors.LockNotAvailable, pg_errors.SerializationFailure):
            raise UserError(
                self.env._(
                    "Another pool move for %(user)s was just made: reload and try "
                    "again.",
                    user=user.name,
                )
            ) from None
        finally:
            cr.execute(SQL("SELECT set_config('lock_timeout', '0', true)"))

    # ---- pool: checks ----------------------------------------------------------
    def _ka_pool_check_accounts(self):
        not_accounts = self.filtered(lambda p: not p.ka_type_id)
        if not_accounts:
            raise UserError(
                self.env._(
                    "%(partner)s is not a key account: only key accounts belong "
                    "to the pool.",
                    partner=not_accounts[0].display_name,
                )
            )

    def _ka_pool_check_caps(self, user, company, claims=0):
        """Raise if ``user`` getting ``self`` exceeds a cap of ``company``."""
        partner_model = self.sudo().with_context(active_test=False)
        owned = partner_model.search_count(
            [("user_id", "=", user.id), ("ka_type_id", "!=", False)]
        )
        cap = company.ka_pool_max_owned
        if cap and owned + len(self) > cap:
            raise UserError(
                self.env._(
                    "%(user)s already owns %(owned)s key accounts: the cap is %(cap)s.",
                    user=user.name,
                    owned=owned,
                    cap=cap,
                )
            )
        cap = company.ka_pool_max_claims_per_day
        if claims and cap:
            done = (
                self.env["key_account.pool.log"]
                .sudo()
                .search_count(
                    [
                        ("to_user_id", "=", user.id),
                        ("action", "=", "claim"),
                        ("date", ">=", self._ka_user_day_start(user)),
                    ]
                )
            )
            if done + claims > cap:
                raise UserError(
                    self.env._(
                        "%(user)s already claimed %(done)s key accounts today: the "
                        "cap is %(cap)s a day.",
                        user=user.name,
                        done=done,
                        cap=cap,
                    )
                )

    @api.model
    def _ka_user_day_start(self, user):
        """The start of ``user``'s calendar day, in their time zone, as the
        naive UTC datetime the database stores."""
        tz = pytz.timezone(user.tz or "UTC")
        now = pytz.utc.localize(fields.Datetime.now()).astimezone(tz)
        start = tz.localize(datetime.combine(now.date(), time.min))
        return start.astimezone(pytz.utc).replace(tzinfo=None)

    def _ka_pool_check_cooldown(self, user, company):
        days = company.ka_pool_cooldown_days
        if not days:
            return
        recent = (
            self.env["key_account.pool.log"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.ids),
                    ("from_user_id", "=", user.id),
                    ("to_user_id", "!=", user.id),
                    ("date", ">", fields.Datetime.now() - relativedelta(days=days)),
                ],
                limit=1,
            )
        )
        if recent:
            raise UserError(
                self.env._(
                    "%(account)s left you on %(date)s: you may claim it again %(days)s "
                    "days after that.",
                    account=recent.partner_id.display_name,
                    date=fields.Date.to_string(recent.date.date()),
                    days=days,
                )
            )

    # ---- pool: the moves ---------------------------------------------------------
    def action_ka_claim(self):
        """Take these key accounts from the pool (Key Accounts users)."""
        user = self.env.user
        if not user.has_group(KA_USER):
            raise AccessError(
                self.env._("Only Key Accounts users can claim accounts from the pool.")
            )
        if not self:
            return True
        self._ka_pool_check_accounts()
        self._ka_pool_lock_accounts()
        for partner in self:
            owner = partner.sudo().user_id
            if owner == user:
                raise UserError(
                    self.env._(
                        "You already own %(account)s.", account=partner.display_name
                    )
                )
            if owner:
                raise UserError(
                    self.env._(
                        "%(account)s was already claimed by %(owner)s.",
                        account=partner.display_name,
                        owner=owner.name,
                    )
                )
        self._ka_pool_lock_user(user)
        company = self.env.company
        self._ka_pool_check_cooldown(user, company)
        self._ka_pool_check_caps(user, company, claims=len(self))
        self._ka_pool_move(user, "claim")
        return True

    def action_ka_release(self, reason):
        """Put these key accounts back into the pool: their owner, or a manager."""
        if not (reason or "").strip():
            raise UserError(self.env._("Say why you release the key account."))
        user = self.env.user
        if not user.has_group(KA_USER):
            raise AccessError(
                self.env._("Only Key Accounts users can release accounts.")
            )
        if not self:
            return True
        self._ka_pool_check_accounts()
        self._ka_pool_lock_accounts()
        manager = user.has_group(KA_MANAGER)
        for partner in self:
            owner = partner.sudo().user_id
            if not owner:
                raise UserError(
                    self.env._(
                        "%(account)s is already in the pool.",
                        account=partner.display_name,
                    )
                )
            if owner != user and not manager:
                raise UserError(
                    self.env._(
                        "You can only release your own key accounts: %(account)s "
                        "belongs to %(owner)s.",
                        account=partner.display_name,
                        owner=owner.name,
                    )
                )
        self._ka_pool_move(self.env["res.users"], "release", reason=reason.strip())
        return True

    def action_ka_open_release(self):
        """Button: ask for the reason of the release."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Release to the Pool"),
            "res_model": "key_account.pool.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_mode": "release",
                "default_partner_ids": self.ids,
            },
        }

    def action_ka_assign(
        self, user, reason=False, override_caps=False, action="assign"
    ):
        """Give these key accounts to ``user`` (managers). Over a cap only with
        ``override_caps`` and a reason."""
        if not (self.env.su or self.env.user.has_group(KA_MANAGER)):
            raise AccessError(
                self.env._("Only Key Account managers can assign key accounts.")
            )
        reason = (reason or "").strip()
        if not user.sudo().has_group(KA_USER):
            raise UserError(
                self.env._(
                    "%(user)s is not a Key Accounts user.", user=user.display_name
                )
            )
        if override_caps and not reason:
            raise UserError(self.env._("Say why you override the caps."))
        self._ka_pool_check_accounts()
        self._ka_pool_lock_accounts()
        accounts = self.filtered(lambda p: p.sudo().user_id != user)
        if not accounts:
            return True
        self._ka_pool_lock_user(user)
        if not override_caps:
            accounts._ka_pool_check_caps(user, self.env.company)
        accounts._ka_pool_move(
            user, action, reason=reason or False, caps_overridden=override_caps
        )
        return True

    def _ka_pool_move(self, to_user, action, reason=False, caps_overridden=False):
        """Move these accounts to ``to_user`` (empty: the pool); log it."""
        old_owners = {partner.id: partner.sudo().user_id for partner in self}
        self.sudo().write({"user_id": to_user.id or False})
        self._ka_pool_after_move(
            to_user, action, old_owners, reason=reason, caps_overridden=caps_overridden
        )

    def _ka_pool_after_move(
        self, to_user, action, old_owners, reason=False, caps_overridden=False
    ):
        """Dates, closed warnings, a log row and a chatter note per account."""
        now = fields.Datetime.now()
        partners = self.sudo()
        partners.write(
            {
                "ka_owner_since": now if to_user else False,
                "ka_pool_since": False if to_user else now,
                "ka_pool_warning_date": False,
            }
        )
        self.env["mail.activity"].sudo().search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", self.ids),
                ("activity_type_id", "=", self._ka_pool_warning_type().id),
            ]
        ).unlink()
        default_company = self.env.company
        self.env["key_account.pool.log"].sudo().create(
            [
                {
                    "partner_id": partner.id,
                    "from_user_id": old_owners[partner.id].id,
                    "to_user_id": to_user.id,
                    "action": action,
                    "reason": reason,
                    "date": now,
                    "caps_overridden": caps_overridden,
                    "company_id": (partner.company_id or default_company).id,
                }
                for partner in partners
            ]
        )
        labels = dict(
            self.env["key_account.pool.log"]
            ._fields["action"]
            ._description_selection(self.env)
        )
        pool = self.env._("the pool")
        bodies = {}
        for partner in partners:
            text = self.env._(
                "%(action)s: from %(from)s to %(to)s, by %(by)s.",
                action=labels[action],
                **{
                    "from": old_owners[partner.id].name or pool,
                    "to": to_user.name or pool,
                    "by": self.env.user.name,
                },
            )
            body = Markup("<p>%s</p>") % text
            if reason:
                body += Markup("<p>%s</p>") % reason
            bodies[partner.id] = body
        partners._ka_log_notes([bodies[partner.id] for partner in partners])

    @api.model
    def _ka_pool_warning_type(self):
        return self.env.ref("key_account.mail_activity_type_pool_warning")

    # ---- pool: automatic return -----------------------------------------------------
    @api.model
    def _ka_pool_candidates(self, today):
        """Owned key accounts to warn or return today, in one query, each
        from the figures and grade of its process company (its own, or for a
        shared account the one the scheduled actions run in).

        :return: rows (partner id, owner id, return date, 'followup'/'order',
            warning days)
        """
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, p.user_id, r.due, r.kind, d.warn
                  FROM res_partner p
                  JOIN key_account_type t ON t.id = p.ka_type_id
                  JOIN res_company c ON c.id = COALESCE(p.company_id, %(company)s)
                 CROSS JOIN LATERAL (
                       SELECT (p.ka_grade_id->>c.id::text)::int AS grade_id,
                              (p.ka_grade_locked->>c.id::text)::boolean AS locked,
                              (p.ka_last_order_date->>c.id::text)::date
                                  AS last_order
                       ) k
                  LEFT JOIN key_account_grade g ON g.id = k.grade_id
                 CROSS JOIN LATERAL (
                       SELECT COALESCE(NULLIF(g.ka_pool_followup_days, 0),
                                       c.ka_pool_followup_days) AS followup,
                              COALESCE(NULLIF(g.ka_pool_order_days, 0),
                                       c.ka_pool_order_days) AS ord,
                              COALESCE(NULLIF(g.ka_pool_warning_days, 0),
                                       c.ka_pool_warning_days) AS warn
                       ) d
                 CROSS JOIN LATERAL (
                       SELECT GREATEST(p.ka_last_followup_date,
                                       p.ka_owner_since::date, p.ka_since)
                                  + d.followup AS followup_due,
                              GREATEST(k.last_order,
                                       p.ka_owner_since::date, p.ka_since)
                                  + d.ord AS order_due
                       ) f
                 CROSS JOIN LATERAL (
                       SELECT LEAST(f.followup_due, f.order_due) AS due,
                              CASE WHEN f.followup_due <= f.order_due
                                   THEN 'followup' ELSE 'order' END AS kind
                       ) r
                 WHERE p.active
                   AND p.user_id IS NOT NULL
                   AND k.locked IS NOT TRUE
                   AND t.ka_pool_never_return IS NOT TRUE
                   AND (COALESCE(c.ka_pool_order_exempt_days, 0) = 0
                        OR k.last_order IS NULL
                        OR k.last_order
                           < %(today)s::date - c.ka_pool_order_exempt_days)
                   AND r.due - d.warn <= %(today)s::date
                   AND (r.due <= %(today)s::date
                        OR p.ka_pool_warning_date IS DISTINCT FROM r.due)
              ORDER BY p.id
                """,
                company=self._ka_scheduler_company().id,
                today=today,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _ka_cron_pool_return(self, batch_size=1000):
        """Daily: warn the owners of accounts about to go back to the pool, and
        put back those whose time is up. Set-based: one query finds them, then
        one write, one log insert and one chatter insert per batch; the batches
        are committed one by one outside of tests."""
        today = fields.Date.context_today(self)
        rows = self._ka_pool_candidates(today)
        returns = [row for row in rows if row[2] <= today]
        warnings = [row for row in rows if row[2] > today]
        # never while installing (the demo data runs this cron: a commit
        # would break the loading's savepoints) nor in tests
        auto_commit = (
            self.env.registry.ready
            and not (config["test_enable"] or odoo_module.current_test)
            and self.env.context.get("ka_pool_autocommit", True)
        )
        cron = self.env["ir.cron"]
        done, total = 0, len(rows)
        for batch in split_every(batch_size, returns):
            self._ka_pool_return_batch(batch, today)
            done += len(batch)
            cron._notify_progress(done=done, remaining=total - done)
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        for batch in split_every(batch_size, warnings):
            self._ka_pool_warn_batch(batch)
            done += len(batch)
            cron._notify_progress(done=done, remaining=total - done)
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return len(returns), len(warnings)

    @api.model
    def _ka_pool_return_batch(self, rows, today):
        by_kind = defaultdict(list)
        for partner_id, _user_id, _due, kind, _warn in rows:
            by_kind[kind].append(partner_id)
        reasons = {
            "followup": self.env._("No follow-up in time: returned to the pool."),
            "order": self.env._("No confirmed order in time: returned to the pool."),
        }
        for kind, partner_ids in by_kind.items():
            partners = self.browse(partner_ids).with_context(tracking_disable=True)
            partners._ka_pool_move(
                self.env["res.users"], "return", reason=reasons[kind]
            )

    @api.model
    def _ka_pool_warn_batch(self, rows):
        partners = self.browse([row[0] for row in rows]).sudo()
        activity_type = self._ka_pool_warning_type()
        model_id = self.env["ir.model"]._get_id("res.partner")
        # the owners follow their accounts with the default subtypes, as
        # creating an activity makes them (one ORM call per owner and batch,
        # most of the time of a catch-up): one query for the whole batch
        default_subtypes = self.env["mail.message.subtype"].default_subtypes(
            "res.partner"
        )[0]
        self.env.cr.execute(
            SQL(
                """
                WITH new AS (
                    INSERT INTO mail_followers (res_model, res_id, partner_id)
                    SELECT DISTINCT 'res.partner', row.res_id, u.partner_id
                      FROM unnest(%(ids)s::int[], %(users)s::int[])
                           AS row(res_id, uid)
                      JOIN res_users u ON u.id = row.uid
                    ON CONFLICT DO NOTHING
                    RETURNING id
                )
                INSERT INTO mail_followers_mail_message_subtype_rel
                       (mail_followers_id, mail_message_subtype_id)
                SELECT new.id, subtype.id
                  FROM new, unnest(%(subtypes)s::int[]) AS subtype(id)
                """,
                ids=[row[0] for row in rows],
                users=[row[1] for row in rows],
                subtypes=default_subtypes.ids,
            )
        )
        self.env["mail.followers"].invalidate_model()
        self.env["mail.activity"].sudo().with_context(
            mail_activity_quick_update=True
        ).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": partner_id,
                    "activity_type_id": activity_type.id,
                    "user_id": user_id,
                    "date_deadline": due,
                    "summary": self.env._("Follow up before it returns to the pool"),
                }
                for partner_id, user_id, due, _kind, _warn in rows
            ]
        )
        bodies = {}
        for partner_id, _user_id, due, kind, _warn in rows:
            what = (
                self.env._("a follow-up (visit, call, e-mail or meeting)")
                if kind == "followup"
                else self.env._("a confirmed order")
            )
            bodies[partner_id] = Markup("<p>%s</p>") % self.env._(
                "This key account goes back to the pool on %(date)s without %(what)s.",
                date=fields.Date.to_string(due),
                what=what,
            )
        partners._ka_log_notes([bodies[partner.id] for partner in partners])
        for due, partner_ids in self._ka_group_by_due(rows).items():
            self.browse(partner_ids).sudo().write({"ka_pool_warning_date": due})

    @api.model
    def _ka_group_by_due(self, rows):
        groups = defaultdict(list)
        for partner_id, _user_id, due, _kind, _warn in rows:
            groups[due].append(partner_id)
        return groups

    # ---- pool: handover ------------------------------------------------------------
    @api.model
    def _ka_handover_open_documents(self, partners, user):
        """Open documents of ``user`` on ``partners`` to hand over with them:
        visits, receptions and gifts not yet closed or cancelled.

        :return: list of recordsets, each with a ``user_id`` field
        """
        domain = [
            ("partner_id", "in", partners.ids),
            ("user_id", "=", user.id),
            ("state", "not in", ("closed", "cancelled")),
        ]
        documents = [
            self.env[model].sudo().search(domain)
            for model in (
                "key_account.visit",
                "key_account.reception",
                "key_account.gift",
            )
        ]
        return [records for records in documents if records]

    @api.model
    def _ka_handover_reassign_documents(self, documents, new_user):
        """Give the open ``documents`` (from :meth:`_ka_handover_open_documents`)
        to ``new_user``; extensions override it when their field differs."""
        for records in documents:
            if new_user:
                records.sudo().write({"user_id": new_user.id})
