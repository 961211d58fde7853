//! A realistic learner session, long enough to fill a timeline with a given number of
//! events: the input of `shipshape bench timeline` and of the timeline's own tests.
//!
//! Each round is what someone working through the lessons types: look at the nodes, add
//! one, apply a manifest, wait for the rollout, autoscale it and send traffic, create and
//! scale another deployment, roll out a new image, fail and recover a node, and let an
//! hour pass. Rounds differ in names so every command succeeds.

use super::Timeline;
use crate::scenario::Scenario;

/// The CPU-bound web app the HPA lesson uses (requests so the HPA has a target).
const WEB_YAML: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: app
        image: registry.k8s.io/hpa-example
        ports:
        - containerPort: 80
        resources:
          requests:
            cpu: 500m
            memory: 128Mi
          limits:
            cpu: \"1\"
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
";

/// A learner session that goes on for as long as it is asked to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Workload;

impl Workload {
    /// The default scenario with `web.yaml` in its workspace.
    pub fn scenario(&self) -> Scenario {
        let scenario = Scenario::default_scenario();
        let mut workspace = scenario.workspace.clone();
        workspace.insert("web.yaml", WEB_YAML);
        scenario.with_workspace(workspace)
    }

    /// The first commands: deploy the web app and autoscale it.
    pub fn prelude(&self) -> Vec<String> {
        [
            "kubectl get nodes",
            "kubectl apply -f web.yaml",
            "kubectl rollout status deployment/web",
            "kubectl autoscale deployment web --min=2 --max=10 --cpu-percent=50",
        ]
        .map(String::from)
        .to_vec()
    }

    /// Round `n` (from 0): about 19 commands and a few thousand events, more as nodes join.
    pub fn round(&self, n: usize) -> Vec<String> {
        let api = format!("api-{n}");
        let node = format!("worker-{}", n + 4);
        vec![
            format!("sim node add {node} --cpu 8 --memory 16Gi"),
            "kubectl get pods -o wide".to_string(),
            "sim traffic service/web 400".to_string(),
            "sim advance 2m".to_string(),
            "kubectl top pods".to_string(),
            format!("kubectl create deployment {api} --image=nginx --replicas=3"),
            format!("kubectl scale deployment/{api} --replicas=5"),
            format!("kubectl set image deployment/{api} nginx=nginx:1.27"),
            format!("kubectl rollout status deployment/{api}"),
            "sim traffic service/web spike 5x for 10m".to_string(),
            "sim advance 5m".to_string(),
            "kubectl get pods".to_string(),
            "sim node fail worker-2".to_string(),
            "sim advance 1m".to_string(),
            "sim node recover worker-2".to_string(),
            "sim advance 1h".to_string(),
            format!("kubectl delete deployment {api}"),
            "sim traffic service/web off".to_string(),
            "sim advance 10m".to_string(),
        ]
    }

    /// Pushes the prelude, then whole rounds, until the timeline holds at least `events`
    /// events (stopping early if no progress is possible). Returns the commands that
    /// failed; none should.
    pub fn fill(&self, timeline: &mut Timeline, events: usize) -> Vec<String> {
        let mut failed = Vec::new();
        let total = |t: &Timeline| t.marks().last().map_or(0, |m| m.events);
        for round in 0.. {
            let lines = if round == 0 {
                self.prelude()
            } else {
                self.round(round - 1)
            };
            let before = total(timeline);
            for line in lines {
                if timeline.push(&line).is_err() {
                    failed.push(line);
                }
            }
            let after = total(timeline);
            if after >= events as u64 || (round > 0 && after == before) {
                break;
            }
        }
        failed
    }
}
