from odoo import models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    def _ka_days_settings(self):
        """{field: system parameter} of the module's settings in days, which
        may be 0 (each capability adds its own)."""
        return {}

    def set_values(self):
        res = super().set_values()
        # Odoo keeps an integer setting of 0 as no setting at all, which
        # reads as the default: 0 days is a deadline of its own
        params = self.env["ir.config_parameter"].sudo()
        for fname, key in self._ka_days_settings().items():
            if not self[fname]:
                params.set_param(key, "0")
        return res
