from datetime import date
from datetime import datetime
from datetime import timedelta

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.modules.migration import load_script
from odoo.tests import Form
from odoo.tests import tagged
from odoo.tools import SQL
from odoo.tools import mute_logger

from .common import KeyAccountCase


@tagged("post_install", "-at_install")
class TestKpiFeedback(KeyAccountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls._account("Feedback Co", user_id=cls.ka_user.id)
        cls.received = datetime(2025, 2, 1, 9, 0)

    def test_answer_due_from_settings(self):
        complaint = self._feedback(self.account, self.ka_user, self.received)
        self.assertEqual(complaint.answer_due, self.received + timedelta(hours=24))
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.ka_feedback_hours_suggestion, 72)
        settings.ka_feedback_hours_suggestion = 48
        settings.execute()
        suggestion = self._feedback(
            self.account, self.ka_user, self.received, "suggestion"
        )
        self.assertEqual(suggestion.answer_due, self.received + timedelta(hours=48))
        # the due date of existing feedback does not move
        self.assertEqual(complaint.answer_due, self.received + timedelta(hours=24))

    def test_answering(self):
        form = Form(self.env["key_account.feedback"].with_user(self.ka_user))
        form.name = "Late delivery"
        form.partner_id = self.account
        form.is_valid = True
        feedback = form.save()
        self.assertEqual(feedback.user_id, self.ka_user)
        self.assertEqual(feedback.state, "open")
        self.assertFalse(feedback.is_overdue)
        feedback.action_answer()
        self.assertEqual(feedback.state, "answered")
        self.assertTrue(feedback.answered_in_time)
        late = self._feedback(
            self.account,
            self.ka_user,
            self.received,
            answered_date=self.received + timedelta(hours=30),
        )
        self.assertFalse(late.answered_in_time)
        overdue = self._feedback(self.account, self.ka_user, self.received)
        self.assertTrue(overdue.is_overdue)
        self.assertEqual(
            self.env["key_account.feedback"].search(
                [("is_overdue", "=", True), ("partner_id", "=", self.account.id)]
            ),
            overdue,
        )

    def test_bad_input(self):
        feedback = self._feedback(self.account, self.ka_user, self.received)
        for vals in (
            {"satisfaction": 6},
            {"satisfaction": -1},
            {"answered_date": self.received - timedelta(hours=1)},
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaises(ValidationError),
                self.cr.savepoint(),
            ):
                feedback.write(vals)
                feedback.flush_recordset()
        self.env.invalidate_all()
        self.assertEqual(feedback.satisfaction, 0)
        self.assertFalse(feedback.answered_date)
        feedback.satisfaction = 5
        self.assertEqual(feedback.satisfaction, 5)

    def test_access(self):
        mine = self._feedback(self.account, self.ka_user, self.received)
        theirs = self._feedback(self.account, self.ka_user2, self.received)
        Feedback = self.env["key_account.feedback"]
        self.assertEqual(Feedback.with_user(self.ka_user).search([]), mine)
        self.assertEqual(
            Feedback.with_user(self.ka_manager).search(
                [("user_id", "in", (self.ka_user | self.ka_user2).ids)]
            ),
            mine | theirs,
        )
        with self.assertRaises(AccessError):
            theirs.with_user(self.ka_user).read(["name"])
        with self.assertRaises(AccessError):
            Feedback.with_user(self.ka_user).create(
                {
                    "name": "For someone else",
                    "partner_id": self.account.id,
                    "user_id": self.ka_user2.id,
                }
            )
        with self.assertRaises(AccessError):
            Feedback.with_user(self.outsider).search([])
        # multi-company: another company's feedback stays there
        other = self.env["res.company"].create({"name": "Other Co"})
        foreign = Feedback.create(
            {
                "name": "Elsewhere",
                "partner_id": self._account("Foreign Co").id,
                "user_id": self.ka_manager.id,
                "company_id": other.id,
            }
        )
        self.assertNotIn(foreign, Feedback.with_user(self.ka_manager).search([]))


@tagged("post_install", "-at_install")
class TestKpiReports(KeyAccountCase):
    def test_monthly_report_target(self):
        self.env["key_account.commission.target"].create(
            {"user_id": self.ka_user.id, "month": date(2025, 2, 1), "amount": 2000}
        )
        self.ka_user.ka_commission_status = "demoted"
        report = (
            self.env["key_account.monthly.report"]
            .with_user(self.ka_user)
            .create({"month": date(2025, 2, 17)})
        )
        self.assertTrue(report.has_target)
        self.assertEqual(report.sales_target, 1400)

    def test_submitted_monthly_report_locked_on_the_server(self):
        report = (
            self.env["key_account.monthly.report"]
            .with_user(self.ka_user)
            .create({"month": date(2025, 2, 1), "summary": "Good month"})
        )
        with self.assertRaises(AccessError):
            report.write({"state": "submitted"})
        report.action_submit()
        self.assertEqual(report.state, "submitted")
        with self.assertRaises(UserError):
            report.write({"summary": "Better month"})
        with self.assertRaises(AccessError):
            report.write({"state": "draft"})
        with self.assertRaises(AccessError):
            report.action_reset_draft()
        self.assertEqual((report.state, report.summary), ("submitted", "Good month"))
        report.with_user(self.ka_manager).action_reset_draft()
        self.assertEqual(report.state, "draft")
        report.write({"summary": "Better month"})
        self.assertEqual(report.summary, "Better month")

    def test_monthly_report_submitted_on_time_or_late(self):
        """Submitting writes when; the report is on time when submitted by the
        month's last day (seed 000: before the month's end) plus the days of
        Settings (none by default), the day in the salesperson's time zone at
        submission: a time zone changed afterwards changes nothing. A month
        that has not begun is not reported."""
        self.ka_user.tz = "Asia/Shanghai"
        Report = self.env["key_account.monthly.report"].with_user(self.ka_user)
        report = Report.create({"month": date(2025, 2, 1)})
        self.assertEqual(report.deadline, date(2025, 2, 28))
        self.assertFalse(report.submitted_date)
        self.assertFalse(report.on_time)
        # the deadline's evening in Shanghai (its afternoon in UTC): on time
        with freeze_time(datetime(2025, 2, 28, 15, 0)):
            report.action_submit()
        self.assertEqual(report.submitted_date, datetime(2025, 2, 28, 15, 0))
        self.assertEqual(report.submitted_day, date(2025, 2, 28))
        self.assertTrue(report.on_time)
        # sent back, submitted again after midnight in Shanghai: late
        report.with_user(self.ka_manager).action_reset_draft()
        self.assertFalse(report.submitted_date or report.submitted_day)
        self.assertFalse(report.on_time)
        with freeze_time(datetime(2025, 2, 28, 16, 30)):
            report.action_submit()
        self.assertEqual(report.submitted_day, date(2025, 3, 1))
        self.assertFalse(report.on_time)
        # the salesperson moves to a time zone where it was still the 28th:
        # still late
        self.ka_user.with_user(self.ka_user).write({"tz": "America/Los_Angeles"})
        self.env.invalidate_all()
        self.assertEqual(report.submitted_day, date(2025, 3, 1))
        self.assertFalse(report.on_time)
        self.ka_user.tz = "Asia/Shanghai"
        # a month that has not begun in the salesperson's time zone
        with freeze_time(datetime(2025, 3, 31, 16, 30)):  # April 1st in Shanghai
            april = Report.create({"month": date(2025, 4, 1)})
            may = Report.create({"month": date(2025, 5, 1)})
            with self.assertRaisesRegex(UserError, "has not begun"):
                may.action_submit()
            self.assertEqual(may.state, "draft")
            april.action_submit()
        self.assertTrue(april.on_time)
        (april | may).with_user(self.ka_manager).action_reset_draft()
        (april | may).sudo().unlink()
        # nobody writes the date or the verdict, a manager neither (not even
        # on a report in draft)
        draft = Report.create({"month": date(2025, 3, 1)})
        for user in (self.ka_user, self.ka_manager):
            for vals in (
                {"submitted_date": datetime(2025, 3, 1)},
                {"submitted_day": date(2025, 3, 1)},
                {"on_time": True},
                {"deadline": date(2025, 4, 1)},
            ):
                with self.subTest(user=user.login, vals=vals):
                    with self.assertRaises(AccessError):
                        draft.with_user(user).write(vals)
                    # refused by the lock of a submitted report, or the guard
                    with self.assertRaises(UserError):
                        report.with_user(user).write(vals)
        self.assertFalse(draft.submitted_date or draft.submitted_day or draft.on_time)
        self.assertEqual(report.deadline, date(2025, 2, 28))
        with self.assertRaises(AccessError):
            Report.create({"month": date(2025, 6, 1), "on_time": True})
        # Settings: 10 days for the reports made from now on
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.ka_monthly_report_due_days, 0)
        settings.ka_monthly_report_due_days = 10
        settings.execute()
        later = Report.create({"month": date(2025, 4, 1)})
        self.assertEqual(later.deadline, date(2025, 5, 10))
        self.assertEqual(report.deadline, date(2025, 2, 28))
        # and back to 0: kept as 0, not read as a missing setting
        self.env["res.config.settings"].create(
            {"ka_monthly_report_due_days": 0}
        ).execute()
        self.assertEqual(
            self.env["res.config.settings"].create({}).ka_monthly_report_due_days, 0
        )
        self.assertEqual(
            Report.create({"month": date(2025, 5, 1)}).deadline, date(2025, 5, 31)
        )
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"ka_monthly_report_due_days": -1})

    def test_upgrade_dates_the_submitted_reports(self):
        """18.0.2.2.0: a report submitted before the version was submitted
        when its status last changed (its tracking), else when last written."""
        Report = self.env["key_account.monthly.report"].with_user(self.ka_user)
        tracked, untracked = Report.create(
            [{"month": date(2025, 2, 1)}, {"month": date(2025, 3, 1)}]
        )
        (tracked | untracked).action_submit()
        # the change of status, as the chatter tracked it (the tests'
        # environment tracks nothing)
        self.env["mail.message"].create(
            {
                "model": "key_account.monthly.report",
                "res_id": tracked.id,
                "date": datetime(2025, 2, 27, 9, 0),
                "message_type": "notification",
                "tracking_value_ids": [
                    Command.create(
                        {
                            "field_id": self.env["ir.model.fields"]
                            ._get("key_account.monthly.report", "state")
                            .id,
                            "old_value_char": "Draft",
                            "new_value_char": "Submitted",
                        }
                    )
                ],
            }
        )
        self.env.cr.precommit.run()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE key_account_monthly_report
                      SET submitted_date = NULL, submitted_day = NULL,
                          on_time = FALSE,
                          write_date = %s
                    WHERE id IN %s""",
                datetime(2025, 4, 20, 9, 0),
                tuple((tracked | untracked).ids),
            )
        )
        self.env.cr.execute(
            SQL(
                """DELETE FROM mail_message
                    WHERE model = 'key_account.monthly.report' AND res_id = %s""",
                untracked.id,
            )
        )
        self.env.invalidate_all()
        post = load_script(
            "key_account/migrations/18.0.2.2.0/post-migrate.py", "ka_post_submitted"
        )
        post.migrate(self.env.cr, "18.0.2.1.0")
        self.env.invalidate_all()
        self.assertEqual(tracked.submitted_date, datetime(2025, 2, 27, 9, 0))
        self.assertEqual(tracked.submitted_day, date(2025, 2, 27))
        self.assertTrue(tracked.on_time)
        self.assertEqual(untracked.submitted_date, datetime(2025, 4, 20, 9, 0))
        self.assertFalse(untracked.on_time)

    def test_monthly_report(self):
        account = self._account("Reported Co", user_id=self.ka_user.id)
        account.ka_since = date(2025, 2, 3)
        lost = self._account("Lost Co", user_id=self.ka_user.id)
        self._order(lost, 100, datetime(2024, 9, 1, 12))
        self._order(account, 1200, datetime(2025, 2, 10, 12), user=self.ka_user)
        self._order(account, 800, datetime(2025, 3, 10, 12), user=self.ka_user)
        self._feedback(account, self.ka_user, datetime(2025, 2, 11, 9), is_valid=True)
        # cadence: a visit every 10 days on grade B -> 3 due in 28 days
        self.grade_b.visit_interval_days = 10
        (account | lost).write({"ka_grade_id": self.grade_b.id})
        visit = self.env["key_account.visit"].create(
            {"partner_id": account.id, "user_id": self.ka_user.id, "purpose": "Talk"}
        )
        visit._ka_workflow_write({"state": "done", "actual_date": date(2025, 2, 20)})
        report = (
            self.env["key_account.monthly.report"]
            .with_user(self.ka_user)
            .create(
                {
                    "month": date(2025, 2, 17),
                    "forecast": "Two tenders in March",
                    "problems": "Slow deliveries",
                    "solutions": "Second carrier",
                }
            )
        )
        self.assertEqual(report.month, date(2025, 2, 1))
        self.assertEqual(report.date_to, date(2025, 2, 28))
        self.assertEqual(report.sales_amount, 1200)
        self.assertFalse(report.has_target)
        self.assertEqual(report.new_account_count, 1)
        self.assertEqual(report.churned_account_count, 1)
        self.assertEqual(report.complaint_count, 1)
        self.assertEqual(report.visit_count, 1)
        self.assertEqual(report.visit_due_count, 6)  # 2 accounts x 3
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("key_account.report_monthly_report", report.ids)[0]
            .decode()
        )
        self.assertIn("Two tenders in March", html)
        self.assertIn("not available", html)
        # one report per person and month
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.cr.savepoint(),
        ):
            self.env["key_account.monthly.report"].with_user(self.ka_user).create(
                {"month": date(2025, 2, 1)}
            )
            self.env.flush_all()
        # the salesperson sees only their reports
        other = self.env["key_account.monthly.report"].create(
            {"user_id": self.ka_user2.id, "month": date(2025, 2, 1)}
        )
        visible = self.env["key_account.monthly.report"].with_user(self.ka_user)
        self.assertEqual(visible.search([]), report)
        self.assertIn(
            other,
            self.env["key_account.monthly.report"]
            .with_user(self.ka_manager)
            .search([]),
        )

    def test_views_open_for_each_role(self):
        models = [
            "key_account.feedback",
            "key_account.scorecard",
            "key_account.development.plan",
            "key_account.monthly.report",
        ]
        for user in (self.ka_user, self.ka_manager):
            for model in models:
                with self.subTest(user=user.login, model=model):
                    views = (
                        self.env[model]
                        .with_user(user)
                        .get_views([(False, "list"), (False, "form")])
                    )
                    self.assertIn("form", views["views"])
        for model, mode in (
            ("key_account.movement.report", "graph"),
            ("key_account.scorecard", "graph"),
            ("key_account.grade.history", "graph"),
        ):
            views = (
                self.env[model].with_user(self.ka_manager).get_views([(False, mode)])
            )
            self.assertIn(mode, views["views"])

    def test_dashboard_movements(self):
        Movement = self.env["key_account.movement.report"]
        new = self._account("Won Co", user_id=self.ka_user.id)
        lost = self._account("Gone Co", user_id=self.ka_user.id)
        order_date = self._today() - timedelta(days=200)
        self._order(lost, 100, order_date)
        rows = Movement.search([("partner_id", "in", (new | lost).ids)])
        self.assertEqual(
            {(row.partner_id, row.movement) for row in rows},
            {(new, "new"), (lost, "new"), (lost, "churn")},
        )
        churn = rows.filtered(lambda r: r.movement == "churn")
        self.assertGreater(churn.date, order_date)
        groups = Movement.with_user(self.ka_manager)._read_group(
            [("partner_id", "in", (new | lost).ids)],
            ["movement", "date:month"],
            ["account_count:sum"],
        )
        self.assertEqual(sum(count for _m, _d, count in groups), 3)
        # the dashboard menu is for managers
        menu = self.env.ref("key_account.key_account_menu_dashboard")
        visible = self.env["ir.ui.menu"].with_user(self.ka_user)._visible_menu_ids()
        self.assertNotIn(menu.id, visible)
        visible = self.env["ir.ui.menu"].with_user(self.ka_manager)._visible_menu_ids()
        self.assertIn(menu.id, visible)
