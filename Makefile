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

bench: guests kernel
	@./scripts/bench

# Longer guard-rail runs on the release kernel (README, "Guard rails"): one long seeded fuzz
# run, or rounds of fuzzing with fresh seeds and memory sizes plus every exhaustion program.
FUZZ_CALLS  ?= 2000000
FUZZ_SEED   ?= 1
SOAK_ROUNDS ?= 10

fuzz: guests kernel
	$(RELEASE) run --ramdisk $(RAMDISK) --audit fuzz $(FUZZ_CALLS) $(FUZZ_SEED) 8 4

soak: guests kernel
	@./scripts/soak $(RELEASE) $(RAMDISK) $(SOAK_ROUNDS)

clean:
	rm -rf $(BUILD) .build
