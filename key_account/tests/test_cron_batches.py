from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from .test_pool import PoolCase

FOLLOWUP = "key_account.mail_activity_type_ka_followup"


@tagged("post_install", "-at_install")
class TestCronBatches(PoolCase):
    """The daily crons cost the same number of queries for one account as
    for many, and the activities they insert in one query are the ones the
    ORM would create."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.ka_pool_max_claims_per_day = 0  # many claims a day here
        cls.grade_a.write({"visit_interval_days": 30, "contact_interval_days": 15})

    def _queries(self, function):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        result = function()
        self.env.flush_all()
        return result, self.env.cr.sql_log_count - before

    def _pool_run(self, count, claimed, warned, day):
        """``count`` accounts claimed on ``claimed`` (returned on ``day``) and
        ``count`` on ``warned`` (warned on ``day``): the cron's queries."""
        for i in range(count):
            self._claimed(day=claimed, name=f"Returned {claimed} {i}")
            self._claimed(day=warned, name=f"Warned {warned} {i}")
        return self._queries(lambda: self._cron(day))

    def test_pool_cron_queries_do_not_grow_with_accounts(self):
        # a first run fills the caches (and the accounts warned at each run
        # return at the next one)
        self._pool_run(1, "2025-11-01", "2025-11-08", "2025-12-01")
        few, few_queries = self._pool_run(1, "2026-01-01", "2026-01-08", "2026-01-31")
        many, many_queries = self._pool_run(6, "2026-03-01", "2026-03-08", "2026-03-31")
        self.assertEqual(few, (2, 1))
        self.assertEqual(many, (7, 6))
        self.assertEqual(few_queries, many_queries)

    def _followup_run(self, count, name):
        accounts = self.env["res.partner"]
        for i in range(count):
            accounts |= self._account(
                f"{name} {i}",
                user_id=(self.ka_user if i % 2 else self.ka_user2).id,
                ka_grade_id=self.grade_a.id,
                ka_since=date(2026, 1, 1),
            )
        with freeze_time("2026-03-20"):
            return self._queries(self.env["res.partner"]._ka_cron_followup)

    def test_followup_cron_queries_do_not_grow_with_accounts(self):
        self._followup_run(2, "Warm")
        few, few_queries = self._followup_run(2, "Few")
        many, many_queries = self._followup_run(9, "Many")
        self.assertEqual(len(few), 2)
        self.assertEqual(len(many), 9)
        self.assertEqual(few_queries, many_queries)

    def test_inserted_activity_is_the_orm_activity(self):
        """What the set-based insert stores is what mail.activity's create
        stores: the same fields, the assignee following the account with the
        default subtypes, the assignee told on the bus when it is due."""
        self.ka_user.tz = "Europe/Brussels"
        by_orm = self._account("By ORM Co")
        inserted = self._account("Inserted Co")
        contact = self.env["res.partner"].create(
            {"name": "", "type": "delivery", "parent_id": inserted.id}
        )
        activity_type = self.env.ref(FOLLOWUP)
        vals = {
            "activity_type_id": activity_type.id,
            "user_id": self.ka_user.id,
            "date_deadline": date(2026, 3, 20),
            "summary": "Follow up",
            "automated": True,
        }
        sent = []
        with (
            freeze_time("2026-03-20"),
            patch.object(
                type(self.env["res.users"]),
                "_bus_send",
                lambda users, kind, message, **kw: sent.append(
                    (users.ids, kind, message)
                ),
            ),
        ):
            orm = (
                self.env["mail.activity"]
                .sudo()
                .with_context(mail_activity_quick_update=True)
                .create(
                    {
                        "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                        "res_id": by_orm.id,
                        **vals,
                    }
                )
            )
            self.assertEqual(sent, [(self.ka_user.ids, *sent[0][1:])])
            sent.clear()
            ours = self.env["res.partner"]._ka_create_activities(
                [{"res_id": inserted.id, **vals}, {"res_id": contact.id, **vals}]
            )
        created = ("mail.activity/updated", {"activity_created": True})
        self.assertEqual(sent, [(self.ka_user.ids, *created)])
        self.env.invalidate_all()
        fnames = [
            name
            for name, field in self.env["mail.activity"]._fields.items()
            if field.store
            and name not in ("id", "res_id", "res_name", "create_date", "write_date")
        ]
        expected = orm.read(fnames, load=None)[0]
        del expected["id"]
        self.assertRecordValues(ours, [expected, expected])
        self.assertEqual(
            ours.mapped("res_name"), [inserted.display_name, contact.display_name]
        )
        self.assertEqual(orm.res_name, by_orm.display_name)
        self.assertEqual(ours[0].user_tz, "Europe/Brussels")
        for partner in (by_orm, inserted, contact):
            follower = partner.message_follower_ids.filtered(
                lambda f: f.partner_id == self.ka_user.partner_id
            )
            self.assertEqual(len(follower), 1)
            self.assertEqual(
                follower.subtype_ids,
                self.env["mail.message.subtype"].default_subtypes("res.partner")[0],
            )
        self.assertIn(ours[0], inserted.activity_ids)
