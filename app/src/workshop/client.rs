//! The workshop API over `fetch` (web-sys, no extra crates): JSON calls, the streamed
//! Server-Sent Events bodies (an `EventSource` cannot send `Authorization`), and the
//! lesson player's progress reports ([`report`]), which never block the lesson: a
//! failure only sets the quiet "offline" flag of the [`WorkshopHandle`].

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::rc::Rc;

use leptos::prelude::GetUntracked;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::js_sys;

use super::WorkshopHandle;
use super::model::Report;
use super::sse::{SseEvent, SseParser};

/// Why a call failed: the HTTP status (0 when the server could not be reached) and
/// the server's message (or the browser's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status, or 0 for a network failure.
    pub status: u16,
    /// What to tell the user.
    pub message: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The message inside the API's `{"error": {"code", "message"}}`, or a fallback.
pub fn error_message(status: u16, body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| format!("The server answered {status}."))
}

fn network_error() -> ApiError {
    ApiError {
        status: 0,
        message: "The workshop server could not be reached. Check your connection and try again."
            .to_string(),
    }
}

/// How a request is sent besides its method, path, token and body.
#[derive(Clone, Copy, Default)]
struct Options<'a> {
    /// Aborts the request (event streams).
    signal: Option<&'a web_sys::AbortSignal>,
    /// Lets the request finish after the page is gone (reports sent on leaving).
    keepalive: bool,
}

fn request(
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: Option<&str>,
    options: Options<'_>,
) -> Result<js_sys::Promise, ApiError> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if options.keepalive {
        // web-sys's `RequestInit` has no setter for `keepalive`; it is a plain field of
        // the init dictionary, so set it as a property.
        let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &JsValue::TRUE);
    }
    let headers = web_sys::Headers::new().map_err(|_| network_error())?;
    if let Some(token) = bearer {
        let _ = headers.set("Authorization", &format!("Bearer {token}"));
    }
    if let Some(body) = body {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    init.set_signal(options.signal);
    let window = web_sys::window().ok_or_else(network_error)?;
    Ok(window.fetch_with_str_and_init(path, &init))
}

async fn send(
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: Option<&str>,
    options: Options<'_>,
) -> Result<web_sys::Response, ApiError> {
    response_of(request(method, path, bearer, body, options)?).await
}

/// Awaits a started `fetch`.
async fn response_of(promise: js_sys::Promise) -> Result<web_sys::Response, ApiError> {
    let response = JsFuture::from(promise).await.map_err(|_| network_error())?;
    response
        .dyn_into::<web_sys::Response>()
        .map_err(|_| network_error())
}

async fn text_of(response: &web_sys::Response) -> Result<String, ApiError> {
    let promise = response.text().map_err(|_| network_error())?;
    let text = JsFuture::from(promise).await.map_err(|_| network_error())?;
    Ok(text.as_string().unwrap_or_default())
}

/// Sends a request and returns the body of a 2xx answer as text.
pub async fn call_text(
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: Option<&Value>,
) -> Result<String, ApiError> {
    let body = body.map(Value::to_string);
    let response = send(method, path, bearer, body.as_deref(), Options::default()).await?;
    text_answer(response).await
}

/// The body of a 2xx answer as text, or the API's error.
async fn text_answer(response: web_sys::Response) -> Result<String, ApiError> {
    let status = response.status();
    let text = text_of(&response).await?;
    if response.ok() {
        Ok(text)
    } else {
        Err(ApiError {
            status,
            message: error_message(status, &text),
        })
    }
}

/// Sends a request and decodes a 2xx answer's JSON.
pub async fn call<T: DeserializeOwned>(
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: Option<&Value>,
) -> Result<T, ApiError> {
    let text = call_text(method, path, bearer, body).await?;
    serde_json::from_str(&text).map_err(|e| ApiError {
        status: 200,
        message: format!("The server's answer could not be read: {e}."),
    })
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// What an event stream is doing, for the page to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamState {
    /// Connecting (or reconnecting after a drop).
    Connecting,
    /// Receiving events.
    Live,
    /// Refused for good (bad secret or token, unknown workshop): the message says why.
    Refused(ApiError),
}

/// An open event stream; [`EventStream::close`] ends it (pages close theirs on cleanup).
pub struct EventStream {
    closed: Rc<Cell<bool>>,
    current: Rc<RefCell<Option<web_sys::AbortController>>>,
}

impl EventStream {
    /// Stops reading and reconnecting.
    pub fn close(&self) {
        self.closed.set(true);
        if let Some(c) = self.current.borrow_mut().take() {
            c.abort();
        }
    }
}

/// Opens `GET path` as Server-Sent Events with `Authorization: Bearer token`, calling
/// `on_event` for each event and `on_state` when the connection changes. Reconnects
/// after a drop (waiting longer each time, up to 30 s); gives up on 401, 403 and 404.
pub fn open_stream(
    path: String,
    token: String,
    mut on_event: impl FnMut(SseEvent) + 'static,
    mut on_state: impl FnMut(StreamState) + 'static,
) -> EventStream {
    let closed = Rc::new(Cell::new(false));
    let current = Rc::new(RefCell::new(None::<web_sys::AbortController>));
    let stream = EventStream {
        closed: closed.clone(),
        current: current.clone(),
    };
    wasm_bindgen_futures::spawn_local(async move {
        let mut wait = 1000;
        while !closed.get() {
            on_state(StreamState::Connecting);
            let controller = web_sys::AbortController::new().ok();
            let signal = controller.as_ref().map(web_sys::AbortController::signal);
            *current.borrow_mut() = controller;
            let options = Options {
                signal: signal.as_ref(),
                keepalive: false,
            };
            match send("GET", &path, Some(&token), None, options).await {
                Ok(response) if response.ok() => {
                    let mut parser = SseParser::new();
                    let reader = response.body().map(|b| {
                        b.get_reader()
                            .unchecked_into::<web_sys::ReadableStreamDefaultReader>()
                    });
                    if let Some(reader) = reader {
                        on_state(StreamState::Live);
                        wait = 1000;
                        while !closed.get() {
                            let Ok(chunk) = JsFuture::from(reader.read()).await else {
                                break;
                            };
                            let done = js_sys::Reflect::get(&chunk, &"done".into())
                                .map(|d| d.is_truthy())
                                .unwrap_or(true);
                            if done {
                                break;
                            }
                            let Ok(value) = js_sys::Reflect::get(&chunk, &"value".into()) else {
                                break;
                            };
                            let bytes = js_sys::Uint8Array::new(&value).to_vec();
                            for event in parser.feed(&bytes) {
                                if closed.get() {
                                    break;
                                }
                                on_event(event);
                            }
                        }
                    }
                }
                Ok(response) => {
                    let status = response.status();
                    if matches!(status, 401 | 403 | 404) {
                        let text = text_of(&response).await.unwrap_or_default();
                        on_state(StreamState::Refused(ApiError {
                            status,
                            message: error_message(status, &text),
                        }));
                        return;
                    }
                }
                Err(_) => {}
            }
            if closed.get() {
                return;
            }
            on_state(StreamState::Connecting);
            sleep(wait).await;
            wait = (wait * 2).min(30_000);
        }
    });
    stream
}

thread_local! {
    /// Idempotent reports already accepted by the server, so they are sent once.
    static SENT: RefCell<BTreeSet<(String, String)>> = const { RefCell::new(BTreeSet::new()) };
}

/// Sends a progress record to the joined workshop, if any and if the lesson is one of
/// its lessons. Never blocks; a failure only shows the quiet offline notice (the
/// progress is kept locally either way).
pub fn report(report: Report) {
    let Some(handle) = WorkshopHandle::get() else {
        return;
    };
    let Some(member) = handle.membership.try_get_untracked().flatten() else {
        return;
    };
    if !member.lessons.iter().any(|l| l == report.lesson()) {
        return;
    }
    let body = report.body();
    let key = (member.workshop_id.clone(), body.to_string());
    if report.idempotent() && SENT.with(|s| s.borrow().contains(&key)) {
        return;
    }
    let path = format!("/api/workshops/{}/progress", member.workshop_id);
    let options = Options {
        signal: None,
        keepalive: report.keepalive(),
    };
    // The request starts now, not when the spawned task first runs: a report sent as the
    // page is hidden or unloaded must be on its way before the handler returns.
    let started = request("POST", &path, Some(&member.token), Some(&key.1), options);
    wasm_bindgen_futures::spawn_local(async move {
        let answer = async { text_answer(response_of(started?).await?).await }.await;
        match answer {
            Ok(_) => {
                if report.idempotent() {
                    SENT.with(|s| s.borrow_mut().insert(key));
                }
                handle.set_offline(false);
            }
            // A rejected record (say, an item the server does not know) is not "offline".
            Err(e) if e.status == 422 => {}
            Err(_) => handle.set_offline(true),
        }
    });
}
