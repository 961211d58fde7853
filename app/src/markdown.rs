//! A small Markdown subset for lesson narration, rendered to escaped HTML.
//!
//! Supported: paragraphs, `#`–`###` headings, `-`/`*` and `1.` lists, fenced
//! code blocks, and inline `code`, **bold**, *emphasis* and `[links](url)`.
//! Everything else is text; all text is HTML-escaped, and link targets are
//! limited to `http(s)://`, `/` and `#` URLs.

/// Renders `source` to HTML.
pub fn to_html(source: &str) -> String {
    let mut out = String::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut list: Option<(&str, Vec<String>)> = None;
    let mut code: Option<Vec<&str>> = None;

    for line in source.lines() {
        if let Some(lines) = code.as_mut() {
            if line.trim_start().starts_with("```") {
                out.push_str("<pre tabindex=\"0\"><code>");
                out.push_str(&escape(&lines.join("\n")));
                out.push_str("</code></pre>");
                code = None;
            } else {
                lines.push(line);
            }
            continue;
        }
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            flush_paragraph(&mut out, &mut paragraph);
            flush_list(&mut out, &mut list);
            code = Some(Vec::new());
        } else if trimmed.is_empty() {
            flush_paragraph(&mut out, &mut paragraph);
            flush_list(&mut out, &mut list);
        } else if let Some((level, text)) = heading(trimmed) {
            flush_paragraph(&mut out, &mut paragraph);
            flush_list(&mut out, &mut list);
            // Narration sits under the page's h1/h2, so headings start at h3.
            let tag = format!("h{}", level + 2);
            out.push_str(&format!("<{tag}>{}</{tag}>", inline(text)));
        } else if let Some((kind, item)) = list_item(trimmed) {
            flush_paragraph(&mut out, &mut paragraph);
            if list.as_ref().is_some_and(|(k, _)| *k != kind) {
                flush_list(&mut out, &mut list);
            }
            list.get_or_insert((kind, Vec::new())).1.push(inline(item));
        } else if let Some((_, items)) = list.as_mut().filter(|_| line.starts_with("  ")) {
            // A continuation line of the last list item.
            if let Some(last) = items.last_mut() {
                last.push(' ');
                last.push_str(&inline(trimmed));
            }
        } else {
            flush_list(&mut out, &mut list);
            paragraph.push(trimmed);
        }
    }
    if let Some(lines) = code {
        out.push_str("<pre tabindex=\"0\"><code>");
        out.push_str(&escape(&lines.join("\n")));
        out.push_str("</code></pre>");
    }
    flush_paragraph(&mut out, &mut paragraph);
    flush_list(&mut out, &mut list);
    out
}

fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|&c| c == '#').count();
    let rest = line[level..].strip_prefix(' ')?;
    (1..=3).contains(&level).then_some((level, rest.trim()))
}

fn list_item(line: &str) -> Option<(&'static str, &str)> {
    if let Some(rest) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return Some(("ul", rest));
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    let rest = line[digits..].strip_prefix(". ").filter(|_| digits > 0)?;
    Some(("ol", rest))
}

fn flush_paragraph(out: &mut String, paragraph: &mut Vec<&str>) {
    if !paragraph.is_empty() {
        out.push_str("<p>");
        out.push_str(&inline(&paragraph.join(" ")));
        out.push_str("</p>");
        paragraph.clear();
    }
}

fn flush_list(out: &mut String, list: &mut Option<(&str, Vec<String>)>) {
    if let Some((kind, items)) = list.take() {
        out.push_str(&format!("<{kind}>"));
        for item in items {
            out.push_str(&format!("<li>{item}</li>"));
        }
        out.push_str(&format!("</{kind}>"));
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Renders one line of inline markup (code, bold, emphasis, links) to HTML.
pub fn inline_to_html(text: &str) -> String {
    inline(text.trim())
}

fn inline(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '`'
            && let Some(end) = rest[1..].find('`')
        {
            out.push_str("<code>");
            out.push_str(&escape(&rest[1..1 + end]));
            out.push_str("</code>");
            rest = &rest[end + 2..];
        } else if let Some(after) = rest.strip_prefix("**")
            && let Some(end) = after.find("**").filter(|&e| e > 0)
        {
            out.push_str(&format!("<strong>{}</strong>", inline(&after[..end])));
            rest = &after[end + 2..];
        } else if c == '*'
            && !rest[1..].starts_with([' ', '*'])
            && let Some(end) = rest[1..].find('*').filter(|&e| e > 0)
        {
            out.push_str(&format!("<em>{}</em>", inline(&rest[1..1 + end])));
            rest = &rest[end + 2..];
        } else if c == '['
            && let Some((label, url, used)) = link(rest)
        {
            out.push_str(&format!(
                "<a href=\"{}\">{}</a>",
                escape(url),
                inline(label)
            ));
            rest = &rest[used..];
        } else {
            out.push_str(&escape(&rest[..c.len_utf8()]));
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Parses `[label](url)` at the start of `text`: (label, url, bytes used).
fn link(text: &str) -> Option<(&str, &str, usize)> {
    let close = text.find("](")?;
    let end = close + 2 + text[close + 2..].find(')')?;
    let url = &text[close + 2..end];
    let safe = url.starts_with("https://")
        || url.starts_with("http://")
        || url.starts_with('/')
        || url.starts_with('#');
    (safe && !url.contains(char::is_whitespace)).then_some((&text[1..close], url, end + 1))
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn paragraphs_lists_and_inline() {
        let html =
            to_html("Run `kubectl get nodes` to list **nodes**.\n\n- one\n- *two*\n\n1. first");
        assert_eq!(
            html,
            "<p>Run <code>kubectl get nodes</code> to list <strong>nodes</strong>.</p>\
             <ul><li>one</li><li><em>two</em></li></ul><ol><li>first</li></ol>"
        );
    }

    #[test]
    fn escapes_html_and_unsafe_links() {
        let html = to_html("<script>x</script> [a](javascript:alert(1)) [b](https://k8s.io)");
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("javascript:alert(1)\""));
        assert!(html.contains("<a href=\"https://k8s.io\">b</a>"));
    }

    #[test]
    fn fenced_code_and_headings() {
        let html = to_html("## Why\n```\na < b\n```");
        assert_eq!(
            html,
            "<h4>Why</h4><pre tabindex=\"0\"><code>a &lt; b</code></pre>"
        );
    }
}
