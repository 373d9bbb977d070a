# Pebblebed: `make run` boots the guest shell, `make test` runs every test.
# Guests (examples/) are freestanding 32-bit i386 ELF built with the host C compiler;
# the kernel is a Swift package.

SWIFT    ?= swift
BUILD    := $(CURDIR)/build
RAMDISK  := $(BUILD)/ramdisk
RELEASE  := .build/release/pebblebed
DEBUG    := .build/debug/pebblebed

.PHONY: all guests kernel kernel-debug run test bench soak fuzz clean check-tools

all: guests kernel

check-tools:
	@./scripts/check-tools

guests: check-tools
	@$(MAKE) --no-print-directory -C examples BUILD=$(BUILD)

kernel:
	$(SWIFT) build -c release --product pebblebed

kernel-debug:
	$(SWIFT) build --build-tests

run: guests kernel
	$(RELEASE) --ramdisk $(RAMDISK)

test: guests kernel-debug
	PEBBLEBED_RAMDISK=$(RAMDISK) $(SWIFT) test --skip-build
	python3 -m unittest discover -s bench

bench: guests kernel
	@./scripts/bench

clean:
	rm -rf $(BUILD) .build
