"""The data requests of Odoo 18's web client opening a spreadsheet dashboard,
replayed through the ORM: what the tests check and the benchmark times.

The spreadsheet loads the fields of each model (``fields_get``), then, with
the global filters at their default values added to each data source's
domain (the date filters' periods, the relation filters' records):

- a pivot: one ``read_group`` (lazy=False) for each group-by list it shows,
  the row group-bys' prefixes crossed with the column group-bys' prefixes
  (the web pivot model's subdivisions; the measures as ``field:aggregator``);
- a list: one ``web_search_read`` of its columns, in its order, as many
  records as its cells show;
- a chart: one ``web_read_group`` (lazy=False, ``fill_temporal``) of its
  measure over its group-bys.
"""

import json
import re
from datetime import datetime
from datetime import time

from dateutil.relativedelta import relativedelta

from odoo import fields


def dashboard_data(dashboard):
    """The dashboard's spreadsheet (its JSON, parsed)."""
    return json.loads(dashboard.spreadsheet_data)


def _period(filter_, today):
    """The first and last day of a date filter's default period."""
    default = filter_.get("defaultValue")
    if default == "this_quarter":
        start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        return start, start + relativedelta(months=3, days=-1)
    if default == "this_month":
        start = today.replace(day=1)
        return start, start + relativedelta(months=1, days=-1)
    if default == "this_year":
        return today.replace(month=1, day=1), today.replace(month=12, day=31)
    return None


def filter_domain(data, matching, today):
    """The domain the global filters at their default values add to a data
    source with field matchings ``matching``."""
    domain = []
    for filter_ in data.get("globalFilters", []):
        match = matching.get(filter_["id"]) or {}
        chain = match.get("chain")
        if not chain:
            continue
        if filter_["type"] == "date":
            period = _period(filter_, today)
            if not period:
                continue
            start, end = period
            if match.get("type") == "datetime":
                start = fields.Datetime.to_string(datetime.combine(start, time.min))
                end = fields.Datetime.to_string(datetime.combine(end, time(23, 59, 59)))
            else:
                start, end = fields.Date.to_string(start), fields.Date.to_string(end)
            domain += [(chain, ">=", start), (chain, "<=", end)]
        elif filter_["type"] == "relation" and filter_.get("defaultValue"):
            domain.append((chain, "in", filter_["defaultValue"]))
    return domain


def _groupby(dimension):
    if dimension.get("granularity"):
        return f"{dimension['fieldName']}:{dimension['granularity']}"
    return dimension["fieldName"]


def _measure_spec(fields_info, name):
    if name == "__count":
        return name
    info = fields_info[name]
    aggregator = "count_distinct" if info["type"] == "many2one" else info["aggregator"]
    return f"{name}:{aggregator}"


def _list_rows(data, list_id):
    """How many records the cells of a list show (its highest position)."""
    positions = [0]
    pattern = re.compile(rf"ODOO\.LIST\(\s*{list_id}\s*,\s*(\d+)")
    for sheet in data["sheets"]:
        for cell in sheet["cells"].values():
            positions += [int(p) for p in pattern.findall(cell.get("content", ""))]
    return max(positions)


def dashboard_requests(env, data, today=None):
    """Runs the data requests of the dashboard ``data`` in ``env`` (its user,
    companies and context as the web client's) and returns their results:
    {"pivots": {id: {groupby tuple: read_group rows}}, "lists": {id:
    records}, "charts": {figure id: web_read_group result}, "requests": n}."""
    today = today or fields.Date.context_today(env.user)
    models = set()
    for pivot in data.get("pivots", {}).values():
        models.add(pivot["model"])
    for list_ in data.get("lists", {}).values():
        models.add(list_["model"])
    charts = [
        figure
        for sheet in data["sheets"]
        for figure in sheet["figures"]
        if figure["tag"] == "chart" and figure["data"]["type"].startswith("odoo_")
    ]
    for chart in charts:
        models.add(chart["data"]["metaData"]["resModel"])
    fields_info = {model: env[model].fields_get() for model in sorted(models)}
    requests = len(models)
    result = {"pivots": {}, "lists": {}, "charts": {}}

    for pivot_id, pivot in data.get("pivots", {}).items():
        model = env[pivot["model"]]
        domain = list(pivot["domain"]) + filter_domain(
            data, pivot.get("fieldMatching", {}), today
        )
        measures = [
            _measure_spec(fields_info[pivot["model"]], m["fieldName"])
            for m in pivot["measures"]
        ]
        rows = [_groupby(d) for d in pivot["rows"]]
        cols = [_groupby(d) for d in pivot["columns"]]
        groups = {}
        for i in range(len(rows) + 1):
            for j in range(len(cols) + 1):
                groupby = tuple(rows[:i] + cols[:j])
                if groupby not in groups:
                    groups[groupby] = model.read_group(
                        domain, measures, list(groupby), lazy=False
                    )
                    requests += 1
        result["pivots"][pivot_id] = groups

    for list_id, list_ in data.get("lists", {}).items():
        model = env[list_["model"]]
        domain = list(list_["domain"]) + filter_domain(
            data, list_.get("fieldMatching", {}), today
        )
        info = fields_info[list_["model"]]
        spec = {}
        for name in list_["columns"]:
            spec[name] = (
                {"fields": {"display_name": {}}}
                if info[name]["type"] == "many2one"
                else {}
            )
            currency = info[name].get("currency_field")
            if info[name]["type"] == "monetary" and currency:
                spec[currency] = {"fields": {"display_name": {}}}
        order = ", ".join(
            f"{o['name']} {'ASC' if o.get('asc') else 'DESC'}" for o in list_["orderBy"]
        )
        records = model.web_search_read(
            domain, spec, order=order, limit=_list_rows(data, list_id)
        )
        requests += 1
        result["lists"][list_id] = records["records"]

    for chart in charts:
        meta = chart["data"]["metaData"]
        params = chart["data"]["searchParams"]
        model = env[meta["resModel"]].with_context(fill_temporal=True)
        domain = list(params["domain"]) + filter_domain(
            data, chart["data"].get("fieldMatching", {}), today
        )
        measures = ["__count"]
        if meta["measure"] != "__count":
            measures.append(
                _measure_spec(fields_info[meta["resModel"]], meta["measure"])
            )
        result["charts"][chart["id"]] = model.web_read_group(
            domain, measures, meta["groupBy"], lazy=False
        )
        requests += 1
    result["requests"] = requests
    return result
