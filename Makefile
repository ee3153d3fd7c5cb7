# cdw — the tool and the meter point readings warehouse it builds.
#
#   make demo   the main job on the embedded DuckDB default, with generated sample data
#   make test   every test (PostgreSQL on 127.0.0.1:5432 or $CDW_TEST_POSTGRES_URL)
#   make bench  benchmarks (timings never run in `make test`)

GO      ?= go
BIN     := bin/cdw
SAMPLE  := .cdw/sample
export CGO_ENABLED := 1

.PHONY: all build demo test bench lint clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/cdw

# The daily job end to end on the `local` target (DuckDB file under .cdw/):
# generate sample flows, migrate the raw schema, land the files, then build
# every model and run every test. Re-running it is safe: files already
# loaded are skipped and the models converge.
demo: build
	$(BIN) sample --out $(SAMPLE) --seed 1
	$(BIN) migrate up
	$(BIN) extract --from $(SAMPLE)
	$(BIN) build
	$(BIN) show --inline "select source, count(*) as readings, sum(case when is_valid then 1 else 0 end) as valid from {{ ref('readings_valid') }} group by source"
	$(BIN) show --inline "select local_date, count(*) as meters, min(periods) as min_periods, max(periods) as max_periods from {{ ref('daily_consumption') }} where local_date in ('2023-03-26', '2023-10-29') group by local_date order by local_date"

test:
	$(GO) test -count=1 -timeout 15m ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

lint:
	@test -z "$$(gofmt -l cmd internal extractors)" || (gofmt -l cmd internal extractors; exit 1)
	$(GO) vet ./...

clean:
	rm -rf bin .cdw target
