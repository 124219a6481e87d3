"""Guards that hold on what is stored: every protected field of every model
of the module, in ``vals`` and as a ``default_<field>`` key, on create and
write, as each role; built from the models' own metadata."""

from datetime import date
from datetime import datetime

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import HttpCase
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import HOSTILE_CONTEXT
from .common import EngagementCase
from .common import JsonRpcMixin

# AccessError and ValidationError are UserErrors: a refusal said to the user
REFUSED = UserError
# readonly fields of ours on other apps' models that their own checks guard
GUARDED_ELSEWHERE = {
    # no client links an entry to a settlement (commission/account_move.py,
    # TestCommissionAccounting)
    "account.move": {"ka_settlement_id"},
    # no line is created or changed through the ORM, the superuser
    # included (TestPersonalDataLog.test_nobody_changes_the_log)
    "key_account.access.log": {
        "date",
        "user_id",
        "partner_id",
        "account_name",
        "company_id",
        "operation",
        "channel",
        "route",
        "res_model",
        "field_names",
        "reason",
    },
    # nobody creates or writes a greeting through the ORM but the cron (no
    # create or write access for any group: TestGreetings.
    # test_only_the_owner_and_managers_read_greetings)
    "key_account.greeting": {
        "partner_id",
        "user_id",
        "company_id",
        "occasion",
        "holiday_id",
        "occasion_key",
        "date",
    },
    # computed for the user reading them, never stored
    "res.users": {
        "ka_my_commission_plan_id",
        "ka_my_commission_status",
        "ka_below_target",
    },
}
OURS = ("key_account", "key_account_hr_expense")


class GuardedModelsCase(EngagementCase):
    """For each model with protected fields (``_ka_protected_fields()``), a
    factory gives the values a legitimate user creates it with, and a hostile
    value per field that no legitimate create stores."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.roles = {
            "salesperson": cls.ka_user,
            "colleague": cls.ka_user2,
            "finance": cls.ka_approver,
            "manager": cls.ka_manager,
        }
        # the requests' assistant (of the Assistant group, none of the roles)
        cls.request_assistant = new_test_user(
            cls.env,
            login="guard_request_assistant",
            name="Ada Assistant",
            groups="key_account.group_key_account_assistant",
        )
        cls.settlement = (
            cls.env["key_account.commission.settlement"]
            .sudo()
            .create(
                {
                    "user_id": cls.ka_user2.id,
                    "date_from": date(2025, 1, 1),
                    "date_to": date(2025, 1, 31),
                }
            )
        )
        cls.template = cls.env["key_account.kpi.template"].search([], limit=1)
        cls.commission_plan = cls.env["key_account.commission.plan"].create(
            {
                "name": "Guarded Plan",
                "tier_ids": [
                    Command.create({"amount_from": 0, "amount_to": 10, "rate": 1})
                ],
            }
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other Co"})

    # ---- what a legitimate user creates, per model -----------------------------------
    def _account_of_salesperson(self):
        """A key account of the salesperson of its own (the documents with
        one per account and period are made on accounts of their own)."""
        return self._account(f"Guarded Co {self._next()}", user_id=self.ka_user.id)

    def _next(self):
        self.__class__.counter = getattr(self.__class__, "counter", 0) + 1
        return self.__class__.counter

    def _month(self):
        return date(2000, 1, 1) + relativedelta(months=self._next())

    def _factory(self, model_name):
        """(creator role, values) of a new ``model_name`` a legitimate user
        creates; the role is None when no client creates the model (the
        module does)."""
        if not hasattr(self, "_proposal_months"):
            self._proposal_months = list(range(1000))
        factories = {
            "res.partner": lambda: (
                "salesperson",
                {"name": "New Co", "is_company": True},
            ),
            "sale.order": lambda: ("salesperson", {"partner_id": self.account.id}),
            "key_account.visit": lambda: (
                "salesperson",
                {
                    "partner_id": self.account.id,
                    "user_id": self.ka_user.id,
                    "purpose": "Present",
                },
            ),
            "key_account.reception": lambda: (
                "salesperson",
                {
                    "partner_id": self.account.id,
                    "guest_count": 2,
                    "date_start": datetime(2026, 3, 10, 18, 0),
                    "purpose": "new_relationship",
                },
            ),
            "key_account.gift": lambda: (
                "salesperson",
                {
                    "partner_id": self.account.id,
                    "recipient_id": self.buyer.id,
                    "occasion": "Festival",
                },
            ),
            "key_account.plan": lambda: (
                "salesperson",
                {
                    "partner_id": self._account_of_salesperson().id,
                    "date_from": date(2026, 1, 1),
                },
            ),
            "key_account.plan.objective": lambda: (
                "salesperson",
                {
                    "plan_id": self.env["key_account.plan"]
                    .with_user(self.ka_user)
                    .create(
                        {
                            "partner_id": self._account_of_salesperson().id,
                            "date_from": date(2026, 1, 1),
                        }
                    )
                    .id,
                    "name": "Sell",
                    "measure": "sales",
                    "target_amount": 1000,
                },
            ),
            "key_account.review": lambda: (
                "manager",
                {
                    "partner_id": self._account_of_salesperson().id,
                    "user_id": self.ka_user.id,
                    "date_from": date(2025, 1, 1),
                },
            ),
            "key_account.monthly.report": lambda: (
                "salesperson",
                {"month": self._month(), "summary": "Good month"},
            ),
            "key_account.scorecard": lambda: (
                "manager",
                {
                    "user_id": self.ka_user.id,
                    "template_id": self.template.id,
                    "date_from": date(2025, 1, 1),
                    "date_to": date(2025, 3, 31),
                },
            ),
            "key_account.request": lambda: (
                "salesperson",
                {
                    "name": "Sales analysis",
                    "assistant_id": self.request_assistant.id,
                    "size": "small",
                },
            ),
            "key_account.feedback": lambda: (
                "salesperson",
                {
                    "name": "Late delivery",
                    "feedback_type": "complaint",
                    "partner_id": self.account.id,
                    "user_id": self.ka_user.id,
                    "received_date": datetime(2025, 1, 2, 9, 0),
                },
            ),
            "key_account.expense": lambda: (
                "salesperson",
                {
                    "visit_id": self._visit().id,
                    "kind": "actual",
                    "name": "Taxi",
                    "amount": 50,
                },
            ),
            "key_account.commission.settlement": lambda: (
                None,
                {
                    "user_id": self.ka_user2.id,
                    "date_from": self._month(),
                    "date_to": self._month(),
                },
            ),
            "key_account.commission.settlement.line": lambda: (
                "manager",
                {
                    "settlement_id": self.settlement.id,
                    "amount_commission": 100,
                    "reason": "Correction",
                },
            ),
            "key_account.file": lambda: (
                "salesperson",
                {"partner_id": self._account_of_salesperson().id},
            ),
            "key_account.relation": lambda: (
                "salesperson",
                {
                    "contact_id": self.env["res.partner"]
                    .create(
                        {
                            "name": "Contact",
                            "parent_id": self._account_of_salesperson().id,
                        }
                    )
                    .id,
                    "role": "buyer",
                },
            ),
            "key_account.team.member": lambda: (
                "salesperson",
                {
                    "partner_id": self._account_of_salesperson().id,
                    "user_id": self.ka_user2.id,
                },
            ),
            "key_account.gift.line": lambda: (
                "salesperson",
                {
                    "gift_id": self.env["key_account.gift"]
                    .with_user(self.ka_user)
                    .create(
                        {
                            "partner_id": self.account.id,
                            "recipient_id": self.buyer.id,
                            "occasion": "Festival",
                        }
                    )
                    .id,
                    "product_id": self.product.id,
                    "quantity": 1,
                    "unit_value": 50,
                },
            ),
            "key_account.commission.tier": lambda: (
                "manager",
                {
                    "plan_id": self.commission_plan.id,
                    "amount_from": 1000 + self._next() * 10,
                    "amount_to": 1000 + self.counter * 10 + 5,
                    "rate": 1,
                },
            ),
            "key_account.scorecard.line": lambda: (
                "manager",
                {
                    "scorecard_id": self.env["key_account.scorecard"]
                    .sudo()
                    .create(
                        {
                            "user_id": self.ka_user.id,
                            "template_id": self.template.id,
                            "date_from": date(2025, 1, 1),
                            "date_to": date(2025, 3, 31),
                        }
                    )
                    .id,
                    "name": "Manual",
                    "kind": "manual",
                    "weight": 10,
                },
            ),
            "key_account.development.plan": lambda: (
                "manager",
                {
                    "user_id": self.ka_user.id,
                    "date_from": self._month(),
                    "date_to": self._month(),
                },
            ),
            "key_account.commission.leave": lambda: (
                "salesperson",
                {
                    "reason": "Exams",
                    "month": self._today().replace(day=1) + relativedelta(months=1),
                },
            ),
            "key_account.commission.proposal": lambda: (
                None,
                {
                    "user_id": self.ka_user.id,
                    "kind": "demotion",
                    # one proposal per person and month: a new month each time
                    "month": date(1990, 1, 1)
                    + relativedelta(months=self._proposal_months.pop()),
                    "company_id": self.env.company.id,
                },
            ),
            "key_account.pool.log": lambda: (
                None,
                {"partner_id": self.account.id, "action": "claim"},
            ),
            "key_account.approval.line": lambda: (
                None,
                {
                    "res_model": "key_account.visit",
                    "res_id": self._visit().id,
                    "name": "Level",
                },
            ),
        }
        if model_name is None:
            return factories
        return factories[model_name]()

    def _guarded_models(self):
        """The models with protected fields (and a table)."""
        return sorted(
            name
            for name, model in self.env.registry.items()
            if hasattr(model, "_ka_protected_fields")
            and not model._abstract
            and not model._transient
            and model._auto
            and self.env[name]._ka_protected_fields()
        )

    def _hostile(self, model, fname):
        """A value no legitimate create would store in ``fname``; None for
        fields a client cannot express (binaries, lists of records)."""
        field = model._fields[fname]
        own = model._ka_own_defaults([fname]).get(fname)
        if field.type == "selection":
            values = [v for v, _label in field._description_selection(model.env)]
            return next((v for v in reversed(values) if v != own), None)
        if field.type == "many2one":
            # somebody who is none of the roles tried
            if field.comodel_name == "res.users":
                return self.ka_manager2.id
            if field.comodel_name == "res.partner":
                return self.ka_manager2.partner_id.id
            if field.comodel_name == "res.company":
                return self.other_company.id
            if field.comodel_name == "res.currency":
                return (
                    self.env["res.currency"]
                    .with_context(active_test=False)
                    .search([("id", "!=", self.env.company.currency_id.id)], limit=1)
                    .id
                )
            record = self.env[field.comodel_name].sudo().search([], limit=1)
            return record.id or None
        if field.type == "date":
            return "2024-06-01"
        if field.type == "datetime":
            return "2024-06-01 10:00:00"
        if field.type == "boolean":
            return not own
        if field.type == "integer":
            return 7777
        if field.type in ("float", "monetary"):
            return 8888.88
        if field.type in ("char", "text", "html"):
            return "forged"
        return None

    def _stored(self, record, fname):
        field = record._fields[fname]
        return field.convert_to_write(record.sudo()[fname], record)

    def _same(self, record, fname, value):
        field = record._fields[fname]
        stored = record.sudo()[fname]
        return field.convert_to_cache(
            stored, record, validate=False
        ) == field.convert_to_cache(value, record, validate=False)


@tagged("post_install", "-at_install")
class TestStoredGuards(GuardedModelsCase):
    """Every protected field with a hostile value, as a salesperson, a
    colleague, Finance and a manager: nothing is stored."""

    # ---- the metadata -------------------------------------------------------------
    def test_every_readonly_field_of_the_module_is_protected(self):
        """A stored field the module declares readonly (written by its
        processes, computed or related) is never a client's: its model
        protects it, so that this test class tries it."""
        missing = []
        for name, model in self.env.registry.items():
            if model._abstract or model._transient or not model._auto:
                continue
            for fname, field in model._fields.items():
                if (
                    getattr(field, "_module", None) in OURS
                    and fname not in models.MAGIC_COLUMNS
                    and fname != "display_name"
                    and field.readonly
                    and field.store
                    and fname not in GUARDED_ELSEWHERE.get(name, ())
                ):
                    protected = (
                        self.env[name]._ka_protected_fields()
                        | self.env[name]._ka_overridden_fields()
                        if hasattr(model, "_ka_protected_fields")
                        else set()
                    )
                    if fname not in protected:
                        missing.append(f"{name}.{fname}")
        self.assertEqual(missing, [])

    def test_every_guarded_model_has_a_factory(self):
        self.assertEqual(
            sorted(set(self._guarded_models()) - set(self._factory(None))), []
        )

    def test_legitimate_creates_pass(self):
        """The factories are what each creator may create (so that the
        refusals below are the guards', not a wrong recipe)."""
        for model_name in self._factory(None):
            role, vals = self._factory(model_name)
            if role is None:
                continue
            with self.subTest(model=model_name):
                record = (
                    self.env[model_name].with_user(self.roles[role]).create(dict(vals))
                )
                self.assertTrue(record.exists())

    def test_protected_fields_in_vals_and_defaults(self):
        tried = 0
        for model_name in self._guarded_models():
            creator = self._factory(model_name)[0]
            Model = self.env[model_name]
            overridden = Model._ka_overridden_fields()
            for fname in sorted(Model._ka_protected_fields() | overridden):
                if fname not in Model._fields:
                    continue
                hostile = self._hostile(Model, fname)
                if hostile is None:
                    continue
                for role, user in self.roles.items():
                    as_user = Model.with_user(user).with_context(**HOSTILE_CONTEXT)
                    with self.subTest(model=model_name, field=fname, role=role):
                        base = self._factory(model_name)[1]
                        tried += 1
                        # in vals: refused (or, for the fields the model
                        # sets itself, overridden)
                        if fname in overridden:
                            try:
                                record = as_user.create([{**base, fname: hostile}])
                            except REFUSED:
                                record = None
                            if record:
                                self.assertFalse(self._same(record, fname, hostile))
                        else:
                            with self.assertRaises(REFUSED):
                                as_user.create([{**base, fname: hostile}])
                        base = self._factory(model_name)[1]
                        # as a default: refused, or not stored
                        try:
                            record = as_user.with_context(
                                **{f"default_{fname}": hostile}
                            ).create([dict(base)])
                        except REFUSED:
                            record = None
                        if record:
                            self.assertFalse(
                                self._same(record, fname, hostile),
                                f"{model_name}.{fname} stored from a default as {role}",
                            )
                        # on write: refused, on a record of the creator's
                        base = self._factory(model_name)[1]
                        target = (
                            Model.with_user(self.roles[creator]).create([dict(base)])
                            if creator
                            else Model.sudo().create([dict(base)])
                        )
                        before = self._stored(target, fname)
                        with self.assertRaises(REFUSED):
                            target.with_user(user).with_context(
                                **HOSTILE_CONTEXT
                            ).write({fname: hostile})
                        self.assertEqual(self._stored(target, fname), before)
        # the loop tried the fields: a broken metadata lookup fails here
        self.assertGreater(tried, 100)

    def test_guarded_partner_fields_from_defaults(self):
        """What a salesperson may not set on a partner (an owner who is a
        colleague, a grade, a lock, a never-return type) is refused when it
        comes as a default too; system figures are never stored."""
        never_return = self.env["key_account.type"].create(
            {"name": "Forever", "code": "FOREVER", "ka_pool_never_return": True}
        )
        Partner = self.env["res.partner"].with_user(self.ka_user)
        for defaults in (
            {
                "default_ka_type_id": self.type_strategic.id,
                "default_user_id": self.ka_user2.id,
            },
            {"default_ka_grade_id": self.grade_a.id},
            {"default_ka_grade_locked": True},
            {"default_ka_type_id": never_return.id},
        ):
            with self.subTest(defaults=defaults), self.assertRaises(AccessError):
                Partner.with_context(**defaults, **HOSTILE_CONTEXT).create(
                    [{"name": "Forged Co", "is_company": True}]
                )
        partner = Partner.with_context(
            default_ka_sales_12m=9e9,
            default_ka_margin_12m=9e9,
            default_ka_owner_since="2020-01-01 00:00:00",
            default_ka_last_visit_date="2030-01-01",
            default_ka_receivable_open=-5,
        ).create([{"name": "Honest Co", "is_company": True}])
        self.assertEqual(partner.sudo().ka_sales_12m, 0)
        self.assertEqual(partner.sudo().ka_margin_12m, 0)
        self.assertFalse(partner.sudo().ka_owner_since)
        self.assertFalse(partner.sudo().ka_last_visit_date)
        self.assertEqual(partner.sudo().ka_receivable_open, 0)

    def test_personal_defaults_do_not_fill_protected_fields(self):
        """A user's own defaults (ir.default, which any user may set for
        themselves) do not give a new visit a status."""
        self.env["ir.default"].with_user(self.ka_user).create(
            {
                "field_id": self.env["ir.model.fields"]
                ._get("key_account.visit", "state")
                .id,
                "json_value": '"approved"',
                "user_id": self.ka_user.id,
            }
        )
        visit = self._visit()
        self.assertEqual(visit.state, "draft")

    def test_an_action_s_context_does_not_approve(self):
        """The approval lines an action creates as superuser do not take the
        caller's defaults: submitted with default_state approved, the visit
        waits for its approver."""
        visit = self._visit()
        visit.with_user(self.ka_user).with_context(
            default_state="approved", default_done_by_id=self.ka_user.id
        ).action_submit()
        self.assertEqual(visit.state, "submitted")
        self.assertEqual(set(visit.approval_line_ids.mapped("state")), {"pending"})
        self.assertFalse(visit.approval_line_ids.done_by_id)

    def test_the_reported_creates(self):
        """The creates of the report, as a salesperson."""
        Visit = self.env["key_account.visit"].with_user(self.ka_user)
        visit = Visit.with_context(
            default_state="approved", default_submitted_by_id=self.ka_manager.id
        ).create([{"partner_id": self.account.id, "user_id": self.ka_user.id}])
        self.assertEqual(visit.state, "draft")
        self.assertFalse(visit.submitted_by_id)
        self.assertFalse(visit.approval_line_ids)
        report = (
            self.env["key_account.monthly.report"]
            .with_user(self.ka_user)
            .with_context(default_state="submitted")
            .create([{"month": date(2025, 3, 1), "summary": "x"}])
        )
        self.assertEqual(report.state, "draft")
        Feedback = self.env["key_account.feedback"].with_user(self.ka_user)
        vals = {
            "name": "Praise",
            "feedback_type": "praise",
            "partner_id": self.account.id,
            "received_date": datetime(2025, 1, 2, 9, 0),
        }
        with self.assertRaises(AccessError):
            Feedback.create([{**vals, "answered_date": datetime(2025, 1, 2, 10, 0)}])
        feedback = Feedback.with_context(
            default_answered_date="2025-01-02 10:00:00"
        ).create([vals])
        self.assertFalse(feedback.answered_date)
        # managers press the button too
        with self.assertRaises(AccessError):
            feedback.with_user(self.ka_manager).write(
                {"answered_date": datetime(2025, 1, 2, 10, 0)}
            )
        feedback.action_answer()
        self.assertTrue(feedback.answered_date)


@tagged("post_install", "-at_install")
class TestOverBudgetExpenses(EngagementCase):
    """Money approved is the ceiling of money claimed: actual expenses above
    the approved cost wait for the approval of their overrun, at the level
    the new total needs."""

    def _approved_visit(self, budget):
        visit = self._visit(budget=budget)
        visit.action_submit()
        for _level in range(3):
            if visit.state != "submitted":
                break
            approver = (
                self.ka_approver
                if visit._ka_current_line().rule_id == self.rule_finance
                else self.ka_manager
            )
            visit.with_user(approver).action_approve()
        self.assertEqual(visit.state, "approved")
        return visit

    def _spend(self, visit, amount):
        visit.with_user(self.ka_user).write(
            {
                "expense_line_ids": [
                    Command.create(
                        {
                            "kind": "actual",
                            "expense_type": "hospitality",
                            "name": "Banquet",
                            "amount": amount,
                        }
                    )
                ]
            }
        )

    def _done(self, visit):
        visit.with_user(self.ka_user).action_done()
        visit.with_user(self.ka_user).summary = "<p>Order expected.</p>"

    def test_overrun_waits_for_the_levels_of_the_new_total(self):
        visit = self._approved_visit(6000)
        self.assertEqual(visit.amount_approved, 6000)
        self._spend(visit, 250_000)
        visit.write(self._visit_record_vals())
        self._done(visit)
        self.assertTrue(visit.ka_over_budget)
        with self.assertRaisesRegex(UserError, "overrun"):
            visit.with_user(self.ka_user).action_claim_expenses()
        self.assertEqual(visit.expense_line_ids.reimbursement_state, "not_claimed")
        visit.with_user(self.ka_user).action_submit_overrun()
        self.assertEqual(visit.overrun_state, "submitted")
        rules = visit._ka_current_round().rule_id
        self.assertEqual(rules, self.rule_manager | self.rule_finance)
        # nobody approves their own overrun
        with self.assertRaises(AccessError):
            visit.with_user(self.ka_user).action_approve()
        visit.with_user(self.ka_manager).action_approve()
        with self.assertRaises(UserError):
            visit.with_user(self.ka_user).action_claim_expenses()
        visit.with_user(self.ka_approver).action_approve()
        self.assertEqual(visit.overrun_state, "approved")
        self.assertEqual(visit.amount_approved, 250_000)
        self.assertEqual(visit.state, "done")
        visit.with_user(self.ka_user).action_claim_expenses()
        self.assertEqual(visit.expense_line_ids.reimbursement_state, "claimed")

    def test_a_plan_under_the_finance_threshold_reaches_finance_when_spent(self):
        visit = self._approved_visit(1000)
        self.assertEqual(
            visit._ka_current_round().rule_id, self.rule_manager, "no Finance level"
        )
        self._spend(visit, 9000)
        visit.write(self._visit_record_vals())
        self._done(visit)
        visit.with_user(self.ka_user).action_submit_overrun()
        self.assertIn(self.rule_finance, visit._ka_current_round().rule_id)

    def test_refused_overrun_is_not_claimed(self):
        visit = self._approved_visit(1000)
        self._spend(visit, 1500)
        visit.write(self._visit_record_vals())
        self._done(visit)
        visit.with_user(self.ka_user).action_submit_overrun()
        visit.with_user(self.ka_manager).action_refuse("Too much")
        self.assertEqual(visit.overrun_state, "refused")
        self.assertEqual(visit.state, "done")
        with self.assertRaises(UserError):
            visit.with_user(self.ka_user).action_claim_expenses()

    def test_tolerance_in_settings(self):
        self.env.company.ka_expense_tolerance = 10
        visit = self._approved_visit(1000)
        self._spend(visit, 1100)
        visit.write(self._visit_record_vals())
        self._done(visit)
        self.assertFalse(visit.ka_over_budget)
        visit.with_user(self.ka_user).action_claim_expenses()
        self.assertEqual(visit.expense_line_ids.reimbursement_state, "claimed")

    def test_a_forged_approved_visit_claims_nothing(self):
        """A visit made approved without its chain (as superuser code could)
        has no approved cost: its expenses are an overrun."""
        visit = self._visit(budget=100)
        visit._ka_workflow_write({"state": "done"})
        self._spend(visit, 99_999.99)
        with self.assertRaises(UserError):
            visit.with_user(self.ka_user).action_claim_expenses()


@tagged("post_install", "-at_install")
class TestManualSettlementLines(EngagementCase):
    """A line added by hand never pays its author nor the manager who
    confirms, keeps its settlement's salesperson and company, and its
    settlement is confirmed by another manager than its author."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.settlement = (
            cls.env["key_account.commission.settlement"]
            .sudo()
            .create(
                {
                    "user_id": cls.ka_user.id,
                    "date_from": date(2025, 1, 1),
                    "date_to": date(2025, 1, 31),
                }
            )
        )
        cls.Line = cls.env["key_account.commission.settlement.line"]

    def test_the_reported_line(self):
        Line = self.Line.with_user(self.ka_manager).with_context(**HOSTILE_CONTEXT)
        with self.assertRaises(AccessError):
            Line.with_context(
                default_payee_partner_id=self.ka_manager.partner_id.id,
                default_line_type="referral",
            ).create(
                [
                    {
                        "settlement_id": self.settlement.id,
                        "amount_commission": 8888.88,
                        "reason": "Referral",
                    }
                ]
            )
        line = Line.with_context(
            default_payee_partner_id=self.ka_manager.partner_id.id
        ).create(
            [
                {
                    "settlement_id": self.settlement.id,
                    "amount_commission": 8888.88,
                    "reason": "Correction",
                    "user_id": self.ka_manager.id,
                    "company_id": self.env["res.company"]
                    .create({"name": "Elsewhere"})
                    .id,
                }
            ]
        )
        self.assertFalse(line.payee_partner_id)
        self.assertEqual(line.user_id, self.ka_user)
        self.assertEqual(line.company_id, self.settlement.company_id)
        self.assertEqual(line.entered_by_ids, self.ka_manager)
        # its author does not confirm it; another manager does
        with self.assertRaises(AccessError):
            self.settlement.with_user(self.ka_manager).action_confirm()
        self.settlement.with_user(self.ka_manager2).action_confirm()
        self.assertEqual(self.settlement.state, "confirmed")

    def test_who_entered_a_line_does_not_pay_it(self):
        """A manager who is also Finance enters a line, another manager
        confirms: the author does not pay it, another approver does."""
        both = new_test_user(
            self.env,
            login="ka_manager_finance",
            groups="key_account.group_key_account_manager,"
            "key_account.group_key_account_approver",
        )
        self.Line.with_user(both).create(
            [
                {
                    "settlement_id": self.settlement.id,
                    "amount_commission": 500,
                    "reason": "Correction",
                }
            ]
        )
        self.settlement.with_user(self.ka_manager).action_confirm()
        with self.assertRaises(AccessError):
            self.settlement.with_user(both).action_pay()
        self.settlement.with_user(self.ka_approver).action_pay()
        self.assertEqual(self.settlement.state, "paid")

    def test_who_entered_or_changed_a_line_does_not_confirm(self):
        line = self.Line.with_user(self.ka_manager).create(
            [
                {
                    "settlement_id": self.settlement.id,
                    "amount_commission": 10,
                    "reason": "Correction",
                }
            ]
        )
        line.with_user(self.ka_manager2).write({"amount_commission": 20})
        # neither the author nor who changed it after
        for manager in (self.ka_manager, self.ka_manager2):
            with self.assertRaises(AccessError):
                self.settlement.with_user(manager).action_confirm()
        third = new_test_user(
            self.env,
            login="ka_manager3",
            groups="key_account.group_key_account_manager",
        )
        self.settlement.with_user(third).action_confirm()


@tagged("post_install", "-at_install")
class TestClosedIsClosed(EngagementCase):
    """Closed documents keep their figures whoever writes, superuser
    included; only their actions move their workflow fields."""

    def test_confirmed_settlement_under_sudo(self):
        settlement = (
            self.env["key_account.commission.settlement"]
            .sudo()
            .create(
                {
                    "user_id": self.ka_user.id,
                    "date_from": date(2025, 1, 1),
                    "date_to": date(2025, 1, 31),
                }
            )
        )
        settlement.with_user(self.ka_manager).action_confirm()
        sudo = settlement.sudo()
        for vals in (
            {"amount_commission": 99999},
            {"state": "draft"},
            {"date_to": date(2025, 2, 28)},
        ):
            with self.subTest(vals=vals), self.assertRaises(REFUSED):
                sudo.write(vals)
        with self.assertRaises(UserError):
            self.env["key_account.commission.settlement.line"].sudo().create(
                [
                    {
                        "settlement_id": settlement.id,
                        "amount_commission": 8888.88,
                        "reason": "x",
                    }
                ]
            )
        self.assertEqual(settlement.amount_commission, 0)
        self.assertEqual(settlement.state, "confirmed")
        # writing back what it holds changes nothing and passes (data files)
        sudo.write({"state": "confirmed"})

    def test_decided_approval_steps_under_sudo(self):
        visit = self._visit(budget=100)
        visit.action_submit()
        visit.with_user(self.ka_manager).action_approve()
        step = visit.approval_line_ids.sudo()
        for vals in (
            {"state": "refused"},
            {"done_by_id": self.ka_manager2.id},
            {"done_date": "2020-01-01 00:00:00"},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                step.write(vals)
        self.assertEqual(step.state, "approved")
        self.assertEqual(step.done_by_id, self.ka_manager)

    def test_approved_visit_under_sudo(self):
        visit = self._visit(budget=100)
        visit.action_submit()
        visit.with_user(self.ka_manager).action_approve()
        with self.assertRaises(REFUSED):
            visit.sudo().write({"amount_planned": 1})
        with self.assertRaises(REFUSED):
            visit.sudo().write({"state": "draft"})
        with self.assertRaises(REFUSED):
            visit.sudo().write({"partner_id": self.buyer.id})
        self.assertEqual(visit.state, "approved")


@tagged("post_install", "-at_install")
class TestStoredGuardsHttp(JsonRpcMixin, HttpCase, GuardedModelsCase):
    """The same over real HTTP, once: a salesperson logged in creates each
    document they may create through /web/dataset/call_kw with every
    protected field as a ``default_*`` key (and every ``ka_*`` key), then
    with them in the values, then writes them on a document of theirs;
    nothing hostile is stored."""

    def test_defaults_and_values_over_json_rpc(self):
        self.authenticate(self.ka_user.login, self.ka_user.login)
        tried = 0
        for model_name in self._guarded_models():
            role, base = self._factory(model_name)
            if role != "salesperson":
                continue
            Model = self.env[model_name]
            hostile = {
                fname: value
                for fname in Model._ka_protected_fields()
                if (value := self._hostile(Model, fname)) is not None
            }
            with self.subTest(model=model_name):
                tried += 1
                response = self._call(
                    model_name,
                    "create",
                    base,
                    context={f"default_{f}": value for f, value in hostile.items()},
                )
                if "result" in response:
                    self.env.invalidate_all()
                    record = Model.browse(response["result"])
                    forged = [f for f, v in hostile.items() if self._same(record, f, v)]
                    self.assertEqual(forged, [], f"{model_name}: stored from defaults")
                for fname, value in hostile.items():
                    response = self._call(model_name, "create", {**base, fname: value})
                    self.assertNotIn("result", response, f"{model_name}.{fname}")
                # and on a record of theirs, written
                mine = Model.with_user(self.ka_user).create(
                    [self._factory(model_name)[1]]
                )
                for fname, value in hostile.items():
                    before = self._stored(mine, fname)
                    response = self._call(model_name, "write", mine.ids, {fname: value})
                    self.assertNotIn("result", response, f"{model_name}.{fname}")
                    self.env.invalidate_all()
                    self.assertEqual(self._stored(mine, fname), before)
        self.assertGreaterEqual(tried, 6)


@tagged("post_install", "-at_install")
class TestProbedHoles(EngagementCase):
    """What an attacker found over JSON-RPC on the demo data, each closed."""

    def _done_visit(self, budget=2200, spent=0):
        visit = self._visit(budget=budget)
        visit.action_submit()
        visit.with_user(self.ka_manager).action_approve()
        visit.with_user(self.ka_user).write(
            {**self._visit_record_vals(), "summary": "<p>Done</p>"}
        )
        if spent:
            self.env["key_account.expense"].with_user(self.ka_user).create(
                [
                    {
                        "visit_id": visit.id,
                        "kind": "actual",
                        "name": "Dinner",
                        "amount": spent,
                    }
                ]
            )
        visit.with_user(self.ka_user).action_done()
        return visit

    def test_computed_figures_are_not_written(self):
        """Amounts computed from the lines are not a client's: the actual
        cost (which the claim reads), the planned cost (which picks the
        approvers), the reimbursed amount."""
        visit = self._done_visit(spent=9000)
        mine = visit.with_user(self.ka_user).with_context(**HOSTILE_CONTEXT)
        for vals in (
            {"amount_actual": 2000},
            {"amount_planned": 100},
            {"amount_reimbursed": 9000},
            {"expense_state": "reimbursed"},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                mine.write(vals)
        with self.assertRaises(UserError):
            mine.action_claim_expenses()
        draft = self._visit(budget=9000)
        with self.assertRaises(AccessError):
            draft.with_user(self.ka_user).write({"amount_planned": 100})
        draft.with_user(self.ka_user).action_submit()
        self.assertIn(self.rule_finance, draft._ka_current_round().rule_id)

    def test_done_and_closed_requests_keep_their_facts(self):
        visit = self._done_visit()
        mine = visit.with_user(self.ka_user)
        with self.assertRaises(UserError):
            mine.write({"actual_date": "2024-01-01"})
        mine.write({"summary": "<p>Done, and written up</p>"})
        mine.action_close()
        for vals in (
            {"summary": "<p>Rewritten</p>"},
            {"purpose": "Rewritten"},
            {"actual_date": "2024-01-01"},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                mine.write(vals)
        with self.assertRaises(UserError):
            visit.sudo().write({"purpose": "Rewritten as superuser"})
        # its actual expenses are still entered until claimed
        self.env["key_account.expense"].with_user(self.ka_user).create(
            [{"visit_id": visit.id, "kind": "actual", "name": "Taxi", "amount": 30}]
        )

    def test_a_manual_line_from_a_default_settlement(self):
        own = (
            self.env["key_account.commission.settlement"]
            .sudo()
            .create(
                {
                    "user_id": self.ka_manager.id,
                    "date_from": date(2025, 1, 1),
                    "date_to": date(2025, 1, 31),
                }
            )
        )
        theirs = own.copy({"user_id": self.ka_user.id})
        Line = self.env["key_account.commission.settlement.line"].with_user(
            self.ka_manager
        )
        with self.assertRaises(AccessError):
            Line.with_context(default_settlement_id=own.id).create(
                [{"line_type": "correction", "reason": "x", "amount_commission": 5000}]
            )
        line = Line.with_context(
            default_settlement_id=theirs.id,
            default_user_id=self.ka_manager.id,
            default_currency_id=False,
        ).create([{"reason": "x", "amount_commission": 7000}])
        self.assertEqual(line.settlement_id, theirs)
        self.assertEqual(line.user_id, self.ka_user)
        self.assertEqual(line.currency_id, theirs.currency_id)

    def test_a_confirmed_scorecard_gets_no_line(self):
        template = self.env["key_account.kpi.template"].search([], limit=1)
        card = (
            self.env["key_account.scorecard"]
            .with_user(self.ka_manager)
            .create(
                {
                    "user_id": self.ka_user.id,
                    "template_id": template.id,
                    "date_from": date(2025, 1, 1),
                    "date_to": date(2025, 3, 31),
                }
            )
        )
        card._ka_workflow_write({"state": "confirmed"})
        with self.assertRaises(UserError):
            self.env["key_account.scorecard.line"].with_user(
                self.ka_manager2
            ).with_context(default_scorecard_id=card.id).create(
                [{"name": "Bonus", "kind": "manual", "weight": 50}]
            )

    def test_no_answer_deadline_from_a_default(self):
        Feedback = self.env["key_account.feedback"].with_user(self.ka_user)
        vals = {
            "name": "Late",
            "feedback_type": "complaint",
            "partner_id": self.account.id,
        }
        with self.assertRaises(AccessError):
            Feedback.with_context(default_answer_due="2099-01-01 00:00:00").create(
                [vals]
            )
        with self.assertRaises(AccessError):
            Feedback.with_context(default_user_id=self.ka_user2.id).create([vals])

    def test_the_key_account_of_an_order(self):
        order = self._order(self.account, 1000, user=self.ka_user)
        other = self._account("Other Co", user_id=self.ka_user.id)
        with self.assertRaises(AccessError):
            order.with_user(self.ka_user).write({"ka_commercial_partner_id": other.id})
        self.assertEqual(order.ka_commercial_partner_id, self.account)

    def test_out_of_range_defaults(self):
        visit = self._visit(budget=0)
        with self.assertRaises(UserError):
            self.env["key_account.expense"].with_user(self.ka_user).with_context(
                default_date="9999-12-31"
            ).create([{"visit_id": visit.id, "name": "Taxi", "amount": 10}])
        with self.assertRaises(UserError):
            self.env["key_account.visit"].with_user(self.ka_user).with_context(
                default_date_start="9999-12-31 23:00:00"
            ).create([{"partner_id": self.account.id, "purpose": "x"}])


@tagged("post_install", "-at_install")
class TestProbedHolesSecondRound(EngagementCase):
    """What the second attack over JSON-RPC found, each closed."""

    def _done_visit(self, budget=100):
        visit = self._visit(budget=budget)
        visit.action_submit()
        visit.with_user(self.ka_manager).action_approve()
        visit.with_user(self.ka_user).write(
            {**self._visit_record_vals(), "summary": "<p>Done</p>"}
        )
        visit.with_user(self.ka_user).action_done()
        return visit

    def test_no_expense_on_a_cancelled_request(self):
        visit = self._visit(budget=100)
        Expense = self.env["key_account.expense"].with_user(self.ka_user)
        line = Expense.create(
            [{"visit_id": visit.id, "kind": "actual", "name": "Taxi", "amount": 5}]
        )
        visit.with_user(self.ka_user).action_cancel()
        with self.assertRaises(UserError):
            Expense.create(
                [{"visit_id": visit.id, "kind": "actual", "name": "x", "amount": 50}]
            )
        with self.assertRaises(UserError):
            line.write({"amount": 999})
        self.assertEqual(visit.amount_actual, 5)

    def test_who_asks_for_an_overrun_does_not_approve_it(self):
        """A manager who enters expenses on a colleague's visit, or submits
        its overrun, is not its approver; another manager is."""
        visit = self._done_visit()
        self.env["key_account.expense"].with_user(self.ka_manager).create(
            [{"visit_id": visit.id, "kind": "actual", "name": "Dinner", "amount": 4000}]
        )
        visit.with_user(self.ka_manager).action_submit_overrun()
        self.assertEqual(visit.overrun_submitted_by_id, self.ka_manager)
        with self.assertRaises(AccessError):
            visit.with_user(self.ka_manager).action_approve()
        visit.with_user(self.ka_manager2).action_approve()
        self.assertEqual(visit.overrun_state, "approved")
        self.assertEqual(visit.amount_approved, 4000)

    def test_nobody_scores_themselves(self):
        template = self.env["key_account.kpi.template"].search([], limit=1)
        Scorecard = self.env["key_account.scorecard"]
        own = Scorecard.sudo().create(
            {
                "user_id": self.ka_manager.id,
                "template_id": template.id,
                "date_from": date(2025, 1, 1),
                "date_to": date(2025, 3, 31),
            }
        )
        mine = own.with_user(self.ka_manager)
        with self.assertRaises(AccessError):
            mine.write({"superior_weight": 100, "peer_weight": 0})
        with self.assertRaises(AccessError):
            self.env["key_account.scorecard.line"].with_user(self.ka_manager).create(
                [
                    {
                        "scorecard_id": own.id,
                        "name": "Self",
                        "kind": "manual",
                        "weight": 100,
                        "superior_points": 100,
                    }
                ]
            )
        # computed figures are nobody's to type, on anybody's scorecard
        theirs = Scorecard.sudo().create(
            {
                "user_id": self.ka_user.id,
                "template_id": template.id,
                "date_from": date(2025, 1, 1),
                "date_to": date(2025, 3, 31),
                "line_ids": [
                    Command.create({"name": "Sales", "kind": "manual", "weight": 100})
                ],
            }
        )
        with self.assertRaises(AccessError):
            theirs.line_ids.with_user(self.ka_manager).write(
                {"indicator_points": 100, "value": 1e6, "achievement": 999}
            )
        theirs.line_ids.with_user(self.ka_manager).write({"superior_points": 80})
        # and the computation still computes a manager's own scorecard
        cards, _skipped = Scorecard.with_user(self.ka_manager2)._ka_compute_scorecards(
            template, self.ka_manager, date(2025, 4, 1), date(2025, 6, 30)
        )
        self.assertEqual(cards.user_id, self.ka_manager)

    def test_a_signed_review_stays_signed(self):
        review = self.env["key_account.review"]._ka_make_reviews(
            self.account, date(2025, 1, 1)
        )
        review.with_user(self.ka_user).write({"owner_comment": "A good quarter"})
        review.with_user(self.ka_user).action_submit()
        review.with_user(self.ka_manager).action_sign()
        with self.assertRaises(UserError):
            review.with_user(self.ka_manager2).action_reset_draft()
        self.assertEqual(review.state, "signed")


@tagged("post_install", "-at_install")
class TestNewcomerFindings(EngagementCase):
    """What a newcomer found in the screens, each fixed."""

    def _settlement(self, user):
        return (
            self.env["key_account.commission.settlement"]
            .sudo()
            .create(
                {
                    "user_id": user.id,
                    "date_from": date(2025, 1, 1),
                    "date_to": date(2025, 1, 31),
                }
            )
        )

    def test_a_correction_from_the_form(self):
        """The settlement form sends the empty computed fields of a new line."""
        settlement = self._settlement(self.ka_user)
        with Form(settlement.with_user(self.ka_manager)) as form:
            with form.line_ids.new() as line:
                line.line_type = "correction"
                line.reason = "Missed order"
                line.amount_commission = 120
        self.assertEqual(settlement.line_ids.amount_commission, 120)
        # and the JSON-RPC shape of it
        self.env["key_account.commission.settlement.line"].with_user(
            self.ka_manager
        ).create(
            [
                {
                    "settlement_id": settlement.id,
                    "line_type": "award",
                    "reason": "Fair",
                    "amount_commission": 10,
                    "payee_partner_id": False,
                    "order_id": False,
                }
            ]
        )

    def test_computed_lines_are_not_deleted_by_hand(self):
        settlement = self._settlement(self.ka_user)
        computed = (
            self.env["key_account.commission.settlement.line"]
            .sudo()
            .create(
                [
                    {
                        "settlement_id": settlement.id,
                        "line_type": "order",
                        "amount_commission": 7781.76,
                    }
                ]
            )
        )
        with self.assertRaises(AccessError):
            computed.with_user(self.ka_manager).unlink()
        self.assertTrue(computed.exists())

    def test_the_tolerance_is_a_percentage(self):
        for value in (-5, 101):
            with self.subTest(value=value), self.assertRaises(ValidationError):
                self.env.company.ka_expense_tolerance = value
        self.env.company.ka_expense_tolerance = 10

    def test_managers_edit_the_salespeople_list(self):
        """The list's rows are editable for a Key Account manager, who has no
        write access to users (the write is checked, then done as superuser)."""
        view = self.env.ref("key_account.res_users_view_list_ka_commission")
        arch = (
            self.env["res.users"]
            .with_user(self.ka_manager)
            .get_views([(view.id, "list")])["views"]["list"]["arch"]
        )
        self.assertIn('edit="1"', arch)
        self.assertNotIn('edit="False"', arch)
