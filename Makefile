# Everything runs against the `odoo` command on PATH (or ODOO_BIN) and a
# PostgreSQL server (PGHOST...) or a throwaway one under .local/pg.
.PHONY: serve test bench lint clean

serve:        ## Odoo with key_account and demo data on http://localhost:8069
	scripts/serve.sh

test:         ## ruff, pylint-odoo and the Odoo tests; ends with "N passed, N failed"
	scripts/test.sh

bench:        ## every benchmark on generated data (see README, "Tests and benchmarks")
	scripts/bench.sh

clean:        ## stop the throwaway PostgreSQL and remove it and .local/
	bash -c 'source scripts/env.sh && ka_stop_local_pg'
	rm -rf .local
