//! TODO
#![allow(unused)]
use crate::effect::Effect;
use crate::rng::SimRng;
use crate::time::SimTime;
use crate::world::World;
/// stub
pub fn check(world: &World, group: &str, target: &str, now: SimTime) -> Vec<Effect> {
    Vec::new()
}
/// stub
pub fn drained(world: &World, group: &str, target: &str, now: SimTime) -> Vec<Effect> {
    Vec::new()
}
