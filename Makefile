# The two commands a new user needs: `make demo` and `make test`. Both install what is missing
# (Debian packages, via scripts/install-deps.sh), then build into build/.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
DEMO_OUT ?= demo-out

.PHONY: all deps configure build test demo bench clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD_DIR)/cxrvqa $(DEMO_OUT)

bench: build
	@bash scripts/bench.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(DEMO_OUT)
