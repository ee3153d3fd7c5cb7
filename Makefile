# cdw — the tool and the meter point readings warehouse it builds.
#
#   make demo   the main job on the embedded DuckDB default, with generated sample data
#   make test   every test (PostgreSQL on 127.0.0.1:5432 or $CDW_TEST_POSTGRES_URL)
#   make bench  benchmarks (timings never run in `make test`)

GO      ?= go
BIN     := bin/cdw
SAMPLE  := .cdw/sample
export CGO_ENABLED := 1

# The billing-platform simulator of the demo, and the credentials it and
# `cdw extract billing` share (demo values; set your own in the environment).
SIM_ADDR := 127.0.0.1:8089
SIM_LOG  := .cdw/billingsim.log
export CDW_BILLING_TOKEN        ?= demo-public-token
export CDW_BILLING_USERNAME     ?= demo-service
export CDW_BILLING_PASSWORD     ?= demo-password
export CDW_BILLING_PUBLIC_URL   ?= http://$(SIM_ADDR)
export CDW_BILLING_INTERNAL_URL ?= http://$(SIM_ADDR)/api

# "Today" for the EAC/AQ models in the demo: the simulator's data date (its
# default --as-of), so live registers, today's coefficients and the
# estimates in force are those of the sample data.
DEMO_AS_OF := 2024-06-30

.PHONY: all build demo demo-billing test bench lint clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/cdw

# The daily job end to end on the `local` target (DuckDB file under .cdw/):
# generate sample flows, migrate the raw schema, land the files, extract 50
# accounts from the billing-platform simulator, then build every model and
# run every test. Re-running it is safe: files already loaded are skipped,
# accounts with nothing new write nothing, and the models converge.
demo: build
	$(BIN) sample --out $(SAMPLE) --seed 1
	$(BIN) migrate up
	$(BIN) extract --from $(SAMPLE)
	@$(MAKE) --no-print-directory demo-billing
	$(BIN) build --vars '{as_of_date: "$(DEMO_AS_OF)"}'
	$(BIN) show --inline "select source, count(*) as readings, sum(case when is_valid then 1 else 0 end) as valid from {{ ref('readings_valid') }} group by source order by source"
	$(BIN) show --inline "select local_date, count(*) as meters, min(periods) as min_periods, max(periods) as max_periods from {{ ref('daily_consumption') }} where local_date in ('2023-03-26', '2023-10-29') group by local_date order by local_date"
	$(BIN) show --inline "select fuel, ca_source, count(*) as accounts, round(avg(ca_value)) as avg_kwh_a_year from {{ ref('account_consumption_accuracy') }} group by fuel, ca_source order by fuel, ca_source"

# The API path: start the simulator in the background, wait until it
# listens, extract accounts 1-50 from it, stop it (also on failure).
demo-billing:
	@mkdir -p .cdw
	@set -e; \
	$(BIN) sample api --listen $(SIM_ADDR) --seed 1 > $(SIM_LOG) 2>&1 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null || true' EXIT; \
	i=0; until grep -q 'listening on' $(SIM_LOG); do \
		i=$$((i+1)); if [ $$i -gt 100 ] || ! kill -0 $$pid 2>/dev/null; then cat $(SIM_LOG); exit 1; fi; sleep 0.1; \
	done; \
	cat $(SIM_LOG); \
	echo "$(BIN) extract billing --accounts 1-50"; \
	$(BIN) extract billing --accounts 1-50

test:
	$(GO) test -count=1 -timeout 15m ./...

# Benchmarks (BENCHMARKS.md): the Go micro-benchmarks of the hot paths
# (DAG, properties YAML, extractor parsing), then bin/cdwbench, which
# generates its inputs deterministically under $(BENCH_WORK) (outside the
# repository), measures cdw side by side with psql \copy, DuckDB's CSV
# reader and Dataform (installed with npm when available, else skipped),
# prints a table of medians, min/max and ratios and writes it to
# target/bench/results.md. The defaults fit ~15 minutes on 2 cores; the
# issue's full sizes: make bench BENCH_FLAGS='-rows 10000000 -b4rows
# 10000000 -b4runs 3'.
BENCH_WORK  ?= /tmp/cdw-bench
BENCH_FLAGS ?=
bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./internal/dag/ ./internal/config/ ./extractors/d0010/ ./extractors/halfhourly/
	$(GO) build -o bin/cdwbench ./bench/cdwbench
	bin/cdwbench -cdw $(BIN) -work $(BENCH_WORK) $(BENCH_FLAGS)

lint:
	@test -z "$$(gofmt -l cmd internal extractors)" || (gofmt -l cmd internal extractors; exit 1)
	$(GO) vet ./...

clean:
	rm -rf bin .cdw target
