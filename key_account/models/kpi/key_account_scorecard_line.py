from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools.safe_eval import safe_eval

from ..common.key_account_guard_mixin import is_trusted


class KeyAccountScorecardLine(models.Model):
    _name = "key_account.scorecard.line"
    _inherit = ["key_account.number.mixin"]
    _description = "KPI Scorecard Line"
    _order = "sequence, id"

    scorecard_id = fields.Many2one(
        "key_account.scorecard", required=True, ondelete="cascade", index=True
    )
    user_id = fields.Many2one(related="scorecard_id.user_id", store=True)
    company_id = fields.Many2one(related="scorecard_id.company_id", store=True)
    state = fields.Selection(related="scorecard_id.state")
    template_line_id = fields.Many2one(
        "key_account.kpi.template.line", ondelete="set null"
    )
    indicator_id = fields.Many2one("key_account.kpi.indicator", ondelete="restrict")
    sequence = fields.Integer()
    # in each reader's language: the indicator's or the template line's
    # translations (key_account.scorecard._ka_translate_line_names)
    name = fields.Char(required=True, translate=True)
    kind = fields.Selection(
        [("indicator", "Indicator"), ("manual", "Manual (appraisers)")],
        required=True,
        default="indicator",
    )
    unit = fields.Selection(related="indicator_id.unit")
    scope = fields.Selection(
        [("own", "Own"), ("department", "Department")],
        string="Measured Over",
        default="own",
    )
    weight = fields.Float()
    target = fields.Float()
    value = fields.Float(readonly=True, help="The indicator's value in the period.")
    is_available = fields.Boolean(
        string="Available",
        default=True,
        help="Unticked when the indicator's records are not in this database.",
    )
    has_data = fields.Boolean(
        help="Unticked when there was nothing to measure in the period."
    )
    # computed by the scorecard's computation: no client's
    achievement = fields.Float(string="Achievement (%)", readonly=True)
    indicator_points = fields.Float(readonly=True)
    superior_points = fields.Float(help="Points (0-100) given by the superior.")
    peer_points = fields.Float(
        string="HR / Colleagues' Points", help="Points (0-100) given by HR/colleagues."
    )
    points = fields.Float(
        compute="_compute_points", store=True, help="Score of the line, 0 to 100."
    )
    weighted_score = fields.Float(compute="_compute_points", store=True)
    res_model = fields.Char(string="Records Model")
    res_domain = fields.Text(string="Records Domain")

    @api.depends(
        "kind",
        "indicator_points",
        "superior_points",
        "peer_points",
        "weight",
        "scorecard_id.superior_weight",
        "scorecard_id.peer_weight",
    )
    def _compute_points(self):
        for line in self:
            if line.kind == "manual":
                card = line.scorecard_id
                points = (
                    line.superior_points * card.superior_weight
                    + line.peer_points * card.peer_weight
                ) / 100.0
            else:
                points = line.indicator_points
            line.points = points
            line.weighted_score = points * line.weight / 100.0

    @api.constrains("superior_points", "peer_points")
    def _check_manual_points(self):
        for line in self:
            if not (0 <= line.superior_points <= 100 and 0 <= line.peer_points <= 100):
                raise ValidationError(
                    self.env._(
                        "%(line)s: the appraisers' points go from 0 to 100.",
                        line=line.name,
                    )
                )

    # ---- immutability of confirmed scorecards ---------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        # on the scorecards they were created on (from vals or defaults)
        lines.scorecard_id._ka_check_draft()
        lines.scorecard_id._ka_check_not_own_edit()
        return lines

    def write(self, vals):
        # a confirmed scorecard keeps its lines, whoever writes
        if not is_trusted():
            self.scorecard_id._ka_check_draft()
        self.scorecard_id._ka_check_not_own_edit()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed(self):
        self.scorecard_id._ka_check_draft()
        self.scorecard_id._ka_check_not_own_edit()

    # ---- the records behind the value ------------------------------------------------
    def action_open_records(self):
        self.ensure_one()
        if not self.res_model:
            return False
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": self.res_model,
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": safe_eval(self.res_domain or "[]"),
            "context": {"create": False},
        }
