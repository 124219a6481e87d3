from datetime import date
from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import EngagementCase

FOLLOWUP = "key_account.mail_activity_type_ka_followup"


@tagged("post_install", "-at_install")
class TestEngagementCadence(EngagementCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the shipped cadence, stated here
        cls.grade_a.write({"visit_interval_days": 30, "contact_interval_days": 15})
        cls.grade_b.write({"visit_interval_days": 30, "contact_interval_days": 14})
        cls.grade_c.write({"visit_interval_days": 0, "contact_interval_days": 30})

    def _followups(self, partners):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", partners.ids),
                ("activity_type_id", "=", self.env.ref(FOLLOWUP).id),
            ]
        )

    def _graded(self, grade, last_contact, last_visit=None):
        partner = self._account(
            f"Account {grade.name}",
            user_id=self.ka_user.id,
            ka_grade_id=grade.id,
            ka_since=date(2026, 1, 1),
        )
        partner.write(
            {"ka_last_contact_date": last_contact, "ka_last_visit_date": last_visit}
        )
        return partner

    def test_next_dates_per_grade(self):
        a = self._graded(self.grade_a, date(2026, 3, 1), date(2026, 2, 20))
        self.assertEqual(a.ka_next_contact_date, date(2026, 3, 16))
        self.assertEqual(a.ka_next_visit_date, date(2026, 3, 22))
        self.assertEqual(a.ka_next_followup_date, date(2026, 3, 16))
        c = self._graded(self.grade_c, date(2026, 3, 1))
        self.assertFalse(c.ka_next_visit_date)  # no visits due for C
        self.assertEqual(c.ka_next_followup_date, date(2026, 3, 31))
        d = self._graded(self.grade_d, date(2026, 3, 1))
        self.assertFalse(d.ka_next_followup_date)
        # never contacted: due from the day it became a key account
        b = self._graded(self.grade_b, False)
        self.assertEqual(b.ka_next_contact_date, date(2026, 1, 15))

    def test_overdue_account_for_each_grade(self):
        a = self._graded(self.grade_a, date(2026, 3, 1), date(2026, 3, 1))
        b = self._graded(self.grade_b, date(2026, 3, 1), date(2026, 3, 1))
        c = self._graded(self.grade_c, date(2026, 3, 1))
        accounts = a | b | c
        Partner = self.env["res.partner"]
        domain = [("id", "in", accounts.ids), ("ka_followup_overdue", "=", True)]
        with freeze_time("2026-03-15"):
            self.assertFalse(Partner.search(domain))
            self.assertFalse(any(accounts.mapped("ka_followup_overdue")))
        with freeze_time("2026-03-16"):  # B: 14 days
            self.assertEqual(Partner.search(domain), b)
        with freeze_time("2026-03-17"):  # A: 15 days
            self.assertEqual(Partner.search(domain), a | b)
            accounts.invalidate_recordset(["ka_followup_overdue"])
            self.assertEqual(accounts.filtered("ka_followup_overdue"), a | b)
        with freeze_time("2026-04-01"):  # C: 30 days
            self.assertEqual(Partner.search(domain), accounts)
            self.assertFalse(
                Partner.search(
                    [("id", "in", accounts.ids), ("ka_followup_overdue", "=", False)]
                )
            )
        # a visit (also a contact) moves the next dates on
        b._ka_register_followup("visit", date(2026, 3, 31))
        with freeze_time("2026-04-01"):
            self.assertEqual(Partner.search(domain), a | c)

    def test_cron_twice_creates_one_activity(self):
        a = self._graded(self.grade_a, date(2026, 3, 1), date(2026, 3, 1))
        c = self._graded(self.grade_c, date(2026, 3, 1))
        with freeze_time("2026-03-20"):
            Partner = self.env["res.partner"]
            Partner._ka_cron_followup()
            Partner._ka_cron_followup()
            self.env.ref(
                "key_account.ir_cron_key_account_followup"
            ).method_direct_trigger()
        activities = self._followups(a | c)
        self.assertEqual(activities.mapped("res_id"), a.ids)
        self.assertEqual(activities.user_id, self.ka_user)
        # once done (a contact), the next cycle starts from that day
        with freeze_time("2026-03-21"):
            activities.action_done()
        self.assertEqual(a.ka_last_contact_date, date(2026, 3, 21))
        with freeze_time("2026-03-22"):
            self.env["res.partner"]._ka_cron_followup()
        self.assertFalse(self._followups(a))
        with freeze_time("2026-04-06"):
            self.env["res.partner"]._ka_cron_followup()
        self.assertEqual(len(self._followups(a)), 1)

    def _count_queries(self, partners):
        partners.invalidate_recordset()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        partners.with_user(self.ka_manager).read(
            [
                "ka_visit_count",
                "ka_reception_count",
                "ka_gift_count",
                "ka_engagement_cost",
                "ka_next_followup_date",
                "ka_followup_overdue",
            ]
        )
        return self.env.cr.sql_log_count - before

    def test_smart_buttons_cost_no_query_per_partner(self):
        few = self.account | self._account("Second Co")
        many = few | self.env["res.partner"].create(
            [{"name": f"Co {i}", "is_company": True} for i in range(20)]
        )
        many.ka_type_id = self.type_strategic
        self._visit(100).action_submit()
        self.env.flush_all()
        self._count_queries(many)  # warm the caches of access rules
        self.assertEqual(self._count_queries(few), self._count_queries(many))
        self.assertEqual(self.account.ka_visit_count, 1)

    def test_quarterly_satisfaction_revisit(self):
        won = self._graded(self.grade_b, date(2026, 1, 5))
        self._order(won, 1000, date(2026, 1, 10))
        prospect = self._graded(self.grade_b, date(2026, 1, 5))  # never ordered
        Feedback = self.env["key_account.feedback"]
        revisit = self.env.ref("key_account.mail_activity_type_ka_revisit")

        def revisits(partners):
            return self.env["mail.activity"].search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", partners.ids),
                    ("activity_type_id", "=", revisit.id),
                ]
            )

        Feedback.create(
            {
                "name": "Q4 revisit",
                "feedback_type": "revisit",
                "partner_id": won.id,
                "user_id": self.ka_user.id,
                "received_date": datetime(2026, 1, 20, 10),
                "satisfaction": 4,
            }
        )
        with freeze_time("2026-04-19"):
            self.env["res.partner"]._ka_cron_followup()
        self.assertFalse(revisits(won | prospect), "scored less than 3 months ago")
        with freeze_time("2026-04-21"):
            self.env["res.partner"]._ka_cron_followup()
            self.env["res.partner"]._ka_cron_followup()
        self.assertEqual(revisits(won | prospect).mapped("res_id"), won.ids)
        self.assertEqual(revisits(won).user_id, self.ka_user)
