from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL
from odoo.tools.sql import column_exists
from odoo.tools.sql import create_column

# what the 12-month sales and margin and last order date of a key account
# read from its orders (besides their lines, for the amounts)
KA_SALES_FIELDS = frozenset(
    {
        "state",
        "date_order",
        "company_id",
        "partner_id",
        "currency_id",
        "currency_rate",
        "pricelist_id",
        "amount_untaxed",
        "margin",
        "order_line",
    }
)
# what the untaxed amount and the margin of a line read
KA_LINE_AMOUNT_FIELDS = frozenset(
    {
        "order_id",
        "product_id",
        "product_uom",
        "product_uom_qty",
        "price_unit",
        "discount",
        "tax_id",
        "display_type",
        "price_subtotal",
        "purchase_price",
    }
)


class KeyAccountSalesSource(models.AbstractModel):
    """Sale documents (the orders, their lines) whose changes move the
    12-month sales and last order of their key accounts: created, written
    (``_ka_sales_fields``) or deleted, they refresh them in one call."""

    _name = "key_account.sales.source.mixin"
    _description = "Key Account Sales Source"
    _ka_sales_fields = frozenset()

    def _ka_confirmed_partners(self):
        """The key accounts whose figures these records count in."""
        raise NotImplementedError

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._ka_confirmed_partners()._ka_refresh_sales()
        return records

    def write(self, vals):
        if not vals.keys() & self._ka_sales_fields:
            return super().write(vals)
        before = self._ka_confirmed_partners()
        res = super().write(vals)
        (before | self._ka_confirmed_partners())._ka_refresh_sales()
        return res

    def unlink(self):
        partners = self._ka_confirmed_partners()
        res = super().unlink()
        partners._ka_refresh_sales()
        return res


class SaleOrder(models.Model):
    _name = "sale.order"
    # the key account an order counts for is its customer's company: never a
    # client's (the guard of the client input mixin)
    _inherit = [
        "sale.order",
        "key_account.sales.source.mixin",
        "key_account.number.mixin",
    ]
    _ka_own_numbers_only = True
    _ka_sales_fields = KA_SALES_FIELDS

    ka_commercial_partner_id = fields.Many2one(
        "res.partner",
        string="Key Account Customer",
        related="partner_id.commercial_partner_id",
        store=True,
        index=True,
        help="The customer the order counts for: the company of a contact, or "
        "the customer itself (a company or a person of their own).",
    )

    def _auto_init(self):
        # Fill the new column in one statement rather than through the ORM, so
        # that installing on a database with many orders stays fast.
        if not column_exists(self.env.cr, self._table, "ka_commercial_partner_id"):
            create_column(self.env.cr, self._table, "ka_commercial_partner_id", "int4")
            self.env.cr.execute(
                SQL(
                    """UPDATE sale_order so
                          SET ka_commercial_partner_id = p.commercial_partner_id
                         FROM res_partner p
                        WHERE p.id = so.partner_id"""
                )
            )
        return super()._auto_init()

    # ---- the key accounts' figures follow their confirmed orders --------------
    def _ka_confirmed_partners(self):
        """The key-account companies of the confirmed orders among these."""
        return (
            self.sudo()
            .filtered(lambda o: o.state == "sale")
            .ka_commercial_partner_id.filtered("ka_type_id")
        )


class SaleOrderLine(models.Model):
    _name = "sale.order.line"
    _inherit = ["sale.order.line", "key_account.sales.source.mixin"]
    _ka_sales_fields = KA_LINE_AMOUNT_FIELDS

    def _ka_confirmed_partners(self):
        return self.order_id._ka_confirmed_partners()
