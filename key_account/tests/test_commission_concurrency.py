from datetime import date

from psycopg2 import errors

from odoo import SUPERUSER_ID
from odoo import Command
from odoo import api
from odoo.tests import TransactionCase
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import race

# what Odoo retries a request on (odoo.service.model.retrying)
RETRIED = (errors.SerializationFailure, errors.DeadlockDetected)


@tagged("post_install", "-at_install")
class TestCommissionConcurrency(TransactionCase):
    """Two managers confirm, at the same moment, two settlements that count
    the same order (computed before the one-live-settlement rule): one wins,
    the other is refused, the order is paid once.

    Each confirmation runs in its own thread and cursor, retried once on a
    serialization failure as the server retries a request. The fixtures are
    committed by a separate cursor and removed afterwards."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            managers = env["res.users"]
            for i in (1, 2):
                managers |= new_test_user(
                    env,
                    login=f"ka_settler_{i}",
                    name=f"Settler {i}",
                    groups="key_account.group_key_account_manager",
                )
            seller = new_test_user(
                env,
                login="ka_settled_seller",
                name="Settled Seller",
                groups="key_account.group_key_account_user",
            )
            partner = env["res.partner"].create({"name": "Contended Buyer"})
            order = env["sale.order"].create(
                {"partner_id": partner.id, "user_id": seller.id}
            )
            settlements = env["key_account.commission.settlement"].create(
                [
                    {
                        "user_id": seller.id,
                        "date_from": date(2020, month, 1),
                        "date_to": date(2020, month, 28),
                        "line_ids": [
                            Command.create(
                                {
                                    "line_type": "order",
                                    "order_id": order.id,
                                    "amount_base": 1_000,
                                    "amount_commission": 50,
                                }
                            )
                        ],
                    }
                    for month in (1, 2)
                ]
            )
            self.names = {s.id: s.name for s in settlements}
        self.manager_ids = managers.ids
        self.user_ids = (managers | seller).ids
        self.settlement_ids = settlements.ids
        self.order_id = order.id
        self.partner_id = partner.id
        self.addCleanup(self._remove_fixtures)

    def _remove_fixtures(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            settlements = env["key_account.commission.settlement"].browse(
                self.settlement_ids
            )
            settlements._ka_workflow_write({"state": "draft"})
            settlements.unlink()
            env["sale.order"].browse(self.order_id).unlink()
            users = env["res.users"].browse(self.user_ids)
            partners = users.partner_id | env["res.partner"].browse(self.partner_id)
            users.unlink()
            partners.unlink()

    def _race(self):
        """Manager i confirms settlement i, both in transactions started
        before either confirms. :return: True or the error, for each."""
        Settlement = "key_account.commission.settlement"
        return race(
            self.registry,
            [
                (
                    uid,
                    lambda env, sid=sid: env[Settlement].browse(sid).mapped("state"),
                    lambda env, sid=sid: env[Settlement].browse(sid).action_confirm(),
                )
                for uid, sid in zip(self.manager_ids, self.settlement_ids, strict=True)
            ],
            retried=RETRIED,
        )

    def test_one_order_paid_once(self):
        results = self._race()
        self.assertEqual(results.count(True), 1, results)
        winner = self.settlement_ids[results.index(True)]
        loser = next(r for r in results if r is not True)
        self.assertIn("already counted in", loser)
        self.assertIn(self.names[winner], loser)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            states = {
                s.id: s.state
                for s in env["key_account.commission.settlement"].browse(
                    self.settlement_ids
                )
            }
        self.assertEqual(sorted(states.values()), ["confirmed", "draft"])
        self.assertEqual(states[winner], "confirmed")
