from odoo import fields
from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    # receptions: dining caps per guest, by dining standard (0: no cap)
    ka_dining_cap_high = fields.Monetary(string="High-grade Dining Cap per Guest")
    ka_dining_cap_middle = fields.Monetary(string="Middle-grade Dining Cap per Guest")
    ka_dining_cap_low = fields.Monetary(string="Low-grade Dining Cap per Guest")
