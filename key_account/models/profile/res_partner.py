from collections import defaultdict

from dateutil.relativedelta import relativedelta
from lxml import etree
from markupsafe import Markup

from odoo import SUPERUSER_ID
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools import ormcache

from ..common.dates import day_start_utc
from ..common.dates import tz_name
from ..common.groups import KA_ANALYST
from ..common.groups import KA_ASSISTANT
from ..common.groups import KA_MANAGER
from ..common.groups import KA_USER
from ..common.key_account_guard_mixin import field_labels
from ..common.lang import envs_by_lang
from .key_account_file import CREDIT_RATINGS
from .key_account_file import MARITAL_STATUSES
from .key_account_file import PARTNER_FILE_FIELDS
from .key_account_file import SENSITIVITIES
from .key_account_file import SOURCES
from .key_account_file import erasable_fields
from .key_account_file_check import BOTH
from .key_account_file_check import COMPANY
from .key_account_file_check import CRITERIA
from .key_account_file_check import CRITERIA_DEPENDS
from .key_account_file_check import PERSON
from .key_account_relation import LEVELS
from .key_account_relation import PARTNER_RELATION_FIELDS
from .key_account_relation import ROLES

# what makes a partner a company or a contact of one: its key-account file,
# relationship map and sales follow the commercial partner
PARENT_FIELDS = frozenset({"parent_id", "is_company", "commercial_partner_id"})

# the confidential fields: computed per user from key_account.file and
# key_account.relation, with an inverse (see _compute_ka_file)
_FILE = {
    "compute": "_compute_ka_file",
    "inverse": "_inverse_ka_file",
    "groups": KA_USER,
}
# the stored figures: Key Account managers and data analysts (issue 20 §3)
KA_FIGURES = f"{KA_MANAGER},{KA_ANALYST}"
_RELATION = {
    "compute": "_compute_ka_relation",
    "inverse": "_inverse_ka_relation",
    "groups": KA_USER,
}
CONFIDENTIAL_COMPUTES = frozenset({_FILE["compute"], _RELATION["compute"]})


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = [
        "res.partner",
        "key_account.number.mixin",
        "key_account.guard.mixin",
        "key_account.access.mixin",
    ]
    _ka_own_numbers_only = True

    # The owner (Odoo's salesperson): the record rules of the module filter
    # on it (a salesperson's accounts, and their teams, files, maps...);
    # indexed, they do not scan every partner. Odoo keeps the index if the
    # module is uninstalled (an index it does not expect).
    user_id = fields.Many2one(index="btree_not_null")

    # ---- key-account profile (on the company) ------------------------------
    ka_type_id = fields.Many2one(
        "key_account.type",
        string="Key Account Type",
        index="btree_not_null",
        tracking=True,
        domain="[('company_id', 'in', [False, company_id or current_company_id])]",
        help="A company, or a person without a parent company, with a key-account "
        "type is a key account.",
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
    # a person's file (a person key account: no parent company)
    ka_date_of_birth = fields.Date(string="Birth Date", **_FILE)
    ka_education = fields.Char(string="Education", **_FILE)
    ka_occupation = fields.Char(string="Occupation", **_FILE)
    ka_position = fields.Char(string="Position Held", **_FILE)
    ka_experience = fields.Text(string="Career", **_FILE)
    ka_marital_status = fields.Selection(MARITAL_STATUSES, string="Marriage", **_FILE)
    ka_children = fields.Integer(string="Children", **_FILE)
    ka_family = fields.Text(string="Family Notes", **_FILE)
    ka_interests = fields.Text(string="Hobbies and Interests", **_FILE)
    ka_social_circle = fields.Text(string="Social Circle", **_FILE)
    ka_personality = fields.Text(string="Personality", **_FILE)
    ka_owned_products = fields.Text(
        string="Products Already Owned",
        help="The pieces of our trade the customer already owns, one line each: "
        "style, pieces, amount.",
        **_FILE,
    )
    ka_owned_pieces = fields.Integer(string="Pieces Owned", **_FILE)
    ka_owned_amount = fields.Monetary(
        string="Amount Owned", currency_field="ka_currency_id", **_FILE
    )
    ka_style_needs = fields.Text(string="Style Needs", **_FILE)
    ka_service_needs = fields.Text(string="Service Needs", **_FILE)
    ka_price_sensitivity = fields.Selection(
        SENSITIVITIES, string="Price Sensitivity", **_FILE
    )
    ka_product_sensitivity = fields.Selection(
        SENSITIVITIES, string="Product Sensitivity", **_FILE
    )
    # both kinds: our position with the customer
    ka_credit_rating = fields.Selection(CREDIT_RATINGS, string="Credit Rating", **_FILE)
    ka_strengths = fields.Text(string="Our Strengths", **_FILE)
    ka_weaknesses = fields.Text(string="Our Weaknesses", **_FILE)
    ka_countermeasures = fields.Text(string="Countermeasures", **_FILE)
    # a company's file
    ka_org_chart = fields.Text(
        string="Organisation Chart",
        help="The customer's group and departments; its people, their roles and "
        "influence are on the relationship map.",
        **_FILE,
    )
    ka_history = fields.Text(string="Company History", **_FILE)
    ka_competitors = fields.Text(string="Their Competitors", **_FILE)
    ka_suppliers = fields.Text(string="Their Suppliers", **_FILE)
    ka_our_share = fields.Float(
        string="Our Share (%)",
        digits=(5, 2),
        help="Our share of the customer's purchases of our trade, against the "
        "competitors, in %.",
        **_FILE,
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
        groups=KA_FIGURES,
        help="Untaxed amount of the confirmed sale orders of the last 12 months, "
        "of the account and all its contacts, in company currency.",
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
    # the profit contribution, kept with the sales (same statement)
    ka_margin_12m = fields.Float(
        string="12-month Margin",
        company_dependent=True,
        readonly=True,
        copy=False,
        groups=KA_FIGURES,
        help="Gross margin (sales less cost, from the sale margins) of the "
        "confirmed sale orders of the last 12 months, of the account and all "
        "its contacts, in company currency.",
    )
    ka_margin_share = fields.Float(
        string="Profit Share (%)",
        company_dependent=True,
        readonly=True,
        copy=False,
        digits=(5, 2),
        groups=KA_FIGURES,
        help="The account's 12-month margin as a share of the margin of all the "
        "company's confirmed orders over the same 12 months, in %. Empty while "
        "the company's margin is not positive.",
    )
    ka_owner_margin_12m = fields.Monetary(
        string="12-month Margin (Own Accounts)",
        currency_field="ka_currency_id",
        compute="_compute_ka_owner_sales_12m",
        groups=KA_USER,
        help="The 12-month margin of the accounts you own (Key Account managers: "
        "of every account).",
    )
    ka_owner_margin_share = fields.Float(
        string="Profit Share (%) (Own Accounts)",
        digits=(5, 2),
        compute="_compute_ka_owner_sales_12m",
        groups=KA_USER,
    )
    ka_meets_definition = fields.Boolean(
        string="Meets the Key-Account Definition",
        compute="_compute_ka_meets_definition",
        search="_search_ka_meets_definition",
        groups=KA_USER,
        help="Its 12-month sales or its profit share reach the key-account "
        "definition of the company you work in (Settings).",
    )
    ka_key_by = fields.Selection(
        [
            ("sales", "Purchase amount"),
            ("margin", "Profit share"),
            ("both", "Purchase amount and profit share"),
        ],
        string="Key By",
        compute="_compute_ka_meets_definition",
        groups=KA_USER,
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
        string="Orders of the Account",
        help="Sale orders of the account and all its contacts.",
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
    ka_access_log_count = fields.Integer(
        string="File Reads",
        compute="_compute_ka_access_log_count",
        groups=KA_MANAGER,
        help="Lines of the customer-file access log of this account.",
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
        """First instant counted in the 12-month sales: the start of the
        user's day 12 months ago (naive UTC)."""
        today = fields.Date.context_today(self)
        return day_start_utc(self, today - relativedelta(months=12))

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
        writers = self.env.user
        if self.env.user.has_group(KA_ASSISTANT):
            writers |= self.env.user._ka_served_users()
        for partner in self:
            partner.ka_file_access = (
                manager or partner.commercial_partner_id.user_id in writers
            )

    @api.depends("ka_sales_12m", "ka_margin_12m", "ka_margin_share", "user_id")
    @api.depends_context("uid", "company")
    def _compute_ka_owner_sales_12m(self):
        # managers and data analysts read every account's figures, a team
        # leader those of their members' accounts, an assistant those of the
        # department they serve (issue 20 §3)
        every = self._ka_is_manager() or self.env.user.has_group(KA_ANALYST)
        readers = self.env.user._ka_department_users()
        if self.env.user.has_group(KA_ASSISTANT):
            readers |= self.env.user._ka_served_users()
        # as superuser: the stored figures are Key Account managers' fields,
        # read for the batch (those three alone, not every field of it)
        self.sudo()._origin.fetch(["ka_sales_12m", "ka_margin_12m", "ka_margin_share"])
        for partner in self:
            mine = every or partner.user_id in readers
            figures = partner.sudo()
            partner.ka_owner_sales_12m = figures.ka_sales_12m if mine else 0.0
            partner.ka_owner_margin_12m = figures.ka_margin_12m if mine else 0.0
            partner.ka_owner_margin_share = figures.ka_margin_share if mine else 0.0

    @api.depends("ka_sales_12m", "ka_margin_share", "ka_type_id")
    @api.depends_context("company")
    def _compute_ka_meets_definition(self):
        company = self.env.company
        min_sales = company.ka_definition_sales
        min_share = company.ka_definition_margin_share
        for partner in self:
            figures = partner.sudo()
            by_sales = bool(
                partner.ka_type_id and min_sales and figures.ka_sales_12m >= min_sales
            )
            by_margin = bool(
                partner.ka_type_id
                and min_share
                and figures.ka_margin_share >= min_share
            )
            partner.ka_meets_definition = by_sales or by_margin
            partner.ka_key_by = (
                (by_sales and by_margin and "both")
                or (by_sales and "sales")
                or (by_margin and "margin")
                or False
            )

    def _search_ka_meets_definition(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on the definition."))
        company = self.env.company
        alternatives = []
        if company.ka_definition_sales:
            alternatives.append([("ka_sales_12m", ">=", company.ka_definition_sales)])
        if company.ka_definition_margin_share:
            alternatives.append(
                [("ka_margin_share", ">=", company.ka_definition_margin_share)]
            )
        if not alternatives:
            meets = [(0, "=", 1)]
        else:
            # as superuser: the figures are Key Account managers' fields; the
            # search only says which accounts meet it
            query = self.sudo()._search(
                expression.AND(
                    [[("ka_type_id", "!=", False)], expression.OR(alternatives)]
                )
            )
            meets = [("id", "in", query)]
        if (operator == "=") == value:
            return meets
        return ["!", *meets]

    @api.depends("ka_type_id", "is_company", *CRITERIA_DEPENDS)
    def _compute_ka_file_completeness(self):
        # as superuser: the completeness of a file is not confidential. Each
        # kind of account is scored on the items that apply to it: a person
        # on a person's, a company on a company's (and both on the common).
        checks = (
            self.env["key_account.file.check"]
            .sudo()
            .search_fetch([], ["criterion", "applies_to"])
        )
        by_kind = {
            kind: [c.criterion for c in checks if c.applies_to in (kind, BOTH)]
            for kind in (COMPANY, PERSON)
        }
        for partner in self:
            kind_checks = by_kind[COMPANY if partner.is_company else PERSON]
            if not partner.ka_type_id or not kind_checks:
                partner.ka_file_completeness = 0
                continue
            done = sum(1 for check in kind_checks if partner._ka_file_check(check))
            partner.ka_file_completeness = round(100 * done / len(kind_checks))

    def _ka_file_check(self, check):
        """Whether the customer file of this account passes ``check`` (a
        criterion of the checklist, see ``CRITERIA``)."""
        self.ensure_one()
        partner = self.sudo()
        return bool(CRITERIA[check].test(partner, partner.ka_file_ids[:1]))

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

    def _ka_figures_by_partner(self, parts):
        """The figures of these partners from other models, read as the
        current user (record rules applied), in one statement whatever their
        number: the stat buttons of a capability cost one query.

        :param parts: {key: (model, link, domain, aggregate)}: the records of
            ``model`` whose many2one ``link`` is one of the partners, of
            ``domain`` besides, aggregated per partner: ``"count"``,
            ``"sum:<field>"``, or a function of the model and the query giving
            the SQL of an aggregate (a float)
        :return: {key: {partner id: value}} (floats; no entry for a partner
            without records)
        """
        result = {key: {} for key in parts}
        ids = [id_ for id_ in self._origin.ids if isinstance(id_, int)]
        if not ids:
            return result
        selects = []
        for key, (model, link, domain, aggregate) in parts.items():
            Model = self.env[model]
            query = Model._search([(link, "in", ids), *domain])
            if query.is_empty():
                continue
            column = Model._field_to_sql(query.table, link, query)
            if callable(aggregate):
                value = aggregate(Model, query)
            elif aggregate == "count":
                value = SQL("COUNT(*)::float8")
            else:
                fname = aggregate.removeprefix("sum:")
                value = SQL(
                    "SUM(%s)::float8", Model._field_to_sql(query.table, fname, query)
                )
            query.groupby = column
            selects.append(SQL("(%s)", query.select(SQL("%s", key), column, value)))
        if selects:
            # execute_query flushes what the statement reads (rules included)
            for key, partner_id, value in self.env.execute_query(
                SQL(" UNION ALL ").join(selects)
            ):
                result[key][partner_id] = value
        return result

    def _read_group_ka_grade_ids(self, grades, domain):
        # the columns of the grade table of the company the user works in
        return grades.search([("company_id", "in", [False, self.env.company.id])])

    # ---- the grade in SQL: an expression each company's index serves --------------
    def _field_to_sql(self, alias, fname, query=None, flush=True):
        """The grade reads as the current company's value in the jsonb column,
        ``(ka_grade_id->>'<company id>')::int4``: the expression of that
        company's grade index (see :meth:`_ka_sync_grade_indexes`), which
        serves the searches, the groupings and the counts by grade (the
        kanban's columns).

        Odoo reads a company-dependent many2one through a subquery on the
        grade table for each row (a value whose grade is gone reads as
        empty): no index serves it, and grouping 100,000 key accounts by grade
        took seconds. A grade in use is not deleted (only archived), so the value
        alone is the grade. With a
        fallback grade in the default values, Odoo's expression stays."""
        field = self._fields.get(fname)
        if (
            fname != "ka_grade_id"
            or not field.company_dependent
            or field.get_company_dependent_fallback(self)
        ):
            return super()._field_to_sql(alias, fname, query, flush)
        self.check_field_access_rights("read", [fname])
        column = SQL.identifier(alias, fname, to_flush=field if flush else None)
        return SQL("(%s->>%s)::int4", column, str(self.env.company.id))

    def init(self):
        res = super().init()
        # an update builds the indexes of the companies that have none (an
        # existing database: fresh statistics for the planner's estimates)
        self._ka_sync_grade_indexes(analyze=True)
        return res

    @api.model
    def _ka_grade_index_name(self, company_id):
        return f"res_partner_ka_grade_company_{int(company_id)}_index"

    @api.model
    def _ka_sync_grade_indexes(self, analyze=False):
        """Give each company its grade index, on the expression of
        :meth:`_field_to_sql`, and drop those of companies that are gone.
        Called on module install and update and when companies are created or
        deleted.

        :param analyze: refresh the planner's statistics of res_partner when
            an index is created (they hold the spread of each company's
            grades, read by the planner from the index's expression)
        """
        cr = self.env.cr
        cr.execute(SQL("SELECT id FROM res_company"))
        wanted = {self._ka_grade_index_name(cid): cid for (cid,) in cr.fetchall()}
        cr.execute(
            SQL(
                """SELECT indexname FROM pg_indexes
                    WHERE tablename = 'res_partner' AND indexname ~ %s""",
                "^res_partner_ka_grade_company_[0-9]+_index$",
            )
        )
        existing = {name for (name,) in cr.fetchall()}
        for name in sorted(existing - wanted.keys()):
            cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
        created = sorted(wanted.keys() - existing)
        for name in created:
            cr.execute(
                SQL(
                    """CREATE INDEX IF NOT EXISTS %s
                           ON res_partner (((ka_grade_id->>%s)::int4))""",
                    SQL.identifier(name),
                    # a literal in the statement (psycopg2 binds on the client)
                    str(wanted[name]),
                )
            )
        if created and analyze:
            cr.execute(SQL("ANALYZE res_partner"))

    # ---- what clients may write ---------------------------------------------------
    def _ka_system_fields(self):
        """Fields written by the module's own processes only (sales from the
        orders, the follow-up clocks, completeness from the checklist):
        refused from any client, managers included; the processes write them
        as superuser or in SQL. Each capability adds its own."""
        return {
            "ka_sales_12m",
            "ka_margin_12m",
            "ka_margin_share",
            "ka_last_order_date",
            "ka_file_completeness",
            "ka_last_contact_date",
            "ka_last_visit_date",
            "ka_last_followup_date",
        }

    def _ka_protected_fields(self):
        # the guard: never from a caller's defaults, never from a client
        return super()._ka_protected_fields() | self._ka_system_fields()

    def _ka_manager_fields(self):
        """Fields set by Key Account managers only (the grade and its lock)."""
        return {"ka_grade_id", "ka_grade_locked"}

    def _ka_guarded_fields(self):
        """The fields whose writes :meth:`_ka_check_client_vals` checks."""
        return (
            self._ka_system_fields()
            | self._ka_manager_fields()
            | {"ka_type_id", "ka_since"}
            | PARENT_FIELDS
        )

    def _ka_is_manager(self):
        return self.env.su or self.env.user.has_group(KA_MANAGER)

    def _ka_check_client_vals(self, vals, creating=False):
        """Refuse what a client (not the module's processes, which write as
        superuser) may not write on key accounts, whatever its context."""
        system = vals.keys() & self._ka_system_fields()
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
        if vals.keys() & self._ka_manager_fields():
            raise AccessError(
                self.env._("Only Key Account managers can set or lock a grade by hand.")
            )
        if creating:
            return
        if vals.keys() & PARENT_FIELDS:
            self._ka_check_reparenting(vals)
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
                    "Only Key Account managers can change since when a customer "
                    "is a key account."
                )
            )

    def _ka_check_reparenting(self, vals):
        """A salesperson does not turn a key account into a contact or a
        person, nor moves a contact out of or into a key account that is not
        theirs: the customer file and relationship map follow the company
        (whose owner reads them), and so do the sales."""
        user = self.env.user
        partners = self.sudo()
        # Odoo's own writes of these fields when a partner is created or
        # synced change nothing: only a real move counts
        partners = partners.filtered(
            lambda p: any(
                p._fields[fname].convert_to_write(p[fname], p) != vals[fname]
                for fname in vals.keys() & PARENT_FIELDS
            )
        )
        if not partners:
            return
        if partners.filtered("ka_type_id"):
            raise AccessError(
                self.env._(
                    "Only Key Account managers can make a key account a contact "
                    "or a person."
                )
            )
        accounts = partners.commercial_partner_id
        if "parent_id" in vals:
            accounts |= (
                self.env["res.partner"].sudo().browse(vals["parent_id"])
            ).commercial_partner_id
        theirs = accounts.filtered(lambda p: p.ka_type_id and p.user_id != user)
        if theirs:
            raise AccessError(
                self.env._(
                    "%(account)s is not your key account: only its owner or a Key "
                    "Account manager moves its contacts.",
                    account=theirs[0].display_name,
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

    @api.constrains("ka_type_id", "parent_id", "is_company")
    def _check_ka_account_kind(self):
        """A key account is a company or a person of their own: a contact
        (a person with a parent) stays a contact of its account, whoever
        writes, and whatever the caller's defaults added."""
        for partner in self:
            if partner.ka_type_id and not partner.is_company and partner.parent_id:
                raise ValidationError(
                    self.env._(
                        "%(partner)s is a contact of %(parent)s: a contact cannot "
                        "be a key account. Remove its key-account type first, or "
                        "keep it apart from %(parent)s.",
                        partner=partner.name or "",
                        parent=partner.parent_id.display_name,
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
                        "%(partner)s cannot be a key account since a day still "
                        "to come.",
                        partner=partner.display_name,
                    )
                )

    # ---- the data analyst ---------------------------------------------------------
    def _ka_check_analyst_change(self):
        """A data analyst reads every key account and changes none they do
        not own (nor its contacts): a group's record rule cannot narrow what
        the Key Accounts users' rules and Odoo's contact rights already grant
        (group rules add up), so the check is here. A manager changes any;
        an analyst who is also an assistant, the accounts of the department
        they serve."""
        user = self.env.user
        if self.env.su or not user.has_group(KA_ANALYST) or self._ka_is_manager():
            return
        writers = user
        if user.has_group(KA_ASSISTANT):
            writers |= user._ka_served_users()
        theirs = self.sudo().filtered(
            lambda p: p.commercial_partner_id.ka_type_id
            and p.commercial_partner_id.user_id not in writers
        )
        if theirs:
            raise AccessError(
                self.env._(
                    "As a data analyst you read %(account)s, a key account you do "
                    "not own, but you do not change it, its contacts or its "
                    "figures.",
                    account=theirs[0].commercial_partner_id.display_name,
                )
            )

    def unlink(self):
        self._ka_check_analyst_change()
        return super().unlink()

    # ---- grade changes ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # the form's Company/Person switch (company_type) is stored by an
        # inverse writing is_company after the record is made: stored as the
        # kind chosen from the start, a person created from the Key Accounts
        # action (a company by default) is no company made a person by a write
        vals_list = [
            {**vals, "is_company": vals["company_type"] == "company"}
            if vals.get("company_type") in ("company", "person")
            else vals
            for vals in vals_list
        ]
        if not self.env.su:
            guarded = self._ka_guarded_fields()
            for vals in vals_list:
                # judged as it will be stored: with what the caller's defaults
                # (context keys, ir.default) would add to vals
                stored = {
                    **self._ka_client_defaults(vals, guarded | {"company_id"}),
                    **vals,
                }
                if stored.keys() & guarded:
                    self._ka_check_client_vals(stored, creating=True)
                if stored.keys() & self._ka_manager_fields():
                    self._ka_check_grade_company(stored)
        partners = super().create(vals_list)
        # a contact added to an account the analyst does not own
        partners._ka_check_analyst_change()
        graded = partners.filtered("ka_grade_id")
        if graded:
            graded._ka_log_grade_changes(
                dict.fromkeys(graded.ids, self.env["key_account.grade"])
            )
        return partners

    def write(self, vals):
        """The module's processes write as superuser, after their own checks.
        A client's write is checked (:meth:`_ka_check_client_vals`); grade
        changes are logged, and figures follow a contact changing company."""
        if not self.env.su:
            self._ka_check_analyst_change()
            if vals.keys() & self._ka_guarded_fields():
                self._ka_check_client_vals(vals)
            if vals.keys() & self._ka_manager_fields():
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
        if reparented and not self.env.su:
            # nor moved under an account the analyst does not own
            self._ka_check_analyst_change()
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
        self._ka_apply_grade_pricelists(changes)
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
        # no sales figure: the chatter of a partner is read by every internal
        # user, the 12-month sales by Key Account managers only; written for
        # the account's owner, in their language (the scheduled action's is
        # English)
        envs = envs_by_lang(self.env, noted.sudo().user_id)
        bodies = []
        for partner in noted.sudo():
            env = envs.get(partner.user_id.id, self.env)
            old, new, _sales = changes[partner.id]
            none = env._("no grade")
            values = {
                "old": old.with_env(env).name or none,
                "new": new.with_env(env).name or none,
            }
            if automatic:
                text = env._("Re-graded from %(old)s to %(new)s.", **values)
            else:
                text = env._("Grade changed by hand from %(old)s to %(new)s.", **values)
            bodies.append(Markup("<p>%s</p>") % text)
        noted._ka_log_notes(bodies)

    def _ka_apply_grade_pricelists(self, changes):
        """Give each partner of ``self`` the pricelist of its new grade in
        the current company (seed 000 §2.5: a grade's discount level), with
        its contacts (the pricelist is a commercial field, company-dependent
        like the grade). A grade without pricelist leaves the account's as it
        is. One UPDATE however many accounts, as the re-grading writes the
        grades; the caller checked who changes the grade.

        :param changes: {partner id: (old grade, new grade, 12-month sales)}
        """
        company = self.env.company
        pricelists = {}
        for partner_id in self.ids:
            pricelist = changes[partner_id][1].sudo().pricelist_id
            # a grade gives a pricelist of its company or a shared one
            if pricelist and pricelist.company_id in (company, company.browse()):
                pricelists[partner_id] = pricelist.id
        if not pricelists:
            return
        fnames = ["specific_property_product_pricelist", "commercial_partner_id"]
        self.flush_model(fnames)
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner p
                   SET specific_property_product_pricelist =
                           COALESCE(p.specific_property_product_pricelist, '{}'::jsonb)
                           || jsonb_build_object(%(key)s, v.pricelist_id)
                  FROM unnest(%(ids)s::int[], %(pricelists)s::int[])
                       AS v(id, pricelist_id)
                 WHERE p.commercial_partner_id = v.id
             RETURNING p.id
                """,
                key=str(company.id),
                ids=list(pricelists),
                pricelists=list(pricelists.values()),
            )
        )
        updated = self.browse([row[0] for row in self.env.cr.fetchall()])
        updated.invalidate_recordset(["specific_property_product_pricelist"])
        updated.modified(["specific_property_product_pricelist"])

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

    @api.model
    def _ka_create_activities(self, vals_list):
        """Create the activities of ``vals_list`` on partners (each a dict:
        ``res_id``, ``activity_type_id``, ``user_id``, ``date_deadline``,
        ``summary``, optionally ``automated``) as ``mail.activity.create``
        with ``mail_activity_quick_update`` would, in a few queries however
        many: the ORM's create costs about a millisecond per activity, its
        subscriptions a call per assignee. Each assignee follows the partner
        (default subtypes; an existing subscription is kept), the stored
        fields the ORM computes (document name, time zone) are written, and
        the assignees of activities due today or earlier are told on the bus.
        Nobody gets an e-mail.

        :return: the activities (``mail.activity``)
        """
        if not vals_list:
            return self.env["mail.activity"]
        self.env.flush_all()
        res_ids = [vals["res_id"] for vals in vals_list]
        user_ids = [vals["user_id"] for vals in vals_list]
        default, _internal, external = self.env[
            "mail.message.subtype"
        ].default_subtypes("res.partner")
        self.env.cr.execute(
            SQL(
                """
                WITH new AS (
                    INSERT INTO mail_followers (res_model, res_id, partner_id)
                    SELECT DISTINCT 'res.partner', row.res_id, u.partner_id
                      FROM unnest(%(ids)s::int[], %(users)s::int[])
                           AS row(res_id, uid)
                      JOIN res_users u ON u.id = row.uid
                      JOIN res_partner up ON up.id = u.partner_id AND up.active
                    ON CONFLICT DO NOTHING
                    RETURNING id, partner_id
                )
                INSERT INTO mail_followers_mail_message_subtype_rel
                       (mail_followers_id, mail_message_subtype_id)
                SELECT new.id, subtype.id
                  FROM new
                  JOIN res_partner up ON up.id = new.partner_id
                 CROSS JOIN LATERAL unnest(
                       CASE WHEN up.partner_share THEN %(external)s::int[]
                            ELSE %(default)s::int[] END) AS subtype(id)
                """,
                ids=res_ids,
                users=user_ids,
                default=default.ids,
                external=external.ids,
            )
        )
        self.env["mail.followers"].invalidate_model()
        partners = self.browse(res_ids).sudo()
        names = partners._ka_document_names()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO mail_activity (res_model_id, res_model, res_id, res_name,
                                           activity_type_id, summary, date_deadline,
                                           automated, user_id, user_tz, active,
                                           create_uid, create_date, write_uid,
                                           write_date)
                SELECT %(model)s, 'res.partner', row.res_id, row.res_name,
                       row.type_id, row.summary, row.deadline, row.automated,
                       row.user_id, up.tz, TRUE, %(uid)s,
                       NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM unnest(%(ids)s::int[], %(names)s::varchar[],
                              %(types)s::int[], %(summaries)s::varchar[],
                              %(deadlines)s::date[], %(automated)s::bool[],
                              %(users)s::int[])
                       WITH ORDINALITY
                       AS row(res_id, res_name, type_id, summary, deadline,
                              automated, user_id, n)
                  JOIN res_users u ON u.id = row.user_id
                  JOIN res_partner up ON up.id = u.partner_id
              ORDER BY row.n
             RETURNING id
                """,
                model=self.env["ir.model"]._get_id("res.partner"),
                uid=self.env.uid,
                ids=res_ids,
                names=[names[res_id] for res_id in res_ids],
                types=[vals["activity_type_id"] for vals in vals_list],
                summaries=[vals.get("summary") or None for vals in vals_list],
                deadlines=[vals["date_deadline"] for vals in vals_list],
                automated=[vals.get("automated") or None for vals in vals_list],
                users=user_ids,
            )
        )
        activities = self.env["mail.activity"].browse(
            [row[0] for row in self.env.cr.fetchall()]
        )
        self.env["mail.activity"].invalidate_model()
        partners.invalidate_recordset(["activity_ids", "message_follower_ids"])
        today = fields.Date.today()  # as mail.activity's create
        todo = {vals["user_id"] for vals in vals_list if vals["date_deadline"] <= today}
        for user in self.env["res.users"].browse(sorted(todo)):
            user._bus_send("mail.activity/updated", {"activity_created": True})
        return activities

    def _ka_document_names(self):
        """{partner id: its display name}, the name an activity or a message
        on the partner stores, as the ORM computes it in this environment:
        the stored complete name (one query), except where the display name
        may differ from it (a nameless address named after its type, in the
        reader's language; a context asking for addresses, e-mails...)."""
        self.flush_recordset(["complete_name", "name"])
        if any(
            self.env.context.get(key)
            for key in (
                "show_address",
                "partner_show_db_id",
                "address_inline",
                "show_email",
                "show_vat",
                "display_website",
            )
        ):
            return {partner.id: partner.display_name for partner in self}
        self.env.cr.execute(
            SQL(
                """SELECT id, complete_name, COALESCE(name, '') = ''
                     FROM res_partner WHERE id = ANY(%s)""",
                list(set(self.ids)),
            )
        )
        names, others = {}, []
        for pid, complete_name, nameless in self.env.cr.fetchall():
            name = (complete_name or "").strip()
            if nameless or "\n" in name:
                others.append(pid)
            else:
                names[pid] = name
        for partner in self.browse(others):
            names[partner.id] = partner.display_name
        return names

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
        """Recompute the 12-month sales and margin, the share of the
        company's margin and the last order date of these partners, for each
        company from its own confirmed orders (in its currency: no conversion
        between companies), in one statement: a grouped query over the orders
        (their margin is sale_margin's, the sum of their lines') and the
        margin of each company concerned over the same window, feeding one
        UPDATE of the partners whose figures moved. A partner that is not a
        key account keeps none.

        Called by the daily cron and, for the partners concerned, whenever
        orders are confirmed, cancelled or changed (see sale.order). The
        share of an account is computed against its company's margin at that
        moment; the daily cron moves every account's share with the company's
        margin."""
        if not self:
            return
        fnames = [
            "ka_sales_12m",
            "ka_margin_12m",
            "ka_margin_share",
            "ka_last_order_date",
        ]
        self.env["sale.order"].flush_model(
            [
                "ka_commercial_partner_id",
                "state",
                "amount_untaxed",
                "margin",
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
                           ROUND(SUM(COALESCE(so.margin, 0)
                                     / COALESCE(NULLIF(so.currency_rate, 0), 1))
                                 FILTER (WHERE so.date_order >= %(since)s),
                                 cur.decimal_places) AS margin,
                           -- the day of the last order, in the user's day
                           MAX(so.date_order AT TIME ZONE 'UTC'
                               AT TIME ZONE %(tz)s)::date AS last
                      FROM sale_order so
                      JOIN res_company c ON c.id = so.company_id
                      JOIN res_currency cur ON cur.id = c.currency_id
                     WHERE so.state = 'sale'
                       AND so.ka_commercial_partner_id = ANY(%(ids)s)
                  GROUP BY so.ka_commercial_partner_id, so.company_id,
                           cur.decimal_places
                ), t AS (
                    -- the margin of each company concerned, all its customers
                    SELECT so.company_id,
                           SUM(COALESCE(so.margin, 0)
                               / COALESCE(NULLIF(so.currency_rate, 0), 1)) AS margin
                      FROM sale_order so
                     WHERE so.state = 'sale'
                       AND so.date_order >= %(since)s
                       AND so.company_id IN (SELECT DISTINCT company_id FROM s)
                  GROUP BY so.company_id
                ), v AS (
                    SELECT p.id,
                           jsonb_object_agg(s.company_id::text, s.sales)
                               FILTER (WHERE s.sales <> 0) AS sales,
                           jsonb_object_agg(s.company_id::text, s.margin)
                               FILTER (WHERE s.margin <> 0) AS margin,
                           jsonb_object_agg(
                               s.company_id::text,
                               ROUND(100 * s.margin / t.margin, 2))
                               FILTER (WHERE s.margin <> 0 AND t.margin > 0)
                               AS share,
                           jsonb_object_agg(s.company_id::text, s.last)
                               FILTER (WHERE s.last IS NOT NULL) AS last
                      FROM res_partner p
                      LEFT JOIN s ON s.partner_id = p.id
                                 AND p.ka_type_id IS NOT NULL
                      LEFT JOIN t ON t.company_id = s.company_id
                     WHERE p.id = ANY(%(ids)s)
                  GROUP BY p.id
                )
                UPDATE res_partner p
                   SET ka_sales_12m = v.sales, ka_margin_12m = v.margin,
                       ka_margin_share = v.share, ka_last_order_date = v.last,
                       write_uid = %(uid)s, write_date = %(now)s
                  FROM v
                 WHERE p.id = v.id
                   AND (p.ka_sales_12m IS DISTINCT FROM v.sales
                        OR p.ka_margin_12m IS DISTINCT FROM v.margin
                        OR p.ka_margin_share IS DISTINCT FROM v.share
                        OR p.ka_last_order_date IS DISTINCT FROM v.last)
             RETURNING p.id
                """,
                since=self._ka_sales_window_start(),
                tz=tz_name(self),
                ids=self.ids,
                uid=self.env.uid,
                now=fields.Datetime.now(),
            )
        )
        moved = self.browse([row[0] for row in self.env.cr.fetchall()])
        if not moved:
            return
        moved.invalidate_recordset([*fnames, "write_uid", "write_date"])
        # what depends on the figures is recomputed as after an ORM write
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
                       (p.ka_margin_12m->>%(key)s)::numeric,
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
        # fetched at once: reading a field below may run a query
        rows = self.env.cr.fetchall()
        today = fields.Date.context_today(self)
        # the last day an order keeps each grade from turning dormant
        cutoffs = {
            grade: today - relativedelta(months=grade.inactive_months)
            for grade in ranked
            if dormant and grade.inactive_months
        }
        Grade = self.env["key_account.grade"]
        # a grade's rank in the table, from the sales or the margin (Settings)
        basis = company._ka_grade_basis()
        sales_mins = [g.min_sales_12m for g in ranked]
        margin_mins = [g.min_margin_12m for g in ranked]
        last_rank = len(ranked) - 1

        def rank(amount, minimums):
            return next((i for i, m in enumerate(minimums) if amount >= m), last_rank)

        changes = {}  # partner id -> (old grade, new grade, sales)
        for partner_id, grade_id, sales, margin, last_order, since in rows:
            sales = float(sales or 0.0)
            if basis == "sales":
                new_rank = rank(sales, sales_mins)
            elif basis == "margin":
                new_rank = rank(float(margin or 0.0), margin_mins)
            else:
                new_rank = min(
                    rank(sales, sales_mins), rank(float(margin or 0.0), margin_mins)
                )
            new_grade = ranked[new_rank]
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

    # ---- the access log and personal data (key_account.access.log) ---------------
    def _ka_confidential_fields(self):
        # the fields reading the file and the map, whichever capability
        # declares them (all computed by the two methods of _FILE/_RELATION)
        return {
            name
            for name, field in self._fields.items()
            if field.compute in CONFIDENTIAL_COMPUTES
        }

    def _ka_access_accounts(self):
        return {partner.id: partner.commercial_partner_id.id for partner in self.sudo()}

    @api.depends_context("uid")
    def _compute_ka_access_log_count(self):
        counts = dict(
            self.env["key_account.access.log"]._read_group(
                [("partner_id", "in", self._origin.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.ka_access_log_count = counts.get(partner._origin, 0)

    def action_ka_access_log(self):
        """Stat button (managers): the access log of this account."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "key_account.key_account_access_log_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        return action

    def _ka_check_personal_data_manager(self):
        """A Key Account manager who, as themselves, reads these partners and
        writes their customer files and relationship-map entries (the rules
        and companies of the file decide): the erasure and the export then
        run as superuser."""
        if not self._ka_is_manager():
            raise AccessError(
                self.env._(
                    "Only Key Account managers can erase or export a person's "
                    "personal data."
                )
            )
        if self.env.su:
            return
        self.check_access("read")
        files = (
            self.env["key_account.file"].sudo().search([("partner_id", "in", self.ids)])
        )
        entries = (
            self.env["key_account.relation"]
            .sudo()
            .search([("contact_id", "in", self.ids)])
        )
        for records in (files, entries):
            records = records.with_env(self.env)
            records.check_access("read")
            records.check_access("write")

    def _ka_check_person(self):
        self.ensure_one()
        if self.sudo().is_company:
            raise UserError(
                self.env._(
                    "%(partner)s is a company: only a person's personal data is "
                    "erased or exported on request (erase a contact's entry of the "
                    "relationship map on the contact).",
                    partner=self.display_name,
                )
            )

    def _ka_erase_personal_data(self, reason):
        """Erase this person's personal data on their request: every
        personal field of their customer file, the file's attachments and
        their relationship-map entries. Orders, commissions and the grade
        history stay. Logged with ``reason``.

        :return: the names of the fields erased
        """
        self._ka_check_personal_data_manager()
        self._ka_check_person()
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason of the erasure."))
        person = self.sudo()
        File = self.env["key_account.file"].sudo()
        Relation = self.env["key_account.relation"].sudo()
        files = File.search([("partner_id", "=", person.id)])
        entries = Relation.search([("contact_id", "=", person.id)])
        erased = set()
        # the log names the fields that held a value (a person's file has
        # no company fields to erase)
        if files:
            fnames = erasable_fields(File)
            erased |= {f"key_account.file.{f}" for f in fnames if any(files.mapped(f))}
            files.write(dict.fromkeys(fnames, False))
            self.env["ir.attachment"].sudo().search(
                [("res_model", "=", File._name), ("res_id", "in", files.ids)]
            ).unlink()
        if entries:
            erased |= {
                f"key_account.relation.{f}"
                for f in erasable_fields(Relation)
                if any(entries.mapped(f))
            }
            entries.unlink()
        self.invalidate_recordset()
        self.env["key_account.access.log"]._ka_write(
            {(person.id, self._name): erased}, "erasure", "ui", reason=reason.strip()
        )
        return erased

    def _ka_personal_data(self):
        """This person's customer file and relationship-map entries as
        [(section title, record, [field names holding a value])]: the file
        by the sections of the partner form's Key Account tab, in their
        order (then its fields the form does not show), then each map
        entry; titles in the environment's language, records read as
        superuser (for the person's own copy)."""
        self.ensure_one()
        env = self.env
        person = self.sudo()
        sections = []
        File = env["key_account.file"].sudo()
        for file in File.search([("partner_id", "=", person.id)]):
            erasable = erasable_fields(File)
            layout = self._ka_file_form_sections()
            shown = {fname for _title, fnames in layout for fname in fnames}
            rest = [f for f in File._fields if f in erasable and f not in shown]
            for title, fnames in [*layout, (env._("Customer file"), rest)]:
                held = [f for f in fnames if f in erasable and file[f]]
                if held:
                    sections.append((title, file, held))
        Relation = env["key_account.relation"].sudo()
        erasable = erasable_fields(Relation)
        for entry in Relation.search([("contact_id", "=", person.id)]):
            held = [f for f in Relation._fields if f in erasable and entry[f]]
            if held:
                sections.append((env._("Relationship map"), entry, held))
        return sections

    @api.model
    def _ka_file_form_sections(self):
        """[(title, [field of key_account.file])]: the groups of the partner
        form's Key Account tab that show the file, in the form's order, their
        titles in the environment's language."""
        arch = self.get_view(self.env.ref("base.view_partner_form").id, "form")["arch"]
        sections, seen = [], set()
        tab = etree.fromstring(arch).find(".//page[@name='key_account']")
        for group in tab.iterfind(".//group[@string]") if tab is not None else ():
            fnames = [
                PARTNER_FILE_FIELDS[node.get("name")]
                for node in group.iter("field")
                if node.get("name") in PARTNER_FILE_FIELDS
                and PARTNER_FILE_FIELDS[node.get("name")] not in seen
            ]
            fnames = list(dict.fromkeys(fnames))
            seen.update(fnames)
            if fnames:
                sections.append((group.get("string"), fnames))
        return sections

    def action_ka_export_personal_data(self):
        """Button (managers): this person's own file as a document, in the
        user's language; logged."""
        self._ka_check_personal_data_manager()
        self._ka_check_person()
        return self.env.ref(
            "key_account.key_account_personal_data_report_action"
        ).report_action(self)

    def action_ka_erase_personal_data(self):
        """Button (managers): the erasure wizard for this person."""
        self._ka_check_personal_data_manager()
        self._ka_check_person()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Erase Personal Data"),
            "res_model": "key_account.erasure.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.id},
        }

    # ---- actions -------------------------------------------------------------------
    def action_ka_grade_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "key_account.key_account_grade_history_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

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
        # no grade for a partner gone from the database (a recomputation
        # still pending for a record of a rolled-back savepoint)
        grades = dict.fromkeys(stored.ids, Grade.browse())
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
            grades.update(
                (pid, Grade.browse(gid)) for pid, gid in self.env.cr.fetchall()
            )
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
