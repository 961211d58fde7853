//! ImageLocality (`pkg/scheduler/framework/plugins/imagelocality/image_locality.go`).
//!
//! Favors nodes that already have the pod's images, weighting each image's size by how
//! widely it is spread (an image on every node gives no reason to pick any one of them).

use crate::scheduler::framework::{MAX_NODE_SCORE, NodeInfo, PodInfo};

/// Plugin name.
pub const NAME: &str = "ImageLocality";
/// One mebibyte.
pub const MB: i64 = 1024 * 1024;
/// `minThreshold`: below 23 MB of present images the score is 0.
pub const MIN_THRESHOLD: i64 = 23 * MB;
/// `maxContainerThreshold`: the score saturates at 1000 MB per container.
pub const MAX_CONTAINER_THRESHOLD: i64 = 1000 * MB;

/// `normalizedImageName`: append `:latest` when the name has no tag.
pub fn normalized_image_name(name: &str) -> String {
    let colon = name.rfind(':').map_or(-1, |i| i as i64);
    let slash = name.rfind('/').map_or(-1, |i| i as i64);
    if colon <= slash {
        format!("{name}:latest")
    } else {
        name.to_string()
    }
}

/// `scaledImageScore`: `int64(float64(size) * numNodes / totalNumNodes)`.
pub fn scaled_image_score(size: i64, num_nodes: i64, total_num_nodes: i64) -> i64 {
    let spread = num_nodes as f64 / total_num_nodes as f64;
    (size as f64 * spread) as i64
}

/// `sumImageScores`: over init containers then containers, the scaled size of each image
/// present on the node.
pub fn sum_image_scores(pod: &PodInfo, node: &NodeInfo, total_num_nodes: i64) -> i64 {
    pod.init_images
        .iter()
        .chain(&pod.images)
        .filter_map(|img| node.images.get(&normalized_image_name(img)))
        .map(|st| scaled_image_score(st.size, st.num_nodes, total_num_nodes))
        .sum()
}

/// `calculatePriority`: clamp the sum to `[23MB, 1000MB × containers]` and map linearly to
/// 0..=100.
pub fn calculate_priority(sum_scores: i64, num_containers: i64) -> i64 {
    let max_threshold = MAX_CONTAINER_THRESHOLD * num_containers;
    let sum = if sum_scores < MIN_THRESHOLD {
        MIN_THRESHOLD
    } else if sum_scores > max_threshold {
        max_threshold
    } else {
        sum_scores
    };
    let denom = max_threshold - MIN_THRESHOLD;
    if denom == 0 {
        return 0;
    }
    MAX_NODE_SCORE * (sum - MIN_THRESHOLD) / denom
}

/// Score for one node (no NormalizeScore: the value is already 0..100).
pub fn score(pod: &PodInfo, node: &NodeInfo, total_num_nodes: i64) -> i64 {
    score_normalized(&normalized_images(pod), node, total_num_nodes)
}

/// The pod's images, init containers first, normalised (computed once per cycle).
pub fn normalized_images(pod: &PodInfo) -> Vec<String> {
    pod.init_images
        .iter()
        .chain(&pod.images)
        .map(|img| normalized_image_name(img))
        .collect()
}

/// [`score`] from [`normalized_images`]: the same sum and clamping, without normalising
/// the names again for every node.
pub fn score_normalized(images: &[String], node: &NodeInfo, total_num_nodes: i64) -> i64 {
    let sum: i64 = if node.images.is_empty() {
        0
    } else {
        images
            .iter()
            .filter_map(|name| node.images.get(name))
            .map(|st| scaled_image_score(st.size, st.num_nodes, total_num_nodes))
            .sum()
    };
    calculate_priority(sum, images.len() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::framework::ImageState;

    fn node(images: &[(&str, i64, i64)]) -> NodeInfo {
        let mut n = NodeInfo::default();
        for (name, size, nodes) in images {
            n.images.insert(
                name.to_string(),
                ImageState {
                    size: *size,
                    num_nodes: *nodes,
                },
            );
        }
        n
    }

    fn pod(images: &[&str]) -> PodInfo {
        PodInfo {
            images: images.iter().map(|s| s.to_string()).collect(),
            ..PodInfo::default()
        }
    }

    #[test]
    fn names_normalise() {
        assert_eq!(normalized_image_name("gcr.io/40"), "gcr.io/40:latest");
        assert_eq!(normalized_image_name("gcr.io/40:v1"), "gcr.io/40:v1");
        assert_eq!(
            normalized_image_name("localhost:5000/a"),
            "localhost:5000/a:latest"
        );
    }

    #[test]
    fn upstream_two_images_one_node() {
        // Pod with gcr.io/40 and gcr.io/300; node1 has 40MB (on 1 of 2 nodes) → sum 20MB < 23MB → 0.
        let n1 = node(&[
            ("gcr.io/40:latest", 40 * MB, 1),
            ("gcr.io/300:latest", 300 * MB, 1),
        ]);
        let n2 = node(&[("gcr.io/250:latest", 250 * MB, 1)]);
        let p = pod(&["gcr.io/40", "gcr.io/300"]);
        // node1: (40+300)/2 = 170MB → 100*(170-23)/(2000-23) = 7
        assert_eq!(score(&p, &n1, 2), 7);
        assert_eq!(score(&p, &n2, 2), 0);
        let p2 = pod(&["gcr.io/250"]);
        // 250MB / 2 nodes = 125MB → 100*(125-23)/(1000-23) = 10
        assert_eq!(score(&p2, &n2, 2), 10);
        // Saturates at 1000MB per container.
        let big = node(&[("gcr.io/2000:latest", 2000 * MB, 1)]);
        assert_eq!(score(&pod(&["gcr.io/2000"]), &big, 1), 100);
        assert_eq!(score(&pod(&[]), &big, 1), 0);
    }
}
