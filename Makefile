# The two commands a new user needs: `make demo` and `make test`. Both install what is missing
# (Debian packages, via scripts/install-deps.sh), then build into build/.
# `make test-sanitize` runs the whole suite under ASan and UBSan (clang, build-sanitize/), and
# `make fuzz` runs each libFuzzer target for FUZZ_SECONDS (same build folder).
BUILD_DIR ?= build
# WERROR=ON turns compiler warnings into errors (CI does).
WERROR ?= OFF
SANITIZE_DIR ?= build-sanitize
JOBS ?= $(shell nproc)
DEMO_OUT ?= demo-out
FUZZ_SECONDS ?= 60

.PHONY: all deps configure build test demo bench clean configure-sanitize test-sanitize fuzz

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCXRVQA_WERROR=$(WERROR) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD_DIR)/cxrvqa $(DEMO_OUT)

bench: build
	@bash scripts/bench.sh $(BUILD_DIR)

# One clang build with ASan, UBSan and libFuzzer's coverage serves both targets below.
configure-sanitize: deps
	@cmake -S . -B $(SANITIZE_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
	  -DCXRVQA_SANITIZE=ON -DCXRVQA_BUILD_FUZZ=ON -DCXRVQA_BUILD_BENCH=OFF -DCXRVQA_WERROR=$(WERROR) >/dev/null

# Any sanitizer report fails its test (halt_on_error; UBSan does not recover).
test-sanitize: configure-sanitize
	@cmake --build $(SANITIZE_DIR) -j $(JOBS)
	@cd $(SANITIZE_DIR) && ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

fuzz: configure-sanitize
	@cmake --build $(SANITIZE_DIR) -j $(JOBS) --target fuzzers
	@bash scripts/fuzz.sh $(SANITIZE_DIR) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR) $(DEMO_OUT)
