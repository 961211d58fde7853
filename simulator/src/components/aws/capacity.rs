//! TODO
#![allow(unused)]
use crate::effect::Effect;
use crate::rng::SimRng;
use crate::time::SimTime;
use crate::world::World;
/// stub
pub fn tick(world: &World, group: &str, now: SimTime, rng: &mut SimRng) -> Vec<Effect> {
    Vec::new()
}
/// stub
pub fn booted(world: &World, instance: &str, now: SimTime) -> Vec<Effect> {
    Vec::new()
}
