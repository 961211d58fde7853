//! Shared by the workshop test files: which store a test runs on, and running one test
//! body on both.

/// Where a test's server keeps its workshops.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    /// `<data>/shipshape.db`.
    Sqlite,
    /// A scratch database on the server `SHIPSHAPE_TEST_POSTGRES` names.
    Postgres,
}

/// Runs each named `fn(Backend)` as two tests, `sqlite::NAME` and `postgres::NAME`;
/// with `async:` first, each `async fn(Backend)` as two `#[tokio::test]`s.
macro_rules! on_both_backends {
    (async: $($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::$name($crate::common::Backend::Sqlite).await;
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                super::$name($crate::common::Backend::Postgres).await;
            })*
        }
    };
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $name() {
                super::$name($crate::common::Backend::Sqlite);
            })*
        }
        mod postgres {
            $(#[test]
            fn $name() {
                super::$name($crate::common::Backend::Postgres);
            })*
        }
    };
}
