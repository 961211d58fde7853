//! API errors, printed the way kubectl prints the API server's `Status` replies.

use std::fmt;

/// A refused request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// 404: `Error from server (NotFound): deployments.apps "web" not found`.
    NotFound {
        /// `deployments.apps`.
        resource: String,
        /// Object name.
        name: String,
    },
    /// 409 on create: `Error from server (AlreadyExists): …`.
    AlreadyExists {
        /// `deployments.apps`.
        resource: String,
        /// Object name.
        name: String,
    },
    /// 422: `The Deployment "web" is invalid: spec.replicas: Invalid value: -1: …`.
    Invalid {
        /// Kind.
        kind: String,
        /// Object name.
        name: String,
        /// One entry per field problem: `path: Invalid value: x: reason`.
        causes: Vec<String>,
    },
    /// 429 from the eviction API when a PodDisruptionBudget forbids it.
    TooManyRequests {
        /// Message.
        message: String,
    },
    /// 400 for other malformed requests.
    BadRequest {
        /// Message.
        message: String,
    },
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::NotFound { resource, name } => {
                write!(
                    f,
                    "Error from server (NotFound): {resource} \"{name}\" not found"
                )
            }
            ApiError::AlreadyExists { resource, name } => {
                write!(
                    f,
                    "Error from server (AlreadyExists): {resource} \"{name}\" already exists"
                )
            }
            ApiError::Invalid { kind, name, causes } => {
                write!(f, "The {kind} \"{name}\" is invalid: ")?;
                if causes.len() == 1 {
                    f.write_str(&causes[0])
                } else {
                    write!(f, "\n* {}", causes.join("\n* "))
                }
            }
            ApiError::TooManyRequests { message } => {
                write!(f, "Error from server (TooManyRequests): {message}")
            }
            ApiError::BadRequest { message } => {
                write!(f, "Error from server (BadRequest): {message}")
            }
        }
    }
}
