from collections import defaultdict

from odoo import models
from odoo.tools import SQL


class ResUsers(models.Model):
    _inherit = "res.users"

    def _ka_appraisal_departments(self, company_ids=None):
        """The department each user of ``self`` is appraised over, in one query.

        - A user who leads sales teams (``crm.team.user_id``): the active
          members of those teams, plus themselves.
        - Any other user (an assistant): the department they serve, the
          active members and the leaders of the sales teams they are an
          active member of, plus themselves.

        Only active teams of ``company_ids`` (default: the environment's
        companies) or without a company count.

        :return: ``{user_id: [user ids]}`` for every user of ``self``
        """
        if company_ids is None:
            company_ids = self.env.companies.ids
        self.env["crm.team"].flush_model(["user_id", "active", "company_id"])
        self.env["crm.team.member"].flush_model(["crm_team_id", "user_id", "active"])
        self.env.cr.execute(
            SQL(
                """
                WITH teams AS (
                    SELECT t.id, t.user_id
                      FROM crm_team t
                     WHERE t.active
                       AND (t.company_id IS NULL
                            OR t.company_id = ANY(%(companies)s))
                ), led AS (
                    SELECT t.user_id AS appraised_id, m.user_id
                      FROM teams t
                      JOIN crm_team_member m ON m.crm_team_id = t.id AND m.active
                     WHERE t.user_id = ANY(%(users)s)
                ), served AS (
                    SELECT own.user_id AS appraised_id, m.user_id
                      FROM crm_team_member own
                      JOIN teams t ON t.id = own.crm_team_id
                      JOIN crm_team_member m ON m.crm_team_id = t.id AND m.active
                     WHERE own.active AND own.user_id = ANY(%(users)s)
                       AND own.user_id NOT IN (
                           SELECT user_id FROM teams WHERE user_id IS NOT NULL)
                     UNION
                    SELECT own.user_id, t.user_id
                      FROM crm_team_member own
                      JOIN teams t ON t.id = own.crm_team_id
                     WHERE own.active AND own.user_id = ANY(%(users)s)
                       AND t.user_id IS NOT NULL
                       AND own.user_id NOT IN (
                           SELECT user_id FROM teams WHERE user_id IS NOT NULL)
                )
                SELECT appraised_id, user_id FROM led
                 UNION
                SELECT appraised_id, user_id FROM served
                """,
                users=self.ids,
                companies=company_ids,
            )
        )
        department = defaultdict(set)
        for user in self:
            department[user.id].add(user.id)
        for appraised_id, user_id in self.env.cr.fetchall():
            department[appraised_id].add(user_id)
        return {user_id: sorted(ids) for user_id, ids in department.items()}
