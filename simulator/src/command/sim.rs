//! `sim …`: the things a real cluster does to you, made explicit (time, seed, reset).

use super::{CommandError, unknown_subcommand};
use crate::time::SimDuration;

/// A parsed `sim` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimCommand {
    /// `sim advance DURATION`: let simulated time pass, running everything due.
    Advance(SimDuration),
    /// `sim seed` prints the seed; `sim seed N` reseeds the RNG (and later resets).
    Seed(Option<u64>),
    /// `sim reset`: back to the scenario's start with the current seed.
    Reset,
}

/// `sim` subcommands, for suggestions and completion.
pub const SUBCOMMANDS: [&str; 3] = ["advance", "seed", "reset"];

/// The longest single `sim advance`: a week is plenty for any lesson and bounds the work
/// one command can queue up.
pub const MAX_ADVANCE: SimDuration = SimDuration::from_mins(7 * 24 * 60);

/// Parses the words after `sim`.
pub fn parse(args: &[String]) -> Result<SimCommand, CommandError> {
    let Some((sub, rest)) = args.split_first() else {
        return Err(CommandError::new(
            "error: missing subcommand for \"sim\"\n\nAvailable: sim advance DURATION | sim seed [N] | sim reset",
        ));
    };
    match sub.as_str() {
        "advance" => {
            let [d] = rest else {
                return Err(CommandError::new(
                    "error: sim advance takes exactly one DURATION, e.g. `sim advance 30s` (units: ms, s, m, h, d)",
                ));
            };
            let d = SimDuration::parse(d).map_err(|e| CommandError::new(format!("error: {e}")))?;
            if d > MAX_ADVANCE {
                return Err(CommandError::new(format!(
                    "error: sim advance is limited to {MAX_ADVANCE} at a time"
                )));
            }
            Ok(SimCommand::Advance(d))
        }
        "seed" => match rest {
            [] => Ok(SimCommand::Seed(None)),
            [n] => n
                .parse::<u64>()
                .map(|n| SimCommand::Seed(Some(n)))
                .map_err(|_| {
                    CommandError::new(format!(
                        "error: invalid seed {n:?}: expected a whole number between 0 and {}",
                        u64::MAX
                    ))
                }),
            _ => Err(CommandError::new(
                "error: sim seed takes at most one number",
            )),
        },
        "reset" => {
            if rest.is_empty() {
                Ok(SimCommand::Reset)
            } else {
                Err(CommandError::new("error: sim reset takes no arguments"))
            }
        }
        other => Err(unknown_subcommand("sim", other, &SUBCOMMANDS)),
    }
}
