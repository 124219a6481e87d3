"""Loading the module's data again, as ``-i key_account`` does where the module
is installed (Odoo then reloads even its noupdate records and functions):
nothing is refused and nothing is duplicated (the KPI templates' lines, the
commission plans' tiers). The whole lifecycle (install, -i again, uninstall,
reinstall with the demo data) is checked by ``scripts/test.sh`` on a real
database (``scripts/test.sh lifecycle``)."""

from contextlib import suppress

from odoo.modules.module import get_manifest
from odoo.tests import TransactionCase
from odoo.tests import tagged
from odoo.tools import convert_file

from .common import KeyAccountCase

# what loading data logs anyway: messages, followers, caches
LOGGED = ("mail.", "bus.", "ir.attachment", "ir.model.data", "ir.ui.view")


@tagged("post_install", "-at_install")
class TestDataReload(TransactionCase):
    def _counts(self):
        """The number of records of each model with a table."""
        return {
            name: self.env[name].with_context(active_test=False).search_count([])
            for name, model in self.env.registry.items()
            if not (model._abstract or model._transient or name.startswith(LOGGED))
            and model._auto
        }

    def test_the_data_loads_again_without_duplicates(self):
        before = self._counts()
        for filename in get_manifest("key_account")["data"]:
            convert_file(
                self.env, "key_account", filename, {}, mode="init", kind="data"
            )
        after = self._counts()
        self.assertEqual(
            {
                name: (before[name], count)
                for name, count in after.items()
                if count != before[name]
            },
            {},
        )


class DemoFailed(Exception):
    """A demo data file that fails to load."""


@tagged("post_install", "-at_install")
class TestFailedDemo(KeyAccountCase):
    def test_a_rolled_back_key_account_is_no_error(self):
        """Odoo installs the module without its demo data when the demo fails
        (a warning): it rolls back to a savepoint without flushing, so the
        recomputations of the key accounts the demo made are still pending;
        they come to nothing instead of failing the whole install."""
        with suppress(DemoFailed), self.env.cr.savepoint(flush=False):
            partner = self._account("Demo Co")
            raise DemoFailed
        self.env.flush_all()
        self.assertFalse(partner.exists())
