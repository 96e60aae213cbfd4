//! `build-css`: builds the site's stylesheet with the Tailwind v4 engine from npm.
//!
//! Scans `app/src` for the class names used in `view!` markup, hands exactly those to the
//! Tailwind CLI (no filesystem scanning on its side), writes the CSS into the site root, and
//! fails when a class produced no CSS, so a typo in a class name breaks the build instead of
//! silently unstyling a page.
//!
//! Where class names are found (see [`extract`]): `class="…"`, `class=("…", …)`,
//! `class:name=…`, and string constants named `*_CLASS` or `*_CLASSES` for classes chosen at
//! run time.

mod escape;
mod extract;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::{env, fs};

/// Classes that only mark an element for their descendants' variants and emit no CSS.
const MARKER_CLASSES: [&str; 2] = ["group", "peer"];

fn main() -> ExitCode {
    match run() {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("build-css: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<String, String> {
    let root = workspace_root();
    let sources = root.join("app/src");
    let output = root.join("target/site/pkg/sharewell.css");

    let mut classes = BTreeSet::new();
    for file in rust_files(&sources)? {
        let text =
            fs::read_to_string(&file).map_err(|e| format!("reading {}: {e}", file.display()))?;
        classes.extend(extract::class_names(&text));
    }

    let style_dir = root.join("style");
    let theme = fs::read_to_string(style_dir.join("input.css"))
        .map_err(|e| format!("reading style/input.css: {e}"))?;
    // The generated input sits beside style/node_modules so that `@import "tailwindcss"` resolves.
    let build_dir = style_dir.join(".build");
    fs::create_dir_all(&build_dir).map_err(|e| format!("creating {}: {e}", build_dir.display()))?;
    let input = build_dir.join("input.css");
    fs::write(&input, tailwind_input(&classes, &theme))
        .map_err(|e| format!("writing {}: {e}", input.display()))?;

    if let Some(folder) = output.parent() {
        fs::create_dir_all(folder).map_err(|e| format!("creating {}: {e}", folder.display()))?;
    }
    let cli = style_dir.join("node_modules/.bin/tailwindcss");
    if !cli.exists() {
        return Err(format!("{} is missing: run `npm ci --prefix style` first", cli.display()));
    }
    let status = Command::new(&cli)
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .arg("--minify")
        .current_dir(&style_dir)
        .status()
        .map_err(|e| format!("running {}: {e}", cli.display()))?;
    if !status.success() {
        return Err(format!("the Tailwind CLI failed ({status})"));
    }

    let css =
        fs::read_to_string(&output).map_err(|e| format!("reading {}: {e}", output.display()))?;
    let missing: Vec<&str> = classes
        .iter()
        .map(String::as_str)
        .filter(|class| !MARKER_CLASSES.contains(class))
        .filter(|class| !css.contains(&format!(".{}", escape::css_identifier(class))))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "these classes used in app/src produced no CSS (typo, or not a Tailwind utility): {}",
            missing.join(", ")
        ));
    }
    Ok(format!("{}: {} classes, {} bytes", output.display(), classes.len(), css.len()))
}

fn tailwind_input(classes: &BTreeSet<String>, theme: &str) -> String {
    let inline = classes.iter().map(String::as_str).collect::<Vec<_>>().join(" ");
    format!("@import \"tailwindcss\" source(none);\n@source inline(\"{inline}\");\n\n{theme}")
}

/// The workspace root: the parent of this crate's folder, wherever the binary is run from.
fn workspace_root() -> PathBuf {
    env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .and_then(|dir| dir.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."))
}

fn rust_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    let entries = fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("reading {}: {e}", dir.display()))?.path();
        if path.is_dir() {
            files.extend(rust_files(&path)?);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
