# Sharewell: `make run` serves it, `make test` checks everything. Both install what is missing
# first (Debian packages, npm packages, the Python venv, wasm-bindgen-cli, wasm-split-cli) and are
# safe to run again.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

# wasm-bindgen-cli must match the wasm-bindgen version locked in Cargo.lock exactly.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/[^0-9.]/, ""); print }' Cargo.lock)
# wasm-split-cli (frontend/build.sh) comes with the wasm_split_cli_support crate; it must read
# the split points of the wasm_split_helpers version that leptos locks in Cargo.lock.
WASM_SPLIT_VERSION := $(shell awk '/^name = "wasm_split_helpers"$$/ { getline; gsub(/[^0-9.]/, ""); print }' Cargo.lock)
# python3-venv: Debian's python3 cannot create end2end/.venv (for the Cloudflare Python SDK) without it.
APT_PACKAGES := rustc-web cargo-web rust-web-src chromium python3-venv postgresql
NPM_FOLDERS := frontend style end2end

.PHONY: run release test deps apt-packages site docs-ui css wasm check rust-tests postgres-tests browser-tests schemathesis clean-site bench

## run: build everything and serve on 127.0.0.1:3000 with the SQLite database in data/
# The same (debug) server build the tests use: a cold release build takes over 10 minutes on
# two cores. With nothing changed it serves within seconds (frontend/build.sh skips the wasm
# post-processing when the site already holds the current build). For production: `make release`.
run: deps site
	cargo build --locked -p server
	./target/debug/sharewell serve

## release: the optimised server (target/release/sharewell) and site (target/site) for a
## deployment (see deploy/ and the README's Deployment section)
# The site is always built optimised (the wasm-release profile); only the server differs.
release: deps site
	cargo build --locked --release -p server

## test: formatting, lints, every Rust test (the HTTP tests on SQLite, then again on
## PostgreSQL), then the browser tests against the built site
test: deps site check rust-tests postgres-tests browser-tests schemathesis

check:
	cargo fmt --all --check
	cargo clippy --locked --all-targets -- -D warnings


rust-tests:
	cargo test --locked

# A throwaway PostgreSQL cluster (Debian's postgresql, on port 54329, data in a temporary
# folder, removed afterwards); every HTTP test then runs against it, each app in a fresh
# database. initdb refuses to run as root, so as root the cluster belongs to `postgres`.
# `--test http` with the default members selects the same packages as `rust-tests`, so the
# test binary built there is reused (`-p server` would unify features differently and relink).
postgres-tests:
	@bin=$$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1); \
	dir=$$(mktemp -d); as_owner=""; \
	if [ "$$(id -u)" = 0 ]; then chown postgres "$$dir"; as_owner="runuser -u postgres --"; fi; \
	trap 'if [ -f "$$dir/data/postmaster.pid" ]; then $$as_owner "$$bin/pg_ctl" -D "$$dir/data" -m fast stop > /dev/null || true; fi; rm -rf "$$dir"' EXIT; \
	$$as_owner "$$bin/initdb" -D "$$dir/data" -A trust -U postgres > "$$dir/initdb.log"; \
	$$as_owner "$$bin/pg_ctl" -D "$$dir/data" -l "$$dir/server.log" -w -t 120 start \
	  -o "-p 54329 -k '$$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" > /dev/null; \
	SHAREWELL_TEST_POSTGRES=postgres://postgres@127.0.0.1:54329/postgres cargo test --locked --test http

browser-tests:
	cargo build --locked -p server
	npm test --prefix end2end

## bench: a release build measured beside a bare axum + sqlx handler on the same SQLite file
## (server/src/bin/bench.rs; BENCH_ROWS=1000000 BENCH_SECS=5 BENCH_CONCURRENCY=32). The bundle
## row reads target/site/pkg as the last `make site` left it.
bench:
	cargo build --release --locked -p server
	./target/release/bench

# schemathesis (end2end/.venv) against each of the six OpenAPI documents, with a real token:
# no server error, no answer that breaks its own schema.
schemathesis:
	cargo build --locked -p server
	end2end/schemathesis.sh

## site: the wasm client, its JS glue and the CSS under target/site, plus public/ and the
## API documents' viewer
site: wasm css docs-ui
	cp -r public/. target/site/

# Swagger UI from npm (frontend/package.json), served at /docs: copied, never fetched from a CDN.
docs-ui: frontend/node_modules/.installed
	mkdir -p target/site/docs-ui
	cp frontend/node_modules/swagger-ui-dist/{swagger-ui-bundle.js,swagger-ui.css,LICENSE} target/site/docs-ui/

wasm:
	bash frontend/build.sh

# site-assets.mjs: the stylesheet under its content-hashed name, compressed (and hash.txt).
css:
	cargo run --locked --quiet -p style --bin build-css
	node frontend/site-assets.mjs target/site

deps: apt-packages $(addsuffix /node_modules/.installed,$(NPM_FOLDERS)) end2end/.venv/.installed
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
	  cargo install wasm-bindgen-cli --version "$(WASM_BINDGEN_VERSION)"; \
	fi
	@if ! cargo install --list | grep -qx "wasm_split_cli_support v$(WASM_SPLIT_VERSION):"; then \
	  echo "installing wasm-split-cli $(WASM_SPLIT_VERSION)"; \
	  cargo install --locked wasm_split_cli_support --version "$(WASM_SPLIT_VERSION)" --features build-binary; \
	fi

# A target of its own so that the venv below can wait for python3-venv (prerequisites are built
# before the recipe of `deps`, so the check cannot stay in that recipe).
apt-packages:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' "$$package" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

# The Cloudflare Python SDK for end2end/tests/cloudflare-python.test.mjs, in a venv of its own
# (Debian's python3 refuses `pip install` outside one). Reinstalled only when the pins change.
# Order-only on apt-packages: python3-venv must be there, but installing it is no reason to rebuild.
end2end/.venv/.installed: end2end/python/requirements.txt | apt-packages
	python3 -m venv end2end/.venv && end2end/.venv/bin/pip install -q -r end2end/python/requirements.txt && touch $@

# Install only when the lock file changed since the last install. `npm install` rather than
# `npm ci`: the registry here lacks Tailwind's optional packages for other platforms, which
# `npm ci` insists on; with exact versions and the committed lock the result is the same.
%/node_modules/.installed: %/package-lock.json
	npm install --prefix $* --no-audit --no-fund
	touch $@
