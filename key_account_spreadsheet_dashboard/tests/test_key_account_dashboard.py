from datetime import datetime
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.addons.key_account.tests.common import KeyAccountCase
from odoo.tests import HttpCase
from odoo.tests import TransactionCase
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools import SQL
from odoo.tools import file_open
from odoo.tools.translate import code_translations
from odoo.tools.translate import extract_spreadsheet_terms

from ..tools.web_client import dashboard_data
from ..tools.web_client import dashboard_requests


class DashboardCase(KeyAccountCase):
    """A small fixture of the dashboard's figures, in two companies of its
    own: three key accounts of the first company (two of Sam's, one of
    Lee's) and one of the second (Sam's), their health and receivables, pool
    moves, grade changes, targets, a sale and its commission, visits, monthly
    reports and a review."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.dashboard = env.ref(
            "key_account_spreadsheet_dashboard.spreadsheet_dashboard_key_account"
        )
        cls.today = cls._today()
        now = datetime.now()
        # the fixture lives in companies of its own, and the demo's key
        # accounts without a company (shown in every company) are archived
        cls.company1 = env["res.company"].create({"name": "Dashboard First Co"})
        cls.company2 = env["res.company"].create({"name": "Dashboard Second Co"})
        env.cr.execute(
            SQL("UPDATE res_partner SET active = FALSE WHERE ka_type_id IS NOT NULL")
        )
        env["res.partner"].invalidate_model(["active"])
        # the manager works in the first company only; the salespeople in both
        cls.ka_manager.write(
            {
                "company_ids": [Command.set(cls.company1.ids)],
                "company_id": cls.company1.id,
            }
        )
        for user in cls.ka_user | cls.ka_user2:
            user.write(
                {
                    "company_ids": [Command.set((cls.company1 | cls.company2).ids)],
                    "company_id": cls.company1.id,
                }
            )
        for grade in cls.grade_a | cls.grade_b:
            grade.write({"visit_interval_days": 30, "contact_interval_days": 30})
        # Alpha (grade A, overdue follow-up) and Gamma (B) are Sam's, Beta (B) Lee's
        first = {"company_id": cls.company1.id}
        cls.alpha = cls._account("Alpha Co", user_id=cls.ka_user.id, **first)
        cls.beta = cls._account("Beta Co", user_id=cls.ka_user2.id, **first)
        cls.gamma = cls._account("Gamma Co", user_id=cls.ka_user.id, **first)
        cls.alpha.with_company(cls.company1).write(
            {"ka_grade_id": cls.grade_a.id, "ka_since": cls.today - timedelta(days=100)}
        )
        (cls.beta | cls.gamma).with_company(cls.company1).write(
            {"ka_grade_id": cls.grade_b.id, "ka_since": cls.today}
        )
        # an account of the second company, Sam's, with its own figures
        cls.foreign = cls._account(
            "Foreign Co", user_id=cls.ka_user.id, company_id=cls.company2.id
        )
        accounts = cls.alpha | cls.beta | cls.gamma | cls.foreign
        # health (written by the daily computation) and receivables (kept by
        # the accounting), set as they store them
        health = {cls.alpha: 20, cls.beta: 30, cls.gamma: 90, cls.foreign: 10}
        env["key_account.health"].sudo().create(
            [
                {
                    "partner_id": partner.id,
                    "company_id": partner.company_id.id,
                    "score": score,
                    "band": "at_risk" if score < 50 else "healthy",
                }
                for partner, score in health.items()
            ]
        )
        overdue = {cls.alpha: 500.0, cls.beta: 300.0, cls.foreign: 7000.0}
        for partner, amount in overdue.items():
            company = partner.company_id
            env.cr.execute(
                SQL(
                    """UPDATE res_partner
                          SET ka_receivable_overdue = jsonb_build_object(%s::text, %s),
                              ka_receivable_open = jsonb_build_object(%s::text, %s)
                        WHERE id = %s""",
                    company.id,
                    amount,
                    company.id,
                    amount * 2,
                    partner.id,
                )
            )
        accounts.invalidate_recordset()
        # only the moves and grade changes below (not those of the set-up)
        env["key_account.pool.log"].sudo().search(
            [("partner_id", "in", accounts.ids)]
        ).unlink()
        env["key_account.grade.history"].sudo().search(
            [("partner_id", "in", accounts.ids)]
        ).unlink()
        # pool moves: Sam claims and has one returned, Lee releases; one
        # claim in the second company
        Log = env["key_account.pool.log"].sudo()
        Log.create(
            [
                {
                    "partner_id": cls.alpha.id,
                    "action": "claim",
                    "to_user_id": cls.ka_user.id,
                    **first,
                },
                {
                    "partner_id": cls.gamma.id,
                    "action": "return",
                    "from_user_id": cls.ka_user.id,
                    **first,
                },
                {
                    "partner_id": cls.beta.id,
                    "action": "release",
                    "from_user_id": cls.ka_user2.id,
                    **first,
                },
                {
                    "partner_id": cls.foreign.id,
                    "action": "claim",
                    "to_user_id": cls.ka_user.id,
                    "company_id": cls.company2.id,
                },
            ]
        )
        # grade changes this quarter
        env["key_account.grade.history"].sudo().create(
            [
                {
                    "partner_id": cls.alpha.id,
                    "old_grade_id": cls.grade_b.id,
                    "new_grade_id": cls.grade_a.id,
                    "date": now,
                    **first,
                },
                {
                    "partner_id": cls.beta.id,
                    "old_grade_id": cls.grade_c.id,
                    "new_grade_id": cls.grade_b.id,
                    "date": now,
                    **first,
                },
                {
                    "partner_id": cls.foreign.id,
                    "old_grade_id": cls.grade_c.id,
                    "new_grade_id": cls.grade_b.id,
                    "date": now,
                    "company_id": cls.company2.id,
                },
            ]
        )
        # targets of this month, and Sam's confirmed sale of 600
        month = cls.today.replace(day=1)
        Target = env["key_account.commission.target"]
        Target.create(
            [
                {"user_id": cls.ka_user.id, "month": month, "amount": 1000.0, **first},
                {"user_id": cls.ka_user2.id, "month": month, "amount": 2000.0, **first},
                {
                    "user_id": cls.ka_user.id,
                    "month": month,
                    "amount": 9000.0,
                    "company_id": cls.company2.id,
                },
            ]
        )
        cls._order(cls.alpha, 600.0, user=cls.ka_user, company=cls.company1)
        # Sam's commission of the month: a monthly plan of the full-time
        # table (5% up to 10,000), settled by the module's computation
        plan = env.ref("key_account.key_account_commission_plan_full_time").copy(
            {"cadence": "monthly", "deduct_expenses": False}
        )
        cls.ka_user.ka_commission_plan_id = plan
        cls.settlement = (
            env["key_account.commission.settlement"]
            .with_context(allowed_company_ids=cls.company1.ids)
            .compute_settlements(
                month, month + relativedelta(months=1, days=-1), users=cls.ka_user
            )
        )
        # a visit of Sam's planned at 1,000 and approved; a draft one of Lee's
        Visit = env["key_account.visit"]
        cls.visit = Visit.create(
            {
                "user_id": cls.ka_user.id,
                "partner_id": cls.alpha.id,
                **first,
                "planned_line_ids": [
                    Command.create(
                        {
                            "kind": "planned",
                            "expense_type": "transport",
                            "name": "Train",
                            "amount": 1000.0,
                        }
                    )
                ],
            }
        )
        Visit.create({"user_id": cls.ka_user2.id, "partner_id": cls.beta.id, **first})
        env.cr.execute(
            SQL(
                "UPDATE key_account_visit SET state = 'approved', "
                "amount_approved = 1000 WHERE id = %s",
                cls.visit.id,
            )
        )
        cls.visit.invalidate_recordset()
        # monthly reports: Sam's submitted, Lee's in draft; a review of Sam's
        Report = env["key_account.monthly.report"]
        reports = Report.create(
            [
                {"user_id": cls.ka_user.id, "month": month, **first},
                {"user_id": cls.ka_user2.id, "month": month, **first},
            ]
        )
        # Sam submits his (today: before the deadline, on time)
        reports[0].with_user(cls.ka_user).with_company(cls.company1).action_submit()
        quarter = cls.today.replace(month=(cls.today.month - 1) // 3 * 3 + 1, day=1)
        env["key_account.review"].create(
            {
                "partner_id": cls.alpha.id,
                "user_id": cls.ka_user.id,
                "date_from": quarter,
                **first,
            }
        )
        env.flush_all()


@tagged("post_install", "-at_install")
class TestKeyAccountDashboard(DashboardCase):
    """The Key Accounts dashboard: its record and JSON, every data source run
    as the web client runs it, the figures of a small fixture as a manager
    and as a salesperson, and who sees it."""

    # ---- helpers -------------------------------------------------------------------
    def _requests(self, user, companies=None):
        companies = companies or self.company1
        env = self.env(
            user=user,
            context={
                "allowed_company_ids": companies.ids,
                "lang": "en_US",
                "tz": "UTC",
            },
        )
        return dashboard_requests(env, dashboard_data(self.dashboard), self.today)

    @staticmethod
    def _rows(result, pivot_id, *groupby):
        return result["pivots"][pivot_id][tuple(groupby)]

    @staticmethod
    def _by(rows, field, measure="__count"):
        """{group value (an id for a relation): measure} of read_group rows."""
        return {
            (row[field][0] if isinstance(row[field], tuple) else row[field]): row[
                measure
            ]
            for row in rows
        }

    # ---- the record -------------------------------------------------------------
    def test_dashboard_record_and_json(self):
        self.assertEqual(self.dashboard.name, "Key Accounts")
        self.assertEqual(self.dashboard.dashboard_group_id.name, "Key Accounts")
        self.assertTrue(self.dashboard.is_published)
        data = dashboard_data(self.dashboard)
        self.assertEqual(len(data["pivots"]), 10)
        self.assertEqual(len(data["lists"]), 1)
        for pivot in data["pivots"].values():
            self.assertIn(pivot["model"], self.env)
        # the web client's entry point, as a salesperson
        snapshot = self.dashboard.with_user(self.ka_user).get_readonly_dashboard()[
            "snapshot"
        ]
        self.assertEqual(snapshot["pivots"].keys(), data["pivots"].keys())

    def test_dashboard_shown_to_key_account_groups_only(self):
        approver = new_test_user(
            self.env,
            login="ka_dash_approver",
            groups="key_account.group_key_account_approver",
        )
        Dashboard = self.env["spreadsheet.dashboard"]
        for user in (self.ka_user, self.ka_manager, approver):
            with self.subTest(user=user.login):
                self.assertIn(self.dashboard, Dashboard.with_user(user).search([]))
                groups = (
                    self.env["spreadsheet.dashboard.group"]
                    .with_user(user)
                    .search([("published_dashboard_ids", "!=", False)])
                )
                self.assertIn(self.dashboard.dashboard_group_id, groups)
        self.assertNotIn(self.dashboard, Dashboard.with_user(self.outsider).search([]))

    # ---- the data requests ------------------------------------------------------
    def test_every_data_source_runs_for_each_role(self):
        data = dashboard_data(self.dashboard)
        # pivots' read_groups + the list + the charts + fields_get per model
        models = {p["model"] for p in data["pivots"].values()} | {
            lst["model"] for lst in data["lists"].values()
        }
        for user in (self.ka_manager, self.ka_user):
            with self.subTest(user=user.login):
                result = self._requests(user)
                self.assertEqual(set(result["pivots"]), set(data["pivots"]))
                self.assertEqual(len(result["charts"]), 2)
                self.assertGreater(result["requests"], len(models) + 12)

    def test_manager_figures(self):
        result = self._requests(self.ka_manager)
        grades = self._by(self._rows(result, "1", "grade_id"), "grade_id")
        self.assertEqual(grades, {self.grade_a.id: 1, self.grade_b.id: 2})
        # grade changes this quarter, as (new, previous) pairs
        changes = {
            (row["new_grade_id"][0], row["old_grade_id"][0]): row["__count"]
            for row in self._rows(result, "2", "new_grade_id", "old_grade_id")
        }
        self.assertEqual(
            changes,
            {
                (self.grade_a.id, self.grade_b.id): 1,
                (self.grade_b.id, self.grade_c.id): 1,
            },
        )
        flows = self._by(self._rows(result, "3", "action"), "action")
        self.assertEqual(flows, {"claim": 1, "return": 1, "release": 1})
        [accounts] = self._rows(result, "4")
        self.assertEqual(
            (accounts["followup_within"], accounts["followup_overdue"]), (2, 1)
        )
        self.assertEqual((accounts["at_risk"], accounts["owing"]), (2, 2))
        [visits] = self._rows(result, "5")
        self.assertEqual(
            (visits["amount_planned"], visits["amount_approved"]), (1000.0, 1000.0)
        )
        receivables = self._by(
            self._rows(result, "4", "user_id"), "user_id", "receivable_overdue"
        )
        self.assertEqual(receivables, {self.ka_user.id: 500.0, self.ka_user2.id: 300.0})
        at_risk = [r["partner_id"]["id"] for r in result["lists"]["1"]]
        self.assertEqual(at_risk, [self.alpha.id, self.beta.id])
        [total] = self._rows(result, "8")
        self.assertEqual((total["target"], total["sales"]), (3000.0, 600.0))
        # the commission computed by the settlement: Sam's 5% of 600
        self.assertEqual(total["commission"], 30.0)
        commissions = self._by(
            self._rows(result, "8", "user_id"), "user_id", "commission"
        )
        self.assertEqual(commissions, {self.ka_user.id: 30.0, self.ka_user2.id: 0.0})
        reports = self._by(self._rows(result, "9", "state"), "state")
        self.assertEqual(reports, {"submitted": 1, "draft": 1})
        # on time or late by salesperson: Sam's submitted on time
        timeliness = {
            (row["user_id"][0], row["state"], row["on_time"]): row["__count"]
            for row in self._rows(result, "9", "user_id", "state", "on_time")
        }
        self.assertEqual(
            timeliness,
            {
                (self.ka_user.id, "submitted", True): 1,
                (self.ka_user2.id, "draft", False): 1,
            },
        )
        reviews = self._by(self._rows(result, "10", "state"), "state")
        self.assertEqual(reviews, {"draft": 1})
        pool_chart = result["charts"]["ka-chart-pool"]
        self.assertEqual(sum(g["__count"] for g in pool_chart["groups"]), 3)

    def test_commission_by_salesperson_and_month(self):
        """The commission of the settlement lines, in the month of the
        settlement, by salesperson; none once the settlement is cancelled."""
        self.assertEqual(self.settlement.user_id, self.ka_user)
        self.assertEqual(self.settlement.amount_commission, 30.0)
        Target = self.env["key_account.dashboard.target"].with_user(self.ka_manager)

        def by_month():
            return {
                (row["month:month"], row["user_id"][0]): row["commission"]
                for row in Target.read_group(
                    [("commission", "!=", 0)],
                    ["commission:sum"],
                    ["month:month", "user_id"],
                    lazy=False,
                )
            }

        month = self.today.strftime("%B %Y")
        self.assertEqual(by_month(), {(month, self.ka_user.id): 30.0})
        # Sam sees his, Lee none
        for user, expected in ((self.ka_user, 30.0), (self.ka_user2, 0.0)):
            with self.subTest(user=user.login):
                [row] = self._rows(self._requests(user), "8")
                self.assertEqual(row["commission"], expected)
        self.settlement.with_user(self.ka_manager).with_company(
            self.company1
        ).action_cancel("Computed again next month")
        self.assertEqual(by_month(), {})

    def test_salesperson_sees_own_figures_only(self):
        result = self._requests(self.ka_user)
        grades = self._by(self._rows(result, "1", "grade_id"), "grade_id")
        self.assertEqual(grades, {self.grade_a.id: 1, self.grade_b.id: 1})
        flows = self._by(self._rows(result, "3", "action"), "action")
        self.assertEqual(flows, {"claim": 1, "return": 1})
        at_risk = [r["partner_id"]["id"] for r in result["lists"]["1"]]
        self.assertEqual(at_risk, [self.alpha.id])
        [total] = self._rows(result, "8")
        self.assertEqual((total["target"], total["sales"]), (1000.0, 600.0))
        # whatever the pivot, every salesperson group is Sam
        for pivot_id, groups in result["pivots"].items():
            for groupby, rows in groups.items():
                if "user_id" in groupby:
                    with self.subTest(pivot=pivot_id):
                        self.assertEqual(
                            {row["user_id"][0] for row in rows if row["user_id"]},
                            {self.ka_user.id},
                        )
        self.assertEqual(
            {r["user_id"]["id"] for r in result["lists"]["1"]}, {self.ka_user.id}
        )

    def test_company_figures_stay_in_their_company(self):
        # the manager of the first company: nothing of the second
        first = self._requests(self.ka_manager)
        receivables = self._by(
            self._rows(first, "4", "user_id"), "user_id", "receivable_overdue"
        )
        self.assertEqual(receivables[self.ka_user.id], 500.0)
        self.assertNotIn(
            self.foreign.id, [r["partner_id"]["id"] for r in first["lists"]["1"]]
        )
        [total] = self._rows(first, "8")
        self.assertEqual(total["target"], 3000.0)
        # Sam working in the second company sees its figures there only
        second = self._requests(self.ka_user, self.company2)
        self.assertEqual(
            [r["partner_id"]["id"] for r in second["lists"]["1"]], [self.foreign.id]
        )
        receivables = self._by(
            self._rows(second, "4", "user_id"), "user_id", "receivable_overdue"
        )
        self.assertEqual(receivables, {self.ka_user.id: 7000.0})
        [total] = self._rows(second, "8")
        self.assertEqual((total["target"], total["sales"]), (9000.0, 0.0))
        flows = self._by(self._rows(second, "3", "action"), "action")
        self.assertEqual(flows, {"claim": 1})

    # ---- reading fast, the same figures ----------------------------------------------
    def test_groups_then_orders_as_odoo_does(self):
        """Grouped by the ids, then ordered: the groups and their order are
        those of Odoo's read_group ordering by the many2one's records."""
        for model, groupby, fields_ in (
            ("key_account.dashboard.account", ["user_id"], ["at_risk:sum"]),
            ("key_account.dashboard.account", ["grade_id"], ["sales_12m:sum"]),
            ("key_account.dashboard.target", ["user_id"], ["sales:sum"]),
        ):
            with self.subTest(model=model, groupby=groupby):
                Model = self.env[model].with_user(self.ka_manager)
                fast = Model.read_group([], fields_, groupby, lazy=False)
                odoo = Model.read_group(
                    [], fields_, groupby, orderby=groupby[0], lazy=False
                )
                self.assertEqual(fast, odoo)
                self.assertGreater(len(fast), 1)
        # the salespeople by name: Lee (ka_user2) before Sam (ka_user)
        names = [
            row["user_id"][1]
            for row in self.env["key_account.dashboard.account"]
            .with_user(self.ka_manager)
            .read_group([], ["at_risk:sum"], ["user_id"], lazy=False)
        ]
        self.assertEqual(names, sorted(names))

    def test_rows_read_by_id(self):
        """A row read by its id (the record rules, the fields of the list)
        reads the partner's row, with that company's figures."""
        Account = self.env["key_account.dashboard.account"].with_user(self.ka_user)
        rows = Account.with_context(
            allowed_company_ids=(self.company1 | self.company2).ids
        ).search([("partner_id", "in", (self.alpha | self.foreign).ids)])
        self.assertEqual(len(rows), 2)
        rows.invalidate_recordset()
        fresh = rows.browse(rows.ids)
        self.assertEqual(
            {(r.partner_id, r.company_id, r.receivable_overdue) for r in fresh},
            {(self.alpha, self.company1, 500.0), (self.foreign, self.company2, 7000.0)},
        )
        self.assertIn('"partner_id" IN', fresh._as_query().select().code)

    def test_attainment_on_the_sales_against_a_target(self):
        """The attainment is the sales of those who have a target over their
        targets: a manager who sells without a target adds sales, not
        attainment."""
        self._order(self.alpha, 400.0, user=self.ka_manager, company=self.company1)
        result = self._requests(self.ka_manager)
        [total] = self._rows(result, "8")
        self.assertEqual(
            (total["target"], total["sales"], total["targeted_sales"]),
            (3000.0, 1000.0, 600.0),
        )
        by_user = self._by(
            self._rows(result, "8", "user_id"), "user_id", "targeted_sales"
        )
        self.assertEqual(by_user[self.ka_user.id], 600.0)
        self.assertEqual(by_user[self.ka_manager.id], 0.0)

    def test_month_bounds_keep_the_same_rows(self):
        """The period's condition on the month, which also bounds the row's
        date (for the orders' index), finds the rows the month alone finds."""
        Target = self.env["key_account.dashboard.target"].with_user(self.ka_manager)
        every = Target.search([])
        month = self.today.replace(day=1)
        for domain in (
            [("month", ">=", month), ("month", "<=", self.today)],
            [("month", ">", month - timedelta(days=1))],
            [("month", "<", month)],
            [("month", "<=", month - timedelta(days=1))],
            [("month", ">=", month + timedelta(days=1))],
        ):
            with self.subTest(domain=domain):
                found = Target.search(domain)
                expected = every.filtered_domain(domain)
                self.assertEqual(found, expected)
        this_month = Target.search([("month", ">=", month), ("month", "<=", month)])
        self.assertEqual(
            set(this_month.mapped("sales")) | set(this_month.mapped("target")),
            {0.0, 600.0, 1000.0, 2000.0},
        )


@tagged("post_install", "-at_install")
class TestKeyAccountDashboardChinese(TransactionCase):
    """The dashboard in Simplified Chinese: its name and group from the
    bridge's zh_CN.po, and every text of its spreadsheet (what Odoo's .pot
    export extracts from it) translated for the web client."""

    def test_every_dashboard_text_is_translated(self):
        path = "key_account_spreadsheet_dashboard/data/files/key_account_dashboard.json"
        with file_open(path, "rb") as f:
            terms = {
                term
                for _line, _func, term, _c in extract_spreadsheet_terms(
                    f, None, None, None
                )
            }
        messages = code_translations.get_web_translations(
            "key_account_spreadsheet_dashboard", "zh_CN"
        )["messages"]
        translated = {m["id"]: m["string"] for m in messages}
        self.assertGreater(len(terms), 40)
        self.assertEqual(terms - set(translated), set())
        self.assertEqual(translated["Grade mix"], "等级分布")

    def test_dashboard_name_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["key_account_spreadsheet_dashboard"], ["zh_CN"]
        )
        dashboard = self.env.ref(
            "key_account_spreadsheet_dashboard.spreadsheet_dashboard_key_account"
        ).with_context(lang="zh_CN")
        self.assertEqual(dashboard.name, "大客户管理")
        self.assertEqual(dashboard.dashboard_group_id.name, "大客户管理")
        fields = self.env["key_account.dashboard.account"].with_context(lang="zh_CN")
        self.assertEqual(
            fields.fields_get(["followup_state"])["followup_state"]["string"], "跟进"
        )


@tagged("post_install", "-at_install")
class TestKeyAccountDashboardTour(HttpCase, DashboardCase):
    """The dashboard in the browser (static/tests/tours/): Dashboards > Key
    Accounts as a manager and as a salesperson; every data source loaded,
    no cell in error, the figures of the fixture; any error dialog or
    console error fails the tour."""

    def _tour(self, name, user):
        self.start_tour("/odoo", name, login=user.login, timeout=120)

    def test_manager_opens_the_dashboard(self):
        self._tour("key_account_dashboard_manager", self.ka_manager)

    def test_salesperson_opens_the_dashboard(self):
        self._tour("key_account_dashboard_salesperson", self.ka_user)
