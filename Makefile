# The two commands of the README, and the longer runs.
#   make demo   install what is missing, build, start the emulator and the app
#   make test   install what is missing, build, run the whole suite
#               (REPEAT=N: only unit, attack and integration tests, N times)
#   make fuzz [FUZZ_SECONDS=N], make mutants [MUTANTS="A7 B15a"], make bench
#   make install PREFIX=/usr/local   an optimised build (RelWithDebInfo), installed
JOBS ?= 2
# The optimised tree of `make demo` and `make install` (tests point it elsewhere).
RELEASE_DIR ?= build-release

.PHONY: all deps build release test demo bench fuzz mutants coverage install abi-baseline api-reference mgmt-table clean
all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build -j$(JOBS)

release: deps
	cmake -S . -B $(RELEASE_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKINDE_BUILD_TESTS=OFF >/dev/null
	cmake --build $(RELEASE_DIR) -j$(JOBS)

test: deps
	@scripts/test.sh $(if $(REPEAT),--repeat $(REPEAT))

demo: release
	@scripts/demo.sh $(RELEASE_DIR)

bench: deps
	@scripts/bench.sh

fuzz: deps
	@scripts/fuzz.sh $(FUZZ_SECONDS)

# Each docs/SECURITY.md check disabled in turn: the tests must fail
# (scripts/mutants.sh; docs/mutants.md). Not part of make test: 10-30 min.
mutants: deps
	@scripts/mutants.sh $(MUTANTS)

coverage: deps
	@scripts/coverage.sh

install: release
	cmake --install $(RELEASE_DIR) $(if $(PREFIX),--prefix $(PREFIX))

# Rewrite abi/libkinde.abi from the current library, on purpose: after an
# intended break (with the MINOR version raised) or to record additions.
abi-baseline: build
	tests/install/check-abi.sh --update build/src/libkinde.so abi/libkinde.abi include/kinde

# docs/API.md from the comments of the public headers (tests/docs checks it is current).
api-reference:
	scripts/api-reference.sh include/kinde/*.h >docs/API.md

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
