from datetime import date

from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import tagged

from .common import EngagementCase


@tagged("post_install", "-at_install")
class TestEngagementGift(EngagementCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grade_b.write({"gift_max_value": 500, "gift_max_year": 1000})
        cls.gift_product = cls.env["product.product"].create(
            {"name": "Tea set", "standard_price": 120.0, "list_price": 200.0}
        )

    def _gift_form(self, quantity=2, unit_value=None, day=None):
        form = Form(self.env["key_account.gift"].with_user(self.ka_user))
        form.partner_id = self.account
        form.recipient_id = self.buyer
        form.occasion = "Spring festival"
        if day:
            form.date = day
        with form.line_ids.new() as line:
            line.product_id = self.gift_product
            line.quantity = quantity
            if unit_value is not None:
                line.unit_value = unit_value
        return form

    def test_gift_end_to_end_through_the_form(self):
        gift = self._gift_form().save()
        self.assertRegex(gift.name, r"^GIFT/\d{4}/\d{4}$")
        self.assertEqual(gift.line_ids.unit_value, 120)
        self.assertEqual(gift.amount_planned, 240)
        gift.action_submit()
        self.assertEqual(gift._ka_current_round().rule_id, self.rule_manager)
        gift.with_user(self.ka_manager).action_approve()
        self.assertEqual(gift.state, "approved")
        todo = self.env.ref("mail.mail_activity_data_todo")
        keeper_activity = gift.activity_ids.filtered(
            lambda a: a.activity_type_id == todo
        )
        # every gift keeper of the company (the demo data has one too)
        self.assertIn(self.ka_keeper, keeper_activity.user_id)
        self.assertEqual(
            self.env["key_account.gift"]
            .with_user(self.ka_keeper)
            .search([("id", "=", gift.id)]),
            gift,
        )
        # only the gift keeper hands gifts out
        with self.assertRaises(AccessError):
            gift.with_user(self.ka_user).action_done()
        gift.with_user(self.ka_keeper).action_done()
        self.assertEqual(gift.state, "done")
        self.assertEqual(gift.delivered_by_id, self.ka_keeper)
        self.assertTrue(gift.delivered_date)
        self.assertFalse(keeper_activity.exists())
        gift.action_close()
        self.assertEqual(gift.state, "closed")
        self.assertEqual(self.account.ka_gift_count, 1)
        self.assertEqual(self.account.ka_engagement_cost, 240)
        html = self.env["ir.actions.report"]._render_qweb_html(
            "key_account.key_account_gift_report", gift.ids
        )[0]
        self.assertIn(b"Finance Manager", html)
        self.assertIn(b"Tea set", html)
        history = self.env["key_account.gift"].search(
            [("recipient_id", "=", self.buyer.id)]
        )
        self.assertEqual(history, gift)
        self.assertEqual(self.buyer.ka_gift_received_count, 1)
        self.assertEqual(self.boss.ka_gift_received_count, 0)
        action = self.buyer.action_ka_gifts_received()
        self.assertEqual(self.env["key_account.gift"].search(action["domain"]), gift)

    def test_gift_handed_out_to_an_account_already_contacted(self):
        self.account.ka_last_contact_date = date(2020, 1, 1)
        gift = self._gift_form().save()
        gift.action_submit()
        gift.with_user(self.ka_manager).action_approve()
        gift.with_user(self.ka_keeper).action_done()
        self.assertEqual(gift.state, "done")
        self.assertEqual(self.account.ka_last_contact_date, gift.delivered_date)

    def test_gift_lines_of_another_company_hidden(self):
        other = self.env["res.company"].create({"name": "Other Gifts Co"})
        gift = self._gift_form().save()
        Line = self.env["key_account.gift.line"].with_user(self.ka_manager)
        self.assertEqual(Line.search([("gift_id", "=", gift.id)]), gift.line_ids)
        # moved to the other company behind the ORM's company checks
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE key_account_gift SET company_id = %s WHERE id = %s",
            (other.id, gift.id),
        )
        self.env.invalidate_all()
        self.assertFalse(Line.search([("gift_id", "=", gift.id)]))

    def test_value_per_gift_cap_escalates(self):
        gift = self._gift_form(quantity=5).save()  # 600 > 500
        gift.action_submit()
        self.assertEqual(
            gift._ka_current_round().mapped("rule_id"),
            self.rule_manager | self.rule_finance,
        )

    def test_big_gift_over_its_cap_can_be_submitted(self):
        """A gift of 5,000 or more is already approved by the highest level:
        over its cap it goes through (it used to be refused for want of a
        further level), and a cap of 0 reads "no cap"."""
        self.grade_b.gift_max_year = 0
        gift = self._gift_form(quantity=50).save()  # 6,000 > 500 a gift
        gift.action_submit()
        self.assertEqual(gift.state, "submitted")
        self.assertEqual(
            gift._ka_current_round().mapped("rule_id"),
            self.rule_manager | self.rule_finance,
        )
        reason = gift._ka_over_cap_reason()
        self.assertIn("no cap per year", reason)
        self.assertNotIn("0.00 per year", reason)

    def test_value_per_customer_and_year_cap_escalates(self):
        first = self._gift_form(quantity=3, day=date(2026, 2, 1)).save()  # 360
        first.action_submit()
        self.assertEqual(first._ka_current_round().rule_id, self.rule_manager)
        second = self._gift_form(quantity=4, day=date(2026, 6, 1)).save()  # 480
        second.action_submit()
        self.assertEqual(second._ka_current_round().rule_id, self.rule_manager)
        third = self._gift_form(quantity=2, day=date(2026, 9, 1)).save()  # 1080
        third.action_submit()
        self.assertEqual(
            third._ka_current_round().mapped("rule_id"),
            self.rule_manager | self.rule_finance,
        )
        # another year starts afresh
        fourth = self._gift_form(quantity=2, day=date(2027, 1, 10)).save()
        fourth.action_submit()
        self.assertEqual(fourth._ka_current_round().rule_id, self.rule_manager)

    def test_bad_lines(self):
        with self.assertRaises(ValidationError):
            self._gift_form(unit_value=0).save()
        with self.assertRaises(ValidationError):
            self._gift_form(quantity=-1).save()
        gift = self.env["key_account.gift"].create(
            {
                "partner_id": self.account.id,
                "recipient_id": self.buyer.id,
                "occasion": "None",
            }
        )
        with self.assertRaises(UserError):
            gift.action_submit()
        other = self._account("Other Co")
        with self.assertRaises(ValidationError):
            gift.partner_id = other

    def test_lines_frozen_after_submission(self):
        gift = self._gift_form().save()
        gift.action_submit()
        with self.assertRaises(UserError):
            gift.line_ids.quantity = 10
        self.assertEqual(gift.amount_planned, 240)
