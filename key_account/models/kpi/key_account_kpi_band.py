from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from .key_account_kpi_template import checks_deferred


class KeyAccountKpiBand(models.Model):
    _name = "key_account.kpi.band"
    _inherit = ["key_account.number.mixin"]
    _description = "KPI Scoring Band"
    _order = "from_pct, id"

    line_id = fields.Many2one(
        "key_account.kpi.template.line", required=True, ondelete="cascade", index=True
    )
    from_pct = fields.Float(string="From (%)", help="Achievement from (included).")
    to_pct = fields.Float(
        string="To (%)",
        help="Achievement up to (excluded); 0 on the last band: no upper limit.",
    )
    mode = fields.Selection(
        [("fixed", "Fixed points"), ("proportional", "Proportional")],
        required=True,
        default="fixed",
        help="Proportional: the points are the achievement % itself.",
    )
    points = fields.Float()

    @api.constrains("points", "from_pct", "to_pct")
    def _check_points(self):
        for band in self:
            if not 0 <= band.points <= 100 or band.from_pct < 0 or band.to_pct < 0:
                raise ValidationError(
                    self.env._(
                        "Scoring bands: points go from 0 to 100 and percentages "
                        "cannot be negative."
                    )
                )
        if not checks_deferred(self.env):
            self.line_id._ka_check_bands()
