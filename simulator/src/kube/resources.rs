//! Resource lists and pod-level request arithmetic
//! (`kubernetes/api core/v1 ResourceList`, `component-helpers resource/helpers.go
//! PodRequests`, `pkg/scheduler/framework/types.go Resource`).
//!
//! Units: `cpu` in millicores, every other resource in whole units (bytes for memory and
//! ephemeral-storage, a count for pods and extended resources), exactly as the scheduler's
//! `framework.Resource` stores them.

use super::quantity::{QuantityError, parse_for_resource};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `cpu`.
pub const CPU: &str = "cpu";
/// `memory`.
pub const MEMORY: &str = "memory";
/// `ephemeral-storage`.
pub const EPHEMERAL_STORAGE: &str = "ephemeral-storage";
/// `pods` (node allocatable only).
pub const PODS: &str = "pods";

/// `schedutil.DefaultMilliCPURequest`: what a container without a cpu request counts as
/// when *scoring* (`pkg/scheduler/util/pod_resources.go`).
pub const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
/// `schedutil.DefaultMemoryRequest`: 200 MiB, for containers without a memory request.
pub const DEFAULT_MEMORY_REQUEST: i64 = 200 * 1024 * 1024;

/// A resource list: name → amount in canonical units. A name that is absent was not
/// specified, which differs from an explicit `0` (the non-zero scoring defaults apply only
/// to absent cpu/memory).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ResourceList(pub BTreeMap<String, i64>);

impl ResourceList {
    /// An empty list.
    pub fn new() -> ResourceList {
        ResourceList::default()
    }

    /// Builds a list from `(name, quantity string)` pairs, e.g. `[("cpu", "250m")]`.
    pub fn parse<'a>(
        items: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<ResourceList, QuantityError> {
        let mut out = ResourceList::new();
        for (k, v) in items {
            out.0.insert(k.to_string(), parse_for_resource(k, v)?);
        }
        Ok(out)
    }

    /// Sets `name` to `amount` (canonical units) and returns the list.
    pub fn with(mut self, name: &str, amount: i64) -> ResourceList {
        self.0.insert(name.to_string(), amount);
        self
    }

    /// The amount of `name`, 0 if absent.
    pub fn get(&self, name: &str) -> i64 {
        self.0.get(name).copied().unwrap_or(0)
    }

    /// Whether `name` is specified.
    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// `addResourceList`: adds every entry of `other` into `self`.
    pub fn add(&mut self, other: &ResourceList) {
        for (k, v) in &other.0 {
            *self.0.entry(k.clone()).or_insert(0) += v;
        }
    }

    /// `maxResourceList`: for every entry of `other`, keep the larger amount.
    pub fn max_with(&mut self, other: &ResourceList) {
        for (k, v) in &other.0 {
            let e = self.0.entry(k.clone()).or_insert(*v);
            if *v > *e {
                *e = *v;
            }
        }
    }

    /// `applyNonMissing`: a copy where each name in `defaults` that is absent here gets the
    /// default (used for the scoring non-zero defaults).
    pub fn with_defaults_for_missing(&self, defaults: &ResourceList) -> ResourceList {
        let mut out = self.clone();
        for (k, v) in &defaults.0 {
            out.0.entry(k.clone()).or_insert(*v);
        }
        out
    }
}

/// `IsExtendedResourceName`: a domain-prefixed name outside `kubernetes.io/`
/// (e.g. `example.com/foo`, `nvidia.com/gpu`), not a `requests.` quota name.
pub fn is_extended_resource_name(name: &str) -> bool {
    name.contains('/') && !name.contains("kubernetes.io/") && !name.starts_with("requests.")
}

/// `IsScalarResourceName`: extended, hugepages-*, attachable-volumes-* or other
/// prefixed native resources — anything that is not cpu, memory, ephemeral-storage, pods.
pub fn is_scalar_resource_name(name: &str) -> bool {
    !matches!(name, CPU | MEMORY | EPHEMERAL_STORAGE | PODS)
}

/// One container's requests, as the scheduler sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerResources {
    /// Container name (for messages).
    pub name: String,
    /// `resources.requests`.
    pub requests: ResourceList,
    /// Init containers only: `restartPolicy: Always` (a sidecar), which keeps running and so
    /// adds to the running sum.
    pub restartable: bool,
}

impl ContainerResources {
    /// A (non-sidecar) container with these requests.
    pub fn new(name: &str, requests: ResourceList) -> ContainerResources {
        ContainerResources {
            name: name.to_string(),
            requests,
            restartable: false,
        }
    }
}

/// The resource-relevant part of a pod spec.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodResources {
    /// `spec.containers`.
    pub containers: Vec<ContainerResources>,
    /// `spec.initContainers`.
    pub init_containers: Vec<ContainerResources>,
    /// `spec.overhead` (RuntimeClass overhead).
    pub overhead: ResourceList,
}

impl PodResources {
    /// `resourcehelper.PodRequests` (`component-helpers resource/helpers.go`):
    /// `max(Σ containers + Σ sidecars, max over init containers of (init + sidecars started
    /// before it))` + overhead. With `non_missing`, absent cpu/memory of each container take
    /// those defaults first (the scheduler's scoring view).
    pub fn requests(&self, non_missing: Option<&ResourceList>) -> ResourceList {
        let apply = |c: &ContainerResources| match non_missing {
            Some(d) => c.requests.with_defaults_for_missing(d),
            None => c.requests.clone(),
        };
        let mut reqs = ResourceList::new();
        for c in &self.containers {
            reqs.add(&apply(c));
        }
        let mut restartable = ResourceList::new();
        let mut init = ResourceList::new();
        for c in &self.init_containers {
            let r = apply(c);
            let effective = if c.restartable {
                reqs.add(&r);
                restartable.add(&r);
                restartable.clone()
            } else {
                let mut tmp = r;
                tmp.add(&restartable);
                tmp
            };
            init.max_with(&effective);
        }
        reqs.max_with(&init);
        reqs.add(&self.overhead);
        reqs
    }

    /// The scoring view: `requests` with the non-zero defaults 100m cpu / 200Mi memory for
    /// containers that do not specify them (`schedutil.GetNonzeroRequests`).
    pub fn non_zero_requests(&self) -> ResourceList {
        let defaults = ResourceList::new()
            .with(CPU, DEFAULT_MILLI_CPU_REQUEST)
            .with(MEMORY, DEFAULT_MEMORY_REQUEST);
        self.requests(Some(&defaults))
    }
}

/// The scheduler's `framework.Resource`: a fixed-field view of a resource list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    /// Millicores.
    pub milli_cpu: i64,
    /// Bytes.
    pub memory: i64,
    /// Bytes.
    pub ephemeral_storage: i64,
    /// Pod slots (allocatable only).
    pub allowed_pod_number: i64,
    /// Extended and other scalar resources.
    pub scalar_resources: BTreeMap<String, i64>,
}

impl Resource {
    /// `NewResource(rl)`.
    pub fn from_list(list: &ResourceList) -> Resource {
        let mut r = Resource::default();
        r.add_list(list);
        r
    }

    /// `Resource.Add(rl)`.
    pub fn add_list(&mut self, list: &ResourceList) {
        for (k, v) in &list.0 {
            match k.as_str() {
                CPU => self.milli_cpu += v,
                MEMORY => self.memory += v,
                EPHEMERAL_STORAGE => self.ephemeral_storage += v,
                PODS => self.allowed_pod_number += v,
                _ => *self.scalar_resources.entry(k.clone()).or_insert(0) += v,
            }
        }
    }

    /// The amount of a named resource.
    pub fn get(&self, name: &str) -> i64 {
        match name {
            CPU => self.milli_cpu,
            MEMORY => self.memory,
            EPHEMERAL_STORAGE => self.ephemeral_storage,
            PODS => self.allowed_pod_number,
            _ => self.scalar_resources.get(name).copied().unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rl(cpu: i64, mem: i64) -> ResourceList {
        ResourceList::new().with(CPU, cpu).with(MEMORY, mem)
    }

    #[test]
    fn init_containers_take_the_max_not_the_sum() {
        let pod = PodResources {
            containers: vec![ContainerResources::new("a", rl(1, 1))],
            init_containers: vec![
                ContainerResources::new("i1", rl(3, 1)),
                ContainerResources::new("i2", rl(2, 5)),
            ],
            overhead: ResourceList::new(),
        };
        assert_eq!(pod.requests(None), rl(3, 5));
    }

    #[test]
    fn sidecars_add_to_the_running_sum_and_to_later_inits() {
        let mut sidecar = ContainerResources::new("s", rl(2, 2));
        sidecar.restartable = true;
        let pod = PodResources {
            containers: vec![ContainerResources::new("a", rl(1, 1))],
            init_containers: vec![sidecar, ContainerResources::new("i", rl(4, 1))],
            overhead: rl(1, 1),
        };
        // running: 1+2 = 3; init peak: 4+2 = 6 cpu, 1+2 = 3 mem; + overhead.
        assert_eq!(pod.requests(None), rl(7, 4));
    }

    #[test]
    fn non_zero_defaults_only_for_missing() {
        let pod = PodResources {
            containers: vec![
                ContainerResources::new("none", ResourceList::new()),
                ContainerResources::new("zero", rl(0, 0)),
            ],
            ..PodResources::default()
        };
        assert_eq!(
            pod.non_zero_requests(),
            rl(DEFAULT_MILLI_CPU_REQUEST, DEFAULT_MEMORY_REQUEST)
        );
        assert_eq!(pod.requests(None), rl(0, 0));
    }

    #[test]
    fn parse_and_resource_view() {
        let l = ResourceList::parse([("cpu", "1.5"), ("memory", "1Gi"), ("nvidia.com/gpu", "2")])
            .unwrap();
        let r = Resource::from_list(&l);
        assert_eq!(r.milli_cpu, 1500);
        assert_eq!(r.memory, 1 << 30);
        assert_eq!(r.get("nvidia.com/gpu"), 2);
        assert!(is_extended_resource_name("nvidia.com/gpu"));
        assert!(!is_extended_resource_name("kubernetes.io/foo"));
        assert!(!is_extended_resource_name("cpu"));
        assert!(is_scalar_resource_name("hugepages-2Mi"));
    }
}
