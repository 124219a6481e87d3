from datetime import date

from odoo import Command
from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools import SQL
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval
from odoo.tools.sql import column_exists

from .common import HOSTILE_CONTEXT
from .common import KeyAccountCase
from .test_pool import POOL_FIELDS

# distinctive values: none of them may reach a reader who may not read them
FILE = {
    "ka_source": "referral",
    "ka_staff_count": 4321,
    "ka_annual_revenue": 9_876_543.0,
    "ka_main_business": "Cryogenic valves",
    "ka_decision_process": "The board signs above 700,000",
    "ka_need": "A second production line",
    "ka_expected_purchase_date": date(2031, 2, 3),
    "ka_budget_min": 123_457.0,
    "ka_budget_max": 654_321.0,
}
RELATION = {
    "ka_role": "decision_maker",
    "ka_influence": "high",
    "ka_relationship": "medium",
    "ka_competitor_relationship": "low",
    "ka_birthday": date(1971, 5, 4),
    "ka_hobbies": "Weiqi and oolong",
    "ka_notes": "Owes us a favour",
}
SALES = 777_777.0
SECRETS = {
    *FILE.values(),
    *RELATION.values(),
    SALES,
    fields.Date.to_string(FILE["ka_expected_purchase_date"]),
    fields.Date.to_string(RELATION["ka_birthday"]),
}
EMPTY_FILE = dict.fromkeys(FILE, False) | {
    "ka_staff_count": 0,
    "ka_annual_revenue": 0.0,
    "ka_budget_min": 0.0,
    "ka_budget_max": 0.0,
}
EMPTY_RELATION = dict.fromkeys(RELATION, False)


def flatten(value):
    """Every scalar in a structure of dicts, lists and tuples."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from flatten(key)
            yield from flatten(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from flatten(item)
    else:
        yield value


class ConfidentialCase(KeyAccountCase):
    """Two accounts of the company with a full file, a relationship map and
    sales: one owned by ``ka_user``, one in the pool; ``ka_user2`` is the
    colleague, ``manager2`` a Key Account manager of a second company only."""

    def _strangers(self):
        """(user, account) pairs where the user is neither owner nor manager:
        a colleague's account, and a pool account to two salespeople."""
        return [
            (self.ka_user2, self.mine),
            (self.ka_user2, self.pool),
            (self.ka_user, self.pool),
        ]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company2 = cls.env["res.company"].create({"name": "Second Co"})
        cls.manager2 = new_test_user(
            cls.env,
            login="ka_manager_second",
            name="Sue Second",
            groups="key_account.group_key_account_manager",
            company_id=cls.company2.id,
            company_ids=[cls.company2.id],
        )
        # exporting is a right of its own (Odoo's export button)
        (cls.ka_user | cls.ka_user2).groups_id |= cls.env.ref("base.group_allow_export")
        # and exporting files and maps another (test_personal_data): with
        # every right to export, a stranger still gets nothing
        (cls.ka_user | cls.ka_user2).groups_id |= cls.env.ref(
            "key_account.group_key_account_file_export"
        )
        cls.mine = cls._confidential_account("Mine Co", user_id=cls.ka_user.id)
        cls.pool = cls._confidential_account("Pool Co")
        cls.accounts = cls.mine | cls.pool
        cls.contacts = cls.accounts.child_ids
        cls.contact = cls.mine.child_ids

    @classmethod
    def _confidential_account(cls, name, **vals):
        account = cls._account(name, company_id=cls.company.id, **FILE, **vals)
        cls.env["res.partner"].create(
            {"name": f"Boss of {name}", "parent_id": account.id, **RELATION}
        )
        cls._order(account, SALES)
        return account

    def assertNoSecret(self, data):
        leaked = SECRETS & set(flatten(data))
        self.assertFalse(leaked, f"confidential values leaked: {leaked}")

    def _as(self, user, records=None):
        records = self.env["res.partner"] if records is None else records
        return records.with_user(user).with_context(**HOSTILE_CONTEXT)


@tagged("post_install", "-at_install")
class TestConfidentialRead(ConfidentialCase):
    def test_setup_has_secrets(self):
        # the fixtures: as superuser, everything is there
        self.assertRecordValues(self.accounts, [FILE, FILE])
        self.assertRecordValues(self.contacts, [RELATION, RELATION])
        self.assertEqual(self.mine.ka_sales_12m, SALES)
        files = self.env["key_account.file"].search(
            [("partner_id", "in", self.accounts.ids)]
        )
        self.assertEqual(files.partner_id, self.accounts)

    def test_owner_reads_the_file_of_their_account(self):
        account = self._as(self.ka_user, self.mine)
        self.assertEqual(account.read(list(FILE))[0], {"id": self.mine.id, **FILE})
        self.assertEqual(
            self._as(self.ka_user, self.contact).read(list(RELATION))[0],
            {"id": self.contact.id, **RELATION},
        )
        self.assertEqual(account.ka_owner_sales_12m, SALES)
        self.assertTrue(account.ka_file_access)
        # what the form reads
        values = account.web_read(
            {
                "ka_need": {},
                "ka_budget_max": {},
                "ka_contact_ids": {"fields": {"ka_hobbies": {}, "ka_role": {}}},
            }
        )[0]
        self.assertEqual(values["ka_need"], FILE["ka_need"])
        self.assertEqual(
            values["ka_contact_ids"][0]["ka_hobbies"], RELATION["ka_hobbies"]
        )

    def test_managers_read_every_file(self):
        for account in self.accounts:
            with self.subTest(account=account.name):
                managed = self._as(self.ka_manager, account)
                self.assertEqual(
                    managed.read(list(FILE))[0], {"id": account.id, **FILE}
                )
                self.assertEqual(
                    self._as(self.ka_manager, account.child_ids).read(list(RELATION))[
                        0
                    ]["ka_hobbies"],
                    RELATION["ka_hobbies"],
                )
                self.assertEqual(managed.ka_sales_12m, SALES)
                self.assertEqual(managed.ka_owner_sales_12m, SALES)

    def test_colleague_and_pool_read_nothing(self):
        """A colleague's account, and a pool account to all but managers:
        every way of reading gives the partner, not its file, map or sales."""
        for user, account in self._strangers():
            with self.subTest(user=user.login, account=account.name):
                self._assert_reads_nothing(user, account)

    def _assert_reads_nothing(self, user, account):
        partner = self._as(user, account)
        contact = self._as(user, account.child_ids)
        Partner = self._as(user)
        domain = [("id", "=", account.id)]
        # the partner itself stays readable, as in core
        self.assertEqual(partner.read(["name"])[0]["name"], account.name)
        self.assertEqual(partner.read(list(FILE))[0], {"id": account.id, **EMPTY_FILE})
        self.assertEqual(
            contact.read(list(RELATION))[0],
            {"id": account.child_ids.id, **EMPTY_RELATION},
        )
        self.assertNoSecret(Partner.search_read(domain, [*FILE, "ka_owner_sales_12m"]))
        self.assertNoSecret(
            Partner.search_read(
                [("id", "=", account.child_ids.id)], [*RELATION, "parent_id"]
            )
        )
        spec = {
            **{fname: {} for fname in FILE},
            "ka_owner_sales_12m": {},
            "ka_file_completeness": {},
            "ka_contact_ids": {"fields": {fname: {} for fname in RELATION}},
            "child_ids": {"fields": {fname: {} for fname in RELATION}},
        }
        self.assertNoSecret(partner.web_read(spec))
        self.assertNoSecret(Partner.web_search_read(domain, spec))
        self.assertNoSecret(
            Partner.browse(account.ids).export_data(
                [*FILE, "ka_owner_sales_12m", "child_ids/ka_hobbies"]
            )
        )
        self.assertNoSecret(
            Partner.browse(account.child_ids.ids).export_data(list(RELATION))
        )
        self.assertEqual(partner.ka_owner_sales_12m, 0)
        self.assertFalse(partner.ka_file_access)
        # the stored 12-month sales are for managers
        for reading in (
            lambda: partner.read(["ka_sales_12m"]),
            lambda: Partner.search_read(domain, ["ka_sales_12m"]),
            lambda: partner.web_read({"ka_sales_12m": {}}),
            lambda: Partner.browse(account.ids).export_data(["ka_sales_12m"]),
            lambda: Partner.search([*domain, ("ka_sales_12m", ">", 1)]),
            lambda: Partner.search(domain, order="ka_sales_12m desc"),
            lambda: Partner.read_group(domain, ["ka_sales_12m:sum"], ["user_id"]),
            lambda: Partner.read_group(domain, ["name"], ["ka_sales_12m"]),
        ):
            with self.assertRaises(AccessError):
                reading()
        # nor the file's and map's own records
        self.assertFalse(
            self._as(user, self.env["key_account.file"]).search(
                [("partner_id", "=", account.id)]
            )
        )
        self.assertFalse(
            self._as(user, self.env["key_account.relation"]).search(
                [("account_id", "=", account.id)]
            )
        )
        self.assertFalse(Partner.search([*domain, ("ka_file_ids.need", "!=", False)]))
        self.assertFalse(
            Partner.search(
                [
                    ("id", "=", account.child_ids.id),
                    ("ka_relation_ids.hobbies", "!=", False),
                ]
            )
        )

    def test_confidential_fields_cannot_be_searched_grouped_or_summed(self):
        """Not stored: a search ignores them (an error in the log), whatever
        the value, so it tells nothing; grouping and sums are refused."""
        for user in (self.ka_user2, self.ka_manager):
            Partner = self._as(user)
            domain = [("id", "in", self.accounts.ids)]
            with self.subTest(user=user.login), mute_logger("odoo.osv.expression"):
                above = Partner.search([*domain, ("ka_budget_max", ">", 600_000)])
                below = Partner.search([*domain, ("ka_budget_max", "<", 600_000)])
                self.assertEqual(above, below)
                hobby = Partner.search(
                    [
                        ("id", "in", self.contacts.ids),
                        ("ka_hobbies", "=", "nothing like it"),
                    ]
                )
                self.assertEqual(hobby, self.contacts)
            for groupby, aggregate in (
                (["ka_need"], ["name"]),
                (["user_id"], ["ka_budget_max:sum"]),
                (["user_id"], ["ka_owner_sales_12m:sum"]),
            ):
                with self.subTest(groupby=groupby, aggregate=aggregate):
                    with self.assertRaises(ValueError):
                        Partner.read_group(domain, aggregate, groupby)
            # named without an aggregate, they are left out of the groups
            groups = Partner.read_group(domain, list(FILE), ["user_id"])
            self.assertNoSecret(groups)

    def test_second_company_manager_reads_no_first_company_file(self):
        File = self._as(self.manager2, self.env["key_account.file"])
        Relation = self._as(self.manager2, self.env["key_account.relation"])
        self.assertFalse(File.search([("partner_id", "in", self.accounts.ids)]))
        self.assertFalse(Relation.search([("account_id", "in", self.accounts.ids)]))
        with self.assertRaises(AccessError):
            self.mine.ka_file_ids.with_user(self.manager2).read(["need"])
        # nor through the partner (which core hides from them too)
        with self.assertRaises(AccessError):
            self._as(self.manager2, self.mine).read(["ka_need"])
        # a file of their company: theirs to read
        theirs = self._account(
            "Their Co", company_id=self.company2.id, ka_need="Theirs to know"
        )
        self.assertEqual(
            self._as(self.manager2, theirs).with_company(self.company2).ka_need,
            "Theirs to know",
        )
        # and a manager of both companies reads both
        self.manager2.company_ids |= self.company
        File = self._as(self.manager2, self.env["key_account.file"])
        self.assertEqual(
            File.with_context(allowed_company_ids=[self.company.id, self.company2.id])
            .search([("partner_id", "in", (self.mine | theirs).ids)])
            .partner_id,
            self.mine | theirs,
        )

    def test_outsiders_read_no_field(self):
        # not a Key Accounts user: the fields do not exist for them
        partner = self._as(self.outsider, self.mine)
        self.assertEqual(partner.read(["name"])[0]["name"], "Mine Co")
        for fname in [*FILE, "ka_sales_12m", "ka_owner_sales_12m"]:
            with self.subTest(field=fname), self.assertRaises(AccessError):
                partner.read([fname])
        with self.assertRaises(AccessError):
            self._as(self.outsider, self.env["key_account.file"]).search([])

    def test_ownership_decides_at_once(self):
        """Claimed, the pool account's file is the claimer's; released, it is
        nobody's but the managers'; in the same transaction."""
        pool = self._as(self.ka_user2, self.pool)
        self.assertFalse(pool.ka_need)
        self.assertFalse(pool.child_ids.ka_hobbies)
        pool.action_ka_claim()
        self.assertEqual(pool.ka_need, FILE["ka_need"])
        self.assertEqual(pool.child_ids.ka_hobbies, RELATION["ka_hobbies"])
        self.assertEqual(pool.ka_owner_sales_12m, SALES)
        self.assertTrue(pool.ka_file_access)
        pool.action_ka_release("Not for us")
        self.assertFalse(pool.ka_need)
        self.assertFalse(pool.child_ids.ka_hobbies)
        self.assertEqual(pool.ka_owner_sales_12m, 0)

    def test_grade_history_of_own_accounts(self):
        """The grade history keeps the 12-month sales of each change."""
        (self.mine | self.pool)._ka_regrade()
        History = self.env["key_account.grade.history"]
        rows = History.search([("partner_id", "in", self.accounts.ids)])
        self.assertEqual(rows.partner_id, self.accounts)
        self.assertEqual(set(rows.mapped("sales_12m")), {SALES})
        for user, visible in (
            (self.ka_user, self.mine),
            (self.ka_user2, self.env["res.partner"]),
            (self.ka_manager, self.accounts),
        ):
            with self.subTest(user=user.login):
                found = self._as(user, History).search(
                    [("partner_id", "in", self.accounts.ids)]
                )
                self.assertEqual(found.partner_id, visible)
                self.assertEqual(
                    self._as(user, self.mine).ka_grade_history_count,
                    1 if self.mine in visible else 0,
                )
        with self.assertRaises(AccessError):
            rows.filtered(lambda r: r.partner_id == self.mine).with_user(
                self.ka_user2
            ).read(["sales_12m"])
        # the chatter, read by everybody who reads the partner, has no figure
        notes = self.mine.message_ids.filtered(lambda m: "Re-graded" in (m.body or ""))
        self.assertTrue(notes)
        self.assertNoSecret([note.body for note in notes])
        self.assertNotIn("777", str(notes.mapped("body")))


@tagged("post_install", "-at_install")
class TestConfidentialWrite(ConfidentialCase):
    def _file(self, account):
        return self.env["key_account.file"].search([("partner_id", "=", account.id)])

    def test_non_owner_writes_are_refused(self):
        for user, account in self._strangers():
            with self.subTest(user=user.login, account=account.name):
                partner = self._as(user, account)
                for vals in (
                    {"ka_need": "Hijacked"},
                    {"ka_budget_max": 1.0, "ka_source": "other"},
                    {"ka_need": False},  # writing what they see: refused too
                ):
                    with self.assertRaises(AccessError), self.cr.savepoint():
                        partner.write(vals)
                with self.assertRaises(AccessError), self.cr.savepoint():
                    self._as(user, account.child_ids).write({"ka_hobbies": "Golf"})
                with self.assertRaises(AccessError), self.cr.savepoint():
                    self._as(user, self._file(account)).write({"need": "Hijacked"})
                with self.assertRaises(AccessError), self.cr.savepoint():
                    self._as(user, self._file(account)).unlink()
                self.env.invalidate_all()
                self.assertRecordValues(
                    self._file(account), [{"need": FILE["ka_need"]}]
                )
                self.assertRecordValues(account, [FILE])
                self.assertRecordValues(account.child_ids, [RELATION])

    def test_non_owner_creates_no_file(self):
        """An account without a file yet: a colleague's first write creates
        none, whether through the partner or the file model."""
        theirs = self._account("Theirs", user_id=self.ka_user.id)
        self.assertFalse(self._file(theirs))
        with self.assertRaises(AccessError), self.cr.savepoint():
            self._as(self.ka_user2, theirs).write({"ka_need": "Mine now"})
        with self.assertRaises(AccessError), self.cr.savepoint():
            self._as(self.ka_user2, self.env["key_account.file"]).create(
                {"partner_id": theirs.id, "need": "Mine now"}
            )
        contact = self.env["res.partner"].create(
            {"name": "New contact", "parent_id": theirs.id}
        )
        with self.assertRaises(AccessError), self.cr.savepoint():
            self._as(self.ka_user2, contact).write({"ka_role": "buyer"})
        with self.assertRaises(AccessError), self.cr.savepoint():
            self._as(self.ka_user2).create(
                {"name": "Spy", "parent_id": theirs.id, "ka_role": "buyer"}
            )
        self.assertFalse(self._file(theirs))
        self.assertFalse(
            self.env["key_account.relation"].search([("account_id", "=", theirs.id)])
        )
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Spy")]))

    def test_files_stay_with_their_account(self):
        """An owner may write their file, not move it (nor a map entry) onto
        a colleague's account, nor give it another owner: the rules read
        the owner."""
        theirs = self._account("Theirs", user_id=self.ka_user2.id)
        their_contact = self.env["res.partner"].create(
            {"name": "Their contact", "parent_id": theirs.id}
        )
        file = self._as(self.ka_user, self._file(self.mine))
        entry = self._as(self.ka_user, self.contact.ka_relation_ids)
        for records, vals in (
            (file, {"partner_id": theirs.id}),
            (file, {"user_id": self.ka_user2.id}),
            (file, {"company_id": False}),
            (entry, {"contact_id": their_contact.id}),
            (entry, {"account_id": theirs.id}),
            (entry, {"user_id": self.ka_user2.id}),
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                with self.cr.savepoint():
                    records.write(vals)
        # nor through the partner's one2many
        with self.assertRaises(AccessError), self.cr.savepoint():
            self._as(self.ka_user, theirs).write(
                {"ka_file_ids": [Command.link(file.id)]}
            )
        # nor created with another owner
        fresh = self._account("Fresh", user_id=self.ka_user.id)
        with self.assertRaises(AccessError), self.cr.savepoint():
            self._as(self.ka_user, self.env["key_account.file"]).create(
                {"partner_id": fresh.id, "user_id": self.ka_user2.id}
            )
        self.env.invalidate_all()
        self.assertRecordValues(
            self._file(self.mine),
            [{"partner_id": self.mine.id, "user_id": self.ka_user.id}],
        )
        self.assertFalse(self._file(theirs) | self._file(fresh))
        self.assertRecordValues(
            self.contact.ka_relation_ids,
            [{"contact_id": self.contact.id, "user_id": self.ka_user.id}],
        )
        # created by its owner with the account only: theirs
        created = self._as(self.ka_user, self.env["key_account.file"]).create(
            {"partner_id": fresh.id, "need": "Pumps"}
        )
        self.assertEqual(created.user_id, self.ka_user)

    def test_owner_writes_one_field_and_keeps_the_others(self):
        partner = self._as(self.ka_user, self.mine)
        partner.write({"ka_need": "A third line"})
        self._as(self.ka_user, self.contact).write({"ka_hobbies": "Golf"})
        self.env.invalidate_all()
        self.assertRecordValues(self.mine, [{**FILE, "ka_need": "A third line"}])
        self.assertRecordValues(self.contact, [{**RELATION, "ka_hobbies": "Golf"}])
        self.assertEqual(len(self._file(self.mine)), 1)
        # the form, as the owner fills it
        with Form(self.mine.with_user(self.ka_user)) as form:
            form.ka_budget_max = 700_000
            form.ka_main_business = "Pumps"
        self.env.invalidate_all()
        self.assertRecordValues(
            self.mine,
            [
                {
                    **FILE,
                    "ka_need": "A third line",
                    "ka_budget_max": 700_000,
                    "ka_main_business": "Pumps",
                }
            ],
        )

    def test_owner_creates_the_file_on_first_write(self):
        account = self._account("Fresh Co", user_id=self.ka_user.id)
        self.assertFalse(self._file(account))
        self._as(self.ka_user, account).write({"ka_need": "Cables"})
        self.assertRecordValues(
            self._file(account),
            # a shared account's file is of the company its processes run in
            [
                {
                    "need": "Cables",
                    "user_id": self.ka_user.id,
                    "company_id": self.env.company.id,
                }
            ],
        )
        contact = self._as(self.ka_user).create(
            {"name": "New buyer", "parent_id": account.id, "ka_role": "buyer"}
        )
        self.assertRecordValues(
            contact.ka_relation_ids,
            [{"role": "buyer", "account_id": account.id, "user_id": self.ka_user.id}],
        )
        # and the manager writes any account's file
        self._as(self.ka_manager, self.pool).write({"ka_need": "Revisited"})
        self.assertEqual(self._file(self.pool).need, "Revisited")

    def test_new_key_account_filled_by_its_creator(self):
        """From the Key Accounts menu, a salesperson's new account is theirs:
        they fill its file in the creation form."""
        action = self.env.ref("key_account.res_partner_action_key_account")
        context = safe_eval(action.context, {"uid": self.ka_user.id})
        Partner = self.env["res.partner"].with_user(self.ka_user)
        with Form(Partner.with_context(**context)) as form:
            form.name = "Brand New Co"
            form.ka_type_id = self.type_potential
            form.ka_need = "Spare parts"
            form.ka_budget_max = 50_000
        partner = form.record
        self.assertEqual(partner.user_id, self.ka_user)
        self.assertRecordValues(
            self._file(partner), [{"need": "Spare parts", "budget_max": 50_000}]
        )
        self.assertFalse(self._as(self.ka_user2, partner).ka_need)

    def test_bad_amounts_refused(self):
        with self.assertRaises(ValidationError) as caught, self.cr.savepoint():
            self._as(self.ka_user, self.mine).write({"ka_budget_min": 999_999})
        self.assertIn("budget range", str(caught.exception))
        self.env.invalidate_all()
        self.assertEqual(self.mine.ka_budget_min, FILE["ka_budget_min"])


@tagged("post_install", "-at_install")
class TestConfidentialViews(ConfidentialCase):
    POOL_FIELDS = POOL_FIELDS

    def test_pool_views_give_the_pool_fields_only(self):
        Partner = self._as(self.ka_user)
        for xmlid, view_type in (
            ("key_account.res_partner_view_kanban_pool", "kanban"),
            ("key_account.res_partner_view_list_pool", "list"),
            ("key_account.res_partner_view_form_pool", "form"),
        ):
            with self.subTest(view=xmlid):
                view = Partner.get_views([(self.env.ref(xmlid).id, view_type)])
                loaded = set(view["models"]["res.partner"]["fields"])
                self.assertLessEqual(
                    loaded - {"id", "display_name", "write_date"}, self.POOL_FIELDS
                )
                records = Partner.web_search_read(
                    [("id", "=", self.pool.id)],
                    {fname: {} for fname in loaded},
                )["records"]
                self.assertEqual(records[0]["name"], "Pool Co")
                self.assertNoSecret(records)
        # the confidential fields asked for anyway: empty
        self.assertEqual(
            Partner.search_read([("id", "=", self.pool.id)], list(FILE))[0],
            {"id": self.pool.id, **EMPTY_FILE},
        )

    def _view(self, user, xmlid, view_type):
        return (
            self.env["res.partner"]
            .with_user(user)
            .get_views([(self.env.ref(xmlid).id, view_type)])["views"][view_type][
                "arch"
            ]
        )

    def test_salespeople_see_their_sales_managers_all(self):
        views = [
            ("key_account.res_partner_view_kanban_key_account", "kanban"),
            ("key_account.res_partner_view_list_key_account", "list"),
            ("key_account.res_partner_view_list_engagement_cost", "list"),
            ("base.view_partner_form", "form"),
        ]
        for xmlid, view_type in views:
            with self.subTest(view=xmlid):
                arch = self._view(self.ka_user, xmlid, view_type)
                self.assertNotIn('"ka_sales_12m"', arch)
                self.assertIn('name="ka_owner_sales_12m"', arch)
                arch = self._view(self.ka_manager, xmlid, view_type)
                self.assertIn('name="ka_sales_12m"', arch)
                self.assertNotIn("ka_owner_sales_12m", arch)
        for xmlid, view_type in (
            ("key_account.res_partner_view_pivot_key_account", "pivot"),
            ("key_account.res_partner_view_graph_key_account", "graph"),
        ):
            with self.subTest(view=xmlid):
                arch = self._view(self.ka_user, xmlid, view_type)
                self.assertNotIn('"ka_sales_12m"', arch)
                arch = self._view(self.ka_manager, xmlid, view_type)
                self.assertIn('"ka_sales_12m"', arch)

    def test_form_shows_the_file_to_who_reads_it(self):
        arch = self._view(self.ka_user2, "base.view_partner_form", "form")
        self.assertIn('name="ka_file_access"', arch)
        self.assertIn('readonly="not ka_file_access"', arch)
        for user, account, access in (
            (self.ka_user, self.mine, True),
            (self.ka_user2, self.mine, False),
            (self.ka_user, self.pool, False),
            (self.ka_manager, self.pool, True),
        ):
            with self.subTest(user=user.login, account=account.name):
                self.assertEqual(self._as(user, account).ka_file_access, access)
                self.assertEqual(
                    self._as(user, account.child_ids).ka_file_access, access
                )


@tagged("post_install", "-at_install")
class TestConfidentialCompleteness(ConfidentialCase):
    def test_follows_the_file_and_the_map(self):
        checks = self.env["key_account.file.check"].search([])
        checks.filtered(
            lambda c: c.criterion not in ("main_business", "buyer")
        ).active = False
        account = self._account("Growing Co", user_id=self.ka_user.id)
        self.assertEqual(account.ka_file_completeness, 0)
        # written by its owner, through the partner
        self._as(self.ka_user, account).write({"ka_main_business": "Pumps"})
        self.assertEqual(account.ka_file_completeness, 50)
        contact = self._as(self.ka_user).create(
            {"name": "Buyer", "parent_id": account.id, "ka_role": "user"}
        )
        self.assertEqual(account.ka_file_completeness, 50)
        self._as(self.ka_user, contact).write({"ka_role": "buyer"})
        self.assertEqual(account.ka_file_completeness, 100)
        # written on the file and the map themselves
        self._as(self.ka_user, account.ka_file_ids).write({"main_business": False})
        self.assertEqual(account.ka_file_completeness, 50)
        self._as(self.ka_user, contact.ka_relation_ids).write({"role": "other"})
        self.assertEqual(account.ka_file_completeness, 0)
        self._as(self.ka_manager, contact.ka_relation_ids).write({"role": "buyer"})
        self.assertEqual(account.ka_file_completeness, 50)
        # the rate is not confidential: a colleague reads it
        self.assertEqual(self._as(self.ka_user2, account).ka_file_completeness, 50)
        self.env["res.partner"].browse(contact.id).unlink()
        self.assertEqual(account.ka_file_completeness, 0)


@tagged("post_install", "-at_install")
class TestConfidentialQueries(KeyAccountCase):
    """Lists and kanbans of many accounts: one query for the files (and one
    for the maps) of the whole batch, never one per account."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accounts = cls.env["res.partner"].create(
            [
                {
                    "name": f"Account {i:03d}",
                    "is_company": True,
                    "ka_type_id": cls.type_strategic.id,
                    "user_id": (cls.ka_user if i % 2 else cls.ka_user2).id,
                    **FILE,
                    "child_ids": [
                        Command.create({"name": f"Contact {i:03d}", **RELATION})
                    ],
                }
                for i in range(100)
            ]
        )

    def _read(self, accounts, spec):
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        self.partners.web_search_read([("id", "in", accounts.ids)], spec)
        return self.cr.sql_log_count - before

    def test_query_count_does_not_grow(self):
        spec = {
            "name": {},
            **{fname: {} for fname in FILE},
            "ka_owner_sales_12m": {},
            "ka_file_access": {},
            "ka_file_completeness": {},
            "child_ids": {"fields": {fname: {} for fname in RELATION}},
        }
        self.partners = self.env["res.partner"].with_user(self.ka_user)
        # Odoo rounds monetary values in a superuser environment of its own
        # (fields.Monetary.convert_to_cache), whose company costs a query
        # whenever the garbage collector has dropped it between two reads:
        # keep it
        self.monetary_env = self.partners.sudo().with_context(prefetch_fields=False).env
        self._read(self.accounts[90:], spec)  # warm up caches (rules, fields)
        few = self._read(self.accounts[:6], spec)
        self.assertEqual(self._read(self.accounts[:80], spec), few)


@tagged("post_install", "-at_install")
class TestConfidentialMigration(KeyAccountCase):
    """From 18.0.1: the file and the map were columns of res_partner, left in
    the table when the fields stopped being stored."""

    COLUMNS = {
        "ka_source": "varchar",
        "ka_staff_count": "int4",
        "ka_annual_revenue": "numeric",
        "ka_main_business": "text",
        "ka_decision_process": "text",
        "ka_need": "text",
        "ka_expected_purchase_date": "date",
        "ka_budget_min": "numeric",
        "ka_budget_max": "numeric",
        "ka_role": "varchar",
        "ka_influence": "varchar",
        "ka_relationship": "varchar",
        "ka_competitor_relationship": "varchar",
        "ka_birthday": "date",
        "ka_hobbies": "varchar",
        "ka_notes": "text",
    }

    def _legacy(self, partner, values):
        self.env.flush_all()
        self.cr.execute(
            SQL(
                "UPDATE res_partner SET %s WHERE id = %s",
                SQL(", ").join(
                    SQL("%s = %s", SQL.identifier(column), value)
                    for column, value in values.items()
                ),
                partner.id,
            )
        )

    def test_legacy_columns_move_to_files_and_maps(self):
        owned = self._account("Owned Legacy", user_id=self.ka_user.id)
        pooled = self._account("Pooled Legacy")
        contact = self.env["res.partner"].create(
            {"name": "Legacy Boss", "parent_id": owned.id}
        )
        untouched = self._account("Never Filled")
        # written since the update began: kept, completed from the columns
        pooled.ka_need = "Written during the update"
        self.env.flush_all()
        # the columns of 18.0.1, rolled back with the test
        self.cr.execute(
            SQL(
                "ALTER TABLE res_partner %s",
                SQL(", ").join(
                    SQL("ADD COLUMN %s %s", SQL.identifier(column), SQL(sqltype))
                    for column, sqltype in self.COLUMNS.items()
                ),
            )
        )
        self._legacy(owned, {**FILE, "ka_staff_count": 12})
        self._legacy(pooled, {"ka_need": "Old need", "ka_budget_max": 5000})
        self._legacy(contact, RELATION)
        self._legacy(untouched, {"ka_staff_count": 0, "ka_need": ""})
        self.assertEqual(self.env["key_account.file"]._ka_migrate_partner_columns(), 2)
        self.assertEqual(
            self.env["key_account.relation"]._ka_migrate_partner_columns(), 1
        )
        for column in self.COLUMNS:
            self.assertFalse(column_exists(self.cr, "res_partner", column), column)
        File = self.env["key_account.file"]
        self.assertRecordValues(
            File.search([("partner_id", "=", pooled.id)]),
            [
                {
                    "need": "Written during the update",
                    "budget_max": 5000,
                    "user_id": False,
                }
            ],
        )
        self.assertRecordValues(
            File.search([("partner_id", "=", owned.id)]),
            [
                {
                    "source": FILE["ka_source"],
                    "staff_count": 12,
                    "need": FILE["ka_need"],
                    "budget_min": FILE["ka_budget_min"],
                    "expected_purchase_date": FILE["ka_expected_purchase_date"],
                    "user_id": self.ka_user.id,
                }
            ],
        )
        self.assertFalse(File.search([("partner_id", "=", untouched.id)]))
        self.assertRecordValues(
            contact.ka_relation_ids,
            [
                {
                    "role": "decision_maker",
                    "hobbies": RELATION["ka_hobbies"],
                    "birthday": RELATION["ka_birthday"],
                    "account_id": owned.id,
                    "user_id": self.ka_user.id,
                }
            ],
        )
        # through the partner, with the rules
        self.assertEqual(owned.with_user(self.ka_user).ka_need, FILE["ka_need"])
        self.assertFalse(owned.with_user(self.ka_user2).ka_need)
        self.assertEqual(contact.with_user(self.ka_user).ka_hobbies, "Weiqi and oolong")
        self.assertGreater(owned.ka_file_completeness, 0)
        # run again (nothing left): nothing happens
        self.assertEqual(self.env["key_account.file"]._ka_migrate_partner_columns(), 0)
