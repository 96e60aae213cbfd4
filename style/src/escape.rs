/// Escapes a class name the way CSS selectors (and Tailwind's output) write it, following the
/// CSSOM `CSS.escape` rules: `hover:bg-x` becomes `hover\:bg-x`, `w-1/2` becomes `w-1\/2`,
/// and a leading digit becomes a code point escape (`2xl:p-4` → `\32 xl\:p-4`).
pub fn css_identifier(name: &str) -> String {
    let mut escaped = String::with_capacity(name.len() + 8);
    for (index, character) in name.chars().enumerate() {
        let leading_digit = index == 0 && character.is_ascii_digit();
        if leading_digit {
            escaped.push_str(&format!("\\{:x} ", character as u32));
        } else if character.is_ascii_alphanumeric()
            || character == '-'
            || character == '_'
            || !character.is_ascii()
        {
            escaped.push(character);
        } else {
            escaped.push('\\');
            escaped.push(character);
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::css_identifier;

    #[test]
    fn variants_and_fractions_are_escaped_like_tailwind_writes_them() {
        assert_eq!(css_identifier("hover:bg-indigo-500"), r"hover\:bg-indigo-500");
        assert_eq!(css_identifier("w-1/2"), r"w-1\/2");
        assert_eq!(css_identifier("py-0.5"), r"py-0\.5");
        assert_eq!(css_identifier("2xl:p-4"), r"\32 xl\:p-4");
        assert_eq!(css_identifier("max-w-[20rem]"), r"max-w-\[20rem\]");
    }
}
