from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    # receptions: dining caps per guest, by dining standard (0: no cap)
    ka_dining_cap_high = fields.Monetary(string="High-grade Dining Cap per Guest")
    ka_dining_cap_middle = fields.Monetary(string="Middle-grade Dining Cap per Guest")
    ka_dining_cap_low = fields.Monetary(string="Low-grade Dining Cap per Guest")
    # actual expenses claimed without a new approval: up to this % above the
    # cost the approval chain approved
    ka_expense_tolerance = fields.Float(
        string="Expense Overrun Tolerance (%)",
        default=0.0,
        help="Actual expenses of a visit or reception may exceed the approved "
        "cost by this percentage before their overrun needs an approval of its "
        "own.",
    )

    @api.constrains("ka_expense_tolerance")
    def _check_ka_expense_tolerance(self):
        for company in self:
            if not 0 <= company.ka_expense_tolerance <= 100:
                raise ValidationError(
                    self.env._(
                        "The expense overrun tolerance is a percentage of the "
                        "approved cost, from 0 to 100."
                    )
                )
