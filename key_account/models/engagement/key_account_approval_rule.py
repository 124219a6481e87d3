from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

DOCUMENT_TYPES = [
    ("visit", "Visit"),
    ("reception", "Reception"),
    ("gift", "Gift"),
]


class KeyAccountApprovalRule(models.Model):
    _name = "key_account.approval.rule"
    _inherit = ["key_account.number.mixin"]
    _description = "Key Account Approval Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(
        default=10, help="Levels are approved in this order, lowest first."
    )
    active = fields.Boolean(default=True)
    document_type = fields.Selection(
        DOCUMENT_TYPES,
        help="Leave empty for a level that applies to every kind of request.",
    )
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    min_amount = fields.Monetary(
        string="Minimum Amount",
        help="The level applies to requests whose planned cost reaches this amount.",
    )
    over_cap_only = fields.Boolean(
        string="Only Over a Cap",
        help="This level approves only the requests over a cap (dining per "
        "guest, gift value), whatever their amount. Without such a level, a "
        "request over a cap needs the next level up, if there is one.",
    )
    group_id = fields.Many2one(
        "res.groups",
        string="Approver Group",
        help="Any member of this group may approve this level.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Approver",
        check_company=True,
        help="This user approves the level (instead of a group).",
    )

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_currency_id(self):
        for rule in self:
            rule.currency_id = (
                rule.company_id.currency_id or self.env.company.currency_id
            )

    @api.constrains("group_id", "user_id", "min_amount")
    def _check_approver(self):
        for rule in self:
            if bool(rule.group_id) == bool(rule.user_id):
                raise ValidationError(
                    self.env._(
                        "Approval level %(name)s: choose either an approver group "
                        "or an approver, not both and not neither.",
                        name=rule.name,
                    )
                )
            if rule.min_amount < 0:
                raise ValidationError(
                    self.env._(
                        "Approval level %(name)s: the minimum amount cannot be "
                        "negative.",
                        name=rule.name,
                    )
                )

    def _ka_approver_users(self):
        """Users who may approve this level."""
        self.ensure_one()
        return self.user_id or self.group_id.users.filtered("active")
