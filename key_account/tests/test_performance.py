from odoo.tests import tagged

from .common import KeyAccountCase

KANBAN_SPEC = {
    "name": {},
    "ka_type_id": {"fields": {"display_name": {}}},
    "ka_grade_id": {"fields": {"display_name": {}}},
    "ka_grade_color": {},
    "industry_id": {"fields": {"display_name": {}}},
    "city": {},
    "ka_currency_id": {"fields": {}},
    "ka_owner_sales_12m": {},  # a salesperson's (ka_sales_12m: managers')
    "ka_file_completeness": {},
    "ka_last_order_date": {},
    "activity_ids": {},
    "activity_state": {},
    "user_id": {"fields": {"display_name": {}}},
}


@tagged("post_install", "-at_install")
class TestQueryBudget(KeyAccountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        industries = cls.env["res.partner.industry"].create(
            [{"name": f"Industry {i}"} for i in range(5)]
        )
        users = cls.ka_user | cls.ka_user2 | cls.ka_manager
        grades = cls.grade_a | cls.grade_b | cls.grade_c | cls.grade_d
        cls.accounts = cls.env["res.partner"].create(
            [
                {
                    "name": f"Account {i:03d}",
                    "is_company": True,
                    "ka_type_id": cls.type_strategic.id,
                    "ka_grade_id": grades[i % 4].id,
                    "industry_id": industries[i % 5].id,
                    "user_id": users[i % 3].id,
                    "city": "Hangzhou",
                }
                for i in range(160)
            ]
        )
        for account in cls.accounts[:20]:
            cls._order(account, 1000)

    def _read_kanban(self, accounts):
        self.env.invalidate_all()
        self.env["res.partner"].with_user(self.ka_user).web_search_read(
            [("id", "in", accounts.ids)], KANBAN_SPEC
        )

    def test_kanban_query_count_does_not_grow(self):
        self._read_kanban(self.accounts[100:110])  # warm up caches (rules, fields)
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        self._read_kanban(self.accounts[:8])
        queries_for_8 = self.cr.sql_log_count - before
        with self.assertQueryCount(queries_for_8):
            self._read_kanban(self.accounts[8:88])
