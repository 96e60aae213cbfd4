#!/usr/bin/env bash
# Builds the browser bundle into the site root: target/site/pkg/sharewell{.js,_bg.wasm}, then
# its content-hashed, compressed copies (frontend/site-assets.mjs).
#
# Why not `rustup target add wasm32-unknown-unknown`: this machine reaches no toolchain
# server. Debian's rustc-web ships the std sources, so std is built for wasm with -Z build-std
# (RUSTC_BOOTSTRAP is confined to this one command) in a target folder of its own, since two
# compilers must not share host artifacts. wasm-opt comes from npm's binaryen: Debian's older
# binaryen produces a bundle that fails at start-up.
set -euo pipefail
cd "$(dirname "$0")/.."

site_pkg=target/site/pkg
wasm_target_dir=target/wasm
mkdir -p "$site_pkg"

# Smaller bundle (issue #15; README, Performance): views type-erased (`erase_components`, as
# the server is built too, by .cargo/config.toml: a bundle built with it alone fails to hydrate
# the server's pages); panics trap at once (`immediate-abort`), without their message and
# formatting machinery, and carry no source locations; std's size-optimised algorithms. A
# panic still fails the page, and the browser tests still see it (as "RuntimeError:
# unreachable"). RUSTFLAGS replaces the config's flags, so the cfg is named here again.
#
# The lazily loaded pages (app/src/routes.rs) are cut out of the module by wasm-split, which
# reads the linker's relocations (`--emit-relocs`). Debian's wasm-ld-16 writes relocations it
# cannot read ("Invalid data segment index in symbol"), so the module is linked by the
# rust-lld of the machine's rustup toolchain (LLD 22 with Rust 1.95).
rust_lld="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/rust-lld"
RUSTFLAGS="--cfg erase_components -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Clink-args=--emit-relocs" \
RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$rust_lld" \
CARGO_TARGET_DIR="$wasm_target_dir" \
  /usr/bin/cargo build --locked -p frontend --target wasm32-unknown-unknown \
    -Z build-std=std,panic_abort -Z build-std-features=optimize_for_size \
    --profile wasm-release

# The post-processing below (wasm-bindgen, then wasm-opt) takes over a minute. Cargo leaves its
# output alone when nothing changed, so a stamp newer than that output means the site already
# holds this build. The stamp lives in the site folder: removing target/site redoes it all.
cargo_wasm="$wasm_target_dir/wasm32-unknown-unknown/wasm-release/frontend.wasm"
stamp="$site_pkg/.built-from-wasm"
if [ -f "$stamp" ] && [ "$stamp" -nt "$cargo_wasm" ]; then
  echo "wasm bundle up to date (remove $stamp to rebuild it)"
  exit 0
fi
rm -f "$stamp"

# wasm-split cuts the lazily loaded modules (`split_*.wasm`, and `chunk_*.wasm` for code two
# of them share) out of the main module, and writes the loader that fetches them
# (`__wasm_split.js`, imported by the main script). Modules of an earlier build go first.
split_dir="$wasm_target_dir/split"
rm -rf "$split_dir" && mkdir -p "$split_dir"
rm -f "$site_pkg"/split_* "$site_pkg"/chunk_* "$site_pkg"/__wasm_split.js*
wasm-split-cli --target web --out-name sharewell "$cargo_wasm" "$split_dir"
main_wasm="$wasm_target_dir/split-main.wasm"
mv "$split_dir/sharewell.wasm" "$main_wasm"
mv "$split_dir"/* "$site_pkg"/

# The split modules link to the main module's exports by name, so wasm-bindgen keeps them.
wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle \
  --out-dir "$site_pkg" --out-name sharewell "$main_wasm"

for module in "$site_pkg"/sharewell_bg.wasm "$site_pkg"/split_*.wasm "$site_pkg"/chunk_*.wasm; do
  [ -f "$module" ] || continue
  frontend/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    "$module" -o "$module"
done

# Content-hashed names, brotli and gzip copies, hash.txt; prints (and writes to
# first-load.json) the size of each first load.
node frontend/site-assets.mjs target/site

# Last: the site now holds the build of this cargo output.
touch "$stamp"
