from . import test_followup
from . import test_grading
from . import test_pool
from . import test_pool_concurrency
