"""18.0.2.0.0: the customer file and the relationship map leave res.partner
for key_account.file and key_account.relation (record rules: the account's
owner and Key Account managers). Their old columns stayed in res_partner when
the fields stopped being stored: copy them into the new models, then drop
them."""

from odoo import SUPERUSER_ID
from odoo import api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["key_account.file"]._ka_migrate_partner_columns()
    env["key_account.relation"]._ka_migrate_partner_columns()
    env.flush_all()
