# Key account form benchmark: 100,000 key accounts, 1,000,000 confirmed order
# lines, 50 salespeople; the account opened has contacts, an account team,
# visits, receptions, gifts, plans, quarterly reviews, grade changes and
# activities. Times the form's web_read as the web client calls it when it
# opens the account (the specification built from the form view the user
# gets: the fields of the arch, many2ones with their display name, the
# x2many lists and kanbans with their own fields, limit and context), as a
# Key Account manager and as the account's salesperson; against the same
# call restricted to the fields of the partner form without key_account's
# views (Odoo's and sale's form: the reference, 1x).
#
#   scripts/bench.sh form
#
# Piped into `odoo shell` (``env`` is given). The data is generated with SQL
# (the accounts and orders) and the ORM (what the opened account has) once;
# with KA_BENCH_KEEP=1 a next run reuses it. Nothing is written by the timed
# part.
from datetime import date
from datetime import timedelta

from bench_data import Bench
from bench_data import pick
from lxml import etree

from odoo import Command
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

N_ACCOUNTS = 100_000
ORDERS_PER_ACCOUNT = 2
LINES_PER_ORDER = 5
N_USERS = 50
PREFIX = "Bench Form "
# what the opened account has
N_CONTACTS = 12
N_TEAM = 4
N_VISITS = 300
N_RECEPTIONS = 60
N_GIFTS = 40
N_PLANS = 20
N_REVIEWS = 40
N_GRADE_CHANGES = 80
N_ACTIVITIES = 30
N_OWN_ORDERS = 400
RUNS = 5  # each measure is the best of RUNS, after a warm-up run
X2MANY_LIMIT = 40  # the web client's default limit of an x2many list or kanban

env = env  # noqa: F821 (odoo shell global)
cr = env.cr
bench = Bench(env)
company = env.company
ref = env.ref

users = bench.users("bench_form_", N_USERS)
manager = users[0]
manager.write(
    {"groups_id": [Command.link(ref("key_account.group_key_account_manager").id)]}
)
salesperson = users[1]


def opened_account():
    """The account the benchmark opens: the first one of the salesperson."""
    return env["res.partner"].search(
        [("name", "=like", PREFIX + "%"), ("user_id", "=", salesperson.id)],
        order="id",
        limit=1,
    )


if not bench.has_orders("BFORM/"):
    with bench.generating():
        grades = [ref(f"key_account.key_account_grade_{c}").id for c in "abcd"]
        accounts = bench.accounts(
            PREFIX,
            N_ACCOUNTS,
            ka_type_id=pick(env["key_account.type"].search([]).ids),
            user_id=pick(users.ids),
            ka_grade_id=SQL(
                "jsonb_build_object(%s::text, %s)", company.id, pick(grades)
            ),
            ka_since=SQL("CURRENT_DATE - 500"),
        )
        bench.contacts(PREFIX, SQL("1 + mod(p.id, 3)"))
        bench.sales_over_a_year(
            "BFORM/",
            accounts,
            ORDERS_PER_ACCOUNT,
            LINES_PER_ORDER,
            "Bench form product",
        )
        env["res.partner"].browse(accounts)._ka_refresh_sales()
        bench.analyze()

if not bench.count(
    "SELECT COUNT(*) FROM key_account_visit WHERE partner_id = %s",
    opened_account().id,
):
    with bench.generating():
        # the opened account's own documents, made with the ORM
        grades = [ref(f"key_account.key_account_grade_{c}").id for c in "abcd"]
        account = opened_account()
        quiet = {"tracking_disable": True, "mail_create_nosubscribe": True}
        Partner = env["res.partner"].with_context(**quiet)
        contacts = Partner.create(
            [
                {
                    "name": f"Bench Form Contact {i}",
                    "parent_id": account.id,
                    "ka_role": ("buyer", "decision_maker", "user")[i % 3],
                }
                for i in range(N_CONTACTS)
            ]
        )
        env["key_account.team.member"].create(
            [
                {"partner_id": account.id, "user_id": user.id}
                for user in users[2 : 2 + N_TEAM]
            ]
        )
        env["key_account.visit"].with_context(**quiet).create(
            [
                {
                    "partner_id": account.id,
                    "user_id": salesperson.id,
                    "purpose": f"Bench visit {i}",
                    "contact_ids": [Command.set(contacts[i % N_CONTACTS].ids)],
                }
                for i in range(N_VISITS)
            ]
        )
        env["key_account.reception"].with_context(**quiet).create(
            [
                {"partner_id": account.id, "user_id": salesperson.id}
                for _i in range(N_RECEPTIONS)
            ]
        )
        env["key_account.gift"].with_context(**quiet).create(
            [
                {
                    "partner_id": account.id,
                    "user_id": salesperson.id,
                    "recipient_id": contacts[i % N_CONTACTS].id,
                    "occasion": f"Bench occasion {i}",
                }
                for i in range(N_GIFTS)
            ]
        )
        this_year = date.today().year
        env["key_account.plan"].with_context(**quiet).create(
            [
                {
                    "partner_id": account.id,
                    "user_id": salesperson.id,
                    "period_type": "year",
                    "date_from": date(this_year - i, 1, 1),
                }
                for i in range(N_PLANS)
            ]
        )
        env["key_account.review"].with_context(**quiet).create(
            [
                {
                    "partner_id": account.id,
                    "user_id": salesperson.id,
                    "date_from": date(this_year - 1 - i // 4, 1 + 3 * (i % 4), 1),
                }
                for i in range(N_REVIEWS)
            ]
        )
        env["key_account.grade.history"].create(
            [
                {
                    "partner_id": account.id,
                    "old_grade_id": grades[i % 4],
                    "new_grade_id": grades[(i + 1) % 4],
                    "date": date.today() - timedelta(days=7 * i),
                }
                for i in range(N_GRADE_CHANGES)
            ]
        )
        for i in range(N_ACTIVITIES):
            account.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=date.today() + timedelta(days=i - 10),
                summary=f"Bench activity {i}",
                user_id=salesperson.id,
            )
        bench.analyze()

if not bench.has_orders("BFORMACC/"):
    with bench.generating():
        # the opened account's own orders, many more than the others'
        account = opened_account()
        bench.orders(
            "BFORMACC/",
            N_OWN_ORDERS,
            [account.id],
            index=SQL("0"),
            date_order=SQL(
                "NOW() AT TIME ZONE 'UTC' - mod(g * 7, 720) * INTERVAL '1 day'"
            ),
        )
        bench.lines(
            "BFORMACC/",
            env["product.product"].search([("name", "=", "Bench form product")]),
            per_order=LINES_PER_ORDER,
            qty=SQL("1 + mod(l, 3)"),
            price=SQL("10 + mod(so.id, 40) * 5"),
        )
        bench.amounts("BFORMACC/")
        account._ka_refresh_sales()
        bench.analyze()

account = opened_account()
n_accounts = bench.count(
    "SELECT COUNT(*) FROM res_partner WHERE ka_type_id IS NOT NULL AND active"
)
n_lines = bench.count(
    """SELECT COUNT(*) FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id
        WHERE o.name LIKE %s""",
    "BFORM/%",
)
print(
    f"data: {n_accounts} key accounts, {n_lines} order lines, {len(users)} "
    f"salespeople; the account opened has "
    + ", ".join(
        f"{bench.count(query, account.id)} {what}"
        for what, query in (
            ("orders", "SELECT COUNT(*) FROM sale_order WHERE partner_id = %s"),
            ("contacts", "SELECT COUNT(*) FROM res_partner WHERE parent_id = %s"),
            (
                "visits",
                "SELECT COUNT(*) FROM key_account_visit WHERE partner_id = %s",
            ),
            (
                "receptions",
                "SELECT COUNT(*) FROM key_account_reception WHERE partner_id = %s",
            ),
            ("gifts", "SELECT COUNT(*) FROM key_account_gift WHERE partner_id = %s"),
            ("plans", "SELECT COUNT(*) FROM key_account_plan WHERE partner_id = %s"),
            (
                "reviews",
                "SELECT COUNT(*) FROM key_account_review WHERE partner_id = %s",
            ),
            (
                "grade changes",
                "SELECT COUNT(*) FROM key_account_grade_history WHERE partner_id = %s",
            ),
            (
                "activities",
                "SELECT COUNT(*) FROM mail_activity WHERE res_model = 'res.partner' "
                "AND res_id = %s",
            ),
        )
    )
)

# key_account's views on the partner form (and those inheriting them): left
# out, the form is the partner form without the module
KA_MODULES = ("key_account", "key_account_hr_expense")
FORM = ref("base.view_partner_form")


def form_arch(partners, without_module=False):
    """The partner form as ``partners``' user gets it (the arch and the fields
    of its models), with or without key_account's views on it."""
    if not without_module:
        return partners.get_views([(FORM.id, "form")])
    with cr.savepoint(flush=False) as savepoint:
        views = env["ir.ui.view"].search(
            [("model", "=", "res.partner"), ("inherit_id", "!=", False)]
        )
        data = views._get_external_ids()
        ours = views.filtered(
            lambda v: any(x.split(".")[0] in KA_MODULES for x in data[v.id])
        )
        ours.write({"active": False})
        env.flush_all()
        env.registry.clear_cache("templates")
        result = partners.get_views([(FORM.id, "form")])
        savepoint.rollback()
    env.registry.clear_cache("templates")
    return result


def eval_context(partners, record, arch, fields):
    """What the field contexts of the arch see: the record's values of the
    fields of the form (many2ones as ids, as the web client has them)."""
    names = {
        node.get("name")
        for node in field_nodes(arch)
        if fields.get(node.get("name"), {}).get("type")
        not in (None, "one2many", "many2many")
    }
    values = record.sudo().read(sorted(names))[0]
    return {
        **partners.env.context,
        **{k: v[0] if isinstance(v, tuple) else v for k, v in values.items()},
        "uid": partners.env.uid,
        "context": partners.env.context,
        "current_company_id": company.id,
        "allowed_company_ids": [company.id],
        "active_id": record.id,
        "parent": {},
    }


def field_nodes(node):
    """The <field> nodes of ``node``, not those of the views nested in them."""
    for child in node:
        if not isinstance(child.tag, str):  # a comment
            continue
        if child.tag == "field":
            yield child
        else:
            yield from field_nodes(child)


def specification(node, model, models_fields, context):
    """The web_read specification of the fields of ``node`` (a form, or the
    list or kanban of an x2many) on ``model``, as the web client builds it
    (getFieldsSpec): many2ones with their display name and context, x2manys
    with the fields of their list or kanban, its limit and order."""
    fields = models_fields[model]["fields"]
    spec = {}
    for field_node in field_nodes(node):
        name = field_node.get("name")
        if name not in fields:
            continue
        always_invisible = field_node.get("invisible") in ("1", "True")
        field = fields[name]
        entry = spec.setdefault(name, {})
        if field["type"] in ("one2many", "many2many"):
            if always_invisible:
                continue
            subview = next(
                (c for c in field_node if c.tag in ("list", "kanban")),
                None,
            )
            if subview is not None:
                entry["fields"] = specification(
                    subview, field["relation"], models_fields, context
                )
                entry["limit"] = int(subview.get("limit") or X2MANY_LIMIT)
                if subview.get("default_order"):
                    entry["order"] = subview.get("default_order")
            elif field_node.get("widget") in ("many2many_tags", "many2many_checkboxes"):
                entry["fields"] = {"display_name": {}}
                options = safe_eval(field_node.get("options") or "{}", context)
                if options.get("color_field"):
                    entry["fields"][options["color_field"]] = {}
            else:
                continue
            entry["context"] = safe_eval(field_node.get("context") or "{}", context)
        elif field["type"] in ("many2one", "reference"):
            entry["fields"] = {}
            if not always_invisible:
                entry["fields"]["display_name"] = {}
                entry["context"] = safe_eval(field_node.get("context") or "{}", context)
    spec.setdefault("display_name", {})
    return spec


def form_spec(partners, record, without_module=False):
    views = form_arch(partners, without_module)
    arch = etree.fromstring(views["views"]["form"]["arch"])
    models_fields = views["models"]
    context = eval_context(
        partners, record, arch, models_fields["res.partner"]["fields"]
    )
    return specification(arch, "res.partner", models_fields, context)


def best(call):
    """The best of RUNS runs of ``call`` from empty record caches, after one
    run that fills the registry's caches: (seconds, queries, result)."""
    call()
    results = []
    for _run in range(RUNS):
        with bench.measure() as measure:
            result = call()
        results.append((measure.seconds, measure.queries, result))
    return min(results, key=lambda r: r[0])


def count_fields(spec):
    return sum(1 + count_fields(entry.get("fields", {})) for entry in spec.values())


for role, user in (("manager", manager), ("salesperson", salesperson)):
    partners = (
        env["res.partner"]
        .with_user(user)
        .with_company(company)
        .with_context(
            allowed_company_ids=[company.id],
            lang="en_US",
            tz="UTC",
            bin_size=True,
            # the Key Accounts action's
            default_is_company=True,
            default_user_id=user.id,
        )
    )
    record = partners.browse(account.id)
    spec = form_spec(partners, record)
    base_spec = form_spec(partners, record, without_module=True)
    assert set(base_spec) < set(spec), set(base_spec) - set(spec)
    x2many = sorted(
        name
        for name, entry in spec.items()
        if "limit" in entry and name not in base_spec
    )
    seconds, queries, _ = best(lambda r=record, s=spec: r.web_read(s))
    base_seconds, base_queries, _ = best(lambda r=record, s=base_spec: r.web_read(s))
    ratio = seconds / base_seconds
    print(
        f"form of a key account as {role}: {len(spec)} fields "
        f"({count_fields(spec)} with sub-fields; key_account's lists: "
        f"{', '.join(x2many) or 'none'}) in {seconds * 1000:.0f} ms, {queries} "
        f"queries; the partner form without the module: {len(base_spec)} fields "
        f"in {base_seconds * 1000:.0f} ms, {base_queries} queries; ratio {ratio:.2f}"
    )
    print(
        f"RESULT form_{role}_ms={seconds * 1000:.0f} (target <= 1.5x the partner "
        f"form without the module): {'OK' if ratio <= 1.5 else 'TOO SLOW'}"
    )
