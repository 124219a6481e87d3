from datetime import date
from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError
from odoo.modules.migration import load_script
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import KeyAccountCase

Q1 = (date(2025, 1, 1), date(2025, 3, 31))


@tagged("post_install", "-at_install")
class TestDepartmentAppraisal(KeyAccountCase):
    """A manager who sells nothing is appraised on the department they lead;
    the assistant on the department they serve and the requests they do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        user_group = "key_account.group_key_account_user"
        assistant_group = "key_account.group_key_account_assistant"
        cls.leader = new_test_user(
            cls.env, login="dept_leader", name="Lin Leader", groups=user_group
        )
        cls.assistant = new_test_user(
            cls.env,
            login="dept_assistant",
            name="Amy Assistant",
            groups=assistant_group,
            tz="Asia/Shanghai",
        )
        cls.assistant2 = new_test_user(
            cls.env,
            login="dept_assistant2",
            name="Bea Assistant",
            groups=assistant_group,
            tz="Asia/Shanghai",
        )
        cls.stranger = new_test_user(
            cls.env, login="dept_stranger", name="Stan Stranger", groups=user_group
        )
        cls.other_leader = new_test_user(
            cls.env, login="dept_other_leader", name="Olly Leader", groups=user_group
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Key accounts",
                "user_id": cls.leader.id,
                "crm_team_member_ids": [
                    Command.create({"user_id": user.id})
                    for user in (cls.ka_user, cls.ka_user2, cls.assistant)
                ],
            }
        )
        cls.other_team = cls.env["crm.team"].create(
            {
                "name": "Retail",
                "user_id": cls.other_leader.id,
                "crm_team_member_ids": [Command.create({"user_id": cls.stranger.id})],
            }
        )
        # a person key account beside a company one
        cls.person = cls.env["res.partner"].create(
            {
                "name": "Mrs Pearl",
                "is_company": False,
                "ka_type_id": cls.type_strategic.id,
                "user_id": cls.ka_user.id,
            }
        )
        cls.company_account = cls._account("Jade Co", user_id=cls.ka_user2.id)
        cls.stranger_account = cls._account("Stranger Co", user_id=cls.stranger.id)
        cls.Indicator = cls.env["key_account.kpi.indicator"]

    def _values(self, code, users, scope="department", period=Q1):
        indicator = self.env.ref(f"key_account.key_account_kpi_indicator_{code}")
        return indicator._kpi_compute(users, *period, scope=scope)

    def _records(self, result):
        return self.env[result["model"]].search(result["domain"])

    # ---- the department --------------------------------------------------------------
    def test_department_of_a_leader_and_of_an_assistant(self):
        users = self.leader | self.assistant | self.stranger
        department = users._ka_appraisal_departments()
        members = self.leader | self.ka_user | self.ka_user2 | self.assistant
        self.assertEqual(department[self.leader.id], sorted(members.ids))
        # the assistant serves the team they belong to: its members and leader
        self.assertEqual(department[self.assistant.id], sorted(members.ids))
        # a member of another team: their own team, not ours
        self.assertEqual(
            department[self.stranger.id],
            sorted((self.stranger | self.other_leader).ids),
        )
        # an archived membership leaves the department
        self.team.crm_team_member_ids.filtered(
            lambda m: m.user_id == self.ka_user2
        ).active = False
        self.assertNotIn(
            self.ka_user2.id, self.leader._ka_appraisal_departments()[self.leader.id]
        )

    def test_second_company_team_not_counted(self):
        company2 = self.env["res.company"].create({"name": "Second Jewels"})
        far = new_test_user(
            self.env,
            login="dept_far",
            name="Fay Far",
            groups="key_account.group_key_account_user",
            company_id=company2.id,
            company_ids=[Command.set(company2.ids)],
        )
        self.leader.write({"company_ids": [Command.link(company2.id)]})
        self.env["crm.team"].create(
            {
                "name": "Second company's key accounts",
                "user_id": self.leader.id,
                "company_id": company2.id,
                "crm_team_member_ids": [Command.create({"user_id": far.id})],
            }
        )
        self.assertNotIn(
            far.id,
            self.leader._ka_appraisal_departments([self.company.id])[self.leader.id],
        )
        self.assertIn(
            far.id,
            self.leader._ka_appraisal_departments([company2.id])[self.leader.id],
        )
        # the computation reads the environment's companies
        indicator = self.env.ref("key_account.key_account_kpi_indicator_new_accounts")
        self._account("Far Co", user_id=far.id, ka_since=date(2025, 2, 1))
        self.person.ka_since = date(2025, 1, 15)
        result = indicator.with_context(
            allowed_company_ids=[self.company.id]
        )._kpi_compute(self.leader, *Q1, scope="department")[self.leader.id]
        self.assertEqual(result["value"], 1.0)
        self.assertEqual(self._records(result), self.person)

    # ---- the manager -----------------------------------------------------------------
    def test_manager_who_sells_nothing_scores_from_the_department(self):
        self._targets(self.ka_user, (1, 2, 3), 1000)
        self._targets(self.ka_user2, (1, 2, 3), 1000)
        self._targets(self.stranger, (1, 2, 3), 1000)
        self._order(self.person, 1500, datetime(2025, 2, 10, 12), user=self.ka_user)
        order2 = self._order(
            self.company_account, 3000, datetime(2025, 3, 10, 12), user=self.ka_user2
        )
        order2.order_line.purchase_price = 2400  # margin 600 of 4500 with 1500
        self._order(
            self.stranger_account, 90_000, datetime(2025, 2, 1, 12), user=self.stranger
        )
        self.person.ka_since = date(2025, 1, 15)
        self.company_account.ka_since = date(2025, 2, 15)
        self.stranger_account.ka_since = date(2025, 2, 15)

        own = self._values("sales_plan", self.leader, scope="own")[self.leader.id]
        self.assertFalse(own["has_data"])
        plan = self._values("sales_plan", self.leader)[self.leader.id]
        self.assertAlmostEqual(plan["value"], 100.0 * 4500 / 6000)
        self.assertEqual(
            self._records(plan).mapped("user_id"), self.ka_user | self.ka_user2
        )
        margin = self._values("gross_margin", self.leader)[self.leader.id]
        self.assertAlmostEqual(margin["value"], 100.0 * (1500 + 600) / 4500)
        new = self._values("new_accounts", self.leader)[self.leader.id]
        self.assertEqual(new["value"], 2.0)
        self.assertEqual(self._records(new), self.person | self.company_account)
        # the salesperson's own lines are unchanged: their own figures
        mine = self._values("sales_plan", self.ka_user, scope="own")[self.ka_user.id]
        self.assertAlmostEqual(mine["value"], 50.0)

        template = self.env.ref("key_account.key_account_kpi_template_manager")
        self.assertEqual(template.period_type, "half_year")
        self.assertTrue(
            all(
                line.scope == "department"
                for line in template.line_ids
                if line.kind == "indicator"
            )
        )
        cards, _skipped = (
            self.env["key_account.scorecard"]
            .with_user(self.ka_manager)
            ._ka_compute_scorecards(template, self.leader, *Q1)
        )
        line = cards.line_ids.filtered(
            lambda rec: rec.indicator_id.code == "sales_plan"
        )
        self.assertAlmostEqual(line.value, 75.0)
        self.assertEqual(line.weight, 40.0)
        self.assertEqual(line.scope, "department")
        self.assertGreater(cards.score, 0.0)

    def test_staff_turnover(self):
        today = self._today()
        period = (date(today.year, 1, 1), date(today.year, 12, 31))
        self.team.crm_team_member_ids.filtered(
            lambda m: m.user_id == self.ka_user2
        ).active = False
        result = self._values(
            "staff_turnover", self.leader | self.ka_user, period=period
        )
        # one of the three members left; the leader is no member
        self.assertAlmostEqual(result[self.leader.id]["value"], 100.0 / 3)
        self.assertEqual(
            self._records(result[self.leader.id]).user_id,
            self.ka_user | self.ka_user2 | self.assistant,
        )
        # somebody who leads no team: nothing to measure
        self.assertFalse(result[self.ka_user.id]["has_data"])

    # ---- expense-saving rate ---------------------------------------------------------
    def _done_visit(self, account, user, planned, actual, day):
        visit = self.env["key_account.visit"].create(
            {
                "partner_id": account.id,
                "user_id": user.id,
                "purpose": "Show the bridal range",
                "planned_line_ids": [
                    Command.create(
                        {
                            "kind": "planned",
                            "expense_type": "hospitality",
                            "name": "Dinner",
                            "amount": planned,
                        }
                    )
                ],
                "expense_line_ids": [
                    Command.create(
                        {
                            "kind": "actual",
                            "expense_type": "hospitality",
                            "name": "Dinner",
                            "amount": actual,
                            "date": day,
                        }
                    )
                ],
            }
        )
        visit._ka_workflow_write({"state": "done", "actual_date": day})
        return visit

    def test_expense_saving_rate(self):
        self._done_visit(self.person, self.ka_user, 1000, 800, date(2025, 2, 1))
        self._done_visit(
            self.company_account, self.ka_user2, 500, 600, date(2025, 3, 1)
        )
        self._done_visit(
            self.stranger_account, self.stranger, 1000, 1, date(2025, 3, 1)
        )
        # outside the period
        self._done_visit(self.person, self.ka_user, 1000, 1, date(2025, 4, 2))
        own = self._values("expense_saving", self.ka_user | self.ka_user2, scope="own")
        self.assertAlmostEqual(own[self.ka_user.id]["value"], 20.0)
        # overspending: a negative saving
        self.assertAlmostEqual(own[self.ka_user2.id]["value"], -20.0)
        dept = self._values("expense_saving", self.leader)[self.leader.id]
        self.assertAlmostEqual(dept["value"], 100.0 * (1500 - 1400) / 1500)
        self.assertEqual(len(self._records(dept)), 2)
        # not expenses ÷ sales: no sales here, still a rate
        self.assertTrue(dept["has_data"])

    # ---- the assistant ---------------------------------------------------------------
    def test_assistant_completeness_over_the_department(self):
        accounts = self.person | self.company_account
        result = self._values("completeness", self.assistant)[self.assistant.id]
        self.assertEqual(self._records(result), accounts)
        self.assertAlmostEqual(
            result["value"],
            sum(accounts.mapped("ka_file_completeness")) / 2,
        )
        # owning nothing, on their own: nothing
        own = self._values("completeness", self.assistant, scope="own")
        self.assertFalse(own[self.assistant.id]["has_data"])
        template = self.env.ref("key_account.key_account_kpi_template_assistant")
        self.assertEqual(template.period_type, "half_year")
        self.assertEqual((template.superior_weight, template.peer_weight), (70.0, 30.0))

    def _request(self, size, kind="analysis", requester=None):
        return (
            self.env["key_account.request"]
            .with_user(requester or self.ka_user)
            .create(
                {
                    "name": f"{size} {kind}",
                    "kind": kind,
                    "size": size,
                    "assistant_id": self.assistant.id,
                    "partner_id": self.person.id,
                }
            )
        )

    def test_requests_due_in_the_assistant_time_zone(self):
        # 23:30 UTC is already the 11th in Shanghai
        with freeze_time("2025-01-10 23:30:00"):
            small = self._request("small")
            large = self._request("large")
            support = self._request("small", kind="support", requester=self.ka_user2)
        self.assertEqual(small.requested_at, datetime(2025, 1, 10, 23, 30))
        # the end of the 12th in Shanghai (UTC+8)
        self.assertEqual(small.due_at, datetime(2025, 1, 12, 15, 59, 59))
        self.assertEqual(large.due_at, datetime(2025, 1, 14, 15, 59, 59))
        # only the assistant marks done; nobody sets the dates or the status
        with self.assertRaises(AccessError):
            small.with_user(self.ka_user).action_done()
        with self.assertRaises(AccessError):
            small.with_user(self.ka_user).write({"state": "done"})
        with self.assertRaises(AccessError):
            small.with_user(self.assistant).write(
                {"done_at": datetime(2025, 1, 11, 0, 0)}
            )
        with self.assertRaises(AccessError):
            small.with_user(self.ka_manager).write(
                {"due_at": datetime(2025, 3, 1, 0, 0)}
            )
        with freeze_time("2025-01-12 10:00:00"):
            small.with_user(self.assistant).action_done()
            support.with_user(self.assistant).action_done()
        with freeze_time("2025-01-15 01:00:00"):
            large.with_user(self.assistant).action_done()
        self.assertTrue(small.on_time)
        self.assertFalse(large.on_time)
        analysis = self._values("analysis_timeliness", self.assistant, scope="own")
        self.assertAlmostEqual(analysis[self.assistant.id]["value"], 50.0)
        self.assertEqual(self._records(analysis[self.assistant.id]), small | large)
        support_result = self._values("support_timeliness", self.assistant, scope="own")
        self.assertAlmostEqual(support_result[self.assistant.id]["value"], 100.0)
        # a colleague sees their own requests, not the others'
        Request = self.env["key_account.request"]
        self.assertEqual(Request.with_user(self.ka_user2).search([]), support)
        self.assertEqual(
            Request.with_user(self.assistant).search([]), small | large | support
        )
        self.assertFalse(Request.with_user(self.stranger).search([]))

    def test_who_decides_a_request(self):
        """The requester is the creator; kind, size and assistant are the
        requester's (or a manager's), never the assistant's; the assistant
        is a user of the Assistant group, not the requester."""
        Request = self.env["key_account.request"]
        vals = {"name": "Rings", "size": "small", "assistant_id": self.assistant.id}
        mine = Request.with_user(self.ka_user)
        # nobody but a manager requests on behalf of someone, in the values
        # or as a default
        with self.assertRaises(AccessError):
            mine.create({**vals, "requester_id": self.ka_user2.id})
        with self.assertRaises(AccessError):
            mine.with_context(default_requester_id=self.ka_user2.id).create(vals)
        # the assistant is an assistant, and not the requester: no
        # self-request counts in anybody's timeliness
        with self.assertRaises(ValidationError):
            mine.create({**vals, "assistant_id": self.ka_user2.id})
        with self.assertRaises(ValidationError):
            mine.with_context(default_assistant_id=self.ka_user.id).create(
                {"name": "Rings", "size": "small"}
            )
        as_assistant = Request.with_user(self.assistant)
        with self.assertRaises(ValidationError):
            as_assistant.create(vals)
        with self.assertRaises(ValidationError):
            as_assistant.with_context(default_assistant_id=self.assistant.id).create(
                {"name": "Rings", "size": "small"}
            )
        with freeze_time("2025-01-10 02:00:00"):
            request = mine.create(dict(vals))
        self.assertEqual(request.requester_id, self.ka_user)
        self.assertEqual(request.due_at, datetime(2025, 1, 11, 15, 59, 59))
        # the assistant changes neither what is asked nor of whom, nor who asked
        for change in (
            {"size": "large"},
            {"kind": "support"},
            {"assistant_id": self.assistant2.id},
            {"requester_id": self.assistant2.id},
        ):
            with self.subTest(change=change), self.assertRaises(AccessError):
                request.with_user(self.assistant).write(change)
            # nor does a third user (who does not see it)
            with self.subTest(change=change), self.assertRaises(AccessError):
                request.with_user(self.ka_user2).write(change)
        self.assertRecordValues(
            request,
            [
                {
                    "size": "small",
                    "kind": "analysis",
                    "assistant_id": self.assistant.id,
                    "requester_id": self.ka_user.id,
                }
            ],
        )
        # the requester changes the size (the due time follows) and the
        # assistant, not who asked
        request.with_user(self.ka_user).write({"size": "large"})
        self.assertEqual(request.due_at, datetime(2025, 1, 13, 15, 59, 59))
        with self.assertRaises(AccessError):
            request.with_user(self.ka_user).write({"requester_id": self.ka_user2.id})
        with self.assertRaises(ValidationError):
            request.with_user(self.ka_user).write({"assistant_id": self.ka_user2.id})
        request.with_user(self.ka_user).write({"assistant_id": self.assistant2.id})
        self.assertEqual(request.assistant_id, self.assistant2)
        # a manager creates on behalf of a salesperson and corrects a request
        on_behalf = Request.with_user(self.ka_manager).create(
            {**vals, "requester_id": self.ka_user2.id}
        )
        self.assertEqual(on_behalf.requester_id, self.ka_user2)
        on_behalf.with_user(self.ka_manager).write(
            {"kind": "support", "requester_id": self.ka_user.id}
        )
        with self.assertRaises(ValidationError):
            on_behalf.with_user(self.ka_manager).write(
                {"requester_id": self.assistant.id}
            )

    def test_request_of_a_second_company_not_seen(self):
        company2 = self.env["res.company"].create({"name": "Second Jewels"})
        self.assistant.write({"company_ids": [Command.link(company2.id)]})
        self.ka_user.write({"company_ids": [Command.link(company2.id)]})
        request = (
            self.env["key_account.request"]
            .with_user(self.ka_user)
            .with_company(company2)
            .create({"name": "Far", "assistant_id": self.assistant.id, "size": "small"})
        )
        self.assertEqual(request.company_id, company2)
        Request = self.env["key_account.request"].with_user(self.assistant)
        self.assertFalse(
            Request.with_context(allowed_company_ids=[self.company.id]).search([])
        )

    def test_superior_70_colleagues_30(self):
        template = self.env.ref("key_account.key_account_kpi_template_assistant")
        cards, _skipped = (
            self.env["key_account.scorecard"]
            .with_user(self.ka_manager)
            ._ka_compute_scorecards(template, self.assistant, *Q1)
        )
        line = cards.line_ids.filtered(lambda rec: rec.name == "Assigned tasks")
        self.assertEqual(line.kind, "manual")
        line.with_user(self.ka_manager).write(
            {"superior_points": 80, "peer_points": 50}
        )
        self.assertAlmostEqual(line.points, 80 * 0.7 + 50 * 0.3)
        self.assertAlmostEqual(line.weighted_score, 71.0 * 20 / 100)
        # the requests' lines with nothing due give their points without data
        timeliness = cards.line_ids.filtered(
            lambda rec: rec.indicator_id.code == "analysis_timeliness"
        )
        self.assertFalse(timeliness.has_data)
        self.assertEqual(timeliness.points, 100.0)


@tagged("post_install", "-at_install")
class TestDepartmentTemplatesMigration(KeyAccountCase):
    """18.0.2.3.0 gives the shipped manager and assistant templates (noupdate
    data) the department's lines where nobody tuned them, and the department
    scope only where an admin did."""

    def _migrate(self):
        post = load_script(
            "key_account/migrations/18.0.2.3.0/post-migrate.py", "ka_post_department"
        )
        post.migrate(self.env.cr, "18.0.2.2.0")
        self.env.invalidate_all()

    def _set_lines(self, template, old_lines, period):
        commands = [Command.delete(line.id) for line in template.line_ids]
        for seq, (kind, key, weight) in enumerate(old_lines, start=1):
            vals = {"sequence": seq * 10, "kind": kind, "weight": weight}
            if kind == "indicator":
                vals["indicator_id"] = self.env.ref(f"key_account.{key}").id
            else:
                vals["name"] = key
            commands.append(Command.create(vals))
        template.write({"period_type": period, "line_ids": commands})

    def test_untuned_templates_get_the_department_lines(self):
        post = load_script(
            "key_account/migrations/18.0.2.3.0/post-migrate.py", "ka_post_department"
        )
        manager = self.env.ref("key_account.key_account_kpi_template_manager")
        assistant = self.env.ref("key_account.key_account_kpi_template_assistant")
        self._set_lines(
            manager, post.OLD_LINES["key_account_kpi_template_manager"], "half_year"
        )
        self._set_lines(
            assistant, post.OLD_LINES["key_account_kpi_template_assistant"], "quarter"
        )
        self.assertEqual(set(manager.line_ids.mapped("scope")), {"own"})
        self._migrate()
        self.assertEqual(assistant.period_type, "half_year")
        sales_plan = manager.line_ids.filtered(
            lambda line: line.indicator_id
            == self.env.ref("key_account.key_account_kpi_indicator_sales_plan")
        )
        self.assertEqual(sales_plan.weight, 40)
        self.assertEqual(
            set(manager.line_ids.filtered("indicator_id").mapped("scope")),
            {"department"},
        )
        self.assertIn(
            self.env.ref("key_account.key_account_kpi_indicator_staff_turnover"),
            manager.line_ids.indicator_id,
        )
        self.assertAlmostEqual(sum(assistant.line_ids.mapped("weight")), 100)
        completeness = assistant.line_ids.filtered(
            lambda line: line.indicator_id
            == self.env.ref("key_account.key_account_kpi_indicator_completeness")
        )
        self.assertEqual(completeness.scope, "department")
        self.assertEqual(completeness.weight, 20)

    def test_tuned_template_keeps_its_lines(self):
        post = load_script(
            "key_account/migrations/18.0.2.3.0/post-migrate.py", "ka_post_department"
        )
        manager = self.env.ref("key_account.key_account_kpi_template_manager")
        old = list(post.OLD_LINES["key_account_kpi_template_manager"])
        # an admin moved 5 points from the growth to the sales plan
        old[2] = (*old[2][:2], 25)
        old[4] = (*old[4][:2], 5)
        self._set_lines(manager, old, "quarter")
        self._migrate()
        self.assertEqual(manager.period_type, "quarter")
        self.assertEqual(
            manager.line_ids.sorted("sequence").mapped("weight"),
            [weight for _kind, _key, weight in old],
        )
        self.assertEqual(
            set(manager.line_ids.filtered("indicator_id").mapped("scope")),
            {"department"},
        )
