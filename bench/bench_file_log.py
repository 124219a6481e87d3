# Customer-file access log benchmark: 100,000 key accounts, each with a
# customer file, 50 salespeople. Times a list read with file fields
# (web_search_read as the web client's list calls it: 80 rows and the count),
# logged (one INSERT of 80 access-log lines), against the same call with the
# logging off (the code before the log: no scope, no notes, no insert), and
# the same list without the file fields (the bare read); as a Key Account
# manager, and for a page of 1,000 rows. Each measure's transaction is rolled
# back: the log does not grow from one run to the next.
#
#   scripts/bench.sh file_log
#
# Piped into `odoo shell` (``env`` is given). The data is generated with SQL
# once; with KA_BENCH_KEEP=1 a next run reuses it.
from unittest.mock import patch

from bench_data import Bench
from bench_data import pick

from odoo.addons.key_account.models.profile.key_account_access_log import (
    KeyAccountAccessMixin,
)
from odoo.tools import SQL

N_ACCOUNTS = 100_000
N_USERS = 50
PREFIX = "Bench File Log "
RUNS = 5  # each measure is the best of RUNS, after a warm-up run
COUNT_LIMIT = 10_001

env = env  # noqa: F821 (odoo shell global)
cr = env.cr
bench = Bench(env)
company = env.company
ref = env.ref

users = bench.users("bench_file_log_", N_USERS)
manager = users[0]
manager.write({"groups_id": [(4, ref("key_account.group_key_account_manager").id)]})

if not bench.count("SELECT COUNT(*) FROM res_partner WHERE name LIKE %s", PREFIX + "%"):
    with bench.generating():
        accounts = bench.accounts(
            PREFIX,
            N_ACCOUNTS,
            ka_type_id=pick(env["key_account.type"].search([]).ids),
            user_id=pick(users.ids),
            company_id=company.id,
        )
        cr.execute(
            SQL(
                """
                INSERT INTO key_account_file (partner_id, company_id, user_id,
                       source, staff_count, need, decision_process, budget_min,
                       budget_max, create_uid, create_date, write_uid, write_date)
                SELECT p.id, p.company_id, p.user_id, 'referral', mod(p.id, 500),
                       'Need of ' || p.name, 'The board decides',
                       1000, 5000, 1, NOW(), 1, NOW()
                  FROM res_partner p
                 WHERE p.id = ANY(%s)
                """,
                accounts,
            )
        )
        cr.execute(SQL("ANALYZE res_partner, key_account_file"))

n_files = bench.count("SELECT COUNT(*) FROM key_account_file")
print(f"data: {n_files} customer files, {N_USERS} salespeople")

DOMAIN = [("ka_type_id", "!=", False)]
FILE_SPEC = {
    "name": {},
    "user_id": {"fields": {"display_name": {}}},
    "ka_type_id": {"fields": {"display_name": {}}},
    "ka_source": {},
    "ka_staff_count": {},
    "ka_need": {},
    "ka_decision_process": {},
    "ka_budget_min": {},
    "ka_budget_max": {},
    "ka_currency_id": {"fields": {}},
}
BARE_SPEC = {
    key: value for key, value in FILE_SPEC.items() if not key.startswith("ka_")
} | {"ka_type_id": {"fields": {"display_name": {}}}}


def no_log(self, operation, channel, method, *args, **kwargs):
    return method(*args, **kwargs)


def best(call):
    results = []
    for run in range(RUNS + 1):
        with bench.measure() as measure:
            result = call()
        cr.rollback()
        if run:
            results.append((measure.seconds, measure.queries, result))
    return min(results, key=lambda r: r[0])


def logged_lines():
    return bench.count("SELECT COUNT(*) FROM key_account_access_log")


Partner = env["res.partner"].with_user(manager)
for limit in (80, 1000):

    def listing(spec, limit=limit):
        return Partner.web_search_read(
            DOMAIN, spec, limit=limit, order="name", count_limit=COUNT_LIMIT
        )

    before = logged_lines()
    with bench.measure():
        result = listing(FILE_SPEC)
    written = logged_lines() - before
    cr.rollback()
    assert len(result["records"]) == limit, len(result["records"])
    assert written == limit, written
    logged = best(lambda: listing(FILE_SPEC))
    with patch.object(KeyAccountAccessMixin, "_ka_logged_call", no_log):
        off = best(lambda: listing(FILE_SPEC))
    bare = best(lambda: listing(BARE_SPEC))
    print(
        f"list of {limit} (of {result['length']}), manager: logged "
        f"{logged[0] * 1000:.0f} ms, {logged[1]} queries ({written} lines, "
        f"one INSERT); logging off {off[0] * 1000:.0f} ms, {off[1]} queries "
        f"(ratio {logged[0] / off[0]:.2f}); without the file fields "
        f"{bare[0] * 1000:.0f} ms, {bare[1]} queries"
    )
