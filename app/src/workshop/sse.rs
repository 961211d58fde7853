//! A Server-Sent Events parser for streamed `fetch` bodies (the HTML standard's
//! "event stream interpretation"): bytes in any chunking, events out.
//!
//! Lines end in LF, CRLF or CR (a CR at the end of one chunk and an LF at the start of
//! the next are one line end). `data:` lines accumulate (joined with `\n`), `event:`
//! names the event (default `message`), `id:` sets the last event id (kept across
//! events), `retry:` and unknown fields are ignored, lines starting with `:` are
//! comments, and a blank line dispatches the event (if it has any data). One space
//! after the colon is dropped. A leading byte-order mark is skipped.

/// One dispatched event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseEvent {
    /// The event type (`message` when the stream named none).
    pub event: String,
    /// The data lines joined with `\n`.
    pub data: String,
    /// The last event id seen so far on the stream, if any.
    pub id: Option<String>,
}

/// Incremental parser state: feed it chunks, get complete events.
#[derive(Clone, Debug, Default)]
pub struct SseParser {
    line: Vec<u8>,
    after_cr: bool,
    started: bool,
    event: String,
    data: String,
    has_data: bool,
    last_id: Option<String>,
}

impl SseParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        SseParser::default()
    }

    /// Parses the next chunk of the stream; returns the events it completed.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        let out = Vec::new();
        let mut bytes = chunk;
        if !self.started && !bytes.is_empty() {
            // The BOM may itself arrive split; only a whole one at the start is skipped.
            self.line.extend_from_slice(bytes);
            if self.line.len() < 3 && b"\xEF\xBB\xBF".starts_with(&self.line) {
                return out;
            }
            self.started = true;
            let pending = std::mem::take(&mut self.line);
            let rest = pending.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&pending);
            return self.feed_lines(rest, out);
        }
        if bytes.is_empty() {
            return out;
        }
        if self.after_cr && bytes[0] == b'\n' {
            bytes = &bytes[1..];
        }
        self.after_cr = false;
        self.feed_lines(bytes, out)
    }

    fn feed_lines(&mut self, mut bytes: &[u8], mut out: Vec<SseEvent>) -> Vec<SseEvent> {
        while let Some(end) = bytes.iter().position(|b| *b == b'\n' || *b == b'\r') {
            self.line.extend_from_slice(&bytes[..end]);
            let line = std::mem::take(&mut self.line);
            self.process(&String::from_utf8_lossy(&line), &mut out);
            let cr = bytes[end] == b'\r';
            bytes = &bytes[end + 1..];
            if cr {
                match bytes.first() {
                    Some(b'\n') => bytes = &bytes[1..],
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
        }
        self.line.extend_from_slice(bytes);
        out
    }

    fn process(&mut self, line: &str, out: &mut Vec<SseEvent>) {
        if line.is_empty() {
            let event = std::mem::take(&mut self.event);
            let data = std::mem::take(&mut self.data);
            if std::mem::take(&mut self.has_data) {
                out.push(SseEvent {
                    event: if event.is_empty() {
                        "message".to_string()
                    } else {
                        event
                    },
                    data,
                    id: self.last_id.clone(),
                });
            }
            return;
        }
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => self.event = value.to_string(),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "id" if !value.contains('\0') => self.last_id = Some(value.to_string()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(chunks: &[&[u8]]) -> Vec<SseEvent> {
        let mut parser = SseParser::new();
        chunks.iter().flat_map(|c| parser.feed(c)).collect()
    }

    fn ev(event: &str, data: &str, id: Option<&str>) -> SseEvent {
        SseEvent {
            event: event.into(),
            data: data.into(),
            id: id.map(str::to_string),
        }
    }

    #[test]
    fn events_data_ids_and_comments() {
        let stream = b": keep-alive\n\nevent: snapshot\ndata: {\"a\":1}\n\nid: 7\nevent: progress\ndata: x\ndata:y\n\ndata: plain\n\n";
        assert_eq!(
            parse_all(&[stream]),
            [
                ev("snapshot", "{\"a\":1}", None),
                ev("progress", "x\ny", Some("7")),
                ev("message", "plain", Some("7")),
            ]
        );
    }

    #[test]
    fn any_chunking_gives_the_same_events() {
        let stream: &[u8] =
            "\u{FEFF}event: join\r\ndata: {\"name\":\"Zoë\"}\r\n\r\nevent: b\rdata: 2\r\r:c\n"
                .as_bytes();
        let whole = parse_all(&[stream]);
        assert_eq!(
            whole,
            [ev("join", "{\"name\":\"Zoë\"}", None), ev("b", "2", None)]
        );
        for split in 0..=stream.len() {
            let (a, b) = stream.split_at(split);
            assert_eq!(parse_all(&[a, b]), whole, "split at {split}");
        }
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(parse_all(&bytes), whole, "one byte at a time");
    }

    #[test]
    fn incomplete_events_wait_and_empty_ones_are_dropped() {
        let mut parser = SseParser::new();
        assert!(parser.feed(b"event: x\ndata: 1").is_empty());
        assert!(parser.feed(b"\n").is_empty(), "no blank line yet");
        assert_eq!(parser.feed(b"\n"), [ev("x", "1", None)]);
        // An event with no data lines is not dispatched, and its type does not leak on.
        assert!(parser.feed(b"event: nothing\n\n").is_empty());
        assert_eq!(parser.feed(b"data\n\n"), [ev("message", "", None)]);
        assert_eq!(
            parser.feed(b"retry: 10\nfoo: bar\ndata:  two spaces\n\n"),
            [ev("message", " two spaces", None)]
        );
    }
}
