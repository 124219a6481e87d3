from odoo import Command
from odoo import fields
from odoo.tests import HttpCase
from odoo.tests import tagged

from .common import EngagementCase
from .common import JsonRpcMixin

ACCESS_ERROR = "odoo.exceptions.AccessError"
USER_ERROR = "odoo.exceptions.UserError"


@tagged("post_install", "-at_install")
class TestControlsHttp(JsonRpcMixin, HttpCase, EngagementCase):
    """The guards over real HTTP: a salesperson logged in calls
    /web/dataset/call_kw as the web client would, with every context key that
    ever unlocked a guard, and each attempt comes back as an error in the
    JSON-RPC response, the data left as it was."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "ka_pool_max_claims_per_day": 2,
                "ka_pool_max_owned": 50,
                "ka_pool_cooldown_days": 0,
            }
        )
        cls.theirs = cls._account("Colleague's Co", user_id=cls.ka_user2.id)
        cls.pool = cls.env["res.partner"]
        for index in range(6):
            cls.pool |= cls._account(f"Pool Co {index}")
        # a pool account of a company the salesperson does not work for
        cls.company2 = cls.env["res.company"].create({"name": "Controls Co 2"})
        cls.pool2 = cls._account("Pool Co of Company 2", company_id=cls.company2.id)

    def setUp(self):
        super().setUp()
        self.authenticate(self.ka_user.login, self.ka_user.login)

    # ---- helpers --------------------------------------------------------------------
    def assertRefused(self, response, error=ACCESS_ERROR, message=None):
        self.assertNotIn("result", response, "the call went through")
        self.assertEqual(response["error"]["data"]["name"], error)
        if message:
            self.assertIn(message, response["error"]["data"]["message"])

    def _fresh(self, records):
        """``records`` as the database holds them after the requests."""
        self.env.invalidate_all()
        return records.sudo()

    # ---- the approval chain ---------------------------------------------------------
    def test_no_self_approval(self):
        visit = self._visit(budget=50_000)
        visit.with_user(self.ka_user).action_submit()
        self.assertEqual(visit.state, "submitted")
        self.assertEqual(visit.amount_planned, 50_000)
        self.assertEqual(len(visit.approval_line_ids), 2)  # manager, then Finance
        Visit = "key_account.visit"

        # the session works: the salesperson reads their visit
        read = self._call(Visit, "read", visit.ids, ["state"])
        self.assertEqual(read["result"], [{"id": visit.id, "state": "submitted"}])

        self.assertRefused(
            self._call(Visit, "write", visit.ids, {"state": "approved"}),
            message="changes only through its buttons",
        )
        self.assertRefused(
            self._call(Visit, "action_approve", visit.ids),
            message="You cannot approve or refuse your own request",
        )
        self.assertRefused(
            self._call(
                "key_account.approval.line",
                "write",
                visit.approval_line_ids.ids,
                {"state": "approved"},
            )
        )
        self.assertRefused(
            self._call(Visit, "action_done", visit.ids),
            error=USER_ERROR,
            message="must be approved",
        )
        self.assertRefused(
            self._call(Visit, "action_claim_expenses", visit.ids),
            error=USER_ERROR,
            message="is not done yet",
        )

        visit = self._fresh(visit)
        self.assertEqual(visit.state, "submitted")
        self.assertEqual(set(visit.approval_line_ids.mapped("state")), {"pending"})
        self.assertFalse(visit.approval_line_ids.done_by_id)

    # ---- the pool -------------------------------------------------------------------
    def _logs(self, partners):
        return (
            self.env["key_account.pool.log"]
            .sudo()
            .search([("partner_id", "in", partners.ids)])
        )

    def test_no_pool_bypass(self):
        Partner = "res.partner"
        owner_vals = {"user_id": self.ka_user.id}

        self.assertRefused(
            self._call(Partner, "write", self.theirs.ids, owner_vals),
            message="Only Key Account managers can change the owner",
        )
        self.assertRefused(
            self._call(Partner, "write", self.pool.ids, owner_vals),
            message="Only Key Account managers can change the owner",
        )
        for partner in self.pool:
            self.assertRefused(self._call(Partner, "write", partner.ids, owner_vals))
        self.assertRefused(
            self._call(Partner, "action_ka_claim", self.pool.ids),
            error=USER_ERROR,
            message="the cap is 2 a day",
        )
        self.assertRefused(
            self._call(
                "key_account.pool.log",
                "create",
                [{"partner_id": self.theirs.id, "action": "claim"}],
            )
        )
        # another company's pool account, by its id, or with that company in
        # the context
        self.assertRefused(self._call(Partner, "action_ka_claim", self.pool2.ids))
        self.assertRefused(
            self._call(
                Partner,
                "action_ka_claim",
                self.pool2.ids,
                context={"allowed_company_ids": self.company2.ids},
            )
        )

        self.assertEqual(self._fresh(self.theirs).user_id, self.ka_user2)
        self.assertFalse(self._fresh(self.pool | self.pool2).user_id)
        self.assertFalse(self._logs(self.theirs | self.pool | self.pool2))

        # within the cap, the same call claims; past it, refused
        claimed, rest = self.pool[:2], self.pool[2:]
        self.assertIs(
            self._call(Partner, "action_ka_claim", claimed.ids)["result"], True
        )
        self.assertRefused(
            self._call(Partner, "action_ka_claim", rest[:1].ids),
            error=USER_ERROR,
            message="already claimed 2 key accounts today",
        )
        self.assertRefused(self._call(Partner, "write", rest.ids, owner_vals))
        self.assertEqual(self._fresh(claimed).user_id, self.ka_user)
        self.assertFalse(self._fresh(rest).user_id)
        self.assertEqual(self._logs(self.pool).partner_id, claimed)

    def test_no_claim_from_another_teams_pool(self):
        """A pool account of a team the salesperson is no member of: not in
        their searches, not readable, not claimable, not movable into their
        own team's pool."""
        Partner = "res.partner"
        Team = self.env["crm.team"]
        east = Team.create(
            {"name": "East", "member_ids": [Command.set(self.ka_user.ids)]}
        )
        west = Team.create(
            {"name": "West", "member_ids": [Command.set(self.ka_user2.ids)]}
        )
        theirs = self._account("West Pool Co", ka_team_id=west.id)
        ours = self._account("East Pool Co", ka_team_id=east.id)

        found = self._call(
            Partner,
            "search_read",
            [("ka_type_id", "!=", False), ("user_id", "=", False)],
            fields=["name"],
        )["result"]
        names = {row["name"] for row in found}
        self.assertIn("East Pool Co", names)
        self.assertNotIn("West Pool Co", names)
        self.assertRefused(self._call(Partner, "read", theirs.ids, ["name"]))
        self.assertRefused(self._call(Partner, "action_ka_claim", theirs.ids))
        self.assertRefused(
            self._call(Partner, "write", theirs.ids, {"ka_team_id": east.id})
        )
        self.assertRefused(
            self._call(Partner, "write", ours.ids, {"ka_pool_team_id": west.id})
        )
        self.assertRefused(
            self._call(
                Partner,
                "action_ka_release",
                ours.ids,
                "Move it",
                team=west.id,
            )
        )
        fresh = self._fresh(theirs | ours)
        self.assertFalse(fresh.user_id)
        self.assertEqual(fresh.mapped("ka_pool_team_id"), west | east)
        self.assertFalse(self._logs(theirs | ours))
        # their own team's account: the same call claims it
        self.assertIs(self._call(Partner, "action_ka_claim", ours.ids)["result"], True)
        self.assertEqual(self._fresh(ours).user_id, self.ka_user)

    # ---- the grade and the system fields ------------------------------------------
    def test_no_grade_by_hand(self):
        own = self.account
        self.assertEqual(own.user_id, self.ka_user)
        self.assertRefused(
            self._call(
                "res.partner",
                "write",
                own.ids,
                {"ka_grade_id": self.grade_a.id, "ka_grade_locked": True},
            ),
            message="Only Key Account managers can set or lock a grade",
        )
        for vals in ({"ka_grade_id": self.grade_a.id}, {"ka_grade_locked": True}):
            self.assertRefused(self._call("res.partner", "write", own.ids, vals))
        own = self._fresh(own)
        self.assertEqual(own.ka_grade_id, self.grade_b)
        self.assertFalse(own.ka_grade_locked)
        self.assertFalse(
            self.env["key_account.grade.history"].search(
                [("partner_id", "=", own.id), ("new_grade_id", "=", self.grade_a.id)]
            )
        )

    def test_no_system_fields(self):
        own = self.account
        before = (own.ka_sales_12m, own.ka_last_contact_date)
        today = fields.Date.to_string(fields.Date.context_today(own))
        for vals in (
            {"ka_sales_12m": 999_999_999},
            {"ka_last_contact_date": today},
        ):
            with self.subTest(vals=vals):
                self.assertRefused(
                    self._call("res.partner", "write", own.ids, vals),
                    message="cannot be written",
                )
        own = self._fresh(own)
        self.assertEqual((own.ka_sales_12m, own.ka_last_contact_date), before)
