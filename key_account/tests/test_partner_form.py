from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import new_test_user
from odoo.tests import tagged

from .test_account_plan import AccountCase


def form_spec(partners):
    """The web_read specification the web client builds from the partner
    form ``partners``' user gets: the fields of the arch, many2ones with
    their display name, x2manys with the fields of their list or kanban."""
    views = partners.get_views([(False, "form")])
    models = views["models"]

    def field_nodes(node):
        # the fields of ``node``, not those of the views nested in them
        for child in node:
            if child.tag == "field":
                yield child
            elif isinstance(child.tag, str):
                yield from field_nodes(child)

    def spec(node, model):
        fields = models[model]["fields"]
        result = {}
        for child in field_nodes(node):
            name = child.get("name")
            if name not in fields:
                continue
            field = fields[name]
            if field["type"] in ("one2many", "many2many"):
                sub = next((c for c in child if c.tag in ("list", "kanban")), None)
                result[name] = (
                    {"fields": spec(sub, field["relation"]), "limit": 40}
                    if sub is not None
                    else {"fields": {"display_name": {}}}
                )
            elif field["type"] == "many2one":
                result[name] = {"fields": {"display_name": {}}}
            else:
                result[name] = {}
        return result

    return spec(etree.fromstring(views["views"]["form"]["arch"]), "res.partner")


@tagged("post_install", "-at_install")
class TestPartnerForm(AccountCase):
    """The key account's form: what opening it costs does not grow with the
    account's documents, and its stat buttons open what they count."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = cls.ka_user2
        cls.busy = cls.account  # owned by ka_user, with a buyer and a boss
        # as the busy one: graded, a contact on the relationship map
        cls.quiet = cls._account(
            "Quiet Co", user_id=cls.ka_user.id, ka_grade_id=cls.grade_b.id
        )
        cls.env["res.partner"].create(
            {"name": "Quinn Quiet", "parent_id": cls.quiet.id, "ka_role": "buyer"}
        )
        cls.Member = cls.env["key_account.team.member"]

    @classmethod
    def _documents(cls, account, n):
        """``n`` of each document the form counts on ``account``."""
        contact = account.child_ids[:1] or cls.env["res.partner"].create(
            {"name": f"Contact of {account.name}", "parent_id": account.id}
        )
        for i in range(n):
            cls._order(account, 100 + i)
        cls.env["key_account.visit"].create(
            [
                {"partner_id": account.id, "user_id": cls.ka_user.id, "purpose": "Go"}
                for _i in range(n)
            ]
        )
        cls.env["key_account.reception"].create(
            [{"partner_id": account.id, "user_id": cls.ka_user.id} for _i in range(n)]
        )
        cls.env["key_account.gift"].create(
            [
                {
                    "partner_id": account.id,
                    "user_id": cls.ka_user.id,
                    "recipient_id": contact.id,
                    "occasion": f"Occasion {i}",
                }
                for i in range(n)
            ]
        )
        cls.env["key_account.plan"].create(
            [
                {
                    "partner_id": account.id,
                    "user_id": cls.ka_user.id,
                    "date_from": date(2025 - i, 1, 1),
                }
                for i in range(n)
            ]
        )
        cls.env["key_account.review"].create(
            [
                {
                    "partner_id": account.id,
                    "user_id": cls.ka_user.id,
                    "date_from": date(2024 - i // 4, 1 + 3 * (i % 4), 1),
                }
                for i in range(n)
            ]
        )
        cls.env["key_account.grade.history"].create(
            [
                {
                    "partner_id": account.id,
                    "old_grade_id": cls.grade_c.id,
                    "new_grade_id": cls.grade_b.id,
                }
                for _i in range(n)
            ]
        )

    def _queries(self, account, user, spec):
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        account.with_user(user).web_read(spec)
        return self.cr.sql_log_count - before

    def test_opening_the_form_costs_the_same_queries_whatever_the_documents(self):
        self._documents(self.quiet, 1)
        self._documents(self.busy, 12)
        self.Member.create({"partner_id": self.busy.id, "user_id": self.member.id})
        self.Member.create({"partner_id": self.quiet.id, "user_id": self.member.id})
        self.env.flush_all()
        for user in (self.ka_user, self.ka_manager, self.member):
            with self.subTest(user=user.login):
                spec = form_spec(self.env["res.partner"].with_user(user))
                self.assertIn("ka_visit_count", spec)
                self.assertNotIn("ka_team_member_ids", spec)
                # the relationship map is a stat button, not a list of contacts
                self.assertIn("ka_relation_count", spec)
                self.assertNotIn("ka_contact_ids", spec)
                self._queries(self.quiet, user, spec)  # warm the caches
                quiet = self._queries(self.quiet, user, spec)
                self.assertEqual(self._queries(self.busy, user, spec), quiet)
                figures = self.busy.with_user(user)
                self.assertEqual(
                    (figures.ka_visit_count, figures.ka_plan_count), (12, 12)
                )

    def test_stat_buttons_open_what_they_count(self):
        self._documents(self.busy, 2)
        self.Member.create({"partner_id": self.busy.id, "user_id": self.member.id})
        buyer = self.buyer
        buttons = {
            "action_ka_visits": ("key_account.visit", "ka_visit_count"),
            "action_ka_receptions": ("key_account.reception", "ka_reception_count"),
            "action_ka_gifts": ("key_account.gift", "ka_gift_count"),
            "action_ka_plans": ("key_account.plan", "ka_plan_count"),
            "action_ka_reviews": ("key_account.review", "ka_review_count"),
            "action_ka_team": ("key_account.team.member", "ka_team_count"),
            "action_ka_grade_history": (
                "key_account.grade.history",
                "ka_grade_history_count",
            ),
        }
        # an outsider salesperson reads no team, no plan of the account
        outsider = new_test_user(
            self.env,
            login="ka_form_other",
            name="Otto Other",
            groups="key_account.group_key_account_user",
        )
        expected = {
            self.ka_user: {"ka_visit_count": 2, "ka_team_count": 1, "ka_plan_count": 2},
            self.ka_manager: {
                "ka_visit_count": 2,
                "ka_team_count": 1,
                "ka_plan_count": 2,
            },
            outsider: {"ka_team_count": 0, "ka_plan_count": 0, "ka_review_count": 0},
        }
        for user, counts in expected.items():
            account = self.busy.with_user(user)
            for method, (model, count_field) in buttons.items():
                with self.subTest(user=user.login, button=method):
                    action = getattr(account, method)()
                    self.assertEqual(action["res_model"], model)
                    self.assertIn(("partner_id", "=", self.busy.id), action["domain"])
                    records = self.env[model].with_user(user).search(action["domain"])
                    self.assertTrue(records.partner_id <= self.busy)
                    self.assertEqual(account[count_field], len(records))
                    if count_field in counts:
                        self.assertEqual(account[count_field], counts[count_field])
                    context = action.get("context") or {}
                    if isinstance(context, dict) and "default_partner_id" in context:
                        self.assertEqual(context["default_partner_id"], self.busy.id)
            with self.subTest(user=user.login, button="action_ka_gifts_received"):
                contact = buyer.with_user(user)
                action = contact.action_ka_gifts_received()
                self.assertEqual(action["domain"], [("recipient_id", "=", buyer.id)])
                self.assertEqual(action["context"]["default_recipient_id"], buyer.id)
                records = (
                    self.env["key_account.gift"]
                    .with_user(user)
                    .search(action["domain"])
                )
                self.assertEqual(contact.ka_gift_received_count, len(records))
        # the team button opens the team for the owner to edit
        action = self.busy.with_user(self.ka_user).action_ka_team()
        self.assertEqual(action["context"], {"default_partner_id": self.busy.id})
        member = (
            self.env["key_account.team.member"]
            .with_user(self.ka_user)
            .with_context(**action["context"])
            .create({"user_id": outsider.id})
        )
        self.assertEqual(member.partner_id, self.busy)
        self.busy.invalidate_recordset()
        self.assertEqual(self.busy.with_user(self.ka_user).ka_team_count, 2)

    def test_the_relationship_map_button_opens_the_accounts_entries(self):
        """The button counts the entries of the account's map its user reads
        and opens them: the owner and the managers edit them and add one for
        a contact of the account, a member of the team only reads them, an
        outsider counts none."""
        self.Member.create({"partner_id": self.busy.id, "user_id": self.member.id})
        outsider = new_test_user(
            self.env,
            login="ka_map_outsider",
            groups="key_account.group_key_account_user",
        )
        Relation = self.env["key_account.relation"]
        editable = self.env.ref("key_account.key_account_relation_view_list")
        readonly = self.env.ref("key_account.key_account_relation_view_list_readonly")
        expected = {
            self.ka_user: (2, editable),
            self.ka_manager: (2, editable),
            self.member: (2, readonly),
            outsider: (0, readonly),
        }
        for user, (count, view) in expected.items():
            # from the account, and from one of its contacts
            for partner in (self.busy, self.buyer):
                with self.subTest(user=user.login, partner=partner.name):
                    partner = partner.with_user(user)
                    action = partner.action_ka_relation_map()
                    self.assertEqual(action["res_model"], "key_account.relation")
                    self.assertEqual(action["views"], [(view.id, "list")])
                    entries = Relation.with_user(user).search(action["domain"])
                    self.assertEqual(partner.ka_relation_count, count)
                    self.assertEqual(len(entries), count)
                    mapped = self.buyer | self.boss if count else self.buyer[:0]
                    self.assertEqual(entries.contact_id, mapped)
        # the member's list is read-only as its rules are
        entry = Relation.with_user(self.member).search(
            [("contact_id", "=", self.buyer.id)]
        )
        with self.assertRaises(AccessError):
            entry.write({"hobbies": "Golf"})
        # the owner edits it, and maps a new contact of the account
        action = self.busy.with_user(self.ka_user).action_ka_relation_map()
        Mapped = Relation.with_user(self.ka_user).with_context(**action["context"])
        Mapped.browse(entry.id).write({"hobbies": "Golf"})
        self.assertEqual(self.buyer.with_user(self.ka_user).ka_hobbies, "Golf")
        contact_id, _name = (
            self.env["res.partner"]
            .with_user(self.ka_user)
            .with_context(**action["context"])
            .name_create("Nina New")
        )
        contact = self.env["res.partner"].browse(contact_id)
        self.assertEqual(contact.parent_id, self.busy)
        new = Mapped.create({"contact_id": contact.id, "role": "influencer"})
        self.assertEqual((new.account_id, new.user_id), (self.busy, self.ka_user))
        self.busy.invalidate_recordset()
        self.assertEqual(self.busy.with_user(self.ka_user).ka_relation_count, 3)

    def test_team_follows_the_owner(self):
        """The owner reads the account's team through ``owner_id``, kept with
        the account's owner: a new owner reads it, the former one no more."""
        outsider = new_test_user(
            self.env,
            login="ka_team_outsider",
            groups="key_account.group_key_account_user",
        )
        self.Member.create({"partner_id": self.quiet.id, "user_id": self.member.id})
        Member = self.env["key_account.team.member"]
        domain = [("partner_id", "=", self.quiet.id)]
        self.assertEqual(Member.with_user(self.ka_user).search_count(domain), 1)
        self.assertEqual(Member.with_user(outsider).search_count(domain), 0)
        self.quiet.user_id = outsider
        self.assertEqual(Member.search(domain).owner_id, outsider)
        self.assertEqual(Member.with_user(outsider).search_count(domain), 1)
        self.assertEqual(Member.with_user(self.ka_user).search_count(domain), 0)
        quiet = self.quiet.with_user(outsider)
        self.assertEqual(quiet.ka_team_count, 1)
        self.assertFalse(quiet.ka_team_reader)
        self.assertTrue(self.quiet.with_user(self.member).ka_team_reader)
        self.assertEqual(self.quiet.with_user(self.ka_user).ka_team_count, 0)

    @freeze_time("2026-06-15")
    def test_the_plan_progress_is_read_when_its_tab_opens(self):
        """Opening the form does not compute the current plan's progress (each
        objective's actual from sales and spending): its Account Plan tab
        reads it when opened, with each objective's % done."""
        self._line_order(self.busy, self.product, 5000, date(2026, 2, 1))
        plan = self._plan(
            objectives=[
                {"name": "Sell 10,000", "measure": "sales", "target_amount": 10_000},
                {"name": "Meet the boss", "measure": "relationship"},
            ]
        )
        self.env.flush_all()
        Objective = type(self.env["key_account.plan.objective"])
        compute_actual = Objective._compute_actual
        computed = []

        def _compute_actual(objectives):
            computed.append(objectives)
            return compute_actual(objectives)

        for user in (self.ka_user, self.ka_manager):
            with self.subTest(user=user.login):
                spec = form_spec(self.env["res.partner"].with_user(user))
                self.assertIn("ka_current_plan_id", spec)
                self.assertNotIn("ka_current_plan_progress", spec)
                self.env.invalidate_all()
                computed.clear()
                with patch.object(Objective, "_compute_actual", _compute_actual):
                    values = self.busy.with_user(user).web_read(spec)[0]
                    self.assertEqual(values["ka_current_plan_id"]["id"], plan.id)
                    self.assertFalse(computed)
                    # the tab opened
                    figures = self.busy.with_user(user).ka_current_plan_figures()
                    self.assertTrue(computed)
                self.assertEqual(figures["id"], plan.id)
                self.assertAlmostEqual(figures["progress"], 25)
                self.assertEqual(
                    [(o["name"], o["measure"]) for o in figures["objectives"]],
                    [
                        ("Sell 10,000", "Sales amount"),
                        ("Meet the boss", "Relationship goal (marked done by hand)"),
                    ],
                )
                self.assertEqual(
                    [round(o["percent"]) for o in figures["objectives"]], [50, 0]
                )
        # no current plan: nothing to read
        self.assertFalse(self.quiet.with_user(self.ka_user).ka_current_plan_figures())
