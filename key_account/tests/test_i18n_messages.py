import re
from datetime import date
from pathlib import Path

import polib
from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged
from odoo.tools import html2plaintext

from .common import EngagementCase
from .test_pool import PoolCase

I18N = Path(__file__).parent.parent / "i18n"
FOLLOWUP = "key_account.mail_activity_type_ka_followup"
CJK = re.compile("[\u4e00-\u9fff]")
# what a text built wrongly shows: a function, an unfilled placeholder
BROKEN = ("<function", "lambda", "%(", "%s", " object at 0x")
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

    def test_every_cron_writes_plain_text_in_the_readers_language(self):
        """Every activity and note the module's scheduled actions write, on
        demo data and on accounts of Sam and Kate (Chinese) and of Lee
        (English), is plain text in its reader's language: the owner of the
        account or document, the user of the activity."""
        self.grade_b.write({"visit_interval_days": 30, "contact_interval_days": 14})
        mine = self._account(
            "Sam's Co", user_id=self.ka_user.id, ka_grade_id=self.grade_b.id
        )
        theirs = self._account(
            "Lee's Co", user_id=self.ka_user2.id, ka_grade_id=self.grade_b.id
        )
        (mine | theirs).write({"ka_last_contact_date": date(2026, 1, 1)})
        # each gets the other's follow-up activities, Kate those of both
        self.env["key_account.team.member"].create(
            [
                {"partner_id": mine.id, "user_id": self.ka_user2.id},
                {"partner_id": theirs.id, "user_id": self.ka_user.id},
                {"partner_id": mine.id, "user_id": self.ka_manager.id},
                {"partner_id": theirs.id, "user_id": self.ka_manager.id},
            ]
        ).followup_activities = True
        # the pool: returned (claimed long ago), warned (claimed lately)
        returned = self._claimed(day="2026-01-01")
        returned_theirs = self._claimed(
            user=self.ka_user2, day="2026-01-01", name="Lee's returned"
        )
        warned = self._claimed(day="2026-03-05", name="Sam's warned")
        warned_theirs = self._claimed(
            user=self.ka_user2, day="2026-03-05", name="Lee's warned"
        )
        # plans of 2025, closed by the cron
        plans = self.env["key_account.plan"].create(
            [
                {
                    "partner_id": account.id,
                    "date_from": date(2025, 1, 1),
                    "objective_ids": [
                        Command.create(
                            {"name": "Sell", "measure": "sales", "target_amount": 1}
                        )
                    ],
                }
                for account in (mine, theirs)
            ]
        )
        plans._ka_workflow_write({"state": "approved"})
        readers = {
            ("res.partner", partner.id): user
            for partner, user in (
                (mine, self.ka_user),
                (returned, self.ka_user),
                (warned, self.ka_user),
                (theirs, self.ka_user2),
                (returned_theirs, self.ka_user2),
                (warned_theirs, self.ka_user2),
            )
        }
        Activity = self.env["mail.activity"]
        Message = self.env["mail.message"]
        last_activity = Activity.search([], order="id desc", limit=1).id
        last_message = Message.search([], order="id desc", limit=1).id
        crons = self.env["ir.cron"].search(
            [("ir_actions_server_id.model_id.model", "!=", False)]
        )
        crons = crons.filtered(
            lambda cron: self.env["ir.model.data"]
            .search([("model", "=", "ir.cron"), ("res_id", "=", cron.id)])
            .module
            == "key_account"
        )
        self.assertGreaterEqual(len(crons), 8)
        with freeze_time("2026-04-01 06:00:00"):
            for cron in crons:
                cron.method_direct_trigger()
        activities = Activity.search([("id", ">", last_activity)])
        messages = Message.search(
            [
                ("id", ">", last_message),
                ("message_type", "in", ("comment", "notification")),
            ]
        )
        seen = {"zh_CN": 0, "en_US": 0}
        for activity in activities:
            for text in (activity.summary, html2plaintext(activity.note or "")):
                self._assert_plain(
                    text, activity.user_id, activity.activity_type_id.name
                )
            seen[activity.user_id.lang or "en_US"] += 1
        for message in messages:
            record = self.env[message.model].browse(message.res_id)
            reader = readers.get((message.model, message.res_id))
            if reader is None and "user_id" in record._fields:
                reader = record.user_id
            self._assert_plain(html2plaintext(message.body), reader, message.model)
        self.assertTrue(seen["zh_CN"] and seen["en_US"], seen)
        # the team members got their follow-up activities, each in theirs
        followups = self._activities(mine | theirs, FOLLOWUP)
        self.assertEqual(
            set(followups.mapped("user_id")),
            {self.ka_user, self.ka_user2, self.ka_manager},
        )
        self.assertEqual(len(followups), 6)
        self.assertTrue(messages.filtered(lambda m: m.model == "key_account.plan"))
        self.assertTrue(
            messages.filtered(lambda m: m.res_id in (returned | warned).ids)
        )

    def _assert_plain(self, text, reader, where):
        """``text`` is plain text, in the language of ``reader`` (when known:
        Chinese with at least one Chinese character, English with none)."""
        for broken in BROKEN:
            self.assertNotIn(broken, text or "", f"{where}: {text}")
        if not text or not reader:
            return
        if reader.lang == "zh_CN":
            self.assertRegex(text, CJK, f"{where}, for {reader.name}: {text}")
        else:
            self.assertNotRegex(text, CJK, f"{where}, for {reader.name}: {text}")
