from datetime import date
from datetime import datetime
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import tagged

from .common import EngagementCase


@tagged("post_install", "-at_install")
class TestEngagementVisit(EngagementCase):
    def _approved_visit(self, budget=1000.0):
        visit = self._visit(budget)
        visit.action_submit()
        visit.with_user(self.ka_manager).action_approve()
        return visit

    def test_visit_end_to_end_through_the_form(self):
        Visit = self.env["key_account.visit"].with_user(self.ka_user)
        form = Form(Visit)
        form.partner_id = self.account
        form.contact_ids.add(self.buyer)
        form.date_start = datetime(2026, 3, 2, 9, 0)
        form.date_end = datetime(2026, 3, 2, 11, 0)
        form.method = "face"
        form.purpose = "Present the new range"
        form.preparation = "Catalogue, samples"
        with form.planned_line_ids.new() as line:
            line.expense_type = "transport"
            line.name = "Train tickets"
            line.amount = 300
        with form.planned_line_ids.new() as line:
            line.expense_type = "hospitality"
            line.name = "Lunch"
            line.amount = 200
        visit = form.save()
        self.assertRegex(visit.name, r"^VIS/\d{4}/\d{4}$")
        self.assertEqual(visit.user_id, self.ka_user)
        self.assertEqual(visit.amount_planned, 500)
        visit.action_submit()
        visit.with_user(self.ka_manager).action_approve()
        self.assertEqual(visit.state, "approved")

        # not done without the record of the visit
        with self.assertRaises(UserError):
            visit.action_done()
        self.assertEqual(visit.state, "approved")
        with Form(visit) as form:
            form.actual_date = date(2026, 3, 2)
            form.met_contact_ids.add(self.buyer)
            form.duration = 1.5
            form.attitude = "warm"
            form.progress_stage = "product"
            form.points = "Prices and delivery"
            form.customer_view = "Likes the range"
            form.next_visit_date = date(2026, 4, 2)
            form.outcome_reason = "Good preparation"
            with form.expense_line_ids.new() as line:
                line.expense_type = "transport"
                line.name = "Train tickets"
                line.amount = 280
        visit.action_done()
        self.assertEqual(visit.state, "done")
        self.assertEqual(visit.amount_actual, 280)
        self.assertEqual(self.account.ka_last_visit_date, date(2026, 3, 2))
        self.assertEqual(self.account.ka_last_contact_date, date(2026, 3, 2))
        followup = self.account.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_call")
        )
        self.assertEqual(followup.user_id, self.ka_user)
        self.assertEqual(followup.date_deadline, date(2026, 3, 9))

        # no summary: no claim, no close
        with self.assertRaises(UserError):
            visit.action_claim_expenses()
        self.assertEqual(visit.expense_line_ids.reimbursement_state, "not_claimed")
        with self.assertRaises(UserError):
            visit.action_close()
        self.assertEqual(visit.state, "done")
        with Form(visit) as form:
            form.summary = "<p>Order expected in April.</p>"
        visit.action_claim_expenses()
        self.assertEqual(visit.expense_line_ids.reimbursement_state, "claimed")
        self.assertEqual(visit.expense_state, "claimed")
        visit.action_close()
        self.assertEqual(visit.state, "closed")
        # claimed lines are frozen
        with self.assertRaises(UserError):
            visit.expense_line_ids.amount = 1
        # Finance reimburses
        with self.assertRaises(AccessError):
            visit.expense_line_ids.action_reimburse()
        visit.with_user(self.ka_approver).action_reimburse_expenses()
        self.assertEqual(visit.expense_state, "reimbursed")
        self.assertEqual(visit.amount_reimbursed, 280)
        html = self.env["ir.actions.report"]._render_qweb_html(
            "key_account.key_account_visit_report", visit.ids
        )[0]
        self.assertIn(b"Key-Account Manager", html)
        self.assertIn(b"Order expected in April.", html)

    def test_follow_up_days_are_a_setting(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "key_account.visit_followup_days", 3
        )
        visit = self._approved_visit()
        visit.write(self._visit_record_vals(date(2026, 5, 4)))
        visit.action_done()
        followup = self.account.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_call")
        )
        self.assertEqual(followup.date_deadline, date(2026, 5, 7))

    def test_empty_summary_does_not_count(self):
        visit = self._approved_visit()
        visit.write(self._visit_record_vals())
        visit.action_done()
        visit.summary = "<p><br></p>"
        with self.assertRaises(UserError):
            visit.action_close()

    def test_claim_needs_a_done_visit_and_an_expense(self):
        visit = self._approved_visit()
        visit.summary = "<p>Planned only</p>"
        with self.assertRaises(UserError):
            visit.action_claim_expenses()
        visit.write(self._visit_record_vals())
        visit.action_done()
        with self.assertRaises(UserError):
            visit.action_claim_expenses()  # nothing to claim

    def test_bad_input(self):
        with self.assertRaises(ValidationError):
            self._visit(
                date_start=datetime(2026, 3, 2, 10, 0),
                date_end=datetime(2026, 3, 2, 9, 0),
            )
        with self.assertRaises(ValidationError):
            self._visit(-10)
        with self.assertRaises(ValidationError):
            self._visit(budget=0).write(
                {
                    "planned_line_ids": [
                        fields.Command.create(
                            {"kind": "planned", "name": "Free", "amount": 0}
                        )
                    ]
                }
            )
        stranger = self.env["res.partner"].create({"name": "Stranger"})
        with self.assertRaises(ValidationError):
            self._visit(100, contact_ids=[fields.Command.set(stranger.ids)])
        self.assertFalse(
            self.env["key_account.visit"].search([("partner_id", "=", self.account.id)])
        )

    def test_reimbursed_by_user(self):
        visit = self._approved_visit()
        visit.write(
            {
                **self._visit_record_vals(),
                "summary": "<p>ok</p>",
                "expense_line_ids": [
                    fields.Command.create({"name": "Taxi", "amount": 40}),
                    fields.Command.create({"name": "Lunch", "amount": 60}),
                ],
            }
        )
        visit.action_done()
        visit.action_claim_expenses()
        with freeze_time("2026-06-15"):
            visit.with_user(self.ka_approver).action_reimburse_expenses()
        Expense = self.env["key_account.expense"]
        users = self.ka_user | self.ka_user2
        self.assertEqual(
            Expense._ka_reimbursed_by_user(users, date(2026, 6, 1), date(2026, 6, 30)),
            {self.ka_user.id: 100.0},
        )
        self.assertEqual(
            Expense._ka_reimbursed_by_user(users, date(2026, 7, 1), date(2026, 7, 31)),
            {},
        )

    def test_sequence_per_year(self):
        with freeze_time("2027-01-05"):
            visit = self._visit(100)
        self.assertTrue(visit.name.startswith("VIS/2027/"))
        self.assertEqual(visit.date_start.date(), date(2027, 1, 5))
        self.assertLess(visit.date_start, fields.Datetime.now() + timedelta(days=400))
