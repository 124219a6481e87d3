import json

from odoo.tests import HttpCase
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestOutdatedPage(HttpCase):
    """A page that has received no bus notification yet is not told it is
    out of date when the bus reconnects (Odoo 18.0-20250506's watcher asks
    about notification ``null``); a page whose last notification is gone
    still is."""

    def _missed(self, last_notification_id):
        response = self.url_open(
            "/bus/has_missed_notifications",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {"last_notification_id": last_notification_id},
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()["result"]

    def test_no_notification_received_is_not_out_of_date(self):
        self.authenticate("admin", "admin")
        self.assertIs(self._missed(None), False)
        self.assertIs(self._missed(0), False)

    def test_known_notifications_answered_as_before(self):
        self.authenticate("admin", "admin")
        bus = self.env["bus.bus"].sudo()
        bus._sendone("broadcast", "ka_test", {})
        kept = bus.search([], order="id desc", limit=1)
        self.assertIs(self._missed(kept.id), False)
        gone = kept.id
        kept.unlink()
        self.assertIs(self._missed(gone), True)
