from freezegun import freeze_time

from odoo import Command
from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import HOSTILE_CONTEXT
from .test_pool import PoolCase

POOL_DOMAIN = (("ka_type_id", "!=", False), ("user_id", "=", False))


class TeamPoolCase(PoolCase):
    """Two sales teams of the company: East (led by Tom, Sam a member) and
    West (Lee a member), each with a pool account, and an account in the
    company-wide pool."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.leader = new_test_user(
            cls.env,
            login="ka_leader",
            name="Tom Leader",
            groups="key_account.group_key_account_user",
        )
        Team = cls.env["crm.team"].with_context(tracking_disable=True)
        cls.east = Team.create(
            {
                "name": "East",
                "user_id": cls.leader.id,
                "member_ids": [Command.set(cls.ka_user.ids)],
                "company_id": cls.company.id,
            }
        )
        cls.west = Team.create(
            {
                "name": "West",
                "member_ids": [Command.set(cls.ka_user2.ids)],
                "company_id": cls.company.id,
            }
        )
        cls.east_account = cls._pool_account("East Co", ka_team_id=cls.east.id)
        cls.west_account = cls._pool_account("West Co", ka_team_id=cls.west.id)
        cls.open_account = cls._pool_account("Open Co")

    def _seen(self, user, domain=POOL_DOMAIN):
        return (
            self.env["res.partner"]
            .with_user(user)
            .with_context(**HOSTILE_CONTEXT)
            .search(list(domain))
        )


@tagged("post_install", "-at_install")
class TestTeamPoolAccess(TeamPoolCase):
    def test_pool_team(self):
        self.assertEqual(self.east_account.ka_pool_team_id, self.east)
        self.assertFalse(self.open_account.ka_pool_team_id)
        # the default pool team takes the accounts without a team
        self.company.ka_pool_default_team_id = self.west
        self.assertEqual(self.open_account.ka_pool_team_id, self.west)
        self.assertEqual(self.east_account.ka_pool_team_id, self.east)
        self.company.ka_pool_default_team_id = False
        self.assertFalse(self.open_account.ka_pool_team_id)

    def test_salesperson_sees_only_their_teams_pools(self):
        seen = self._seen(self.ka_user)
        self.assertIn(self.east_account, seen)
        self.assertIn(self.open_account, seen)
        self.assertNotIn(self.west_account, seen)
        self.assertNotIn(
            self.west_account, self._seen(self.ka_user, [("name", "=", "West Co")])
        )
        with self.assertRaises(AccessError):
            self.west_account.with_user(self.ka_user).with_context(
                **HOSTILE_CONTEXT
            ).read(["name"])
        # the colleague of the other team: the other way round
        seen = self._seen(self.ka_user2)
        self.assertIn(self.west_account, seen)
        self.assertIn(self.open_account, seen)
        self.assertNotIn(self.east_account, seen)
        # the leader sees the pool of the team they lead; managers every pool
        self.assertIn(self.east_account, self._seen(self.leader))
        self.assertNotIn(self.west_account, self._seen(self.leader))
        accounts = self.east_account | self.west_account | self.open_account
        self.assertEqual(self._seen(self.ka_manager) & accounts, accounts)

    def test_default_pool_team_hides_accounts_without_team(self):
        self.company.ka_pool_default_team_id = self.west
        self.assertNotIn(self.open_account, self._seen(self.ka_user))
        self.assertIn(self.open_account, self._seen(self.ka_user2))
        with self.assertRaises(AccessError):
            self.open_account.with_user(self.ka_user).with_context(
                **HOSTILE_CONTEXT
            ).action_ka_claim()
        self.open_account.with_user(self.ka_user2).action_ka_claim()
        self.assertEqual(self.open_account.user_id, self.ka_user2)

    def test_owned_accounts_stay_visible(self):
        # as before teams: an owned account is no pool account
        self.west_account.with_user(self.ka_user2).action_ka_claim()
        self.assertIn(
            self.west_account,
            self._seen(self.ka_user, [("id", "=", self.west_account.id)]),
        )

    def test_salesperson_cannot_claim_another_teams_pool(self):
        account = self.west_account.with_user(self.ka_user).with_context(
            **HOSTILE_CONTEXT
        )
        with self.assertRaises(AccessError):
            account.action_ka_claim()
        # nor take it into their own team's pool, nor write the pool itself
        with self.assertRaises(AccessError):
            account.write({"ka_team_id": self.east.id})
        with self.assertRaises(AccessError):
            self.east_account.with_user(self.ka_user).with_context(
                **HOSTILE_CONTEXT
            ).write({"ka_pool_team_id": self.west.id})
        with self.assertRaises(AccessError):
            self.open_account.with_user(self.ka_user).with_context(
                **HOSTILE_CONTEXT
            ).write({"ka_team_id": self.east.id})
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.ka_user).with_context(
                **HOSTILE_CONTEXT
            ).create({"name": "Mine", "ka_team_id": self.west.id})
        self.assertFalse(self.west_account.user_id)
        self.assertEqual(self.west_account.ka_pool_team_id, self.west)
        self.assertFalse(self.open_account.ka_team_id)
        self.assertFalse(self._logs(self.west_account))
        # the claims from their own team's pool and the company-wide one work
        (self.east_account | self.open_account).with_user(
            self.ka_user
        ).action_ka_claim()
        self.assertEqual((self.east_account | self.open_account).user_id, self.ka_user)
        self.assertEqual(self._logs(self.east_account).team_id, self.east)
        self.assertFalse(self._logs(self.open_account).team_id)

    def test_moving_own_account_to_own_team(self):
        self.open_account.with_user(self.ka_user).action_ka_claim()
        self.open_account.with_user(self.ka_user).with_context(**HOSTILE_CONTEXT).write(
            {"ka_team_id": self.east.id}
        )
        self.assertEqual(self.open_account.ka_pool_team_id, self.east)

    def test_archived_membership_closes_the_pool(self):
        self.east.crm_team_member_ids.filtered(
            lambda m: m.user_id == self.ka_user
        ).action_archive()
        self.assertNotIn(self.east_account, self._seen(self.ka_user))
        with self.assertRaises(AccessError):
            # the client's active_test=False does not bring the membership back
            self.east_account.with_user(self.ka_user).with_context(
                **HOSTILE_CONTEXT
            ).action_ka_claim()
        self.assertFalse(self.east_account.user_id)

    def test_second_company(self):
        company2 = self.env["res.company"].create({"name": "Teams Co 2"})
        north = self.env["crm.team"].create(
            {"name": "North", "company_id": company2.id}
        )
        user3 = new_test_user(
            self.env,
            login="ka_user3",
            name="Kim Salesman",
            groups="key_account.group_key_account_user",
            company_id=company2.id,
            company_ids=[Command.set(company2.ids)],
        )
        north.member_ids = [Command.link(user3.id)]
        theirs = self._pool_account(
            "North Co", company_id=company2.id, ka_team_id=north.id
        )
        shared_default = self._pool_account("Company 2 Open Co", company_id=company2.id)
        company2.ka_pool_default_team_id = north
        self.assertEqual(shared_default.ka_pool_team_id, north)
        seen = self._seen(user3)
        self.assertEqual(
            seen & (theirs | shared_default | self.east_account),
            theirs | shared_default,
        )
        self.assertFalse(self._seen(self.ka_user) & (theirs | shared_default))
        # a team of the other company is no default pool here, nor a target
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.company.ka_pool_default_team_id = north
        self.east_account.with_user(self.ka_manager).action_ka_assign(self.ka_user)
        with self.assertRaisesRegex(UserError, "works for Teams Co 2"):
            self.east_account.with_user(self.ka_manager).action_ka_release(
                "Wrong company", team=north.id
            )
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.west_account.with_user(self.ka_manager).ka_team_id = north
        self.assertEqual(self.west_account.ka_team_id, self.west)
        theirs.with_user(user3).action_ka_claim()
        self.assertEqual(theirs.user_id, user3)


@tagged("post_install", "-at_install")
class TestTeamPoolAdmin(TeamPoolCase):
    def test_leader_assigns_in_their_pool_only(self):
        leader = self.leader
        self.east_account.with_user(leader).with_context(
            **HOSTILE_CONTEXT
        ).action_ka_assign(self.ka_user, "Knows the buyer")
        self.assertEqual(self.east_account.user_id, self.ka_user)
        self.assertRecordValues(
            self._logs(self.east_account),
            [
                {
                    "action": "assign",
                    "to_user_id": self.ka_user.id,
                    "done_by_id": leader.id,
                    "team_id": self.east.id,
                }
            ],
        )
        # not in another team's pool, nor in the company-wide one
        for account in (self.west_account, self.open_account):
            with self.subTest(account=account.name), self.assertRaises(AccessError):
                account.with_user(leader).with_context(
                    **HOSTILE_CONTEXT
                ).action_ka_assign(self.ka_user)
        # never to themselves, caps overridden or not
        other = self._pool_account("East Two", ka_team_id=self.east.id)
        for override in (False, True):
            with self.assertRaisesRegex(UserError, "to themselves"):
                other.with_user(leader).with_context(
                    **HOSTILE_CONTEXT
                ).action_ka_assign(leader, "Mine", override_caps=override)
        # and to the members of the team only
        with self.assertRaisesRegex(UserError, "not a member of East"):
            other.with_user(leader).action_ka_assign(self.ka_user2)
        self.assertFalse((self.west_account | self.open_account | other).user_id)
        # the leader reads the moves of their pool
        self.assertIn(
            self.east_account,
            self.Log.with_user(leader).search([]).partner_id,
        )

    def test_salesperson_does_not_assign(self):
        with self.assertRaises(AccessError):
            self.east_account.with_user(self.ka_user).with_context(
                **HOSTILE_CONTEXT
            ).action_ka_assign(self.ka_user)
        self.assertFalse(self.east_account.user_id)

    def test_leader_overrides_caps_with_a_reason(self):
        self.east.sudo().ka_pool_max_owned = 1
        self.east_account.with_user(self.ka_user).action_ka_claim()
        other = self._pool_account("East Two", ka_team_id=self.east.id)
        as_leader = other.with_user(self.leader)
        with self.assertRaisesRegex(UserError, "cap is 1"):
            as_leader.action_ka_assign(self.ka_user)
        with self.assertRaisesRegex(UserError, "override"):
            as_leader.action_ka_assign(self.ka_user, override_caps=True)
        as_leader.action_ka_assign(self.ka_user, "Knows them", override_caps=True)
        self.assertEqual(other.user_id, self.ka_user)
        self.assertTrue(self._logs(other).caps_overridden)

    def test_release_to_a_chosen_pool(self):
        self.east_account.with_user(self.ka_user).action_ka_claim()
        account = self.east_account.with_user(self.ka_user).with_context(
            **HOSTILE_CONTEXT
        )
        # a salesperson releases to the account's own pool only
        with self.assertRaises(AccessError):
            account.action_ka_release("Elsewhere", team=self.west.id)
        self.assertEqual(self.east_account.user_id, self.ka_user)
        self.assertEqual(self.east_account.ka_team_id, self.east)
        # the leader to a pool of theirs, not to another team's
        with self.assertRaises(AccessError):
            self.east_account.with_user(self.leader).action_ka_release(
                "Elsewhere", team=self.west.id
            )
        self.assertEqual(self.east_account.user_id, self.ka_user)
        self.east_account.with_user(self.leader).action_ka_release(
            "Back to the team", team=self.east.id
        )
        self.assertFalse(self.east_account.user_id)
        # a manager to any team's pool, with the wizard
        self.east_account.with_user(self.ka_manager).action_ka_assign(self.ka_user)
        wizard = Form(
            self.env["key_account.pool.wizard"]
            .with_user(self.ka_manager)
            .with_context(
                default_mode="release", default_partner_ids=self.east_account.ids
            )
        )
        wizard.team_id = self.west
        wizard.reason = "West covers the region now"
        wizard.save().action_confirm()
        self.assertFalse(self.east_account.user_id)
        self.assertEqual(self.east_account.ka_pool_team_id, self.west)
        self.assertRecordValues(
            self._logs(self.east_account).filtered(lambda log: log.action == "release"),
            [
                {"team_id": self.east.id, "reason": "Back to the team"},
                {"team_id": self.west.id, "reason": "West covers the region now"},
            ],
        )
        self.assertIn(self.east_account, self._seen(self.ka_user2))
        self.assertNotIn(self.east_account, self._seen(self.ka_user))

    def test_leader_releases_a_members_account(self):
        self.east_account.with_user(self.ka_user).action_ka_claim()
        with self.assertRaises(UserError):
            self.east_account.with_user(self.ka_user2).action_ka_release("Mine now")
        self.east_account.with_user(self.leader).action_ka_release("Not worked")
        self.assertFalse(self.east_account.user_id)


@tagged("post_install", "-at_install")
class TestTeamPoolRules(TeamPoolCase):
    def test_team_rules_change_the_return_date(self):
        self.east.sudo().write({"ka_pool_followup_days": 12, "ka_pool_warning_days": 3})
        with freeze_time("2026-01-01"):
            east = self._pool_account("East Claimed", ka_team_id=self.east.id)
            west = self._pool_account("West Claimed", ka_team_id=self.west.id)
            east.with_user(self.ka_user).action_ka_claim()
            west.with_user(self.ka_user2).action_ka_claim()
        with freeze_time("2026-01-05"):
            (east | west).invalidate_recordset(["ka_pool_return_date"])
            self.assertEqual(str(east.ka_pool_return_date), "2026-01-13")
            self.assertEqual(str(west.ka_pool_return_date), "2026-01-31")
        self.assertEqual(self._cron("2026-01-10"), (0, 1))  # East warned 3 days before
        self._cron("2026-01-12")
        self.assertEqual(east.user_id, self.ka_user)
        self._cron("2026-01-13")
        self.assertFalse(east.user_id)
        self.assertEqual(west.user_id, self.ka_user2)
        self.assertEqual(self._logs(east)[-1].team_id, self.east)
        # the team's rule wins over the grade's
        self.grade_c.write({"ka_pool_followup_days": 20})
        self.assertEqual(
            self.east._ka_pool_periods(self.company, self.grade_c), (12, 90, 3)
        )
        self.assertEqual(
            self.west._ka_pool_periods(self.company, self.grade_c), (20, 90, 7)
        )

    def test_team_caps_and_cooldown(self):
        self.east.sudo().write(
            {"ka_pool_max_claims_per_day": 1, "ka_pool_cooldown_days": 2}
        )
        others = self._pool_account("East Two", ka_team_id=self.east.id)
        with freeze_time("2026-03-02 09:00:00"):
            self.east_account.with_user(self.ka_user).action_ka_claim()
            with self.assertRaisesRegex(UserError, "the cap is 1 a day"):
                others.with_user(self.ka_user).action_ka_claim()
            # the company-wide pool keeps the company's cap (5 a day)
            self.open_account.with_user(self.ka_user).action_ka_claim()
            self.east_account.with_user(self.ka_user).action_ka_release("Not for me")
        with freeze_time("2026-03-03 09:00:00"):
            with self.assertRaisesRegex(UserError, "again 2 days"):
                self.east_account.with_user(self.ka_user).action_ka_claim()
        with freeze_time("2026-03-05 09:00:00"):
            self.east_account.with_user(self.ka_user).action_ka_claim()
        self.assertEqual(self.east_account.user_id, self.ka_user)

    def test_team_exemption_after_an_order(self):
        self.east.sudo().ka_pool_order_exempt_days = 200
        with freeze_time("2026-01-01"):
            east = self._pool_account("East Ordered", ka_team_id=self.east.id)
            east.with_user(self.ka_user).action_ka_claim()
        self._order(east, 1000, date=fields.Date.to_date("2025-12-20"))
        with freeze_time("2026-03-01"):
            east.invalidate_recordset(["ka_pool_return_date"])
            self.assertFalse(east.ka_pool_return_date)
        self._cron("2026-03-01")
        self.assertEqual(east.user_id, self.ka_user)

    def test_contradicting_team_rules_refused(self):
        team = self.east.sudo()
        for vals in (
            {"ka_pool_warning_days": 30},  # the company's 30 days without follow-up
            {"ka_pool_followup_days": 5},  # shorter than the company's warning
            {"ka_pool_followup_days": 10, "ka_pool_warning_days": 10},
            {"ka_pool_max_owned": -1},
            {"ka_pool_cooldown_days": -3},
            {"ka_pool_followup_days": 12, "ka_pool_order_days": -1},
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaises(ValidationError),
                self.env.cr.savepoint(),
            ):
                team.write(vals)
            team.invalidate_recordset()
            self.assertEqual(
                [team[fname] for fname in vals], [0] * len(vals), "nothing written"
            )
        # with a grade's own warning: 10 days are fine with the company's
        # 7-day warning, not with grade C's 10 days
        self.grade_c.write({"ka_pool_followup_days": 25, "ka_pool_warning_days": 10})
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            team.write({"ka_pool_followup_days": 10})
        # nor can the company or a grade make a team's rule contradict itself
        team.write({"ka_pool_followup_days": 12})
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.company.ka_pool_warning_days = 12
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.grade_c.ka_pool_warning_days = 12
        self.env.invalidate_all()
        self.assertEqual(self.company.ka_pool_warning_days, 7)
        self.assertEqual(self.grade_c.ka_pool_warning_days, 10)
        team.write({"ka_pool_followup_days": 11, "ka_pool_warning_days": 4})
        self.assertEqual(team._ka_pool_periods(self.company), (11, 90, 4))
        self.assertEqual(team._ka_pool_periods(self.company, self.grade_c), (11, 90, 4))

    def test_salesperson_cannot_write_team_rules(self):
        with self.assertRaises(AccessError):
            self.east.with_user(self.ka_user).with_context(**HOSTILE_CONTEXT).write(
                {"ka_pool_max_owned": 500}
            )
        with self.assertRaises(AccessError):
            self.east.with_user(self.leader).with_context(**HOSTILE_CONTEXT).write(
                {"ka_pool_max_owned": 500}
            )
        self.east.with_user(self.ka_manager).write({"ka_pool_max_owned": 500})
        self.assertEqual(self.east.sudo().ka_pool_max_owned, 500)
