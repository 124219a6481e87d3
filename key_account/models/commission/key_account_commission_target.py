from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


class KeyAccountCommissionTarget(models.Model):
    """A salesperson's sales target for one month (company currency)."""

    _name = "key_account.commission.target"
    _inherit = ["key_account.month.mixin", "key_account.number.mixin"]
    _description = "Monthly Sales Target"
    _order = "month desc, user_id"
    _check_company_auto = True

    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        required=True,
        index=True,
        default=lambda self: self.env.user,
    )
    month = fields.Date(
        required=True,
        index=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
        help="The first day of the month.",
    )
    amount = fields.Monetary(string="Target", required=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")

    _sql_constraints = [
        (
            "user_month_uniq",
            "unique(user_id, month, company_id)",
            "A salesperson has one target per month.",
        ),
    ]

    @api.constrains("amount")
    def _check_amount(self):
        for target in self:
            if target.amount < 0:
                raise ValidationError(
                    self.env._(
                        "The target of %(user)s cannot be below zero.",
                        user=target.user_id.name,
                    )
                )

    @api.model
    def _ka_targets_by_user(self, users, date_from, date_to):
        """{user_id: sum of the monthly targets of the months starting in
        [date_from, date_to]}, one grouped query; users without a target are
        absent."""
        groups = self.sudo()._read_group(
            [
                ("user_id", "in", users.ids),
                ("month", ">=", date_from.replace(day=1)),
                ("month", "<=", date_to),
                ("company_id", "in", self.env.companies.ids),
            ],
            ["user_id"],
            ["amount:sum"],
        )
        return {user.id: amount for user, amount in groups}

    @api.model
    def _ka_status_factors(self):
        param = self.env["ir.config_parameter"].sudo()
        return {
            "regular": float(
                param.get_param("key_account.commission_factor_regular", 1.0)
            ),
            "probation": float(
                param.get_param("key_account.commission_factor_probation", 0.5)
            ),
            "demoted": float(
                param.get_param("key_account.commission_factor_demoted", 0.7)
            ),
        }

    @api.model
    def _ka_effective_targets(self, users, date_from, date_to):
        """Targets x the factor of each user's status: {user_id: amount}."""
        targets = self._ka_targets_by_user(users, date_from, date_to)
        factors = self._ka_status_factors()
        # the status is for managers: read it whoever computes
        return {
            user.id: targets[user.id]
            * factors.get(user.ka_commission_status or "regular", 1.0)
            for user in users.sudo()
            if user.id in targets
        }
