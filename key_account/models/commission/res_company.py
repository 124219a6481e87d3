from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    # commissions: awards and the fraud penalty (the source documents: 200, 300, 10x)
    ka_award_weekly = fields.Monetary(string="Weekly Champion Award", default=200.0)
    ka_award_monthly = fields.Monetary(string="Monthly Champion Award", default=300.0)
    ka_penalty_factor = fields.Float(
        string="Penalty (times the award)",
        default=10.0,
        help="A penalty for fraud on an award is this many times the award.",
    )

    # consequences (the source documents: under 10,000 in a month, a regular
    # salesperson is proposed for demotion)
    ka_commission_minimum = fields.Monetary(
        string="Monthly Minimum Sales",
        default=10000.0,
        help="A regular full-time salesperson whose confirmed sales of a month "
        "stay below this amount is proposed for demotion (0: no minimum).",
    )

    # commissions in Accounting: off until the journal and both accounts are set
    ka_commission_journal_id = fields.Many2one(
        "account.journal",
        string="Commission Journal",
        check_company=True,
        domain="[('type', 'in', ('general', 'purchase'))]",
        help="Confirmed settlements are booked in this journal: the salespeople's "
        "commissions as a journal entry, referral shares to outside contacts as "
        "vendor bills (in this journal when it is a purchase journal, else in the "
        "company's purchase journal). Leave empty to book nothing.",
    )
    ka_commission_expense_account_id = fields.Many2one(
        "account.account",
        string="Commission Expense Account",
        check_company=True,
        domain="[('deprecated', '=', False), "
        "('account_type', 'in', ('expense', 'expense_direct_cost'))]",
    )
    ka_commission_payable_account_id = fields.Many2one(
        "account.account",
        string="Commission Payable Account",
        check_company=True,
        domain="[('deprecated', '=', False), ('reconcile', '=', True), "
        "('account_type', '=', 'liability_payable')]",
        help="Credited with each salesperson's commission (their partner on the "
        "line); the payment to them is reconciled with it. A reconcilable "
        "Payable account: Register Payment pays only payable lines.",
    )

    @api.constrains("ka_commission_payable_account_id")
    def _check_ka_commission_payable_account(self):
        """Register Payment pays the lines of reconcilable payable (and
        receivable) accounts only: a commission credited to another account,
        a current liability say, could never be paid, nor its settlement."""
        for company in self:
            account = company.ka_commission_payable_account_id
            if account and (
                account.account_type != "liability_payable" or not account.reconcile
            ):
                raise ValidationError(
                    self.env._(
                        "%(account)s cannot be the commission payable account of "
                        "%(company)s: choose a reconcilable account of type "
                        "Payable. Register Payment pays only payable lines, so "
                        "commissions booked on another account would never be "
                        "paid.",
                        account=account.display_name,
                        company=company.name,
                    )
                )

    def _ka_commission_accounting(self):
        """Whether this company books its commissions: the journal and both
        accounts are set."""
        self.ensure_one()
        return bool(
            self.ka_commission_journal_id
            and self.ka_commission_expense_account_id
            and self.ka_commission_payable_account_id
        )
