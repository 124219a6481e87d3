from odoo.tools import SQL

from . import controllers
from . import models
from . import wizard


def uninstall_hook(env):
    """Drop what Odoo does not know is ours: the pool's turn table, made by
    key_account.pool.log's init() (no model of its own)."""
    env.cr.execute(SQL("DROP TABLE IF EXISTS key_account_pool_turn"))
