from odoo import fields
from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        contacts = self.filtered(
            lambda a: a.res_model == "res.partner"
            and a.activity_type_id.ka_counts_as_contact
        )
        partner_ids = contacts.mapped("res_id")
        res = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if partner_ids:
            partners = self.env["res.partner"].sudo().browse(partner_ids).exists()
            partners.commercial_partner_id._ka_register_followup(
                "contact", fields.Date.context_today(self)
            )
        return res
