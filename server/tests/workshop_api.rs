//! The workshop API driven in-process with `tower::ServiceExt::oneshot`: every rule that
//! doesn't need a real socket or a crash, checked against the real SQLite file and, for
//! everything that touches storage, against a real PostgreSQL database too (a scratch
//! database on the server `SHIPSHAPE_TEST_POSTGRES` names; `cargo xtask test` starts one).

use std::collections::BTreeSet;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use serde_json::{Value, json};
use server::workshop::store::DB_FILE;
use server::workshop::store::postgresql::ScratchDatabase;
use server::workshop::{OPENAPI_JSON, routes};
use server::{ServeConfig, app};
use tower::ServiceExt;

const INDEX: &str = "<!doctype html><html><head><script type=\"module\">\nimport init from '/a.js';\nawait init();\n</script></head><body></body></html>\n";

#[macro_use]
mod common;

use common::Backend;

on_both_backends!(
    async:
    create_join_progress_dashboard_and_csv,
    csv_escapes_names_a_spreadsheet_would_misread,
    credentials_are_checked_and_rejections_write_nothing,
    malformed_and_oversized_bodies_are_rejected_without_writing,
    taken_names_conflict,
    wrong_join_codes_are_rate_limited_but_right_ones_are_not,
    streams_answer_with_event_stream,
    the_documents_examples_are_accepted_by_the_handlers,
);

struct TestApp {
    // Dropped in this order: the app (and its connections) before its database.
    router: Router,
    dir: tempfile::TempDir,
    scratch: Option<ScratchDatabase>,
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    text: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }

    fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    }
}

impl TestApp {
    /// A fresh app on `backend`; `None` (the test is skipped) for PostgreSQL when the
    /// environment names no server.
    fn new(backend: Backend) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let dist = dir.path().join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(dist.join("index.html"), INDEX).unwrap();
        let mut config = ServeConfig::new(dist, dir.path().join("data"));
        let scratch = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(ScratchDatabase::from_env()?),
        };
        config.database_url = scratch.as_ref().map(|s| s.url().to_owned());
        let router = app(config);
        Some(Self {
            router,
            dir,
            scratch,
        })
    }

    async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let is_stream = headers
            .get(CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        let text = if is_stream {
            String::new()
        } else {
            let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
            String::from_utf8(bytes.to_vec()).unwrap()
        };
        Reply {
            status,
            headers,
            text,
        }
    }

    async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = match body {
            Some(value) => {
                request = request.header(CONTENT_TYPE, "application/json");
                Body::from(value.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).unwrap()).await
    }

    async fn raw(
        &self,
        uri: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(CONTENT_TYPE, content_type);
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        self.send(request.body(Body::from(body)).unwrap()).await
    }

    /// Rows in each table, read from the database itself (not through the app).
    fn rows(&self) -> [i64; 4] {
        const TABLES: [&str; 4] = ["workshops", "students", "progress_events", "broadcasts"];
        let count = |table: &str| format!("SELECT COUNT(*) FROM {table}");
        if let Some(scratch) = &self.scratch {
            // The blocking driver must not run on the test's async thread.
            return std::thread::scope(|scope| {
                scope
                    .spawn(|| {
                        let mut client = scratch.connect().unwrap();
                        TABLES.map(|table| client.query_one(&count(table), &[]).unwrap().get(0))
                    })
                    .join()
                    .unwrap()
            });
        }
        let conn = rusqlite::Connection::open(self.dir.path().join("data").join(DB_FILE)).unwrap();
        TABLES.map(|table| conn.query_row(&count(table), [], |r| r.get(0)).unwrap())
    }

    async fn create(&self, lessons: &[&str]) -> Value {
        let reply = self
            .call(
                Method::POST,
                "/api/workshops",
                None,
                Some(&json!({"title": "Tuesday", "lessons": lessons})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        reply.json()
    }

    async fn join(&self, code: &str, name: &str) -> Reply {
        self.call(
            Method::POST,
            "/api/join",
            None,
            Some(&json!({"code": code, "name": name})),
        )
        .await
    }
}

/// Method, URI, token, JSON body and the expected status.
type AuthCase<'a> = (Method, String, Option<&'a str>, Option<Value>, StatusCode);
/// URI, token, content type, raw body and the expected status.
type RawCase<'a> = (&'a str, Option<&'a str>, &'a str, Vec<u8>, StatusCode);

fn step(item: &str) -> Value {
    json!({"kind": "step", "lesson": "meet-the-cluster", "item": item})
}

async fn create_join_progress_dashboard_and_csv(backend: Backend) {
    let Some(t) = TestApp::new(backend) else {
        return;
    };
    let created = t.create(&["meet-the-cluster", "scheduling"]).await;
    let id = created["id"].as_str().unwrap();
    let secret = created["instructor_secret"].as_str().unwrap();
    let code = created["join_code"].as_str().unwrap();
    assert_eq!(code.len(), 6);
    assert_eq!(secret.len(), 32);
    assert_eq!(created["preset"], "default");
    assert!(created["instructor_url"].as_str().unwrap().contains(id));

    // Lower case with a dash is the same code.
    let typed = format!("{}-{}", &code[..3], &code[3..]).to_lowercase();
    let joined = t.join(&typed, "  Ana  ").await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.text);
    let joined = joined.json();
    assert_eq!(joined["name"], "Ana");
    assert_eq!(
        joined["workshop"]["lessons"],
        json!(["meet-the-cluster", "scheduling"])
    );
    let token = joined["token"].as_str().unwrap();

    let progress = format!("/api/workshops/{id}/progress");
    for body in [
        step("front-door"),
        step("nodes"),
        step("nodes"),
        json!({"kind": "answer", "lesson": "meet-the-cluster", "item": "ready-workers", "value": {"correct": true}}),
        json!({"kind": "challenge", "lesson": "meet-the-cluster", "item": "one-minute", "value": {"solved": true}}),
        json!({"kind": "time", "lesson": "meet-the-cluster", "item": "lesson", "value": 90}),
    ] {
        let reply = t
            .call(Method::POST, &progress, Some(token), Some(&body))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{body}: {}", reply.text);
        assert!(reply.json()["id"].as_i64().unwrap() > 0);
    }
    assert_eq!(t.rows(), [1, 1, 6, 0]);

    let dashboard = t
        .call(
            Method::GET,
            &format!("/api/workshops/{id}/dashboard"),
            Some(secret),
            None,
        )
        .await;
    assert_eq!(dashboard.status, StatusCode::OK, "{}", dashboard.text);
    assert_eq!(dashboard.headers["cache-control"], "no-store");
    let dashboard = dashboard.json();
    assert_eq!(dashboard["events"], 6);
    let ana = &dashboard["students"][0];
    assert_eq!(ana["name"], "Ana");
    assert_eq!(ana["lessons"][0]["steps_done"], 2);
    assert_eq!(ana["lessons"][0]["questions_correct"], 1);
    assert_eq!(ana["lessons"][0]["challenges_solved"], 1);
    assert_eq!(ana["lessons"][0]["time_seconds"], 90.0);
    assert_eq!(ana["lessons"][1]["lesson"], "scheduling");
    assert_eq!(ana["lessons"][1]["steps_done"], 0);

    let csv = t
        .call(
            Method::GET,
            &format!("/api/workshops/{id}/results.csv"),
            Some(secret),
            None,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        csv.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let lines: Vec<&str> = csv.text.split("\r\n").collect();
    assert!(lines[0].starts_with("student_id,student_name,joined_at,lesson"));
    assert_eq!(
        lines.len(),
        4,
        "header, two lessons, trailing empty: {lines:?}"
    );
    assert!(lines[1].contains(",Ana,") && lines[1].contains(",meet-the-cluster,2,"));
}

async fn csv_escapes_names_a_spreadsheet_would_misread(backend: Backend) {
    let Some(t) = TestApp::new(backend) else {
        return;
    };
    let created = t.create(&["meet-the-cluster"]).await;
    let code = created["join_code"].as_str().unwrap();
    for name in ["Doe, \"JJ\"", "=1+2"] {
        assert_eq!(t.join(code, name).await.status, StatusCode::CREATED);
    }
    let csv = t
        .call(
            Method::GET,
            &format!(
                "/api/workshops/{}/results.csv",
                created["id"].as_str().unwrap()
            ),
            created["instructor_secret"].as_str(),
            None,
        )
        .await;
    assert!(csv.text.contains(",\"Doe, \"\"JJ\"\"\","), "{}", csv.text);
    assert!(csv.text.contains(",'=1+2,"), "{}", csv.text);
}

async fn credentials_are_checked_and_rejections_write_nothing(backend: Backend) {
    let Some(t) = TestApp::new(backend) else {
        return;
    };
    let a = t.create(&["meet-the-cluster"]).await;
    let b = t.create(&["meet-the-cluster"]).await;
    let (a_id, a_secret) = (
        a["id"].as_str().unwrap(),
        a["instructor_secret"].as_str().unwrap(),
    );
    let b_id = b["id"].as_str().unwrap();
    let ana = t.join(a["join_code"].as_str().unwrap(), "Ana").await.json();
    let ana_token = ana["token"].as_str().unwrap();
    let bo = t.join(b["join_code"].as_str().unwrap(), "Bo").await.json();
    let bo_token = bo["token"].as_str().unwrap();
    let before = t.rows();
    assert_eq!(before, [2, 2, 0, 0]);

    let progress = format!("/api/workshops/{a_id}/progress");
    let cases: Vec<AuthCase> = vec![
        // No token, a made-up token, a malformed header.
        (
            Method::POST,
            progress.clone(),
            None,
            Some(step("nodes")),
            StatusCode::UNAUTHORIZED,
        ),
        (
            Method::POST,
            progress.clone(),
            Some("0123456789abcdef0123456789abcdef"),
            Some(step("nodes")),
            StatusCode::UNAUTHORIZED,
        ),
        // Another workshop's student, and the instructor secret on a student route.
        (
            Method::POST,
            progress.clone(),
            Some(bo_token),
            Some(step("nodes")),
            StatusCode::FORBIDDEN,
        ),
        (
            Method::POST,
            progress.clone(),
            Some(a_secret),
            Some(step("nodes")),
            StatusCode::FORBIDDEN,
        ),
        // A student on instructor routes.
        (
            Method::GET,
            format!("/api/workshops/{a_id}/dashboard"),
            Some(ana_token),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            Method::GET,
            format!("/api/workshops/{a_id}/events"),
            Some(ana_token),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            Method::GET,
            format!("/api/workshops/{a_id}/results.csv"),
            Some(ana_token),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            Method::POST,
            format!("/api/workshops/{a_id}/broadcast"),
            Some(ana_token),
            Some(json!({"event": "node-failure"})),
            StatusCode::FORBIDDEN,
        ),
        // One workshop's secret on another workshop.
        (
            Method::GET,
            format!("/api/workshops/{b_id}/dashboard"),
            Some(a_secret),
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (
            Method::POST,
            format!("/api/workshops/{b_id}/broadcast"),
            Some(a_secret),
            Some(json!({"event": "node-failure"})),
            StatusCode::UNAUTHORIZED,
        ),
        (
            Method::GET,
            format!("/api/workshops/{b_id}/student-events"),
            Some(ana_token),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            Method::GET,
            format!("/api/workshops/{a_id}/events"),
            None,
            None,
            StatusCode::UNAUTHORIZED,
        ),
        // Unknown workshops.
        (
            Method::GET,
            "/api/workshops/ffffffffffffffff/dashboard".to_owned(),
            Some(a_secret),
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            "/api/workshops/..%2F..%2Fetc/progress".to_owned(),
            Some(ana_token),
            Some(step("nodes")),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (method, uri, token, body, expected) in cases {
        let reply = t.call(method.clone(), &uri, token, body.as_ref()).await;
        assert_eq!(reply.status, expected, "{method} {uri}: {}", reply.text);
        assert!(
            reply.json()["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
        if expected == StatusCode::UNAUTHORIZED {
            assert_eq!(reply.headers["www-authenticate"], "Bearer");
        }
    }
    let reply = t
        .send(
            Request::post(&progress)
                .header(AUTHORIZATION, format!("Basic {ana_token}"))
                .header(CONTENT_TYPE, "application/json")
                .body(Body::from(step("nodes").to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // Credentials are checked before the body: no field feedback without them.
    for token in [None, Some("0123456789abcdef0123456789abcdef")] {
        let reply = t
            .raw(&progress, token, "application/json", b"{oops".to_vec())
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
    }
    assert_eq!(t.rows(), before, "a rejected request wrote a row");
}

async fn malformed_and_oversized_bodies_are_rejected_without_writing(backend: Backend) {
    let Some(t) = TestApp::new(backend) else {
        return;
    };
    let w = t.create(&["meet-the-cluster"]).await;
    let id = w["id"].as_str().unwrap();
    let code = w["join_code"].as_str().unwrap();
    let token = t.join(code, "Ana").await.json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = t.rows();
    let progress = format!("/api/workshops/{id}/progress");

    let raw_cases: Vec<RawCase> = vec![
        (
            "/api/workshops",
            None,
            "application/json",
            b"{\"title\": ".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/workshops",
            None,
            "text/plain",
            b"{}".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "/api/join",
            None,
            "application/json",
            b"[1,2]".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &progress,
            Some(&token),
            "application/json",
            b"not json".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            &progress,
            Some(&token),
            "application/json",
            Vec::new(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/join",
            None,
            "application/json",
            format!(
                "{{\"code\": \"{code}\", \"name\": \"{}\"}}",
                "x".repeat(17 * 1024)
            )
            .into_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            &progress,
            Some(&token),
            "application/json",
            format!(
                "{{\"kind\":\"time\",\"lesson\":\"meet-the-cluster\",\"item\":\"{}\",\"value\":1}}",
                "x".repeat(20_000)
            )
            .into_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (uri, token, content_type, body, expected) in raw_cases {
        let reply = t.raw(uri, token, content_type, body).await;
        assert_eq!(reply.status, expected, "{uri}: {}", reply.text);
        assert!(
            reply.headers[CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        assert!(!reply.error_code().is_empty(), "{}", reply.text);
    }

    let long_lessons: Vec<String> = vec!["meet-the-cluster".to_owned(); 21];
    let json_cases: Vec<(&str, Option<&str>, Value)> = vec![
        (
            "/api/workshops",
            None,
            json!({"title": "", "lessons": ["meet-the-cluster"]}),
        ),
        (
            "/api/workshops",
            None,
            json!({"title": "x".repeat(121), "lessons": ["meet-the-cluster"]}),
        ),
        ("/api/workshops", None, json!({"title": "T", "lessons": []})),
        (
            "/api/workshops",
            None,
            json!({"title": "T", "lessons": long_lessons}),
        ),
        (
            "/api/workshops",
            None,
            json!({"title": "T", "lessons": ["no-such-lesson"]}),
        ),
        (
            "/api/workshops",
            None,
            json!({"title": "T", "lessons": ["meet-the-cluster"], "preset": "mars"}),
        ),
        (
            "/api/workshops",
            None,
            json!({"title": "T", "lessons": ["meet-the-cluster"], "admin": true}),
        ),
        ("/api/join", None, json!({"code": code, "name": "   "})),
        (
            "/api/join",
            None,
            json!({"code": code, "name": "x".repeat(41)}),
        ),
        (
            "/api/join",
            None,
            json!({"code": code, "name": "Bad\u{0007}Bell"}),
        ),
        ("/api/join", None, json!({"code": code})),
        (
            &progress,
            Some(&token),
            json!({"kind": "teleport", "lesson": "meet-the-cluster", "item": "nodes"}),
        ),
        (
            &progress,
            Some(&token),
            json!({"kind": "step", "lesson": "scheduling", "item": "nodes"}),
        ),
        (
            &progress,
            Some(&token),
            json!({"kind": "step", "lesson": "meet-the-cluster", "item": "no-such-step"}),
        ),
        (
            &progress,
            Some(&token),
            json!({"kind": "answer", "lesson": "meet-the-cluster", "item": "ready-workers", "value": "yes"}),
        ),
        (
            &progress,
            Some(&token),
            json!({"kind": "challenge", "lesson": "meet-the-cluster", "item": "one-minute"}),
        ),
        (
            &progress,
            Some(&token),
            json!({"kind": "time", "lesson": "meet-the-cluster", "item": "lesson", "value": -5}),
        ),
        (
            &progress,
            Some(&token),
            json!({"kind": "time", "lesson": "meet-the-cluster", "item": "lesson", "value": 1e9}),
        ),
        (
            &progress,
            Some(&token),
            json!({"kind": "step", "lesson": "meet-the-cluster", "item": "nodes", "value": "x".repeat(2000)}),
        ),
        (
            &progress,
            Some(&token),
            json!({"kind": "step", "lesson": "meet-the-cluster", "item": "nodes", "student_id": "someone-else"}),
        ),
    ];
    for (uri, token, body) in json_cases {
        let reply = t.call(Method::POST, uri, token, Some(&body)).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{uri} {body}: {}",
            reply.text
        );
        assert_eq!(reply.error_code(), "invalid");
    }
    let secret = w["instructor_secret"].as_str();
    for body in [
        json!({"event": "meteor"}),
        json!({"event": "node-failure", "params": [1]}),
    ] {
        let reply = t
            .call(
                Method::POST,
                &format!("/api/workshops/{id}/broadcast"),
                secret,
                Some(&body),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    assert_eq!(t.rows(), before, "a rejected request wrote a row");
}

async fn taken_names_conflict(backend: Backend) {
    let Some(t) = TestApp::new(backend) else {
        return;
    };
    let w = t.create(&["meet-the-cluster"]).await;
    let code = w["join_code"].as_str().unwrap();
    assert_eq!(t.join(code, "Ana").await.status, StatusCode::CREATED);
    let again = t.join(code, " Ana ").await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("name")
    );
    assert_eq!(t.rows()[1], 1);
}

async fn wrong_join_codes_are_rate_limited_but_right_ones_are_not(backend: Backend) {
    let Some(t) = TestApp::new(backend) else {
        return;
    };
    let w = t.create(&["meet-the-cluster"]).await;
    let code = w["join_code"].as_str().unwrap();
    // A whole class from one address: successes don't use up the budget.
    for i in 0..25 {
        assert_eq!(
            t.join(code, &format!("S{i}")).await.status,
            StatusCode::CREATED
        );
    }
    // A code that differs from the real one (the alphabet has no 0, so this never exists).
    for i in 0..10 {
        let reply = t.join("222222", &format!("G{i}")).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text);
        let message = reply.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(!message.contains(code), "{message}");
    }
    let limited = t.join("222222", "G10").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        limited.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    // Once limited, even the right code waits: otherwise guessing could go on.
    assert_eq!(
        t.join(code, "Late").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(t.rows()[1], 25);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let t = TestApp::new(Backend::Sqlite).unwrap();
    let hash = server::security::inline_script_hashes(INDEX);
    assert_eq!(hash.len(), 1);
    for uri in [
        "/",
        "/sandbox",
        "/healthz",
        "/api/nope",
        "/api/openapi.json",
    ] {
        let reply = t.call(Method::GET, uri, None, None).await;
        let h = &reply.headers;
        let csp = h["content-security-policy"].to_str().unwrap();
        for directive in [
            "script-src 'self' 'wasm-unsafe-eval'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{uri}: {csp}");
        }
        assert!(
            csp.contains(&format!("'sha256-{}'", hash[0])),
            "{uri}: {csp}"
        );
        assert!(!csp.contains("script-src 'unsafe-inline'"), "{csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{uri}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{uri}");
        assert_eq!(h["x-frame-options"], "DENY", "{uri}");
    }
}

#[tokio::test]
async fn wrong_methods_get_a_json_405() {
    let t = TestApp::new(Backend::Sqlite).unwrap();
    let reply = t.call(Method::DELETE, "/api/workshops", None, None).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.error_code(), "method_not_allowed");
}

async fn streams_answer_with_event_stream(backend: Backend) {
    let Some(t) = TestApp::new(backend) else {
        return;
    };
    let w = t.create(&["meet-the-cluster"]).await;
    let id = w["id"].as_str().unwrap();
    let token = t.join(w["join_code"].as_str().unwrap(), "Ana").await.json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    for (uri, token) in [
        (
            format!("/api/workshops/{id}/events"),
            w["instructor_secret"].as_str().unwrap(),
        ),
        (
            format!("/api/workshops/{id}/student-events"),
            token.as_str(),
        ),
    ] {
        let reply = t.call(Method::GET, &uri, Some(token), None).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        assert_eq!(reply.headers[CONTENT_TYPE], "text/event-stream", "{uri}");
    }
}

// ---- The OpenAPI document is true ----

fn openapi() -> Value {
    serde_json::from_str(OPENAPI_JSON).expect("openapi.json is JSON")
}

#[test]
fn every_route_is_documented_and_every_documented_route_exists() {
    let doc = openapi();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let served: BTreeSet<(String, String)> = routes()
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_owned()))
        .collect();
    assert_eq!(documented, served);
}

fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(target)) => out.push(target),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn every_reference_in_the_document_resolves() {
    let doc = openapi();
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(!found.is_empty());
    for target in found {
        let pointer = target.strip_prefix('#').expect("local reference");
        assert!(doc.pointer(pointer).is_some(), "dangling {target}");
    }
}

fn example(doc: &Value, method: &str, path: &str) -> Value {
    doc["paths"][path][method]["requestBody"]["content"]["application/json"]["example"].clone()
}

async fn the_documents_examples_are_accepted_by_the_handlers(backend: Backend) {
    let doc = openapi();
    let Some(t) = TestApp::new(backend) else {
        return;
    };
    // Every operation with a body has an example.
    for route in routes() {
        let op = &doc["paths"][route.path][route.method.as_str().to_lowercase()];
        if op.get("requestBody").is_some() {
            assert!(
                !example(&doc, &route.method.as_str().to_lowercase(), route.path).is_null(),
                "{} {} has no example",
                route.method,
                route.path
            );
        }
    }
    let created = t
        .call(
            Method::POST,
            "/api/workshops",
            None,
            Some(&example(&doc, "post", "/api/workshops")),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let created = created.json();
    let id = created["id"].as_str().unwrap();
    let secret = created["instructor_secret"].as_str().unwrap();

    let mut join = example(&doc, "post", "/api/join");
    join["code"] = created["join_code"].clone();
    let joined = t.call(Method::POST, "/api/join", None, Some(&join)).await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.text);
    let token = joined.json()["token"].as_str().unwrap().to_owned();

    let path = "/api/workshops/{id}/progress";
    let reply = t
        .call(
            Method::POST,
            &path.replace("{id}", id),
            Some(&token),
            Some(&example(&doc, "post", path)),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);

    let path = "/api/workshops/{id}/broadcast";
    let reply = t
        .call(
            Method::POST,
            &path.replace("{id}", id),
            Some(secret),
            Some(&example(&doc, "post", path)),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);

    // Every GET answers 200 with the credentials its `security` names.
    for route in routes().iter().filter(|r| r.method == Method::GET) {
        let op = &doc["paths"][route.path]["get"];
        let token = match op["security"][0].as_object().and_then(|o| o.keys().next()) {
            Some(scheme) if scheme == "instructorSecret" => Some(secret),
            Some(scheme) if scheme == "studentToken" => Some(token.as_str()),
            Some(other) => panic!("unknown scheme {other}"),
            None => None,
        };
        let reply = t
            .call(Method::GET, &route.path.replace("{id}", id), token, None)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "GET {}", route.path);
        let documented = op["responses"]["200"]["content"].as_object().unwrap();
        let content_type = reply.headers[CONTENT_TYPE].to_str().unwrap();
        assert!(
            documented
                .keys()
                .any(|t| content_type.starts_with(t.as_str())),
            "GET {}: {content_type} not in {documented:?}",
            route.path
        );
    }
    assert_eq!(t.rows(), [1, 1, 1, 1]);
}

#[tokio::test]
async fn workshop_creation_is_limited_per_address() {
    let t = TestApp::new(Backend::Sqlite).unwrap();
    for _ in 0..server::workshop::WORKSHOPS_PER_HOUR {
        t.create(&["meet-the-cluster"]).await;
    }
    let refused = t
        .call(
            Method::POST,
            "/api/workshops",
            None,
            Some(&json!({"title": "One more", "lessons": ["meet-the-cluster"]})),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        refused.text
    );
    let wait: u64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=120).contains(&wait), "{wait}");
    assert!(
        refused.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("30 an hour")
    );
    assert_eq!(t.rows()[0], 30);
}
