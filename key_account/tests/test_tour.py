from odoo import Command
from odoo import fields
from odoo.tests import HttpCase
from odoo.tests import tagged

from .common import EngagementCase


@tagged("post_install", "-at_install")
class TestKeyAccountTour(HttpCase, EngagementCase):
    """The browser, end to end: a salesperson claims an account from the
    public pool, plans a visit to it and submits it; a manager approves it
    (static/src/tests/tours/key_account_tour.js)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # In the pool: a key account without salesperson. The shipped levels
        # (EngagementCase): managers approve every request, Finance from
        # 5,000; the tour plans 800, so the chain is the manager level only.
        cls.pool_account = cls._account("Tour Jade River Foods", city="Hangzhou")
        # its plan of this year, made by the salesperson who claims it: the
        # account form's Account Plan tab reads its progress when opened
        cls.env["key_account.plan"].create(
            {
                "partner_id": cls.pool_account.id,
                "user_id": cls.ka_user.id,
                "date_from": fields.Date.today().replace(month=1, day=1),
                "objective_ids": [
                    Command.create(
                        {
                            "name": "Tour sales objective",
                            "measure": "sales",
                            "target_amount": 10_000,
                        }
                    )
                ],
            }
        )
        # a customer without a key-account type: the tour times its form
        # against the account's (printed only)
        cls.env["res.partner"].create(
            {
                "name": "Tour Plain Paper Mill",
                "is_company": True,
                "customer_rank": 1,
                "city": "Hangzhou",
            }
        )

    def test_claim_plan_submit_approve(self):
        Visit = self.env["key_account.visit"]
        domain = [("partner_id", "=", self.pool_account.id)]
        self.assertFalse(self.pool_account.user_id)

        self.start_tour(
            "/odoo", "key_account_tour_salesperson", login=self.ka_user.login
        )
        self.env.invalidate_all()

        self.assertEqual(self.pool_account.user_id, self.ka_user)
        log = self.env["key_account.pool.log"].search(
            [("partner_id", "=", self.pool_account.id)]
        )
        self.assertRecordValues(
            log,
            [
                {
                    "action": "claim",
                    "from_user_id": False,
                    "to_user_id": self.ka_user.id,
                    "done_by_id": self.ka_user.id,
                }
            ],
        )
        visit = Visit.search(domain)
        self.assertRecordValues(
            visit,
            [
                {
                    "state": "submitted",
                    "user_id": self.ka_user.id,
                    "submitted_by_id": self.ka_user.id,
                    "method": "phone",
                    "purpose": "Present the new product range",
                    "amount_planned": 800.0,
                }
            ],
        )
        self.assertRecordValues(
            visit.planned_line_ids,
            [{"kind": "planned", "name": "Business lunch", "amount": 800.0}],
        )
        self.assertRecordValues(
            visit.approval_line_ids,
            [
                {
                    "rule_id": self.rule_manager.id,
                    "group_id": self.env.ref(
                        "key_account.group_key_account_manager"
                    ).id,
                    "state": "pending",
                }
            ],
        )

        self.start_tour(
            "/odoo", "key_account_tour_manager", login=self.ka_manager.login
        )
        self.env.invalidate_all()

        self.assertEqual(visit.state, "approved")
        self.assertRecordValues(
            visit.approval_line_ids,
            [{"state": "approved", "done_by_id": self.ka_manager.id}],
        )
        self.assertEqual(Visit.search_count(domain), 1)
        self.assertEqual(self.pool_account.user_id, self.ka_user)
