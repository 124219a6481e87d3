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


def _has_org_chart(partner, file):
    # the organisation chart: described in the file, or mapped on the
    # relationship map (the roles of the contacts)
    return file.org_chart or _has_any_role(partner)


def _has_any_role(partner):
    return any(
        contact.ka_relation_ids[:1].role
        for contact in partner.child_ids
        if contact.active
    )


# the kinds of key account a criterion applies to
COMPANY = "company"
PERSON = "person"
BOTH = "both"
KINDS = [
    (BOTH, "Persons and companies"),
    (PERSON, "Persons"),
    (COMPANY, "Companies"),
]

# A criterion of the customer-file checklist: its label, the fields of the
# account it reads (the completeness rate depends on them), its test, of the
# account and its customer file (key_account.file), read as superuser, and
# the kind of account it applies to by default (a person is not scored on a
# company's fields, nor the reverse).
Criterion = namedtuple("Criterion", "label depends test kind")
CRITERIA = {
    "industry": Criterion(
        "Industry", ("industry_id",), lambda partner, file: partner.industry_id, COMPANY
    ),
    "size": Criterion(
        "Size (staff or annual revenue)",
        ("ka_file_ids.staff_count", "ka_file_ids.annual_revenue"),
        lambda partner, file: file.staff_count or file.annual_revenue,
        COMPANY,
    ),
    "address": Criterion(
        "Address",
        ("street", "city"),
        lambda partner, file: partner.street and partner.city,
        BOTH,
    ),
    "phone_email": Criterion(
        "Phone or e-mail",
        ("phone", "mobile", "email"),
        lambda partner, file: partner.phone or partner.mobile or partner.email,
        BOTH,
    ),
    "main_business": Criterion(
        "Main business",
        ("ka_file_ids.main_business",),
        lambda partner, file: file.main_business,
        COMPANY,
    ),
    "decision_process": Criterion(
        "Procurement decision process",
        ("ka_file_ids.decision_process",),
        lambda partner, file: file.decision_process,
        COMPANY,
    ),
    "decision_maker": Criterion(
        "A decision-maker contact",
        ("child_ids.ka_relation_ids.role", "child_ids.active"),
        _has_contact_role("decision_maker"),
        COMPANY,
    ),
    "buyer": Criterion(
        "A buyer contact",
        ("child_ids.ka_relation_ids.role", "child_ids.active"),
        _has_contact_role("buyer"),
        COMPANY,
    ),
    "need": Criterion(
        "Current need", ("ka_file_ids.need",), lambda partner, file: file.need, BOTH
    ),
    "expected_purchase": Criterion(
        "Expected purchase date",
        ("ka_file_ids.expected_purchase_date",),
        lambda partner, file: file.expected_purchase_date,
        BOTH,
    ),
    "budget": Criterion(
        "Budget range",
        ("ka_file_ids.budget_max",),
        lambda partner, file: file.budget_max,
        BOTH,
    ),
    "website": Criterion(
        "Website", ("website",), lambda partner, file: partner.website, COMPANY
    ),
    "vat": Criterion("Tax ID", ("vat",), lambda partner, file: partner.vat, COMPANY),
    # a person's file
    "date_of_birth": Criterion(
        "Date of birth",
        ("ka_file_ids.date_of_birth",),
        lambda partner, file: file.date_of_birth,
        PERSON,
    ),
    "education": Criterion(
        "Education",
        ("ka_file_ids.education",),
        lambda partner, file: file.education,
        PERSON,
    ),
    "occupation": Criterion(
        "Occupation or position",
        ("ka_file_ids.occupation", "ka_file_ids.position"),
        lambda partner, file: file.occupation or file.position,
        PERSON,
    ),
    "family": Criterion(
        "Family (marriage, children)",
        ("ka_file_ids.marital_status", "ka_file_ids.family"),
        lambda partner, file: file.marital_status or file.family,
        PERSON,
    ),
    "interests": Criterion(
        "Hobbies or social circle",
        ("ka_file_ids.interests", "ka_file_ids.social_circle"),
        lambda partner, file: file.interests or file.social_circle,
        PERSON,
    ),
    "personality": Criterion(
        "Personality",
        ("ka_file_ids.personality",),
        lambda partner, file: file.personality,
        PERSON,
    ),
    "owned_products": Criterion(
        "Products already owned",
        (
            "ka_file_ids.owned_products",
            "ka_file_ids.owned_pieces",
            "ka_file_ids.owned_amount",
        ),
        lambda partner, file: (
            file.owned_products or file.owned_pieces or file.owned_amount
        ),
        PERSON,
    ),
    "style_service_needs": Criterion(
        "Style or service needs",
        ("ka_file_ids.style_needs", "ka_file_ids.service_needs"),
        lambda partner, file: file.style_needs or file.service_needs,
        PERSON,
    ),
    "sensitivity": Criterion(
        "Price and product sensitivity",
        ("ka_file_ids.price_sensitivity", "ka_file_ids.product_sensitivity"),
        lambda partner, file: file.price_sensitivity and file.product_sensitivity,
        PERSON,
    ),
    # both kinds: our position with the customer
    "credit_rating": Criterion(
        "Credit rating",
        ("ka_file_ids.credit_rating",),
        lambda partner, file: file.credit_rating,
        BOTH,
    ),
    "strengths": Criterion(
        "Strengths, weaknesses and countermeasures",
        (
            "ka_file_ids.strengths",
            "ka_file_ids.weaknesses",
            "ka_file_ids.countermeasures",
        ),
        lambda partner, file: (
            (file.strengths or file.weaknesses) and file.countermeasures
        ),
        BOTH,
    ),
    # a company's file
    "org_chart": Criterion(
        "Organisation chart",
        (
            "ka_file_ids.org_chart",
            "child_ids.ka_relation_ids.role",
            "child_ids.active",
        ),
        _has_org_chart,
        COMPANY,
    ),
    "history": Criterion(
        "Company history",
        ("ka_file_ids.history",),
        lambda partner, file: file.history,
        COMPANY,
    ),
    "competitors": Criterion(
        "Their competitors",
        ("ka_file_ids.competitors",),
        lambda partner, file: file.competitors,
        COMPANY,
    ),
    "suppliers": Criterion(
        "Their suppliers",
        ("ka_file_ids.suppliers",),
        lambda partner, file: file.suppliers,
        COMPANY,
    ),
    "our_share": Criterion(
        "Our share against the competitors",
        ("ka_file_ids.our_share",),
        lambda partner, file: file.our_share,
        COMPANY,
    ),
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
    applies_to = fields.Selection(
        KINDS,
        required=True,
        compute="_compute_applies_to",
        store=True,
        readonly=False,
        precompute=True,
        help="The key accounts scored on this item: a person is not scored on a "
        "company's fields, nor a company on a person's.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "criterion_uniq",
            "unique (criterion)",
            "Each criterion can be listed only once.",
        ),
    ]

    @api.depends("criterion")
    def _compute_applies_to(self):
        # the criterion's own kind, until a manager says otherwise
        for check in self:
            criterion = CRITERIA.get(check.criterion)
            check.applies_to = criterion.kind if criterion else BOTH

    @api.model_create_multi
    def create(self, vals_list):
        checks = super().create(vals_list)
        self.env["res.partner"]._ka_recompute_completeness()
        return checks

    def write(self, vals):
        res = super().write(vals)
        if {"active", "criterion", "applies_to"} & set(vals):
            self.env["res.partner"]._ka_recompute_completeness()
        return res

    def unlink(self):
        res = super().unlink()
        self.env["res.partner"]._ka_recompute_completeness()
        return res
