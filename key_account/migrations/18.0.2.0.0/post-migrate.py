"""Refill the company-dependent sales figures (emptied by pre-migrate.py)
from each company's own orders, and re-grade every key account in every
company from them (locked grades stay)."""

from odoo import SUPERUSER_ID
from odoo import api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    companies = env["res.company"].with_context(active_test=False).search([])
    partners = env["res.partner"].with_context(
        active_test=False, allowed_company_ids=companies.ids
    )
    accounts = partners.search([("ka_type_id", "!=", False)])
    accounts._ka_regrade()
    # the cadence dates follow the grade of each account's own company
    for fname in (
        "ka_next_visit_date",
        "ka_next_contact_date",
        "ka_next_followup_date",
    ):
        env.add_to_compute(partners._fields[fname], accounts)
    env.flush_all()
