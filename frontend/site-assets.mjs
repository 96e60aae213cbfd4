// Names the site's bundle and stylesheet after their content and compresses them, so that the
// server can cache them for a year and send each browser the smallest copy it reads
// (server/src/assets.rs).
//
//   node frontend/site-assets.mjs [site root, default target/site]
//
// From pkg/sharewell.js, pkg/sharewell_bg.wasm and pkg/sharewell.css (what wasm-bindgen and
// the style build write) it writes pkg/sharewell.<hash>.{js,wasm,css}, a brotli (.br) and a
// gzip (.gz) copy of each, and hash.txt in the site root (`js: <hash>` and so on, the format
// leptos' HydrationScripts reads). Hashed files of earlier builds are removed. A file not built
// yet is left out (hash.txt then names only what exists; the server uses hashed names for the
// script only when both the script and the wasm are named).
//
// The lazily loaded modules wasm-split wrote (pkg/split_*.wasm and pkg/chunk_*.wasm) get hashed
// names too, and their loader, pkg/__wasm_split.js, is rewritten to fetch those and to import
// the hashed script. The loader keeps its name (the script imports it by that name), so the
// server has browsers check it again on every use; it is small.
//
// Prints the sizes of each first load (the main module alone, as the sign-in page loads it;
// with each lazily loaded module and what it needs), and writes them to first-load.json in the
// site root for `make bench`.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const siteRoot = process.argv[2] ?? "target/site";
const pkg = join(siteRoot, "pkg");
const name = "sharewell";
const loader = "__wasm_split.js";
// Hash key in hash.txt, the file the build writes, and the hashed file's extension.
const sources = [
  ["js", `${name}.js`, "js"],
  ["wasm", `${name}_bg.wasm`, "wasm"],
  ["css", `${name}.css`, "css"],
];
const module = /^(split_\w+|chunk_\d+)\.wasm$/;
const hashed = /^(sharewell|split_\w+|chunk_\d+)\.[0-9a-f]{16}\.(js|wasm|css)(\.br|\.gz)?$/;

const keep = new Set();
/** Writes `content` as `file` with its brotli and gzip copies; returns [raw, gzip, brotli]. */
function publish(file, content, text) {
  const brotli = brotliCompressSync(content, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
      [constants.BROTLI_PARAM_MODE]: text ? constants.BROTLI_MODE_TEXT : constants.BROTLI_MODE_GENERIC,
    },
  });
  const gzip = gzipSync(content, { level: 9 });
  writeFileSync(join(pkg, file), content);
  writeFileSync(join(pkg, `${file}.br`), brotli);
  writeFileSync(join(pkg, `${file}.gz`), gzip);
  for (const written of [file, `${file}.br`, `${file}.gz`]) keep.add(written);
  return [content.length, gzip.length, brotli.length];
}
const hashOf = (content) => createHash("sha256").update(content).digest("hex").slice(0, 16);

const lines = [];
const table = [];
const hashes = {};
for (const [key, source, extension] of sources) {
  const path = join(pkg, source);
  if (!existsSync(path)) continue;
  const content = readFileSync(path);
  const hash = hashOf(content);
  hashes[key] = hash;
  const file = `${name}.${hash}.${extension}`;
  table.push([file, ...publish(file, content, extension !== "wasm")]);
  lines.push(`${key}: ${hash}`);
}

// The lazily loaded modules, and the loader rewritten to fetch them by their hashed names.
const renamed = {};
const sizes = {};
for (const file of readdirSync(pkg).filter((file) => module.test(file))) {
  const content = readFileSync(join(pkg, file));
  const stem = file.replace(/\.wasm$/, "");
  renamed[stem] = `${stem}.${hashOf(content)}.wasm`;
  sizes[stem] = publish(renamed[stem], content, false);
}
const loaderPath = join(pkg, loader);
const split = existsSync(loaderPath) && hashes.js;
if (split) {
  // Matches the names as wasm-split wrote them and as an earlier run rewrote them.
  const text = readFileSync(loaderPath, "utf8")
    .replace(/\.\/sharewell(\.[0-9a-f]{16})?\.js/g, `./${name}.${hashes.js}.js`)
    .replace(/\.\/(split_\w+?|chunk_\d+)(\.[0-9a-f]{16})?\.wasm/g, (whole, stem) => `./${renamed[stem] ?? whole.slice(2)}`);
  table.push([loader, ...publish(loader, Buffer.from(text), true)]);
}

for (const file of readdirSync(pkg)) {
  if (hashed.test(file) && !keep.has(file)) rmSync(join(pkg, file));
}
writeFileSync(join(siteRoot, "hash.txt"), `${lines.join("\n")}\n`);

// What each lazily loaded module needs: itself and the chunks its loader waits for, in turn.
const firstLoads = {};
const add = (a, b) => a.map((size, i) => size + b[i]);
const main = table.reduce((total, [, ...row]) => add(total, row), [0, 0, 0]);
firstLoads["sign-in page (main module)"] = main;
if (split) {
  const text = readFileSync(loaderPath, "utf8");
  const deps = {};
  for (const [, stem, list] of text.matchAll(
    /(?:export )?const \w+ = (?:wrapAsyncCb\()?makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\.\/(\w+)[^"]*", import\.meta\.url\)\);[\s\S]*?\n, \[([^\]]*)\]/g,
  )) {
    deps[stem] = list.split(",").map((dep) => dep.trim().replace(/^__/, "")).filter(Boolean);
  }
  for (const stem of Object.keys(sizes).filter((stem) => stem.startsWith("split_"))) {
    const needed = new Set();
    const visit = (each) => {
      if (needed.has(each)) return;
      needed.add(each);
      (deps[each] ?? []).forEach(visit);
    };
    visit(stem);
    // `split_signed_in_pages_<n>` (a lazy function) reads "signed in pages";
    // `split___offer_route_view_<n>` (a lazy route) reads "offer page".
    const named = stem.replace(/^split_+/, "").replace(/_\d+$/, "").replace(/_route_view$/, "_page");
    const label = `${named.replaceAll("_", " ")} (+ ${needed.size} modules)`;
    firstLoads[label] = [...needed].reduce((total, each) => add(total, sizes[each] ?? [0, 0, 0]), main);
  }
}
writeFileSync(join(siteRoot, "first-load.json"), `${JSON.stringify(firstLoads, null, 2)}\n`);

const pad = (value, width) => String(value).padStart(width);
console.log(`${"asset".padEnd(44)}${pad("raw", 10)}${pad("gzip", 10)}${pad("brotli", 10)}`);
for (const [file, ...row] of table) {
  console.log(`${file.padEnd(44)}${row.map((size) => pad(size, 10)).join("")}`);
}
for (const [label, row] of Object.entries(firstLoads)) {
  console.log(`${`first load: ${label}`.padEnd(44)}${row.map((size) => pad(size, 10)).join("")}`);
}
