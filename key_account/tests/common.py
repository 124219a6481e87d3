from datetime import datetime
from datetime import time

from odoo import Command
from odoo import fields
from odoo.tests import TransactionCase
from odoo.tests import new_test_user


class KeyAccountCase(TransactionCase):
    """Fixtures: users of each role, the shipped grades at known thresholds,
    a product, and helpers that make key accounts and sale orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.currency = cls.company.currency_id
        cls.ka_manager = new_test_user(
            cls.env,
            login="ka_manager",
            name="Kate Manager",
            groups="key_account.group_key_account_manager",
        )
        cls.ka_user = new_test_user(
            cls.env,
            login="ka_user",
            name="Sam Salesman",
            groups="key_account.group_key_account_user",
        )
        cls.ka_user2 = new_test_user(
            cls.env,
            login="ka_user2",
            name="Lee Salesman",
            groups="key_account.group_key_account_user",
        )
        cls.outsider = new_test_user(
            cls.env, login="ka_outsider", name="Olga Outsider", groups="base.group_user"
        )
        cls.grade_a = cls.env.ref("key_account.key_account_grade_a")
        cls.grade_b = cls.env.ref("key_account.key_account_grade_b")
        cls.grade_c = cls.env.ref("key_account.key_account_grade_c")
        cls.grade_d = cls.env.ref("key_account.key_account_grade_d")
        # the shipped defaults, stated here so that tests read on their own
        cls.grade_a.write({"min_sales_12m": 1_000_000, "inactive_months": 12})
        cls.grade_b.write({"min_sales_12m": 200_000, "inactive_months": 12})
        cls.grade_c.write({"min_sales_12m": 0, "inactive_months": 12})
        cls.type_strategic = cls.env.ref("key_account.key_account_type_strategic")
        cls.type_potential = cls.env.ref("key_account.key_account_type_potential")
        cls.product = cls.env["product.product"].create(
            {"name": "Key Account Test Product", "list_price": 100.0, "taxes_id": False}
        )

    @classmethod
    def _account(cls, name="Key Account Co", **vals):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "ka_type_id": cls.type_strategic.id,
                **vals,
            }
        )

    @classmethod
    def _order(
        cls,
        partner,
        amount,
        date=None,
        confirm=True,
        pricelist=None,
        user=None,
        company=None,
        quantity=1,
    ):
        """A sale order of ``amount`` untaxed, confirmed by default, dated
        ``date`` (a date or datetime; default now), in ``quantity`` units of
        the test product (list price 100) at ``amount / quantity`` each."""
        vals = {
            "partner_id": partner.id,
            "order_line": [
                Command.create(
                    {
                        "product_id": cls.product.id,
                        "product_uom_qty": quantity,
                        "price_unit": amount / quantity,
                        "tax_id": [Command.clear()],
                    }
                )
            ],
        }
        if pricelist:
            vals["pricelist_id"] = pricelist.id
        if user:
            vals["user_id"] = user.id
        if company:
            vals["company_id"] = company.id
        order = cls.env["sale.order"].create(vals)
        if confirm:
            order.action_confirm()
        if date:
            if not isinstance(date, datetime):
                date = datetime.combine(date, time(12, 0))
            order.date_order = date
        return order

    @staticmethod
    def _today():
        return fields.Date.today()

    @classmethod
    def _feedback(cls, partner, user, received, feedback_type="complaint", **vals):
        """A feedback of ``partner`` owned by ``user``, received at
        ``received`` (a datetime)."""
        return cls.env["key_account.feedback"].create(
            {
                "name": f"{feedback_type} of {partner.name}",
                "feedback_type": feedback_type,
                "partner_id": partner.id,
                "user_id": user.id,
                "received_date": received,
                **vals,
            }
        )
