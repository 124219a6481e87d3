from odoo import SUPERUSER_ID
from odoo import Command
from odoo import api
from odoo.tests import TransactionCase
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import race


@tagged("post_install", "-at_install")
class TestPoolConcurrency(TransactionCase):
    """Real races: each claim runs in its own thread and database cursor.

    The fixtures are committed by a separate cursor (the test's own one is never
    committed, so other cursors would not see them) and removed afterwards."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            users = env["res.users"]
            for i in (1, 2):
                users |= new_test_user(
                    env,
                    login=f"ka_racer_{i}",
                    name=f"Racer {i}",
                    groups="key_account.group_key_account_user",
                )
            partners = env["res.partner"].create(
                [
                    {
                        "name": f"Contended Co {i}",
                        "is_company": True,
                        "ka_type_id": env.ref(
                            "key_account.key_account_type_potential"
                        ).id,
                    }
                    for i in range(3)
                ]
            )
            company = env.company
            self.saved_rules = {
                "ka_pool_max_claims_per_day": company.ka_pool_max_claims_per_day,
                "ka_pool_max_owned": company.ka_pool_max_owned,
            }
            company.write({"ka_pool_max_claims_per_day": 5, "ka_pool_max_owned": 50})
            self.company_id = company.id
        self.user_ids = users.ids
        self.partner_ids = partners.ids
        self.addCleanup(self._remove_fixtures)

    def _remove_fixtures(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["key_account.pool.log"].search(
                [("partner_id", "in", self.partner_ids)]
            ).unlink()
            env["res.partner"].browse(self.partner_ids).unlink()
            users = env["res.users"].browse(self.user_ids)
            user_partners = users.partner_id
            users.unlink()
            user_partners.unlink()
            env["res.company"].browse(self.company_id).write(self.saved_rules)

    def _set_rules(self, **rules):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.company"].browse(self.company_id).write(rules)

    def _race(self, claims):
        """Run ``claims`` [(user id, partner ids)] at the same moment, each in
        its own transaction started before any of them claims.

        :return: one result per claim: True, or the error message
        """
        return race(
            self.registry,
            [
                (
                    uid,
                    lambda env, ids=ids: env["res.partner"]
                    .browse(ids)
                    .mapped("user_id"),
                    lambda env, ids=ids: env["res.partner"]
                    .browse(ids)
                    .action_ka_claim(),
                )
                for uid, ids in claims
            ],
        )

    def _committed(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partners = env["res.partner"].browse(self.partner_ids)
            logs = env["key_account.pool.log"].search(
                [("partner_id", "in", self.partner_ids)]
            )
            return (
                [p.user_id.id for p in partners],
                [(log.partner_id.id, log.to_user_id.id, log.action) for log in logs],
            )

    def test_two_users_claim_the_same_account(self):
        first, second = self.user_ids
        target = self.partner_ids[:1]
        for _attempt in range(3):
            results = self._race([(first, target), (second, target)])
            self.assertEqual(results.count(True), 1, results)
            loser = next(r for r in results if r is not True)
            winner_id = first if results[0] is True else second
            winner_name = "Racer 1" if winner_id == first else "Racer 2"
            self.assertIn(f"already claimed by {winner_name}", loser)
            owners, logs = self._committed()
            self.assertEqual(owners[0], winner_id)
            self.assertEqual(logs, [(target[0], winner_id, "claim")])
            # back to the pool for the next round, as if never claimed
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["key_account.pool.log"].search(
                    [("partner_id", "in", self.partner_ids)]
                ).unlink()
                env["res.partner"].browse(target).write({"user_id": False})

    def test_claims_leave_odoo_sessions_alone(self):
        """A claim serialises the claimer's pool moves without writing their
        ``res_users`` row: Odoo's own session bookkeeping (a
        ``res_device_log`` row, whose foreign key locks the user's row) in a
        transaction that started before the claim was committed neither
        waits nor fails (it used to hit a serialization failure and log the
        user out)."""
        first = self.user_ids[0]
        with self.registry.cursor() as session_cr:
            session_cr.execute("SELECT 1")  # its snapshot, taken before the claim
            with self.registry.cursor() as cr:
                env = api.Environment(cr, first, {})
                env["res.partner"].browse(self.partner_ids[:1]).action_ka_claim()
            session_cr.execute(
                """INSERT INTO res_device_log (session_identifier, user_id,
                                               first_activity, last_activity,
                                               revoked)
                   VALUES ('ka-test', %s, NOW() AT TIME ZONE 'UTC',
                           NOW() AT TIME ZONE 'UTC', FALSE)""",
                (first,),
            )
            session_cr.rollback()
        owners, _logs = self._committed()
        self.assertEqual(owners[0], first)

    def test_one_user_races_the_daily_cap(self):
        self._set_rules(ka_pool_max_claims_per_day=1)
        first = self.user_ids[0]
        a, b = self.partner_ids[:2]
        results = self._race([(first, [a]), (first, [b])])
        self.assertEqual(results.count(True), 1, results)
        owners, logs = self._committed()
        self.assertEqual(sorted(filter(None, owners)), [first])
        self.assertEqual(len(logs), 1)

    def test_one_user_races_the_ownership_cap(self):
        self._set_rules(ka_pool_max_owned=1)
        first = self.user_ids[0]
        a, b = self.partner_ids[:2]
        results = self._race([(first, [a]), (first, [b])])
        self.assertEqual(results.count(True), 1, results)
        owners, logs = self._committed()
        self.assertEqual(owners.count(first), 1)
        self.assertEqual(len(logs), 1)

    def test_two_members_claim_the_same_team_account(self):
        """With team pools: two members of the team race for an account of
        its pool, one wins; the team's own daily cap of one holds too."""
        first, second = self.user_ids
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            team = env["crm.team"].create(
                {
                    "name": "Racing Team",
                    "member_ids": [Command.set(self.user_ids)],
                    "ka_pool_max_claims_per_day": 1,
                }
            )
            env["res.partner"].browse(self.partner_ids).write({"ka_team_id": team.id})
            team_id = team.id
        self.addCleanup(self._remove_team, team_id)
        a, b = self.partner_ids[:2]
        results = self._race([(first, [a]), (second, [a])])
        self.assertEqual(results.count(True), 1, results)
        winner_id = first if results[0] is True else second
        owners, logs = self._committed()
        self.assertEqual(owners[0], winner_id)
        self.assertEqual(logs, [(a, winner_id, "claim")])
        # the winner races themselves for another account: the team's cap
        # of one claim a day lets none through
        results = self._race([(winner_id, [b]), (winner_id, [b])])
        self.assertEqual(results.count(True), 0, results)
        owners, logs = self._committed()
        self.assertEqual(owners[1], False)
        self.assertEqual(len(logs), 1)

    def _remove_team(self, team_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["crm.team"].browse(team_id).unlink()
