//! TODO
#![allow(unused)]
use crate::effect::Effect;
use crate::rng::SimRng;
use crate::time::SimTime;
use crate::world::World;
/// stub
pub fn tick(world: &World, resource_id: &str, now: SimTime) -> Vec<Effect> {
    Vec::new()
}
