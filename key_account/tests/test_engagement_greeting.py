from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form
from odoo.tests import tagged

from .common import HOSTILE_CONTEXT
from .common import EngagementCase

GREETING = "key_account.mail_activity_type_ka_greeting"
# 20:00 UTC on the 6th is 04:00 on the 7th in the owners' time zone
EVENING_UTC = "2027-05-06 20:00:00"


@tagged("post_install", "-at_install")
class TestGreetings(EngagementCase):
    """Birthdays, holidays and key-account anniversaries (seed 001 资源库
    2.1.1; seed 002 二(五)1) give the owner an activity a few days ahead,
    once, and offer to prepare a gift."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("key_account.greeting_days", 3)
        # the shipped holidays are not the tests' business
        cls.env["key_account.holiday"].search([]).active = False
        cls.person = cls._account("Wendy Wu", is_company=False, user_id=cls.ka_user.id)
        cls.env["key_account.file"].create(
            {"partner_id": cls.person.id, "date_of_birth": date(1980, 5, 10)}
        )
        cls.Greeting = cls.env["key_account.greeting"]

    def _cron(self, when=EVENING_UTC):
        with freeze_time(when):
            return self.Greeting._ka_cron_greetings()

    def _greetings(self, partner, occasion=None):
        domain = [("partner_id", "=", partner.id)]
        if occasion:
            domain.append(("occasion", "=", occasion))
        return self.Greeting.search(domain)

    def test_birthday_days_ahead_in_the_owner_s_day(self):
        mails = self.env["mail.mail"].search_count([])
        self._cron()
        # an activity, no e-mail
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)
        greeting = self._greetings(self.person, "birthday")
        # in the owner's day (the 7th), the 10th is three days ahead; in
        # UTC's (the 6th) it would be four
        self.assertEqual(len(greeting), 1)
        self.assertEqual(greeting.date, date(2027, 5, 10))
        self.assertEqual(greeting.user_id, self.ka_user)
        activity = greeting.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.activity_type_id, self.env.ref(GREETING))
        self.assertEqual(activity.user_id, self.ka_user)
        self.assertEqual(activity.date_deadline, date(2027, 5, 10))
        self.assertIn("Wendy Wu", activity.summary)

    def test_each_owner_reads_the_activity_in_their_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.ka_user.lang = "zh_CN"
        theirs = self._account("Lee Li", is_company=False, user_id=self.ka_user2.id)
        self.env["key_account.file"].create(
            {"partner_id": theirs.id, "date_of_birth": date(1985, 5, 9)}
        )
        self._cron()
        mine = self._greetings(self.person, "birthday").activity_ids
        lee = self._greetings(theirs, "birthday").activity_ids
        # the day as each reads it: 2027年05月10日 / 05/09/2027
        self.assertRegex(mine.summary, "2027年0?5月10日")
        self.assertNotIn("年", lee.summary)
        self.assertIn("2027", lee.summary)

    def test_days_ahead_is_a_setting(self):
        self.env["ir.config_parameter"].set_param("key_account.greeting_days", 0)
        self._cron()
        self.assertFalse(self._greetings(self.person))
        self._cron("2027-05-10 01:00:00")
        self.assertEqual(len(self._greetings(self.person, "birthday")), 1)

    def test_a_second_run_greets_nobody_twice(self):
        first = self._cron()
        self.assertIn(self.person, first.partner_id)
        second = self._cron("2027-05-07 08:00:00")
        self.assertNotIn(self.person, second.partner_id)
        greeting = self._greetings(self.person, "birthday")
        self.assertEqual(len(greeting), 1)
        self.assertEqual(len(greeting.activity_ids), 1)

    def test_pool_accounts_are_skipped(self):
        pooled = self._account("Pooled Person", is_company=False)
        self.env["key_account.file"].create(
            {"partner_id": pooled.id, "date_of_birth": date(1975, 5, 9)}
        )
        self.env["key_account.holiday"].create(
            {"name": "Labour Day", "date": date(2027, 5, 8)}
        )
        self._cron()
        self.assertFalse(self._greetings(pooled))
        self.assertTrue(self._greetings(self.person, "holiday"))

    def test_anniversary_from_the_first_year_on(self):
        self.account.ka_since = date(2025, 5, 9)
        newcomer = self._account("New This Morning", user_id=self.ka_user.id)
        with freeze_time(EVENING_UTC):
            newcomer.ka_since = date(2027, 5, 7)
        self._cron()
        greeting = self._greetings(self.account, "anniversary")
        self.assertEqual(greeting.date, date(2027, 5, 9))
        self.assertIn("2025", greeting.occasion_label)
        self.assertEqual(greeting.activity_ids.user_id, self.ka_user)
        self.assertFalse(self._greetings(newcomer, "anniversary"))

    def test_holidays_greet_every_account_of_the_owner(self):
        yearly = self.env["key_account.holiday"].create(
            {"name": "Teachers' Day", "date": date(2020, 5, 9), "yearly": True}
        )
        once = self.env["key_account.holiday"].create(
            {"name": "Dragon Boat Festival", "date": date(2027, 5, 8)}
        )
        self.env["key_account.holiday"].create(
            {"name": "Last Year's Fair", "date": date(2026, 5, 8)}
        )
        theirs = self._account("Lee's Co", user_id=self.ka_user2.id)
        self._cron()
        for account in (self.account, self.person, theirs):
            greetings = self._greetings(account, "holiday")
            self.assertEqual(greetings.holiday_id, yearly | once, account.name)
            self.assertEqual(
                sorted(greetings.mapped("date")), [date(2027, 5, 8), date(2027, 5, 9)]
            )
            self.assertEqual(greetings.activity_ids.user_id, account.user_id)
            self.assertEqual(len(greetings.activity_ids), 2)

    def test_a_company_s_holiday_greets_its_accounts_only(self):
        company2 = self.env["res.company"].create({"name": "Second Co"})
        theirs = self.env["key_account.holiday"].create(
            {
                "name": "Founders' Day",
                "date": date(2027, 5, 8),
                "company_id": company2.id,
            }
        )
        own = self._account(
            "Company One Co", user_id=self.ka_user.id, company_id=self.company.id
        )
        self._cron()
        self.assertFalse(self._greetings(own, "holiday"))
        # an account shared by the companies is also the second company's
        greeted = self.Greeting.search([("holiday_id", "=", theirs.id)]).partner_id
        self.assertIn(self.account, greeted)
        self.assertNotIn(own, greeted)

    def test_prepare_a_gift_from_the_greeting(self):
        self._cron()
        greeting = self._greetings(self.person, "birthday").with_user(self.ka_user)
        action = greeting.with_context(**HOSTILE_CONTEXT).action_prepare_gift()
        self.assertEqual(action["res_model"], "key_account.gift")
        Gift = self.env["key_account.gift"].with_user(self.ka_user)
        with Form(Gift.with_context(**action["context"])) as form:
            self.assertEqual(form.partner_id, self.person)
            self.assertEqual(form.recipient_id, self.person)
            self.assertEqual(form.occasion, "Birthday")
            with form.line_ids.new() as line:
                line.product_id = self.product
                line.unit_value = 50
        gift = form.record
        self.assertEqual(gift.user_id, self.ka_user)
        self.assertEqual(gift.recipient_id, self.person)
        # a company's greeting: the account, the recipient left to choose
        self.env["key_account.holiday"].create(
            {"name": "Labour Day", "date": date(2027, 5, 8)}
        )
        self._cron()
        holiday = self._greetings(self.account, "holiday").with_user(self.ka_user)
        context = holiday.action_prepare_gift()["context"]
        self.assertEqual(context["default_partner_id"], self.account.id)
        self.assertEqual(context["default_occasion"], "Labour Day")
        self.assertNotIn("default_recipient_id", context)

    def test_the_owner_s_activity_is_done_by_the_owner(self):
        self._cron()
        activity = self._greetings(self.person, "birthday").activity_ids
        activity.with_user(self.ka_user).action_feedback(feedback="Flowers sent")
        self.assertFalse(activity.exists())

    def test_only_the_owner_and_managers_read_greetings(self):
        self._cron()
        greeting = self._greetings(self.person, "birthday")
        self.assertEqual(
            self.Greeting.with_user(self.ka_user).search(
                [("partner_id", "=", self.person.id)]
            ),
            greeting,
        )
        self.assertTrue(
            self.Greeting.with_user(self.ka_manager).search([("id", "=", greeting.id)])
        )
        for user in (self.ka_user2, self.outsider):
            with self.subTest(user=user.login):
                hostile = greeting.with_user(user).with_context(**HOSTILE_CONTEXT)
                with self.assertRaises(AccessError):
                    hostile.read(["date", "occasion_label"])
                with self.assertRaises(AccessError):
                    hostile.action_prepare_gift()
        self.assertFalse(
            self.Greeting.with_user(self.ka_user2).search(
                [("partner_id", "=", self.person.id)]
            )
        )
        # nobody writes or makes greetings, the owner neither
        with self.assertRaises(AccessError):
            greeting.with_user(self.ka_user).write({"date": date(2027, 6, 1)})
        with self.assertRaises(AccessError):
            self.Greeting.with_user(self.ka_manager).create(
                {
                    "partner_id": self.person.id,
                    "occasion": "birthday",
                    "occasion_key": "birthday",
                    "date": date(2027, 6, 1),
                }
            )

    def test_holidays_are_kept_by_managers(self):
        Holiday = self.env["key_account.holiday"]
        holiday = Holiday.with_user(self.ka_manager).create(
            {"name": "Company Day", "date": date(2027, 8, 1)}
        )
        self.assertTrue(
            Holiday.with_user(self.ka_user).search([("id", "=", holiday.id)])
        )
        with self.assertRaises(AccessError):
            holiday.with_user(self.ka_user).write({"date": date(2027, 8, 2)})
        with self.assertRaises(AccessError):
            Holiday.with_user(self.ka_user).create(
                {"name": "Mine", "date": date(2027, 8, 3)}
            )
        shipped = self.env.ref("key_account.key_account_holiday_spring_festival_2027")
        self.assertEqual(shipped.date, date(2027, 2, 6))
