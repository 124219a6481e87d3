from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user
from odoo.tests import tagged

from .test_commission import CommissionCase


class ConsequencesCase(CommissionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Proposal = cls.env["key_account.commission.proposal"]
        cls.Target = cls.env["key_account.commission.target"]
        cls.company.ka_commission_minimum = 10_000

    def _propose(self, day):
        with freeze_time(day):
            self.env.invalidate_all()
            return self.Proposal._ka_cron_propose()

    def _proposal(self, user):
        return self.Proposal.search([("user_id", "=", user.id)])


@tagged("post_install", "-at_install")
class TestConsequenceProposals(ConsequencesCase):
    def test_regular_below_the_minimum_once_a_month(self):
        self._order(self.account, 6_000, date=date(2025, 1, 10), user=self.ka_user)
        self._order(self.account, 12_000, date=date(2025, 1, 12), user=self.ka_user2)
        created = self._propose("2025-02-03 08:00:00")
        proposal = self._proposal(self.ka_user)
        self.assertEqual(
            created.filtered(lambda p: p.user_id == self.ka_user), proposal
        )
        self.assertFalse(self._proposal(self.ka_user2))
        self.assertEqual(proposal.kind, "demotion")
        self.assertEqual(proposal.month, date(2025, 1, 1))
        self.assertTrue(proposal.below_minimum)
        self.assertFalse(proposal.below_target)
        self.assertEqual(proposal.sales_amount, 6_000)
        self.assertEqual(proposal.minimum_amount, 10_000)
        self.assertIn("2025-01", proposal.figures)
        # the manager has an activity with the figures
        activity = proposal.activity_ids
        self.assertIn(self.ka_manager, activity.user_id)
        self.assertNotIn(self.ka_user, activity.user_id)
        self.assertIn("2025-01", str(activity[:1].note))
        self.assertIn("Sam Salesman", activity[:1].summary)
        # idempotent: run again, the same month, nothing new
        self.assertFalse(self._propose("2025-02-20 08:00:00"))
        self.assertEqual(len(self._proposal(self.ka_user)), 1)
        # the minimum is a setting: 0 means none
        self.company.ka_commission_minimum = 0
        self.assertFalse(self._propose("2025-03-03 08:00:00"))

    def test_three_months_below_target(self):
        self.company.ka_commission_minimum = 0
        self.ka_user.ka_commission_status = "probation"
        # probation: 50% of 30,000 = 15,000; regular: 20,000
        self._targets(self.ka_user, (1, 2, 3), 30_000)
        self._targets(self.ka_user2, (1, 2, 3), 20_000)
        for month in (1, 2, 3):
            self._order(
                self.account, 12_000, date=date(2025, month, 5), user=self.ka_user
            )
            self._order(
                self.account, 15_000, date=date(2025, month, 6), user=self.ka_user2
            )
        # two months below target: nothing yet
        self.assertFalse(self._propose("2025-03-02 08:00:00"))
        self._propose("2025-04-02 08:00:00")
        probationer = self._proposal(self.ka_user)
        regular = self._proposal(self.ka_user2)
        self.assertEqual(probationer.kind, "dismissal")
        self.assertEqual(probationer.status_before, "probation")
        self.assertEqual(probationer.target_amount, 15_000)
        self.assertEqual(regular.kind, "demotion")
        self.assertTrue(regular.below_target)
        self.assertFalse(regular.below_minimum)
        self.assertEqual(regular.figures.count("target"), 3)

    def test_target_reached_no_proposal(self):
        self.company.ka_commission_minimum = 0
        self._targets(self.ka_user, (1, 2, 3), 10_000)
        for month in (1, 2, 3):
            amount = 10_000 if month == 2 else 9_000
            self._order(
                self.account, amount, date=date(2025, month, 5), user=self.ka_user
            )
        self._propose("2025-04-02 08:00:00")
        self.assertFalse(self._proposal(self.ka_user))

    def test_part_timers_are_not_proposed(self):
        self.ka_user.ka_commission_plan_id = self.part_time
        self._propose("2025-02-03 08:00:00")
        self.assertFalse(self._proposal(self.ka_user))
        self.assertTrue(self._proposal(self.ka_user2))


@tagged("post_install", "-at_install")
class TestConsequenceDecisions(ConsequencesCase):
    def setUp(self):
        super().setUp()
        self._order(self.account, 6_000, date=date(2025, 1, 10), user=self.ka_user)
        self._propose("2025-02-03 08:00:00")
        self.proposal = self._proposal(self.ka_user)

    def test_accept_demotion_from_next_month(self):
        self._targets(self.ka_user, (2, 3), 10_000)
        proposal = self.proposal.with_user(self.ka_manager)
        with freeze_time("2025-02-10 08:00:00"):
            proposal.decision_note = "Agreed with HR."
            proposal.action_accept()
        self.assertEqual(proposal.state, "accepted")
        self.assertEqual(proposal.decided_by_id, self.ka_manager)
        self.assertEqual(proposal.effective_month, date(2025, 3, 1))
        self.assertEqual(self.ka_user.ka_commission_status, "demoted")
        # the targets: February as before, 70% from March on
        by_month = self.Target._ka_effective_targets_by_month(
            self.ka_user, date(2025, 2, 1), date(2025, 3, 31)
        )
        self.assertEqual(by_month[(self.ka_user.id, date(2025, 2, 1))], 10_000)
        self.assertEqual(by_month[(self.ka_user.id, date(2025, 3, 1))], 7_000)
        # kept in the salesperson's history, the activity done
        self.assertIn(self.proposal, self.ka_user.ka_commission_proposal_ids)
        self.assertFalse(self.proposal.activity_ids)
        bodies = " ".join(self.proposal.message_ids.mapped("body"))
        self.assertIn("Agreed with HR.", bodies)
        self.assertIn("2025-03", bodies)
        # decided is decided
        with self.assertRaises(UserError):
            proposal.action_reject()
        with self.assertRaises(UserError):
            proposal.decision_note = "Changed my mind"

    def test_reject_needs_a_comment(self):
        proposal = self.proposal.with_user(self.ka_manager)
        with self.assertRaises(UserError):
            proposal.action_reject()
        proposal.decision_note = "A new product line was late."
        proposal.action_reject()
        self.assertEqual(proposal.state, "rejected")
        self.assertEqual(self.ka_user.ka_commission_status, "regular")
        self.assertFalse(self.proposal.activity_ids)

    def test_nobody_decides_their_own(self):
        # a manager who sells: their own proposal is another manager's
        self.ka_manager2.ka_commission_plan_id = self.plan
        self._propose("2025-02-04 08:00:00")
        own = self._proposal(self.ka_manager2)
        self.assertEqual(own.kind, "demotion")
        self.assertNotIn(self.ka_manager2, own.activity_ids.user_id)
        with self.assertRaises(AccessError):
            own.with_user(self.ka_manager2).action_accept()
        own.with_user(self.ka_manager).action_accept()
        self.assertEqual(own.state, "accepted")

    def test_salesperson_colleague_and_second_company(self):
        for user in (self.ka_user, self.ka_user2):
            with self.assertRaises(AccessError):
                self.proposal.with_user(user).read(["kind"])
            with self.assertRaises(AccessError):
                self.proposal.with_user(user).action_accept()
            with self.assertRaises(AccessError):
                self.Proposal.with_user(user).search([])
        other = self.env["res.company"].create({"name": "Consequences Second Co"})
        manager_b = new_test_user(
            self.env,
            login="ka_manager_b",
            name="Bea Manager",
            groups="key_account.group_key_account_manager",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self.assertFalse(self.Proposal.with_user(manager_b).search([]))
        with self.assertRaises(AccessError):
            self.proposal.with_user(manager_b).action_accept()
        self.assertEqual(self.proposal.state, "proposed")

    def test_clients_do_not_make_or_move_proposals(self):
        values = {
            "user_id": self.ka_user2.id,
            "kind": "dismissal",
            "month": date(2025, 1, 1),
            "company_id": self.company.id,
        }
        with self.assertRaises(AccessError):
            self._as(self.Proposal, self.ka_manager).create(values)
        with self.assertRaises(AccessError):
            self._as(self.proposal, self.ka_manager).write({"state": "accepted"})
        with self.assertRaises(AccessError):
            self._as(self.proposal, self.ka_manager).write({"sales_amount": 50_000})
        self.assertEqual(self.proposal.state, "proposed")
        self.assertEqual(self.proposal.sales_amount, 6_000)


class PartTimerCase(ConsequencesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Leave = cls.env["key_account.commission.leave"]
        cls.part_plan = cls.part_time.copy({"cadence": "monthly"})
        cls.ka_user.ka_commission_plan_id = cls.part_plan
        # a company and a person, both the part-timer's key accounts
        cls.person = cls._account(
            "Pat Person", is_company=False, user_id=cls.ka_user.id
        )
        cls.other_account = cls._account("Colleague Co", user_id=cls.ka_user2.id)
        cls._order(cls.account, 12_000, date=date(2025, 1, 10), user=cls.ka_user)

    def _end(self, day):
        with freeze_time(day):
            self.env.invalidate_all()
            return self.env["res.users"]._ka_cron_end_part_time_cooperation()

    def _leave(self, user, month, months=1):
        return self.Leave.with_user(user).create(
            {"month": month, "months": months, "reason": "Exams"}
        )


@tagged("post_install", "-at_install")
class TestPartTimerCooperation(PartTimerCase):
    def test_no_sale_three_months_ends_the_cooperation(self):
        # January sold: February to April still active
        self.assertFalse(self._end("2025-04-03 08:00:00"))
        self.assertEqual(self.account.user_id, self.ka_user)
        ended = self._end("2025-05-02 08:00:00")
        self.assertEqual(ended, self.ka_user)
        for partner in (self.account, self.person):
            self.assertFalse(partner.user_id)
            log = partner.ka_pool_log_ids[:1]
            self.assertEqual(log.action, "ended")
            self.assertEqual(log.from_user_id, self.ka_user)
        # a full-timer without sales keeps their accounts; nothing twice
        self.assertEqual(self.other_account.user_id, self.ka_user2)
        self.assertFalse(self._end("2025-05-03 08:00:00"))
        ended_logs = self.account.ka_pool_log_ids.filtered(
            lambda x: x.action == "ended"
        )
        self.assertEqual(len(ended_logs), 1)

    def test_approved_leave_pauses_the_clock(self):
        with freeze_time("2025-01-20 08:00:00"):
            leave = self._leave(self.ka_user, date(2025, 2, 1), months=2)
            refused = self._leave(self.ka_user, date(2025, 4, 1))
        # nobody approves their own, a colleague does not see it
        with self.assertRaises(AccessError):
            leave.with_user(self.ka_user).action_approve()
        with self.assertRaises(AccessError):
            leave.with_user(self.ka_user2).read(["state"])
        leave.with_user(self.ka_manager).action_approve()
        refused.with_user(self.ka_manager).action_refuse()
        self.assertEqual(leave.approved_by_id, self.ka_manager)
        with self.assertRaises(UserError):
            leave.with_user(self.ka_user).months = 3
        # February and March do not count: April, January, December
        self.assertFalse(self._end("2025-05-02 08:00:00"))
        self.assertFalse(self._end("2025-06-02 08:00:00"))
        self.assertEqual(self.account.user_id, self.ka_user)
        # May, April (refused leave), June: no sale
        self.assertEqual(self._end("2025-07-02 08:00:00"), self.ka_user)
        self.assertFalse(self.account.user_id)

    def test_leave_requests_are_checked(self):
        with freeze_time("2025-01-20 08:00:00"):
            with self.assertRaises(ValidationError), self.env.cr.savepoint():
                self._leave(self.ka_user, date(2025, 2, 1), months=4)
            with self.assertRaises(UserError), self.env.cr.savepoint():
                self._leave(self.ka_user, date(2024, 12, 1))
            # for oneself only, whatever the defaults say
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                self.Leave.with_user(self.ka_user).with_context(
                    default_user_id=self.ka_user2.id
                ).create({"month": date(2025, 2, 1), "reason": "x"})
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                self._as(self.Leave, self.ka_user).create(
                    {"month": date(2025, 2, 1), "reason": "x", "state": "approved"}
                )
            leave = self._leave(self.ka_user, date(2025, 2, 1))
        other = self.env["res.company"].create({"name": "Leave Second Co"})
        manager_b = new_test_user(
            self.env,
            login="ka_manager_leave_b",
            name="Ben Manager",
            groups="key_account.group_key_account_manager",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self.assertFalse(self.Leave.with_user(manager_b).search([]))
        self.assertIn(leave, self.Leave.with_user(self.ka_manager).search([]))
        self.assertEqual(self.Leave.with_user(self.ka_user).search([]), leave)

    def test_later_sales_of_those_customers_are_the_company_s(self):
        self._end("2025-05-02 08:00:00")
        # the part-timer sells to their former customer again; a
        # colleague takes the account over and sells to it too
        lost = self._order(
            self.account, 20_000, date=date(2025, 5, 10), user=self.ka_user
        )
        self.account.user_id = self.ka_user2
        kept = self._order(
            self.account, 20_000, date=date(2025, 5, 12), user=self.ka_user2
        )
        with freeze_time("2025-06-02 08:00:00"):
            self.env.invalidate_all()
            settlements = self._settle(date(2025, 5, 1), date(2025, 5, 31))
        mine = settlements.filtered(lambda s: s.user_id == self.ka_user)
        line = self._lines(mine).filtered(lambda x: x.order_id == lost)
        self.assertEqual(line.amount_commission, 0)
        self.assertIn("went back to the company", line.reason)
        self.assertEqual(mine.amount_commission, 0)
        theirs = settlements.filtered(lambda s: s.user_id == self.ka_user2)
        self.assertEqual(self._lines(theirs).order_id, kept)
        self.assertGreater(theirs.amount_commission, 0)
        # what was sold before the end is still the part-timer's
        with freeze_time("2025-06-02 08:00:00"):
            january = self._settle(date(2025, 1, 1), date(2025, 1, 31), self.ka_user)
        self.assertGreater(january.amount_commission, 0)


@tagged("post_install", "-at_install")
class TestPartTimerTargets(PartTimerCase):
    def test_part_timers_set_their_own_targets(self):
        Target = self.Target.with_user(self.ka_user)
        with freeze_time("2025-03-05 08:00:00"):
            target = Target.create({"month": date(2025, 3, 1), "amount": 8_000})
            self.assertEqual(target.user_id, self.ka_user)
            target.amount = 9_000
            Target.create({"month": date(2025, 4, 1), "amount": 8_000})
            # not another's, not a month that has begun, whatever the defaults
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                Target.with_context(default_user_id=self.ka_user2.id).create(
                    {"month": date(2025, 5, 1), "amount": 1}
                )
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                Target.create({"month": date(2025, 2, 1), "amount": 1})
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                target.user_id = self.ka_user2
            # a full-timer's targets are the manager's
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                self.Target.with_user(self.ka_user2).create(
                    {"month": date(2025, 4, 1), "amount": 1}
                )
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                target.with_user(self.ka_user2).amount = 1
            managed = self.Target.with_user(self.ka_manager).create(
                {"user_id": self.ka_user2.id, "month": date(2025, 3, 1), "amount": 5}
            )
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                managed.with_user(self.ka_user2).amount = 1
        self.assertEqual(target.amount, 9_000)
        self.assertEqual(managed.amount, 5)


@tagged("post_install", "-at_install")
class TestFraudPenalty(ConsequencesCase):
    def test_penalty_on_the_commission_the_fraud_gained(self):
        Line = self.env["key_account.commission.settlement.line"]
        fraud = self._order(
            self.account, 15_000, date=date(2025, 1, 10), user=self.ka_user
        )
        self._order(self.account, 15_000, date=date(2025, 1, 11), user=self.ka_user2)
        january = self._settle(date(2025, 1, 1), date(2025, 1, 31))
        mine = january.filtered(lambda s: s.user_id == self.ka_user)
        gained = self._lines(mine).filtered(lambda x: x.order_id == fraud)
        theirs = self._lines(january - mine)
        self.assertEqual(gained.amount_commission, 825)
        mine.action_confirm()
        self._order(self.account, 2_000, date=date(2025, 2, 10), user=self.ka_user)
        february = self._settle(date(2025, 2, 1), date(2025, 2, 28), self.ka_user)
        penalty = Line.with_user(self.ka_manager).create(
            {
                "settlement_id": february.id,
                "line_type": "penalty",
                "penalized_line_id": gained.id,
                "reason": "Bought from himself to reach the tier",
            }
        )
        # ten times the commission the fraud gained (Settings)
        self.assertEqual(penalty.amount_commission, -8_250)
        # never a colleague's line, an expense or a correction
        bad = [
            {"line_type": "penalty", "penalized_line_id": theirs.id},
            {"line_type": "correction", "penalized_line_id": gained.id},
            {"line_type": "penalty", "penalized_line_id": penalty.id},
        ]
        for vals in bad:
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                with self.env.cr.savepoint():
                    Line.with_user(self.ka_manager).create(
                        {
                            "settlement_id": february.id,
                            "reason": "Fraud",
                            "amount_commission": -1,
                            **vals,
                        }
                    )
