from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError

from ..common.key_account_guard_mixin import is_trusted
from ..common.key_account_guard_mixin import trusted_write

MEASURES = [
    ("sales", "Sales amount"),
    ("margin", "Margin amount"),
    ("new_products", "New products sold"),
    ("new_categories", "New product categories sold"),
    ("visits", "Visits done"),
    ("relationship", "Relationship goal (marked done by hand)"),
]
AMOUNT_MEASURES = ("sales", "margin")
COUNT_MEASURES = ("new_products", "new_categories", "visits")
# written on the objective by the workflow only, when its plan closes
CLOSED_FIELDS = frozenset({"closed_amount", "closed_count", "closed_percent"})


class KeyAccountPlanObjective(models.Model):
    """An objective of an account plan: measured from the database (sales and
    margin from the confirmed orders, new products or categories, visits
    done) against a target, or a relationship goal marked done by hand."""

    _name = "key_account.plan.objective"
    _inherit = ["key_account.number.mixin", "key_account.guard.mixin"]
    _description = "Key Account Plan Objective"
    _order = "plan_id, sequence, id"

    plan_id = fields.Many2one(
        "key_account.plan",
        required=True,
        index=True,
        ondelete="cascade",
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Objective", required=True)
    measure = fields.Selection(MEASURES, required=True, default="sales")
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    target_amount = fields.Monetary(help="For a sales or margin objective.")
    target_count = fields.Integer(
        help="For an objective of new products or categories, or of visits.",
    )
    done = fields.Boolean(
        help="A relationship goal reached (the owner or a manager marks it)."
    )
    actual_amount = fields.Monetary(compute="_compute_actual")
    actual_count = fields.Integer(compute="_compute_actual")
    percent = fields.Float(string="% Done", compute="_compute_actual", digits=(16, 1))
    closed_amount = fields.Monetary(readonly=True, copy=False)
    closed_count = fields.Integer(readonly=True, copy=False)
    closed_percent = fields.Float(readonly=True, copy=False, digits=(16, 1))

    @api.constrains("measure", "target_amount", "target_count")
    def _check_target(self):
        for objective in self:
            if objective.measure in AMOUNT_MEASURES:
                bad = objective.currency_id.compare_amounts(
                    objective.target_amount, 0
                ) <= 0 or (objective.target_count != 0)
            elif objective.measure in COUNT_MEASURES:
                bad = objective.target_count <= 0 or bool(objective.target_amount)
            else:
                bad = bool(objective.target_amount or objective.target_count)
            if bad:
                raise ValidationError(
                    self.env._(
                        "Objective %(name)s: a sales or margin objective needs a "
                        "target amount above zero, an objective of products, "
                        "categories or visits a target count above zero, and a "
                        "relationship goal no target.",
                        name=objective.name,
                    )
                )

    @api.depends(
        "measure",
        "target_amount",
        "target_count",
        "done",
        "plan_id.state",
        "plan_id.partner_id",
        "plan_id.company_id",
        "plan_id.date_from",
        "plan_id.date_to",
    )
    def _compute_actual(self):
        closed = self.filtered(lambda o: o.plan_id.state == "closed")
        for objective in closed:
            objective.actual_amount = objective.closed_amount
            objective.actual_count = objective.closed_count
            objective.percent = objective.closed_percent
        live = self - closed
        plans = live.plan_id.filtered(lambda p: p.partner_id and p.date_from)
        sales = plans._ka_sales()
        spent = plans._ka_spent()
        for objective in live:
            plan = objective.plan_id
            amount, count = 0.0, 0
            if plan in plans:
                figures = sales[plan]
                if objective.measure in AMOUNT_MEASURES:
                    amount = figures[objective.measure]
                elif objective.measure in ("new_products", "new_categories"):
                    count = figures[objective.measure]
                elif objective.measure == "visits":
                    count = spent[plan]["visits_done"]
            objective.actual_amount = amount
            objective.actual_count = count
            objective.percent = objective._ka_percent(amount, count)

    def _ka_percent(self, amount, count):
        self.ensure_one()
        if self.measure in AMOUNT_MEASURES:
            return 100.0 * amount / self.target_amount if self.target_amount else 0.0
        if self.measure in COUNT_MEASURES:
            return 100.0 * count / self.target_count if self.target_count else 0.0
        return 100.0 if self.done else 0.0

    def _ka_freeze(self):
        """Keep the objectives' results as they are now (their plan closes)."""
        for objective in self:
            objective.sudo()._ka_trusted_write(
                {
                    "closed_amount": objective.actual_amount,
                    "closed_count": objective.actual_count,
                    "closed_percent": objective.percent,
                }
            )

    def _ka_trusted_write(self, vals):
        with trusted_write():
            return self.write(vals)

    # ---- guards ----------------------------------------------------------------------
    def _ka_check_plan_editable(self, fnames=None):
        """Objectives are set while their plan is a draft (or refused); a
        relationship goal is then marked done until the plan closes."""
        if fnames is not None and set(fnames) <= {"done"}:
            closed = self.plan_id.filtered(lambda p: p.state in ("closed", "cancelled"))
            if closed:
                raise UserError(closed[0]._ka_locked_message(closed[0]))
            return
        self.plan_id._ka_check_editable(self.env._("objectives"))

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.keys() & CLOSED_FIELDS for vals in vals_list):
            raise AccessError(
                self.env._("The results of a plan are kept at its close.")
            )
        objectives = super().create(vals_list)
        if not self.env.su:
            objectives._ka_check_plan_editable()
        return objectives

    def write(self, vals):
        if self.env.su and not is_trusted():
            # closed is closed, for the superuser too
            self._ka_check_plan_editable(vals)
        elif not self.env.su:
            if vals.keys() & CLOSED_FIELDS:
                raise AccessError(
                    self.env._("The results of a plan are kept at its close.")
                )
            if "plan_id" in vals:
                raise AccessError(
                    self.env._("An objective stays on its plan: delete it instead.")
                )
            self._ka_check_plan_editable(vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_submitted(self):
        self._ka_check_plan_editable()
