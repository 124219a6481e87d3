import re

from odoo import api
from odoo import models
from odoo.tools.misc import babel_locale_parse
from odoo.tools.misc import posix_to_ldml

# the seconds of a strftime time format, with their separator or unit
# ("%H:%M:%S" → "%H:%M", "%H时%M分%S秒" → "%H时%M分")
SECONDS = re.compile(r"[:.]?%S[^%\s]*")


class ResLang(models.Model):
    _inherit = "res.lang"

    @api.model
    def _ka_datetime_format(self):
        """The date and time pattern (LDML, for a report's datetime field) of
        the context's language without seconds: Odoo's ``hide_seconds``
        removes ``:ss`` only, not the seconds of the Chinese format."""
        code = self.env.lang or "en_US"
        lang = self._get_data(code=code) or self._get_data(code="en_US")
        time_format = SECONDS.sub("", lang.time_format or "%H:%M:%S")
        return posix_to_ldml(
            f"{lang.date_format} {time_format}", locale=babel_locale_parse(code)
        )
