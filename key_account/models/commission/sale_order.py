from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


class SaleOrder(models.Model):
    """A sale brought by a referral contact: one commission, split."""

    _name = "sale.order"
    _inherit = ["sale.order", "key_account.number.mixin"]
    _ka_own_numbers_only = True

    ka_referral_partner_id = fields.Many2one(
        "res.partner",
        string="Referral Contact",
        index="btree_not_null",
        help="The contact who brought the sale: the commission is split "
        "between the salesperson and this contact.",
    )
    ka_referral_share = fields.Float(
        string="Referral Share (%)",
        digits=(5, 2),
        help="The referral contact's share of the order's commission.",
    )

    @api.constrains("ka_referral_partner_id", "ka_referral_share")
    def _check_ka_referral_share(self):
        for order in self:
            if not 0 <= order.ka_referral_share <= 100:
                raise ValidationError(
                    self.env._(
                        "A referral share is a percentage from 0 to 100, not "
                        "%(share)s.",
                        share=order.ka_referral_share,
                    )
                )
            if order.ka_referral_share and not order.ka_referral_partner_id:
                raise ValidationError(
                    self.env._("A referral share needs a referral contact.")
                )
