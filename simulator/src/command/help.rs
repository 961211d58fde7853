//! `help`: what this terminal understands, in one screen.

use super::{CommandError, suggest};

const OVERVIEW: &str = "\
Commands you can type here:

  kubectl get nodes|pods|namespaces [NAME] [-n NS] [-A] [-o wide|name] [--show-labels]
  kubectl cluster-info            where the control plane is listening
  kubectl version                 client and server versions
  sim advance DURATION            let simulated time pass (500ms, 30s, 5m, 1h)
  sim seed [N]                    show the random seed, or set it (used from now on and by resets)
  sim reset                       start the scenario again
  ls [PATH] / cat FILE            look at the project files
  help [sim|kubectl|files]        this text, or more about one group

Time only moves when you say so: nothing happens between commands until `sim advance`.
";

const SIM: &str = "\
sim: the things a real cluster does to you, made explicit.

  sim advance DURATION   Run everything due in the next DURATION (ms, s, m, h, d; compounds like 1m30s).
                         Kubelets post node status every 10s, so `sim advance 10s` shows a heartbeat per node.
  sim seed               Print the seed of the simulation's random number generator.
  sim seed N             Use seed N from now on; `sim reset` then rebuilds the scenario with it.
  sim reset              Back to the scenario's first instant (time 00:00:00).
";

const KUBECTL: &str = "\
kubectl: talk to the cluster's API server.

  kubectl get TYPE [NAME...]   TYPE: nodes (no), pods (po), namespaces (ns); or TYPE/NAME
      -n, --namespace NS       namespace (default: default)
      -A, --all-namespaces     every namespace
      -o, --output FORMAT      wide | name
      --show-labels            add a LABELS column (nodes)
  kubectl cluster-info         the API server's address
  kubectl version              client and server versions
";

const FILES: &str = "\
Files: your project directory (source, Dockerfile, manifests).

  ls [PATH]      list a directory
  cat FILE...    print files
";

/// The help text for a topic.
pub fn text(topic: Option<&str>) -> Result<String, CommandError> {
    match topic {
        None => Ok(OVERVIEW.to_string()),
        Some("sim") => Ok(SIM.to_string()),
        Some("kubectl" | "k") => Ok(KUBECTL.to_string()),
        Some("files" | "ls" | "cat") => Ok(FILES.to_string()),
        Some(other) => {
            let mut msg = format!("help: no help topic \"{other}\"");
            if let Some(s) = suggest::suggestions(other, &["sim", "kubectl", "files"]).first() {
                msg.push_str(&format!("\n\nDid you mean this?\n\t{s}"));
            }
            Err(CommandError::new(msg))
        }
    }
}
