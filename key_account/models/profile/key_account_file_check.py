from collections import namedtuple

from odoo import api
from odoo import fields
from odoo import models


def _has_contact_role(role):
    return lambda partner, file: any(
        contact.ka_relation_ids[:1].role == role
        for contact in partner.child_ids
        if contact.active
    )


# A criterion of the customer-file checklist: its label, the fields of the
# company it reads (the completeness rate depends on them) and its test, of
# the company and its customer file (key_account.file), read as superuser.
Criterion = namedtuple("Criterion", "label depends test")
CRITERIA = {
    "industry": Criterion(
        "Industry", ("industry_id",), lambda partner, file: partner.industry_id
    ),
    "size": Criterion(
        "Size (staff or annual revenue)",
        ("ka_file_ids.staff_count", "ka_file_ids.annual_revenue"),
        lambda partner, file: file.staff_count or file.annual_revenue,
    ),
    "address": Criterion(
        "Address",
        ("street", "city"),
        lambda partner, file: partner.street and partner.city,
    ),
    "phone_email": Criterion(
        "Phone or e-mail",
        ("phone", "mobile", "email"),
        lambda partner, file: partner.phone or partner.mobile or partner.email,
    ),
    "main_business": Criterion(
        "Main business",
        ("ka_file_ids.main_business",),
        lambda partner, file: file.main_business,
    ),
    "decision_process": Criterion(
        "Procurement decision process",
        ("ka_file_ids.decision_process",),
        lambda partner, file: file.decision_process,
    ),
    "decision_maker": Criterion(
        "A decision-maker contact",
        ("child_ids.ka_relation_ids.role", "child_ids.active"),
        _has_contact_role("decision_maker"),
    ),
    "buyer": Criterion(
        "A buyer contact",
        ("child_ids.ka_relation_ids.role", "child_ids.active"),
        _has_contact_role("buyer"),
    ),
    "need": Criterion(
        "Current need", ("ka_file_ids.need",), lambda partner, file: file.need
    ),
    "expected_purchase": Criterion(
        "Expected purchase date",
        ("ka_file_ids.expected_purchase_date",),
        lambda partner, file: file.expected_purchase_date,
    ),
    "budget": Criterion(
        "Budget range",
        ("ka_file_ids.budget_max",),
        lambda partner, file: file.budget_max,
    ),
    "website": Criterion(
        "Website", ("website",), lambda partner, file: partner.website
    ),
    "vat": Criterion("Tax ID", ("vat",), lambda partner, file: partner.vat),
}
FILE_CHECKS = [(code, criterion.label) for code, criterion in CRITERIA.items()]
CRITERIA_DEPENDS = sorted(
    {fname for criterion in CRITERIA.values() for fname in criterion.depends}
)


class KeyAccountFileCheck(models.Model):
    """One item of the customer-file checklist behind the completeness rate."""

    _name = "key_account.file.check"
    _inherit = ["key_account.number.mixin"]
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
