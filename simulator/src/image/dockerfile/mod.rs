//! Dockerfiles: parsing (a port of BuildKit's parser), typed instructions, variable
//! expansion and `docker build --check`-style linting.
//!
//! - [`parser`]: text → [`parser::Ast`] (directives, continuations, heredocs, line numbers).
//! - [`instruction`]: AST → [`instruction::Dockerfile`] (stages of typed instructions).
//! - [`expand`]: BuildKit's shell lexer (`$VAR`, `${VAR:-x}`, quotes, escapes).
//! - [`lint`]: build checks (`FromAsCasing`, `UndefinedVar`, …) with line numbers.

pub mod expand;
pub mod instruction;
pub mod lint;
pub mod parser;

pub use instruction::{Command, Dockerfile, Instruction, Stage};
pub use parser::{Ast, Heredoc, Node, ParseError, parse};
