from . import test_followup
from . import test_grading
from . import test_engagement_approval
