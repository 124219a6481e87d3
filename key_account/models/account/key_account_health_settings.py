from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

# the health signals shipped, in order: code -> company field of its weight
HEALTH_WEIGHT_FIELDS = {
    "followup": "ka_health_weight_followup",
    "trend": "ka_health_weight_trend",
    "frequency": "ka_health_weight_frequency",
    "completeness": "ka_health_weight_completeness",
    "complaints": "ka_health_weight_complaints",
    "receivables": "ka_health_weight_receivables",
}
HEALTH_BAND_FIELDS = ("ka_health_watch_below", "ka_health_risk_below")


class ResCompany(models.Model):
    _inherit = "res.company"

    # ---- the health score's weights (summing to 100) and bands --------------
    ka_health_weight_followup = fields.Integer(
        string="Follow-up Weight",
        default=25,
        help="Weight of the days since the last follow-up against the grade's "
        "cadence in the health score.",
    )
    ka_health_weight_trend = fields.Integer(
        string="Sales Trend Weight",
        default=25,
        help="Weight of the sales of the last 6 months against the 6 before.",
    )
    ka_health_weight_frequency = fields.Integer(
        string="Order Frequency Weight",
        default=20,
        help="Weight of the months with a confirmed order in the last 12.",
    )
    ka_health_weight_completeness = fields.Integer(
        string="File Completeness Weight",
        default=10,
        help="Weight of the customer file's completeness.",
    )
    ka_health_weight_complaints = fields.Integer(
        string="Open Complaints Weight",
        default=10,
        help="Weight of the complaints not answered yet.",
    )
    ka_health_weight_receivables = fields.Integer(
        string="Overdue Receivables Weight",
        default=10,
        help="Weight of the days since the oldest overdue invoice fell due.",
    )
    ka_health_watch_below = fields.Integer(
        string="Watch Below",
        default=70,
        help="A health score below this is to watch; from it up, healthy.",
    )
    ka_health_risk_below = fields.Integer(
        string="At Risk Below",
        default=40,
        help="A health score below this puts the account at risk: its owner "
        "gets an activity saying why.",
    )

    @api.model
    def _ka_health_weight_fields(self):
        """{signal code: company field of its weight}: a capability adding a
        signal (e.g. overdue receivables) adds its weight here."""
        return dict(HEALTH_WEIGHT_FIELDS)

    def _ka_health_weights(self):
        self.ensure_one()
        return {
            code: self[fname] for code, fname in self._ka_health_weight_fields().items()
        }

    @api.constrains(*HEALTH_WEIGHT_FIELDS.values(), *HEALTH_BAND_FIELDS)
    def _check_ka_health_weights(self):
        for company in self:
            weights = company._ka_health_weights()
            if any(weight < 0 for weight in weights.values()) or (
                sum(weights.values()) != 100
            ):
                raise ValidationError(
                    self.env._(
                        "%(company)s: the weights of the health score must be 0 or "
                        "more and sum to 100 (they sum to %(total)s).",
                        company=company.name,
                        total=sum(weights.values()),
                    )
                )
            if not (
                0 < company.ka_health_risk_below < company.ka_health_watch_below <= 100
            ):
                raise ValidationError(
                    self.env._(
                        "%(company)s: the health bands need 0 < at risk below < "
                        "watch below <= 100.",
                        company=company.name,
                    )
                )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # Not related fields: a related field writes the company once per field,
    # and each write would be checked with the other weights still the old
    # ones. The weights are written together (set_values), checked once.
    ka_health_weight_followup = fields.Integer(string="Follow-up")
    ka_health_weight_trend = fields.Integer(string="Sales trend")
    ka_health_weight_frequency = fields.Integer(string="Order frequency")
    ka_health_weight_completeness = fields.Integer(string="File completeness")
    ka_health_weight_complaints = fields.Integer(string="Open complaints")
    ka_health_weight_receivables = fields.Integer(string="Overdue receivables")
    ka_health_weight_total = fields.Integer(
        string="Total", compute="_compute_ka_health_weight_total"
    )
    ka_health_watch_below = fields.Integer(string="Watch below")
    ka_health_risk_below = fields.Integer(string="At risk below")

    def _ka_health_setting_fields(self):
        return [*HEALTH_WEIGHT_FIELDS.values(), *HEALTH_BAND_FIELDS]

    @api.depends(*HEALTH_WEIGHT_FIELDS.values())
    def _compute_ka_health_weight_total(self):
        for settings in self:
            settings.ka_health_weight_total = sum(
                settings[fname] for fname in HEALTH_WEIGHT_FIELDS.values()
            )

    @api.model
    def get_values(self):
        res = super().get_values()
        company = self.env.company
        res.update(
            {fname: company[fname] for fname in self._ka_health_setting_fields()}
        )
        return res

    def set_values(self):
        res = super().set_values()
        vals = {fname: self[fname] for fname in self._ka_health_setting_fields()}
        company = self.company_id
        if any(company[fname] != value for fname, value in vals.items()):
            # one write, one check: refused as a whole
            company.write(vals)
        return res
