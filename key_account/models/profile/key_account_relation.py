from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL

from .key_account_file import check_fixed_fields
from .key_account_file import migrate_partner_columns
from .key_account_file import personal_fields

ROLES = [
    ("decision_maker", "Decision maker"),
    ("buyer", "Buyer"),
    ("user", "User"),
    ("influencer", "Influencer"),
    ("other", "Other"),
]
LEVELS = [("low", "Low"), ("medium", "Medium"), ("high", "High")]

# the contact's field -> the entry's field (see PARTNER_FILE_FIELDS)
PARTNER_RELATION_FIELDS = {
    "ka_role": "role",
    "ka_influence": "influence",
    "ka_relationship": "relationship",
    "ka_competitor_relationship": "competitor_relationship",
    "ka_birthday": "birthday",
    "ka_hobbies": "hobbies",
    "ka_notes": "notes",
}


class KeyAccountRelation(models.Model):
    """A contact's line of the relationship map of its company: confidential
    like the customer file (the owner of the company and Key Account managers
    only). Salespeople see it on the contact through its fields ``ka_role``,
    ``ka_hobbies``..."""

    _name = "key_account.relation"
    _inherit = ["key_account.number.mixin", "key_account.access.mixin"]
    _description = "Relationship Map Entry"
    _rec_name = "contact_id"

    # the unique constraint below is the index on contact_id
    contact_id = fields.Many2one("res.partner", required=True, ondelete="cascade")
    account_id = fields.Many2one(
        related="contact_id.commercial_partner_id",
        string="Key Account",
        store=True,
        index=True,
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
        related="account_id.user_id",
        string="Owner",
        store=True,
        index="btree_not_null",
        help="The salesperson of the key account: with the Key Account managers, "
        "the only one who reads and edits its relationship map.",
    )
    role = fields.Selection(ROLES)
    influence = fields.Selection(LEVELS)
    relationship = fields.Selection(LEVELS, string="Relationship Strength")
    competitor_relationship = fields.Selection(
        LEVELS, string="Competitor's Relationship"
    )
    birthday = fields.Date()
    hobbies = fields.Char()
    notes = fields.Text(
        string="Relationship Notes",
        help="Personality, strengthening measures, next steps.",
    )

    _sql_constraints = [
        (
            "contact_uniq",
            "unique (contact_id)",
            "A contact has one line in the relationship map.",
        ),
    ]

    _ka_fixed_fields = ("contact_id", "account_id", "company_id", "user_id")

    def _ka_fixed_fields_message(self):
        return self.env._(
            "The account and the owner of a relationship-map entry follow the "
            "contact: they cannot be written."
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
        return {record.id: record.account_id.id for record in self.sudo()}

    @api.model
    def _ka_migrate_partner_columns(self):
        """Move the relationship maps kept in the legacy columns of
        ``res_partner`` into entries, then drop the columns (see
        ``key_account.file._ka_migrate_partner_columns``).

        :return: the number of contacts whose columns were copied
        """
        return migrate_partner_columns(
            self,
            "contact_id",
            PARTNER_RELATION_FIELDS,
            {
                "contact_id": SQL("p.id"),
                "account_id": SQL("cp.id"),
                # a shared account's: the company its processes run in
                "company_id": SQL(
                    "COALESCE(cp.company_id, %s)",
                    self.env["res.partner"]._ka_scheduler_company().id,
                ),
                "user_id": SQL("cp.user_id"),
            },
        )

    @api.depends("account_id.company_id")
    def _compute_company_id(self):
        for record in self:
            record.company_id = record.account_id.sudo()._ka_process_company()
