import json
import threading
from datetime import date
from datetime import datetime
from datetime import time

from odoo import Command
from odoo import api
from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase
from odoo.tests import new_test_user

# Every context key the module ever read as a switch (they unlocked guards
# over JSON-RPC, where a client sends any context it likes), and the keys
# Odoo honours that could skip a check. Each guarded write is tried with all
# of them set; test_controls fails when the module reads a ``ka_`` key that
# is not listed here, so a new one cannot be forgotten.
# the time zone of the fixtures' users (and of the admin running the tests)
TEST_TZ = "Asia/Shanghai"

HOSTILE_CONTEXT = {
    "ka_approval_transition": True,
    "ka_pool_move": True,
    "ka_regrade": True,
    "ka_monthly_report_state_change": True,
    "ka_scorecard_state_change": True,
    "ka_settlement_transition": True,
    "ka_defer_kpi_checks": True,
    "ka_plan_unlink": True,
    "ka_pool_autocommit": True,
    "tracking_disable": True,
    "mail_notrack": True,
    "mail_create_nolog": True,
    "install_mode": True,
    "module": "key_account",
    "active_test": False,
}


def race(registry, attempts, retried=()):
    """Run ``attempts`` [(uid, snapshot, act)] at the same moment, each in its
    own thread, cursor and transaction as the user ``uid``: ``snapshot(env)``
    reads (the transaction's snapshot is taken), all wait for each other,
    then ``act(env)`` acts and commits, retried once on an error of
    ``retried`` as the server retries a request.

    :return: one result per attempt: True, or the UserError's message
    """
    barrier = threading.Barrier(len(attempts))
    results = [None] * len(attempts)
    # environments are made here: a thread cannot look the registry up while
    # the test runner holds its lock
    envs = [api.Environment(registry.cursor(), uid, {}) for uid, *_rest in attempts]

    def run(index, env, snapshot, act):
        try:
            try:
                snapshot(env)
            finally:
                barrier.wait(timeout=10)
            for attempt in (1, 2):
                try:
                    act(env)
                    env.cr.commit()
                    results[index] = True
                    return
                except retried:
                    env.cr.rollback()
                    env.invalidate_all()
                    if attempt == 2:
                        raise
        except UserError as error:
            env.cr.rollback()
            results[index] = str(error)
        finally:
            env.cr.close()

    threads = [
        threading.Thread(target=run, args=(i, envs[i], snapshot, act))
        for i, (_uid, snapshot, act) in enumerate(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


class JsonRpcMixin:
    """Calls over real HTTP, as the web client makes them: a case that also
    inherits ``HttpCase`` and authenticates ``ka_user`` first."""

    def _call(self, model, method, *args, context=None, **kwargs):
        """Call ``model.method(*args, **kwargs)`` over JSON-RPC as the
        logged-in salesperson, with the hostile context and ``context``;
        return the decoded JSON-RPC response."""
        ctx = {
            "lang": "en_US",
            "tz": "Asia/Shanghai",
            "uid": self.ka_user.id,
            "allowed_company_ids": self.env.company.ids,
            **HOSTILE_CONTEXT,
            **(context or {}),
        }
        payload = {
            "id": 1,
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": model,
                "method": method,
                "args": list(args),
                "kwargs": {**kwargs, "context": ctx},
            },
        }
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(payload, default=str),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()


class KeyAccountCase(TransactionCase):
    """Fixtures: users of each role, the shipped grades at known thresholds,
    a product, and helpers that make key accounts and sale orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.currency = cls.company.currency_id
        cls.ka_manager = new_test_user(
            cls.env,
            login="ka_manager",
            name="Kate Manager",
            groups="key_account.group_key_account_manager",
            tz=TEST_TZ,
        )
        cls.ka_user = new_test_user(
            cls.env,
            login="ka_user",
            name="Sam Salesman",
            groups="key_account.group_key_account_user",
            tz=TEST_TZ,
        )
        cls.ka_user2 = new_test_user(
            cls.env,
            login="ka_user2",
            name="Lee Salesman",
            groups="key_account.group_key_account_user",
            tz=TEST_TZ,
        )
        cls.outsider = new_test_user(
            cls.env,
            login="ka_outsider",
            name="Olga Outsider",
            groups="base.group_user",
            tz=TEST_TZ,
        )
        # the admin running the tests works in the same day as the fixtures'
        # users: the code reads "today" in the user's time zone, as _today()
        cls.env.user.tz = TEST_TZ
        cls.grade_a = cls.env.ref("key_account.key_account_grade_a")
        cls.grade_b = cls.env.ref("key_account.key_account_grade_b")
        cls.grade_c = cls.env.ref("key_account.key_account_grade_c")
        cls.grade_d = cls.env.ref("key_account.key_account_grade_d")
        # the shipped defaults, stated here so that tests read on their own
        cls.grade_a.write({"min_sales_12m": 1_000_000, "inactive_months": 12})
        cls.grade_b.write({"min_sales_12m": 200_000, "inactive_months": 12})
        cls.grade_c.write({"min_sales_12m": 0, "inactive_months": 12})
        cls.type_strategic = cls.env.ref("key_account.key_account_type_strategic")
        cls.type_potential = cls.env.ref("key_account.key_account_type_potential")
        cls.product = cls.env["product.product"].create(
            {"name": "Key Account Test Product", "list_price": 100.0, "taxes_id": False}
        )

    @classmethod
    def _account(cls, name="Key Account Co", **vals):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "ka_type_id": cls.type_strategic.id,
                **vals,
            }
        )

    @classmethod
    def _order(
        cls,
        partner,
        amount,
        date=None,
        confirm=True,
        pricelist=None,
        user=None,
        company=None,
        quantity=1,
    ):
        """A sale order of ``amount`` untaxed, confirmed by default, dated
        ``date`` (a date or datetime; default now), in ``quantity`` units of
        the test product (list price 100) at ``amount / quantity`` each."""
        vals = {
            "partner_id": partner.id,
            "order_line": [
                Command.create(
                    {
                        "product_id": cls.product.id,
                        "product_uom_qty": quantity,
                        "price_unit": amount / quantity,
                        "tax_id": [Command.clear()],
                    }
                )
            ],
        }
        if pricelist:
            vals["pricelist_id"] = pricelist.id
        if user:
            vals["user_id"] = user.id
        if company:
            vals["company_id"] = company.id
        order = cls.env["sale.order"].create(vals)
        if confirm:
            order.action_confirm()
        if date:
            if not isinstance(date, datetime):
                date = datetime.combine(date, time(12, 0))
            order.date_order = date
        return order

    @classmethod
    def _targets(cls, user, months, amount, year=2025):
        """Monthly sales targets of ``user``, one per month of ``months``."""
        return cls.env["key_account.commission.target"].create(
            [
                {"user_id": user.id, "month": date(year, month, 1), "amount": amount}
                for month in months
            ]
        )

    @classmethod
    def _today(cls):
        """Today as the code sees it: in the time zone of the fixtures'
        users (ahead of UTC, so a run in the evening UTC tells the user's
        day from the server's)."""
        return fields.Date.context_today(cls.env.user)

    @classmethod
    def _feedback(cls, partner, user, received, feedback_type="complaint", **vals):
        """A feedback of ``partner`` owned by ``user``, received at
        ``received`` (a datetime)."""
        return cls.env["key_account.feedback"].create(
            {
                "name": f"{feedback_type} of {partner.name}",
                "feedback_type": feedback_type,
                "partner_id": partner.id,
                "user_id": user.id,
                "received_date": received,
                **vals,
            }
        )


# ---- engagement ---------------------------------------------------------------------
class EngagementCase(KeyAccountCase):
    """Adds a Finance approver, a second manager, a gift keeper, and a key
    account owned by ``ka_user`` with two contacts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ka_approver = new_test_user(
            cls.env,
            login="ka_approver",
            name="Fiona Finance",
            groups="key_account.group_key_account_approver",
            tz=TEST_TZ,
        )
        cls.ka_manager2 = new_test_user(
            cls.env,
            login="ka_manager2",
            name="Mark Manager",
            groups="key_account.group_key_account_manager",
            tz=TEST_TZ,
        )
        cls.ka_keeper = new_test_user(
            cls.env,
            login="ka_keeper",
            name="Gus Giftkeeper",
            groups="key_account.group_key_account_gift_keeper",
            tz=TEST_TZ,
        )
        # the shipped approval levels, stated here
        cls.rule_manager = cls.env.ref("key_account.key_account_approval_rule_manager")
        cls.rule_finance = cls.env.ref("key_account.key_account_approval_rule_finance")
        cls.rule_manager.min_amount = 0
        cls.rule_finance.min_amount = 5000
        (
            cls.env["key_account.approval.rule"].search([])
            - cls.rule_manager
            - cls.rule_finance
        ).active = False
        cls.account = cls._account(
            "Engaged Co", user_id=cls.ka_user.id, ka_grade_id=cls.grade_b.id
        )
        cls.buyer = cls.env["res.partner"].create(
            {"name": "Bea Buyer", "parent_id": cls.account.id, "ka_role": "buyer"}
        )
        cls.boss = cls.env["res.partner"].create(
            {
                "name": "Dan Decider",
                "parent_id": cls.account.id,
                "ka_role": "decision_maker",
            }
        )

    @classmethod
    def _visit(cls, budget=1000.0, user=None, **vals):
        """A draft visit of ``user`` (default: the account's owner) on the
        account, planned by them, or by a manager for somebody else."""
        user = user or cls.ka_user
        planner = user if user == cls.account.user_id else cls.ka_manager
        return (
            cls.env["key_account.visit"]
            .with_user(planner)
            .create(
                {
                    "user_id": user.id,
                    "partner_id": cls.account.id,
                    "contact_ids": [Command.set(cls.buyer.ids)],
                    "purpose": "Present the new range",
                    "planned_line_ids": [
                        Command.create(
                            {
                                "kind": "planned",
                                "expense_type": "transport",
                                "name": "Train",
                                "amount": budget,
                            }
                        )
                    ]
                    if budget
                    else [],
                    **vals,
                }
            )
        )

    @classmethod
    def _visit_record_vals(cls, day=None):
        return {
            "actual_date": day or cls._today(),
            "attitude": "warm",
            "progress_stage": "product",
            "points": "Prices, delivery times",
            "customer_view": "Interested",
            "next_visit_date": cls._today(),
            "outcome_reason": "Good timing",
        }
