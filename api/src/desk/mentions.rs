//! `@handle` mentions in notes and replies: a handle is the local part of a user's e-mail
//! (`@ana` mentions `ana@example.com`).

/// The distinct lower-cased handles mentioned in `body`, in order of first appearance.
pub fn handles(body: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let chars: Vec<char> = body.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c != '@' {
            continue;
        }
        // An `@` inside a word (an e-mail address) is not a mention.
        if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '.') {
            continue;
        }
        let handle: String = chars[i + 1..]
            .iter()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+'))
            .collect::<String>()
            .trim_end_matches('.')
            .to_lowercase();
        if !handle.is_empty() && !found.contains(&handle) {
            found.push(handle);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::handles;

    #[test]
    fn finds_handles_but_not_addresses() {
        assert_eq!(
            handles("@Ana please check, cc @bob.smith. Mail me at x@y.z; @ana again"),
            vec!["ana", "bob.smith"]
        );
        assert!(handles("no mentions @ all").is_empty());
    }
}
