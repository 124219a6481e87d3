from odoo import api
from odoo import fields
from odoo import models
from odoo.addons.key_account.models.engagement.key_account_expense import EXPENSE_TYPES
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError


class KeyAccountExpenseProduct(models.Model):
    """Which expense category (an expensable product of Expenses) a type of
    key-account expense is reported under. A row of a company comes before
    a row of all companies."""

    _name = "key_account.expense.product"
    _description = "Key Account Expense Product"
    _order = "expense_type, company_id, id"
    _check_company_auto = True

    expense_type = fields.Selection(
        EXPENSE_TYPES, string="Key Account Expense Type", required=True
    )
    product_id = fields.Many2one(
        "product.product",
        string="Expense Category",
        required=True,
        ondelete="restrict",
        check_company=True,
        domain="[('can_be_expensed', '=', True)]",
    )
    company_id = fields.Many2one(
        "res.company", help="Leave empty for every company without a row of its own."
    )

    @api.constrains("expense_type", "company_id")
    def _check_one_row_per_company(self):
        for row in self:
            if self.search_count(
                [
                    ("id", "!=", row.id),
                    ("expense_type", "=", row.expense_type),
                    ("company_id", "=", row.company_id.id),
                ]
            ):
                raise ValidationError(
                    self.env._(
                        "A type of key-account expense has one expense category "
                        "per company."
                    )
                )

    @api.constrains("product_id")
    def _check_product_expensable(self):
        for row in self:
            if not row.product_id.can_be_expensed:
                raise ValidationError(
                    self.env._(
                        "%(product)s cannot be expensed: tick “Can be Expensed” "
                        "on the product first.",
                        product=row.product_id.display_name,
                    )
                )

    @api.model
    def _ka_products(self, expense_types, company):
        """The expense category of each type, for ``company``.

        :return: {expense type: product.product}
        """
        rows = self.sudo().search(
            [
                ("expense_type", "in", list(expense_types)),
                ("company_id", "in", [company.id, False]),
            ],
            order="company_id, id",
        )
        products = {}
        for row in rows:
            products.setdefault(row.expense_type, row.product_id)
        missing = set(expense_types) - set(products)
        if missing:
            labels = dict(self._fields["expense_type"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "No expense category for the key-account expense type "
                    "%(types)s in %(company)s: choose one in Key Accounts > "
                    "Configuration > Expense Categories.",
                    types=", ".join(sorted(labels[t] for t in missing)),
                    company=company.name,
                )
            )
        return products
