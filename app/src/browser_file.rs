//! Files the learner saves and opens: a download offered from memory, and a chosen file
//! read as text. Progress and sandbox sessions both use these.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// Offers `contents` as a download named `name` (a JSON Blob behind a temporary link).
/// The error says which browser step failed.
pub fn download_json(name: &str, contents: &str) -> Result<(), String> {
    download(name, "application/json", contents)
}

/// Offers `contents` as a download named `name` of type `mime` (a Blob behind a
/// temporary link). The error says which browser step failed.
pub fn download(name: &str, mime: &str, contents: &str) -> Result<(), String> {
    let parts = web_sys::js_sys::Array::of1(&contents.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "the browser refused to build the file".to_string())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "the browser refused a download link".to_string())?;
    let document = document();
    let anchor = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        .ok_or("cannot create a link")?;
    anchor.set_href(&url);
    anchor.set_download(name);
    let body = document.body().ok_or("no page body")?;
    let _ = body.append_child(&anchor);
    anchor.click();
    anchor.remove();
    // Revoked a moment later: some browsers start reading the Blob after `click` returns.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(10),
    );
    Ok(())
}

/// The file chosen in the `<input type=file>` that fired `ev`, if any. The input is
/// cleared, so choosing the same file again fires again.
pub fn take_chosen(ev: &leptos::ev::Event) -> Option<web_sys::File> {
    let input = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())?;
    let file = input.files().and_then(|files| files.get(0))?;
    input.set_value("");
    Some(file)
}

/// Reads a chosen file as text, refusing files over `max_bytes` before reading them,
/// and calls `done` with the contents or a message naming the file.
pub fn read_text(
    file: web_sys::File,
    max_bytes: usize,
    done: impl FnOnce(Result<String, String>) + 'static,
) {
    let name = file.name();
    if file.size() > max_bytes as f64 {
        done(Err(format!(
            "{name:?} is {} KB; the limit is {} KB.",
            (file.size() / 1024.0).ceil() as u64,
            max_bytes / 1024
        )));
        return;
    }
    let Ok(reader) = web_sys::FileReader::new() else {
        done(Err("This browser cannot read files.".into()));
        return;
    };
    let reader_for_result = reader.clone();
    let on_end = Closure::once_into_js(move || {
        let text = reader_for_result.result().ok().and_then(|r| r.as_string());
        done(text.ok_or_else(|| format!("{name:?} could not be read as text.")));
    });
    reader.set_onloadend(Some(on_end.unchecked_ref()));
    if reader.read_as_text(&file).is_err() {
        reader.set_onloadend(None);
    }
}
