from . import test_completeness
from . import test_configuration
from . import test_followup
from . import test_grading
from . import test_performance
from . import test_sales_tracking
from . import test_security
from . import test_kpi_indicators
