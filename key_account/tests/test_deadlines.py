from datetime import date
from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import EngagementCase

DEADLINE = "key_account.mail_activity_type_ka_deadline"


@tagged("post_install", "-at_install")
class TestVisitRecordDeadline(EngagementCase):
    """Seed 002 二(四)3: the record of a visit within 24 hours (Settings) of
    its planned end; a reminder to its owner, a late mark the manager
    filters on and the timeliness indicator counts."""

    def _approved_visit(self, start, end=None):
        visit = self._visit(date_start=start, date_end=end)
        visit.action_submit()
        visit.with_user(self.ka_manager).action_approve()
        return visit

    def _reminders(self, visit):
        return (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", visit._name),
                    ("res_id", "=", visit.id),
                    ("activity_type_id", "=", self.env.ref(DEADLINE).id),
                ]
            )
        )

    def _record(self, visit, day):
        visit.write({**self._visit_record_vals(day), "next_visit_date": day})

    def test_reminder_then_late_at_the_boundary(self):
        """Planned 09:00-10:00 in Shanghai on 2 March (01:00-02:00 UTC): the
        record is due at 10:00 on 3 March, Shanghai's day in the reminder;
        at that minute still in time, a minute later late."""
        Visit = self.env["key_account.visit"]
        visit = self._approved_visit(
            datetime(2026, 3, 2, 1, 0), datetime(2026, 3, 2, 2, 0)
        )
        self.assertEqual(visit.record_due, datetime(2026, 3, 3, 2, 0))
        with freeze_time(datetime(2026, 3, 2, 1, 59)):
            Visit._ka_cron_visit_records()
        self.assertFalse(self._reminders(visit), "the visit has not ended yet")
        with freeze_time(datetime(2026, 3, 2, 2, 0)):
            Visit._ka_cron_visit_records()
            Visit._ka_cron_visit_records()
        reminder = self._reminders(visit)
        self.assertEqual(len(reminder), 1, "one reminder, however often it runs")
        self.assertEqual(reminder.user_id, self.ka_user)
        self.assertEqual(reminder.date_deadline, date(2026, 3, 3))
        self.assertIn(visit.name, reminder.summary)
        # the owner sees their reminder; a colleague sees neither it nor the visit
        self.assertEqual(
            self.env["mail.activity"]
            .with_user(self.ka_user)
            .search([("id", "=", reminder.id)]),
            reminder.with_user(self.ka_user),
        )
        self.assertFalse(
            Visit.with_user(self.ka_user2).search([("id", "=", visit.id)]),
        )
        with freeze_time(datetime(2026, 3, 3, 2, 0)):
            Visit._ka_cron_visit_records()
        self.assertFalse(visit.record_late, "at its due minute: still in time")
        with freeze_time(datetime(2026, 3, 3, 2, 1)):
            Visit._ka_cron_visit_records()
        self.assertTrue(visit.record_late)
        # the manager's "Late" filter lists it
        late = Visit.with_user(self.ka_manager).search([("record_late", "=", True)])
        self.assertIn(visit, late)
        # nobody sets the mark by hand, the owner nor a manager
        for user in (self.ka_user, self.ka_manager):
            with self.assertRaises(AccessError):
                visit.with_user(user).write({"record_late": False})
        # recorded afterwards: done, still late, the reminder closed
        with freeze_time(datetime(2026, 3, 3, 5, 0)):
            self._record(visit, date(2026, 3, 2))
            visit.action_done()
        self.assertEqual(visit.state, "done")
        self.assertTrue(visit.record_late)
        self.assertFalse(self._reminders(visit))

    def test_recorded_in_time_and_the_indicator(self):
        """Done before the due time: not late. The indicator: visits whose
        record was due in the period, done or late, recorded in time ÷ all
        of them; an approved visit not yet due is not counted."""
        Visit = self.env["key_account.visit"]
        on_time = self._approved_visit(datetime(2026, 3, 2, 1, 0))
        # without a planned end: an hour after the start
        self.assertEqual(on_time.record_due, datetime(2026, 3, 3, 2, 0))
        with freeze_time(datetime(2026, 3, 3, 2, 0)):
            self._record(on_time, date(2026, 3, 2))
            on_time.action_done()
        self.assertFalse(on_time.record_late)
        late = self._approved_visit(datetime(2026, 3, 10, 1, 0))
        with freeze_time(datetime(2026, 3, 12, 0, 0)):
            Visit._ka_cron_visit_records()
        self.assertTrue(late.record_late)
        pending = self._approved_visit(datetime(2026, 3, 20, 1, 0))  # not due
        with freeze_time(datetime(2026, 3, 20, 3, 0)):
            Visit._ka_cron_visit_records()
        self.assertEqual(len(self._reminders(pending)), 1)
        # a visit cancelled owes no record: its reminder goes, it is not counted
        cancelled = self._approved_visit(datetime(2026, 3, 5, 1, 0))
        with freeze_time(datetime(2026, 3, 5, 3, 0)):
            Visit._ka_cron_visit_records()
        self.assertEqual(len(self._reminders(cancelled)), 1)
        cancelled.action_cancel()
        self.assertFalse(self._reminders(cancelled))
        with freeze_time(datetime(2026, 3, 7, 3, 0)):
            Visit._ka_cron_visit_records()
        self.assertFalse(cancelled.record_late)
        indicator = self.env.ref(
            "key_account.key_account_kpi_indicator_visit_record_timeliness"
        )
        period = (date(2026, 3, 1), date(2026, 3, 31))
        results = indicator._kpi_compute(self.ka_user | self.ka_user2, *period)
        self.assertAlmostEqual(results[self.ka_user.id]["value"], 50.0)
        self.assertEqual(
            Visit.search(results[self.ka_user.id]["domain"]), on_time | late
        )
        self.assertFalse(results[self.ka_user2.id]["has_data"])

    def test_the_hours_are_a_setting(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "key_account.visit_record_hours", 48
        )
        visit = self._approved_visit(datetime(2026, 3, 2, 1, 0))
        self.assertEqual(visit.record_due, datetime(2026, 3, 4, 2, 0))


@tagged("post_install", "-at_install")
class TestMonthlyReportDeadline(EngagementCase):
    """Seed 000 §五2.9: the monthly report before the month's end. A few days
    before (Settings), whoever owns key accounts and has no submitted report
    gets a draft with a reminder; a report not submitted by its deadline is
    late, in the salesperson's day."""

    def _reports(self, user, month=date(2025, 2, 1)):
        return (
            self.env["key_account.monthly.report"]
            .sudo()
            .search([("user_id", "=", user.id), ("month", "=", month)])
        )

    def test_reminder_and_late_mark_in_the_salesperson_day(self):
        Report = self.env["key_account.monthly.report"]
        # 24 February 23:59 in Shanghai: four days left, no reminder yet
        with freeze_time(datetime(2025, 2, 24, 15, 59)):
            Report._ka_cron_deadlines()
        self.assertFalse(self._reports(self.ka_user))
        # 25 February 00:00 in Shanghai: three days left
        with freeze_time(datetime(2025, 2, 24, 16, 0)):
            Report._ka_cron_deadlines()
            Report._ka_cron_deadlines()
        report = self._reports(self.ka_user)
        self.assertEqual(report.state, "draft")
        self.assertEqual(report.deadline, date(2025, 2, 28))
        self.assertEqual(len(report.activity_ids), 1)
        self.assertEqual(report.activity_ids.user_id, self.ka_user)
        self.assertEqual(report.activity_ids.date_deadline, date(2025, 2, 28))
        # who owns no key account is not asked for a report
        self.assertFalse(self._reports(self.ka_user2))
        # the owner sees it, a colleague does not
        self.assertEqual(Report.with_user(self.ka_user).search([]), report)
        self.assertNotIn(report, Report.with_user(self.ka_user2).search([]))
        # the deadline's last minute in Shanghai: not late yet
        with freeze_time(datetime(2025, 2, 28, 15, 59)):
            Report._ka_cron_deadlines()
        self.assertFalse(report.late)
        # 1 March in Shanghai: late, in the manager's "Late" filter
        with freeze_time(datetime(2025, 2, 28, 16, 0)):
            Report._ka_cron_deadlines()
        self.assertTrue(report.late)
        self.assertIn(
            report, Report.with_user(self.ka_manager).search([("late", "=", True)])
        )
        for user in (self.ka_user, self.ka_manager):
            with self.assertRaises(AccessError):
                report.with_user(user).write({"late": False})
        # submitted late: still late, the reminder closed
        with freeze_time(datetime(2025, 3, 1, 2, 0)):
            report.with_user(self.ka_user).action_submit()
        self.assertTrue(report.late)
        self.assertFalse(report.activity_ids)

    def test_submitted_in_time_and_the_indicator(self):
        Report = self.env["key_account.monthly.report"].with_user(self.ka_user)
        january = Report.create({"month": date(2025, 1, 1)})
        with freeze_time(datetime(2025, 1, 31, 15, 59)):  # 23:59 in Shanghai
            january.action_submit()
        self.assertFalse(january.late)
        february = Report.create({"month": date(2025, 2, 1)})
        with freeze_time(datetime(2025, 2, 28, 16, 0)):  # 1 March in Shanghai
            february.action_submit()
        self.assertTrue(february.late)
        march = Report.create({"month": date(2025, 3, 1)})  # not due yet
        self.assertFalse(march.late)
        indicator = self.env.ref(
            "key_account.key_account_kpi_indicator_report_timeliness"
        )
        results = indicator._kpi_compute(
            self.ka_user | self.ka_user2, date(2025, 1, 1), date(2025, 3, 31)
        )
        self.assertAlmostEqual(results[self.ka_user.id]["value"], 50.0)
        self.assertFalse(results[self.ka_user2.id]["has_data"])


@tagged("post_install", "-at_install")
class TestDealRevisit(EngagementCase):
    """Seed 001 (资源库 2.1.5): a revisit within a month of a deal. A confirmed
    order on a key account asks its owner for a visit or contact within 30
    days (Settings), a call on the account; the deal is late when none is
    recorded by then, in the owner's day."""

    def _revisit_call(self, account, order):
        return account.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_call")
            and order.name in a.summary
        )

    def test_asked_then_late_at_the_boundary(self):
        SaleOrder = self.env["sale.order"]
        # 2 March, 11:00 in Shanghai
        with freeze_time(datetime(2026, 3, 2, 3, 0)):
            order = self._order(self.account, 1000)
        self.assertEqual(order.ka_revisit_user_id, self.ka_user)
        self.assertEqual(order.ka_revisit_due, date(2026, 4, 1))
        call = self._revisit_call(self.account, order)
        self.assertEqual(len(call), 1)
        self.assertEqual(call.user_id, self.ka_user, "the owner, not a colleague")
        self.assertEqual(call.date_deadline, date(2026, 4, 1))
        # the due day's last minute in Shanghai: in time
        with freeze_time(datetime(2026, 4, 1, 15, 59)):
            SaleOrder._ka_cron_revisits()
        self.assertFalse(order.ka_revisit_late)
        # 2 April in Shanghai: late, in the manager's list
        with freeze_time(datetime(2026, 4, 1, 16, 0)):
            SaleOrder._ka_cron_revisits()
        self.assertTrue(order.ka_revisit_late)
        self.assertIn(
            order,
            SaleOrder.with_user(self.ka_manager).search(
                [("ka_revisit_late", "=", True)]
            ),
        )
        # nobody sets the revisit by hand, the owner nor a manager
        for user in (self.ka_user, self.ka_manager):
            with self.assertRaises(AccessError):
                order.with_user(user).write({"ka_revisit_late": False})
        # the call done afterwards: revisited, still late
        with freeze_time(datetime(2026, 4, 3, 3, 0)):
            call.with_user(self.ka_user).action_feedback("Called the buyer")
        self.assertEqual(order.ka_revisit_done, date(2026, 4, 3))
        self.assertTrue(order.ka_revisit_late)

    def test_revisited_in_time_and_the_indicator(self):
        """A visit done in time answers the deal; a contact dated before a
        deal does not answer it; a person key account is asked too. The
        indicator: deals whose revisit was due in the period, revisited or
        late, in time ÷ all of them, for the owner."""
        person = self._account("Pat Person", is_company=False, user_id=self.ka_user.id)
        with freeze_time(datetime(2026, 3, 2, 3, 0)):
            in_time = self._order(self.account, 1000)
        with freeze_time(datetime(2026, 3, 20, 3, 0)):
            visit = self._visit(date_start=datetime(2026, 3, 20, 1, 0))
            visit.action_submit()
            visit.with_user(self.ka_manager).action_approve()
            visit.write(
                {
                    **self._visit_record_vals(date(2026, 3, 20)),
                    "next_visit_date": date(2026, 3, 20),
                }
            )
            visit.action_done()
        self.assertEqual(in_time.ka_revisit_done, date(2026, 3, 20))
        self.assertFalse(in_time.ka_revisit_late)
        with freeze_time(datetime(2026, 3, 25, 3, 0)):
            late = self._order(person, 500)
        self.assertEqual(late.ka_revisit_user_id, self.ka_user)
        self.assertEqual(late.ka_revisit_due, date(2026, 4, 24))
        with freeze_time(datetime(2026, 3, 26, 3, 0)):
            person._ka_register_followup("contact", date(2026, 3, 21))
        self.assertFalse(late.ka_revisit_done, "a contact before the deal")
        with freeze_time(datetime(2026, 5, 1, 3, 0)):
            self.env["sale.order"]._ka_cron_revisits()
        self.assertTrue(late.ka_revisit_late)
        indicator = self.env.ref(
            "key_account.key_account_kpi_indicator_revisit_timeliness"
        )
        results = indicator._kpi_compute(
            self.ka_user | self.ka_user2, date(2026, 3, 1), date(2026, 4, 30)
        )
        self.assertAlmostEqual(results[self.ka_user.id]["value"], 50.0)
        self.assertEqual(
            self.env["sale.order"].search(results[self.ka_user.id]["domain"]),
            in_time | late,
        )
        self.assertFalse(results[self.ka_user2.id]["has_data"])

    def test_the_days_are_a_setting(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "key_account.deal_revisit_days", 10
        )
        with freeze_time(datetime(2026, 3, 2, 3, 0)):
            order = self._order(self.account, 1000)
        self.assertEqual(order.ka_revisit_due, date(2026, 3, 12))
