"""A salesperson's user archived: their accounts go back to the pool; their
requests nobody will carry out are cancelled, the rest goes to their sales
team leader (else a Key Account manager), with a note on each document."""

from datetime import date
from datetime import datetime

from odoo import Command
from odoo.tests import tagged

from .test_account_plan import AccountCase


@tagged("post_install", "-at_install")
class TestArchivedSalesperson(AccountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team = cls.env["crm.team"].create(
            {
                "name": "North",
                "user_id": cls.ka_manager2.id,
                "member_ids": [Command.set(cls.ka_user.ids)],
            }
        )

    def _approved_visit(self, user=None):
        visit = self._visit(100, user=user)
        visit.with_user(visit.user_id).action_submit()
        visit.with_user(self.ka_manager).action_approve()
        self.assertEqual(visit.state, "approved")
        return visit

    def _reception(self):
        return (
            self.env["key_account.reception"]
            .with_user(self.ka_user)
            .create(
                {
                    "partner_id": self.account.id,
                    "guest_ids": [Command.set(self.buyer.ids)],
                    "guest_count": 2,
                    "purpose": "visiting_customer",
                    "date_start": datetime(2026, 3, 2, 10, 0),
                    "planned_line_ids": [
                        Command.create(
                            {
                                "kind": "planned",
                                "expense_type": "hospitality",
                                "name": "Dinner",
                                "amount": 200,
                            }
                        )
                    ],
                }
            )
        )

    def _notes(self, record):
        return " ".join(record.message_ids.mapped("body"))

    def test_open_documents_cancelled_or_handed_to_the_team_leader(self):
        draft_visit = self._visit(100)
        submitted_visit = self._visit(100)
        submitted_visit.with_user(self.ka_user).action_submit()
        self.assertTrue(submitted_visit.activity_ids)
        refused_visit = self._visit(100)
        refused_visit.with_user(self.ka_user).action_submit()
        refused_visit.with_user(self.ka_manager).action_refuse("Too early")
        approved_visit = self._approved_visit()
        done_visit = self._done_visit(date(2026, 3, 3))
        closed_visit = self._done_visit(date(2026, 3, 4))
        closed_visit.with_user(self.ka_user).action_close()
        draft_reception = self._reception()
        approved_reception = self._reception()
        approved_reception.with_user(self.ka_user).action_submit()
        approved_reception.with_user(self.ka_manager).action_approve()
        gift = self.env["key_account.gift"].create(
            {
                "partner_id": self.account.id,
                "recipient_id": self.buyer.id,
                "user_id": self.ka_user.id,
                "occasion": "Festival",
            }
        )
        draft_plan = self._plan(date(2027, 1, 1))
        approved_plan = self._approved(self._plan(date(2026, 1, 1)))
        Review = self.env["key_account.review"]
        draft_review = Review._ka_make_reviews(self.account, date(2026, 1, 1))
        submitted_review = Review._ka_make_reviews(self.account, date(2025, 10, 1))
        submitted_review.owner_comment = "<p>A good quarter</p>"
        submitted_review.with_user(self.ka_user).action_submit()
        self.assertEqual((draft_review | submitted_review).user_id, self.ka_user)

        self.ka_user.action_archive()

        # the account back in the pool, as before
        self.assertFalse(self.account.user_id)
        # requests nobody will carry out: cancelled, said in their chatter
        withdrawn = [
            draft_visit,
            submitted_visit,
            refused_visit,
            draft_reception,
            gift,
        ]
        for record in withdrawn:
            record = record.with_env(self.env)
            with self.subTest(record=record.display_name):
                self.assertEqual(record.state, "cancelled")
                self.assertEqual(record.user_id, self.ka_user)
                self.assertIn(
                    "was archived, nobody will carry it out", self._notes(record)
                )
        self.assertFalse(submitted_visit.with_env(self.env).activity_ids)
        # approved requests, plans and the review to comment: to the leader
        kept = [
            approved_visit,
            done_visit,
            approved_reception,
            draft_plan,
            approved_plan,
            draft_review,
        ]
        for record in kept:
            record = record.with_env(self.env)
            with self.subTest(record=record.display_name):
                self.assertEqual(record.user_id, self.ka_manager2)
                self.assertIn("Mark Manager takes this over", self._notes(record))
                self.assertIn(
                    self.ka_manager2.partner_id,
                    record.message_ids[:1].partner_ids,
                )
        self.assertEqual(approved_visit.with_env(self.env).state, "approved")
        self.assertEqual(draft_plan.with_env(self.env).state, "draft")
        # the successor carries them on
        approved_plan.with_user(self.ka_manager2).write(
            {"service_notes": "<p>Mine now</p>"}
        )
        done_visit.with_user(self.ka_manager2).action_close()
        self.assertEqual(done_visit.with_env(self.env).state, "closed")
        # closed documents and the review waiting for a signature stay theirs
        self.assertEqual(closed_visit.with_env(self.env).user_id, self.ka_user)
        self.assertEqual(submitted_review.user_id, self.ka_user)
        self.assertEqual(submitted_review.state, "submitted")

    def test_without_a_team_a_key_account_manager_takes_over(self):
        """No sales team (or a leader who is not in the company): a Key
        Account manager of the company."""
        self.account.user_id = self.ka_user2
        visit = self._approved_visit(user=self.ka_user2)
        plan = self._plan(user=self.ka_user2)
        self.ka_user2.action_archive()
        visit, plan = visit.with_env(self.env), plan.with_env(self.env)
        successor = visit.user_id
        self.assertNotEqual(successor, self.ka_user2)
        self.assertTrue(successor.active)
        self.assertTrue(successor.has_group("key_account.group_key_account_manager"))
        self.assertIn(self.company, successor.company_ids)
        self.assertEqual(plan.user_id, successor)
        self.assertIn(f"{successor.name} takes this over", self._notes(plan))

    def test_handover_wizard_moves_the_review_to_comment(self):
        """The handover wizard uses the same hooks: the draft review goes to
        the new owner, who comments it; a submitted one stays."""
        Review = self.env["key_account.review"]
        draft_review = Review._ka_make_reviews(self.account, date(2026, 1, 1))
        submitted_review = Review._ka_make_reviews(self.account, date(2025, 10, 1))
        submitted_review.owner_comment = "<p>A good quarter</p>"
        submitted_review.with_user(self.ka_user).action_submit()
        self.env["key_account.handover.wizard"].with_user(self.ka_manager).create(
            {
                "user_id": self.ka_user.id,
                "mode": "reassign",
                "new_user_id": self.ka_user2.id,
            }
        ).action_confirm()
        self.assertEqual(draft_review.user_id, self.ka_user2)
        self.assertEqual(submitted_review.user_id, self.ka_user)
        draft_review.with_user(self.ka_user2).write(
            {"owner_comment": "<p>Taken over</p>"}
        )
