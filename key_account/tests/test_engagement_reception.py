from datetime import datetime

from odoo import Command
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import tagged

from .common import EngagementCase


@tagged("post_install", "-at_install")
class TestEngagementReception(EngagementCase):
    def setUp(self):
        super().setUp()
        self.env.company.write(
            {
                "ka_dining_cap_high": 500,
                "ka_dining_cap_middle": 200,
                "ka_dining_cap_low": 100,
            }
        )

    def _reception_form(self, guests=4, dinner=600.0, standard="middle"):
        form = Form(self.env["key_account.reception"].with_user(self.ka_user))
        form.partner_id = self.account
        form.guest_ids.add(self.buyer)
        form.guest_ids.add(self.boss)
        form.guest_count = guests
        form.date_start = datetime(2026, 3, 10, 18, 0)
        form.needs = "Vegetarian menu"
        form.purpose = "new_relationship"
        form.dining_standard = standard
        form.plan = "<p>Dinner at the harbour</p>"
        form.host_ids.add(self.ka_user)
        with form.planned_line_ids.new() as line:
            line.expense_type = "hospitality"
            line.name = "Dinner"
            line.amount = dinner
        return form

    def test_reception_end_to_end_through_the_form(self):
        reception = self._reception_form().save()
        self.assertRegex(reception.name, r"^REC/\d{4}/\d{4}$")
        self.assertEqual(reception.dining_per_guest, 150)
        self.assertEqual(reception.dining_cap, 200)
        reception.action_submit()
        self.assertEqual(reception._ka_current_round().rule_id, self.rule_manager)
        reception.with_user(self.ka_manager).action_approve()
        reception.action_done()
        self.assertTrue(self.account.ka_last_contact_date)
        with Form(reception) as form:
            with form.expense_line_ids.new() as line:
                line.expense_type = "hospitality"
                line.name = "Dinner"
                line.amount = 580
        # no report, no claim and no close
        with self.assertRaises(UserError):
            reception.action_claim_expenses()
        with self.assertRaises(UserError):
            reception.action_close()
        self.assertEqual(reception.expense_line_ids.reimbursement_state, "not_claimed")
        with Form(reception) as form:
            form.report = "<p>The customer signed the framework contract.</p>"
        reception.action_claim_expenses()
        reception.action_close()
        self.assertEqual(reception.state, "closed")
        self.assertEqual(reception.expense_state, "claimed")
        html = self.env["ir.actions.report"]._render_qweb_html(
            "key_account.key_account_reception_report", reception.ids
        )[0]
        self.assertIn(b"Applicant", html)
        self.assertIn(b"framework contract", html)

    def test_over_the_dining_cap_needs_the_extra_level(self):
        reception = self._reception_form(guests=2, dinner=600).save()  # 300/guest
        self.assertEqual(reception.amount_planned, 600)
        reception.action_submit()
        self.assertEqual(
            reception._ka_current_round().mapped("rule_id"),
            self.rule_manager | self.rule_finance,
        )
        reception.with_user(self.ka_manager).action_approve()
        self.assertEqual(reception.state, "submitted")
        reception.with_user(self.ka_approver).action_approve()
        self.assertEqual(reception.state, "approved")

    def test_high_standard_has_a_higher_cap(self):
        reception = self._reception_form(guests=2, dinner=600, standard="high").save()
        reception.action_submit()
        self.assertEqual(reception._ka_current_round().rule_id, self.rule_manager)

    def test_over_the_cap_at_the_highest_level_goes_through(self):
        """Over a cap with no level above: the chain ends at the highest level
        (it used to be refused, and the request could never be submitted)."""
        self.rule_finance.active = False
        reception = self._reception_form(guests=2, dinner=600).save()
        reception.action_submit()
        self.assertEqual(reception.state, "submitted")
        self.assertEqual(reception._ka_current_round().rule_id, self.rule_manager)
        self.assertTrue(
            any("Over its cap" in str(m.body) for m in reception.message_ids)
        )

    def test_over_the_cap_needs_the_level_kept_for_it(self):
        board = self.env["key_account.approval.rule"].create(
            {
                "name": "Board",
                "sequence": 50,
                "over_cap_only": True,
                "user_id": self.ka_manager2.id,
            }
        )
        within = self._reception_form(guests=4, dinner=600).save()  # 150/guest
        over = self._reception_form(guests=2, dinner=600).save()  # 300/guest
        (within | over).action_submit()
        self.assertEqual(within._ka_current_round().rule_id, self.rule_manager)
        self.assertEqual(over._ka_current_round().rule_id, self.rule_manager | board)

    def test_guest_count_and_dates(self):
        with self.assertRaises(ValidationError):
            self.env["key_account.reception"].create(
                {"partner_id": self.account.id, "guest_count": 0}
            )
        with self.assertRaises(ValidationError):
            self.env["key_account.reception"].create(
                {
                    "partner_id": self.account.id,
                    "date_start": datetime(2026, 3, 10, 18, 0),
                    "date_end": datetime(2026, 3, 10, 17, 0),
                }
            )
        reception = self._reception_form().save()
        reception.action_submit()
        with self.assertRaises(UserError):
            reception.guest_count = 1  # would raise the amount per guest
        self.assertEqual(reception.guest_count, 4)

    def test_amount_edit_after_approval_refused(self):
        reception = self._reception_form().save()
        reception.action_submit()
        reception.with_user(self.ka_manager).action_approve()
        with self.assertRaises(UserError):
            reception.write(
                {
                    "planned_line_ids": [
                        Command.create(
                            {"kind": "planned", "name": "Karaoke", "amount": 50}
                        )
                    ]
                }
            )
        self.assertEqual(reception.amount_planned, 600)
