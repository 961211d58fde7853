//! The JSON handlers of the workshop API. The streams are in [`super::sse`]; the
//! document describing all of them is `openapi.json`.
//!
//! Every handler checks credentials and validates every field before it writes, and
//! answers 201 only after the database commit; live listeners hear about a write only
//! after it is committed, too.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::ApiError;

use super::extract::{ApiJson, Bearer, ClientIp};
use super::hub::HubEvent;
use super::model::{Broadcast, ProgressKind};
use super::store::{Conflict, NewProgress, NewStudent, NewWorkshop, StoreError};
use super::{WorkshopState, auth, csv, dashboard, secret, validate};

/// `POST /api/workshops`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateWorkshop {
    /// Shown to students.
    pub title: String,
    /// Lesson ids, in order.
    pub lessons: Vec<String>,
    /// Sandbox scenario; `default` if absent.
    #[serde(default)]
    pub preset: Option<String>,
}

/// The answer to `POST /api/workshops`: the only time the instructor secret is shown.
#[derive(Debug, Serialize)]
pub struct CreatedWorkshop {
    /// Workshop id.
    pub id: String,
    /// Title as stored (trimmed).
    pub title: String,
    /// Lesson ids.
    pub lessons: Vec<String>,
    /// Sandbox preset.
    pub preset: String,
    /// What students type to join.
    pub join_code: String,
    /// The instructor's secret (send as `Authorization: Bearer`). Not stored in clear.
    pub instructor_secret: String,
    /// The dashboard page; the secret is in the fragment, which browsers never send.
    pub instructor_url: String,
    /// Creation time, ms since the epoch.
    pub created_at: i64,
}

impl From<secret::RandomError> for ApiError {
    fn from(error: secret::RandomError) -> Self {
        Self::Internal(error.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(Conflict::DisplayName) => Self::Conflict(
                "someone in this workshop already uses that name; pick another".to_owned(),
            ),
            other => Self::Internal(other.to_string()),
        }
    }
}

/// Join codes to try before giving up (a clash is one in millions per try).
const JOIN_CODE_TRIES: usize = 8;

/// Creates a workshop (at most [`super::WORKSHOPS_PER_HOUR`] per client address).
pub async fn create_workshop(
    State(state): State<WorkshopState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<CreateWorkshop>,
) -> Result<(StatusCode, Json<CreatedWorkshop>), ApiError> {
    if let Err(retry_after_secs) = state.creations.take(ip, Instant::now()) {
        return Err(ApiError::TooManyRequests {
            message: format!(
                "too many workshops created from this address; at most {} an hour",
                super::WORKSHOPS_PER_HOUR
            ),
            retry_after_secs,
        });
    }
    let title = validate::title(&body.title)?;
    let lessons = validate::lessons(&body.lessons)?;
    let preset = validate::preset(body.preset.as_deref())?;
    let secret = secret::new_token()?;
    let id = secret::new_id()?;
    let new = NewWorkshop {
        id,
        title,
        lessons,
        preset,
        join_code: String::new(),
        instructor_secret_hash: secret::hash_token(&secret),
    };
    let workshop = state
        .db(move |store| {
            for _ in 0..JOIN_CODE_TRIES {
                let attempt = NewWorkshop {
                    join_code: secret::new_join_code()?,
                    ..new.clone()
                };
                match store.create_workshop(attempt) {
                    Err(StoreError::Conflict(Conflict::JoinCode)) => continue,
                    other => return Ok(other?),
                }
            }
            Err(ApiError::Internal(
                "no free join code after several tries".to_owned(),
            ))
        })
        .await?;
    tracing::info!(workshop = %workshop.id, "workshop created");
    let created = CreatedWorkshop {
        instructor_url: format!("/workshops/{}/instructor#secret={secret}", workshop.id),
        id: workshop.id,
        title: workshop.title,
        lessons: workshop.lessons,
        preset: workshop.preset,
        join_code: workshop.join_code,
        instructor_secret: secret,
        created_at: workshop.created_at,
    };
    Ok((StatusCode::CREATED, Json(created)))
}

/// `POST /api/join`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    /// The join code, in any case, spaces and dashes ignored.
    pub code: String,
    /// The student's display name.
    pub name: String,
}

/// Joins a workshop by code. Wrong codes drain the caller's guess budget.
pub async fn join(
    State(state): State<WorkshopState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<JoinRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let name = validate::display_name(&body.name)?;
    if let Err(retry_after_secs) = state.limiter.take(ip, Instant::now()) {
        return Err(ApiError::TooManyRequests {
            message: "too many wrong join codes from this address; wait a minute and check \
                      the code with your instructor"
                .to_owned(),
            retry_after_secs,
        });
    }
    let unknown = || {
        ApiError::NotFound(
            "no workshop has that join code; check it with your instructor".to_owned(),
        )
    };
    let Some(code) = secret::normalize_join_code(&body.code) else {
        return Err(unknown());
    };
    let token = secret::new_token()?;
    let student_id = secret::new_id()?;
    let token_hash = secret::hash_token(&token);
    let limiter = Arc::clone(&state.limiter);
    let (workshop, student) = state
        .db(move |store| {
            let workshop = store.workshop_by_code(&code)?.ok_or_else(unknown)?;
            // The code was right: this attempt does not count against the budget.
            limiter.refund(ip, Instant::now());
            let student = store.add_student(NewStudent {
                id: student_id,
                workshop_id: workshop.id.clone(),
                display_name: name,
                token_hash,
            })?;
            Ok((workshop, student))
        })
        .await?;
    state.announce(&workshop.id, HubEvent::join(&student));
    let body = json!({
        "workshop": {
            "id": workshop.id,
            "title": workshop.title,
            "lessons": workshop.lessons,
            "preset": workshop.preset,
        },
        "student_id": student.id,
        "name": student.display_name,
        "token": token,
    });
    Ok((StatusCode::CREATED, Json(body)))
}

/// `POST /api/workshops/{id}/progress`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressRequest {
    /// What happened.
    pub kind: ProgressKind,
    /// Lesson id (one of the workshop's).
    pub lesson: String,
    /// Step, question or challenge id; a short label for `time`.
    #[serde(default)]
    pub item: String,
    /// Kind-specific detail.
    #[serde(default)]
    pub value: Value,
}

/// Records one progress event of the token's own student.
pub async fn progress(
    State(state): State<WorkshopState>,
    Path(id): Path<String>,
    Bearer(token): Bearer,
    body: Result<ApiJson<ProgressRequest>, ApiError>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    // Credentials and fields are checked on the reading connection; the write goes to
    // the group-commit writer, which answers once the event is committed.
    let new = state
        .db(move |store| {
            // Credentials first: an unauthenticated caller learns nothing about fields.
            let (workshop, student) = auth::student(store, &id, &token)?;
            let ApiJson(body) = body?;
            validate::progress(&workshop, body.kind, &body.lesson, &body.item, &body.value)?;
            Ok(NewProgress {
                workshop_id: workshop.id,
                student_id: student.id,
                kind: body.kind,
                lesson: body.lesson,
                item: body.item,
                value: body.value,
            })
        })
        .await?;
    let event = state.add_progress(new).await?;
    state.announce(&event.workshop_id, HubEvent::progress(&event));
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": event.id, "at": event.at })),
    ))
}

/// The instructor's students × lessons summary.
pub async fn dashboard(
    State(state): State<WorkshopState>,
    Path(id): Path<String>,
    Bearer(token): Bearer,
) -> Result<Json<dashboard::Dashboard>, ApiError> {
    let summary = state
        .db(move |store| {
            let workshop = auth::instructor(store, &id, &token)?;
            super::sse::snapshot(store, &workshop)
        })
        .await?;
    Ok(Json(summary))
}

/// `POST /api/workshops/{id}/broadcast`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BroadcastRequest {
    /// One of `node-failure`, `traffic-spike`, `bad-image`.
    pub event: String,
    /// Event parameters, e.g. `{"node": "worker-2"}`.
    #[serde(default)]
    pub params: Option<Value>,
}

/// Stores a scenario event and pushes it to every connected student.
pub async fn broadcast(
    State(state): State<WorkshopState>,
    Path(id): Path<String>,
    Bearer(token): Bearer,
    body: Result<ApiJson<BroadcastRequest>, ApiError>,
) -> Result<(StatusCode, Json<Broadcast>), ApiError> {
    let stored = state
        .db(move |store| {
            let workshop = auth::instructor(store, &id, &token)?;
            let ApiJson(body) = body?;
            let params = validate::broadcast(&body.event, body.params)?;
            Ok(store.add_broadcast(&workshop.id, &body.event, params)?)
        })
        .await?;
    state.announce(&stored.workshop_id, HubEvent::broadcast(&stored));
    Ok((StatusCode::CREATED, Json(stored)))
}

/// The results as CSV, one row per student × lesson.
pub async fn results_csv(
    State(state): State<WorkshopState>,
    Path(id): Path<String>,
    Bearer(token): Bearer,
) -> Result<Response, ApiError> {
    let (workshop_id, text) = state
        .db(move |store| {
            let workshop = auth::instructor(store, &id, &token)?;
            let summary = super::sse::snapshot(store, &workshop)?;
            Ok((workshop.id, csv::results(&summary)))
        })
        .await?;
    let disposition = format!("attachment; filename=\"workshop-{workshop_id}-results.csv\"");
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        text,
    )
        .into_response())
}

/// The OpenAPI document of this API.
pub async fn openapi() -> Response {
    ([(CONTENT_TYPE, "application/json")], super::OPENAPI_JSON).into_response()
}
