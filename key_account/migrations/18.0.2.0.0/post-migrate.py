"""18.0.2.0.0:
- the customer file and the relationship map leave res.partner for
  key_account.file and key_account.relation (record rules: the account's owner
  and Key Account managers); their old columns stayed in res_partner when the
  fields stopped being stored: copy them into the new models, then drop them;
- refill the company-dependent sales figures (emptied by pre-migrate.py) from
  each company's own orders, and re-grade every key account in every company
  from them (locked grades stay);
- fill the receivables of every key account from the accounting."""

from odoo import SUPERUSER_ID
from odoo import api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["key_account.file"]._ka_migrate_partner_columns()
    env["key_account.relation"]._ka_migrate_partner_columns()
    companies = env["res.company"].with_context(active_test=False).search([])
    partners = env["res.partner"].with_context(
        active_test=False, allowed_company_ids=companies.ids
    )
    accounts = partners.search([("ka_type_id", "!=", False)])
    accounts._ka_regrade()
    accounts._ka_refresh_receivables()
    # the cadence dates follow the grade of each account's own company
    for fname in (
        "ka_next_visit_date",
        "ka_next_contact_date",
        "ka_next_followup_date",
    ):
        env.add_to_compute(partners._fields[fname], accounts)
    env.flush_all()
