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

    def _ka_days_settings(self):
        return {
            **super()._ka_days_settings(),
            "ka_review_due_days": "key_account.review_due_days",
        }
