"""Controls that hold whatever a client sends.

Each guarded write is tried as the user it concerns, with every context key
the module ever read as a switch set (``HOSTILE_CONTEXT``): it is refused and
leaves the data as it was."""

import re
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from freezegun import freeze_time

from odoo import Command
from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.modules.migration import load_script
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools import convert_file

from .common import HOSTILE_CONTEXT
from .common import EngagementCase

MODULE = Path(__file__).resolve().parent.parent
# the ways Python code of the module can read a context key
CONTEXT_KEY_READS = [
    re.compile(r"context\.get\(\s*[\"'](ka_\w+)"),
    re.compile(r"context\[\s*[\"'](ka_\w+)"),
    re.compile(r"with_context\((?:[^()]|\([^()]*\))*?\b(ka_\w+)\s*="),
    re.compile(r"\*\*\{\s*[\"'](ka_\w+)"),
]


def context_keys_read(source):
    return {match for pattern in CONTEXT_KEY_READS for match in pattern.findall(source)}


@tagged("post_install", "-at_install")
class TestControls(EngagementCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"ka_pool_max_claims_per_day": 5, "ka_pool_max_owned": 50})
        # the accounts of the demo data stay out of the counts
        cls.env["res.partner"].search(
            [("ka_type_id", "!=", False), ("id", "!=", cls.account.id)]
        ).write({"user_id": False, "ka_grade_locked": True})

    def as_user(self, records, user):
        """``records`` as ``user``, with every context key set."""
        return records.with_user(user).with_context(**HOSTILE_CONTEXT)

    def assertRefused(self, func, exception=UserError):
        with self.assertRaises(exception), self.cr.savepoint():
            func()
            self.env.flush_all()
        self.env.invalidate_all()

    # ---- the keys --------------------------------------------------------------------
    def test_every_context_key_the_module_reads_is_tried(self):
        self.assertEqual(
            context_keys_read(
                'x.with_context(ka_a=True, b=1)\nself.env.context.get("ka_b")\n'
                "ctx['ka_c']; self.with_context(**{'ka_d': 1})"
            ),
            {"ka_a", "ka_b", "ka_d"},
        )
        read = set()
        for path in MODULE.rglob("*.py"):
            if "tests" not in path.relative_to(MODULE).parts:
                read |= context_keys_read(path.read_text())
        unlisted = read - set(HOSTILE_CONTEXT)
        self.assertFalse(
            unlisted, "context keys read by the module but not tried by the tests"
        )

    # ---- approvals -------------------------------------------------------------------
    def test_no_self_approval_whatever_the_context(self):
        visit = self._visit(50_000)
        mine = self.as_user(visit, self.ka_user)
        self.assertRefused(lambda: mine.write({"state": "approved"}), AccessError)
        mine.action_submit()
        for attempt in (
            lambda: mine.write({"state": "approved"}),
            lambda: mine.write({"submitted_by_id": self.ka_manager.id}),
            mine.action_approve,
            mine.action_done,
            mine.action_claim_expenses,
            lambda: mine.approval_line_ids.write({"state": "approved"}),
        ):
            self.assertRefused(attempt)
        self.assertRefused(
            lambda: self.as_user(self.env["key_account.visit"], self.ka_user).create(
                {"partner_id": self.account.id, "purpose": "x", "state": "approved"}
            ),
            AccessError,
        )
        self.assertEqual(visit.state, "submitted")
        self.assertEqual(set(visit.approval_line_ids.mapped("state")), {"pending"})
        # a colleague's approver rights do not stretch to editing the request
        approver = self.as_user(visit, self.ka_approver)
        self.assertEqual(approver.purpose, "Present the new range")
        self.assertRefused(lambda: approver.write({"purpose": "Mine now"}), AccessError)
        self.assertRefused(approver.action_cancel, AccessError)
        self.as_user(visit, self.ka_manager).action_approve()
        self.as_user(visit, self.ka_approver).action_approve()
        self.assertEqual(visit.state, "approved")

    def test_only_the_owner_moves_the_request(self):
        visit = self._visit(100)
        visit.action_submit()
        self.as_user(visit, self.ka_manager).action_approve()
        for user in (self.ka_user2, self.ka_approver):
            theirs = visit.with_user(user).sudo(False)
            for action in ("action_done", "action_close", "action_cancel"):
                with self.subTest(user=user.login, action=action):
                    self.assertRefused(
                        lambda t=theirs, a=action: getattr(
                            t.with_context(**HOSTILE_CONTEXT), a
                        )(),
                    )
        self.assertEqual(visit.state, "approved")

    # ---- engagement belongs to the account's owner -----------------------------------
    def test_engagement_only_on_accounts_one_owns(self):
        pool = self._account("Pool Co")
        theirs = self._account("Their Co", user_id=self.ka_user2.id)
        Visit = self.as_user(self.env["key_account.visit"], self.ka_user)
        for partner in (pool, theirs):
            with self.subTest(partner=partner.name):
                self.assertRefused(
                    lambda p=partner: Visit.create(
                        {"partner_id": p.id, "purpose": "x"}
                    ),
                    AccessError,
                )
        # not for somebody else either, nor moved to another account later
        self.assertRefused(
            lambda: Visit.create(
                {
                    "partner_id": self.account.id,
                    "purpose": "x",
                    "user_id": self.ka_user2.id,
                }
            ),
            AccessError,
        )
        visit = Visit.create({"partner_id": self.account.id, "purpose": "x"})
        self.assertRefused(lambda: visit.write({"partner_id": theirs.id}), AccessError)
        gift = self.as_user(self.env["key_account.gift"], self.ka_user2)
        self.assertRefused(
            lambda: gift.create(
                {
                    "partner_id": self.account.id,
                    "recipient_id": self.buyer.id,
                    "occasion": "x",
                }
            ),
            AccessError,
        )
        reception = self.as_user(self.env["key_account.reception"], self.ka_user2)
        self.assertRefused(
            lambda: reception.create({"partner_id": self.account.id}), AccessError
        )
        # a manager plans one for a colleague
        planned = self.as_user(self.env["key_account.visit"], self.ka_manager).create(
            {"partner_id": self.account.id, "purpose": "x", "user_id": self.ka_user2.id}
        )
        self.assertEqual(planned.user_id, self.ka_user2)
        # once claimed, the pool account is the claimer's to plan on
        pool.with_user(self.ka_user).action_ka_claim()
        self.assertTrue(Visit.create({"partner_id": pool.id, "purpose": "x"}))

    # ---- the pool --------------------------------------------------------------------
    def test_owners_move_only_through_the_pool(self):
        theirs = self._account("Their Co", user_id=self.ka_user2.id)
        pool = self.env["res.partner"].create(
            [
                {
                    "name": f"Pool {i}",
                    "is_company": True,
                    "ka_type_id": self.type_potential.id,
                }
                for i in range(6)
            ]
        )
        Log = self.env["key_account.pool.log"]
        logs = Log.search_count([])
        for partners in (theirs, pool):
            self.assertRefused(
                lambda p=partners: self.as_user(p, self.ka_user).write(
                    {"user_id": self.ka_user.id}
                ),
                AccessError,
            )
        self.assertRefused(
            lambda: self.as_user(pool, self.ka_user).action_ka_claim(), UserError
        )
        self.assertEqual(theirs.user_id, self.ka_user2)
        self.assertFalse(pool.user_id)
        self.assertEqual(Log.search_count([]), logs)
        # within the cap, the claim goes through the pool and is logged
        self.as_user(pool[:5], self.ka_user).action_ka_claim()
        self.assertEqual(pool[:5].user_id, self.ka_user)
        self.assertEqual(Log.search_count([]), logs + 5)
        # a manager's change of owner is an assignment, logged
        self.as_user(theirs, self.ka_manager).write({"user_id": self.ka_user.id})
        self.assertEqual(Log.search([("partner_id", "=", theirs.id)]).action, "assign")

    def test_daily_claim_cap_counts_the_salespersons_own_day(self):
        """Asia/Shanghai is UTC+8: at 00:30 there it is 16:30 UTC the day before."""
        self.ka_user.tz = "Asia/Shanghai"
        accounts = self.env["res.partner"].create(
            [
                {
                    "name": f"Night {i}",
                    "is_company": True,
                    "ka_type_id": self.type_potential.id,
                }
                for i in range(8)
            ]
        )
        with freeze_time("2026-03-10 16:30:00"):  # 00:30 on 11 March in Shanghai
            self.as_user(accounts[:5], self.ka_user).action_ka_claim()
        with freeze_time("2026-03-11 02:00:00"):  # 10:00 the same day there
            self.assertRefused(
                lambda: self.as_user(accounts[5], self.ka_user).action_ka_claim()
            )
        self.assertFalse(accounts[5].user_id)
        with freeze_time("2026-03-11 16:30:00"):  # 00:30 on 12 March there
            self.as_user(accounts[5], self.ka_user).action_ka_claim()
        self.assertEqual(accounts[5].user_id, self.ka_user)
        # a colleague's claims are theirs
        with freeze_time("2026-03-11 17:00:00"):
            self.as_user(accounts[6:], self.ka_user2).action_ka_claim()
        self.assertEqual(accounts[6:].user_id, self.ka_user2)

    # ---- grades, types and the key-account clocks ------------------------------------
    def test_grades_and_locks_by_managers_only(self):
        mine = self.as_user(self.account, self.ka_user)
        history = self.account.ka_grade_history_ids
        for vals in (
            {"ka_grade_id": self.grade_a.id},
            {"ka_grade_locked": True},
            {"ka_grade_id": self.grade_a.id, "ka_grade_locked": True},
        ):
            with self.subTest(vals=vals):
                self.assertRefused(lambda v=vals: mine.write(v), AccessError)
        self.assertEqual(self.account.ka_grade_id, self.grade_b)
        self.assertFalse(self.account.ka_grade_locked)
        self.assertEqual(self.account.ka_grade_history_ids, history)
        self.as_user(self.account, self.ka_manager).write(
            {"ka_grade_id": self.grade_a.id, "ka_grade_locked": True}
        )
        row = self.account.ka_grade_history_ids - history
        self.assertEqual((row.new_grade_id, row.mode), (self.grade_a, "manual"))

    def test_types_and_start_date_by_managers(self):
        mine = self.as_user(self.account, self.ka_user)
        important = self.env.ref("key_account.key_account_type_important")
        self.assertTrue(important.ka_pool_never_return)
        for vals in (
            {"ka_type_id": important.id},
            {"ka_type_id": self.type_potential.id},
            {"ka_type_id": False},
            {"ka_since": self._today() - timedelta(days=3)},
        ):
            with self.subTest(vals=vals):
                self.assertRefused(lambda v=vals: mine.write(v), AccessError)
        self.assertEqual(self.account.ka_type_id, self.type_strategic)
        # a new key account of theirs: a type that may return to the pool
        Partner = self.as_user(self.env["res.partner"], self.ka_user)
        new = Partner.create(
            {
                "name": "Found Co",
                "is_company": True,
                "ka_type_id": self.type_potential.id,
            }
        )
        self.assertEqual(new.ka_since, self._today())
        self.assertRefused(
            lambda: Partner.create(
                {"name": "Exempt Co", "is_company": True, "ka_type_id": important.id}
            ),
            AccessError,
        )
        self.assertRefused(
            lambda: Partner.create(
                {
                    "name": "Gift Co",
                    "is_company": True,
                    "ka_type_id": self.type_potential.id,
                    "user_id": self.ka_user2.id,
                }
            ),
            AccessError,
        )
        # never in the future, whoever sets it
        self.assertRefused(
            lambda: self.as_user(self.account, self.ka_manager).write(
                {"ka_since": self._today() + timedelta(days=1)}
            ),
            ValidationError,
        )

    def test_system_fields_written_by_the_module_only(self):
        today = self._today()
        values = {
            "ka_sales_12m": 999_999_999,
            "ka_last_order_date": today,
            "ka_file_completeness": 100,
            "ka_last_contact_date": today + timedelta(days=365),
            "ka_last_visit_date": today,
            "ka_last_followup_date": today,
            "ka_next_followup_date": today + timedelta(days=365),
            "ka_owner_since": fields.Datetime.now(),
            "ka_pool_since": fields.Datetime.now(),
            "ka_pool_warning_date": today,
        }
        before = self.account.read(list(values))
        for user in (self.ka_user, self.ka_manager):
            for fname, value in values.items():
                with self.subTest(user=user.login, field=fname):
                    self.assertRefused(
                        lambda f=fname, v=value, u=user: self.as_user(
                            self.account, u
                        ).write({f: v}),
                        AccessError,
                    )
        self.assertEqual(self.account.read(list(values)), before)
        self.assertRefused(
            lambda: self.as_user(self.env["res.partner"], self.ka_user).create(
                {
                    "name": "Rich Co",
                    "is_company": True,
                    "ka_type_id": self.type_potential.id,
                    "ka_sales_12m": 5_000_000,
                }
            ),
            AccessError,
        )

    def test_visit_date_never_in_the_future(self):
        visit = self._visit(100)
        visit.action_submit()
        self.as_user(visit, self.ka_manager).action_approve()
        tomorrow = fields.Date.context_today(visit) + timedelta(days=1)
        self.assertRefused(
            lambda: self.as_user(visit, self.ka_user).write(
                self._visit_record_vals(tomorrow)
            ),
            ValidationError,
        )
        self.assertFalse(visit.actual_date)
        # the follow-up clock never runs ahead of today, whatever is registered
        self.account._ka_register_followup("visit", tomorrow + timedelta(days=300))
        self.assertEqual(
            self.account.ka_last_visit_date, fields.Date.context_today(self.account)
        )

    # ---- documents locked after their workflow ---------------------------------------
    def test_submitted_monthly_report_stays_submitted(self):
        Report = self.as_user(self.env["key_account.monthly.report"], self.ka_user)
        report = Report.create({"month": date(2025, 2, 1), "summary": "Good month"})
        report.action_submit()
        for vals in ({"summary": "Better"}, {"state": "draft"}):
            self.assertRefused(lambda v=vals: report.write(v))
        self.assertRefused(report.action_reset_draft, AccessError)
        # nor can a colleague submit theirs for them
        other = Report.with_user(self.ka_user2).create({"month": date(2025, 3, 1)})
        self.assertRefused(
            lambda: self.as_user(other, self.ka_user).action_submit(), AccessError
        )
        self.assertEqual((report.state, report.summary), ("submitted", "Good month"))

    def test_scorecards_confirmed_by_another_manager(self):
        template = self.env.ref("key_account.key_account_kpi_template_consultant")
        cards, _skipped = self.env["key_account.scorecard"]._ka_compute_scorecards(
            template,
            self.ka_user | self.ka_manager,
            date(2025, 1, 1),
            date(2025, 3, 31),
        )
        salesperson_card = cards.filtered(lambda c: c.user_id == self.ka_user)
        manager_card = cards - salesperson_card
        self.assertRefused(
            self.as_user(salesperson_card, self.ka_user).action_confirm, AccessError
        )
        self.assertRefused(
            self.as_user(manager_card, self.ka_manager).action_confirm, AccessError
        )
        self.assertRefused(
            lambda: self.as_user(salesperson_card, self.ka_manager).write(
                {"state": "confirmed"}
            ),
            AccessError,
        )
        self.assertEqual(set(cards.mapped("state")), {"draft"})
        self.as_user(manager_card, self.ka_manager2).action_confirm()
        self.assertEqual(manager_card.state, "confirmed")
        self.assertRefused(
            lambda: self.as_user(manager_card, self.ka_manager2).write(
                {"state": "draft"}
            ),
            AccessError,
        )
        self.assertRefused(
            lambda: self.as_user(manager_card, self.ka_manager)._ka_reopen("Mine"),
            AccessError,
        )

    def test_kpi_weights_checked_whatever_the_context(self):
        template = self.env.ref("key_account.key_account_kpi_template_consultant")
        line = template.line_ids[0]
        weight = line.weight
        self.assertRefused(
            lambda: self.as_user(line, self.ka_manager).write({"weight": weight + 10}),
            ValidationError,
        )
        self.assertRefused(
            lambda: self.as_user(template, self.ka_manager).write(
                {"line_ids": [Command.update(line.id, {"weight": weight + 10})]}
            ),
            ValidationError,
        )
        self.assertEqual(line.weight, weight)
        self.assertEqual(template.total_weight, 100)

    def test_a_plan_keeps_its_last_tier(self):
        plan = self.env["key_account.commission.plan"].create(
            {
                "name": "One tier",
                "tier_ids": [Command.create({"amount_from": 0, "rate": 5})],
            }
        )
        self.assertRefused(
            lambda: self.as_user(plan.tier_ids, self.ka_manager).unlink(),
            ValidationError,
        )
        self.assertEqual(len(plan.tier_ids), 1)
        # deleting the plan deletes its tiers
        self.as_user(plan, self.ka_manager).unlink()
        self.assertFalse(plan.exists())

    # ---- feedback --------------------------------------------------------------------
    def test_complaint_validity_decided_by_managers(self):
        complaint = self._feedback(
            self.account, self.ka_user, datetime(2025, 2, 1, 9), is_valid=True
        )
        mine = self.as_user(complaint, self.ka_user)
        for vals in (
            {"is_valid": False},
            {"user_id": self.ka_user2.id},
            {"answer_due": datetime(2030, 1, 1)},
            {"received_date": datetime(2025, 2, 2, 9)},
        ):
            with self.subTest(vals=vals):
                self.assertRefused(lambda v=vals: mine.write(v), AccessError)
        self.assertTrue(complaint.is_valid)
        mine.write({"resolution": "Replaced the parts"})
        # nor recorded against a colleague
        Feedback = self.as_user(self.env["key_account.feedback"], self.ka_user)
        self.assertRefused(
            lambda: Feedback.create(
                {
                    "name": "Theirs",
                    "partner_id": self.account.id,
                    "user_id": self.ka_user2.id,
                }
            ),
            AccessError,
        )
        # the answer is due when the type says, whatever a salesperson sends
        own = Feedback.create(
            {
                "name": "Mine",
                "partner_id": self.account.id,
                "received_date": datetime(2025, 2, 1, 9),
                "answer_due": datetime(2030, 1, 1),
            }
        )
        self.assertEqual(own.answer_due, datetime(2025, 2, 2, 9))
        self.as_user(complaint, self.ka_manager).write({"is_valid": False})
        self.assertFalse(complaint.is_valid)

    # ---- a second company ------------------------------------------------------------
    def test_a_second_company_manager_moves_nothing_of_the_first(self):
        company2 = self.env["res.company"].create({"name": "Second Co"})
        manager2 = new_test_user(
            self.env,
            login="ka_manager_second",
            groups="key_account.group_key_account_manager",
            company_id=company2.id,
            company_ids=[Command.set(company2.ids)],
        )
        self.account.company_id = self.company
        visit = self._visit(100)
        visit.action_submit()
        self.assertRefused(
            lambda: self.as_user(visit, manager2).action_approve(), AccessError
        )
        self.assertRefused(
            lambda: self.as_user(self.account, manager2).write(
                {"ka_grade_id": self.grade_a.id}
            ),
            UserError,
        )
        self.assertEqual(visit.state, "submitted")
        self.assertEqual(self.account.ka_grade_id, self.grade_b)

    # ---- numbers -------------------------------------------------------------------
    def test_not_a_number_is_refused_clearly(self):
        """JSON-RPC accepts NaN and Infinity: a clear error, not a raw one."""
        template = self.env.ref("key_account.key_account_kpi_template_consultant")
        visit = self._visit(100)
        cases = [
            (self.grade_b, self.ka_manager, {"min_sales_12m": float("nan")}),
            (self.company, self.ka_manager, {"ka_dining_cap_high": float("inf")}),
            (self.account, self.ka_user, {"ka_budget_max": float("-inf")}),
            (template.line_ids[:1], self.ka_manager, {"weight": float("nan")}),
            (visit.planned_line_ids, self.ka_user, {"amount": float("inf")}),
        ]
        for records, user, vals in cases:
            with self.subTest(model=records._name, vals=vals):
                before = records.read(list(vals))
                with self.assertRaises(ValidationError) as caught, self.cr.savepoint():
                    self.as_user(records, user).write(vals)
                self.assertIn("must be a finite number", str(caught.exception))
                self.env.invalidate_all()
                self.assertEqual(records.read(list(vals)), before)
        Expense = self.as_user(self.env["key_account.expense"], self.ka_user)
        self.assertRefused(
            lambda: Expense.create(
                {
                    "visit_id": visit.id,
                    "kind": "planned",
                    "name": "Taxi",
                    "amount": float("nan"),
                }
            ),
            ValidationError,
        )

    # ---- upgrade ---------------------------------------------------------------------
    def test_upgrade_reloads_the_tightened_record_rules(self):
        """Record rules are noupdate data, which an upgrade never rewrites:
        from 18.0.1 the approvers would keep their write access. The upgrade
        deletes the module's rules, and loading its data creates them again."""
        rule = self.env.ref("key_account.key_account_visit_rule_approver")
        rule.perm_write = True  # as in 18.0.1
        mine = self.env["ir.rule"].create(
            {"name": "Added by hand", "model_id": rule.model_id.id}
        )
        pre = load_script(
            "key_account/migrations/18.0.2.0.0/pre-migrate.py", "ka_pre_rules"
        )
        self.assertIn(
            "key_account_visit_rule_approver", pre.reload_record_rules(self.cr)
        )
        self.env.invalidate_all()
        self.assertFalse(rule.exists())
        convert_file(
            self.env,
            "key_account",
            "security/key_account_rules.xml",
            {},
            mode="update",
            noupdate=False,
            kind="data",
        )
        reloaded = self.env.ref("key_account.key_account_visit_rule_approver")
        self.assertFalse(reloaded.perm_write)
        self.assertTrue(reloaded.perm_read)
        self.assertTrue(mine.exists())
        data = self.env["ir.model.data"].search(
            [("module", "=", "key_account"), ("model", "=", "ir.rule")]
        )
        self.assertTrue(data and all(data.mapped("noupdate")))

    # ---- holes found by trying the controls over JSON-RPC ----------------------------
    def test_no_file_or_sales_taken_by_reparenting(self):
        """Making a colleague's key account a contact of one's own moved its
        file, relationship map and sales to the attacker."""
        theirs = self._account("Their Co", user_id=self.ka_user2.id)
        theirs.write({"ka_need": "Their secret"})
        contact = self.env["res.partner"].create(
            {"name": "Their buyer", "parent_id": theirs.id, "ka_hobbies": "Golf"}
        )
        pool = self._account("Pool Co")
        for partner, vals in (
            (theirs, {"is_company": False, "parent_id": self.account.id}),
            (pool, {"is_company": False, "parent_id": self.account.id}),
            (self.account, {"is_company": False}),
            (contact, {"parent_id": self.account.id}),
            (self.buyer, {"parent_id": theirs.id}),
            (contact, {"commercial_partner_id": self.account.id}),
        ):
            with self.subTest(partner=partner.name, vals=vals):
                self.assertRefused(
                    lambda p=partner, v=vals: self.as_user(p, self.ka_user).write(v),
                    AccessError,
                )
        self.assertEqual(theirs.parent_id, self.env["res.partner"])
        self.assertEqual(contact.parent_id, theirs)
        self.assertFalse(self.as_user(theirs, self.ka_user).ka_need)
        self.assertFalse(self.as_user(contact, self.ka_user).ka_hobbies)
        # within their own account, a salesperson moves their contacts
        other = self.env["res.partner"].create(
            {"name": "Second site", "is_company": True}
        )
        self.as_user(self.buyer, self.ka_user).write({"parent_id": other.id})
        self.assertEqual(self.buyer.parent_id, other)

    def test_nobody_reimburses_their_own_expenses(self):
        finance_account = self._account("Finance's Co", user_id=self.ka_approver.id)
        visit = (
            self.env["key_account.visit"]
            .with_user(self.ka_approver)
            .create(
                {
                    "partner_id": finance_account.id,
                    "purpose": "x",
                    "planned_line_ids": [
                        Command.create(
                            {"kind": "planned", "name": "Taxi", "amount": 120}
                        )
                    ],
                }
            )
        )
        visit.action_submit()
        visit.with_user(self.ka_manager).action_approve()
        visit.write(
            {
                **self._visit_record_vals(),
                "summary": "<p>Done</p>",
                "expense_line_ids": [Command.create({"name": "Taxi", "amount": 120})],
            }
        )
        visit.action_done()
        visit.action_claim_expenses()
        self.assertRefused(
            lambda: self.as_user(visit, self.ka_approver).action_reimburse_expenses(),
            AccessError,
        )
        self.assertEqual(visit.expense_line_ids.reimbursement_state, "claimed")
        approver2 = new_test_user(
            self.env,
            login="ka_approver_2",
            groups="key_account.group_key_account_approver",
        )
        self.as_user(visit, approver2).action_reimburse_expenses()
        self.assertEqual(visit.expense_line_ids.reimbursement_state, "reimbursed")

    def test_expenses_stay_where_and_what_they_are(self):
        draft = self._visit(1000)
        approved = self._visit(2000)
        approved.action_submit()
        self.as_user(approved, self.ka_manager).action_approve()
        theirs = self._visit(100, user=self.ka_user2)
        Expense = self.as_user(self.env["key_account.expense"], self.ka_user)
        for vals in (
            {"reimbursement_state": "claimed"},
            {"reimbursement_state": "reimbursed", "reimbursed_date": "2026-10-15"},
            {"user_id": self.ka_user2.id},
        ):
            with self.subTest(create=vals):
                self.assertRefused(
                    lambda v=vals: Expense.create(
                        {
                            "visit_id": draft.id,
                            "kind": "planned",
                            "name": "x",
                            "amount": 9999,
                            **v,
                        }
                    ),
                    AccessError,
                )
        actual = Expense.create(
            {"visit_id": approved.id, "kind": "actual", "name": "x", "amount": 10000}
        )
        planned = draft.planned_line_ids.with_user(self.ka_user)
        for line, vals in (
            (actual, {"kind": "planned"}),
            (planned, {"visit_id": approved.id}),
            (actual, {"visit_id": theirs.id}),
            (actual, {"reception_id": False, "visit_id": draft.id}),
        ):
            with self.subTest(write=vals):
                self.assertRefused(lambda li=line, v=vals: li.write(v), AccessError)
        self.assertEqual(approved.amount_planned, 2000)
        self.assertEqual(draft.amount_planned, 1000)
        self.assertFalse(theirs.expense_line_ids)

    def test_gift_lines_stay_on_their_request(self):
        product = self.env["product.product"].create({"name": "Tea"})
        Gift = self.env["key_account.gift"].with_user(self.ka_user)
        draft, approved = Gift.create(
            [
                {
                    "partner_id": self.account.id,
                    "recipient_id": self.buyer.id,
                    "occasion": occasion,
                    "line_ids": [
                        Command.create({"product_id": product.id, "unit_value": 800})
                    ],
                }
                for occasion in ("Spring", "Autumn")
            ]
        )
        approved.action_submit()
        self.as_user(approved, self.ka_manager).action_approve()
        self.assertRefused(
            lambda: self.as_user(draft.line_ids, self.ka_user).write(
                {"gift_id": approved.id}
            ),
            AccessError,
        )
        self.assertEqual(approved.amount_planned, 800)

    def test_settlements_come_from_the_computation(self):
        Settlement = self.env["key_account.commission.settlement"]
        Line = self.env["key_account.commission.settlement.line"]
        self.assertRefused(
            lambda: self.as_user(Settlement, self.ka_manager).create(
                {
                    "user_id": self.ka_manager.id,
                    "date_from": date(2026, 3, 1),
                    "date_to": date(2026, 3, 31),
                }
            ),
            AccessError,
        )
        theirs = Settlement.create(
            {
                "user_id": self.ka_user.id,
                "date_from": date(2026, 3, 1),
                "date_to": date(2026, 3, 31),
            }
        )
        managed = self.as_user(theirs, self.ka_manager)
        self.assertRefused(
            lambda: managed.write({"user_id": self.ka_manager.id}), AccessError
        )
        for vals in (
            {
                "line_type": "referral",
                "payee_partner_id": self.ka_manager.partner_id.id,
            },
            {"line_type": "order", "amount_commission": 500},
            {
                "line_type": "correction",
                "payee_partner_id": self.ka_manager.partner_id.id,
            },
        ):
            with self.subTest(line=vals):
                self.assertRefused(
                    lambda v=vals: self.as_user(Line, self.ka_manager).create(
                        {
                            "settlement_id": theirs.id,
                            "amount_commission": 50_000,
                            "reason": "x",
                            **v,
                        }
                    ),
                    AccessError,
                )
        award = self.as_user(Line, self.ka_manager).create(
            {
                "settlement_id": theirs.id,
                "line_type": "award",
                "amount_commission": 200,
                "reason": "Weekly champion",
            }
        )
        self.assertRefused(lambda: award.write({"line_type": "order"}), AccessError)
        self.assertEqual(theirs.user_id, self.ka_user)
        self.assertEqual(theirs.amount_commission, 200)

    def test_a_paid_settlement_is_not_cancelled(self):
        settlement = self.env["key_account.commission.settlement"].create(
            {
                "user_id": self.ka_user.id,
                "date_from": date(2026, 3, 1),
                "date_to": date(2026, 3, 31),
            }
        )
        self.as_user(settlement, self.ka_manager).action_confirm()
        self.as_user(settlement, self.ka_approver).action_pay()
        self.assertRefused(
            lambda: self.as_user(settlement, self.ka_manager2).action_cancel("oops")
        )
        self.assertEqual(settlement.state, "paid")

    def test_feedback_against_oneself_is_not_rewritten(self):
        complaint = self._feedback(
            self.account, self.ka_user, datetime(2025, 2, 1, 9), is_valid=True
        )
        mine = self.as_user(complaint, self.ka_user)
        for vals in (
            {"feedback_type": "praise"},
            {"answered_date": datetime(2025, 2, 1, 10)},
            {"partner_id": self._account("Other Co", user_id=self.ka_user.id).id},
        ):
            with self.subTest(vals=vals):
                self.assertRefused(lambda v=vals: mine.write(v), AccessError)
        self.assertRefused(
            lambda: self.as_user(self.env["key_account.feedback"], self.ka_user).create(
                {
                    "name": "Later",
                    "partner_id": self.account.id,
                    "received_date": datetime(2030, 1, 1),
                }
            ),
            ValidationError,
        )
        self.assertEqual(complaint.feedback_type, "complaint")
        mine.action_answer()
        self.assertTrue(complaint.answered_date)
        self.assertRefused(
            lambda: self.as_user(complaint, self.ka_user2).action_answer(), AccessError
        )

    def test_new_key_accounts_are_ones_own_and_within_the_cap(self):
        owned = self.env["res.partner"].search_count(
            [("user_id", "=", self.ka_user.id), ("ka_type_id", "!=", False)]
        )
        self.company.ka_pool_max_owned = owned
        Partner = self.as_user(self.env["res.partner"], self.ka_user)
        self.assertRefused(
            lambda: Partner.create(
                {
                    "name": "Found Co",
                    "is_company": True,
                    "ka_type_id": self.type_potential.id,
                    "user_id": self.ka_user.id,
                }
            )
        )
        mine = Partner.create(
            {"name": "Mine", "is_company": True, "user_id": self.ka_user.id}
        )
        self.assertRefused(
            lambda: mine.write({"ka_type_id": self.type_potential.id}), UserError
        )
        theirs = self.env["res.partner"].create(
            {"name": "Theirs", "is_company": True, "user_id": self.ka_user2.id}
        )
        self.company.ka_pool_max_owned = 0
        self.assertRefused(
            lambda: self.as_user(theirs, self.ka_user).write(
                {"ka_type_id": self.type_potential.id}
            ),
            AccessError,
        )
        self.assertRefused(
            lambda: self.as_user(theirs, self.ka_user).write(
                {"ka_type_id": self.type_potential.id, "user_id": self.ka_user.id}
            ),
            AccessError,
        )
        mine.write({"ka_type_id": self.type_potential.id})
        self.assertEqual(mine.ka_type_id, self.type_potential)
        self.assertFalse(theirs.ka_type_id)

    def test_shared_accounts_belong_to_the_company_of_their_processes(self):
        company2 = self.env["res.company"].create({"name": "Second Co"})
        manager2 = new_test_user(
            self.env,
            login="ka_manager_shared",
            groups="key_account.group_key_account_manager",
            company_id=company2.id,
            company_ids=[Command.set(company2.ids)],
        )
        self.account.write({"company_id": False, "ka_need": "Shared secret"})
        self.assertEqual(self.account._ka_process_company(), self.company)
        self.assertRefused(
            lambda: self.as_user(self.account, manager2).action_ka_release("mine"),
            AccessError,
        )
        self.assertEqual(self.account.user_id, self.ka_user)
        self.assertFalse(self.as_user(self.account, manager2).ka_need)
        self.assertFalse(
            self.env["key_account.file"]
            .with_user(manager2)
            .search([("partner_id", "=", self.account.id)])
        )
        self.as_user(self.account, self.ka_manager).action_ka_release("back")
        log = self.env["key_account.pool.log"].search(
            [("partner_id", "=", self.account.id)], limit=1
        )
        self.assertEqual(log.company_id, self.company)

    def test_ids_from_a_client_are_taken(self):
        """Public methods take ids where a client cannot send records."""
        pool = self._account("Pool Co")
        self.as_user(pool, self.ka_manager).action_ka_assign(self.ka_user2.id)
        self.assertEqual(pool.user_id, self.ka_user2)
        self.assertFalse(
            self.as_user(
                self.env["key_account.commission.settlement"], self.ka_manager
            ).compute_settlements("2026-01-01", "2026-01-31", [self.ka_user2.id])
        )
