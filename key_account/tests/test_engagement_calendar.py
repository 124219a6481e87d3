from datetime import datetime
from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import HOSTILE_CONTEXT
from .common import EngagementCase

# what a client could add to shape the event created behind its back
CALENDAR_CONTEXT = {
    **HOSTILE_CONTEXT,
    "default_privacy": "public",
    "default_recurrency": True,
    "default_show_as": "free",
    "default_partner_ids": [Command.set([])],
}
START = datetime(2026, 3, 2, 9, 0)


@tagged("post_install", "-at_install")
class TestEngagementCalendar(EngagementCase):
    def _planned_visit(self, user=None, **vals):
        """A visit planned by ``user`` (default: the account's owner) with
        a hostile context, from 9:00 to 11:00 on 2 March 2026."""
        user = user or self.ka_user
        return (
            self.env["key_account.visit"]
            .with_user(user)
            .with_context(**CALENDAR_CONTEXT)
            .create(
                {
                    "user_id": self.ka_user.id,
                    "partner_id": self.account.id,
                    "contact_ids": [Command.set(self.buyer.ids)],
                    "purpose": "Present the new range",
                    "date_start": START,
                    "date_end": START + timedelta(hours=2),
                    **vals,
                }
            )
        )

    def test_the_event_follows_the_visit(self):
        visit = self._planned_visit()
        event = visit.ka_event_id
        self.assertTrue(event, "planning a visit puts it in the calendar")
        self.assertEqual(event.user_id, self.ka_user)
        self.assertEqual(event.partner_ids, self.ka_user.partner_id | self.buyer)
        self.assertEqual((event.start, event.stop), (START, START + timedelta(hours=2)))
        self.assertEqual(event.res_model, "key_account.visit")
        self.assertEqual(event.res_id, visit.id)
        self.assertIn(visit.name, event.name)
        # the client's context did not shape it
        self.assertEqual(event.privacy, "private")
        self.assertFalse(event.recurrency)
        self.assertEqual(event.show_as, "busy")
        self.assertTrue(event.active)
        # the customer's contact was not sent an invitation behind the
        # salesperson's back
        self.assertFalse(
            self.env["mail.mail"].search([("recipient_ids", "in", self.buyer.ids)])
        )

        # a new time moves it, another contact joins it
        visit_as_user = visit.with_user(self.ka_user).with_context(**CALENDAR_CONTEXT)
        later = START + timedelta(days=1, hours=5)
        visit_as_user.write(
            {
                "date_start": later,
                "date_end": False,
                "contact_ids": [Command.link(self.boss.id)],
            }
        )
        self.assertEqual(visit.ka_event_id, event, "moved, not replaced")
        self.assertEqual((event.start, event.stop), (later, later + timedelta(hours=1)))
        self.assertEqual(
            event.partner_ids, self.ka_user.partner_id | self.buyer | self.boss
        )

        # cancelled, it leaves the calendar; back to draft, it returns
        visit_as_user.action_cancel()
        self.assertFalse(event.active)
        visit_as_user.action_draft()
        self.assertTrue(event.active)
        self.assertEqual(event.start, later)

        # deleted, its event goes with it
        visit_as_user.action_cancel()
        visit_as_user.unlink()
        self.assertFalse(event.exists())

    def test_a_refused_visit_leaves_the_calendar(self):
        visit = self._planned_visit()
        visit.with_user(self.ka_user).action_submit()
        visit.with_user(self.ka_manager).with_context(**HOSTILE_CONTEXT).action_refuse(
            "Too early"
        )
        self.assertEqual(visit.state, "refused")
        self.assertFalse(visit.ka_event_id.active)

    def test_a_done_visit_stays_in_the_calendar(self):
        visit = self._planned_visit(date_start=datetime(2020, 3, 2, 9, 0))
        visit.with_user(self.ka_user).action_submit()
        visit.with_user(self.ka_manager).action_approve()
        visit.with_user(self.ka_user).write(self._visit_record_vals())
        visit.with_user(self.ka_user).action_done()
        self.assertEqual(visit.state, "done")
        self.assertTrue(visit.ka_event_id.active)

    def test_a_manager_plans_it_in_the_owners_calendar(self):
        visit = self._planned_visit(user=self.ka_manager)
        self.assertEqual(visit.ka_event_id.user_id, self.ka_user)
        self.assertNotIn(self.ka_manager.partner_id, visit.ka_event_id.partner_ids)

    def test_a_colleague_does_not_get_it(self):
        visit = self._planned_visit()
        event = visit.ka_event_id
        self.assertNotIn(self.ka_user2.partner_id, event.partner_ids)
        # private: the colleague sees a busy slot, not the customer
        self.env.invalidate_all()
        colleague_event = event.with_user(self.ka_user2)
        self.assertEqual(colleague_event.name, "Busy")
        self.assertFalse(colleague_event.partner_ids)
        self.assertNotIn(
            event,
            self.env["calendar.event"]
            .with_user(self.ka_user2)
            .search([("partner_ids", "in", self.ka_user2.partner_id.ids)]),
        )
        # nor can the colleague move it through the visit
        with self.assertRaises(AccessError):
            visit.with_user(self.ka_user2).with_context(**HOSTILE_CONTEXT).write(
                {"date_start": START + timedelta(days=3)}
            )
        self.assertEqual(event.start, START)

    def test_a_client_cannot_point_a_visit_at_another_event(self):
        theirs = self.env["calendar.event"].create(
            {
                "name": "Lee's meeting",
                "user_id": self.ka_user2.id,
                "start": START,
                "stop": START + timedelta(hours=1),
            }
        )
        mine = self._planned_visit()
        hostile = mine.with_user(self.ka_user).with_context(**HOSTILE_CONTEXT)
        with self.assertRaises(AccessError):
            hostile.write({"ka_event_id": theirs.id})
        with self.assertRaises(AccessError):
            self._planned_visit(ka_event_id=theirs.id)
        # moving my visit does not move the other event
        hostile.write(
            {
                "date_start": START + timedelta(days=2),
                "date_end": START + timedelta(days=2, hours=1),
            }
        )
        self.assertEqual(theirs.start, START)
        self.assertNotEqual(mine.ka_event_id, theirs)

    def test_the_event_follows_the_reception(self):
        reception = (
            self.env["key_account.reception"]
            .with_user(self.ka_user)
            .with_context(**CALENDAR_CONTEXT)
            .create(
                {
                    "partner_id": self.account.id,
                    "guest_ids": [Command.set((self.buyer | self.boss).ids)],
                    "guest_count": 2,
                    "host_ids": [Command.set(self.ka_manager.ids)],
                    "date_start": START,
                }
            )
        )
        event = reception.ka_event_id
        self.assertEqual(event.user_id, self.ka_user)
        self.assertEqual(
            event.partner_ids,
            self.ka_user.partner_id
            | self.ka_manager.partner_id
            | self.buyer
            | self.boss,
        )
        self.assertEqual(event.stop, START + timedelta(hours=1))
        reception.with_user(self.ka_user).write(
            {"date_end": START + timedelta(hours=3)}
        )
        self.assertEqual(event.stop, START + timedelta(hours=3))
        reception.with_user(self.ka_user).action_cancel()
        self.assertFalse(event.active)
