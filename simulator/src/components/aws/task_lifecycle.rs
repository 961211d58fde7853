//! TODO
#![allow(unused)]
use crate::effect::Effect;
use crate::rng::SimRng;
use crate::time::SimTime;
use crate::world::World;
/// stub
pub fn step(world: &World, task: &str, now: SimTime, rng: &mut SimRng) -> Vec<Effect> {
    Vec::new()
}
