import re
from datetime import date
from datetime import datetime
from pathlib import Path

import polib

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import HOSTILE_CONTEXT
from .common import EngagementCase

I18N = Path(__file__).parent.parent / "i18n"
SC_STACK = (
    '"Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", '
    '"Source Han Sans SC", sans-serif'
)
# a time with seconds, as 09:00:30 or 09时00分30秒
SECONDS = re.compile(r"\d{1,2}(?::|时)\d{2}(?::|分)\d{2}")


@tagged("post_install", "-at_install")
class TestPrintedForms(EngagementCase):
    """The module's PDF forms as a Chinese salesperson in Shanghai prints
    them: Simplified Chinese glyphs, the letterhead in the page itself, times
    in their time zone without seconds, cells that wrap, signatures."""

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
        cls.ka_user.write({"lang": "zh_CN", "tz": "Asia/Shanghai"})
        cls.company.partner_id.write(
            {"street": "88 Century Avenue", "city": "Pudong", "zip": "200120"}
        )
        cls.company.name = "Huaxin Trading Co"

    def _html(self, report, records, user=None):
        user = user or self.ka_user
        return (
            self.env["ir.actions.report"]
            .with_user(user)
            .with_context(lang=user.lang)
            ._render_qweb_html(report, records.ids)[0]
            .decode()
        )

    def _assert_form(self, html):
        # Simplified Chinese glyphs for zh_CN, not the Japanese variants
        self.assertIn(SC_STACK, html)
        self.assertIn("ka_lang_zh_CN", html)
        self.assertIn('lang="zh-CN"', html)
        self.assertNotIn("CJK JP", html)
        # the letterhead in the page, not in a header wkhtmltopdf may drop
        body = html[html.index('class="page"') :]
        self.assertIn("ka_letterhead", html)
        letterhead = html[
            html.index("ka_letterhead_table") : html.index('class="page"')
        ]
        self.assertIn("Huaxin Trading Co", letterhead)
        self.assertIn("88 Century Avenue", letterhead)
        if self.company.logo:
            self.assertIn("data:image/", letterhead)
        self.assertNotIn('class="header', html)
        # cells wrap
        self.assertIn("word-wrap: break-word", html)
        return body

    def test_visit_form(self):
        visit = self._visit(date_start=datetime(2026, 3, 2, 1, 0, 30))
        visit.date_end = datetime(2026, 3, 2, 3, 30, 45)
        html = self._html("key_account.key_account_visit_report", visit)
        body = self._assert_form(html)
        self.assertIn(self.zh["Visit Plan and Record"], body)
        # 01:00:30 UTC is 09:00 in Shanghai, printed without seconds
        self.assertIn("09时00分", body)
        self.assertNotIn("09时00分30", body)
        self.assertIn("11时30分", body)
        self.assertNotIn("01时00分", body)
        self.assertNotIn("秒", body)
        self.assertFalse(SECONDS.search(body), SECONDS.findall(body))
        # the approvals table: approval times in the time zone, no seconds
        visit.action_submit()
        visit.with_user(self.ka_manager).action_approve()
        body = self._assert_form(
            self._html("key_account.key_account_visit_report", visit)
        )
        self.assertFalse(SECONDS.search(body), SECONDS.findall(body))
        self.assertIn(self.zh["Key-Account Manager"], body)

    def test_reception_and_gift_forms(self):
        reception = (
            self.env["key_account.reception"]
            .with_user(self.ka_user)
            .create(
                {
                    "partner_id": self.account.id,
                    "guest_ids": [(6, 0, self.buyer.ids)],
                    "guest_count": 2,
                    "purpose": "visiting_customer",
                    "date_start": datetime(2026, 3, 2, 10, 15, 59),
                }
            )
        )
        body = self._assert_form(
            self._html("key_account.key_account_reception_report", reception)
        )
        self.assertIn("18时15分", body)
        self.assertNotIn("秒", body)
        self.assertFalse(SECONDS.search(body), SECONDS.findall(body))

    def test_settlement_statement_signatures(self):
        self.ka_user.ka_commission_plan_id = self.env.ref(
            "key_account.key_account_commission_plan_full_time"
        )
        self._order(self.account, 12_000, date=date(2025, 3, 5), user=self.ka_user)
        settlement = (
            self.env["key_account.commission.settlement"]
            .with_user(self.ka_manager)
            .compute_settlements(
                date(2025, 3, 1), date(2025, 4, 30), users=self.ka_user
            )
        )
        # who approved is the confirmation's, not a client's
        for field, value in (
            ("confirmed_by_id", self.ka_manager2.id),
            ("confirmed_date", "2025-05-01 10:00:00"),
        ):
            with self.assertRaises(AccessError):
                settlement.with_user(self.ka_manager2).with_context(
                    **HOSTILE_CONTEXT
                ).write({field: value})
        settlement.action_confirm()
        self.assertEqual(settlement.confirmed_by_id, self.ka_manager)
        self.assertTrue(settlement.confirmed_date)
        html = self._html(
            "key_account.key_account_commission_settlement_report", settlement
        )
        body = self._assert_form(html)
        signatures = body[body.index("ka_signatures") :]
        for label in ("Prepared by", "Approved by", "Received by"):
            self.assertTrue(self.zh.get(label), label)
            self.assertIn(self.zh[label], signatures)
        self.assertIn("Kate Manager", signatures)
        self.assertIn("Sam Salesman", signatures)
        self.assertEqual(signatures.count(self.zh["Date:"]), 3)
        # the salesperson cannot edit it, yet prints it
        self.assertIn(self.zh["Commission Statement:"], body)

    def test_account_plan_form(self):
        """The Account Plan in the module's layout (letterhead in the page,
        Simplified Chinese glyphs), signed by its owner and each approver."""
        plan = (
            self.env["key_account.plan"]
            .with_user(self.ka_user)
            .create(
                {
                    "partner_id": self.account.id,
                    "date_from": date(2026, 1, 1),
                    "budget_visits": 6000,
                    "objective_ids": [
                        Command.create(
                            {
                                "name": "Sell 10,000",
                                "measure": "sales",
                                "target_amount": 10_000,
                            }
                        )
                    ],
                }
            )
        )
        body = self._assert_form(
            self._html("key_account.key_account_plan_report", plan)
        )
        self.assertIn(self.zh["Key Account Plan"], body)
        signatures = body[body.index("ka_signatures") :]
        self.assertIn(self.zh["Owner"], signatures)
        self.assertIn("Sam Salesman", signatures)
        # a column to sign for the approval still to come, dates to write
        self.assertEqual(signatures.count("ka_sign_approver"), 1)
        self.assertEqual(signatures.count("ka_sign_date"), 2)
        # approved through both levels: each approver signs, with the date
        plan.action_submit()
        plan.with_user(self.ka_manager).action_approve()
        plan.with_user(self.ka_approver).action_approve()
        self.assertEqual(plan.state, "approved")
        body = self._assert_form(
            self._html("key_account.key_account_plan_report", plan)
        )
        signatures = body[body.index("ka_signatures") :]
        self.assertEqual(signatures.count("ka_sign_approver"), 2)
        self.assertIn("Kate Manager", signatures)
        self.assertIn(self.ka_approver.name, signatures)
        self.assertIn(plan._ka_current_round()[-1].name, signatures)
        self.assertEqual(signatures.count("ka_sign_date"), 3)
        approved_on = plan.approval_line_ids[-1:].done_date
        self.assertIn(str(approved_on.year), signatures)

    def test_english_form_keeps_its_font(self):
        self.ka_user2.tz = "Europe/Paris"
        visit = self._visit(date_start=datetime(2026, 3, 2, 8, 5, 30))
        html = self._html(
            "key_account.key_account_visit_report", visit, user=self.ka_user2
        )
        self.assertIn("ka_lang_en_US", html)
        self.assertIn('lang="en-US"', html)
        self.assertIn("Visit Plan and Record", html)
        self.assertIn("Huaxin Trading Co", html)
        self.assertIn("09:05", html)
        self.assertFalse(SECONDS.search(html), SECONDS.findall(html))
