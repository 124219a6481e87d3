from odoo.addons.bus.controllers.main import BusController
from odoo.http import route


class KeyAccountBusController(BusController):
    """The outdated-page watcher of Odoo 18.0 builds up to May 2025
    (bus/static/src/outdated_page_watcher_service.js) asks about the last
    notification its page received when the bus reconnects, and asks about
    ``null`` when the page has received none yet: the base answer to that is
    "missed" (no notification has the id NULL), and every page opened from a
    typed address, a bookmark or a link in a new tab showed "The page is out
    of date". A page that received nothing has missed nothing the bus does
    not give back: on reconnecting with no last id, the server sends the
    notifications of the last minute (bus.bus._poll). Known ids are answered
    as before."""

    @route()
    def has_missed_notifications(self, last_notification_id):
        if not last_notification_id:
            return False
        return super().has_missed_notifications(last_notification_id)
