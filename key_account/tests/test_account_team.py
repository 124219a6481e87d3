from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import HOSTILE_CONTEXT
from .test_account_plan import AccountCase

FOLLOWUP = "key_account.mail_activity_type_ka_followup"


@tagged("post_install", "-at_install")
class TestAccountTeam(AccountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = new_test_user(
            cls.env,
            login="ka_member",
            name="Mia Member",
            groups="key_account.group_key_account_user",
        )
        cls.account.write({"ka_need": "A new line", "ka_budget_max": 90_000})
        cls.boss.write({"ka_hobbies": "Go"})
        cls.Member = cls.env["key_account.team.member"]

    def _join(self, user=None, by=None, **vals):
        return self.Member.with_user(by or self.ka_user).create(
            {"partner_id": self.account.id, "user_id": (user or self.member).id, **vals}
        )

    # ---- who may be a member ---------------------------------------------------------
    def test_a_member_is_an_internal_user_of_the_company(self):
        portal = new_test_user(self.env, login="ka_portal", groups="base.group_portal")
        company2 = self.env["res.company"].create({"name": "Team Co 2"})
        other_company = new_test_user(
            self.env,
            login="ka_user_team_c2",
            groups="key_account.group_key_account_user",
            company_id=company2.id,
            company_ids=[Command.set(company2.ids)],
        )
        for user in (portal, other_company):
            with self.subTest(user=user.login), self.assertRaises(ValidationError):
                self._join(user)
        prospect = self.env["res.partner"].create(
            {"name": "Not Key", "is_company": True, "user_id": self.ka_user.id}
        )
        with self.assertRaisesRegex(ValidationError, "not a key account"):
            self.Member.with_user(self.ka_user).create(
                {"partner_id": prospect.id, "user_id": self.member.id}
            )
        member = self._join(role="service", followup_activities=True)
        self.assertEqual(member.company_id, self.company)
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.cr.savepoint(),
        ):
            self._join()

    def test_the_owner_is_no_member(self):
        """An owner seating themselves on their own account's team would keep
        reading it after it leaves them: refused; a member who becomes the
        owner leaves the team, so nothing is left behind when it moves on."""
        Member = self.Member.with_user(self.ka_user).with_context(**HOSTILE_CONTEXT)
        with self.assertRaises(ValidationError):
            Member.create({"partner_id": self.account.id, "user_id": self.ka_user.id})
        self._join()
        self.account.with_user(self.ka_manager).action_ka_assign(
            self.member, reason="Handover"
        )
        self.assertFalse(self.account.ka_team_member_ids.user_id & self.member)
        self.account.with_user(self.ka_manager).action_ka_assign(
            self.ka_user, reason="Back"
        )
        visit = self._visit(100, user=self.ka_user)
        self.assertFalse(
            self.env["key_account.visit"]
            .with_user(self.member)
            .with_context(**HOSTILE_CONTEXT)
            .search([("id", "=", visit.id)]),
            "the previous owner still reads the account through a seat",
        )

    def test_owner_and_managers_make_the_team(self):
        member = self._join()
        self._join(self.ka_user2, by=self.ka_manager)
        # a member or a colleague adds nobody, changes nobody
        for user in (self.member, self.ka_user2, self.outsider):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.Member.with_user(user).with_context(**HOSTILE_CONTEXT).create(
                        {"partner_id": self.account.id, "user_id": self.ka_approver.id}
                    )
                with self.assertRaises(AccessError):
                    member.with_user(user).with_context(**HOSTILE_CONTEXT).write(
                        {"role": "manager"}
                    )
                with self.assertRaises(AccessError):
                    member.with_user(user).with_context(**HOSTILE_CONTEXT).unlink()
        # a place stays on its account
        other = self._account("Other Co", user_id=self.ka_user.id)
        with self.assertRaises(AccessError):
            member.with_user(self.ka_user).with_context(**HOSTILE_CONTEXT).write(
                {"partner_id": other.id}
            )
        member.with_user(self.ka_user).write({"role": "assistant"})
        self.assertEqual(member.role, "assistant")

    # ---- what a member reads ---------------------------------------------------------
    def test_a_member_reads_the_file_map_and_engagement_but_writes_nothing(self):
        visit = self._visit(100)
        gift = self.env["key_account.gift"].create(
            {
                "partner_id": self.account.id,
                "user_id": self.ka_user.id,
                "recipient_id": self.boss.id,
                "occasion": "New year",
                "line_ids": [
                    Command.create({"product_id": self.product.id, "unit_value": 50.0})
                ],
            }
        )
        feedback = self._feedback(
            self.account, self.ka_user, "2026-03-01 10:00:00", feedback_type="praise"
        )

        def seen(user):
            # what a user reads in a new request (the file's fields are
            # computed per user and cached)
            self.env.invalidate_all()
            account = self.account.with_user(user).with_context(**HOSTILE_CONTEXT)
            env = account.env
            return {
                "file": (account.ka_need, account.ka_budget_max),
                "map": self.boss.with_env(env).ka_hobbies,
                "visits": env["key_account.visit"].search([("id", "=", visit.id)]),
                "expenses": env["key_account.expense"].search(
                    [("id", "in", visit.planned_line_ids.ids)]
                ),
                "gifts": env["key_account.gift"].search([("id", "=", gift.id)]),
                "gift lines": env["key_account.gift.line"].search(
                    [("id", "in", gift.line_ids.ids)]
                ),
                "feedback": env["key_account.feedback"].search(
                    [("id", "=", feedback.id)]
                ),
                "team": env["key_account.team.member"].search(
                    [("partner_id", "=", self.account.id)]
                ),
            }

        nothing = {
            "file": (False, 0.0),
            "map": False,
            "visits": visit.browse(),
            "expenses": visit.planned_line_ids.browse(),
            "gifts": gift.browse(),
            "gift lines": gift.line_ids.browse(),
            "feedback": feedback.browse(),
            "team": self.Member.browse(),
        }
        # not yet a member: nothing
        self.assertEqual(seen(self.member), nothing)
        place = self._join()
        everything = {
            "file": ("A new line", 90_000),
            "map": "Go",
            "visits": visit,
            "expenses": visit.planned_line_ids,
            "gifts": gift,
            "gift lines": gift.line_ids,
            "feedback": feedback,
            "team": place,
        }
        self.assertEqual(seen(self.member), everything)
        # a colleague who is no member still reads nothing
        self.assertEqual(seen(self.ka_user2), nothing)
        # the member writes nothing of it
        member_env = self.account.with_user(self.member).with_context(**HOSTILE_CONTEXT)
        with self.assertRaises(AccessError):
            member_env.write({"ka_need": "Changed"})
        with self.assertRaises(AccessError):
            self.boss.with_env(member_env.env).write({"ka_hobbies": "Chess"})
        with self.assertRaises(AccessError):
            self.env["key_account.file"].with_env(member_env.env).search(
                [("partner_id", "=", self.account.id)]
            ).write({"need": "Changed"})
        for record in (visit, gift, feedback):
            with self.subTest(model=record._name), self.assertRaises(AccessError):
                record.with_env(member_env.env).write({"name": "Changed"})
        with self.assertRaises(AccessError):
            visit.with_env(member_env.env).action_submit()
        self.assertEqual(self.account.ka_need, "A new line")
        # out of the team, out of the file
        place.with_user(self.ka_user).unlink()
        self.assertEqual(seen(self.member), nothing)

    def test_another_company_reads_no_team(self):
        self._join()
        company2 = self.env["res.company"].create({"name": "Team Co 2"})
        manager_c2 = new_test_user(
            self.env,
            login="ka_manager_team_c2",
            groups="key_account.group_key_account_manager",
            company_id=company2.id,
            company_ids=[Command.set(company2.ids)],
        )
        self.assertFalse(
            self.Member.with_user(manager_c2)
            .with_context(**HOSTILE_CONTEXT)
            .search([("partner_id", "=", self.account.id)])
        )

    # ---- follow-up activities --------------------------------------------------------
    def test_members_who_say_so_get_the_follow_up_activities(self):
        self._join(followup_activities=True)
        self._join(self.ka_user2, followup_activities=False)
        self.account.write(
            {
                "ka_since": date(2026, 1, 1),
                "ka_last_contact_date": date(2026, 3, 1),
                "ka_last_visit_date": date(2026, 3, 1),
            }
        )
        Activity = self.env["mail.activity"]
        domain = [
            ("res_model", "=", "res.partner"),
            ("res_id", "=", self.account.id),
            ("activity_type_id", "=", self.env.ref(FOLLOWUP).id),
        ]
        with freeze_time("2026-04-20"):
            self.env["res.partner"]._ka_cron_followup()
            self.env["res.partner"]._ka_cron_followup()
        self.assertEqual(Activity.search(domain).user_id, self.ka_user | self.member)
        self.assertEqual(len(Activity.search(domain)), 2)

    # ---- handover --------------------------------------------------------------------
    def _handover(self, leaving, **vals):
        wizard = (
            self.env["key_account.handover.wizard"]
            .with_user(self.ka_manager)
            .create({"user_id": leaving.id, **vals})
        )
        wizard.action_confirm()
        return wizard

    def test_handover_passes_the_places_on(self):
        other = self._account("Other Co", user_id=self.ka_user2.id)
        leaving = self.Member.create(
            {
                "partner_id": other.id,
                "user_id": self.ka_user.id,
                "role": "service",
                "followup_activities": True,
            }
        )
        stays = self._join(self.ka_user2)
        self._handover(
            self.ka_user,
            mode="reassign",
            new_user_id=self.member.id,
            team_mode="transfer",
        )
        self.assertEqual(self.account.user_id, self.member)
        # the leaving salesperson's place on Other Co, role and all, is the
        # new salesperson's
        self.assertEqual(leaving.user_id, self.member)
        self.assertEqual(leaving.role, "service")
        self.assertTrue(leaving.followup_activities)
        self.assertEqual(stays.user_id, self.ka_user2)
        self.assertFalse(self.Member.search([("user_id", "=", self.ka_user.id)]))

    def test_handover_removes_the_places(self):
        other = self._account("Other Co", user_id=self.ka_user2.id)
        leaving = self.Member.create(
            {"partner_id": other.id, "user_id": self.ka_user.id}
        )
        self._handover(
            self.ka_user,
            mode="reassign",
            new_user_id=self.member.id,
            team_mode="remove",
        )
        self.assertFalse(leaving.exists())
        self.assertEqual(self.account.user_id, self.member)
        # to the pool: the places go too
        again = self.Member.create({"partner_id": other.id, "user_id": self.member.id})
        self._handover(self.member, mode="pool")
        self.assertFalse(again.exists())

    def test_the_form_shows_a_member_the_file_read_only(self):
        self._join()
        for user, reader in ((self.member, True), (self.ka_user2, False)):
            with self.subTest(user=user.login):
                account = self.account.with_user(user)
                self.assertEqual(account.ka_team_reader, reader)
                self.assertFalse(account.ka_file_access)
                self.assertEqual(self.boss.with_user(user).ka_team_reader, reader)
        self.assertFalse(self.account.with_user(self.ka_user).ka_team_reader)
