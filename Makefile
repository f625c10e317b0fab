# rnx — two commands set everything up on a fresh Debian 12 machine with Swift installed:
#   make run    installs missing apt packages, builds release, runs examples/quickstart.rnx
#   make test   installs missing apt packages, runs the whole test suite
# and `make bench` measures rnx against PyTorch on this machine.

APT_PACKAGES := libreadline-dev zlib1g-dev libjpeg-dev libpng-dev \
                gnuplot-nox libgnuplot-iostream-dev libboost-iostreams-dev libboost-system-dev \
                libboost-filesystem-dev libdnnl-dev tmux libopenmpi-dev openmpi-bin \
                libzmq3-dev libssl-dev chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT_FLAGS := -c release -Xswiftc -enable-testing
RNX := .build/release/rnx

.PHONY: deps build run test test-venv interop bench format format-check clean

## Install the apt packages that are missing (quiet and quick when all are present).
deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

## Release build of the `rnx` executable and libraries.
build: deps
	swift build $(SWIFT_FLAGS) --product rnx

## Puts rnx on the PATH: the binary into $(DESTDIR)$(PREFIX)/bin, the bundled data sets into
## $(DESTDIR)$(PREFIX)/share/rnx/data (where that rnx looks for them). PREFIX defaults to /usr/local.
PREFIX ?= /usr/local
.PHONY: install
install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/rnx
	install -m 755 $(RNX) $(DESTDIR)$(PREFIX)/bin/rnx
	rm -rf $(DESTDIR)$(PREFIX)/share/rnx/data
	cp -R data $(DESTDIR)$(PREFIX)/share/rnx/data

## The quick start: a ResNet on the bundled MNIST-5k digits.
run: build
	$(RNX) run examples/quickstart.rnx

## The whole test suite (release mode: numeric Swift is tens of times slower in debug). Interop tests drive the real
## Python clients (Jupyter, nbformat, TensorBoard, NumPy) from .venv-test.
test: deps test-venv
	swift build $(SWIFT_FLAGS) --build-tests
	OMP_WAIT_POLICY=passive RNX_TEST_PYTHON=$(CURDIR)/.venv-test/bin/python swift test $(SWIFT_FLAGS) --skip-build

## The virtual environment of the interop tests, from Tests/Python/requirements.txt (recreated when that file changes).
test-venv: .venv-test/installed
.venv-test/installed: Tests/Python/requirements.txt
	rm -rf .venv-test
	python3 -m venv .venv-test
	.venv-test/bin/pip install -q -r Tests/Python/requirements.txt
	touch $@

## PyTorch interop, end to end (opt-in, not part of `make test`): every Tests/Interop/*.py script runs against the
## release rnx with PyTorch, safetensors, NumPy and onnxruntime from .venv-interop (recreated when its requirements change).
interop: build .venv-interop/installed
	RNX=$(CURDIR)/$(RNX) bash Tests/Interop/run.sh
.venv-interop/installed: Tests/Interop/requirements.txt
	rm -rf .venv-interop
	python3 -m venv .venv-interop
	.venv-interop/bin/pip install -q -r Tests/Interop/requirements.txt
	touch $@

## Benchmarks against PyTorch, measured in the same run; ISA=avx2 caps both sides at AVX2.
bench: build
	bash Benchmarks/run.sh $(if $(ISA),--isa $(ISA))

## Formats every Swift file with the toolchain's swift-format and the rules in .swift-format.
format:
	swift format format --in-place --recursive --parallel Package.swift Sources Tests Benchmarks/Package.swift Benchmarks/Sources

## Fails when a Swift file is not formatted (what `make format` would change).
format-check:
	swift format lint --strict --recursive --parallel Package.swift Sources Tests Benchmarks/Package.swift Benchmarks/Sources

## Coverage-guided fuzzing (libFuzzer + AddressSanitizer; not part of `make test`): replays Tests/Fuzz/regressions,
## then fuzzes each target for FUZZ_SECONDS seconds, or FUZZ_RUNS executions when given (FUZZ_SECONDS=0: replay only).
## FUZZ_TARGETS picks targets. Fails when any target crashes, leaks or hangs. See docs/fuzzing.md.
FUZZ_SECONDS ?= 120
FUZZ_RUNS ?=
FUZZ_TARGETS ?= dsl safetensors idx csv image checkpoint
.PHONY: fuzz asan
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) FUZZ_TARGETS="$(FUZZ_TARGETS)" bash Tests/Fuzz/run.sh

## The whole test suite under AddressSanitizer, in its own build directory (ASAN_FILTER=TestClass narrows it).
## Reports do not stop the run (-sanitize-recover), so one run lists every finding. Leak detection is off: the
## XCTest runner and Foundation keep allocations alive until exit; the fuzz targets check for leaks instead.
## Fake stacks (detect_stack_use_after_return) are off: they move locals off the thread's stack, which fools the
## interpreter's address-based stack guard into a real stack overflow.
ASAN_SWIFT_FLAGS := $(SWIFT_FLAGS) --sanitize=address -Xswiftc -sanitize-recover=address --scratch-path .build-asan
asan: deps
	swift build $(ASAN_SWIFT_FLAGS) --build-tests
	ASAN_OPTIONS=halt_on_error=0:detect_leaks=0:detect_stack_use_after_return=0:symbolize=1 OMP_WAIT_POLICY=passive \
		swift test $(ASAN_SWIFT_FLAGS) --skip-build $(if $(ASAN_FILTER),--filter $(ASAN_FILTER))

clean:
	rm -rf .build
