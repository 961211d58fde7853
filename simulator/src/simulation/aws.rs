//! The engine's half of the AWS side: storing what AWS components computed.

use super::Simulation;
use crate::components::aws::AwsEffect;
use crate::components::aws::eks::EksEffect;

impl Simulation {
    /// Applies one AWS effect.
    pub(super) fn apply_aws(&mut self, effect: AwsEffect) {
        let now = self.now;
        let aws = &mut self.world.aws;
        match effect {
            AwsEffect::PutCluster(c) => {
                aws.clusters.insert(c.name.clone(), c);
            }
            AwsEffect::PutService(key, Some(s)) => {
                aws.services.insert(key, s);
            }
            AwsEffect::PutService(key, None) => {
                aws.services.remove(&key);
            }
            AwsEffect::PutTask(t) => {
                aws.tasks.insert(t.id.clone(), t);
            }
            AwsEffect::PutInstance(i) => {
                aws.instances.insert(i.id.clone(), i);
            }
            AwsEffect::PutGroup(g) => {
                aws.auto_scaling_groups.insert(g.name.clone(), g);
            }
            AwsEffect::PutSubnet(s) => {
                aws.vpc.subnets.insert(s.id.clone(), s);
            }
            AwsEffect::PutTargetGroup(t) => {
                aws.target_groups.insert(t.name.clone(), t);
            }
            AwsEffect::PutScalable(t) => {
                aws.scalable_targets.insert(t.resource_id.clone(), t);
            }
            AwsEffect::BillStart(id, item) => {
                self.world.billing.items.insert(id, item);
            }
            AwsEffect::BillStop(id) => {
                if let Some(b) = self.world.billing.items.get_mut(&id)
                    && b.end.is_none()
                {
                    b.end = Some(now);
                }
            }
            AwsEffect::Eks(EksEffect::PutCluster(c)) => {
                aws.eks.insert(c.name.clone(), c);
            }
            AwsEffect::Eks(EksEffect::RemoveCluster(name)) => {
                aws.eks.remove(&name);
            }
            AwsEffect::Eks(EksEffect::RemoveAutoScalingGroup(name)) => {
                aws.auto_scaling_groups.remove(&name);
            }
        }
    }
}

impl Simulation {
    /// Applies effects computed by a command (`aws …` creating services, scheduling the
    /// first reconcile), exactly as if a component had returned them.
    pub(crate) fn apply_command_effects(&mut self, effects: Vec<crate::effect::Effect>) {
        self.apply_effects(effects);
    }

    /// The simulation's RNG, for commands that mint AWS ids.
    pub(crate) fn rng_mut(&mut self) -> &mut crate::rng::SimRng {
        &mut self.rng
    }
}
