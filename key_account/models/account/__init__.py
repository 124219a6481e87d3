from . import key_account_approval_rule
from . import key_account_team_member
from . import key_account_plan
from . import key_account_plan_objective
from . import res_partner
