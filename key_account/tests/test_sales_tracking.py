from datetime import date
from datetime import datetime
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import KeyAccountCase


@tagged("post_install", "-at_install")
class TestSalesTracking(KeyAccountCase):
    """The stored 12-month sales stay true without waiting for a re-grading."""

    def test_follows_confirmation_and_cancellation(self):
        partner = self._account()
        order = self._order(partner, 5_000, confirm=False)
        self.assertEqual(partner.ka_sales_12m, 0)
        order.action_confirm()
        self.assertEqual(partner.ka_sales_12m, 5_000)
        self.assertEqual(partner.ka_last_order_date, self._today())
        order.order_line = [
            Command.create(
                {"product_id": self.product.id, "price_unit": 700, "tax_id": []}
            )
        ]
        self.assertEqual(partner.ka_sales_12m, 5_700)
        order._action_cancel()
        self.assertEqual(partner.ka_sales_12m, 0)
        self.assertFalse(partner.ka_last_order_date)
        # the value is stored: searchable and sortable
        self.env.invalidate_all()
        found = self.env["res.partner"].search(
            [("id", "=", partner.id), ("ka_sales_12m", "=", 0)]
        )
        self.assertEqual(found, partner)

    def test_window_moves_with_the_daily_cron(self):
        partner = self._account()
        with freeze_time("2026-01-15 10:00:00"):
            self._order(partner, 40_000)
            self._order(partner, 2_000, date=self._today() - timedelta(days=30))
            self.assertEqual(partner.ka_sales_12m, 42_000)
        cron = self.env.ref("key_account.ir_cron_key_account_refresh_sales")
        self.assertTrue(cron.active)
        # 12 months after the older order, only the newer one is counted
        with freeze_time("2026-12-17 03:00:00"):
            self.env["res.partner"]._ka_cron_refresh_sales()
            self.assertEqual(partner.ka_sales_12m, 40_000)
        with freeze_time("2027-01-16 03:00:00"):
            self.env["res.partner"]._ka_cron_refresh_sales()
            self.assertEqual(partner.ka_sales_12m, 0)
            self.assertEqual(str(partner.ka_last_order_date), "2026-01-15")

    def test_window_boundary(self):
        partner = self._account()
        start = self._today() - relativedelta(months=12)
        self._order(partner, 100, date=start)  # first day of the window
        self._order(partner, 10, date=start - timedelta(days=1))
        partner._ka_refresh_sales()
        self.assertEqual(partner.ka_sales_12m, 100)

    def test_the_users_day(self):
        """At 23:30 UTC it is already the next morning in Shanghai: the last
        order's day is the user's, and the 12-month window starts at the
        user's midnight (16:00 UTC the day before)."""
        partner = self._account()
        with freeze_time("2026-03-01 23:30:00"):
            self.assertEqual(self._today(), date(2026, 3, 2))
            self._order(partner, 100, date=datetime(2026, 3, 1, 23, 30))
            self._order(partner, 10, date=datetime(2025, 3, 1, 16, 0))
            self._order(partner, 1, date=datetime(2025, 3, 1, 15, 59))
            partner._ka_refresh_sales()
            self.assertEqual(partner.ka_last_order_date, date(2026, 3, 2))
            self.assertEqual(partner.ka_sales_12m, 110)

    def test_contact_moving_to_another_company(self):
        first, second = self._account("First"), self._account("Second")
        buyer = self.env["res.partner"].create({"name": "Buyer", "parent_id": first.id})
        self._order(buyer, 9_000)
        self.assertEqual(first.ka_sales_12m, 9_000)
        buyer.parent_id = second
        self.assertEqual(second.ka_sales_12m, 9_000)
        self.assertEqual(first.ka_sales_12m, 0)

    def test_becoming_a_key_account_computes_at_once(self):
        partner = self.env["res.partner"].create(
            {"name": "Soon Key", "is_company": True}
        )
        self._order(partner, 3_000)
        self.assertEqual(partner.ka_sales_12m, 0)
        partner.ka_type_id = self.type_potential
        self.assertEqual(partner.ka_sales_12m, 3_000)
        self.assertEqual(partner.ka_since, self._today())
