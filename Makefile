# Pebblebed: `make run` boots the guest shell, `make test` runs every test.
# Guests (examples/) are freestanding 32-bit i386 ELF built with the host C compiler;
# the kernel is a Swift package.

SWIFT    ?= swift
BUILD    := $(CURDIR)/build
RAMDISK  := $(BUILD)/ramdisk
RELEASE  := .build/release/pebblebed
DEBUG    := .build/debug/pebblebed

.PHONY: all guests kernel kernel-debug run test bench soak soak-races soak-guard fuzz clean check-tools install install-files

# `make install PREFIX=DIR`: DIR/bin/pebblebed and DIR/share/pebblebed/{ramdisk,include,lib,bin}
# (scripts/install). The build tree has the same layout (build/), so an uninstalled binary
# finds the same things there. INSTALL_BIN picks the binary (the tests install the debug one).
PREFIX      ?= /usr/local
INSTALL_BIN ?= $(RELEASE)

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

# The race suite's correct programs under hundreds of seeds of scheduling chaos each
# (examples/tests/race_*.c; race_readline needs keyboard input, so it is not here).
SOAK_RUNS     ?= 300
SOAK_SEED     ?= 1
SOAK_PROGRAMS := race_mutex_counter race_bounded_buffer race_rwlock race_deschedule \
                 race_fork_storm race_thread_storm race_print
soak-races: guests kernel
	@status=0; for p in $(SOAK_PROGRAMS); do \
	    $(RELEASE) stress --runs $(SOAK_RUNS) --seed $(SOAK_SEED) --jobs 2 --timeout 120 \
	        --ramdisk $(RAMDISK) $$p || status=1; \
	done; exit $$status

# Longer guard-rail runs on the release kernel (README, "Guard rails"): one long seeded fuzz
# run, or rounds of fuzzing with fresh seeds and memory sizes plus every exhaustion program.
FUZZ_CALLS  ?= 2000000
FUZZ_SEED   ?= 1
SOAK_ROUNDS ?= 10

fuzz: guests kernel
	$(RELEASE) run --ramdisk $(RAMDISK) --audit fuzz $(FUZZ_CALLS) $(FUZZ_SEED) 8 4

soak-guard: guests kernel
	@./scripts/soak $(RELEASE) $(RAMDISK) $(SOAK_ROUNDS)

# Both soaks: the race programs under seeded chaos, then the guard rails.
soak: soak-races soak-guard

# (install-files after the build, also under make -j.)
install: guests kernel
	@$(MAKE) --no-print-directory install-files

install-files:
	@./scripts/install $(INSTALL_BIN) $(BUILD) $(PREFIX)

clean:
	rm -rf $(BUILD) .build
