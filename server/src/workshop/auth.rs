//! Who may do what: the instructor secret unlocks a workshop's dashboard, stream,
//! broadcasts and export; a student token writes that student's progress and reads the
//! broadcasts of that student's workshop. Both are checked against stored SHA-256
//! digests in constant time.
//!
//! Missing or unknown credentials are 401; a valid credential used where it does not
//! belong (a student token on an instructor route, a token of another workshop) is 403.

use crate::error::ApiError;

use super::model::{Student, Workshop};
use super::secret;
use super::store::Store;

/// The workshop with this id, or 404. Ids that cannot be ours are rejected unread.
pub fn workshop(store: &Store, id: &str) -> Result<Workshop, ApiError> {
    let found = if secret::is_id(id) {
        store.workshop(id)?
    } else {
        None
    };
    found.ok_or_else(|| ApiError::NotFound("no workshop with this id".to_owned()))
}

/// The workshop, if `token` is its instructor secret.
pub fn instructor(store: &Store, workshop_id: &str, token: &str) -> Result<Workshop, ApiError> {
    let workshop = workshop(store, workshop_id)?;
    if secret::token_matches(token, &workshop.instructor_secret_hash) {
        return Ok(workshop);
    }
    if store
        .student_by_token_hash(&secret::hash_token(token))?
        .is_some()
    {
        return Err(ApiError::Forbidden(
            "a student token cannot be used here; this needs the workshop's instructor secret"
                .to_owned(),
        ));
    }
    Err(ApiError::Unauthorized(
        "the instructor secret is not valid for this workshop".to_owned(),
    ))
}

/// The workshop and the student, if `token` belongs to a student of this workshop.
pub fn student(
    store: &Store,
    workshop_id: &str,
    token: &str,
) -> Result<(Workshop, Student), ApiError> {
    let workshop = workshop(store, workshop_id)?;
    let hash = secret::hash_token(token);
    match store.student_by_token_hash(&hash)? {
        Some((student, stored)) if secret::constant_time_eq(hash.as_bytes(), stored.as_bytes()) => {
            if student.workshop_id == workshop.id {
                Ok((workshop, student))
            } else {
                Err(ApiError::Forbidden(
                    "this student token belongs to another workshop".to_owned(),
                ))
            }
        }
        _ if secret::token_matches(token, &workshop.instructor_secret_hash) => {
            Err(ApiError::Forbidden(
                "this is the instructor secret; student endpoints need a student token from \
                 POST /api/join"
                    .to_owned(),
            ))
        }
        _ => Err(ApiError::Unauthorized(
            "the student token is not valid; join the workshop again".to_owned(),
        )),
    }
}
