from odoo.tests import TransactionCase
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestCronSchedule(TransactionCase):
    """The module's scheduled actions wait for their hour: on a new database
    (the first start of scripts/serve.sh) Odoo's cron thread runs at once
    every action whose next call is already past; the module's are planned
    for the night after the install, or the next month or quarter, so none
    of them runs while the first user looks around."""

    def test_none_due_at_install(self):
        crons = self.env["ir.cron"].browse(
            self.env["ir.model.data"]
            .search([("module", "=", "key_account"), ("model", "=", "ir.cron")])
            .mapped("res_id")
        )
        self.assertTrue(crons)
        for cron in crons:
            with self.subTest(cron=cron.cron_name):
                # created at the install: planned later than that
                self.assertGreater(cron.nextcall, cron.create_date)
