from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools.sql import column_exists

SOURCES = [
    ("trade_show", "Trade show"),
    ("referral", "Referral"),
    ("online", "Online enquiry"),
    ("cold_visit", "Cold visit"),
    ("other", "Other"),
]
MARITAL_STATUSES = [
    ("single", "Single"),
    ("married", "Married"),
    ("divorced", "Divorced"),
    ("widowed", "Widowed"),
]
SENSITIVITIES = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
# the current credit rating of seed 000's customer file form (该客户当前信用等级)
CREDIT_RATINGS = [
    ("a", "A - Excellent"),
    ("b", "B - Good"),
    ("c", "C - Fair"),
    ("d", "D - Poor"),
]

# the partner's field -> the file's field: the partner shows the file under
# its former field names (res_partner.py), as the current user may read it
PARTNER_FILE_FIELDS = {
    "ka_source": "source",
    "ka_staff_count": "staff_count",
    "ka_annual_revenue": "annual_revenue",
    "ka_main_business": "main_business",
    "ka_decision_process": "decision_process",
    "ka_need": "need",
    "ka_expected_purchase_date": "expected_purchase_date",
    "ka_budget_min": "budget_min",
    "ka_budget_max": "budget_max",
    # a person's file (seed 000 form 1 and §二2.3; seed 001 资源库 1.1.5)
    "ka_date_of_birth": "date_of_birth",
    "ka_education": "education",
    "ka_occupation": "occupation",
    "ka_position": "position",
    "ka_experience": "experience",
    "ka_marital_status": "marital_status",
    "ka_children": "children",
    "ka_family": "family",
    "ka_interests": "interests",
    "ka_social_circle": "social_circle",
    "ka_personality": "personality",
    "ka_owned_products": "owned_products",
    "ka_owned_pieces": "owned_pieces",
    "ka_owned_amount": "owned_amount",
    "ka_style_needs": "style_needs",
    "ka_service_needs": "service_needs",
    "ka_price_sensitivity": "price_sensitivity",
    "ka_product_sensitivity": "product_sensitivity",
    # both kinds: our position with the customer (form 1)
    "ka_credit_rating": "credit_rating",
    "ka_strengths": "strengths",
    "ka_weaknesses": "weaknesses",
    "ka_countermeasures": "countermeasures",
    # a company's file (seed 000 §六4 2: the important information)
    "ka_org_chart": "org_chart",
    "ka_history": "history",
    "ka_competitors": "competitors",
    "ka_suppliers": "suppliers",
    "ka_our_share": "our_share",
}


def check_fixed_fields(records, vals_list, fixed, creating=False):
    """Refuse a client's values of ``fixed``: the account and the owner of a
    file or a relationship-map entry follow its partner (the record rules
    read the owner; a file written onto another account would change
    hands). The first of ``fixed``, the partner, is given on creation."""
    if records.env.su:
        return
    refused = set(fixed[1:] if creating else fixed)
    if any(vals.keys() & refused for vals in vals_list):
        raise AccessError(records._ka_fixed_fields_message())


class KeyAccountFile(models.Model):
    """The confidential customer file of a key account: read and written by
    the account's owner and by Key Account managers only (record rules).
    Salespeople see it on the partner form through the partner's fields
    ``ka_need``, ``ka_budget_max``... which read it with their own rights."""

    _name = "key_account.file"
    _inherit = ["key_account.number.mixin", "key_account.access.mixin"]
    _description = "Customer File"
    _rec_name = "partner_id"

    # the unique constraint below is the index on partner_id
    partner_id = fields.Many2one(
        "res.partner",
        string="Key Account",
        required=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        index="btree_not_null",
        help="The key account's company; for an account shared by the "
        "companies, the one its processes (owner, pool) run in.",
    )
    user_id = fields.Many2one(
        related="partner_id.commercial_partner_id.user_id",
        string="Owner",
        store=True,
        index="btree_not_null",
        help="The salesperson of the key account: with the Key Account managers, "
        "the only one who reads and edits its file.",
    )
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    source = fields.Selection(SOURCES)
    staff_count = fields.Integer(string="Staff")
    annual_revenue = fields.Monetary()
    main_business = fields.Text()
    decision_process = fields.Text(string="Procurement Decision Process")
    need = fields.Text(string="Current Need")
    expected_purchase_date = fields.Date(string="Expected Purchase")
    budget_min = fields.Monetary(string="Budget From")
    budget_max = fields.Monetary(string="Budget To")
    # ---- a person -------------------------------------------------------------
    date_of_birth = fields.Date(string="Birth Date")
    education = fields.Char()
    occupation = fields.Char()
    position = fields.Char(string="Position Held")
    experience = fields.Text(string="Career")
    marital_status = fields.Selection(MARITAL_STATUSES, string="Marriage")
    children = fields.Integer()
    family = fields.Text(string="Family Notes")
    interests = fields.Text(string="Hobbies and Interests")
    social_circle = fields.Text()
    personality = fields.Text()
    # the pieces of our trade already owned: one line each (style, pieces,
    # amount), with the totals as numbers the file and the form can show
    owned_products = fields.Text(
        string="Products Already Owned",
        help="The pieces of our trade the customer already owns, one line each: "
        "style, pieces, amount.",
    )
    owned_pieces = fields.Integer(string="Pieces Owned")
    owned_amount = fields.Monetary(string="Amount Owned")
    style_needs = fields.Text()
    service_needs = fields.Text()
    price_sensitivity = fields.Selection(SENSITIVITIES)
    product_sensitivity = fields.Selection(SENSITIVITIES)
    # ---- both kinds: our position with the customer ------------------------------
    credit_rating = fields.Selection(CREDIT_RATINGS)
    strengths = fields.Text(string="Our Strengths")
    weaknesses = fields.Text(string="Our Weaknesses")
    countermeasures = fields.Text()
    # ---- a company ---------------------------------------------------------------
    org_chart = fields.Text(
        string="Organisation Chart",
        help="The customer's group and departments; its people, their roles and "
        "influence are on the relationship map.",
    )
    history = fields.Text(string="Company History")
    competitors = fields.Text(string="Their Competitors")
    suppliers = fields.Text(string="Their Suppliers")
    our_share = fields.Float(
        string="Our Share (%)",
        digits=(5, 2),
        help="Our share of the customer's purchases of our trade, against the "
        "competitors, in %.",
    )

    _sql_constraints = [
        (
            "partner_uniq",
            "unique (partner_id)",
            "A key account has one customer file.",
        ),
    ]

    _ka_fixed_fields = ("partner_id", "company_id", "user_id")

    def _ka_fixed_fields_message(self):
        return self.env._(
            "The account and the owner of a customer file follow the partner: "
            "they cannot be written."
        )

    @api.model_create_multi
    def create(self, vals_list):
        check_fixed_fields(self, vals_list, self._ka_fixed_fields, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        check_fixed_fields(self, [vals], self._ka_fixed_fields)
        return super().write(vals)

    # ---- the access log (key_account.access.log) ---------------------------------
    def _ka_confidential_fields(self):
        return personal_fields(self)

    def _ka_access_accounts(self):
        return {record.id: record.partner_id.id for record in self.sudo()}

    @api.depends("partner_id.company_id")
    def _compute_company_id(self):
        for record in self:
            record.company_id = record.partner_id.sudo()._ka_process_company()

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_currency_id(self):
        # the partner's key-account currency (res.partner.ka_currency_id)
        for file in self:
            file.currency_id = (
                file.company_id.currency_id or self.env.company.currency_id
            )

    @api.constrains(
        "staff_count",
        "annual_revenue",
        "budget_min",
        "budget_max",
        "children",
        "owned_pieces",
        "owned_amount",
        "our_share",
    )
    def _check_amounts(self):
        for file in self:
            partner = file.partner_id.sudo()
            if (
                min(
                    file.staff_count,
                    file.annual_revenue,
                    file.budget_min,
                    file.budget_max,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._(
                        "%(partner)s: staff, revenue and budget cannot be negative.",
                        partner=partner.display_name,
                    )
                )
            if file.budget_max and file.budget_min > file.budget_max:
                raise ValidationError(
                    self.env._(
                        "%(partner)s: the budget range starts above its end.",
                        partner=partner.display_name,
                    )
                )
            if min(file.children, file.owned_pieces, file.owned_amount) < 0:
                raise ValidationError(
                    self.env._(
                        "%(partner)s: children, pieces and amounts owned cannot be "
                        "negative.",
                        partner=partner.display_name,
                    )
                )
            if not 0 <= file.our_share <= 100:
                raise ValidationError(
                    self.env._(
                        "%(partner)s: our share against the competitors lies "
                        "between 0 and 100%%.",
                        partner=partner.display_name,
                    )
                )

    # ---- upgrade from 18.0.1: the file was columns of res_partner ------------------
    @api.model
    def _ka_migrate_partner_columns(self):
        """Move the customer files kept in the legacy columns of
        ``res_partner`` (``ka_need``, ...: left in the table when the fields
        stopped being stored) into files, then drop the columns. A file
        already there (written while the module was updated) keeps its values
        and gets the missing ones.

        :return: the number of partners whose columns were copied
        """
        return migrate_partner_columns(
            self,
            "partner_id",
            PARTNER_FILE_FIELDS,
            {
                "partner_id": SQL("p.id"),
                # a shared account's: the company its processes run in
                "company_id": SQL(
                    "COALESCE(p.company_id, %s)",
                    self.env["res.partner"]._ka_scheduler_company().id,
                ),
                "user_id": SQL("cp.user_id"),
            },
        )


def _legacy_filled(model, column, fname):
    """SQL: the legacy column ``column`` of ``p`` holds a value (the ORM
    wrote 0 and empty texts for untouched numbers and texts)."""
    sql_column = SQL.identifier("p", column)
    ftype = model._fields[fname].type
    if ftype in ("integer", "float", "monetary"):
        return SQL("COALESCE(%s, 0) <> 0", sql_column)
    if ftype in ("char", "text", "selection"):
        return SQL("COALESCE(%s, '') <> ''", sql_column)
    return SQL("%s IS NOT NULL", sql_column)


def migrate_partner_columns(model, link, mapping, keys):
    """Copy the columns of ``mapping`` (res_partner column -> column of
    this model) into rows of this model, one per partner with a value,
    whose other columns are ``keys`` (SQL over ``p``, the partner, and
    ``cp``, its commercial partner); then drop the columns."""
    cr = model.env.cr
    legacy = {
        column: fname
        for column, fname in mapping.items()
        if column_exists(cr, "res_partner", column)
    }
    if not legacy:
        return 0
    model.env.flush_all()
    table = SQL.identifier(model._table)
    columns = [*keys, *legacy.values()]
    cr.execute(
        SQL(
            """
            INSERT INTO %(table)s (%(columns)s, create_uid, create_date,
                                   write_uid, write_date)
            SELECT %(values)s, %(uid)s, NOW() AT TIME ZONE 'UTC',
                   %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM res_partner p
              JOIN res_partner cp ON cp.id = COALESCE(p.commercial_partner_id, p.id)
             WHERE %(any_value)s
            ON CONFLICT (%(link)s) DO UPDATE
               SET %(fill)s
         RETURNING %(link)s
            """,
            table=table,
            columns=SQL(", ").join(SQL.identifier(c) for c in columns),
            values=SQL(", ").join(
                [
                    *keys.values(),
                    *(SQL.identifier("p", c) for c in legacy),
                ]
            ),
            uid=model.env.uid,
            any_value=SQL(" OR ").join(
                _legacy_filled(model, column, fname) for column, fname in legacy.items()
            ),
            link=SQL.identifier(link),
            fill=SQL(", ").join(
                SQL(
                    "%(col)s = COALESCE(%(table)s.%(col)s, EXCLUDED.%(col)s)",
                    table=table,
                    col=SQL.identifier(fname),
                )
                for fname in legacy.values()
            ),
        )
    )
    partner_ids = [row[0] for row in cr.fetchall()]
    cr.execute(
        SQL(
            "ALTER TABLE res_partner %s",
            SQL(", ").join(SQL("DROP COLUMN %s", SQL.identifier(c)) for c in legacy),
        )
    )
    model.env.invalidate_all()
    model.env["res.partner"]._ka_recompute_completeness()
    return len(partner_ids)


def personal_fields(model):
    """The fields of a customer file or a relationship-map entry that hold
    what was learnt about the customer: every stored field but Odoo's, the
    links and the owner (``_ka_fixed_fields``). Read generically: fields
    other capabilities add are covered."""
    return {
        name
        for name, field in model._fields.items()
        if field.store
        and not field.automatic
        and name not in models.MAGIC_COLUMNS
        and name not in model._ka_fixed_fields
    }


def erasable_fields(model):
    """The personal fields that are written (computed ones follow)."""
    return {
        name
        for name in personal_fields(model)
        if not model._fields[name].compute or model._fields[name].inverse
    }
