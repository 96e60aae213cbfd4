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
// script only when both the script and the wasm are named). Prints the sizes.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const siteRoot = process.argv[2] ?? "target/site";
const pkg = join(siteRoot, "pkg");
const name = "sharewell";
// Hash key in hash.txt, the file the build writes, and the hashed file's extension.
const sources = [
  ["js", `${name}.js`, "js"],
  ["wasm", `${name}_bg.wasm`, "wasm"],
  ["css", `${name}.css`, "css"],
];
const hashed = new RegExp(`^${name}\\.[0-9a-f]{16}\\.(js|wasm|css)(\\.br|\\.gz)?$`);

const lines = [];
const keep = new Set();
const table = [];
for (const [key, source, extension] of sources) {
  const path = join(pkg, source);
  if (!existsSync(path)) continue;
  const content = readFileSync(path);
  const hash = createHash("sha256").update(content).digest("hex").slice(0, 16);
  const file = `${name}.${hash}.${extension}`;
  const brotli = brotliCompressSync(content, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
      [constants.BROTLI_PARAM_MODE]:
        extension === "wasm" ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
    },
  });
  const gzip = gzipSync(content, { level: 9 });
  writeFileSync(join(pkg, file), content);
  writeFileSync(join(pkg, `${file}.br`), brotli);
  writeFileSync(join(pkg, `${file}.gz`), gzip);
  for (const written of [file, `${file}.br`, `${file}.gz`]) keep.add(written);
  lines.push(`${key}: ${hash}`);
  table.push([file, content.length, gzip.length, brotli.length]);
}
for (const file of readdirSync(pkg)) {
  if (hashed.test(file) && !keep.has(file)) rmSync(join(pkg, file));
}
writeFileSync(join(siteRoot, "hash.txt"), `${lines.join("\n")}\n`);

const pad = (value, width) => String(value).padStart(width);
console.log(`${"asset".padEnd(36)}${pad("raw", 10)}${pad("gzip", 10)}${pad("brotli", 10)}`);
const total = [0, 0, 0];
for (const [file, ...sizes] of table) {
  sizes.forEach((size, i) => (total[i] += size));
  console.log(`${file.padEnd(36)}${sizes.map((size) => pad(size, 10)).join("")}`);
}
console.log(`${"first load".padEnd(36)}${total.map((size) => pad(size, 10)).join("")}`);
