from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ka_review_due_days = fields.Integer(
        string="Review Signed Within (Days After Quarter End)",
        config_parameter="key_account.review_due_days",
        default=30,
        help="A quarterly review signed later than the quarter's last day plus "
        "these days is late.",
    )

    @api.constrains("ka_review_due_days")
    def _check_ka_review_due_days(self):
        if any(settings.ka_review_due_days < 0 for settings in self):
            raise ValidationError(
                self.env._(
                    "The days after the quarter end within which reviews are signed "
                    "cannot be negative."
                )
            )

    def set_values(self):
        super().set_values()
        # Odoo keeps an integer setting of 0 as no setting at all, which reads
        # as the default: 0 days is a deadline of its own
        if not self.ka_review_due_days:
            self.env["ir.config_parameter"].sudo().set_param(
                "key_account.review_due_days", "0"
            )
