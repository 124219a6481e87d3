from datetime import date
from pathlib import Path

import polib
from freezegun import freeze_time

from odoo.tests import tagged

from .common import EngagementCase
from .test_pool import PoolCase

I18N = Path(__file__).parent.parent / "i18n"
FOLLOWUP = "key_account.mail_activity_type_ka_followup"
APPROVE = "key_account.mail_activity_type_ka_approval"


@tagged("post_install", "-at_install")
class TestMessagesInTheirLanguage(EngagementCase, PoolCase):
    """Notes and activities that crons and workflows write for somebody are
    in that person's language, not the language of whoever (or whichever
    scheduled action, in English) writes them: the salesperson Sam and the
    manager Kate read Chinese, their colleagues Lee and Mark English."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            ["key_account"], ["zh_CN"], overwrite=True
        )
        cls.zh = {
            entry.msgid: entry.msgstr for entry in polib.pofile(str(I18N / "zh_CN.po"))
        }
        (cls.ka_user | cls.ka_manager).lang = "zh_CN"
        # the scheduled actions run in English
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))

    def _zh(self, msgid, **values):
        self.assertTrue(self.zh.get(msgid), msgid)
        return self.zh[msgid] % values

    def _activities(self, records, xmlid):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", records._name),
                ("res_id", "in", records.ids),
                ("activity_type_id", "=", self.env.ref(xmlid).id),
            ]
        )

    def _last_note(self, record):
        return record.message_ids.sorted("id")[-1].body

    def test_regrade_notes(self):
        mine = self._account(
            "Sam's Co", user_id=self.ka_user.id, company_id=self.company.id
        )
        theirs = self._account(
            "Lee's Co", user_id=self.ka_user2.id, company_id=self.company.id
        )
        for partner in mine | theirs:
            self._order(partner, 250_000)
        (mine | theirs)._ka_regrade()
        grade_b_zh = self.grade_b.with_context(lang="zh_CN").name
        self.assertIn(
            self._zh(
                "Re-graded from %(old)s to %(new)s.",
                old=self.zh["no grade"],
                new=grade_b_zh,
            ),
            self._last_note(mine),
        )
        self.assertIn(
            f"Re-graded from no grade to {self.grade_b.name}.",
            self._last_note(theirs),
        )

    def test_followup_due_activities(self):
        self.grade_b.write({"visit_interval_days": 30, "contact_interval_days": 14})
        mine = self._account(
            "Sam's Co", user_id=self.ka_user.id, ka_grade_id=self.grade_b.id
        )
        theirs = self._account(
            "Lee's Co", user_id=self.ka_user2.id, ka_grade_id=self.grade_b.id
        )
        (mine | theirs).write({"ka_last_contact_date": date(2026, 3, 1)})
        with freeze_time("2026-03-20"):
            self.env["res.partner"]._ka_cron_followup()
        self.assertEqual(
            self._activities(mine, FOLLOWUP).summary,
            self._zh("Key-account follow-up due"),
        )
        self.assertEqual(
            self._activities(theirs, FOLLOWUP).summary, "Key-account follow-up due"
        )

    def test_pool_warning_and_return(self):
        mine = self._claimed(day="2026-01-01")
        theirs = self._claimed(user=self.ka_user2, day="2026-01-01", name="Lee's")
        claimed = self._last_note(mine)
        self.assertIn(self.zh["Claim"], claimed)
        self.assertIn(
            self._zh(
                "From the pool to %(to)s, by %(by)s.",
                to="Sam Salesman",
                by="Sam Salesman",
            ),
            claimed,
        )
        self._cron("2026-01-24")  # 7 days before the return
        self.assertEqual(
            self._warnings(mine).summary,
            self._zh("Follow up before it returns to the pool"),
        )
        self.assertEqual(
            self._warnings(theirs).summary, "Follow up before it returns to the pool"
        )
        self.assertIn(
            self._zh(
                "This key account goes back to the pool on %(date)s without a "
                "follow-up (visit, call, e-mail or meeting).",
                date="2026-01-31",
            ),
            self._last_note(mine),
        )
        self.assertIn("goes back to the pool on 2026-01-31", self._last_note(theirs))
        self._cron("2026-01-31")
        self.assertFalse(mine.user_id)
        note = self._last_note(mine)
        self.assertIn(self._zh("No follow-up in time: returned to the pool."), note)
        self.assertIn(
            self._zh(
                "From %(from)s to the pool, by %(by)s.",
                by=self.env.user.name,
                **{"from": "Sam Salesman"},
            ),
            note,
        )
        self.assertIn(
            "No follow-up in time: returned to the pool.", self._last_note(theirs)
        )

    def test_approval_requests_and_answers(self):
        visit = self._visit()
        visit.action_submit()
        line = visit._ka_current_line()
        activities = self._activities(visit, APPROVE)
        by_user = {activity.user_id: activity.summary for activity in activities}
        self.assertEqual(
            by_user[self.ka_manager], self._zh("Approve: %(level)s", level=line.name)
        )
        self.assertEqual(by_user[self.ka_manager2], f"Approve: {line.name}")
        # the answers are written for the owner, whoever approves
        visit.with_user(self.ka_manager2).action_approve()
        self.assertIn(
            self._zh("Level %(level)s approved.", level=line.name),
            self._last_note(visit),
        )
        visit.write(self._visit_record_vals(date(2026, 3, 2)))
        visit.action_done()
        followup = self._activities(visit.partner_id, "mail.mail_activity_data_call")
        self.assertEqual(
            followup.summary,
            self._zh("Follow-up of visit %(name)s", name=visit.name),
        )
        refused = self._visit()
        refused.action_submit()
        refused.with_user(self.ka_manager2).action_refuse("Too expensive")
        self.assertIn(
            self._zh("Refused at level %(level)s.", level=line.name),
            self._last_note(refused),
        )

    def test_settlement_cancelled_note(self):
        self.ka_user.ka_commission_plan_id = self.env.ref(
            "key_account.key_account_commission_plan_full_time"
        )
        self._order(self.account, 12_000, date=date(2025, 3, 5), user=self.ka_user)
        settlement = self.env["key_account.commission.settlement"].compute_settlements(
            date(2025, 3, 1), date(2025, 4, 30), users=self.ka_user
        )
        settlement.with_user(self.ka_manager2).action_cancel("Wrong period")
        self.assertIn(
            self._zh("Cancelled: %(reason)s", reason="Wrong period"),
            self._last_note(settlement),
        )
