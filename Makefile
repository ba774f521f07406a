# The two commands of the README:
#   make demo   — install what is missing, build, run the demo
#   make check  — install what is missing, build (normal + ASan/UBSan + fuzz),
#                 run every test through ctest, run each fuzz target briefly
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 5
CMAKE_FLAGS ?=

.PHONY: all deps build asan fuzz-build demo check test test-asan fuzz clean

all: build

deps:
	@scripts/deps.sh

build:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOG_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build build -j $(JOBS)

asan:
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DOG_SANITIZE=ON -DOG_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build build-asan -j $(JOBS)

fuzz-build:
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DOG_FUZZ=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build build-fuzz -j $(JOBS)

test: build
	ctest --test-dir build --output-on-failure -j $(JOBS)

test-asan: asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir build-asan --output-on-failure -j $(JOBS)

fuzz: fuzz-build
	scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS)

demo: deps build
	@scripts/demo.sh build

check: deps
	$(MAKE) test
	$(MAKE) test-asan
	$(MAKE) fuzz

clean:
	rm -rf build build-asan build-fuzz
