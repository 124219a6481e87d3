import ast
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.modules import module as odoo_module
from odoo.tests import Form
from odoo.tests import tagged
from odoo.tools import config

from .common import KeyAccountCase

# what the pool views may show to every Key Accounts user
POOL_FIELDS = {
    "name",
    "ka_type_id",
    "ka_grade_id",
    "city",
    "industry_id",
    "ka_last_order_date",
    "ka_pool_days",
    "ka_pool_team_id",
}


class PoolCase(KeyAccountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the shipped defaults, stated here so that tests read on their own
        cls.company.write(
            {
                "ka_pool_followup_days": 30,
                "ka_pool_order_days": 90,
                "ka_pool_warning_days": 7,
                "ka_pool_order_exempt_days": 30,
                "ka_pool_max_owned": 50,
                "ka_pool_max_claims_per_day": 5,
                "ka_pool_cooldown_days": 30,
            }
        )
        (cls.grade_a | cls.grade_b | cls.grade_c | cls.grade_d).write(
            {
                "ka_pool_followup_days": 0,
                "ka_pool_order_days": 0,
                "ka_pool_warning_days": 0,
            }
        )
        cls.Log = cls.env["key_account.pool.log"]
        # the key accounts there before the tests (demo data) stay out of
        # the cron's figures: locked accounts never return
        cls.env["res.partner"].search([("ka_type_id", "!=", False)]).write(
            {"ka_grade_locked": True}
        )

    @classmethod
    def _pool_account(cls, name="Pool Co", **vals):
        partner = cls._account(name=name, ka_type_id=cls.type_potential.id, **vals)
        partner.flush_recordset()  # "key account since" today, not when read
        return partner

    def _logs(self, partner):
        return self.Log.search([("partner_id", "=", partner.id)], order="id")

    def _warnings(self, partner):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                (
                    "activity_type_id",
                    "=",
                    self.env.ref("key_account.mail_activity_type_pool_warning").id,
                ),
            ]
        )

    def _claimed(self, user=None, day="2026-01-01", **vals):
        """A potential-type account claimed by ``user`` on ``day``."""
        with freeze_time(day):
            partner = self._pool_account(**vals)
            partner.with_user(user or self.ka_user).action_ka_claim()
        return partner

    def _cron(self, day):
        with freeze_time(day):
            return self.env["res.partner"]._ka_cron_pool_return()


@tagged("post_install", "-at_install")
class TestPoolSettings(PoolCase):
    def test_settings_write_company_rules(self):
        settings = self.env["res.config.settings"].create({})
        settings.ka_pool_followup_days = 45
        settings.ka_pool_max_claims_per_day = 3
        settings.execute()
        self.assertEqual(self.company.ka_pool_followup_days, 45)
        self.assertEqual(self.company.ka_pool_max_claims_per_day, 3)

    def test_zero_or_negative_days_refused(self):
        for fname in (
            "ka_pool_followup_days",
            "ka_pool_order_days",
            "ka_pool_warning_days",
        ):
            for value in (0, -1):
                with self.subTest(fname=fname, value=value):
                    with self.assertRaises(ValidationError), self.env.cr.savepoint():
                        self.company.write({fname: value})
                    self.company.invalidate_recordset()
                    self.assertGreater(self.company[fname], 0)
        for fname in ("ka_pool_max_owned", "ka_pool_cooldown_days"):
            with self.assertRaises(ValidationError):
                self.company.write({fname: -1})

    def test_warning_not_before_return_period(self):
        # as in a request, the failed write is rolled back
        with (
            self.assertRaisesRegex(ValidationError, "warning"),
            self.env.cr.savepoint(),
        ):
            self.company.write({"ka_pool_warning_days": 30})
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.company.write({"ka_pool_order_days": 7})
        self.company.invalidate_recordset()
        self.assertEqual(self.company.ka_pool_warning_days, 7)
        self.assertEqual(self.company.ka_pool_order_days, 90)
        # one day shorter is fine
        self.company.write({"ka_pool_warning_days": 29})

    def test_grade_override_validated(self):
        with self.assertRaises(ValidationError):
            self.grade_b.ka_pool_followup_days = -5
        with self.assertRaises(ValidationError):
            # 5 days is shorter than the company's 7-day warning
            self.grade_b.ka_pool_followup_days = 5
        self.grade_b.write({"ka_pool_followup_days": 5, "ka_pool_warning_days": 2})
        self.assertEqual(self.grade_b._ka_pool_periods(self.company), (5, 90, 2))
        self.assertEqual(self.grade_c._ka_pool_periods(self.company), (30, 90, 7))

    def test_never_return_types_shipped(self):
        self.assertTrue(self.type_strategic.ka_pool_never_return)
        self.assertTrue(
            self.env.ref("key_account.key_account_type_important").ka_pool_never_return
        )
        self.assertFalse(self.type_potential.ka_pool_never_return)


@tagged("post_install", "-at_install")
class TestPoolActions(PoolCase):
    def test_claim(self):
        partner = self._pool_account()
        self.assertFalse(partner.user_id)
        with freeze_time("2026-02-01 10:00:00"):
            partner.with_user(self.ka_user).action_ka_claim()
        self.assertEqual(partner.user_id, self.ka_user)
        self.assertEqual(str(partner.ka_owner_since), "2026-02-01 10:00:00")
        self.assertFalse(partner.ka_pool_since)
        log = self._logs(partner)
        self.assertEqual(len(log), 1)
        self.assertRecordValues(
            log,
            [
                {
                    "action": "claim",
                    "from_user_id": False,
                    "to_user_id": self.ka_user.id,
                    "salesperson_id": self.ka_user.id,
                    "company_id": self.company.id,
                }
            ],
        )
        self.assertIn("Claim", partner.message_ids[0].body)

    def test_claim_owned_account_refused(self):
        partner = self._pool_account()
        partner.with_user(self.ka_user).action_ka_claim()
        with self.assertRaisesRegex(UserError, "already claimed by Sam Salesman"):
            partner.with_user(self.ka_user2).action_ka_claim()
        with self.assertRaisesRegex(UserError, "already own"):
            partner.with_user(self.ka_user).action_ka_claim()
        self.assertEqual(partner.user_id, self.ka_user)
        self.assertEqual(len(self._logs(partner)), 1)

    def test_claim_needs_key_account_user_and_key_account(self):
        partner = self._pool_account()
        with self.assertRaises(AccessError):
            partner.with_user(self.outsider).action_ka_claim()
        plain = self.env["res.partner"].create({"name": "Not a KA", "is_company": True})
        with self.assertRaisesRegex(UserError, "not a key account"):
            plain.with_user(self.ka_user).action_ka_claim()
        self.assertFalse(partner.user_id or plain.user_id)

    def test_owner_cannot_be_written_by_a_salesperson(self):
        partner = self._pool_account()
        with self.assertRaises(AccessError):
            partner.with_user(self.ka_user).write({"user_id": self.ka_user.id})
        self.assertFalse(partner.user_id)
        # a manager may, and it is logged
        partner.with_user(self.ka_manager).write({"user_id": self.ka_user2.id})
        self.assertEqual(partner.user_id, self.ka_user2)
        self.assertRecordValues(
            self._logs(partner), [{"action": "assign", "to_user_id": self.ka_user2.id}]
        )
        # other partners are not concerned
        plain = self.env["res.partner"].create({"name": "Plain"})
        plain.with_user(self.ka_user).write({"user_id": self.ka_user.id})
        self.assertEqual(plain.user_id, self.ka_user)

    def test_release(self):
        partner = self._claimed()
        with self.assertRaisesRegex(UserError, "Say why"):
            partner.with_user(self.ka_user).action_ka_release("  ")
        with self.assertRaisesRegex(UserError, "only release your own"):
            partner.with_user(self.ka_user2).action_ka_release("Not mine")
        self.assertEqual(partner.user_id, self.ka_user)
        with freeze_time("2026-02-01 09:00:00"):
            partner.with_user(self.ka_user).action_ka_release("No budget this year")
        self.assertFalse(partner.user_id)
        self.assertEqual(str(partner.ka_pool_since), "2026-02-01 09:00:00")
        self.assertRecordValues(
            self._logs(partner)[-1],
            [
                {
                    "action": "release",
                    "from_user_id": self.ka_user.id,
                    "to_user_id": False,
                    "reason": "No budget this year",
                }
            ],
        )
        self.assertIn("No budget this year", partner.message_ids[0].body)
        with self.assertRaisesRegex(UserError, "already in the pool"):
            partner.with_user(self.ka_user).action_ka_release("again")

    def test_release_wizard(self):
        partner = self._claimed()
        action = partner.with_user(self.ka_user).action_ka_open_release()
        wizard = Form(
            self.env["key_account.pool.wizard"]
            .with_user(self.ka_user)
            .with_context(**action["context"])
        )
        wizard.reason = "Moved abroad"
        wizard.save().action_confirm()
        self.assertFalse(partner.user_id)
        self.assertEqual(self._logs(partner)[-1].reason, "Moved abroad")

    def test_manager_releases_any_account(self):
        partner = self._claimed()
        partner.with_user(self.ka_manager).action_ka_release("Reorganisation")
        self.assertFalse(partner.user_id)

    def test_cap_owned(self):
        self.company.ka_pool_max_owned = 2
        self._claimed()
        self._claimed(day="2026-01-02")
        third = self._pool_account()
        with self.assertRaisesRegex(UserError, "cap is 2"):
            third.with_user(self.ka_user).action_ka_claim()
        self.assertFalse(third.user_id)
        self.assertFalse(self._logs(third))
        # another salesperson still can
        third.with_user(self.ka_user2).action_ka_claim()

    def test_cap_claims_per_day(self):
        self.company.ka_pool_max_claims_per_day = 2
        accounts = [self._pool_account(name=f"Co {i}") for i in range(5)]
        with freeze_time("2026-03-02 08:00:00"):
            accounts[0].with_user(self.ka_user).action_ka_claim()
            accounts[1].with_user(self.ka_user).action_ka_claim()
            with self.assertRaisesRegex(UserError, "claimed 2 key accounts today"):
                accounts[2].with_user(self.ka_user).action_ka_claim()
            # two at once is refused as a whole
            with self.assertRaises(UserError):
                (accounts[2] | accounts[3] | accounts[4]).with_user(
                    self.ka_user2
                ).action_ka_claim()
        self.assertFalse(accounts[2].user_id or accounts[3].user_id)
        with freeze_time("2026-03-03 08:00:00"):
            accounts[2].with_user(self.ka_user).action_ka_claim()
        self.assertEqual(accounts[2].user_id, self.ka_user)

    def test_cooldown(self):
        partner = self._claimed()
        with freeze_time("2026-01-10 12:00:00"):
            partner.with_user(self.ka_user).action_ka_release("Too far")
        with (
            freeze_time("2026-02-09 11:59:00"),
            self.assertRaisesRegex(UserError, "claim it again 30 days"),
        ):
            partner.with_user(self.ka_user).action_ka_claim()
        self.assertFalse(partner.user_id)
        with freeze_time("2026-02-09 12:01:00"):
            partner.with_user(self.ka_user).action_ka_claim()
        self.assertEqual(partner.user_id, self.ka_user)

    def test_cooldown_does_not_stop_others(self):
        partner = self._claimed()
        partner.with_user(self.ka_user).action_ka_release("Too far")
        partner.with_user(self.ka_user2).action_ka_claim()
        self.assertEqual(partner.user_id, self.ka_user2)

    def test_assign_managers_only(self):
        partner = self._pool_account()
        with self.assertRaises(AccessError):
            partner.with_user(self.ka_user).action_ka_assign(self.ka_user)
        with self.assertRaisesRegex(UserError, "not a Key Accounts user"):
            partner.with_user(self.ka_manager).action_ka_assign(self.outsider)
        self.assertFalse(partner.user_id)
        partner.with_user(self.ka_manager).action_ka_assign(self.ka_user, "Region")
        self.assertRecordValues(
            self._logs(partner),
            [
                {
                    "action": "assign",
                    "to_user_id": self.ka_user.id,
                    "done_by_id": self.ka_manager.id,
                    "caps_overridden": False,
                }
            ],
        )

    def test_assign_over_cap_needs_override_and_reason(self):
        self.company.ka_pool_max_owned = 1
        self._claimed()
        partner = self._pool_account()
        manager_partner = partner.with_user(self.ka_manager)
        with self.assertRaisesRegex(UserError, "cap is 1"):
            manager_partner.action_ka_assign(self.ka_user)
        with self.assertRaisesRegex(UserError, "override"):
            manager_partner.action_ka_assign(self.ka_user, override_caps=True)
        self.assertFalse(partner.user_id)
        manager_partner.action_ka_assign(
            self.ka_user, reason="Knows the buyer", override_caps=True
        )
        self.assertEqual(partner.user_id, self.ka_user)
        self.assertTrue(self._logs(partner).caps_overridden)

    def test_bulk_assign_wizard(self):
        accounts = self._pool_account(name="A") | self._pool_account(name="B")
        previous = self._claimed(user=self.ka_user2)
        accounts |= previous
        wizard = Form(
            self.env["key_account.pool.wizard"]
            .with_user(self.ka_manager)
            .with_context(active_model="res.partner", active_ids=accounts.ids)
        )
        wizard.user_id = self.ka_user
        wizard.reason = "New territory"
        wizard.save().action_confirm()
        self.assertEqual(accounts.user_id, self.ka_user)
        self.assertRecordValues(
            self._logs(previous)[-1],
            [
                {
                    "action": "assign",
                    "from_user_id": self.ka_user2.id,
                    "to_user_id": self.ka_user.id,
                    "reason": "New territory",
                }
            ],
        )
        self.assertEqual(
            self.Log.search_count(
                [("partner_id", "in", accounts.ids), ("action", "=", "assign")]
            ),
            3,
        )

    def test_log_visibility(self):
        mine = self._claimed()
        other = self._claimed(user=self.ka_user2)
        seen = self.Log.with_user(self.ka_user).search([])
        self.assertIn(mine, seen.partner_id)
        self.assertNotIn(other, seen.partner_id)
        seen = self.Log.with_user(self.ka_manager).search([])
        self.assertTrue(mine | other <= seen.partner_id)
        with self.assertRaises(AccessError):
            self.Log.with_user(self.ka_user).create(
                {"partner_id": mine.id, "action": "claim"}
            )


@tagged("post_install", "-at_install")
class TestPoolReturn(PoolCase):
    def test_return_after_days_without_followup(self):
        partner = self._claimed(day="2026-01-01")
        self.assertEqual(self._cron("2026-01-30"), (0, 1))  # day 29: warned, stays
        self.assertEqual(partner.user_id, self.ka_user)
        self.assertEqual(self._cron("2026-01-31"), (1, 0))  # day 30: back
        self.assertFalse(partner.user_id)
        self.assertEqual(str(partner.ka_pool_since.date()), "2026-01-31")
        self.assertRecordValues(
            self._logs(partner)[-1],
            [
                {
                    "action": "return",
                    "from_user_id": self.ka_user.id,
                    "to_user_id": False,
                }
            ],
        )
        self.assertIn("No follow-up", partner.message_ids[0].body)
        self.assertFalse(self._warnings(partner), "the warning is closed")

    def test_commits_only_when_run_by_the_scheduler(self):
        """Batches are committed when the scheduler runs the cron, never while
        the module is installing (its demo data runs the cron inside the
        loading's savepoints)."""
        partner = self._claimed(day="2026-01-01")
        cr = self.env.cr
        with (
            patch.dict(config.options, {"test_enable": False}),
            patch.object(odoo_module, "current_test", None),
            patch.object(cr, "commit") as commit,
        ):
            with patch.object(self.env.registry, "ready", False):
                self.assertEqual(self._cron("2026-01-30"), (0, 1))
            commit.assert_not_called()
            self.assertEqual(self._cron("2026-01-31"), (1, 0))
            commit.assert_called()
        self.assertFalse(partner.user_id)

    def test_followup_moves_the_return(self):
        partner = self._claimed(day="2026-01-01")
        partner._ka_register_followup("contact", self._date("2026-01-20"))
        self._cron("2026-02-18")  # 29 days after the call
        self.assertEqual(partner.user_id, self.ka_user)
        self._cron("2026-02-19")
        self.assertFalse(partner.user_id)

    def test_return_after_days_without_order(self):
        partner = self._claimed(day="2026-01-01")
        partner._ka_register_followup("visit", self._date("2026-03-25"))
        self._cron("2026-03-31")  # day 89
        self.assertEqual(partner.user_id, self.ka_user)
        self._cron("2026-04-01")  # day 90
        self.assertFalse(partner.user_id)
        self.assertIn("No confirmed order", self._logs(partner)[-1].reason)

    def test_warning_once_on_day_n_minus_x(self):
        partner = self._claimed(day="2026-01-01")
        self._cron("2026-01-23")  # day 22
        self.assertFalse(self._warnings(partner))
        self._cron("2026-01-24")  # day 23 = 30 - 7
        warning = self._warnings(partner)
        self.assertEqual(len(warning), 1)
        self.assertEqual(warning.user_id, self.ka_user)
        self.assertEqual(str(warning.date_deadline), "2026-01-31")
        self.assertIn(
            "goes back to the pool on 2026-01-31", partner.message_ids[0].body
        )
        messages = len(partner.message_ids)
        self._cron("2026-01-24")
        self._cron("2026-01-25")
        self.assertEqual(len(self._warnings(partner)), 1)
        self.assertEqual(len(partner.message_ids), messages)
        self.assertEqual(partner.user_id, self.ka_user)

    def test_warned_owner_follows_with_default_subtypes(self):
        """The warning makes the owner a follower of the account, with the
        default subtypes, as creating the activity through the ORM would."""
        partner = self._claimed(day="2026-01-01")
        owner = self.ka_user.partner_id
        partner.message_unsubscribe(partner_ids=owner.ids)
        self._cron("2026-01-24")
        follower = partner.message_follower_ids.filtered(
            lambda f: f.partner_id == owner
        )
        self.assertEqual(len(follower), 1)
        defaults = self.env["mail.message.subtype"].default_subtypes("res.partner")[0]
        self.assertEqual(follower.subtype_ids, defaults)
        # an owner who already follows keeps one subscription
        other = self._claimed(day="2026-01-02")
        other.message_subscribe(partner_ids=owner.ids)
        self._cron("2026-01-25")
        self.assertEqual(len(other.message_follower_ids.partner_id & owner), 1)
        self.assertEqual(len(self._warnings(other)), 1)

    def test_new_followup_date_warns_again(self):
        partner = self._claimed(day="2026-01-01")
        self._cron("2026-01-24")
        partner._ka_register_followup("contact", self._date("2026-01-25"))
        self._cron("2026-02-16")  # 22 days after the call
        self.assertEqual(len(self._warnings(partner)), 1)
        self._cron("2026-02-17")  # 23 days after the call
        self.assertEqual(len(self._warnings(partner)), 2)

    def test_grade_overrides_company(self):
        self.grade_c.write({"ka_pool_followup_days": 10, "ka_pool_warning_days": 2})
        partner = self._claimed(day="2026-01-01", ka_grade_id=self.grade_c.id)
        other = self._claimed(day="2026-01-01", ka_grade_id=self.grade_b.id)
        self._cron("2026-01-10")
        self.assertEqual(partner.user_id, self.ka_user)
        self._cron("2026-01-11")
        self.assertFalse(partner.user_id)
        self.assertEqual(other.user_id, self.ka_user)

    def test_exempt_locked_grade(self):
        partner = self._claimed(day="2026-01-01", ka_grade_locked=True)
        self._cron("2026-06-01")
        self.assertEqual(partner.user_id, self.ka_user)
        self.assertFalse(self._warnings(partner))

    def test_exempt_never_return_type(self):
        with freeze_time("2026-01-01"):
            partner = self._account(name="Ministry")  # strategic
            partner.flush_recordset()
            partner.with_user(self.ka_user).action_ka_claim()
        self._cron("2026-06-01")
        self.assertEqual(partner.user_id, self.ka_user)
        self.type_strategic.ka_pool_never_return = False
        self._cron("2026-06-01")
        self.assertFalse(partner.user_id)

    def test_exempt_recent_order(self):
        partner = self._claimed(day="2026-01-01")
        with freeze_time("2026-01-06"):
            self._order(partner, 1000, date=self._date("2026-01-06"))
        self.assertEqual(str(partner.ka_last_order_date), "2026-01-06")
        self._cron("2026-02-05")  # order 30 days ago: exempt
        self.assertEqual(partner.user_id, self.ka_user)
        self._cron("2026-02-06")  # 31 days ago: the follow-up rule applies
        self.assertFalse(partner.user_id)

    def test_unowned_and_archived_not_touched(self):
        pool = self._pool_account()
        archived = self._claimed(day="2026-01-01")
        archived.active = False
        self.assertEqual(self._cron("2026-06-01"), (0, 0))
        self.assertFalse(self._logs(pool))
        self.assertEqual(archived.user_id, self.ka_user)

    def test_batches_and_progress(self):
        accounts = self.env["res.partner"]
        for i in range(5):
            accounts |= self._claimed(day="2026-01-01", name=f"Batch {i}")
        progress = []
        with (
            patch.object(
                type(self.env["ir.cron"]),
                "_notify_progress",
                lambda self, done, remaining, deactivate=False: progress.append(
                    (done, remaining)
                ),
            ),
            freeze_time("2026-01-31"),
        ):
            self.env["res.partner"]._ka_cron_pool_return(batch_size=2)
        self.assertFalse(accounts.user_id)
        self.assertEqual(progress, [(2, 3), (4, 1), (5, 0)])
        self.assertEqual(
            self.Log.search_count(
                [("partner_id", "in", accounts.ids), ("action", "=", "return")]
            ),
            5,
        )

    def test_my_key_accounts_days_left(self):
        partner = self._claimed(day="2026-01-01")
        with freeze_time("2026-01-21"):
            partner.invalidate_recordset(["ka_pool_return_date", "ka_pool_days_left"])
            self.assertEqual(str(partner.ka_pool_return_date), "2026-01-31")
            self.assertEqual(partner.ka_pool_days_left, 10)
        locked = self._claimed(day="2026-01-01", ka_grade_locked=True)
        self.assertFalse(locked.ka_pool_return_date)

    def test_days_left_is_what_the_cron_does(self):
        """One rule: the form's return date of each owned account is the day
        the scheduled action returns it, never a day earlier; exempt accounts
        have none and stay."""
        self.grade_c.write({"ka_pool_followup_days": 12, "ka_pool_warning_days": 3})
        self.company.ka_pool_max_claims_per_day = 10  # six claims on one day
        team = self.env["crm.team"].create(
            {
                "name": "Pool Rules Team",
                "member_ids": [Command.set(self.ka_user.ids)],
                "ka_pool_followup_days": 15,
                "ka_pool_warning_days": 2,
            }
        )
        accounts = {
            "team's own period": self._claimed(
                day="2026-01-01", ka_team_id=team.id, ka_grade_id=self.grade_c.id
            ),
            "follow-up clock": self._claimed(day="2026-01-01"),
            "grade's own period": self._claimed(
                day="2026-01-01", ka_grade_id=self.grade_c.id
            ),
            "followed up later": self._claimed(day="2026-01-01"),
            "order clock": self._claimed(day="2026-01-01"),
            "locked grade": self._claimed(day="2026-01-01", ka_grade_locked=True),
        }
        with freeze_time("2026-01-08"):
            accounts["followed up later"]._ka_register_followup(
                "contact", self._date("2026-01-08")
            )
        self.company.ka_pool_order_days = 40
        accounts["order clock"]._ka_register_followup(
            "contact", self._date("2026-01-25")
        )
        with freeze_time("2026-01-05"):
            Partner = self.env["res.partner"]
            Partner.invalidate_model(["ka_pool_return_date", "ka_pool_days_left"])
            dates = {
                label: partner.ka_pool_return_date
                for label, partner in accounts.items()
            }
        self.assertEqual(
            {label: str(day) for label, day in dates.items() if day},
            {
                "follow-up clock": "2026-01-31",
                "team's own period": "2026-01-16",
                "grade's own period": "2026-01-13",
                "followed up later": "2026-02-07",
                "order clock": "2026-02-10",
            },
        )
        self.assertFalse(dates["locked grade"])
        for label, day in sorted(
            ((label, day) for label, day in dates.items() if day),
            key=lambda item: item[1],
        ):
            partner = accounts[label]
            with self.subTest(account=label):
                self._cron(str(day - timedelta(days=1)))
                self.assertEqual(partner.user_id, self.ka_user, "not a day early")
                self._cron(str(day))
                self.assertFalse(partner.user_id, "back on the day shown")
        self._cron("2026-12-31")
        self.assertEqual(accounts["locked grade"].user_id, self.ka_user)

    def test_days_in_pool(self):
        partner = self._claimed(day="2026-01-01")
        with freeze_time("2026-01-05"):
            partner.with_user(self.ka_user).action_ka_release("Not for us")
        with freeze_time("2026-01-15"):
            partner.invalidate_recordset(["ka_pool_days"])
            self.assertEqual(partner.ka_pool_days, 10)

    @staticmethod
    def _date(value):
        return fields.Date.to_date(value)


@tagged("post_install", "-at_install")
class TestPoolViews(PoolCase):
    def _arch_fields(self, xmlid, view_type):
        views = (
            self.env["res.partner"]
            .with_user(self.ka_user)
            .get_views([(self.env.ref(xmlid).id, view_type)])
        )
        arch = etree.fromstring(views["views"][view_type]["arch"])
        return {node.get("name") for node in arch.iter("field")}, set(
            views["models"]["res.partner"]["fields"]
        )

    def test_pool_views_show_no_confidential_field(self):
        for xmlid, view_type in (
            ("key_account.res_partner_view_kanban_pool", "kanban"),
            ("key_account.res_partner_view_list_pool", "list"),
            ("key_account.res_partner_view_form_pool", "form"),
        ):
            with self.subTest(view=xmlid):
                in_arch, loaded = self._arch_fields(xmlid, view_type)
                self.assertLessEqual(in_arch, POOL_FIELDS)
                # what the client reads: the arch's fields and ids only
                self.assertLessEqual(
                    loaded - {"id", "display_name", "write_date"}, POOL_FIELDS
                )

    def test_plain_user_reads_the_pool(self):
        partner = self._pool_account(ka_decision_process="Board decides")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "key_account.res_partner_action_pool"
        )
        domain = ast.literal_eval(action["domain"])
        found = self.env["res.partner"].with_user(self.ka_user).search(domain)
        self.assertIn(partner, found)
        values = partner.with_user(self.ka_user).read(sorted(POOL_FIELDS))
        self.assertEqual(values[0]["name"], "Pool Co")

    def _count_queries(self, partners, fnames):
        partners = partners.with_user(self.ka_user)
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        partners.read(fnames)
        return self.cr.sql_log_count - before

    def test_pool_columns_cost_no_query_per_account(self):
        mine = self.env["res.partner"]
        for i in range(12):
            mine |= self._claimed(name=f"Mine {i}", day=f"2026-01-{i + 1:02d}")
        fnames = ["name", "ka_pool_return_date", "ka_pool_days_left", "ka_pool_days"]
        self._count_queries(mine[5:7], fnames)  # access rights caches
        self.assertEqual(
            self._count_queries(mine[:3], fnames), self._count_queries(mine, fnames)
        )

    def test_pool_log_pivot_by_month_and_salesperson(self):
        self._claimed(day="2026-01-05")
        self._claimed(day="2026-02-05", user=self.ka_user2)
        groups = self.Log.with_user(self.ka_manager)._read_group(
            [("action", "=", "claim")], ["date:month", "salesperson_id"], ["__count"]
        )
        self.assertIn(
            (self.ka_user2,),
            [(g[1],) for g in groups if g[0].strftime("%Y-%m") == "2026-02"],
        )


@tagged("post_install", "-at_install")
class TestPoolHandover(PoolCase):
    def _wizard(self, **vals):
        return (
            self.env["key_account.handover.wizard"]
            .with_user(self.ka_manager)
            .create({"user_id": self.ka_user.id, **vals})
        )

    def test_handover_to_a_salesperson_with_open_documents(self):
        first = self._claimed(name="First")
        second = self._claimed(name="Second")
        Visit = self.env["key_account.visit"]
        planned = Visit.create(
            {"partner_id": first.id, "user_id": self.ka_user.id, "purpose": "Plan"}
        )
        submitted = Visit.create(
            {"partner_id": second.id, "user_id": self.ka_user.id, "purpose": "Demo"}
        )
        submitted.action_submit()
        closed = Visit.create(
            {"partner_id": first.id, "user_id": self.ka_user.id, "purpose": "Old"}
        )
        closed._ka_workflow_write({"state": "closed"})
        recipient = self.env["res.partner"].create(
            {"name": "Ms Li", "parent_id": first.id}
        )
        gift = self.env["key_account.gift"].create(
            {
                "partner_id": first.id,
                "recipient_id": recipient.id,
                "user_id": self.ka_user.id,
                "occasion": "Festival",
            }
        )
        wizard = self._wizard(new_user_id=self.ka_user2.id, reason="Leaving")
        self.assertEqual(wizard.partner_ids, first | second)
        action = wizard.action_confirm()
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("key_account.key_account_handover_report", wizard.ids)[0]
            .decode()
        )
        self.assertEqual(
            action["report_name"], "key_account.key_account_handover_report"
        )
        self.assertEqual((first | second).user_id, self.ka_user2)
        self.assertEqual((planned | submitted).user_id, self.ka_user2)
        self.assertEqual(gift.user_id, self.ka_user2)
        self.assertEqual(closed.user_id, self.ka_user, "closed documents stay")
        self.assertIn("First", html)
        self.assertIn(planned.name, html)
        self.assertIn(gift.name, html)
        self.assertRecordValues(
            self._logs(first)[-1],
            [
                {
                    "action": "handover",
                    "from_user_id": self.ka_user.id,
                    "to_user_id": self.ka_user2.id,
                    "reason": "Leaving",
                }
            ],
        )

    def test_handover_prefills_the_user_opened_from_their_form(self):
        Wizard = self.env["key_account.handover.wizard"].with_user(self.ka_manager)
        self.assertEqual(
            Wizard.with_context(
                active_model="res.users", active_id=self.ka_user.id
            ).default_get(["user_id"]),
            {"user_id": self.ka_user.id},
        )
        # from the menu (or another model's record): nobody yet
        self.assertFalse(Wizard.default_get(["user_id"]).get("user_id"))
        partner = self._account("Not A User")
        self.assertFalse(
            Wizard.with_context(active_model="res.partner", active_id=partner.id)
            .default_get(["user_id"])
            .get("user_id")
        )

    def test_handover_to_the_pool(self):
        partner = self._claimed()
        self._wizard(mode="pool").action_confirm()
        self.assertFalse(partner.user_id)
        self.assertEqual(self._logs(partner)[-1].action, "handover")

    def test_handover_managers_only_and_needs_a_new_owner(self):
        self._claimed()
        with self.assertRaises(AccessError):
            self.env["key_account.handover.wizard"].with_user(self.ka_user).create(
                {"user_id": self.ka_user.id, "mode": "pool"}
            ).action_confirm()
        with self.assertRaisesRegex(UserError, "Choose who"):
            self._wizard().action_confirm()

    def test_archived_user_accounts_go_to_the_pool(self):
        partner = self._claimed()
        self.ka_user.action_archive()
        self.assertFalse(partner.user_id)
        self.assertRecordValues(
            self._logs(partner)[-1],
            [{"action": "handover", "from_user_id": self.ka_user.id}],
        )
