//! Inbound mail as the desk sees it: a raw RFC 5322 message parsed with `mail-parser` into
//! sender, threading ids, text body (text/plain preferred, HTML converted to text), files, and
//! whether it was written by a machine (auto-replies, bounces, bulk mail) and must not open or
//! reopen tickets.

use mail_parser::{HeaderValue, MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

/// A file attached to an inbound message.
#[derive(Debug, Clone)]
pub struct MailFile {
    /// File name (sanitised; `attachment-N` when the sender gave none).
    pub filename: String,
    /// MIME type.
    pub content_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// The parts of an inbound message the desk uses.
#[derive(Debug, Clone)]
pub struct InboundMail {
    /// Message-ID without angle brackets; a hash of the raw bytes when the sender gave none.
    pub message_id: String,
    /// In-Reply-To ids.
    pub in_reply_to: Vec<String>,
    /// References ids, oldest first.
    pub references: Vec<String>,
    /// Sender address, lower-cased.
    pub from_address: Option<String>,
    /// Sender display name.
    pub from_name: Option<String>,
    /// Subject (may be empty).
    pub subject: String,
    /// Text of the message.
    pub body: String,
    /// Attached files.
    pub files: Vec<MailFile>,
    /// Why this is machine-written mail to ignore, if it is.
    pub automatic: Option<&'static str>,
}

/// Parses a raw message; None when it is not a message at all.
pub fn parse(raw: &[u8]) -> Option<InboundMail> {
    let msg = MessageParser::default().parse(raw)?;
    // Random bytes parse as a "message" too: require a sender, subject or Message-ID.
    if msg.root_part().headers.is_empty()
        || (msg.from().is_none() && msg.subject().is_none() && msg.message_id().is_none())
    {
        return None;
    }
    let message_id = msg
        .message_id()
        .map(clean_id)
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| format!("sha256-{:x}@fieldpath.invalid", Sha256::digest(raw)));
    let from = msg.from().and_then(|a| a.first());
    let from_address = from
        .and_then(|a| a.address())
        .map(|a| a.trim().to_lowercase())
        .filter(|a| a.contains('@'));
    let from_name = from
        .and_then(|a| a.name())
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    let mut body = String::new();
    for i in 0..msg.text_body_count() {
        if let Some(text) = msg.body_text(i) {
            if !body.is_empty() {
                body.push_str("\n\n");
            }
            body.push_str(text.trim_end());
        }
    }
    let files = msg
        .attachments()
        .enumerate()
        .map(|(i, part)| MailFile {
            filename: part
                .attachment_name()
                .map(safe_filename)
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| format!("attachment-{}", i + 1)),
            content_type: part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_string(),
                })
                .unwrap_or_else(|| "application/octet-stream".into())
                .to_lowercase(),
            bytes: part.contents().to_vec(),
        })
        .collect();
    let automatic = automatic_reason(&|name| msg.header_raw(name).map(str::to_string))
        .or_else(|| {
            msg.root_part()
                .is_content_type("multipart", "report")
                .then_some("delivery_report")
        })
        .or_else(|| {
            from_address
                .as_deref()
                .filter(|a| is_system_sender(a))
                .map(|_| "system_sender")
        });
    Some(InboundMail {
        message_id,
        in_reply_to: ids(msg.in_reply_to()),
        references: ids(msg.references()),
        from_address,
        from_name,
        subject: msg.subject().unwrap_or_default().trim().to_string(),
        body,
        files,
        automatic,
    })
}

/// Why the headers mark a message as machine-written (RFC 3834 `Auto-Submitted`, the common
/// vendor headers, `Precedence: bulk/junk/list`, Exchange's `X-Auto-Response-Suppress`).
pub fn automatic_reason(header: &dyn Fn(&str) -> Option<String>) -> Option<&'static str> {
    let value = |name: &str| header(name).map(|v| v.trim().to_ascii_lowercase());
    if value("Auto-Submitted").is_some_and(|v| !v.is_empty() && v != "no") {
        return Some("auto_submitted");
    }
    for name in [
        "X-Autoreply",
        "X-Autorespond",
        "X-Auto-Reply",
        "X-Autoresponder",
    ] {
        if value(name).is_some_and(|v| !v.is_empty() && v != "no") {
            return Some("auto_reply");
        }
    }
    if value("Precedence")
        .is_some_and(|v| ["bulk", "junk", "list", "auto_reply"].contains(&v.as_str()))
    {
        return Some("bulk_precedence");
    }
    if value("X-Auto-Response-Suppress").is_some_and(|v| !v.is_empty() && v != "none") {
        return Some("auto_response_suppress");
    }
    None
}

/// Mailer daemons and the like never write to a help desk themselves.
fn is_system_sender(address: &str) -> bool {
    let local = address.split('@').next().unwrap_or_default();
    [
        "mailer-daemon",
        "postmaster",
        "noreply",
        "no-reply",
        "donotreply",
    ]
    .contains(&local)
}

/// The message ids of an In-Reply-To or References header.
fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    let list: Vec<String> = match value {
        HeaderValue::Text(t) => t.split_whitespace().map(clean_id).collect(),
        HeaderValue::TextList(l) => l
            .iter()
            .flat_map(|t| t.split_whitespace())
            .map(clean_id)
            .collect(),
        _ => Vec::new(),
    };
    list.into_iter().filter(|id| !id.is_empty()).collect()
}

/// An id without angle brackets or spaces.
pub fn clean_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_string()
}

/// A file name without path separators or control characters, at most 255 bytes.
fn safe_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut out = String::new();
    for c in base.chars().filter(|c| !c.is_control()) {
        if out.len() + c.len_utf8() > 255 {
            break;
        }
        out.push(c);
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: &str = "From: \"Ann Smith\" <Ann@Example.TEST>\r\nTo: support@desk.test\r\n\
        Subject: Lift stuck\r\nMessage-ID: <abc@example.test>\r\n\
        In-Reply-To: <out-1@desk.test>\r\nReferences: <first@desk.test> <out-1@desk.test>\r\n\r\n\
        The lift is stuck.\r\n";

    #[test]
    fn reads_sender_ids_and_body() {
        let m = parse(PLAIN.as_bytes()).expect("parsed");
        assert_eq!(m.message_id, "abc@example.test");
        assert_eq!(m.from_address.as_deref(), Some("ann@example.test"));
        assert_eq!(m.from_name.as_deref(), Some("Ann Smith"));
        assert_eq!(m.in_reply_to, vec!["out-1@desk.test"]);
        assert_eq!(m.references, vec!["first@desk.test", "out-1@desk.test"]);
        assert_eq!(m.body, "The lift is stuck.");
        assert!(m.automatic.is_none());
    }

    #[test]
    fn html_only_becomes_text_and_missing_id_is_hashed() {
        let raw = "From: a@b.test\r\nSubject: x\r\nContent-Type: text/html\r\n\r\n\
            <html><body><p>Hello <b>there</b></p></body></html>\r\n";
        let m = parse(raw.as_bytes()).expect("parsed");
        assert!(
            m.body.contains("Hello") && !m.body.contains('<'),
            "{}",
            m.body
        );
        assert!(m.message_id.starts_with("sha256-"));
        assert_eq!(
            parse(raw.as_bytes()).expect("again").message_id,
            m.message_id
        );
    }

    #[test]
    fn machine_mail_is_recognised() {
        for header in [
            "Auto-Submitted: auto-replied",
            "X-Autoreply: yes",
            "Precedence: bulk",
            "X-Auto-Response-Suppress: All",
        ] {
            let raw =
                format!("From: a@b.test\r\n{header}\r\nSubject: Away\r\n\r\nOut of office\r\n");
            assert!(
                parse(raw.as_bytes()).expect("parsed").automatic.is_some(),
                "{header}"
            );
        }
        let human = "From: a@b.test\r\nAuto-Submitted: no\r\nSubject: Hi\r\n\r\nHi\r\n";
        assert!(parse(human.as_bytes()).expect("parsed").automatic.is_none());
        let bounce = "From: MAILER-DAEMON@b.test\r\nSubject: Undelivered\r\n\r\nx\r\n";
        assert_eq!(
            parse(bounce.as_bytes()).expect("parsed").automatic,
            Some("system_sender")
        );
    }

    #[test]
    fn filenames_are_sanitised() {
        assert_eq!(safe_filename("../../etc/passwd"), "passwd");
        assert_eq!(safe_filename("C:\\x\\report.pdf"), "report.pdf");
    }
}
