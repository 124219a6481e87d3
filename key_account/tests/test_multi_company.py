from datetime import date
from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.modules.migration import load_script
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools import SQL

from .common import HOSTILE_CONTEXT
from .common import KeyAccountCase

MANAGER = "key_account.group_key_account_manager"


class MultiCompanyCase(KeyAccountCase):
    """Two companies in two currencies, a manager of each, a manager working
    in both, and a key account shared by the two companies (no company, as
    Odoo makes partners) with orders in both."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company1 = cls.company
        code = "EUR" if cls.currency.name != "EUR" else "USD"
        cls.currency2 = cls.env.ref(f"base.{code}")
        cls.currency2.active = True
        cls.company2 = cls.env["res.company"].create(
            {"name": "Second Co", "currency_id": cls.currency2.id}
        )
        cls.pricelist2 = cls.env["product.pricelist"].create(
            {
                "name": "Second Co prices",
                "currency_id": cls.currency2.id,
                "company_id": cls.company2.id,
            }
        )
        cls.manager1 = cls.ka_manager
        cls.manager2 = new_test_user(
            cls.env,
            login="ka_manager_c2",
            name="Zoe Second",
            groups=MANAGER,
            company_id=cls.company2.id,
            company_ids=[Command.set(cls.company2.ids)],
        )
        cls.manager_both = new_test_user(
            cls.env,
            login="ka_manager_both",
            name="Bo Both",
            groups=MANAGER,
            company_id=cls.company1.id,
            company_ids=[Command.set((cls.company1 | cls.company2).ids)],
        )
        cls.shared = cls._account("Shared Co")
        # company 1 sells for grade A, company 2 for grade B, at other dates
        cls._order(cls.shared, 1_200_000, date=cls._today())
        cls.last2 = cls._today().replace(day=1)
        cls._order2(cls.shared, 250_000, date=cls.last2)

    @classmethod
    def _order2(cls, partner, amount, **kwargs):
        """An order of the second company, in its currency."""
        return cls._order(
            partner, amount, company=cls.company2, pricelist=cls.pricelist2, **kwargs
        )

    @staticmethod
    def _hostile(records):
        return records.with_context(**HOSTILE_CONTEXT)


@tagged("post_install", "-at_install")
class TestMultiCompanyFigures(MultiCompanyCase):
    """Figures a user sees come from their companies' orders only."""

    def test_each_company_keeps_its_own_figures(self):
        shared = self.shared
        self.assertEqual(shared.with_company(self.company1).ka_sales_12m, 1_200_000)
        self.assertEqual(shared.with_company(self.company2).ka_sales_12m, 250_000)
        self.assertEqual(
            shared.with_company(self.company1).ka_last_order_date, self._today()
        )
        self.assertEqual(
            shared.with_company(self.company2).ka_last_order_date, self.last2
        )
        # stored as {company: value}, each in the company's currency
        self.env.flush_all()
        self.env.cr.execute(
            SQL("SELECT ka_sales_12m FROM res_partner WHERE id = %s", shared.id)
        )
        self.assertEqual(
            self.env.cr.fetchone()[0],
            {str(self.company1.id): 1_200_000, str(self.company2.id): 250_000},
        )

    def test_second_company_manager_reads_their_company_only(self):
        self.env["res.partner"]._ka_cron_regrade()
        shared = self._hostile(self.shared.with_user(self.manager2))
        [values] = shared.read(["ka_sales_12m", "ka_last_order_date", "ka_grade_id"])
        self.assertEqual(values["ka_sales_12m"], 250_000)
        self.assertEqual(values["ka_last_order_date"], self.last2)
        self.assertEqual(values["ka_grade_id"][0], self.grade_b.id)
        Partner = self._hostile(self.env["res.partner"].with_user(self.manager2))
        # a filter on the figure filters on their company's
        found = Partner.search_read(
            [("id", "=", self.shared.id), ("ka_sales_12m", ">=", 1_000_000)], ["id"]
        )
        self.assertFalse(found)
        found = Partner.search_read(
            [("id", "=", self.shared.id), ("ka_sales_12m", ">=", 200_000)],
            ["ka_sales_12m"],
        )
        self.assertEqual(found, [{"id": self.shared.id, "ka_sales_12m": 250_000}])
        # the pivot's sums by grade
        groups = Partner.read_group(
            [("id", "=", self.shared.id)], ["ka_sales_12m:sum"], ["ka_grade_id"]
        )
        self.assertEqual(
            [
                (g["ka_grade_id"][0], g["ka_sales_12m"])
                for g in groups
                if g["ka_grade_id_count"]
            ],
            [(self.grade_b.id, 250_000)],
        )
        # asking for the first company's figures is refused, whatever the
        # context says
        with self.assertRaises(AccessError):
            shared.with_context(allowed_company_ids=self.company1.ids).read(
                ["ka_sales_12m"]
            )

    def test_sorting_follows_the_company(self):
        small = self._account("Small in 1, big in 2")
        self._order(small, 1_000)
        self._order2(small, 900_000)
        accounts = self.shared | small
        Partner = self.env["res.partner"]
        order = "ka_sales_12m desc"
        domain = [("id", "in", accounts.ids)]
        self.assertEqual(
            Partner.with_user(self.manager1).search(domain, order=order).ids,
            accounts.ids,
        )
        self.assertEqual(
            Partner.with_user(self.manager2).search(domain, order=order).ids,
            (small | self.shared).ids,
        )

    def test_user_of_both_companies_reads_the_company_they_work_in(self):
        shared = self.shared.with_user(self.manager_both)
        self.assertEqual(shared.ka_sales_12m, 1_200_000)
        self.assertEqual(shared.with_company(self.company2).ka_sales_12m, 250_000)
        both = (self.company2 | self.company1).ids
        self.assertEqual(
            shared.with_context(allowed_company_ids=both).ka_sales_12m, 250_000
        )

    def test_orders_refresh_their_company_only(self):
        shared = self.shared
        order = self._order2(shared, 50_000, confirm=False)
        self.assertEqual(shared.with_company(self.company2).ka_sales_12m, 250_000)
        order.action_confirm()
        self.assertEqual(shared.with_company(self.company2).ka_sales_12m, 300_000)
        self.assertEqual(shared.with_company(self.company1).ka_sales_12m, 1_200_000)
        # a line changed on its own (not through its order) counts too
        order.order_line.write({"price_unit": 60_000})
        self.assertEqual(shared.with_company(self.company2).ka_sales_12m, 310_000)
        order._action_cancel()
        self.assertEqual(shared.with_company(self.company2).ka_sales_12m, 250_000)
        # an order moving to the other company moves its amount
        moved = self._order2(shared, 10_000, confirm=False)
        moved.write({"company_id": self.company1.id, "pricelist_id": False})
        moved.action_confirm()
        self.assertEqual(shared.with_company(self.company1).ka_sales_12m, 1_210_000)
        self.assertEqual(shared.with_company(self.company2).ka_sales_12m, 250_000)

    def test_confirming_many_orders_refreshes_once(self):
        accounts = [self._account(f"Batch {i}") for i in range(3)]
        orders = self.env["sale.order"].concat(
            *(self._order2(account, 1_000, confirm=False) for account in accounts)
        )
        Partner = type(self.env["res.partner"])
        original = Partner._ka_refresh_sales
        calls = []

        def spy(records):
            calls.append(set(records.ids))
            return original(records)

        with patch.object(Partner, "_ka_refresh_sales", spy):
            orders[:1].action_confirm()
            one = len(calls)
            calls.clear()
            orders[1:].action_confirm()
        self.assertEqual(len(calls), one)
        self.assertIn({a.id for a in accounts[1:]}, calls)
        for account in accounts:
            self.assertEqual(account.with_company(self.company2).ka_sales_12m, 1_000)

    def test_company_specific_account_unaffected(self):
        own = self._account("Own Co", company_id=self.company1.id)
        self._order(own, 300_000)
        self.env["res.partner"]._ka_cron_regrade()
        self.assertEqual(own.ka_sales_12m, 300_000)
        self.assertEqual(own.ka_grade_id, self.grade_b)
        # the second company does not grade it, and its manager cannot read it
        self.assertFalse(own.with_company(self.company2).ka_grade_id)
        with self.assertRaises(AccessError):
            own.with_user(self.manager2).read(["ka_sales_12m"])
        # its chatter tells the change (its company only reads it)
        self.assertTrue(
            own.message_ids.filtered(lambda m: "Re-graded" in (m.body or ""))
        )

    def test_movement_report_uses_each_company_figures(self):
        self.env["key_account.movement.report"].invalidate_model()
        Movement = self.env["key_account.movement.report"]
        old = self._account("Lost in 2")
        self._order2(old, 100, date=datetime(2020, 1, 6, 12))
        self._order(old, 100)
        domain = [("partner_id", "=", old.id), ("movement", "=", "churn")]
        self.assertFalse(Movement.search(domain))
        self.assertEqual(
            Movement.with_user(self.manager2).search(domain).date, date(2020, 4, 6)
        )


@tagged("post_install", "-at_install")
class TestMultiCompanyGrading(MultiCompanyCase):
    def _history(self, partner, user=None):
        History = self.env["key_account.grade.history"]
        if user:
            History = History.with_user(user)
        return History.search([("partner_id", "=", partner.id)]).sorted(
            lambda h: (h.company_id.id, h.id)
        )

    def test_regrade_grades_each_company_from_its_orders(self):
        changed = self.env["res.partner"]._ka_cron_regrade()
        self.assertIn(self.shared, changed)
        self.assertEqual(
            self.shared.with_company(self.company1).ka_grade_id, self.grade_a
        )
        self.assertEqual(
            self.shared.with_company(self.company2).ka_grade_id, self.grade_b
        )
        self.assertRecordValues(
            self._history(self.shared),
            [
                {
                    "company_id": self.company1.id,
                    "new_grade_id": self.grade_a.id,
                    "sales_12m": 1_200_000,
                    "currency_id": self.currency.id,
                    "mode": "automatic",
                },
                {
                    "company_id": self.company2.id,
                    "new_grade_id": self.grade_b.id,
                    "sales_12m": 250_000,
                    "currency_id": self.currency2.id,
                    "mode": "automatic",
                },
            ],
        )
        # each manager reads their company's history; nothing in the
        # chatter, which both companies read
        self.assertEqual(
            self._history(self.shared, self.manager2).company_id, self.company2
        )
        self.assertEqual(
            self._history(self.shared, self.manager1).company_id, self.company1
        )
        self.assertFalse(
            self.shared.message_ids.filtered(lambda m: "Re-graded" in (m.body or ""))
        )
        self.assertEqual(self.shared.with_user(self.manager2).ka_grade_history_count, 1)

    def test_each_company_grade_table(self):
        platinum = self.env["key_account.grade"].create(
            {
                "name": "Platinum",
                "code": "P",
                "sequence": 1,
                "min_sales_12m": 1_100_000,
                "company_id": self.company2.id,
            }
        )
        self._order2(self.shared, 1_000_000)
        self.env["res.partner"]._ka_cron_regrade()
        self.assertEqual(self.shared.with_company(self.company2).ka_grade_id, platinum)
        self.assertEqual(
            self.shared.with_company(self.company1).ka_grade_id, self.grade_a
        )
        # the kanban's columns and the grades' counts are each company's
        Partner = self.env["res.partner"].with_user(self.manager1)
        groups = Partner.web_read_group(
            [("id", "=", self.shared.id)], ["ka_grade_id"], ["ka_grade_id"]
        )["groups"]
        self.assertNotIn(platinum.id, [g["ka_grade_id"][0] for g in groups])
        groups = Partner.with_user(self.manager2).web_read_group(
            [("id", "=", self.shared.id)], ["ka_grade_id"], ["ka_grade_id"]
        )["groups"]
        self.assertIn(platinum.id, [g["ka_grade_id"][0] for g in groups])
        self.assertEqual(platinum.with_user(self.manager2).partner_count, 1)
        self.assertEqual(self.grade_a.with_user(self.manager2).partner_count, 0)
        self.assertEqual(
            self.grade_a.with_user(self.manager1).partner_count,
            self.env["res.partner"].search_count(
                [("ka_grade_id", "=", self.grade_a.id)]
            ),
        )
        self.assertIn(
            self.shared,
            self.env["res.partner"].search([("ka_grade_id", "=", self.grade_a.id)]),
        )

    def test_locks_are_per_company(self):
        shared = self._hostile(self.shared.with_user(self.manager2))
        shared.write({"ka_grade_id": self.grade_c.id, "ka_grade_locked": True})
        self.assertEqual(
            self._history(self.shared, self.manager2).mapped("mode"), ["manual"]
        )
        self.assertFalse(
            self.shared.message_ids.filtered(lambda m: "by hand" in (m.body or ""))
        )
        self.env["res.partner"]._ka_cron_regrade()
        self.assertEqual(
            self.shared.with_company(self.company2).ka_grade_id, self.grade_c
        )
        self.assertTrue(self.shared.with_company(self.company2).ka_grade_locked)
        self.assertFalse(self.shared.with_company(self.company1).ka_grade_locked)
        self.assertEqual(
            self.shared.with_company(self.company1).ka_grade_id, self.grade_a
        )

    def test_regrade_now_grades_the_companies_of_the_manager(self):
        self._hostile(self.shared.with_user(self.manager2)).action_ka_regrade()
        self.assertEqual(
            self.shared.with_company(self.company2).ka_grade_id, self.grade_b
        )
        self.assertFalse(self.shared.with_company(self.company1).ka_grade_id)
        self._hostile(self.shared.with_user(self.manager_both)).action_ka_regrade()
        self.assertEqual(
            self.shared.with_company(self.company1).ka_grade_id, self.grade_a
        )

    def test_grades_set_by_hand_belong_to_the_current_company(self):
        theirs = self.env["key_account.grade"].create(
            {
                "name": "Theirs",
                "code": "T",
                "is_dormant": True,
                "company_id": self.company2.id,
            }
        )
        shared = self._hostile(self.shared.with_user(self.manager_both))
        with self.assertRaises(UserError):
            shared.write({"ka_grade_id": theirs.id})
        shared.with_company(self.company2).write({"ka_grade_id": theirs.id})
        self.assertEqual(self.shared.with_company(self.company2).ka_grade_id, theirs)
        self.assertFalse(self.shared.with_company(self.company1).ka_grade_id)
        own2 = self._account("Own 2", company_id=self.company2.id)
        with self.assertRaises(UserError):
            self._hostile(own2.with_user(self.manager_both)).write(
                {"ka_grade_locked": True}
            )
        self.assertFalse(own2.with_company(self.company1).ka_grade_locked)


@tagged("post_install", "-at_install")
class TestMultiCompanyProcesses(MultiCompanyCase):
    """The pool and the follow-up cadence have one owner per account: they
    use the figures and grade of the account's company, for a shared account
    those of the company the scheduled actions run in."""

    def test_scheduler_company(self):
        Partner = self.env["res.partner"]
        self.assertEqual(Partner._ka_scheduler_company(), self.company1)
        self.assertEqual(self.shared._ka_process_company(), self.company1)
        own2 = self._account("Own 2", company_id=self.company2.id)
        self.assertEqual(own2._ka_process_company(), self.company2)

    def test_pool_uses_the_account_company(self):
        (self.company1 | self.company2).write(
            {
                "ka_pool_followup_days": 30,
                "ka_pool_order_days": 90,
                "ka_pool_warning_days": 7,
                "ka_pool_order_exempt_days": 30,
            }
        )
        with freeze_time("2026-06-01"):
            vals = {
                "ka_type_id": self.type_potential.id,
                "user_id": self.ka_user.id,
                "ka_since": date(2026, 1, 1),
                "ka_owner_since": datetime(2026, 1, 1),
            }
            shared = self._account("Shared owned", **vals)
            shared.ka_last_contact_date = date(2026, 5, 25)
            # company 1 sold long ago: the account goes back; company 2 sold
            # a week ago (it would be exempt)
            self._order(shared, 100, date=date(2026, 2, 1))
            self._order2(shared, 100, date=date(2026, 5, 25))
            own2 = self._account("Own 2", company_id=self.company2.id, **vals)
            own2.ka_last_contact_date = date(2026, 5, 25)
            self._order2(own2, 100, date=date(2026, 5, 25))
            today = date(2026, 6, 1)
            for env_company in (self.company1, self.company2):
                Partner = self.env["res.partner"].with_company(env_company)
                rows = {
                    row.partner_id: (row.due, row.kind)
                    for row in Partner._ka_pool_candidates(today)
                }
                self.assertEqual(rows.get(shared.id), (date(2026, 5, 2), "order"))
                self.assertNotIn(own2.id, rows)
            # each user sees the date the scheduled action goes by
            self.assertEqual(
                shared.with_user(self.manager2).ka_pool_return_date, date(2026, 5, 2)
            )
            self.assertFalse(own2.with_user(self.manager2).ka_pool_return_date)
            self.env["res.partner"].with_company(self.company2)._ka_cron_pool_return()
            self.assertFalse(shared.user_id)
            self.assertEqual(own2.user_id, self.ka_user)

    def test_cadence_uses_the_account_company(self):
        self.grade_b.write({"contact_interval_days": 14, "visit_interval_days": 0})
        self.grade_c.write({"contact_interval_days": 30, "visit_interval_days": 10})
        self.shared.with_company(self.company1).ka_grade_id = self.grade_b
        self.shared.ka_last_contact_date = date(2026, 3, 1)
        self.assertEqual(self.shared.ka_next_contact_date, date(2026, 3, 15))
        # the second company's grade is not the cadence's, whatever company's
        # environment writes and flushes it
        self.shared.with_user(self.manager2).write({"ka_grade_id": self.grade_c.id})
        self.env["res.partner"].with_company(self.company2).flush_model()
        self.env.invalidate_all()
        self.assertEqual(self.shared.ka_next_contact_date, date(2026, 3, 15))
        # a change of the cadence of company 1's grade reaches the account
        # from any company's environment
        self.grade_b.with_company(self.company2).contact_interval_days = 7
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(self.shared.ka_next_contact_date, date(2026, 3, 8))
        # a company's own account follows that company's grade
        own2 = self._account("Own 2", company_id=self.company2.id)
        own2.with_company(self.company2).ka_grade_id = self.grade_c
        own2.ka_last_contact_date = date(2026, 3, 1)
        self.env.flush_all()
        self.assertEqual(own2.ka_next_contact_date, date(2026, 3, 31))
        # the monthly report counts the visits that cadence asks: none for
        # the shared account (grade B in company 1), 31 / 10 days rounded up
        # for the second company's
        (self.shared | own2).user_id = self.ka_user
        due = self.env["key_account.monthly.report"]._ka_visits_due(
            self.ka_user, date(2026, 3, 1), date(2026, 3, 31)
        )
        self.assertEqual(due, {self.ka_user.id: 4})


@tagged("post_install", "-at_install")
class TestMultiCompanyUpgrade(KeyAccountCase):
    """The upgrade to 18.0.2.0.0 converts the legacy columns itself (Odoo's
    own conversion aborts on them)."""

    def test_legacy_columns_converted(self):
        company2 = self.env["res.company"].create({"name": "Second Co"})
        theirs = self.env["key_account.grade"].create(
            {
                "name": "Theirs",
                "code": "T",
                "is_dormant": True,
                "company_id": company2.id,
            }
        )
        cr = self.env.cr
        cr.execute(SQL("SELECT id FROM res_company"))
        ids = [row[0] for row in cr.fetchall()]
        cr.execute(
            SQL(
                """
                CREATE TABLE ka_legacy_partner (
                    id serial PRIMARY KEY,
                    company_id int,
                    ka_grade_id int REFERENCES key_account_grade(id),
                    ka_grade_locked bool,
                    ka_sales_12m numeric,
                    ka_last_order_date date
                );
                CREATE INDEX ka_legacy_partner__ka_grade_id_index
                    ON ka_legacy_partner (ka_grade_id) WHERE ka_grade_id IS NOT NULL;
                CREATE VIEW ka_legacy_view AS
                    SELECT id, ka_last_order_date FROM ka_legacy_partner;
                INSERT INTO ka_legacy_partner (id, company_id, ka_grade_id,
                            ka_grade_locked, ka_sales_12m, ka_last_order_date)
                VALUES (1, NULL, %(a)s, TRUE, 1200000, '2026-01-15'),
                       (2, %(c2)s, %(b)s, FALSE, 300000, '2026-02-01'),
                       (3, NULL, %(theirs)s, NULL, 0, NULL),
                       (4, NULL, NULL, NULL, NULL, NULL);
                """,
                a=self.grade_a.id,
                b=self.grade_b.id,
                theirs=theirs.id,
                c2=company2.id,
            )
        )
        script = load_script(
            "key_account/migrations/18.0.2.0.0/pre-migrate.py", "ka_pre_migrate_2"
        )
        converted = script.convert_to_company_dependent(cr, "ka_legacy_partner")
        self.assertEqual(
            set(converted),
            {"ka_grade_id", "ka_grade_locked", "ka_sales_12m", "ka_last_order_date"},
        )
        cr.execute(
            SQL(
                """SELECT id, ka_grade_id, ka_grade_locked, ka_sales_12m,
                          ka_last_order_date
                     FROM ka_legacy_partner ORDER BY id"""
            )
        )
        rows = cr.fetchall()
        # a shared account keeps its grade and lock in every company; a
        # company's account in its own; a grade of one company in that one
        self.assertEqual(rows[0][1], {str(cid): self.grade_a.id for cid in ids})
        self.assertEqual(rows[0][2], {str(cid): True for cid in ids})
        self.assertEqual(rows[1][1:3], ({str(company2.id): self.grade_b.id}, None))
        self.assertEqual(rows[2][1], {str(company2.id): theirs.id})
        self.assertEqual(rows[3][1:], (None, None, None, None))
        # the figures wait for the refill by the post-migrate script
        self.assertEqual({row[3] for row in rows} | {row[4] for row in rows}, {None})
        cr.execute(
            SQL(
                """SELECT column_name, udt_name FROM information_schema.columns
                    WHERE table_name = 'ka_legacy_partner'
                      AND column_name LIKE 'ka_%%'"""
            )
        )
        self.assertEqual(set(cr.fetchall()), {(c, "jsonb") for c in converted})
        # no foreign key left on a jsonb column, nor the old index and view
        cr.execute(
            SQL(
                """SELECT count(*) FROM pg_constraint
                    WHERE conrelid = 'ka_legacy_partner'::regclass AND contype = 'f'"""
            )
        )
        self.assertEqual(cr.fetchone()[0], 0)
        cr.execute(
            SQL(
                """SELECT count(*) FROM pg_class
                    WHERE relname IN ('ka_legacy_partner__ka_grade_id_index',
                                      'ka_legacy_view')"""
            )
        )
        self.assertEqual(cr.fetchone()[0], 0)
        # a second run has nothing left to do
        self.assertEqual(
            script.convert_to_company_dependent(cr, "ka_legacy_partner"), []
        )

    def test_post_migrate_refills_and_regrades(self):
        partner = self._account()
        self._order(partner, 300_000)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE res_partner SET ka_sales_12m = NULL,
                          ka_last_order_date = NULL WHERE id = %s""",
                partner.id,
            )
        )
        self.env.invalidate_all()
        self.assertEqual(partner.ka_sales_12m, 0)
        script = load_script(
            "key_account/migrations/18.0.2.0.0/post-migrate.py", "ka_post_migrate_2"
        )
        script.migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()
        self.assertEqual(partner.ka_sales_12m, 300_000)
        self.assertEqual(partner.ka_grade_id, self.grade_b)


@tagged("post_install", "-at_install")
class TestMultiCompanyGradeIndex(MultiCompanyCase):
    """Searching, grouping and counting by grade read each company's value in
    the jsonb column through an expression its own index serves (the kanban
    by grade at 100,000 accounts); the grades read are Odoo's own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.own1 = cls._account("Own 1", company_id=cls.company1.id)
        cls.own2 = cls._account("Own 2", company_id=cls.company2.id)
        cls.small = cls._account("Small Co")
        cls._order(cls.small, 300_000)
        cls._order2(cls.small, 10)
        cls.accounts = cls.shared | cls.own1 | cls.own2 | cls.small

    def _index(self, company):
        self.env.cr.execute(
            SQL(
                "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
                self.env["res.partner"]._ka_grade_index_name(company.id),
            )
        )
        row = self.env.cr.fetchone()
        return row and row[0]

    def _index_expression(self, company):
        self.env.cr.execute(
            SQL(
                """SELECT pg_get_expr(i.indexprs, i.indrelid)
                     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                    WHERE c.relname = %s""",
                self.env["res.partner"]._ka_grade_index_name(company.id),
            )
        )
        return self.env.cr.fetchone()[0]

    def _plan(self, Partner, domain):
        """The plan of the search, sequential scans off and Odoo's own index of
        the jsonb column left out (the test database is too small for the
        planner to prefer an index otherwise: any index then costs the same)."""
        query = Partner._search(domain)
        self.env.flush_all()
        self.env.cr.execute(SQL("SAVEPOINT ka_plan"))
        self.env.cr.execute(SQL("DROP INDEX IF EXISTS res_partner__ka_grade_id_index"))
        self.env.cr.execute(SQL("SET LOCAL enable_seqscan = off"))
        self.env.cr.execute(SQL("EXPLAIN %s", query.select()))
        plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        self.env.cr.execute(SQL("ROLLBACK TO SAVEPOINT ka_plan"))
        return plan

    def _grades(self, company):
        """{partner: grade id} of the key accounts in ``company``, read with
        Odoo's own expression of the grade (a subquery on the grades, which
        no index serves) and with the indexed one: they must agree."""
        Partner = self.env["res.partner"].with_company(company)
        query = Partner._where_calc([("id", "in", self.accounts.ids)])
        standard = models.BaseModel._field_to_sql(
            Partner, Partner._table, "ka_grade_id", query
        )
        indexed = Partner._field_to_sql(Partner._table, "ka_grade_id", query)
        self.assertNotIn("key_account_grade", indexed.code)
        rows = self.env.execute_query(query.select("res_partner.id", standard, indexed))
        self.assertEqual(len(rows), len(self.accounts))
        for partner_id, odoo_grade, fast_grade in rows:
            self.assertEqual(fast_grade, odoo_grade, f"partner {partner_id}")
            self.assertEqual(
                Partner.browse(partner_id).ka_grade_id.id or None, odoo_grade
            )
        return {pid: grade for pid, grade, _fast in rows}

    def _check(self, company):
        """The company's grades, its kanban columns and their counts agree
        with Odoo's reading, and a search by grade uses the company's index."""
        grades = self._grades(company)
        Partner = self.env["res.partner"].with_company(company)
        domain = [("id", "in", self.accounts.ids)]
        counts = {
            group["ka_grade_id"] and group["ka_grade_id"][0]: group["ka_grade_id_count"]
            for group in Partner.web_read_group(
                domain, ["ka_grade_id"], ["ka_grade_id"]
            )["groups"]
            if group["ka_grade_id_count"]
        }
        expected = {}
        for grade in grades.values():
            expected[grade or False] = expected.get(grade or False, 0) + 1
        self.assertEqual(counts, expected)
        for grade_id in filter(None, set(grades.values())):
            found = Partner.search([*domain, ("ka_grade_id", "=", grade_id)])
            self.assertEqual(
                sorted(found.ids),
                sorted(pid for pid, grade in grades.items() if grade == grade_id),
            )
        # the search's expression is the index's (as PostgreSQL reads both)
        plan = self._plan(Partner, [("ka_grade_id", "=", self.grade_a.id)])
        self.assertIn(self._index_expression(company), plan)
        return grades

    def test_each_company_has_its_grade_index(self):
        for company in self.env["res.company"].search([]):
            self.assertEqual(
                self._index_expression(company),
                f"((ka_grade_id ->> '{company.id}'::text))::integer",
            )
        # the first company's, built when the module was installed (a new
        # index serves the transactions after the one that built it): the
        # search by grade and the count of a kanban column use it
        Partner = self.env["res.partner"].with_company(self.company1)
        name = Partner._ka_grade_index_name(self.company1.id)
        domain = [("ka_type_id", "!=", False), ("ka_grade_id", "=", self.grade_b.id)]
        self.assertIn(name, self._plan(Partner, domain))
        self.assertIn(name, self._plan(Partner.with_user(self.ka_user), domain))

    def test_grades_per_company_after_regrading(self):
        self.env["res.partner"]._ka_cron_regrade()
        grades1 = self._check(self.company1)
        grades2 = self._check(self.company2)
        self.assertEqual(grades1[self.shared.id], self.grade_a.id)
        self.assertEqual(grades2[self.shared.id], self.grade_b.id)
        self.assertEqual(grades1[self.small.id], self.grade_b.id)
        self.assertEqual(grades2[self.small.id], self.grade_c.id)
        # each company's own account has no grade in the other one
        self.assertIsNone(grades2[self.own1.id])
        self.assertIsNone(grades1[self.own2.id])

    def test_grades_per_company_after_a_change_by_hand(self):
        self.env["res.partner"]._ka_cron_regrade()
        self.shared.with_user(self.manager2).write({"ka_grade_id": self.grade_d.id})
        grades1 = self._check(self.company1)
        grades2 = self._check(self.company2)
        self.assertEqual(grades2[self.shared.id], self.grade_d.id)
        self.assertEqual(grades1[self.shared.id], self.grade_a.id)
        # a grade in use is not deleted (archived instead): the value read
        # through the index is always a grade that exists
        platinum = self.env["key_account.grade"].create(
            {
                "name": "Platinum",
                "code": "P",
                "sequence": 1,
                "min_sales_12m": 2_000_000,
                "company_id": self.company2.id,
            }
        )
        self.small.with_user(self.manager2).write({"ka_grade_id": platinum.id})
        self.assertEqual(self._check(self.company2)[self.small.id], platinum.id)
        with self.assertRaises(UserError):
            platinum.unlink()
        self.assertEqual(self._check(self.company2)[self.small.id], platinum.id)

    def test_a_new_company_gets_its_index_and_a_deleted_one_loses_it(self):
        self.env["res.partner"]._ka_cron_regrade()
        third = self.env["res.company"].create({"name": "Third Co"})
        self.assertTrue(self._index(third))
        self.assertFalse(any(self._check(third).values()))
        self.shared.with_company(third).sudo().write({"ka_grade_id": self.grade_c.id})
        grades3 = self._check(third)
        self.assertEqual(grades3[self.shared.id], self.grade_c.id)
        self.assertEqual(self._check(self.company1)[self.shared.id], self.grade_a.id)
        self.assertEqual(self._check(self.company2)[self.shared.id], self.grade_b.id)
        empty = self.env["res.company"].create({"name": "Short-lived Co"})
        self.assertTrue(self._index(empty))
        empty.unlink()
        self.assertFalse(self._index(empty))
        self.assertTrue(self._index(third))

    def test_update_restores_missing_indexes(self):
        # a database of before this version: no index; the update builds them
        name = self.env["res.partner"]._ka_grade_index_name(self.company2.id)
        self.env.cr.execute(SQL("DROP INDEX %s", SQL.identifier(name)))
        self.assertFalse(self._index(self.company2))
        self.env["res.partner"].init()
        self.assertTrue(self._index(self.company2))
        self._check(self.company2)
