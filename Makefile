# The two commands of the README, and the longer runs.
#   make demo   install what is missing, build, start the emulator and the app
#   make test   install what is missing, build, run the whole suite
#               (REPEAT=N: only unit, attack and integration tests, N times)
#   make fuzz [FUZZ_SECONDS=N], make mutants [MUTANTS="A7 B15a"], make bench
JOBS ?= 2

.PHONY: all deps build test demo bench fuzz mutants coverage install clean
all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build -j$(JOBS)

test: deps
	@scripts/test.sh $(if $(REPEAT),--repeat $(REPEAT))

demo: deps
	cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DKINDE_BUILD_TESTS=OFF >/dev/null
	cmake --build build-release -j$(JOBS)
	@scripts/demo.sh build-release

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

install: build
	cmake --install build $(if $(PREFIX),--prefix $(PREFIX))

clean:
	rm -rf build build-* build*.log
