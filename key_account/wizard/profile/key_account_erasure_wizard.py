from odoo import api
from odoo import fields
from odoo import models


class KeyAccountErasureWizard(models.TransientModel):
    """A person asks for their personal data to be erased: a Key Account
    manager gives the reason and erases it (res.partner
    ``_ka_erase_personal_data``)."""

    _name = "key_account.erasure.wizard"
    _description = "Erase Personal Data"

    partner_id = fields.Many2one(
        "res.partner", string="Person", required=True, ondelete="cascade"
    )
    reason = fields.Text(
        required=True,
        help="Why the data is erased (the person's request, its date): kept "
        "in the access log.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        # a person whose file the manager may read and write only
        wizards.partner_id._ka_check_personal_data_manager()
        return wizards

    def action_erase(self):
        self.ensure_one()
        self.partner_id._ka_erase_personal_data(self.reason)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "The personal data of %(partner)s was erased.",
                    partner=self.partner_id.display_name,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
