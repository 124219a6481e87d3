from odoo import fields
from odoo import models


class MailActivityType(models.Model):
    _inherit = "mail.activity.type"

    ka_counts_as_contact = fields.Boolean(
        string="Counts as Key-Account Contact",
        help="Marking such an activity done on a key account (or one of its "
        "contacts) records a follow-up contact with the account.",
    )
