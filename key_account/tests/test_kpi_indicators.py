from datetime import date
from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import KeyAccountCase

Q1 = (date(2025, 1, 1), date(2025, 3, 31))
EMPTY = (date(2021, 7, 1), date(2021, 9, 30))


@tagged("post_install", "-at_install")
class TestKpiIndicators(KeyAccountCase):
    """Each indicator of the catalogue on hand-built data, plus an empty
    period: no division by zero, nothing invented."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = cls.ka_user | cls.ka_user2
        cls.Indicator = cls.env["key_account.kpi.indicator"]

    def _values(self, code, period=Q1, users=None):
        indicator = self.env.ref(f"key_account.key_account_kpi_indicator_{code}")
        return indicator._kpi_compute(users or self.users, *period)

    def _value(self, code, user, period=Q1):
        return self._values(code, period)[user.id]["value"]

    def _records(self, result):
        return self.env[result["model"]].search(result["domain"])

    def test_sales_growth(self):
        account = self._account("Growth Co", user_id=self.ka_user.id)
        self._order(account, 1000, datetime(2024, 2, 10, 12), user=self.ka_user)
        now = self._order(account, 1500, datetime(2025, 2, 10, 12), user=self.ka_user)
        before_too_early = self._order(
            account, 9999, datetime(2023, 12, 31, 12), user=self.ka_user
        )
        self._order(account, 800, datetime(2025, 3, 1, 12), user=self.ka_user2)
        self._order(account, 5000, datetime(2025, 3, 1, 12), confirm=False)
        results = self._values("sales_growth")
        self.assertAlmostEqual(results[self.ka_user.id]["value"], 50.0)
        # from nothing to something: 100%
        self.assertAlmostEqual(results[self.ka_user2.id]["value"], 100.0)
        records = self._records(results[self.ka_user.id])
        self.assertIn(now, records)
        self.assertEqual(len(records), 2)
        self.assertNotIn(before_too_early, records)
        empty = self._values("sales_growth", EMPTY)[self.ka_user.id]
        self.assertEqual(empty["value"], 0.0)
        self.assertFalse(empty["has_data"])

    def test_sales_in_company_currency(self):
        other = self.env["res.currency"].search(
            [("id", "!=", self.currency.id), ("active", "in", [True, False])], limit=1
        )
        other.active = True
        self.env["res.currency.rate"].create(
            {"currency_id": other.id, "name": "2024-01-01", "rate": 2.0}
        )
        pricelist = self.env["product.pricelist"].create(
            {"name": "Other currency", "currency_id": other.id}
        )
        account = self._account("Abroad Co", user_id=self.ka_user.id)
        self._order(account, 1000, datetime(2024, 2, 10, 12), user=self.ka_user)
        # 4000 in a currency worth half: 2000 in company currency
        order = self._order(
            account,
            4000,
            datetime(2025, 2, 10, 12),
            pricelist=pricelist,
            user=self.ka_user,
        )
        self.assertEqual(order.currency_id, other)
        self.assertAlmostEqual(self._value("sales_growth", self.ka_user), 100.0)

    def test_gross_margin(self):
        account = self._account("Margin Co", user_id=self.ka_user.id)
        order1 = self._order(
            account, 1000, datetime(2025, 1, 10, 12), user=self.ka_user
        )
        order2 = self._order(
            account, 3000, datetime(2025, 2, 10, 12), user=self.ka_user
        )
        order1.order_line.purchase_price = 600  # margin 400
        order2.order_line.purchase_price = 2400  # margin 600
        results = self._values("gross_margin")
        self.assertAlmostEqual(results[self.ka_user.id]["value"], 25.0)
        self.assertEqual(self._records(results[self.ka_user.id]), order1 | order2)
        self.assertFalse(results[self.ka_user2.id]["has_data"])
        self.assertEqual(self._value("gross_margin", self.ka_user, EMPTY), 0.0)

    def test_churn_and_churn_rate(self):
        owner = {"user_id": self.ka_user.id}
        lost = self._account("Lost Co", **owner)
        kept = self._account("Kept Co", **owner)
        long_gone = self._account("Long Gone Co", **owner)
        later = self._account("Back Later Co", **owner)
        self._order(lost, 100, datetime(2024, 10, 15, 12))
        self._order(kept, 100, datetime(2024, 6, 1, 12))
        self._order(kept, 100, datetime(2025, 2, 10, 12))
        self._order(long_gone, 100, datetime(2023, 12, 1, 12))
        # ordering after the period end does not undo the churn in the period
        self._order(later, 100, datetime(2024, 9, 1, 12))
        self._order(later, 100, datetime(2025, 5, 1, 12))
        # a quotation is no order
        self._order(lost, 100, datetime(2025, 3, 1, 12), confirm=False)
        churn = self._values("churn")[self.ka_user.id]
        self.assertEqual(churn["value"], 2.0)
        self.assertEqual(self._records(churn), lost | later)
        rate = self._values("churn_rate")[self.ka_user.id]
        self.assertAlmostEqual(rate["value"], 100.0 * 2 / 3)
        # the other salesperson has no account: zero churned, no rate
        self.assertEqual(self._value("churn", self.ka_user2), 0.0)
        self.assertFalse(self._values("churn_rate")[self.ka_user2.id]["has_data"])
        self.assertEqual(self._value("churn_rate", self.ka_user, EMPTY), 0.0)
        # the churn months come from Settings
        self.env["ir.config_parameter"].set_param("key_account.churn_months", 6)
        self.assertEqual(self._value("churn", self.ka_user), 1.0)  # only "later"

    def test_new_accounts(self):
        new = self._account("New Co", user_id=self.ka_user.id)
        old = self._account("Old Co", user_id=self.ka_user.id)
        other = self._account("Theirs Co", user_id=self.ka_user2.id)
        new.ka_since = date(2025, 2, 1)
        old.ka_since = date(2024, 2, 1)
        other.ka_since = date(2025, 3, 31)
        results = self._values("new_accounts")
        self.assertEqual(results[self.ka_user.id]["value"], 1.0)
        self.assertEqual(self._records(results[self.ka_user.id]), new)
        self.assertEqual(results[self.ka_user2.id]["value"], 1.0)
        # no longer a key account: not counted
        new.ka_type_id = False
        self.assertEqual(self._value("new_accounts", self.ka_user), 0.0)
        self.assertEqual(self._value("new_accounts", self.ka_user, EMPTY), 0.0)

    def test_development_plan(self):
        new = self._account("Developed Co", user_id=self.ka_user.id)
        new.ka_since = date(2025, 2, 1)
        Visit = self.env["key_account.visit"]
        for state, day in (("done", date(2025, 3, 31)), ("closed", date(2025, 4, 1))):
            Visit.create(
                {"partner_id": new.id, "user_id": self.ka_user.id, "purpose": "Demo"}
            )._ka_workflow_write({"state": state, "actual_date": day})
        Visit.create(
            {"partner_id": new.id, "user_id": self.ka_user.id, "purpose": "Plan"}
        )
        plan = self.env["key_account.development.plan"].create(
            {
                "user_id": self.ka_user.id,
                "date_from": Q1[0],
                "date_to": Q1[1],
                "planned_new_accounts": 2,
                "planned_visits": 3,
            }
        )
        self.assertEqual(plan.done_new_accounts, 1)
        self.assertEqual(plan.done_visits, 1)  # the draft and the April one not
        self.assertAlmostEqual(plan.completion, 40.0)
        results = self._values("dev_plan")
        self.assertAlmostEqual(results[self.ka_user.id]["value"], 40.0)
        self.assertEqual(self._records(results[self.ka_user.id]), plan)
        # nothing planned: no data, no division
        self.assertFalse(results[self.ka_user2.id]["has_data"])
        self.assertEqual(self._value("dev_plan", self.ka_user, EMPTY), 0.0)

    def test_development_plan_access(self):
        Plan = self.env["key_account.development.plan"]
        mine, theirs = Plan.create(
            [
                {"user_id": user.id, "date_from": Q1[0], "date_to": Q1[1]}
                for user in self.users
            ]
        )
        self.assertEqual(Plan.with_user(self.ka_user).search([]), mine)
        self.assertEqual(
            Plan.with_user(self.ka_manager).search([("user_id", "in", self.users.ids)]),
            mine | theirs,
        )
        with self.assertRaises(AccessError):
            mine.with_user(self.ka_user).planned_new_accounts = 99
        with self.assertRaises(ValidationError), self.cr.savepoint():
            mine.write({"date_to": date(2024, 12, 31)})
        with self.assertRaises(ValidationError), self.cr.savepoint():
            mine.write({"planned_visits": -1})

    def test_file_completeness(self):
        rich = self._account(
            "Rich File Co",
            user_id=self.ka_user.id,
            street="1 Road",
            city="Hangzhou",
            phone="123",
            ka_main_business="Steel",
            ka_need="Pipes",
        )
        poor = self._account("Poor File Co", user_id=self.ka_user.id)
        self.assertGreater(rich.ka_file_completeness, poor.ka_file_completeness)
        expected = (rich.ka_file_completeness + poor.ka_file_completeness) / 2
        results = self._values("completeness")
        self.assertAlmostEqual(results[self.ka_user.id]["value"], expected)
        self.assertEqual(self._records(results[self.ka_user.id]), rich | poor)
        self.assertFalse(results[self.ka_user2.id]["has_data"])

    def _feedback_set(self):
        account = self._account("Unhappy Co")
        fb = self._feedback
        return {
            # answered after 10 hours: in time
            "in_time": fb(
                account,
                self.ka_user,
                datetime(2025, 2, 1, 10),
                is_valid=True,
                answered_date=datetime(2025, 2, 1, 20),
                satisfaction=4,
            ),
            "late": fb(
                account,
                self.ka_user,
                datetime(2025, 2, 10, 10),
                is_valid=True,
                answered_date=datetime(2025, 2, 15, 10),
                satisfaction=5,
            ),
            "open": fb(account, self.ka_user, datetime(2025, 3, 5, 10)),
            "suggestion": fb(
                account,
                self.ka_user,
                datetime(2025, 3, 6, 10),
                "suggestion",
                is_valid=True,
            ),
            "before": fb(
                account, self.ka_user, datetime(2024, 12, 1, 10), is_valid=True
            ),
            "theirs": fb(
                account,
                self.ka_user2,
                datetime(2025, 1, 5, 10),
                is_valid=True,
                answered_date=datetime(2025, 1, 5, 11),
            ),
        }

    def test_valid_complaints(self):
        fbs = self._feedback_set()
        results = self._values("complaints")
        self.assertEqual(results[self.ka_user.id]["value"], 2.0)
        self.assertEqual(
            self._records(results[self.ka_user.id]), fbs["in_time"] | fbs["late"]
        )
        self.assertEqual(results[self.ka_user2.id]["value"], 1.0)
        empty = self._values("complaints", EMPTY)[self.ka_user.id]
        self.assertEqual(empty["value"], 0.0)
        self.assertTrue(empty["has_data"])  # zero complaints is a result

    def test_feedback_timeliness(self):
        fbs = self._feedback_set()
        results = self._values("feedback_timeliness")
        # due in Q1: in time, late, open (its due date passed), suggestion
        self.assertAlmostEqual(results[self.ka_user.id]["value"], 25.0)
        self.assertEqual(
            self._records(results[self.ka_user.id]),
            fbs["in_time"] | fbs["late"] | fbs["open"] | fbs["suggestion"],
        )
        self.assertAlmostEqual(results[self.ka_user2.id]["value"], 100.0)
        empty = self._values("feedback_timeliness", EMPTY)[self.ka_user.id]
        self.assertEqual(empty["value"], 0.0)
        self.assertFalse(empty["has_data"])

    def test_satisfaction(self):
        self._feedback_set()
        results = self._values("satisfaction")
        # the unrated ones do not drag the average down
        self.assertAlmostEqual(results[self.ka_user.id]["value"], 4.5)
        self.assertFalse(results[self.ka_user2.id]["has_data"])
        self.assertEqual(self._value("satisfaction", self.ka_user, EMPTY), 0.0)

    def test_expense_ratio(self):
        account = self._account("Costly Co", user_id=self.ka_user.id)
        self._order(account, 20_000, datetime(2025, 2, 10, 12), user=self.ka_user)
        Expense = self.env["key_account.expense"]
        visit = self.env["key_account.visit"].create(
            {"partner_id": account.id, "user_id": self.ka_user.id, "purpose": "Dinner"}
        )
        for amount, day in ((600, date(2025, 2, 11)), (400, date(2025, 3, 31))):
            Expense.create(
                {
                    "visit_id": visit.id,
                    "kind": "actual",
                    "expense_type": "hospitality",
                    "name": "Dinner",
                    "amount": amount,
                    "date": day,
                }
            )
        Expense.create(  # planned, or outside the period: not counted
            [
                {
                    "visit_id": visit.id,
                    "kind": "planned",
                    "expense_type": "transport",
                    "name": "Train",
                    "amount": 5000,
                    "date": date(2025, 2, 1),
                },
                {
                    "visit_id": visit.id,
                    "kind": "actual",
                    "expense_type": "gift",
                    "name": "Tea",
                    "amount": 7000,
                    "date": date(2025, 4, 1),
                },
            ]
        )
        results = self._values("expense_ratio")
        self.assertAlmostEqual(results[self.ka_user.id]["value"], 5.0)  # 1000/20000
        self.assertEqual(len(self._records(results[self.ka_user.id])), 2)
        self.assertFalse(results[self.ka_user2.id]["has_data"])
        empty = self._values("expense_ratio", EMPTY)[self.ka_user.id]
        self.assertEqual((empty["value"], empty["has_data"]), (0.0, False))

    def test_followup_adherence(self):
        # 90 days: a contact every 30 days -> 3 due; a visit every 45 -> 2 due
        self.grade_b.write({"contact_interval_days": 30, "visit_interval_days": 45})
        account = self._account(
            "Followed Co", user_id=self.ka_user.id, ka_grade_id=self.grade_b.id
        )
        buyer = self.env["res.partner"].create(
            {"name": "Buyer", "parent_id": account.id}
        )
        with freeze_time("2025-02-03 10:00:00"):
            buyer.activity_schedule(
                "mail.mail_activity_data_call", user_id=self.ka_user.id
            ).action_done()
        with freeze_time("2025-02-04 10:00:00"):
            account.activity_schedule(
                "mail.mail_activity_data_todo", user_id=self.ka_user.id
            ).action_done()  # a to-do is no contact
        visit = self.env["key_account.visit"].create(
            {"partner_id": account.id, "user_id": self.ka_user.id, "purpose": "Visit"}
        )
        visit._ka_workflow_write({"state": "done", "actual_date": date(2025, 3, 10)})
        results = self._values("followup")
        # done: contacts min(1 call + 1 visit, 3) = 2, visits min(1, 2) = 1
        self.assertAlmostEqual(results[self.ka_user.id]["value"], 100.0 * 3 / 5)
        self.assertEqual(self._records(results[self.ka_user.id]), account)
        self.assertFalse(results[self.ka_user2.id]["has_data"])  # owns none
        empty = self._values("followup", EMPTY)[self.ka_user.id]
        self.assertEqual(empty["value"], 0.0)  # all due, none done

    def test_sales_plan(self):
        self._targets(self.ka_user, (1, 2, 3), 1000)
        self._targets(self.ka_user2, (1,), 1000)
        self.ka_user2.ka_commission_status = "probation"
        self.assertTrue(
            self.env.ref(
                "key_account.key_account_kpi_indicator_sales_plan"
            ).is_available
        )
        results = self._values("sales_plan")
        sales = self.Indicator._kpi_sales_by_user(self.users, *Q1)
        actual = sales.get(self.ka_user.id, (0.0,))[0]
        self.assertAlmostEqual(results[self.ka_user.id]["value"], actual / 3000 * 100)
        self.assertTrue(results[self.ka_user.id]["has_data"])
        # probation: the target counts for half
        actual2 = sales.get(self.ka_user2.id, (0.0,))[0]
        self.assertAlmostEqual(results[self.ka_user2.id]["value"], actual2 / 500 * 100)
        # no target, no data
        self.assertFalse(self._values("sales_plan", EMPTY)[self.ka_user.id]["has_data"])

    def test_every_shipped_indicator_is_available(self):
        indicators = self.Indicator.search([])
        self.assertEqual(len(indicators), 20)
        self.assertEqual(
            indicators.filtered(lambda i: not i.is_available), self.Indicator
        )

    def test_one_query_per_indicator_whatever_the_team_size(self):
        accounts = self.env["res.partner"]
        users = self.users | self.ka_manager
        for i, user in enumerate(users):
            account = self._account(f"Team Co {i}", user_id=user.id)
            accounts |= account
            self._order(account, 100, datetime(2025, 2, 1, 12), user=user)
            self._feedback(account, user, datetime(2025, 2, 1, 12), is_valid=True)
        indicators = self.Indicator.search([])
        for indicator in indicators.filtered("is_available"):
            with self.subTest(code=indicator.code):
                indicator._kpi_compute(self.ka_user, *Q1)  # warm caches
                self.env.invalidate_all()
                before = self.cr.sql_log_count
                indicator._kpi_compute(self.ka_user, *Q1)
                one = self.cr.sql_log_count - before
                self.env.invalidate_all()
                with self.assertQueryCount(one):
                    indicator._kpi_compute(users, *Q1)
                # a few grouped queries (follow-ups: accounts, their
                # contacts, done contacts, visits, grades), never one per person
                self.assertLessEqual(one, 5)
