from datetime import timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import KeyAccountCase


@tagged("post_install", "-at_install")
class TestGrading(KeyAccountCase):
    def _graded(self, amount):
        partner = self._account()
        if amount:
            self._order(partner, amount)
        partner._ka_regrade()
        return partner

    def test_boundaries(self):
        cases = [
            (1_000_000.00, self.grade_a),
            (999_999.99, self.grade_b),
            (200_000.00, self.grade_b),
            (199_999.99, self.grade_c),
            (1.00, self.grade_c),
        ]
        for amount, grade in cases:
            with self.subTest(amount=amount):
                partner = self._graded(amount)
                self.assertEqual(partner.ka_sales_12m, amount)
                self.assertEqual(partner.ka_grade_id, grade)

    def test_new_account_without_orders_is_c_not_dormant(self):
        self.assertEqual(self._graded(0).ka_grade_id, self.grade_c)

    def test_draft_and_cancelled_orders_ignored(self):
        partner = self._account()
        self._order(partner, 300_000, confirm=False)
        cancelled = self._order(partner, 900_000)
        cancelled._action_cancel()
        self._order(partner, 150_000)
        partner._ka_regrade()
        self.assertEqual(partner.ka_sales_12m, 150_000)
        self.assertEqual(partner.ka_grade_id, self.grade_c)

    def test_contact_orders_count_for_the_company(self):
        partner = self._account()
        buyer = self.env["res.partner"].create(
            {"name": "Buyer", "parent_id": partner.id}
        )
        delivery = self.env["res.partner"].create(
            {"name": "Warehouse", "parent_id": buyer.id, "type": "delivery"}
        )
        self._order(buyer, 150_000)
        self._order(delivery, 60_000)
        partner._ka_regrade()
        self.assertEqual(partner.ka_sales_12m, 210_000)
        self.assertEqual(partner.ka_grade_id, self.grade_b)

    def test_foreign_currency_converted(self):
        foreign = self.env.ref(
            "base.EUR" if self.currency.name != "EUR" else "base.USD"
        )
        foreign.active = True
        self.env["res.currency.rate"].search(
            [("currency_id", "=", foreign.id)]
        ).unlink()
        self.env["res.currency.rate"].create(
            {
                "currency_id": foreign.id,
                "company_id": self.company.id,
                "name": "2000-01-01",
                "rate": 0.5,  # 1 company unit = 0.5 foreign unit
            }
        )
        pricelist = self.env["product.pricelist"].create(
            {"name": "Foreign", "currency_id": foreign.id}
        )
        partner = self._account()
        order = self._order(partner, 120_000, pricelist=pricelist)
        self.assertEqual(order.currency_id, foreign)
        partner._ka_regrade()
        self.assertEqual(partner.ka_sales_12m, 240_000)
        self.assertEqual(partner.ka_grade_id, self.grade_b)

    def test_locked_grade_stays(self):
        partner = self._account(ka_grade_id=self.grade_a.id, ka_grade_locked=True)
        self._order(partner, 10)
        self.assertFalse(partner._ka_regrade())
        self.assertEqual(partner.ka_grade_id, self.grade_a)

    def test_history_only_on_change(self):
        partner = self._account(company_id=self.company.id)
        self._order(partner, 250_000)
        History = self.env["key_account.grade.history"]
        partner._ka_regrade()
        rows = History.search([("partner_id", "=", partner.id)])
        self.assertEqual(len(rows), 1)
        self.assertRecordValues(
            rows,
            [
                {
                    "old_grade_id": False,
                    "new_grade_id": self.grade_b.id,
                    "mode": "automatic",
                    "sales_12m": 250_000,
                }
            ],
        )
        messages = partner.message_ids.filtered(lambda m: "Re-graded" in (m.body or ""))
        self.assertEqual(len(messages), 1)
        # nothing changed: no new row, no new message
        self.assertFalse(partner._ka_regrade())
        self.assertEqual(History.search_count([("partner_id", "=", partner.id)]), 1)
        # an upgrade: one more row
        self._order(partner, 800_000)
        partner._ka_regrade()
        self.assertEqual(History.search_count([("partner_id", "=", partner.id)]), 2)
        self.assertEqual(partner.ka_grade_id, self.grade_a)

    def test_regrade_note_gives_no_sales_figure(self):
        """The partner's chatter is read by every internal user who reads the
        partner, the 12-month sales by Key Account managers only: the note
        of a re-grading says the grades, not the sales (the grade history,
        under its record rules, keeps them)."""
        partner = self._account(company_id=self.company.id)
        self._order(partner, 250_000)
        partner._ka_regrade()
        self.assertEqual(partner.ka_grade_id, self.grade_b)
        note = partner.message_ids.filtered(lambda m: "Re-graded" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn(self.grade_b.name, note.body)
        self.assertNotIn("250", note.body)
        self.assertEqual(partner.ka_grade_history_ids.sales_12m, 250_000)

    def test_dormant_after_inactive_months(self):
        today = self._today()
        cutoff = today - relativedelta(months=12)
        active = self._account("Ordered on the cutoff day")
        self._order(active, 500_000, date=cutoff)
        dormant = self._account("Ordered the day before")
        self._order(dormant, 500_000, date=cutoff - relativedelta(days=1))
        (active | dormant)._ka_regrade()
        self.assertEqual(active.ka_last_order_date, cutoff)
        self.assertEqual(active.ka_grade_id, self.grade_b)
        self.assertEqual(dormant.ka_grade_id, self.grade_d)
        self.assertEqual(dormant.ka_sales_12m, 0)

    def test_dormant_months_follow_the_grade(self):
        self.grade_b.inactive_months = 6
        partner = self._account()
        self._order(partner, 300_000, date=self._today() - relativedelta(months=7))
        partner._ka_regrade()
        self.assertEqual(partner.ka_grade_id, self.grade_d)

    def test_never_ordered_account_turns_dormant(self):
        with freeze_time("2025-01-10"):
            partner = self._account()
            self.assertEqual(str(partner.ka_since), "2025-01-10")
            partner._ka_regrade()
            self.assertEqual(partner.ka_grade_id, self.grade_c)
        with freeze_time("2026-01-11"):
            partner._ka_regrade()
            self.assertEqual(partner.ka_grade_id, self.grade_d)

    def test_non_key_accounts_untouched(self):
        plain = self.env["res.partner"].create({"name": "Plain Co", "is_company": True})
        self._order(plain, 2_000_000)
        self.env["res.partner"]._ka_cron_regrade()
        self.assertFalse(plain.ka_grade_id)
        self.assertEqual(plain.ka_sales_12m, 0)

    def test_cron_regrades_all_and_is_shipped_active(self):
        cron = self.env.ref("key_account.ir_cron_key_account_regrade")
        self.assertTrue(cron.active)
        self.assertEqual((cron.interval_number, cron.interval_type), (3, "months"))
        first, second = self._account("First"), self._account("Second")
        self._order(first, 1_200_000)
        self._order(second, 200_000)
        self.env["res.partner"]._ka_cron_regrade()
        self.assertEqual(first.ka_grade_id, self.grade_a)
        self.assertEqual(second.ka_grade_id, self.grade_b)

    def test_regrade_button_managers_only(self):
        partner = self._account()
        self._order(partner, 300_000)
        with self.assertRaises(AccessError):
            partner.with_user(self.ka_user).action_ka_regrade()
        partner.with_user(self.ka_manager).action_ka_regrade()
        self.assertEqual(partner.ka_grade_id, self.grade_b)

    def test_manual_change_logged(self):
        partner = self._account(company_id=self.company.id)
        partner.with_user(self.ka_manager).write({"ka_grade_id": self.grade_a.id})
        row = self.env["key_account.grade.history"].search(
            [("partner_id", "=", partner.id)]
        )
        self.assertRecordValues(
            row,
            [
                {
                    "old_grade_id": False,
                    "new_grade_id": self.grade_a.id,
                    "mode": "manual",
                    "user_id": self.ka_manager.id,
                }
            ],
        )
        self.assertIn("by hand", partner.message_ids[0].body)
        # writing the same grade again is no change
        partner.with_user(self.ka_manager).write({"ka_grade_id": self.grade_a.id})
        self.assertEqual(len(partner.ka_grade_history_ids), 1)

    def test_manual_change_needs_manager(self):
        partner = self._account()
        partner.user_id = self.ka_user
        with self.assertRaises(AccessError):
            partner.with_user(self.ka_user).write({"ka_grade_id": self.grade_a.id})
        with self.assertRaises(AccessError):
            partner.with_user(self.ka_user).write({"ka_grade_locked": True})
        self.assertFalse(partner.ka_grade_id)
        self.assertFalse(partner.ka_grade_history_ids)
        # the salesperson can still work on the file
        partner.with_user(self.ka_user).write({"ka_main_business": "Cement"})
        self.assertEqual(partner.ka_main_business, "Cement")

    def test_company_specific_grades(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        platinum = self.env["key_account.grade"].create(
            {
                "name": "Platinum",
                "code": "P",
                "sequence": 1,
                "min_sales_12m": 5_000_000,
                "company_id": other.id,
            }
        )
        theirs = self._account("Theirs", company_id=other.id)
        mine = self._account("Mine")
        self._order(theirs, 6_000_000, company=other)
        self._order(mine, 6_000_000)
        (theirs | mine)._ka_regrade()
        # each company's grade is read in that company
        self.assertEqual(theirs.with_company(other).ka_grade_id, platinum)
        # another company's grade is not offered to this company's accounts
        self.assertEqual(mine.ka_grade_id, self.grade_a)

    def test_regrade_bulk_writes_keep_dependents_and_chatter(self):
        """Re-grading writes grades, sales, history and notes in bulk: what
        depends on the grade follows, the note is a plain internal note."""
        self.grade_b.write({"contact_interval_days": 14, "visit_interval_days": 0})
        self.grade_c.write({"contact_interval_days": 30, "visit_interval_days": 0})
        partner = self._account(ka_since=self._today(), company_id=self.company.id)
        partner._ka_regrade()
        self.assertEqual(partner.ka_grade_id, self.grade_c)
        self.assertEqual(
            partner.ka_next_contact_date, self._today() + relativedelta(days=30)
        )
        self._order(partner, 300_000)
        partner._ka_regrade()
        self.env.invalidate_all()
        self.assertEqual(partner.ka_sales_12m, 300_000)
        self.assertEqual(partner.ka_grade_id, self.grade_b)
        self.assertEqual(
            partner.ka_next_contact_date, self._today() + relativedelta(days=14)
        )
        history = partner.ka_grade_history_ids.sorted("id")
        self.assertEqual(history.mapped("new_grade_id"), self.grade_c | self.grade_b)
        self.assertEqual(history[-1].company_id, partner.company_id)
        note = partner.message_ids.filtered(lambda m: "Re-graded" in (m.body or ""))[0]
        self.assertRecordValues(
            note,
            [
                {
                    "message_type": "notification",
                    "subtype_id": self.env.ref("mail.mt_note").id,
                    "author_id": self.env.user.partner_id.id,
                    "is_internal": True,
                }
            ],
        )
        self.assertIn(self.grade_b.name, note.body)

    def test_regrade_recomputes_what_depends_on_the_grade(self):
        """Re-grading writes grades in bulk: the cadence due dates follow."""
        self.grade_b.write({"contact_interval_days": 14, "visit_interval_days": 30})
        self.grade_c.write({"contact_interval_days": 30, "visit_interval_days": 0})
        partner = self._account()
        partner._ka_register_followup("visit", self._today())
        partner._ka_regrade()
        self.assertEqual(partner.ka_grade_id, self.grade_c)
        self.assertEqual(
            partner.ka_next_contact_date, self._today() + timedelta(days=30)
        )
        self._order(partner, 300_000)
        partner._ka_regrade()
        self.assertEqual(partner.ka_grade_id, self.grade_b)
        self.env.invalidate_all()
        self.assertEqual(
            partner.ka_next_contact_date, self._today() + timedelta(days=14)
        )
        self.assertEqual(partner.ka_next_visit_date, self._today() + timedelta(days=30))
