"""The module's fields on the models of other modules (res.company,
res.users, crm.team, res.partner...) stay out of the way of users and of
Odoo's own code that know nothing of key accounts: a record is duplicated by
someone outside the Key Account groups, and a record is created by code that
runs before the module is loaded (another module's tests during its update)."""

from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools import SQL

from .common import KeyAccountCase


def _ours_on_other_models(env):
    """(model, field) of each field the module adds to a model another module
    defines."""
    for model in env.registry.values():
        if model._abstract or model._original_module.startswith("key_account"):
            continue
        for field in model._fields.values():
            if field._modules and all(
                module.startswith("key_account") for module in field._modules
            ):
                yield model, field


@tagged("post_install", "-at_install")
class TestCoreModels(KeyAccountCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a sales manager and user administrator who is no Key Account user
        cls.sales_admin = new_test_user(
            cls.env,
            login="ka_sales_admin",
            name="Paula Sales Admin",
            groups="sales_team.group_sale_manager,base.group_erp_manager",
        )

    def test_a_sales_manager_duplicates_a_sales_team(self):
        team = self.env["crm.team"].create(
            {"name": "North", "ka_pool_followup_days": 30, "ka_pool_max_owned": 5}
        )
        self.assertFalse(
            self.sales_admin.has_group("key_account.group_key_account_user")
        )
        self.env.invalidate_all()  # read from the database, as a new request
        copy = team.with_user(self.sales_admin).copy()
        self.assertEqual((copy.name, copy.company_id), (team.name, team.company_id))
        # the pool rules are the Key Account managers' to set on the new team
        self.assertEqual((copy.ka_pool_followup_days, copy.ka_pool_max_owned), (0, 0))

    def test_a_user_administrator_duplicates_a_salesperson(self):
        plan = self.env.ref("key_account.key_account_commission_plan_full_time")
        self.ka_user.write(
            {"ka_commission_plan_id": plan.id, "ka_commission_status": "probation"}
        )
        self.env.invalidate_all()
        copy = self.ka_user.with_user(self.sales_admin).copy(
            {"login": "ka_user_copy", "name": "Sam Copy"}
        )
        self.assertTrue(copy.has_group("key_account.group_key_account_user"))
        # the plan and the status are a Key Account manager's decision
        self.assertFalse(copy.sudo().ka_commission_plan_id)
        self.assertEqual(copy.sudo().ka_commission_status, "regular")

    def test_no_column_of_ours_on_another_module_table_is_not_null(self):
        """A NOT NULL column on a core table breaks every create of that
        model by code that does not know the module: Odoo's own tests of
        ``sale`` or ``crm`` creating companies when updated with the module
        installed (they run before the module is loaded)."""
        columns = {
            (model._table, field.name)
            for model, field in _ours_on_other_models(self.env)
            if field.store and field.column_type
        }
        self.assertIn(("res_company", "ka_grade_basis"), columns)
        self.env.cr.execute(
            SQL(
                """SELECT table_name, column_name FROM information_schema.columns
                    WHERE table_schema = current_schema()
                      AND is_nullable = 'NO'
                      AND (table_name, column_name) IN %s""",
                tuple(columns),
            )
        )
        self.assertEqual(sorted(self.env.cr.fetchall()), [])
        required = [
            f"{model._name}.{field.name}"
            for model, field in _ours_on_other_models(self.env)
            if field.required and field.store
        ]
        self.assertEqual(required, [])

    def test_restricted_fields_of_ours_on_other_models_are_not_copied(self):
        """Whoever may duplicate a partner, a team or a user without being a
        Key Account user/manager would be refused on the fields of ours they
        cannot read."""
        copied = [
            f"{model._name}.{field.name}"
            for model, field in _ours_on_other_models(self.env)
            if field.groups and field.copy
        ]
        self.assertEqual(copied, [])
