"""The department's roles (issue 20 §3, seed 000 §三2): the assistant, the
activity planner, the data analyst, and what a sales team's leader reads of
their members' work (本部门及下级), as record rules on the teams' memberships."""

from datetime import date
from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import new_test_user
from odoo.tests import tagged

from ..models.common.groups import KA_MANAGER
from .common import HOSTILE_CONTEXT
from .common import EngagementCase

NEED = "A wedding set for the daughter"


@tagged("post_install", "-at_install")
class TestDepartmentRoles(EngagementCase):
    """Team A: led by ``leader``, with ``ka_user`` (who owns a company and a
    person key account), the assistant and the planner as members. Team B:
    ``ka_user2`` (who owns an account) and another assistant. The analyst is
    in no team; ``assistant2`` is a member of team A working in a second
    company only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login, group, **vals):
            return new_test_user(
                cls.env, login=login, name=login.title(), groups=group, **vals
            )

        cls.leader = user("dept_leader", "key_account.group_key_account_user")
        cls.assistant = user(
            "dept_assistant", "key_account.group_key_account_assistant"
        )
        cls.planner = user("dept_planner", "key_account.group_key_account_planner")
        cls.analyst = user("dept_analyst", "key_account.group_key_account_analyst")
        cls.assistant_b = user(
            "dept_assistant_b", "key_account.group_key_account_assistant"
        )
        cls.company2 = cls.env["res.company"].create({"name": "Second Jewels"})
        cls.assistant2 = user(
            "dept_assistant2",
            "key_account.group_key_account_assistant",
            company_id=cls.company2.id,
            company_ids=[cls.company2.id],
        )
        cls.team_a = cls.env["crm.team"].create(
            {
                "name": "Team A",
                "user_id": cls.leader.id,
                "member_ids": [
                    Command.set(
                        (cls.ka_user | cls.assistant | cls.planner | cls.assistant2).ids
                    )
                ],
            }
        )
        cls.team_b = cls.env["crm.team"].create(
            {
                "name": "Team B",
                "member_ids": [Command.set((cls.ka_user2 | cls.assistant_b).ids)],
            }
        )
        cls.firm = cls._account("Jade Firm", user_id=cls.ka_user.id, ka_need=NEED)
        cls.person = cls._account(
            "Mrs Lin",
            is_company=False,
            user_id=cls.ka_user.id,
            ka_need=NEED,
        )
        cls.theirs = cls._account("Other Firm", user_id=cls.ka_user2.id, ka_need=NEED)
        cls.accounts = cls.firm | cls.person
        cls._order(cls.firm, 12_000)
        cls._order(cls.person, 3_000)
        cls.accounts._ka_refresh_sales()

    def _as(self, user, records):
        return records.with_user(user).with_context(**HOSTILE_CONTEXT)

    def _file(self, account):
        return account.ka_file_ids

    # ---- the assistant ------------------------------------------------------------
    def test_assistant_reads_and_writes_the_department_files(self):
        for account in self.accounts:
            with self.subTest(account=account.name):
                mine = self._as(self.assistant, account)
                self.assertEqual(mine.ka_need, NEED)
                self.assertTrue(mine.ka_file_access)
                mine.write({"ka_need": "Earrings to match"})
                self.assertEqual(self._file(account).need, "Earrings to match")
                # nothing else of the account: owner, grade, type
                for vals in (
                    {"user_id": self.assistant.id},
                    {"ka_grade_id": self.grade_a.id},
                    {"ka_type_id": self.type_potential.id},
                ):
                    with self.assertRaises(AccessError):
                        self._as(self.assistant, account).write(vals)
                # nor through a caller's defaults, creating the file
                self._file(account).unlink()
                self._as(self.assistant, account).with_context(
                    default_user_id=self.assistant.id,
                    default_ka_grade_id=self.grade_a.id,
                    default_partner_id=self.theirs.id,
                ).write({"ka_need": "A necklace"})
                self.assertEqual(self._file(account).need, "A necklace")
                self.assertEqual(self._file(account).user_id, self.ka_user)
                self.assertEqual(account.user_id, self.ka_user)
                self.assertFalse(account.ka_grade_id == self.grade_a)
                self.assertFalse(self.theirs.ka_file_ids.need == "A necklace")

    def test_assistant_archives_documents_on_the_file(self):
        file = self._file(self.firm)
        Attachment = self.env["ir.attachment"].with_user(self.assistant)
        contract = Attachment.create(
            {
                "name": "contract.pdf",
                "raw": b"%PDF-1.4 contract",
                "res_model": "key_account.file",
                "res_id": file.id,
            }
        )
        self.assertEqual(contract.with_user(self.assistant).raw, b"%PDF-1.4 contract")
        with self.assertRaises(AccessError):
            Attachment.create(
                {
                    "name": "stolen.pdf",
                    "raw": b"x",
                    "res_model": "key_account.file",
                    "res_id": self._file(self.theirs).id,
                }
            )
        # the colleague of another team does not read it
        with self.assertRaises(AccessError):
            contract.with_user(self.ka_user2).read(["raw"])

    def test_assistant_does_not_read_another_team_or_company(self):
        for assistant, account in (
            (self.assistant, self.theirs),
            (self.assistant_b, self.firm),
            (self.assistant_b, self.person),
            (self.assistant2, self.firm),
        ):
            with self.subTest(assistant=assistant.login, account=account.name):
                self.assertFalse(self._as(assistant, account).ka_need)
                self.assertFalse(
                    self.env["key_account.file"]
                    .with_user(assistant)
                    .search([("partner_id", "=", account.id)])
                )
                with self.assertRaises(AccessError):
                    self._as(assistant, account).write({"ka_need": "Mine now"})
        self.assertEqual(self.theirs.ka_file_ids.need, NEED)
        self.assertFalse(self.assistant.has_group(KA_MANAGER))

    # ---- the activity planner -----------------------------------------------------
    def test_planner_raises_a_department_visit(self):
        visit = self._visit(500)
        mine = self._as(self.planner, visit)
        mine.write(
            {
                "method": "face",
                "preparation": "The director comes along with the new catalogue",
                "planned_line_ids": [
                    Command.create(
                        {"kind": "planned", "name": "Director's trip", "amount": 6000}
                    )
                ],
            }
        )
        self.assertEqual(visit.amount_planned, 6500)
        # it stays the salesperson's visit, approved by the chain it now needs
        with self.assertRaises(AccessError):
            self._as(self.planner, visit).write({"user_id": self.planner.id})
        visit.with_user(self.ka_user).action_submit()
        self.assertEqual(len(visit.approval_line_ids), 2)
        # the planner does not approve it, and is told the level it waits
        # for (whose steps they do not read), not "False"
        level = visit._ka_current_line()
        with self.assertRaises(AccessError) as refusal:
            self._as(self.planner, visit).action_approve()
        message = str(refusal.exception)
        self.assertIn(f"waits for the level {level.name}:", message)
        self.assertNotIn("False", message)
        # not another team's visit
        theirs = (
            self.env["key_account.visit"]
            .with_user(self.ka_user2)
            .create({"partner_id": self.theirs.id, "purpose": "Tea"})
        )
        with self.assertRaises(AccessError):
            self._as(self.planner, theirs).read(["purpose"])

    def test_planner_organises_receptions_and_does_not_approve_them(self):
        receptions = self.env["key_account.reception"]
        for account in self.accounts:
            receptions |= receptions.with_user(self.planner).create(
                {
                    "partner_id": account.id,
                    "guest_count": 3,
                    "date_start": datetime(2026, 3, 2, 10, 0),
                    "planned_line_ids": [
                        Command.create(
                            {"kind": "planned", "name": "Tea and sweets", "amount": 300}
                        )
                    ],
                }
            )
        self.assertEqual(receptions.user_id, self.planner)
        receptions.with_user(self.planner).action_submit()
        for reception in receptions:
            with self.assertRaises(UserError):
                self._as(self.planner, reception).action_approve()
        # the department's receptions, not another team's accounts
        with self.assertRaises(AccessError):
            receptions.with_user(self.planner).create(
                {"partner_id": self.theirs.id, "guest_count": 1}
            )
        with self.assertRaises(AccessError):
            receptions.with_user(self.assistant).create(
                {"partner_id": self.firm.id, "guest_count": 1}
            )

    # ---- the data analyst ---------------------------------------------------------
    def test_analyst_reads_figures_not_files(self):
        visit = self._visit(100)
        self.env["key_account.monthly.report"].with_user(self.ka_user).create(
            {"month": date(2025, 2, 1), "summary": "Good month"}
        )
        analyst = self.analyst
        for account, sales in ((self.firm, 12_000), (self.person, 3_000)):
            with self.subTest(account=account.name):
                seen = self._as(analyst, account)
                self.assertEqual(seen.ka_sales_12m, sales)
                self.assertEqual(seen.ka_owner_sales_12m, sales)
                self.assertFalse(seen.ka_need)
                self.assertFalse(seen.ka_file_access)
        self.assertFalse(self.env["key_account.file"].with_user(analyst).search([]))
        self.assertIn(
            visit, self.env["key_account.visit"].with_user(analyst).search([])
        )
        self.assertTrue(
            self.env["key_account.monthly.report"]
            .with_user(analyst)
            .search([("user_id", "=", self.ka_user.id)])
        )
        with self.assertRaises(AccessError):
            self._as(analyst, visit).write({"purpose": "Changed"})
        with self.assertRaises(AccessError):
            self._as(analyst, self.firm).write({"ka_need": "Changed"})
        # nor the contact data Odoo's contact rights would let them write:
        # not on a key account, a person's or a company's, nor its contacts
        contact = self.env["res.partner"].create(
            {"name": "Buyer Wu", "parent_id": self.firm.id, "phone": "1"}
        )
        for partner in (self.firm, self.person, contact, self.theirs):
            with self.subTest(partner=partner.name):
                with self.assertRaises(AccessError):
                    self._as(analyst, partner).write({"phone": "+86 999"})
                with self.assertRaises(AccessError):
                    self._as(analyst, partner).unlink()
        with self.assertRaises(AccessError):
            self._as(analyst, self.env["res.partner"]).create(
                {"name": "New buyer", "parent_id": self.firm.id}
            )
        with self.assertRaises(AccessError):
            self._as(analyst, contact).write({"parent_id": False})
        self.assertEqual(contact.parent_id, self.firm)
        self.assertFalse((self.firm | self.person | self.theirs).filtered("phone"))
        # the owner still does; the analyst writes a partner that is no key
        # account (their own contacts' rights are Odoo's)
        self._as(self.ka_user, self.firm).write({"phone": "+86 123"})
        supplier = self.env["res.partner"].create({"name": "Gold supplier"})
        self._as(analyst, supplier).write({"phone": "+86 456"})
        self.assertEqual(supplier.phone, "+86 456")
        self.assertFalse(analyst.has_group(KA_MANAGER))

    # ---- the leader ---------------------------------------------------------------
    def test_leader_reads_the_members_documents(self):
        visit = self._visit(100)
        report = (
            self.env["key_account.monthly.report"]
            .with_user(self.ka_user)
            .create({"month": date(2025, 2, 1), "summary": "Good month"})
        )
        for account in self.accounts:
            with self.subTest(account=account.name):
                seen = self._as(self.leader, account)
                self.assertEqual(seen.ka_need, NEED)
                self.assertTrue(seen.ka_owner_sales_12m)
                with self.assertRaises(AccessError):
                    seen.write({"ka_need": "Changed"})
        self._as(self.leader, visit).read(["purpose"])
        self._as(self.leader, report).read(["summary"])
        with self.assertRaises(AccessError):
            self._as(self.leader, report).write({"summary": "Changed"})
        self.assertFalse(self.leader.has_group(KA_MANAGER))

    def test_others_do_not_read_the_members_documents(self):
        visit = self._visit(100)
        report = (
            self.env["key_account.monthly.report"]
            .with_user(self.ka_user)
            .create({"month": date(2025, 2, 1), "summary": "Good month"})
        )
        # a member of another team, and the leader once the member left
        for user in (self.ka_user2, self.assistant_b):
            with self.subTest(user=user.login):
                for account in self.accounts:
                    self.assertFalse(self._as(user, account).ka_need)
                    self.assertFalse(self._as(user, account).ka_owner_sales_12m)
                with self.assertRaises(AccessError):
                    self._as(user, visit).read(["purpose"])
                with self.assertRaises(AccessError):
                    self._as(user, report).read(["summary"])
        self.team_a.crm_team_member_ids.filtered(
            lambda m: m.user_id == self.ka_user
        ).active = False
        self.assertFalse(self._as(self.leader, self.firm).ka_need)
        self.assertFalse(self._as(self.assistant, self.person).ka_need)
        with self.assertRaises(AccessError):
            self._as(self.leader, visit).read(["purpose"])

    def test_leader_figures_follow_the_teams(self):
        """The department of a leader, and the one an assistant serves, are
        cached (the figures of every batch of accounts ask for them) and
        follow the teams: a member joining or leaving, the team's leader
        changed, the team deleted."""

        def figures(account):
            self.env.invalidate_all()
            return self._as(self.leader, account).ka_owner_sales_12m

        self._order(self.theirs, 5_000)
        self.theirs._ka_refresh_sales()
        self.assertTrue(figures(self.firm))
        self.assertFalse(figures(self.theirs))
        self.env.invalidate_all()
        self.assertTrue(self._as(self.assistant, self.firm).ka_owner_sales_12m)
        with self.assertQueryCount(0):
            self.leader._ka_department_user_ids()
            self.assistant._ka_served_user_ids()
        # the leader leads team B too (ka_user2's), then team B is deleted
        self.team_b.user_id = self.leader
        self.assertTrue(figures(self.theirs))
        self.team_b.unlink()
        self.assertFalse(figures(self.theirs))
        # ka_user leaves team A, ka_user2 joins it, then team A loses its leader
        self.team_a.crm_team_member_ids.filtered(
            lambda m: m.user_id == self.ka_user
        ).active = False
        self.assertFalse(figures(self.firm))
        self.env.invalidate_all()
        self.assertFalse(self._as(self.assistant, self.firm).ka_owner_sales_12m)
        self.team_a.write({"member_ids": [Command.link(self.ka_user2.id)]})
        self.assertTrue(figures(self.theirs))
        self.env.invalidate_all()
        self.assertTrue(self._as(self.assistant, self.theirs).ka_owner_sales_12m)
        self.team_a.user_id = False
        self.assertFalse(figures(self.theirs))

    def test_an_archived_team_is_nobody_s_department(self):
        """A sales team archived (the department closed) no longer gives its
        leader nor its assistant the members' accounts, files and
        documents."""
        visit = self._visit(100)
        self.assertTrue(self._as(self.leader, self.firm).ka_need)
        self._as(self.leader, visit).read(["purpose"])
        self.team_a.active = False
        self.env.invalidate_all()
        self.assertFalse(self._as(self.leader, self.firm).ka_need)
        self.assertFalse(self._as(self.leader, self.firm).ka_owner_sales_12m)
        self.assertFalse(self._as(self.assistant, self.person).ka_need)
        with self.assertRaises(AccessError):
            self._as(self.leader, visit).read(["purpose"])
