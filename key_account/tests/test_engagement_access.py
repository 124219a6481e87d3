from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import EngagementCase


@tagged("post_install", "-at_install")
class TestEngagementAccess(EngagementCase):
    def test_user_sees_only_own_documents(self):
        mine = self._visit(100)
        theirs = self._visit(100, user=self.ka_user2)
        Visit = self.env["key_account.visit"]
        self.assertEqual(
            Visit.with_user(self.ka_user).search([("id", "in", (mine | theirs).ids)]),
            mine,
        )
        with self.assertRaises(AccessError):
            theirs.with_user(self.ka_user).read(["name"])
        with self.assertRaises(AccessError):
            theirs.with_user(self.ka_user).action_submit()
        self.assertEqual(
            Visit.with_user(self.ka_manager).search(
                [("id", "in", (mine | theirs).ids)]
            ),
            mine | theirs,
        )
        with self.assertRaises(AccessError):
            Visit.with_user(self.outsider).search([])

    def test_approval_lines_readable_with_their_request(self):
        mine = self._visit(100)
        mine.action_submit()
        theirs = self._visit(100, user=self.ka_user2)
        theirs.with_user(self.ka_user2).action_submit()
        Line = self.env["key_account.approval.line"]
        domain = [("res_id", "in", (mine | theirs).ids)]
        all_lines = Line.search(domain)
        self.assertEqual(all_lines.mapped("owner_id"), self.ka_user | self.ka_user2)
        self.assertEqual(
            Line.with_user(self.ka_user).search(domain), mine.approval_line_ids
        )
        with self.assertRaises(AccessError):
            theirs.approval_line_ids.with_user(self.ka_user).read(["name"])
        # the request's form shows its own lines to its owner
        self.assertEqual(
            mine.with_user(self.ka_user).approval_line_ids.mapped("name"),
            mine.approval_line_ids.mapped("name"),
        )
        # approvers and managers read every chain
        self.assertEqual(Line.with_user(self.ka_manager).search(domain), all_lines)
        self.assertEqual(Line.with_user(self.ka_approver).search(domain), all_lines)
        # a new owner (handover) reads the lines of the request handed over
        self.env["res.partner"]._ka_handover_reassign_documents([theirs], self.ka_user)
        self.assertEqual(Line.with_user(self.ka_user).search(domain), all_lines)
        with self.assertRaises(AccessError):
            Line.with_user(self.outsider).search([])

    def test_status_only_through_the_workflow(self):
        """Writing the status would skip the approval chain: refused, for the
        owner as for anyone but the workflow."""
        visit = self._visit(100)
        Visit = self.env["key_account.visit"].with_user(self.ka_user)
        for vals in ({"state": "approved"}, {"submitted_by_id": self.ka_user.id}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                visit.write(vals)
        self.assertEqual(visit.state, "draft")
        with self.assertRaises(AccessError):
            Visit.create(
                {"partner_id": self.account.id, "purpose": "x", "state": "done"}
            )
        visit.action_submit()
        with self.assertRaises(AccessError):
            visit.write({"state": "approved"})
        self.assertEqual(visit.state, "submitted")
        visit.with_user(self.ka_manager).action_approve()
        self.assertEqual(visit.state, "approved")

    def test_user_cannot_approve(self):
        visit = self._visit(100, user=self.ka_user2)
        visit.with_user(self.ka_user2).action_submit()
        with self.assertRaises(AccessError):
            visit.with_user(self.ka_user).action_approve()
        with self.assertRaises(AccessError):
            visit.with_user(self.ka_user).action_refuse("no")
        self.assertEqual(visit.state, "submitted")
        self.assertFalse(visit._ka_current_round().done_by_id)

    def test_claim_and_reimburse_several_at_once(self):
        visits = self.env["key_account.visit"]
        for amount in (30, 45):
            visit = self._visit(100)
            visit.action_submit()
            visit.with_user(self.ka_manager).action_approve()
            visit.write(
                {
                    **self._visit_record_vals(),
                    "summary": "<p>ok</p>",
                    "expense_line_ids": [
                        Command.create({"name": "Taxi", "amount": amount})
                    ],
                }
            )
            visit.action_done()
            visits |= visit
        visits.with_user(self.ka_user).action_claim_expenses()
        self.assertEqual(visits.mapped("expense_state"), ["claimed", "claimed"])
        for visit in visits:
            self.assertIn(
                "Expenses claimed", visit.message_ids[:1].body or "", visit.name
            )
        visits.with_user(self.ka_approver).action_reimburse_expenses()
        self.assertEqual(visits.mapped("expense_state"), ["reimbursed", "reimbursed"])

    def test_user_cannot_mark_reimbursed(self):
        visit = self._visit(100)
        visit.action_submit()
        visit.with_user(self.ka_manager).action_approve()
        visit.write(
            {
                **self._visit_record_vals(),
                "summary": "<p>ok</p>",
                "expense_line_ids": [Command.create({"name": "Taxi", "amount": 30})],
            }
        )
        visit.action_done()
        visit.with_user(self.ka_user).action_claim_expenses()
        line = visit.expense_line_ids
        with self.assertRaises(AccessError):
            line.with_user(self.ka_user).action_reimburse()
        with self.assertRaises(AccessError):
            line.with_user(self.ka_user).write({"reimbursement_state": "reimbursed"})
        with self.assertRaises(AccessError):
            line.with_user(self.ka_manager).action_reimburse()
        self.assertEqual(line.reimbursement_state, "claimed")
        line.with_user(self.ka_approver).action_reimburse()
        self.assertEqual(line.reimbursement_state, "reimbursed")

    def test_approver_sees_what_to_approve_and_all_expenses(self):
        small = self._visit(100)
        big = self._visit(6000)
        (small | big).action_submit()
        Visit = self.env["key_account.visit"].with_user(self.ka_approver)
        self.assertEqual(Visit.search([("id", "in", (small | big).ids)]), big)
        other = self._visit(50, user=self.ka_user2)
        other.with_user(self.ka_user2).action_submit()
        other.with_user(self.ka_manager).action_approve()
        other.write(
            {
                **self._visit_record_vals(),
                "expense_line_ids": [Command.create({"name": "Taxi", "amount": 30})],
            }
        )
        Expense = self.env["key_account.expense"]
        self.assertEqual(
            Expense.with_user(self.ka_approver).search(
                [("id", "in", other.expense_line_ids.ids)]
            ),
            other.expense_line_ids,
        )
        self.assertFalse(
            Expense.with_user(self.ka_user).search(
                [("id", "in", other.expense_line_ids.ids)]
            )
        )

    def test_multi_company(self):
        company2 = self.env["res.company"].create({"name": "Other Company"})
        manager2 = new_test_user(
            self.env,
            login="ka_manager_c2",
            groups="key_account.group_key_account_manager",
            company_id=company2.id,
            company_ids=[Command.set(company2.ids)],
        )
        visit = self._visit(100)
        self.assertFalse(
            self.env["key_account.visit"]
            .with_user(manager2)
            .search([("id", "=", visit.id)])
        )

    def test_receptions_and_gifts_are_private_too(self):
        reception = self.env["key_account.reception"].create(
            {"partner_id": self.account.id, "user_id": self.ka_user2.id}
        )
        gift = self.env["key_account.gift"].create(
            {
                "partner_id": self.account.id,
                "recipient_id": self.buyer.id,
                "user_id": self.ka_user2.id,
                "occasion": "New year",
                "line_ids": [
                    Command.create({"product_id": self.product.id, "unit_value": 50})
                ],
            }
        )
        with self.assertRaises(AccessError):
            reception.with_user(self.ka_user).read(["name"])
        with self.assertRaises(AccessError):
            gift.with_user(self.ka_user).read(["name"])
        with self.assertRaises(AccessError):
            gift.line_ids.with_user(self.ka_user).read(["subtotal"])
        self.assertEqual(
            self.env["key_account.gift"]
            .with_user(self.ka_keeper)
            .search([("partner_id", "=", self.account.id)]),
            self.env["key_account.gift"],
        )  # a keeper sees gifts once approved only

    def test_only_managers_configure_approval_levels(self):
        with self.assertRaises(AccessError):
            self.env["key_account.approval.rule"].with_user(self.ka_user).create(
                {"name": "Me", "min_amount": 0, "user_id": self.ka_user.id}
            )
        with self.assertRaises(AccessError):
            self.rule_finance.with_user(self.ka_approver).min_amount = 1_000_000
        self.rule_finance.with_user(self.ka_manager).min_amount = 8000
        self.assertEqual(self.rule_finance.min_amount, 8000)
