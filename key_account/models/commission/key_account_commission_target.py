from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError

from ..common.groups import KA_MANAGER


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

    # ---- part-timers set their own targets (the managers everybody's) ----------------
    @api.model_create_multi
    def create(self, vals_list):
        targets = super().create(vals_list)
        # judged on what is stored, whatever the values or the defaults said
        targets._ka_check_own_targets()
        return targets

    def write(self, vals):
        self._ka_check_own_targets()
        res = super().write(vals)
        self._ka_check_own_targets()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_not_own(self):
        self._ka_check_own_targets()

    def _ka_check_own_targets(self):
        """A part-time salesperson arranges their own targets of this month
        and the next ones; a full-timer's are set by a Key Account manager."""
        if self.env.su or self.env.user.has_group(KA_MANAGER):
            return
        user = self.env.user
        kind = user.sudo().ka_commission_plan_id.salesperson_kind
        start = fields.Date.context_today(self).replace(day=1)
        for target in self:
            if target.user_id != user or kind != "part_time":
                raise AccessError(
                    self.env._(
                        "Only part-time salespeople set their own targets; the "
                        "others' are set by a Key Account manager."
                    )
                )
            if target.month < start:
                raise AccessError(
                    self.env._(
                        "%(month)s has begun: its target stays as it was set.",
                        month=target.month.strftime("%Y-%m"),
                    )
                )

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
        result = {}
        by_month = self._ka_effective_targets_by_month(users, date_from, date_to)
        for (uid, _month), amount in by_month.items():
            result[uid] = result.get(uid, 0.0) + amount
        return result

    @api.model
    def _ka_effective_targets_by_month(self, users, date_from, date_to, companies=None):
        """{(user_id, first day of the month): target x the factor of the
        user's status in that month} for the months starting in [date_from,
        date_to], in ``companies`` (default: the current ones). The status
        is the user's, except before the month an accepted demotion takes
        effect: there it is the status the demotion found."""
        companies = companies or self.env.companies
        groups = self.sudo()._read_group(
            [
                ("user_id", "in", users.ids),
                ("month", ">=", date_from.replace(day=1)),
                ("month", "<=", date_to),
                ("company_id", "in", companies.ids),
            ],
            ["user_id", "month:month"],
            ["amount:sum"],
        )
        factors = self._ka_status_factors()
        # accepted demotions not in effect yet in some month of the period
        demotions = (
            self.env["key_account.commission.proposal"]
            .sudo()
            .search(
                [
                    ("user_id", "in", users.ids),
                    ("kind", "=", "demotion"),
                    ("state", "=", "accepted"),
                    ("effective_month", ">", date_from.replace(day=1)),
                ],
                order="effective_month",
            )
        )
        # the status is for managers: read it whoever computes
        statuses = {
            user.id: user.ka_commission_status or "regular" for user in users.sudo()
        }
        result = {}
        for user, month, amount in groups:
            month = fields.Date.to_date(month)
            status = statuses.get(user.id, "regular")
            pending = demotions.filtered(
                lambda d, u=user, m=month: d.user_id == u and d.effective_month > m
            )[:1]
            if pending:
                status = pending.status_before or "regular"
            result[(user.id, month)] = amount * factors.get(status, 1.0)
        return result
