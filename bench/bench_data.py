"""Data generation and measures shared by the benchmarks (bench_*.py).

scripts/bench.sh puts this folder on PYTHONPATH and pipes a benchmark into
`odoo shell`, which imports this module: ``bench = Bench(env)``.

The data is written with SQL (INSERT ... SELECT over generate_series): key
account companies, their contacts, confirmed sale orders and their lines,
the orders' amounts from their lines. Each benchmark gives what differs as
SQL expressions of the row's index: ``g`` for a company or an order, ``l``
for a line (the company is ``c`` in an order, its order ``so`` in a line).
"""

import time
from contextlib import contextmanager

import odoo
from odoo import Command
from odoo.tools import SQL


def pick(ids, index="g"):
    """SQL: the element of ``ids`` at ``index`` (an SQL expression), cycling."""
    index = index if isinstance(index, SQL) else SQL(index)
    return SQL("(%s::int[])[1 + mod(%s, %s)]", ids, index, len(ids))


class Measure:
    """What ``Bench.measure()`` measured: seconds and queries."""

    seconds = 0.0
    queries = 0


class Bench:
    """The data of a benchmark in the database of ``env``, and its measures."""

    def __init__(self, env):
        self.env = env
        self.cr = env.cr
        self.company = env.company

    # -- reading ----------------------------------------------------------

    def count(self, query, *args):
        """The first column of the first row of ``query``."""
        self.cr.execute(SQL(query, *args))
        return self.cr.fetchone()[0]

    def has_orders(self, prefix):
        """Whether orders named ``prefix``... exist (the data is generated)."""
        return bool(
            self.count(
                "SELECT COUNT(*) FROM (SELECT 1 FROM sale_order "
                "WHERE name LIKE %s LIMIT 1) o",
                prefix + "%",
            )
        )

    # -- records made with the ORM ----------------------------------------

    def users(self, login, n, **vals):
        """The ``n`` internal users ``login`` + 000, 001...: key-account
        salespeople, created when missing, in the order of their ids."""
        Users = self.env["res.users"].with_context(
            no_reset_password=True, tracking_disable=True, mail_create_nosubscribe=True
        )
        users = Users.search([("login", "=like", login + "%")], order="id")
        if len(users) < n:
            group = self.env.ref("key_account.group_key_account_user")
            users |= Users.create(
                [
                    {
                        "name": f"Bench Salesperson {i:03d}",
                        "login": f"{login}{i:03d}",
                        "groups_id": [Command.set(group.ids)],
                        **vals,
                    }
                    for i in range(len(users), n)
                ]
            )
        return users

    def teams(self, name, n, users, **vals):
        """The ``n`` sales teams ``name`` + 00, 01...: user i of ``users`` a
        member of team i mod n, the first member its leader; created when
        missing, in the order of their ids. ``vals`` (the pool rules, ...)
        are written on every other team (the even ones)."""
        Teams = self.env["crm.team"].with_context(
            tracking_disable=True, mail_create_nosubscribe=True
        )
        teams = Teams.search([("name", "=like", name + "%")], order="id")
        if len(teams) < n:
            teams |= Teams.create(
                [
                    {
                        "name": f"{name}{i:02d}",
                        "company_id": self.company.id,
                        "user_id": users[i].id if i < len(users) else False,
                        "member_ids": [Command.set(users[i::n].ids)],
                        **(vals if i % 2 == 0 else {}),
                    }
                    for i in range(len(teams), n)
                ]
            )
        return teams

    def product(self, name="Bench product", **vals):
        """A new product for the lines."""
        return self.env["product.product"].create({"name": name, **vals})

    # -- rows written with SQL --------------------------------------------

    def _stamps(self, date=None):
        date = date or SQL("NOW() AT TIME ZONE 'UTC'")
        return {
            "create_uid": self.env.uid,
            "write_uid": self.env.uid,
            "create_date": date,
            "write_date": date,
        }

    def _insert(self, table, columns, source, returning=False):
        """INSERT INTO ``table`` the ``columns`` (name: SQL expression or
        value) selected ``source``; the ids of the new rows, in order, when
        ``returning`` (not for a million lines), else how many."""
        values = [
            value if isinstance(value, SQL) else SQL("%s", value)
            for value in columns.values()
        ]
        self.cr.execute(
            SQL(
                "INSERT INTO %s (%s) SELECT %s %s %s",
                SQL.identifier(table),
                SQL(", ").join(SQL.identifier(name) for name in columns),
                SQL(", ").join(values),
                source,
                SQL("RETURNING id") if returning else SQL(),
            )
        )
        if returning:
            return sorted(row[0] for row in self.cr.fetchall())
        return self.cr.rowcount

    def accounts(self, prefix, n, first=1, **columns):
        """``n`` companies named ``prefix`` + g (g from ``first``), each its
        own commercial partner; their ids. ``columns`` (values, or SQL
        expressions of g and of ``id``, the new partner's) are added or
        override."""
        name = SQL("%s || g", prefix)
        return self._insert(
            "res_partner",
            {
                "id": SQL("id"),
                "commercial_partner_id": SQL("id"),
                "name": name,
                "complete_name": name,
                "is_company": True,
                "active": True,
                "type": "contact",
                "autopost_bills": "ask",
                **self._stamps(),
                **columns,
            },
            SQL(
                "FROM (SELECT nextval('res_partner_id_seq')::int AS id, g "
                "FROM generate_series(%s, %s) g) s",
                first,
                first + n - 1,
            ),
            returning=True,
        )

    def owned_accounts(self, users, per_user, **columns):
        """``per_user`` companies for each of the ``users`` in turn, their
        salesperson, named "Bench Account " + g (g from 0); their ids."""
        return self.accounts(
            "Bench Account ",
            len(users) * per_user,
            first=0,
            user_id=pick(users.ids),
            **columns,
        )

    def contacts(self, prefix, count, most=3):
        """``count`` contacts (SQL expression of the company ``p``, at most
        ``most``) of each company named ``prefix``...; their ids."""
        return self._insert(
            "res_partner",
            {
                "name": SQL("'Contact ' || c || ' of ' || p.name"),
                "complete_name": SQL("p.name || ', Contact ' || c"),
                "is_company": False,
                "active": True,
                "type": "contact",
                "autopost_bills": "ask",
                "parent_id": SQL("p.id"),
                "commercial_partner_id": SQL("p.id"),
                **self._stamps(),
            },
            SQL(
                """FROM res_partner p
                   JOIN generate_series(1, %s) c ON c <= %s
                  WHERE p.name LIKE %s AND p.is_company""",
                most,
                count,
                prefix + "%",
            ),
            returning=True,
        )

    def orders(self, prefix, n, customers, index=None, where=None, **columns):
        """``n`` confirmed orders named ``prefix`` + g (g from 0), each of
        the customer ``c`` at ``index`` (default: g, cycling) among the
        ``customers`` ids, sold by its salesperson; those ``where`` (SQL
        expression of g and c) only; how many. ``columns`` (values or SQL
        expressions of g and c) are added or override; the amounts are 0
        (see ``amounts()``)."""
        if index is None:
            index = SQL("mod(g, %s)", len(customers))
        pricelist = self.count("SELECT MIN(id) FROM product_pricelist")
        return self._insert(
            "sale_order",
            {
                "name": SQL("%s || g", prefix),
                "state": "sale",
                "company_id": self.company.id,
                "partner_id": SQL("c.id"),
                "partner_invoice_id": SQL("c.id"),
                "partner_shipping_id": SQL("c.id"),
                "ka_commercial_partner_id": SQL("c.commercial_partner_id"),
                "pricelist_id": pricelist,
                "currency_id": self.company.currency_id.id,
                "currency_rate": 1.0,
                "user_id": SQL("c.user_id"),
                "amount_untaxed": 0,
                "amount_tax": 0,
                "amount_total": 0,
                "invoice_status": "no",
                **self._stamps(),
                **columns,
            },
            SQL(
                """FROM generate_series(0, %s - 1) g
                   JOIN res_partner c ON c.id = (%s::int[])[1 + %s]
                  WHERE %s""",
                n,
                customers,
                index,
                where or SQL("TRUE"),
            ),
        )

    def lines(
        self,
        prefix,
        product,
        qty,
        price,
        discount=0,
        per_order=None,
        where=None,
        n=None,
        **columns,
    ):
        """Lines of ``product`` on the orders named ``prefix``...: either
        ``per_order`` lines on each of them (l from 1), of those ``where``
        (SQL expression of the order ``so``) only, or ``n`` lines in all,
        spread over them in turn (l from 0); how many. ``qty``, ``price``,
        ``discount`` and other ``columns``: values or SQL expressions of l and
        so."""
        if per_order:
            source = SQL(
                """FROM sale_order so CROSS JOIN generate_series(1, %s) l
                  WHERE so.name LIKE %s AND %s""",
                per_order,
                prefix + "%",
                where or SQL("TRUE"),
            )
        else:
            self.cr.execute(
                SQL(
                    "SELECT MIN(id), COUNT(*) FROM sale_order WHERE name LIKE %s",
                    prefix + "%",
                )
            )
            first, n_orders = self.cr.fetchone()
            source = SQL(
                """FROM generate_series(0, %s - 1) l
                   JOIN sale_order so ON so.id = %s + mod(l, %s)""",
                n,
                first,
                n_orders,
            )
        subtotal = SQL("(%s) * (%s)", qty, price)
        if discount:
            subtotal = SQL("%s * (1 - (%s) / 100.0)", subtotal, discount)
        return self._insert(
            "sale_order_line",
            {
                "order_id": SQL("so.id"),
                "name": "Bench line",
                "sequence": 10,
                "state": "sale",
                "product_id": product.id,
                "product_uom": product.uom_id.id,
                "product_uom_qty": qty,
                "price_unit": price,
                "discount": discount,
                "price_subtotal": subtotal,
                "price_tax": 0,
                "price_total": subtotal,
                "customer_lead": 0,
                "company_id": SQL("so.company_id"),
                "currency_id": SQL("so.currency_id"),
                "order_partner_id": SQL("so.partner_id"),
                "salesman_id": SQL("so.user_id"),
                "invoice_status": "no",
                "qty_delivered": 0,
                "qty_invoiced": 0,
                "qty_to_invoice": 0,
                **self._stamps(SQL("so.create_date")),
                **columns,
            },
            source,
        )

    def amounts(self, prefix):
        """The amounts (untaxed = total) and margin of the orders named
        ``prefix``... from their lines."""
        self.cr.execute(
            SQL(
                """
                UPDATE sale_order so
                   SET amount_untaxed = l.amount, amount_total = l.amount,
                       margin = l.margin
                  FROM (SELECT order_id, SUM(price_subtotal) AS amount,
                               SUM(margin) AS margin
                          FROM sale_order_line GROUP BY order_id) l
                 WHERE l.order_id = so.id AND so.name LIKE %s
                """,
                prefix + "%",
            )
        )

    def sales_over_a_year(
        self, prefix, customers, per_customer, lines_per_order, product
    ):
        """``per_customer`` confirmed orders of each of the ``customers`` ids
        (in their order), dated over the last year, of ``lines_per_order``
        lines of ``product`` (a name: made once) each, with their amounts:
        the sales the benchmarks of the screens read."""
        self.orders(
            prefix,
            len(customers) * per_customer,
            customers,
            index=SQL("g / %s", per_customer),
            date_order=SQL(
                "NOW() AT TIME ZONE 'UTC' - mod(g * 13, 360) * INTERVAL '1 day'"
            ),
        )
        self.lines(
            prefix,
            self.product(product),
            per_order=lines_per_order,
            qty=SQL("1 + mod(l, 3)"),
            price=SQL("10 + mod(so.id, 40) * 5"),
        )
        self.amounts(prefix)

    def analyze(self):
        """Fresh planner statistics and empty caches."""
        self.cr.execute(SQL("ANALYZE res_partner, sale_order, sale_order_line"))
        self.env.invalidate_all()
        self.env.registry.clear_cache()

    # -- measures ---------------------------------------------------------

    @contextmanager
    def generating(self):
        """Commits the data generated in the block; prints how long it took."""
        start = time.time()
        yield
        self.cr.commit()
        print(f"generated the data in {time.time() - start:.1f} s")

    @contextmanager
    def measure(self):
        """Times the block from empty caches to its flush, and counts its
        queries (on every cursor); gives a ``Measure`` filled at the end."""
        result = Measure()
        self.env.invalidate_all()
        queries = odoo.sql_db.sql_counter
        start = time.time()
        yield result
        self.env.flush_all()
        result.seconds = time.time() - start
        result.queries = odoo.sql_db.sql_counter - queries
