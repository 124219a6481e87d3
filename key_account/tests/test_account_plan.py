from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import HOSTILE_CONTEXT
from .common import EngagementCase


class AccountCase(EngagementCase):
    """Adds a second product in another category, and helpers making plans
    and team members on ``account`` (owned by ``ka_user``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.category_new = cls.env["product.category"].create({"name": "New Range"})
        cls.product_new = cls.env["product.product"].create(
            {
                "name": "New Range Product",
                "list_price": 2000.0,
                "standard_price": 500.0,
                "categ_id": cls.category_new.id,
                "taxes_id": False,
            }
        )
        cls.product.standard_price = 0.0

    @classmethod
    def _plan(cls, date_from=date(2026, 1, 1), user=None, objectives=None, **vals):
        """A draft plan of the account, made by ``user`` (its owner)."""
        user = user or cls.ka_user
        if objectives is None:
            objectives = [
                {"name": "Sell 10,000", "measure": "sales", "target_amount": 10_000}
            ]
        return (
            cls.env["key_account.plan"]
            .with_user(user)
            .create(
                {
                    "partner_id": cls.account.id,
                    "date_from": date_from,
                    "objective_ids": [Command.create(o) for o in objectives],
                    **vals,
                }
            )
        )

    @classmethod
    def _approved(cls, plan):
        plan.with_user(plan.user_id).action_submit()
        plan.with_user(cls.ka_manager).action_approve()
        return plan

    @classmethod
    def _line_order(cls, partner, product, amount, day, company=None):
        vals = {
            "partner_id": partner.id,
            "order_line": [
                Command.create(
                    {
                        "product_id": product.id,
                        "product_uom_qty": 1,
                        "price_unit": amount,
                        "tax_id": [Command.clear()],
                    }
                )
            ],
        }
        if company:
            vals["company_id"] = company.id
        order = cls.env["sale.order"].create(vals)
        order.action_confirm()
        order.date_order = day
        return order

    def _done_visit(self, day):
        visit = self._visit(100)
        visit.with_user(self.ka_user).action_submit()
        visit.with_user(self.ka_manager).action_approve()
        visit.write(
            {
                **self._visit_record_vals(day),
                "summary": "<p>Went well</p>",
                "expense_line_ids": [
                    Command.create({"name": "Taxi", "amount": 30, "date": day})
                ],
            }
        )
        visit.with_user(self.ka_user).action_done()
        return visit


@tagged("post_install", "-at_install")
class TestAccountPlan(AccountCase):
    # ---- figures ---------------------------------------------------------------------
    @freeze_time("2026-06-15")
    def test_progress_from_the_database(self):
        plan = self._plan(
            objectives=[
                {"name": "Sales", "measure": "sales", "target_amount": 10_000},
                {"name": "Margin", "measure": "margin", "target_amount": 10_000},
                {"name": "New products", "measure": "new_products", "target_count": 1},
                {"name": "New range", "measure": "new_categories", "target_count": 2},
                {"name": "Visits", "measure": "visits", "target_count": 2},
                {"name": "Meet the CEO quarterly", "measure": "relationship"},
            ],
            budget_visits=1000,
        )
        # before the period: the old product is not new any more
        self._line_order(self.account, self.product, 3000, date(2025, 5, 1))
        # in the period: 6,000 of the old product (margin 6,000), 2,000 of the
        # new one (cost 500, margin 1,500)
        self._line_order(self.account, self.product, 6000, date(2026, 2, 1))
        self._line_order(self.account, self.product_new, 2000, date(2026, 3, 1))
        # not counted: a draft order, another company's order
        self._order(self.account, 50_000, confirm=False)
        company2 = self.env["res.company"].create({"name": "Plan Co 2"})
        self._line_order(
            self.account, self.product, 40_000, date(2026, 3, 1), company=company2
        )
        self._done_visit(date(2026, 6, 1))
        self._done_visit(date(2025, 12, 1))  # before the period
        plan.invalidate_recordset()
        plan.objective_ids.invalidate_recordset()
        sales, margin, products, categories, visits, goal = plan.objective_ids
        self.assertEqual(sales.actual_amount, 8000)
        self.assertAlmostEqual(sales.percent, 80)
        self.assertEqual(margin.actual_amount, 7500)
        self.assertAlmostEqual(margin.percent, 75)
        self.assertEqual(products.actual_count, 1)
        self.assertAlmostEqual(products.percent, 100)
        self.assertEqual(categories.actual_count, 1)
        self.assertAlmostEqual(categories.percent, 50)
        self.assertEqual(visits.actual_count, 1)
        self.assertAlmostEqual(visits.percent, 50)
        self.assertEqual(goal.percent, 0)
        self.assertAlmostEqual(
            plan.progress, (80 + 75 + 100 + 50 + 50 + 0) / 6, delta=0.05
        )
        self.assertEqual(plan.used_visits, 30)
        self.assertEqual(plan.used_total, 30)
        self.assertEqual(plan.visits_done, 1)
        # the relationship goal, marked by hand once the plan is approved
        self._approved(plan)
        goal.with_user(self.ka_user).with_context(**HOSTILE_CONTEXT).done = True
        plan.invalidate_recordset()
        self.assertEqual(goal.percent, 100)
        # the account's form: its plans and the current one
        account = self.account.with_user(self.ka_user)
        self.assertEqual(account.ka_plan_count, 1)
        self.assertEqual(account.ka_current_plan_id, plan)

    def test_the_form_shows_the_progress_while_it_is_filled(self):
        self._line_order(self.account, self.product, 5000, date(2026, 2, 1))
        with Form(self.env["key_account.plan"].with_user(self.ka_user)) as form:
            form.partner_id = self.account
            form.date_from = date(2026, 1, 1)
            with form.objective_ids.new() as objective:
                objective.name = "Sell 10,000"
                objective.measure = "sales"
                objective.target_amount = 10_000
            self.assertEqual(form.date_to, date(2026, 12, 31))
            self.assertAlmostEqual(form.progress, 50)
            form.budget_visits = 2000
            form.budget_gifts = 500
            self.assertEqual(form.amount_planned, 2500)
        plan = form.record
        self.assertEqual(plan.user_id, self.ka_user)
        self.assertEqual(plan.objective_ids.actual_amount, 5000)

    def test_one_query_for_a_list_of_plans(self):
        plans = self.env["key_account.plan"]
        for year in range(2020, 2026):
            plans |= self._plan(date_from=date(year, 1, 1))
        plans.invalidate_recordset()
        plans.objective_ids.invalidate_recordset()
        plans.read(["progress", "used_total"])
        plans.invalidate_recordset()
        plans.objective_ids.invalidate_recordset()
        with self.assertQueryCount(8):
            plans.read(["progress", "used_total"])

    # ---- bad input -------------------------------------------------------------------
    def test_periods_of_an_account_do_not_overlap(self):
        plan = self._plan(date(2026, 1, 1))
        self.assertEqual(plan.date_to, date(2026, 12, 31))
        with self.assertRaisesRegex(ValidationError, "may not overlap"):
            with self.cr.savepoint():
                self._plan(date(2025, 1, 1), period_type="three_years")
        with self.assertRaisesRegex(ValidationError, "may not overlap"):
            with self.cr.savepoint():
                self._plan(date(2026, 7, 1))
        three = self._plan(date(2027, 1, 1), period_type="three_years")
        self.assertEqual(three.date_to, date(2029, 12, 31))
        # a cancelled plan leaves its period free; back to draft, it overlaps
        plan.with_user(self.ka_user).action_cancel()
        again = self._plan(date(2026, 1, 1))
        with self.assertRaisesRegex(ValidationError, "may not overlap"):
            with self.cr.savepoint():
                plan.with_user(self.ka_user).action_draft()
        self.assertEqual(again.state, "draft")

    def test_objectives_need_a_target(self):
        for objective in (
            {"name": "Sell", "measure": "sales", "target_amount": 0},
            {"name": "Margin", "measure": "margin", "target_amount": -5},
            {"name": "Visits", "measure": "visits", "target_count": 0},
            {"name": "Goal", "measure": "relationship", "target_count": 3},
        ):
            with (
                self.subTest(objective=objective),
                self.assertRaises(ValidationError),
                self.cr.savepoint(),
            ):
                self._plan(objectives=[objective])
        with self.assertRaisesRegex(ValidationError, "negative"), self.cr.savepoint():
            self._plan(budget_gifts=-1)
        with self.assertRaisesRegex(UserError, "no objective"):
            self._plan(objectives=[]).with_user(self.ka_user).action_submit()

    # ---- workflow --------------------------------------------------------------------
    def test_approved_through_the_chain(self):
        plan = self._plan(budget_visits=3000, budget_gifts=3000)
        self.assertEqual(plan.amount_planned, 6000)
        self.assertTrue(plan.name.startswith("PLAN/"))
        plan.with_user(self.ka_user).with_context(**HOSTILE_CONTEXT).action_submit()
        self.assertEqual(plan.state, "submitted")
        # the manager's level, then Finance's (6,000 >= 5,000)
        self.assertEqual(
            plan.approval_line_ids.mapped("rule_id"),
            self.rule_manager | self.rule_finance,
        )
        for user in (self.ka_user, self.ka_user2, self.ka_approver):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                plan.with_user(user).with_context(**HOSTILE_CONTEXT).action_approve()
        plan.with_user(self.ka_manager).action_approve()
        plan.with_user(self.ka_approver).action_approve()
        self.assertEqual(plan.state, "approved")

    def test_plan_levels_apply_to_plans_only(self):
        level = self.env["key_account.approval.rule"].create(
            {
                "name": "Sales Director",
                "sequence": 5,
                "document_type": "plan",
                "user_id": self.ka_manager2.id,
            }
        )
        plan = self._plan()
        plan.with_user(self.ka_user).action_submit()
        self.assertEqual(plan.approval_line_ids.rule_id, level | self.rule_manager)
        visit = self._visit(100)
        visit.with_user(self.ka_user).action_submit()
        self.assertEqual(visit.approval_line_ids.rule_id, self.rule_manager)

    def test_state_only_through_the_actions(self):
        Plan = self.env["key_account.plan"].with_user(self.ka_user)
        with self.assertRaises(AccessError):
            Plan.with_context(**HOSTILE_CONTEXT).create(
                {
                    "partner_id": self.account.id,
                    "date_from": date(2026, 1, 1),
                    "state": "approved",
                }
            )
        plan = self._plan()
        for vals in (
            {"state": "approved"},
            {"state": "closed"},
            {"closed_progress": 100},
            {"submitted_by_id": self.ka_manager.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                plan.with_user(self.ka_user).with_context(**HOSTILE_CONTEXT).write(vals)
        with self.assertRaises(AccessError):
            plan.objective_ids.with_user(self.ka_user).with_context(
                **HOSTILE_CONTEXT
            ).write({"closed_percent": 100})
        self.assertEqual(plan.state, "draft")
        # a plan is not "done": it closes
        self._approved(plan)
        with self.assertRaises(UserError):
            plan.with_user(self.ka_user).action_done()

    def test_locked_once_submitted(self):
        plan = self._plan(
            objectives=[
                {"name": "Sell", "measure": "sales", "target_amount": 10_000},
                {"name": "Meet the CEO", "measure": "relationship"},
            ]
        )
        self._approved(plan)
        owner = plan.with_user(self.ka_user).with_context(**HOSTILE_CONTEXT)
        for vals in (
            {"budget_visits": 99_000},
            {"date_from": date(2026, 2, 1)},
            {"partner_id": self._account("Other Co", user_id=self.ka_user.id).id},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                owner.write(vals)
        sell, goal = owner.objective_ids
        with self.assertRaises(UserError):
            sell.write({"target_amount": 1})
        with self.assertRaises(UserError):
            owner.write(
                {
                    "objective_ids": [
                        Command.create(
                            {"name": "More", "measure": "visits", "target_count": 1}
                        )
                    ]
                }
            )
        with self.assertRaises(UserError):
            sell.unlink()
        # the notes and the relationship goal stay open while it runs
        owner.write({"strategy": "<p>Meet the new buyer</p>"})
        goal.write({"done": True})
        self.assertEqual(plan.objective_ids.mapped("target_amount"), [10_000, 0])

    def test_closed_at_the_end_of_its_period_with_its_results(self):
        past = self._plan(date(2025, 1, 1))
        self._approved(past)
        current = self._approved(self._plan(date(2026, 1, 1)))
        draft = self._plan(date(2024, 1, 1))
        self._line_order(self.account, self.product, 4000, date(2025, 6, 1))
        with freeze_time("2026-01-02"):
            closed = self.env["key_account.plan"]._ka_cron_close_plans()
            self.env.ref(
                "key_account.ir_cron_key_account_plan_close"
            ).method_direct_trigger()
        self.assertEqual(closed, past)
        self.assertEqual(past.state, "closed")
        self.assertEqual(past.closed_date, date(2026, 1, 2))
        self.assertEqual((current | draft).mapped("state"), ["approved", "draft"])
        self.assertAlmostEqual(past.progress, 40)
        # an order entered later with an old date does not change the record
        self._line_order(self.account, self.product, 6000, date(2025, 7, 1))
        past.invalidate_recordset()
        past.objective_ids.invalidate_recordset()
        self.assertAlmostEqual(past.progress, 40)
        self.assertEqual(past.objective_ids.actual_amount, 4000)
        # nothing changes on a closed plan, even for a manager
        for user in (self.ka_user, self.ka_manager):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                past.with_user(user).with_context(**HOSTILE_CONTEXT).write(
                    {"strategy": "<p>Rewritten</p>"}
                )
        with self.assertRaises(UserError):
            past.objective_ids.with_user(self.ka_manager).write({"name": "Other"})
        with self.assertRaises(UserError):
            past.with_user(self.ka_manager).action_cancel()
        # closed early by a manager only
        with self.assertRaises(AccessError):
            current.with_user(self.ka_user).with_context(
                **HOSTILE_CONTEXT
            ).action_close()
        current.with_user(self.ka_manager).action_close()
        self.assertEqual(current.state, "closed")

    # ---- who may do what -------------------------------------------------------------
    def test_owner_member_colleague_manager_company(self):
        plan = self._plan()
        member_user = new_test_user(
            self.env,
            login="ka_member",
            name="Mia Member",
            groups="key_account.group_key_account_user",
        )
        self.env["key_account.team.member"].create(
            {"partner_id": self.account.id, "user_id": member_user.id}
        )
        company2 = self.env["res.company"].create({"name": "Plan Co 2"})
        manager_c2 = new_test_user(
            self.env,
            login="ka_manager_plan_c2",
            groups="key_account.group_key_account_manager",
            company_id=company2.id,
            company_ids=[Command.set(company2.ids)],
        )

        def as_(user):
            return plan.with_user(user).with_context(**HOSTILE_CONTEXT)

        Plan = self.env["key_account.plan"]
        # the owner writes, a manager writes
        for user in (self.ka_user, self.ka_manager):
            as_(user).write({"strategy": f"<p>{user.login}</p>"})
            as_(user).objective_ids.write({"name": f"By {user.login}"})
        # a member reads, does not write
        as_(member_user).read(["progress", "strategy"])
        self.assertEqual(as_(member_user).objective_ids.name, "By ka_manager")
        with self.assertRaises(AccessError):
            as_(member_user).write({"strategy": "<p>member</p>"})
        with self.assertRaises(AccessError):
            as_(member_user).objective_ids.write({"name": "By the member"})
        with self.assertRaises(AccessError):
            as_(member_user).action_submit()
        # a colleague and another company's manager read nothing
        for user in (self.ka_user2, manager_c2):
            with self.subTest(user=user.login):
                self.assertFalse(
                    Plan.with_user(user)
                    .with_context(**HOSTILE_CONTEXT)
                    .search([("id", "=", plan.id)])
                )
                with self.assertRaises(AccessError):
                    as_(user).read(["strategy"])
                with self.assertRaises(AccessError):
                    as_(user).objective_ids.read(["name"])
        # only the account's owner (or a manager) plans it
        with self.assertRaises(AccessError):
            Plan.with_user(self.ka_user2).with_context(**HOSTILE_CONTEXT).create(
                {
                    "partner_id": self.account.id,
                    "user_id": self.ka_user2.id,
                    "date_from": date(2030, 1, 1),
                }
            )
        with self.assertRaises(AccessError):
            Plan.with_user(member_user).with_context(**HOSTILE_CONTEXT).create(
                {"partner_id": self.account.id, "date_from": date(2030, 1, 1)}
            )

    def test_handover_moves_open_plans(self):
        plan = self._approved(self._plan())
        closed = self._approved(self._plan(date(2024, 1, 1)))
        closed.with_user(self.ka_manager).action_close()
        wizard = (
            self.env["key_account.handover.wizard"]
            .with_user(self.ka_manager)
            .create(
                {
                    "user_id": self.ka_user.id,
                    "mode": "reassign",
                    "new_user_id": self.ka_user2.id,
                }
            )
        )
        wizard.action_confirm()
        self.assertEqual(plan.user_id, self.ka_user2)
        self.assertEqual(closed.user_id, self.ka_user)
        plan.with_user(self.ka_user2).write({"service_notes": "<p>Mine now</p>"})

    def test_the_pdf(self):
        plan = self._plan(
            objectives=[
                {"name": "Sell 10,000", "measure": "sales", "target_amount": 10_000},
                {"name": "Meet the CEO", "measure": "relationship"},
            ]
        )
        # the account team is on the plan's resources
        self.env["key_account.team.member"].create(
            {"partner_id": self.account.id, "user_id": self.ka_user2.id}
        )
        self.assertEqual(plan.team_member_ids.user_id, self.ka_user2)
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "key_account.report_key_account_plan", plan.ids
        )
        html = html.decode()
        self.assertIn("Key Account Plan", html)
        self.assertIn("Meet the CEO", html)
        self.assertIn(plan.name, html)
        self.assertIn(self.ka_user2.name, html)
