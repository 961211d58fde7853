//! `aws ec2` (in progress).

use super::params::Params;
use crate::command::CommandError;
use crate::simulation::Simulation;

/// Operations and the parameters each accepts.
pub const OPERATIONS: &[super::Operation] = &[];

/// Runs one operation.
pub fn run(_sim: &mut Simulation, operation: &str, _p: &Params) -> Result<String, CommandError> {
    Err(CommandError::new(format!(
        "aws ec2 {operation}: not modelled"
    )))
}
