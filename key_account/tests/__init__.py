from . import test_engagement_access
from . import test_engagement_approval
from . import test_engagement_cadence
from . import test_engagement_gift
from . import test_engagement_reception
from . import test_engagement_visit
from . import test_followup
from . import test_grading
