from freezegun import freeze_time

from odoo.tests import tagged

from .common import KeyAccountCase


@tagged("post_install", "-at_install")
class TestFollowup(KeyAccountCase):
    def _activity(self, partner, xmlid):
        return partner.activity_schedule(xmlid, user_id=self.ka_user.id)

    def test_done_call_on_a_contact_counts_for_the_company(self):
        company = self._account()
        buyer = self.env["res.partner"].create(
            {"name": "Buyer", "parent_id": company.id}
        )
        with freeze_time("2026-03-02"):
            self._activity(buyer, "mail.mail_activity_data_call").action_done()
        self.assertEqual(str(company.ka_last_contact_date), "2026-03-02")
        self.assertEqual(str(company.ka_last_followup_date), "2026-03-02")
        self.assertFalse(company.ka_last_visit_date)

    def test_todo_does_not_count(self):
        company = self._account()
        self._activity(company, "mail.mail_activity_data_todo").action_done()
        self.assertFalse(company.ka_last_contact_date)

    def test_configurable_per_activity_type(self):
        todo = self.env.ref("mail.mail_activity_data_todo")
        todo.ka_counts_as_contact = True
        company = self._account()
        self._activity(company, "mail.mail_activity_data_todo").action_done()
        self.assertTrue(company.ka_last_contact_date)

    def test_visit_is_a_contact_and_dates_only_move_forward(self):
        company = self._account()
        company._ka_register_followup("visit", self._today())
        self.assertEqual(company.ka_last_visit_date, self._today())
        self.assertEqual(company.ka_last_contact_date, self._today())
        company._ka_register_followup("contact", self._today().replace(year=2020))
        self.assertEqual(company.ka_last_contact_date, self._today())
