from odoo import api
from odoo import fields
from odoo import models

# What each check looks at: field names of the company, or a contact role.
FILE_CHECKS = [
    ("industry", "Industry"),
    ("size", "Size (staff or annual revenue)"),
    ("address", "Address"),
    ("phone_email", "Phone or e-mail"),
    ("main_business", "Main business"),
    ("decision_process", "Procurement decision process"),
    ("decision_maker", "A decision-maker contact"),
    ("buyer", "A buyer contact"),
    ("need", "Current need"),
    ("expected_purchase", "Expected purchase date"),
    ("budget", "Budget range"),
    ("website", "Website"),
    ("vat", "Tax ID"),
]


class KeyAccountFileCheck(models.Model):
    """One item of the customer-file checklist behind the completeness rate."""

    _name = "key_account.file.check"
    _description = "Customer File Checklist Item"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    criterion = fields.Selection(FILE_CHECKS, required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "criterion_uniq",
            "unique (criterion)",
            "Each criterion can be listed only once.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        checks = super().create(vals_list)
        self.env["res.partner"]._ka_recompute_completeness()
        return checks

    def write(self, vals):
        res = super().write(vals)
        if {"active", "criterion"} & set(vals):
            self.env["res.partner"]._ka_recompute_completeness()
        return res

    def unlink(self):
        res = super().unlink()
        self.env["res.partner"]._ka_recompute_completeness()
        return res
