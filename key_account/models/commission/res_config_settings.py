from odoo import fields
from odoo import models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ka_commission_factor_regular = fields.Float(
        string="Target Factor: Regular",
        config_parameter="key_account.commission_factor_regular",
        default=1.0,
    )
    ka_commission_factor_probation = fields.Float(
        string="Target Factor: On Probation",
        config_parameter="key_account.commission_factor_probation",
        default=0.5,
    )
    ka_commission_factor_demoted = fields.Float(
        string="Target Factor: Demoted",
        config_parameter="key_account.commission_factor_demoted",
        default=0.7,
    )

    ka_commission_minimum = fields.Monetary(
        related="company_id.ka_commission_minimum", readonly=False
    )
    ka_award_weekly = fields.Monetary(
        related="company_id.ka_award_weekly", readonly=False
    )
    ka_award_monthly = fields.Monetary(
        related="company_id.ka_award_monthly", readonly=False
    )
    ka_penalty_factor = fields.Float(
        related="company_id.ka_penalty_factor", readonly=False
    )

    ka_commission_journal_id = fields.Many2one(
        related="company_id.ka_commission_journal_id", readonly=False
    )
    ka_commission_expense_account_id = fields.Many2one(
        related="company_id.ka_commission_expense_account_id", readonly=False
    )
    ka_commission_payable_account_id = fields.Many2one(
        related="company_id.ka_commission_payable_account_id", readonly=False
    )
