//! Threading rules without I/O: ticket numbers in subjects, the Message-IDs we generate, the
//! References chain of a reply, and cutting quoted history off inbound replies.

use regex::Regex;
use std::sync::OnceLock;
use uuid::Uuid;

/// The line every outgoing body starts with; an inbound reply is cut where it appears.
pub const REPLY_MARKER: &str = "##- Please type your reply above this line -##";

/// Most ids kept in an outgoing References header (the first plus the latest ones).
const MAX_REFERENCES: usize = 20;

/// The ticket sequence named in a subject such as `Re: [TK-000042] Lift stuck` or
/// `[#TK-42]` (the number inside square brackets, `#` optional, case-insensitive).
pub fn subject_ticket_seq(subject: &str) -> Option<i64> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"(?i)\[\s*#?\s*TK-0*(\d{1,15})\s*\]").expect("valid ticket-number pattern")
    });
    re.captures(subject)?.get(1)?.as_str().parse().ok()
}

/// A new Message-ID (without brackets) in the domain of the sending address.
pub fn new_message_id(ticket_number: &str, from_address: &str) -> String {
    let domain = from_address
        .rsplit_once('@')
        .map(|(_, d)| d.trim())
        .filter(|d| {
            !d.is_empty()
                && d.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-".contains(c))
        })
        .unwrap_or("fieldpath.invalid");
    format!(
        "{}.{}@{}",
        ticket_number.to_ascii_lowercase(),
        Uuid::new_v4().simple(),
        domain
    )
}

/// The References of a reply to a thread whose ids are `thread` (oldest first): the first id
/// and the latest ones, so the header stays bounded on long conversations.
pub fn references(thread: &[String]) -> Vec<String> {
    if thread.len() <= MAX_REFERENCES {
        return thread.to_vec();
    }
    let mut out = vec![thread[0].clone()];
    out.extend_from_slice(&thread[thread.len() - (MAX_REFERENCES - 1)..]);
    out
}

/// The new text of an inbound reply: everything above our reply marker, without a trailing
/// quoted block (`> ...` lines and the "On <date>, <who> wrote:" line before them).
pub fn strip_quoted(body: &str) -> String {
    let above = match body.find(REPLY_MARKER) {
        Some(at) => &body[..at],
        None => body,
    };
    let mut lines: Vec<&str> = above.lines().collect();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let quoted_tail = lines
        .iter()
        .rev()
        .take_while(|l| l.trim_start().starts_with('>') || l.trim().is_empty())
        .count();
    if quoted_tail > 0 && quoted_tail < lines.len() {
        lines.truncate(lines.len() - quoted_tail);
        if lines
            .last()
            .is_some_and(|l| l.trim_end().ends_with("wrote:"))
        {
            lines.pop();
        }
    }
    // A marker line quoted by the mail client ("> ##- Please type ...") leaves a bare prefix.
    while lines
        .last()
        .is_some_and(|l| l.trim().is_empty() || l.trim().trim_start_matches('>').trim().is_empty())
    {
        lines.pop();
    }
    let text = lines.join("\n");
    if text.trim().is_empty() {
        body.trim().to_string()
    } else {
        text.trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_numbers_in_subjects() {
        assert_eq!(subject_ticket_seq("Re: [TK-000042] Lift stuck"), Some(42));
        assert_eq!(subject_ticket_seq("AW: [#tk-7] x"), Some(7));
        assert_eq!(subject_ticket_seq("TK-42 without brackets"), None);
        assert_eq!(subject_ticket_seq("[TK-] nothing"), None);
    }

    #[test]
    fn message_ids_use_the_sender_domain() {
        let id = new_message_id("TK-000001", "help@desk.example");
        assert!(
            id.starts_with("tk-000001.") && id.ends_with("@desk.example"),
            "{id}"
        );
        assert!(new_message_id("TK-1", "broken").ends_with("@fieldpath.invalid"));
    }

    #[test]
    fn references_stay_bounded() {
        let ids: Vec<String> = (0..50).map(|i| format!("m{i}@x")).collect();
        let refs = references(&ids);
        assert_eq!(refs.len(), MAX_REFERENCES);
        assert_eq!(refs[0], "m0@x");
        assert_eq!(refs.last().map(String::as_str), Some("m49@x"));
    }

    #[test]
    fn quoted_history_is_cut() {
        let body = format!(
            "Thanks, it works now.\n\nOn Mon, 1 Jan 2030, Support wrote:\n> {REPLY_MARKER}\n> Hello\n"
        );
        assert_eq!(strip_quoted(&body), "Thanks, it works now.");
        let top = format!("New info here\n{REPLY_MARKER}\nold text");
        assert_eq!(strip_quoted(&top), "New info here");
        assert_eq!(strip_quoted("> only quotes"), "> only quotes");
    }
}
