# rnx — two commands set everything up on a fresh Debian 12 machine with Swift installed:
#   make run    installs missing apt packages, builds release, runs examples/quickstart.rnx
#   make test   installs missing apt packages, runs the whole test suite
# and `make bench` measures rnx against PyTorch on this machine.

APT_PACKAGES := libopenblas-dev libreadline-dev zlib1g-dev libjpeg-dev libpng-dev \
                gnuplot-nox libgnuplot-iostream-dev libboost-iostreams-dev libboost-system-dev \
                libboost-filesystem-dev libdnnl-dev tmux libopenmpi-dev openmpi-bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT_FLAGS := -c release -Xswiftc -enable-testing
RNX := .build/release/rnx

.PHONY: deps build run test bench clean

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

## The quick start: a ResNet on the bundled MNIST-5k digits.
run: build
	$(RNX) run examples/quickstart.rnx

## The whole test suite (release mode: numeric Swift is tens of times slower in debug).
test: deps
	swift build $(SWIFT_FLAGS) --build-tests
	OMP_WAIT_POLICY=passive swift test $(SWIFT_FLAGS) --skip-build

## Benchmarks against PyTorch, measured in the same run.
bench: build
	bash bench/run.sh

clean:
	rm -rf .build
