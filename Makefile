# LSTM Studio — the README's two commands are `make run` and `make test`.
# Every target bootstraps libtorch first (once per user; see scripts/bootstrap.sh).

CARGO ?= cargo
BOOTSTRAP = scripts/bootstrap.sh

.PHONY: bootstrap run build test bench fuzz screenshots install uninstall accuracy clean

bootstrap:
	@bash $(BOOTSTRAP)

## The studio, with the embedded Japanese Vowels data and the canonical network loaded.
run: bootstrap
	$(CARGO) build --release
	./target/release/lstm-studio

build: bootstrap
	$(CARGO) build --release

## What CI runs: formatting, clippy with warnings as errors, every test.
test: bootstrap
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) test

## Benchmarks (not timed tests): studio vs PyTorch eager on the canonical example, CSV loading.
bench: bootstrap
	$(CARGO) build --release --examples
	bash scripts/bench.sh

## The canonical example for five seeds (test accuracy per seed).
accuracy: build
	bash scripts/accuracy.sh

fuzz: bootstrap
	bash scripts/fuzz.sh

## Screenshots of the real app under Xvfb into screenshots/.
screenshots: build
	bash scripts/screenshots.sh

## A per-user install: binary, desktop entry and icon, so the studio starts with a double-click.
install: build
	bash scripts/install.sh

uninstall:
	bash scripts/install.sh --uninstall

clean:
	$(CARGO) clean
