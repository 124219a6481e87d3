from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import HOSTILE_CONTEXT
from .test_commission import CommissionCase


class CommissionAccountingCase(CommissionCase):
    """A company booking its commissions: a journal, an expense and a payable
    account of its own; an accountant who registers payments."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.journal = cls._journal(cls.company)
        cls.expense_account, cls.payable_account = cls._accounts(cls.company, "1")
        cls.accountant = new_test_user(
            cls.env,
            login="ka_accountant",
            name="Alice Accountant",
            groups="account.group_account_invoice",
        )
        cls.referral = cls.env["res.partner"].create({"name": "Rita Referral"})

    @classmethod
    def _journal(cls, company):
        return cls.env["account.journal"].create(
            {
                "name": "Commissions",
                "code": "COMM",
                "type": "general",
                "company_id": company.id,
            }
        )

    @classmethod
    def _accounts(cls, company, suffix):
        Account = cls.env["account.account"].with_company(company)
        expense = Account.create(
            {
                "name": f"Commission expense {suffix}",
                "code": f"6199{suffix}",
                "account_type": "expense",
            }
        )
        payable = Account.create(
            {
                "name": f"Commissions payable {suffix}",
                "code": f"2199{suffix}",
                "account_type": "liability_payable",
                "reconcile": True,
            }
        )
        return expense, payable

    def _configure(self, company=None, journal=None, accounts=None):
        company = company or self.company
        expense, payable = accounts or (self.expense_account, self.payable_account)
        company.write(
            {
                "ka_commission_journal_id": (journal or self.journal).id,
                "ka_commission_expense_account_id": expense.id,
                "ka_commission_payable_account_id": payable.id,
            }
        )

    def _referred_settlement(self, month=1):
        """A January settlement of ka_user: an order of 15,003.33 at 5.5% =
        825.18, 40% of it (330.07) to the outside referral contact."""
        order = self._order(
            self.account, 15_003.33, date=date(2025, month, 10), user=self.ka_user
        )
        order.write(
            {"ka_referral_partner_id": self.referral.id, "ka_referral_share": 40}
        )
        settlement = self._settle(date(2025, month, 1), date(2025, month, 28))
        self.assertEqual(settlement.amount_commission, 495.11)
        self.assertEqual(settlement.amount_referral, 330.07)
        return order, settlement

    def _moves(self, settlement):
        return self.env["account.move"].search(
            [("ka_settlement_id", "=", settlement.id)], order="id"
        )

    def _pay(self, moves, **vals):
        """Finance registers the payment of ``moves`` (their payable lines)."""
        return (
            self.env["account.payment.register"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create({"payment_date": date(2025, 2, 5), **vals})
            ._create_payments()
        )


@tagged("post_install", "-at_install")
class TestCommissionAccounting(CommissionAccountingCase):
    def test_nothing_booked_until_configured(self):
        self.assertFalse(self.company._ka_commission_accounting())
        _order, settlement = self._referred_settlement()
        self._as(settlement, self.ka_manager).action_confirm()
        self.assertFalse(self._moves(settlement))
        self.assertFalse(settlement.ka_booked)
        # half a configuration books nothing either
        self.company.ka_commission_journal_id = self.journal
        self.assertFalse(self.company._ka_commission_accounting())
        # paid by hand, as before
        self._as(settlement, self.ka_approver).action_pay()
        self.assertEqual(settlement.state, "paid")
        self.assertFalse(self._moves(settlement))

    def test_entry_and_bill_equal_the_settlement(self):
        self._configure()
        _order, settlement = self._referred_settlement()
        self._as(settlement, self.ka_manager).action_confirm()
        self.assertEqual(settlement.state, "confirmed")
        entry, bill = self._moves(settlement)
        self.assertEqual(entry.move_type, "entry")
        self.assertEqual(entry.state, "posted")
        self.assertEqual(entry.journal_id, self.journal)
        expense = entry.line_ids.filtered(
            lambda line: line.account_id == self.expense_account
        )
        payable = entry.line_ids.filtered(
            lambda line: line.account_id == self.payable_account
        )
        self.assertEqual(expense.debit, 495.11)
        self.assertEqual(payable.credit, 495.11)
        self.assertEqual(payable.partner_id, self.ka_user.partner_id)
        self.assertEqual(len(entry.line_ids), 2)
        # the outside contact's share: a vendor bill to them
        self.assertEqual(bill.move_type, "in_invoice")
        self.assertEqual(bill.state, "posted")
        self.assertEqual(bill.partner_id, self.referral)
        self.assertEqual(bill.amount_total, 330.07)
        self.assertEqual(bill.invoice_line_ids.account_id, self.expense_account)
        self.assertEqual(bill.journal_id.type, "purchase")
        # linked both ways
        self.assertEqual(settlement.ka_move_count, 2)
        self.assertEqual(settlement.ka_move_ids, entry | bill)
        action = settlement.action_view_ka_moves()
        self.assertEqual(
            self.env["account.move"].search(action["domain"]), entry | bill
        )
        self.assertEqual(bill.action_open_ka_settlement()["res_id"], settlement.id)
        # booked: paid when Accounting pays, not by hand
        with self.assertRaises(UserError):
            self._as(settlement, self.ka_approver).action_pay()
        self.assertEqual(settlement.state, "confirmed")

    def test_paid_follows_the_payments(self):
        self._configure()
        _order, settlement = self._referred_settlement()
        self._as(settlement, self.ka_manager).action_confirm()
        entry, bill = self._moves(settlement)
        self._pay(entry)
        self.assertTrue(entry._ka_is_paid())
        self.assertEqual(settlement.state, "confirmed")
        payment = self._pay(bill)
        self.assertEqual(bill.payment_state, "paid")
        self.assertEqual(settlement.state, "paid")
        # the payment undone: confirmed again
        payment.move_id.line_ids.remove_move_reconcile()
        self.assertEqual(settlement.state, "confirmed")
        # partly paid: not paid, and not cancelled (its payment would be lost)
        self._pay(bill, amount=100)
        self.assertEqual(bill.payment_state, "partial")
        self.assertEqual(settlement.state, "confirmed")
        with self.assertRaises(UserError):
            self._as(settlement, self.ka_manager).action_cancel("Wrong period")
        self.assertEqual(settlement.state, "confirmed")

    def test_nobody_pays_their_own(self):
        """A salesperson who is also an accountant does not register the
        payment of their own commission (any context); a colleague does."""
        self._configure()
        _order, settlement = self._referred_settlement()
        self._as(settlement, self.ka_manager).action_confirm()
        entry, bill = self._moves(settlement)
        self.ka_user.groups_id = [
            Command.link(self.ref("account.group_account_invoice"))
        ]
        register = (
            self.env["account.payment.register"]
            .with_user(self.ka_user)
            .with_context(
                active_model="account.move", active_ids=entry.ids, **HOSTILE_CONTEXT
            )
        )
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            register.create({"payment_date": date(2025, 2, 5)})._create_payments()
        self.assertFalse(entry._ka_is_paid())
        self.assertEqual(settlement.state, "confirmed")
        self._pay(entry | bill)
        self.assertEqual(settlement.state, "paid")

    def test_cancel_reverses_entry_and_bill(self):
        self._configure()
        _order, settlement = self._referred_settlement()
        self._as(settlement, self.ka_manager).action_confirm()
        entry, bill = self._moves(settlement)
        self._as(settlement, self.ka_manager).action_cancel("Wrong plan")
        self.assertEqual(settlement.state, "cancelled")
        entry_reversal = entry.reversal_move_ids
        refund = bill.reversal_move_ids
        self.assertEqual(entry_reversal.state, "posted")
        self.assertEqual(entry_reversal.ka_settlement_id, settlement)
        self.assertEqual(
            entry_reversal.line_ids.filtered(
                lambda line: line.account_id == self.expense_account
            ).credit,
            495.11,
        )
        self.assertEqual(refund.move_type, "in_refund")
        self.assertEqual(refund.state, "posted")
        self.assertEqual(refund.amount_total, 330.07)
        self.assertEqual(refund.partner_id, self.referral)
        self.assertEqual(bill.payment_state, "reversed")
        self.assertTrue(entry._ka_is_paid())  # matched with its reversal
        self.assertEqual(settlement.state, "cancelled")
        self.assertEqual(len(self._moves(settlement)), 4)

    def test_reversal_lines_booked_negative(self):
        self._configure()
        order, january = self._referred_settlement()
        self._as(january, self.ka_manager).action_confirm()
        order._action_cancel()
        february = self._settle(date(2025, 2, 1), date(2025, 2, 28))
        self.assertEqual(february.amount_commission, -495.11)
        self._as(february, self.ka_manager).action_confirm()
        entry, refund = self._moves(february)
        expense = entry.line_ids.filtered(
            lambda line: line.account_id == self.expense_account
        )
        self.assertEqual((expense.debit, expense.credit), (0, 495.11))
        payable = entry.line_ids.filtered(
            lambda line: line.account_id == self.payable_account
        )
        self.assertEqual((payable.debit, payable.credit), (495.11, 0))
        self.assertEqual(refund.move_type, "in_refund")
        self.assertEqual(refund.partner_id, self.referral)
        self.assertEqual(refund.amount_total, 330.07)

    def test_salesperson_books_nothing(self):
        """Separation of duties holds before anything is booked: the
        salesperson (any context) and a manager on their own settlement are
        refused, nothing is posted; nobody links an entry to a settlement."""
        self._configure()
        _order, settlement = self._referred_settlement()
        with self.assertRaises(AccessError):
            self._as(settlement, self.ka_user).action_confirm()
        self.ka_manager.ka_commission_plan_id = self.plan
        own = self.Settlement.create(
            {
                "user_id": self.ka_manager.id,
                "date_from": date(2025, 1, 1),
                "date_to": date(2025, 1, 28),
                "plan_id": self.plan.id,
                "line_ids": [
                    Command.create({"amount_commission": 100, "reason": "Bonus"})
                ],
            }
        )
        with self.assertRaises(AccessError):
            self._as(own, self.ka_manager).action_confirm()
        self.assertEqual((settlement | own).mapped("state"), ["draft", "draft"])
        self.assertFalse(self._moves(settlement) | self._moves(own))
        # a colleague confirms: booked
        self._as(own, self.ka_manager2).action_confirm()
        self.assertTrue(self._moves(own))
        # an accountant cannot attach an entry to a settlement
        other = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": self.journal.id,
                "line_ids": [
                    Command.create(
                        {"account_id": self.expense_account.id, "balance": 10}
                    ),
                    Command.create(
                        {"account_id": self.payable_account.id, "balance": -10}
                    ),
                ],
            }
        )
        for vals in ({"ka_settlement_id": settlement.id}, {"ka_settlement_id": False}):
            with self.assertRaises(AccessError):
                self._as(other, self.accountant).write(vals)
        with self.assertRaises(AccessError):
            self._as(self.env["account.move"], self.accountant).create(
                {"journal_id": self.journal.id, "ka_settlement_id": settlement.id}
            )
        self.assertFalse(other.ka_settlement_id)
        # the salesperson sees the settlement, not its entries
        mine = self._as(settlement, self.ka_user)
        self.assertEqual(mine.state, "draft")
        with self.assertRaises(AccessError):
            mine.read(["ka_move_ids"])

    def test_second_company_books_in_its_own(self):
        company2 = self.env["res.company"].create(
            {"name": "Second Co", "currency_id": self.currency.id}
        )
        journal2 = self._journal(company2)
        accounts2 = self._accounts(company2, "2")
        self._configure()
        self._configure(company2, journal2, accounts2)
        both = self.ka_manager2
        both.company_ids = [Command.link(company2.id)]
        self.ka_user.company_ids = [Command.link(company2.id)]
        settlement2 = self.Settlement.create(
            {
                "user_id": self.ka_user.id,
                "company_id": company2.id,
                "date_from": date(2025, 1, 1),
                "date_to": date(2025, 1, 28),
                "plan_id": self.plan.id,
                "line_ids": [
                    Command.create({"amount_commission": 123.45, "reason": "Award"})
                ],
            }
        )
        self._as(settlement2, both).with_context(
            allowed_company_ids=[self.company.id, company2.id]
        ).action_confirm()
        entry = self._moves(settlement2)
        self.assertEqual(entry.company_id, company2)
        self.assertEqual(entry.journal_id, journal2)
        self.assertEqual(entry.line_ids.account_id, accounts2[0] | accounts2[1])
        self.assertEqual(entry.amount_total, 123.45)
        # the first company's books untouched
        self.assertFalse(
            self.env["account.move"].search([("journal_id", "=", self.journal.id)])
        )
        # a second company without settings books nothing
        company2.ka_commission_journal_id = False
        settlement3 = self.Settlement.create(
            {
                "user_id": self.ka_user.id,
                "company_id": company2.id,
                "date_from": date(2025, 2, 1),
                "date_to": date(2025, 2, 28),
                "plan_id": self.plan.id,
                "line_ids": [
                    Command.create({"amount_commission": 50, "reason": "Award"})
                ],
            }
        )
        self._as(settlement3, both).with_context(
            allowed_company_ids=[self.company.id, company2.id]
        ).action_confirm()
        self.assertFalse(self._moves(settlement3))

    def test_payable_account_is_a_payable(self):
        """A reconcilable current liability as the payable account: Register
        Payment would find nothing to pay and the settlement would never be
        paid, so Settings refuses it, and the account in use stays a
        payable."""
        current = (
            self.env["account.account"]
            .with_company(self.company)
            .create(
                {
                    "name": "Commissions accrued",
                    "code": "22119",
                    "account_type": "liability_current",
                    "reconcile": True,
                }
            )
        )
        with (
            self.assertRaises(ValidationError) as refused,
            self.env.cr.savepoint(),
        ):
            self.env["res.config.settings"].create(
                {
                    "ka_commission_journal_id": self.journal.id,
                    "ka_commission_expense_account_id": self.expense_account.id,
                    "ka_commission_payable_account_id": current.id,
                }
            ).execute()
        self.assertIn(current.display_name, str(refused.exception))
        self.assertFalse(self.company.ka_commission_payable_account_id)
        # the account in use stays a reconcilable payable
        self._configure()
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.payable_account.account_type = "liability_current"
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.payable_account.reconcile = False
        # and the flow ends in a paid settlement
        _order, settlement = self._referred_settlement()
        self._as(settlement, self.ka_manager).action_confirm()
        self._pay(self._moves(settlement))
        self.assertEqual(settlement.state, "paid")
