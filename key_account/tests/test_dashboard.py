from datetime import timedelta

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import KeyAccountCase


@tagged("post_install", "-at_install")
class TestDashboard(KeyAccountCase):
    def _dashboard_actions(self):
        root = self.env.ref("key_account.key_account_menu_dashboard")
        menus = self.env["ir.ui.menu"].search([("id", "child_of", root.id)])
        return menus.filtered("action").mapped("action")

    def test_every_dashboard_entry_opens_for_a_manager(self):
        actions = self._dashboard_actions()
        self.assertGreaterEqual(len(actions), 7)
        for action in actions:
            with self.subTest(action=action.name):
                model = self.env[action.res_model].with_user(self.ka_manager)
                modes = action.view_mode.split(",")
                views = model.get_views([(False, mode) for mode in modes])
                self.assertEqual(set(views["views"]), set(modes))
                domain = safe_eval(action.domain or "[]", {"uid": self.ka_manager.id})
                model.web_search_read(domain, {"display_name": {}}, limit=5)

    def test_overdue_followups_by_salesperson(self):
        self.grade_c.contact_interval_days = 30
        late = self._account("Late Co", user_id=self.ka_user.id)
        late.write(
            {
                "ka_grade_id": self.grade_c.id,
                "ka_since": self._today() - timedelta(days=40),
            }
        )
        fresh = self._account("Fresh Co", user_id=self.ka_user.id)
        fresh.ka_grade_id = self.grade_c
        action = self.env.ref("key_account.res_partner_action_followup_overdue")
        found = self.env["res.partner"].search(safe_eval(action.domain))
        self.assertIn(late, found)
        self.assertNotIn(fresh, found)
        groups = self.env["res.partner"]._read_group(
            [*safe_eval(action.domain), ("id", "in", (late | fresh).ids)],
            ["user_id"],
            ["__count"],
        )
        self.assertEqual(groups, [(self.ka_user, 1)])
