from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _name = "res.company"
    _inherit = ["res.company", "key_account.number.mixin"]
    _ka_own_numbers_only = True

    # ---- public pool rules (defaults; grades may override the periods) ------
    ka_pool_followup_days = fields.Integer(
        string="Return After Days Without Follow-up",
        default=30,
        help="An owned key account with no visit or done call, e-mail or meeting "
        "for this many days goes back to the pool.",
    )
    ka_pool_order_days = fields.Integer(
        string="Return After Days Without Order",
        default=90,
        help="An owned key account with no confirmed order for this many days "
        "goes back to the pool.",
    )
    ka_pool_warning_days = fields.Integer(
        string="Warn Days Before Return",
        default=7,
        help="The owner gets an activity and a chatter message this many days "
        "before the account goes back to the pool.",
    )
    ka_pool_order_exempt_days = fields.Integer(
        string="Exempt After an Order Within Days",
        default=30,
        help="An account with a confirmed order in the last days never goes back "
        "to the pool (0: no such exemption).",
    )
    ka_pool_max_owned = fields.Integer(
        string="Maximum Key Accounts per Salesperson",
        default=50,
        help="Claims stop once a salesperson owns this many key accounts "
        "(0: no limit). Managers may override it with a reason.",
    )
    ka_pool_max_claims_per_day = fields.Integer(
        string="Maximum Claims per Day",
        default=5,
        help="Claims a salesperson may make from the pool per day (0: no limit).",
    )
    ka_pool_cooldown_days = fields.Integer(
        string="Re-claim Cooldown (days)",
        default=30,
        help="The previous owner of an account may not claim it again for this "
        "many days after it left them (0: no cooldown).",
    )

    ka_pool_default_team_id = fields.Many2one(
        "crm.team",
        string="Default Pool Team",
        domain="[('company_id', 'in', [id, False])]",
        ondelete="set null",
        help="The pool of the key accounts without a sales team. Empty: they stay "
        "in the company-wide pool, open to every salesperson of the company.",
    )

    @api.constrains("ka_pool_default_team_id")
    def _check_ka_pool_default_team(self):
        for company in self:
            team = company.sudo().ka_pool_default_team_id
            if team.company_id and team.company_id != company:
                raise ValidationError(
                    self.env._(
                        "The default pool team %(team)s works for %(other)s, not "
                        "for %(company)s.",
                        team=team.name,
                        other=team.company_id.name,
                        company=company.name,
                    )
                )

    def write(self, vals):
        res = super().write(vals)
        if "ka_pool_default_team_id" in vals:
            self.env["res.partner"]._ka_recompute_pool_teams(self)
        return res

    @api.constrains(
        "ka_pool_followup_days",
        "ka_pool_order_days",
        "ka_pool_warning_days",
        "ka_pool_order_exempt_days",
        "ka_pool_max_owned",
        "ka_pool_max_claims_per_day",
        "ka_pool_cooldown_days",
    )
    def _check_ka_pool_rules(self):
        for company in self:
            if (
                min(
                    company.ka_pool_followup_days,
                    company.ka_pool_order_days,
                    company.ka_pool_warning_days,
                )
                <= 0
            ):
                raise ValidationError(
                    self.env._(
                        "The pool periods (days without follow-up, days without "
                        "order, warning days) must be at least one day."
                    )
                )
            if (
                min(
                    company.ka_pool_order_exempt_days,
                    company.ka_pool_max_owned,
                    company.ka_pool_max_claims_per_day,
                    company.ka_pool_cooldown_days,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._("The pool caps and exemption days cannot be negative.")
                )
            company._ka_check_pool_warning(
                company.ka_pool_followup_days,
                company.ka_pool_order_days,
                company.ka_pool_warning_days,
            )
            # and with the rules of its teams' pools
            self.env["crm.team"].sudo().search(
                [("company_id", "in", [company.id, False])]
            )._ka_check_pool_periods(companies=company)

    def _ka_check_pool_warning(self, followup_days, order_days, warning_days, name=""):
        """``name``: the sales team or grade whose pool rules these are
        (none: the company's)."""
        if warning_days < min(followup_days, order_days):
            return
        values = {
            "warning": warning_days,
            "followup": followup_days,
            "order": order_days,
        }
        if name:
            raise ValidationError(
                self.env._(
                    "Pool rules of %(name)s: the warning (%(warning)s days before) "
                    "must come "
                    "after the account is taken: it must be shorter than the return "
                    "periods (%(followup)s days without follow-up, %(order)s days "
                    "without order).",
                    name=name,
                    **values,
                )
            )
        raise ValidationError(
            self.env._(
                "The warning (%(warning)s days before) must come "
                "after the account is taken: it must be shorter than the return "
                "periods (%(followup)s days without follow-up, %(order)s days "
                "without order).",
                **values,
            )
        )
