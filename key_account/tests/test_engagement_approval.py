from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import tagged

from .common import EngagementCase

APPROVAL = "key_account.mail_activity_type_ka_approval"


@tagged("post_install", "-at_install")
class TestEngagementApproval(EngagementCase):
    def _approval_activities(self, doc):
        return doc.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref(APPROVAL)
        )

    def test_small_request_needs_the_manager_only(self):
        visit = self._visit(1000)
        visit.action_submit()
        self.assertEqual(visit.state, "submitted")
        self.assertEqual(visit._ka_current_round().rule_id, self.rule_manager)
        activities = self._approval_activities(visit)
        self.assertIn(self.ka_manager, activities.user_id)
        self.assertNotIn(self.ka_user, activities.user_id)
        visit.with_user(self.ka_manager).action_approve()
        self.assertEqual(visit.state, "approved")
        line = visit._ka_current_round()
        self.assertEqual(line.state, "approved")
        self.assertEqual(line.done_by_id, self.ka_manager)
        self.assertTrue(line.done_date)
        self.assertFalse(self._approval_activities(visit))

    def test_6000_needs_two_levels_in_order(self):
        visit = self._visit(6000)
        visit.action_submit()
        self.assertEqual(
            visit._ka_current_round().mapped("rule_id"),
            self.rule_manager | self.rule_finance,
        )
        self.assertEqual(visit._ka_current_round().mapped("sequence"), [1, 2])
        # Finance may not jump the queue
        with self.assertRaises(AccessError):
            visit.with_user(self.ka_approver).action_approve()
        self.assertEqual(visit._ka_current_round().mapped("state"), ["pending"] * 2)
        self.assertNotIn(self.ka_approver, self._approval_activities(visit).user_id)
        visit.with_user(self.ka_manager).action_approve()
        self.assertEqual(visit.state, "submitted")
        self.assertEqual(
            visit._ka_current_round().mapped("state"), ["approved", "pending"]
        )
        finance = self._approval_activities(visit).user_id
        self.assertIn(self.ka_approver, finance)
        self.assertTrue(
            all(u.has_group("key_account.group_key_account_approver") for u in finance)
        )
        # the manager's level is done: a second manager cannot approve Finance's
        with self.assertRaises(AccessError):
            visit.with_user(self.ka_manager2).action_approve()
        visit.with_user(self.ka_approver).action_approve()
        self.assertEqual(visit.state, "approved")
        self.assertEqual(
            visit._ka_current_round().mapped("done_by_id"),
            self.ka_manager | self.ka_approver,
        )

    def test_requester_never_approves_own_request_even_as_manager(self):
        visit = self._visit(1000, user=self.ka_manager)
        visit.with_user(self.ka_manager).action_submit()
        self.assertNotIn(self.ka_manager, self._approval_activities(visit).user_id)
        with self.assertRaises(AccessError):
            visit.with_user(self.ka_manager).action_approve()
        with self.assertRaises(AccessError):
            visit.with_user(self.ka_manager).action_refuse("mine")
        self.assertEqual(visit.state, "submitted")
        visit.with_user(self.ka_manager2).action_approve()
        self.assertEqual(visit.state, "approved")

    def test_can_approve_is_each_users_own(self):
        """``ka_can_approve`` depends on who reads it: one transaction, the
        requester, the manager and Finance each get their own answer, and it
        follows the chain when a level is done."""
        visit = self._visit(6000)
        visit.action_submit()
        self.env.invalidate_all()
        readers = {
            self.ka_user: False,
            self.ka_manager: True,
            self.ka_approver: False,
        }
        for user, expected in readers.items():
            with self.subTest(user=user.login):
                self.assertEqual(visit.with_user(user).ka_can_approve, expected)
        visit.with_user(self.ka_manager).action_approve()
        self.assertFalse(visit.with_user(self.ka_manager).ka_can_approve)
        self.assertTrue(visit.with_user(self.ka_approver).ka_can_approve)

    def test_manager_submitting_for_a_salesperson_cannot_approve(self):
        visit = self._visit(1000)
        visit.with_user(self.ka_manager).action_submit()
        self.assertEqual(visit.submitted_by_id, self.ka_manager)
        self.assertNotIn(self.ka_manager, self._approval_activities(visit).user_id)
        with self.assertRaises(AccessError):
            visit.with_user(self.ka_manager).action_approve()
        visit.with_user(self.ka_manager2).action_approve()
        self.assertEqual(visit.state, "approved")

    def test_refusal_wizard_and_resubmission(self):
        visit = self._visit(6000)
        visit.action_submit()
        action = visit.with_user(self.ka_manager).action_refuse_wizard()
        wizard_form = Form(
            self.env[action["res_model"]]
            .with_user(self.ka_manager)
            .with_context(**action["context"])
        )
        with self.assertRaises(AssertionError):
            wizard_form.save()  # the reason is required
        wizard_form.reason = "Too expensive for a first visit"
        wizard_form.save().action_refuse()
        self.assertEqual(visit.state, "refused")
        self.assertEqual(visit._ka_current_round()[0].state, "refused")
        self.assertFalse(self._approval_activities(visit))
        self.assertIn(
            "Too expensive for a first visit",
            visit.message_ids[0].body,
        )
        with self.assertRaises(UserError):
            visit.with_user(self.ka_manager).action_refuse("   ")
        # the owner lowers the budget and submits again: one level now
        with Form(visit.with_user(self.ka_user)) as form:
            with form.planned_line_ids.edit(0) as line:
                line.amount = 800
        visit.with_user(self.ka_user).action_submit()
        self.assertEqual(visit.state, "submitted")
        self.assertEqual(visit._ka_current_round().rule_id, self.rule_manager)
        self.assertEqual(visit._ka_current_round().state, "pending")
        # the refused round stays on the form as history
        self.assertEqual(
            sorted(
                visit.approval_line_ids.mapped(lambda line: (line.round, line.state))
            ),
            [(1, "refused"), (1, "skipped"), (2, "pending")],
        )
        visit.with_user(self.ka_manager).action_approve()
        self.assertEqual(visit.state, "approved")

    def test_amount_edit_after_submission_refused(self):
        visit = self._visit(1000)
        visit.action_submit()
        visit.with_user(self.ka_manager).action_approve()
        line = visit.planned_line_ids
        with self.assertRaises(UserError):
            line.with_user(self.ka_user).amount = 9000
        with self.assertRaises(UserError):
            visit.with_user(self.ka_user).write(
                {
                    "planned_line_ids": [
                        Command.create(
                            {
                                "kind": "planned",
                                "expense_type": "gift",
                                "name": "More",
                                "amount": 9000,
                            }
                        )
                    ]
                }
            )
        with self.assertRaises(UserError):
            line.with_user(self.ka_user).unlink()
        with self.assertRaises(UserError):
            visit.with_user(self.ka_user).partner_id = self._account("Other Co")
        self.assertEqual(visit.amount_planned, 1000)
        self.assertEqual(line.amount, 1000)

    def test_states_are_checked(self):
        visit = self._visit(1000)
        with self.assertRaises(UserError):
            visit.action_done()
        with self.assertRaises(UserError):
            visit.with_user(self.ka_manager).action_approve()
        visit.action_submit()
        with self.assertRaises(UserError):
            visit.action_submit()
        with self.assertRaises(UserError):
            visit.unlink()
        visit.action_cancel()
        self.assertEqual(visit.state, "cancelled")
        visit.unlink()

    def test_chain_per_document_type_and_user_level(self):
        special = self.env["key_account.approval.rule"].create(
            {
                "name": "Director",
                "sequence": 5,
                "document_type": "reception",
                "min_amount": 0,
                "user_id": self.ka_manager2.id,
            }
        )
        visit = self._visit(1000)
        visit.action_submit()
        self.assertNotIn(special, visit._ka_current_round().rule_id)
        reception = self.env["key_account.reception"].create(
            {
                "partner_id": self.account.id,
                "user_id": self.ka_user.id,
                "guest_count": 2,
                "planned_line_ids": [
                    Command.create({"kind": "planned", "name": "Dinner", "amount": 400})
                ],
            }
        )
        reception.action_submit()
        self.assertEqual(
            reception._ka_current_round().mapped("rule_id"), special | self.rule_manager
        )
        with self.assertRaises(AccessError):
            reception.with_user(self.ka_manager).action_approve()
        reception.with_user(self.ka_manager2).action_approve()
        reception.with_user(self.ka_manager).action_approve()
        self.assertEqual(reception.state, "approved")

    def test_rule_needs_one_approver(self):
        with self.assertRaises(ValidationError):
            self.env["key_account.approval.rule"].create(
                {"name": "Nobody", "min_amount": 0}
            )

    def test_refuse_wizard_refuses_only_requests(self):
        """The wizard's model comes from the client: only requests."""
        visit = self._visit(100)
        visit.action_submit()
        wizard = (
            self.env["key_account.refuse.wizard"]
            .with_user(self.ka_manager)
            .create(
                {
                    "res_model": "key_account.commission.settlement",
                    "res_ids": "1",
                    "reason": "x",
                }
            )
        )
        with self.assertRaises(UserError):
            wizard.action_refuse()
        wizard.write({"res_model": "key_account.visit", "res_ids": str(visit.id)})
        wizard.action_refuse()
        self.assertEqual(visit.state, "refused")
