# The two commands of the README, and the longer runs.
#   make demo   install what is missing, build, start the emulator and the app
#   make test   install what is missing, build, run the whole suite
JOBS ?= 2

.PHONY: all deps build test demo bench fuzz coverage install clean mgmt-table
all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build -j$(JOBS)

test: deps
	@scripts/test.sh

demo: deps
	cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DKINDE_BUILD_TESTS=OFF >/dev/null
	cmake --build build-release -j$(JOBS)
	@scripts/demo.sh build-release

bench: deps
	@scripts/bench.sh

fuzz: deps
	@scripts/fuzz.sh $(FUZZ_SECONDS)

coverage: deps
	@scripts/coverage.sh

install: build
	cmake --install build $(if $(PREFIX),--prefix $(PREFIX))

# Regenerate the Management API table from Kinde's spec (not committed here):
#   make mgmt-table SPEC=path/to/kinde-mgmt-api-specs.yaml
# The committed header is read back first, so existing operations keep their
# enum values (append-only, like kinde_code).
mgmt-table: deps
	@test -n "$(SPEC)" || { echo "usage: make mgmt-table SPEC=path/to/kinde-mgmt-api-specs.yaml"; exit 2; }
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build -j$(JOBS) --target gen-mgmt
	build/tools/gen-mgmt/gen-mgmt $(SPEC) include/kinde/management_ops.h src/mgmt_ops.c \
	  include/kinde/management_ops.h

clean:
	rm -rf build build-* build*.log
