use std::collections::BTreeSet;

/// Every class name the source uses in a place this crate knows to look:
/// - `class="a b"`: static classes;
/// - `class=("a b", condition)`: classes toggled by a condition;
/// - `class:a=condition`: one class toggled by a condition;
/// - `const SOMETHING_CLASS: &str = "a b";` or `…_CLASSES`: classes picked at run time.
pub fn class_names(source: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut add = |list: &str| names.extend(list.split_whitespace().map(str::to_owned));

    for (position, _) in source.match_indices("class=\"") {
        if let Some(list) = string_body(&source[position + "class=".len()..]) {
            add(list);
        }
    }
    for (position, _) in source.match_indices("class=(") {
        let after = source[position + "class=(".len()..].trim_start();
        if let Some(list) = string_body(after) {
            add(list);
        }
    }
    for (position, _) in source.match_indices("class:") {
        let after = &source[position + "class:".len()..];
        let name: String = after.chars().take_while(|&c| !c.is_whitespace() && c != '=').collect();
        if after[name.len()..].trim_start().starts_with('=') && !name.is_empty() {
            add(&name);
        }
    }
    // Constants may be wrapped by rustfmt: the literal can sit on the line after the `=`.
    for (position, _) in source.match_indices("const ") {
        let rest = &source[position + "const ".len()..];
        let Some((name, value)) = rest.split_once(':') else { continue };
        if !(name.ends_with("_CLASS") || name.ends_with("_CLASSES")) {
            continue;
        }
        let Some(assigned) = value.split_once('=').map(|(_, after)| after.trim_start()) else {
            continue;
        };
        if let Some(list) = string_body(assigned) {
            add(list);
        }
    }
    names
}

/// The contents of the string literal `text` starts with (`"…"`), without escapes.
fn string_body(text: &str) -> Option<&str> {
    let body = text.strip_prefix('"')?;
    let end = body.find('"')?;
    Some(&body[..end])
}

#[cfg(test)]
mod tests {
    use super::class_names;

    fn names(source: &str) -> Vec<String> {
        class_names(source).into_iter().collect()
    }

    #[test]
    fn static_class_attributes_are_found() {
        assert_eq!(names(r#"<div class="mt-2 hover:bg-red-500">"#), ["hover:bg-red-500", "mt-2"]);
    }

    #[test]
    fn conditional_classes_in_both_spellings_are_found() {
        assert_eq!(
            names(r#"<li class=("font-bold text-red-700", move || x) class:hidden=y>"#),
            ["font-bold", "hidden", "text-red-700"]
        );
    }

    #[test]
    fn wrapped_class_constants_are_found() {
        let source = "pub const BADGE_CLASSES: &str =\n    \"rounded-full px-2\";";
        assert_eq!(names(source), ["px-2", "rounded-full"]);
    }

    #[test]
    fn runtime_class_constants_are_found_but_other_strings_are_not() {
        let source =
            "const BADGE_CLASSES: &str = \"rounded px-2\";\nconst TITLE: &str = \"Welcome home\";";
        assert_eq!(names(source), ["px-2", "rounded"]);
    }
}
