from . import test_followup
from . import test_grading
