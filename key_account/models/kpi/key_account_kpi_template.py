from contextlib import contextmanager

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools.float_utils import float_compare

# while a template (or a line) writes its own lines (or bands), the sums are
# checked once at the end, not after each line of the same edit. The mark
# lives on the cursor, out of any client's reach (a context key is not).
_DEFERRED = "key_account.kpi_checks_deferred"


@contextmanager
def defer_checks(env):
    """Defer the weight and band checks of the lines written inside; the
    caller checks once afterwards."""
    depth = env.cr.cache.get(_DEFERRED, 0)
    env.cr.cache[_DEFERRED] = depth + 1
    try:
        yield
    finally:
        env.cr.cache[_DEFERRED] = depth


def checks_deferred(env):
    return env.cr.cache.get(_DEFERRED, 0) > 0


class KeyAccountKpiTemplate(models.Model):
    """How one role is appraised: indicators and manual items with weights
    summing to 100, targets and scoring bands."""

    _name = "key_account.kpi.template"
    _inherit = ["key_account.number.mixin"]
    _description = "KPI Appraisal Template"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    role = fields.Selection(
        [
            ("manager", "Key-account manager"),
            ("assistant", "Sales assistant"),
            ("consultant", "Sales consultant"),
        ],
        required=True,
        default="consultant",
    )
    period_type = fields.Selection(
        [
            ("month", "Monthly"),
            ("quarter", "Quarterly"),
            ("half_year", "Half-yearly"),
        ],
        string="Appraised",
        required=True,
        default="quarter",
        help="The scheduled action computes the scorecards of the appraised "
        "people after each such period.",
    )
    company_id = fields.Many2one(
        "res.company", help="Leave empty to share the template between companies."
    )
    user_ids = fields.Many2many(
        "res.users",
        string="Appraised People",
        help="The people whose scorecards the scheduled action computes with "
        "this template.",
    )
    line_ids = fields.One2many(
        "key_account.kpi.template.line", "template_id", string="Lines", copy=True
    )
    total_weight = fields.Float(compute="_compute_total_weight")
    superior_weight = fields.Float(
        string="Superior's Share (%)",
        default=70.0,
        help="Share of the superior's points in a manual line's score.",
    )
    peer_weight = fields.Float(
        string="HR / Colleagues' Share (%)",
        default=30.0,
        help="Share of HR's or colleagues' points in a manual line's score.",
    )

    @api.depends("line_ids.weight")
    def _compute_total_weight(self):
        for template in self:
            template.total_weight = sum(template.line_ids.mapped("weight"))

    @api.constrains("superior_weight", "peer_weight")
    def _check_appraiser_weights(self):
        for template in self:
            if (
                min(template.superior_weight, template.peer_weight) < 0
                or float_compare(
                    template.superior_weight + template.peer_weight, 100.0, 2
                )
                != 0
            ):
                raise ValidationError(
                    self.env._(
                        "%(template)s: the superior's and HR/colleagues' shares "
                        "must be positive and sum to 100%%, not %(total)s%%.",
                        template=template.name,
                        total=template.superior_weight + template.peer_weight,
                    )
                )

    @api.constrains("line_ids")
    def _check_lines(self):
        self._ka_check_weights()
        self.line_ids._ka_check_bands()

    def _ka_check_weights(self):
        for template in self:
            lines = template.line_ids
            if not lines:
                continue
            if any(line.weight <= 0 for line in lines):
                raise ValidationError(
                    self.env._(
                        "%(template)s: each line needs a weight above 0.",
                        template=template.name,
                    )
                )
            total = sum(lines.mapped("weight"))
            if float_compare(total, 100.0, 2) != 0:
                raise ValidationError(
                    self.env._(
                        "%(template)s: the weights of the lines must sum to 100, "
                        "not %(total)s.",
                        template=template.name,
                        total=round(total, 2),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        with defer_checks(self.env):
            return super().create(vals_list)

    def write(self, vals):
        with defer_checks(self.env):
            return super().write(vals)

    def _load_records_write(self, values):
        # the data's lines are created with the template, once: loading the
        # data again (-i where the module is installed) keeps its lines
        if self.line_ids:
            values = {
                fname: value for fname, value in values.items() if fname != "line_ids"
            }
        return super()._load_records_write(values)

    def action_compute_scorecards(self):
        """Button: open the wizard computing scorecards with this template."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "key_account.key_account_scorecard_compute_action"
        )
        action["context"] = {
            "default_template_id": self.id,
            "default_user_ids": self.user_ids.ids,
        }
        return action
