//! Base images as data: layers with realistic sizes and each image's default config.
//!
//! Sizes are approximate linux/amd64 figures from the official images' tag pages on Docker
//! Hub and `docker images` (compressed = download size, uncompressed = size on disk),
//! collected in late 2024 / early 2025. They are rounded; what matters for the lessons is
//! the order of magnitude (a `node:22` is ~1.1 GB, `node:22-alpine` ~160 MB,
//! `gcr.io/distroless/static-debian12` ~2 MB).
//!
//! Images built on the same base share that base's layers *by key*, so their digests are
//! identical: `node:22` reuses `debian:bookworm`'s rootfs layer and the three
//! `buildpack-deps:bookworm` layers, exactly as on Docker Hub, and a registry or node
//! that already has `debian:bookworm` only needs the node-specific layers.

use super::oci::{ContainerConfig, Digest, Empty, History, Image, ImageConfig, Layer};
use serde::Serialize;

const KB: u64 = 1_000;
const MB: u64 = 1_000_000;

/// One layer of the catalog: (key, created_by, uncompressed bytes, compressed bytes).
type LayerRow = (&'static str, &'static str, u64, u64);

/// All layers, by key. A key is the layer's identity: same key ⇒ same digests.
const LAYERS: &[LayerRow] = &[
    (
        "alpine-3.13",
        "ADD alpine-minirootfs-3.13.12-x86_64.tar.gz / # buildkit",
        5_600 * KB,
        2_800 * KB,
    ),
    (
        "alpine-3.17",
        "ADD alpine-minirootfs-3.17.10-x86_64.tar.gz / # buildkit",
        7_100 * KB,
        3_400 * KB,
    ),
    (
        "alpine-3.20",
        "ADD alpine-minirootfs-3.20.3-x86_64.tar.gz / # buildkit",
        7_800 * KB,
        3_600 * KB,
    ),
    (
        "alpine-3.21",
        "ADD alpine-minirootfs-3.21.2-x86_64.tar.gz / # buildkit",
        7_800 * KB,
        3_600 * KB,
    ),
    (
        "debian-bookworm",
        "# debian.sh --arch 'amd64' out/ 'bookworm' '@1736726400'",
        117 * MB,
        48_500 * KB,
    ),
    (
        "debian-bookworm-slim",
        "# debian.sh --arch 'amd64' out/ 'bookworm' '@1736726400' (slim)",
        74_800 * KB,
        28_200 * KB,
    ),
    (
        "debian-buster",
        "# debian.sh --arch 'amd64' out/ 'buster' '@1688342400'",
        114 * MB,
        50_500 * KB,
    ),
    (
        "debian-buster-slim",
        "# debian.sh --arch 'amd64' out/ 'buster' '@1688342400' (slim)",
        69_300 * KB,
        27_100 * KB,
    ),
    (
        "ubuntu-22.04",
        "ADD ubuntu-jammy-oci-amd64-root.tar.gz / # buildkit",
        77_900 * KB,
        29_500 * KB,
    ),
    (
        "ubuntu-24.04",
        "ADD ubuntu-noble-oci-amd64-root.tar.gz / # buildkit",
        78_100 * KB,
        29_700 * KB,
    ),
    (
        "bpd-bookworm-curl",
        "RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl gnupg netbase sq wget",
        55 * MB,
        24 * MB,
    ),
    (
        "bpd-bookworm-scm",
        "RUN apt-get update && apt-get install -y --no-install-recommends git mercurial openssh-client subversion procps",
        180 * MB,
        64 * MB,
    ),
    (
        "bpd-bookworm",
        "RUN apt-get update && apt-get install -y --no-install-recommends autoconf automake bzip2 dpkg-dev file g++ gcc imagemagick …",
        560 * MB,
        211 * MB,
    ),
    (
        "bpd-buster-curl",
        "RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl netbase wget",
        20 * MB,
        7_900 * KB,
    ),
    (
        "bpd-buster-scm",
        "RUN apt-get update && apt-get install -y --no-install-recommends git mercurial openssh-client subversion procps",
        146 * MB,
        51_800 * KB,
    ),
    (
        "node-22-group",
        "RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node",
        9 * KB,
        4 * KB,
    ),
    (
        "node-22-bin",
        "RUN ARCH= && dpkgArch=\"$(dpkg --print-architecture)\" … node-v22.12.0-linux-x64.tar.xz …",
        185 * MB,
        48_200 * KB,
    ),
    (
        "node-22-slim-bin",
        "RUN ARCH= … node-v22.12.0-linux-x64.tar.xz (slim: with its build deps purged)",
        150 * MB,
        46_100 * KB,
    ),
    (
        "node-22-alpine-bin",
        "RUN addgroup -g 1000 node && adduser … && apk add --no-cache libstdc++ && … node-v22.12.0-linux-x64-musl.tar.xz",
        147 * MB,
        45_200 * KB,
    ),
    (
        "node-18-alpine-bin",
        "RUN addgroup -g 1000 node && … node-v18.20.5-linux-x64-musl.tar.xz",
        127 * MB,
        40_100 * KB,
    ),
    (
        "node-16.3.0-alpine-bin",
        "RUN addgroup -g 1000 node && … node-v16.3.0-linux-x64-musl.tar.xz",
        105 * MB,
        35_400 * KB,
    ),
    (
        "node-lts-buster-slim-bin",
        "RUN ARCH= … node-v18.x-linux-x64.tar.xz (buster-slim)",
        160 * MB,
        47_300 * KB,
    ),
    (
        "yarn-1.22",
        "RUN set -ex && … yarn-v1.22.22.tar.gz …",
        5_300 * KB,
        1_300 * KB,
    ),
    (
        "node-entrypoint",
        "COPY docker-entrypoint.sh /usr/local/bin/ # buildkit",
        400,
        300,
    ),
    (
        "python-deps-bookworm",
        "RUN apt-get update && apt-get install -y --no-install-recommends libbluetooth-dev tk-dev uuid-dev",
        18 * MB,
        6_100 * KB,
    ),
    (
        "python-3.13-bookworm",
        "RUN set -eux; wget -O python.tar.xz … Python-3.13.1 … ./configure … make … make install",
        85 * MB,
        26_300 * KB,
    ),
    (
        "python-deps-slim",
        "RUN set -eux; apt-get update; apt-get install -y --no-install-recommends ca-certificates netbase tzdata",
        9 * MB,
        3_300 * KB,
    ),
    (
        "python-3.13-slim",
        "RUN set -eux; savedAptMark=… Python-3.13.1 … apt-mark auto '.*' …",
        37 * MB,
        12_500 * KB,
    ),
    (
        "python-deps-alpine",
        "RUN set -eux; apk add --no-cache ca-certificates tzdata",
        1_500 * KB,
        600 * KB,
    ),
    (
        "python-3.13-alpine",
        "RUN set -eux; apk add --no-cache --virtual .build-deps … Python-3.13.1 …",
        35 * MB,
        11_400 * KB,
    ),
    (
        "python-3.10-alpine",
        "RUN set -eux; apk add --no-cache --virtual .build-deps … Python-3.10.16 …",
        40 * MB,
        13_100 * KB,
    ),
    (
        "python-3.7-alpine",
        "RUN set -ex && apk add --no-cache --virtual .fetch-deps … Python-3.7.17 …",
        38 * MB,
        12_200 * KB,
    ),
    (
        "python-symlinks",
        "RUN set -eux; for src in idle3 pip3 pydoc3 python3 python3-config; do … ln -svT …",
        100,
        100,
    ),
    (
        "golang-deps-bookworm",
        "RUN set -eux; apt-get update; apt-get install -y --no-install-recommends g++ gcc libc6-dev make pkg-config",
        222 * MB,
        70_100 * KB,
    ),
    (
        "golang-1.23",
        "RUN set -eux; … go1.23.4.linux-amd64.tar.gz … (COPY --from=build --link /target/ /)",
        240 * MB,
        75_400 * KB,
    ),
    (
        "golang-deps-alpine",
        "RUN apk add --no-cache ca-certificates",
        300 * KB,
        150 * KB,
    ),
    (
        "golang-1.18-alpine",
        "RUN set -eux; apk add --no-cache --virtual .build-deps bash gcc go musl-dev openssl; … go1.18.10 …",
        330 * MB,
        106 * MB,
    ),
    (
        "golang-gopath",
        "RUN mkdir -p \"$GOPATH/src\" \"$GOPATH/bin\" && chmod -R 1777 \"$GOPATH\"",
        100,
        100,
    ),
    (
        "nginx-1.27",
        "RUN set -x && groupadd --system --gid 101 nginx && … apt-get install … nginx=1.27.3-1~bookworm …",
        117 * MB,
        40_100 * KB,
    ),
    (
        "nginx-1.27-alpine",
        "RUN set -x && addgroup -g 101 -S nginx && … apk add … nginx=1.27.3-r1 …",
        40 * MB,
        13_900 * KB,
    ),
    (
        "nginx-scripts",
        "COPY docker-entrypoint.sh 10-listen-on-ipv6-by-default.sh 20-envsubst-on-templates.sh … / # buildkit",
        12 * KB,
        5 * KB,
    ),
    (
        "redis-7.2-alpine",
        "RUN set -eux; apk add --no-cache --virtual .build-deps … redis-7.2.7 … make install",
        32 * MB,
        11 * MB,
    ),
    (
        "redis-entrypoint",
        "COPY docker-entrypoint.sh /usr/local/bin/ # buildkit",
        2 * KB,
        KB,
    ),
    (
        "distroless-static",
        "bazel build //static:static_debian12 (ca-certificates, tzdata, /etc/passwd, base-files)",
        2_000 * KB,
        800 * KB,
    ),
    (
        "distroless-base",
        "bazel build //base:base_nossl_debian12 (glibc, libssl3)",
        20 * MB,
        7_900 * KB,
    ),
    (
        "distroless-cc",
        "bazel build //cc:cc_debian12 (libgcc-s1, libstdc++6, libgomp1)",
        4_200 * KB,
        1_500 * KB,
    ),
    (
        "distroless-nodejs22",
        "bazel build //nodejs:nodejs22_debian12 (/nodejs)",
        110 * MB,
        38_300 * KB,
    ),
    (
        "openjdk-11-jdk",
        "RUN set -eux; … openjdk-11.0.16_linux-x64_bin.tar.gz …",
        310 * MB,
        190 * MB,
    ),
    (
        "maven-3.6.3",
        "RUN mkdir -p /usr/share/maven … apache-maven-3.6.3-bin.tar.gz …",
        10_700 * KB,
        9_600 * KB,
    ),
    (
        "openjdk-11-jre-deps",
        "RUN set -eux; apt-get update; apt-get install -y --no-install-recommends ca-certificates p11-kit",
        4_100 * KB,
        1_600 * KB,
    ),
    (
        "openjdk-11-jre",
        "RUN set -eux; … OpenJDK11U-jre_x64_linux_11.0.16_8.tar.gz …",
        145 * MB,
        47_100 * KB,
    ),
    (
        "docker-cli-tools",
        "COPY --from=… docker buildx compose binaries / # buildkit",
        120 * MB,
        45 * MB,
    ),
];

const PATH_STD: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// One catalog entry, as data.
struct Def {
    repo: &'static str,
    tags: &'static [&'static str],
    layers: &'static [&'static str],
    env: &'static [&'static str],
    entrypoint: Option<&'static [&'static str]>,
    cmd: Option<&'static [&'static str]>,
    user: &'static str,
    workdir: &'static str,
    ports: &'static [&'static str],
    volumes: &'static [&'static str],
    stop_signal: &'static str,
    /// Manifest digests that real Dockerfiles pin (`repo@sha256:…`) and that we resolve to
    /// this entry.
    pinned: &'static [&'static str],
}

const D: Def = Def {
    repo: "",
    tags: &[],
    layers: &[],
    env: &[PATH_STD],
    entrypoint: None,
    cmd: None,
    user: "",
    workdir: "",
    ports: &[],
    volumes: &[],
    stop_signal: "",
    pinned: &[],
};

const NODE_ENV_22: &[&str] = &[PATH_STD, "NODE_VERSION=22.12.0", "YARN_VERSION=1.22.22"];
const NODE_EP: Option<&[&str]> = Some(&["docker-entrypoint.sh"]);
const NODE_CMD: Option<&[&str]> = Some(&["node"]);
const BPD_BOOKWORM: [&str; 4] = [
    "debian-bookworm",
    "bpd-bookworm-curl",
    "bpd-bookworm-scm",
    "bpd-bookworm",
];
const PY_ENV: &[&str] = &[
    "PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305",
    "PYTHON_VERSION=3.13.1",
];
const GO_ENV: &[&str] = &[
    "PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "GOLANG_VERSION=1.23.4",
    "GOTOOLCHAIN=local",
    "GOPATH=/go",
];
const NGINX_ENV: &[&str] = &[
    PATH_STD,
    "NGINX_VERSION=1.27.3",
    "NJS_VERSION=0.8.7",
    "PKG_RELEASE=1~bookworm",
];
const NGINX_EP: Option<&[&str]> = Some(&["/docker-entrypoint.sh"]);
const NGINX_CMD: Option<&[&str]> = Some(&["nginx", "-g", "daemon off;"]);

const DEFS: &[Def] = &[
    Def {
        repo: "docker.io/library/alpine",
        tags: &["3.21", "3.21.2", "3", "latest"],
        layers: &["alpine-3.21"],
        cmd: Some(&["/bin/sh"]),
        pinned: &["sha256:eece025e432126ce23f223450a0326fbebde39cdf496a85d8c016293fc851978"],
        ..D
    },
    Def {
        repo: "docker.io/library/alpine",
        tags: &["3.20", "3.20.3"],
        layers: &["alpine-3.20"],
        cmd: Some(&["/bin/sh"]),
        ..D
    },
    Def {
        repo: "docker.io/library/alpine",
        tags: &["3.17", "3.17.10"],
        layers: &["alpine-3.17"],
        cmd: Some(&["/bin/sh"]),
        ..D
    },
    Def {
        repo: "docker.io/library/debian",
        tags: &["bookworm", "12", "latest"],
        layers: &["debian-bookworm"],
        cmd: Some(&["bash"]),
        ..D
    },
    Def {
        repo: "docker.io/library/debian",
        tags: &["bookworm-slim", "12-slim", "stable-slim"],
        layers: &["debian-bookworm-slim"],
        cmd: Some(&["bash"]),
        ..D
    },
    Def {
        repo: "docker.io/library/ubuntu",
        tags: &["22.04", "jammy"],
        layers: &["ubuntu-22.04"],
        cmd: Some(&["/bin/bash"]),
        ..D
    },
    Def {
        repo: "docker.io/library/ubuntu",
        tags: &["24.04", "noble", "latest"],
        layers: &["ubuntu-24.04"],
        cmd: Some(&["/bin/bash"]),
        ..D
    },
    Def {
        repo: "docker.io/library/buildpack-deps",
        tags: &["bookworm"],
        layers: &BPD_BOOKWORM,
        cmd: Some(&["bash"]),
        ..D
    },
    Def {
        repo: "docker.io/library/node",
        tags: &["22", "22-bookworm", "22.12", "22.12.0", "lts", "latest"],
        layers: &[
            "debian-bookworm",
            "bpd-bookworm-curl",
            "bpd-bookworm-scm",
            "bpd-bookworm",
            "node-22-group",
            "node-22-bin",
            "yarn-1.22",
            "node-entrypoint",
        ],
        env: NODE_ENV_22,
        entrypoint: NODE_EP,
        cmd: NODE_CMD,
        ..D
    },
    Def {
        repo: "docker.io/library/node",
        tags: &["22-slim", "22-bookworm-slim", "lts-slim"],
        layers: &[
            "debian-bookworm-slim",
            "node-22-group",
            "node-22-slim-bin",
            "yarn-1.22",
            "node-entrypoint",
        ],
        env: NODE_ENV_22,
        entrypoint: NODE_EP,
        cmd: NODE_CMD,
        ..D
    },
    Def {
        repo: "docker.io/library/node",
        tags: &["22-alpine", "22-alpine3.21", "lts-alpine", "alpine"],
        layers: &[
            "alpine-3.21",
            "node-22-alpine-bin",
            "yarn-1.22",
            "node-entrypoint",
        ],
        env: NODE_ENV_22,
        entrypoint: NODE_EP,
        cmd: NODE_CMD,
        ..D
    },
    Def {
        repo: "docker.io/library/node",
        tags: &["18-alpine", "18-alpine3.20"],
        layers: &[
            "alpine-3.20",
            "node-18-alpine-bin",
            "yarn-1.22",
            "node-entrypoint",
        ],
        env: &[PATH_STD, "NODE_VERSION=18.20.5", "YARN_VERSION=1.22.22"],
        entrypoint: NODE_EP,
        cmd: NODE_CMD,
        ..D
    },
    Def {
        repo: "docker.io/library/node",
        tags: &["16.3.0-alpine"],
        layers: &[
            "alpine-3.13",
            "node-16.3.0-alpine-bin",
            "yarn-1.22",
            "node-entrypoint",
        ],
        env: &[PATH_STD, "NODE_VERSION=16.3.0", "YARN_VERSION=1.22.5"],
        entrypoint: NODE_EP,
        cmd: NODE_CMD,
        ..D
    },
    Def {
        repo: "docker.io/library/node",
        tags: &["lts-buster-slim"],
        layers: &[
            "debian-buster-slim",
            "node-22-group",
            "node-lts-buster-slim-bin",
            "yarn-1.22",
            "node-entrypoint",
        ],
        env: &[PATH_STD, "NODE_VERSION=18.20.4", "YARN_VERSION=1.22.19"],
        entrypoint: NODE_EP,
        cmd: NODE_CMD,
        ..D
    },
    Def {
        repo: "docker.io/library/python",
        tags: &["3.13", "3.13-bookworm", "3", "latest"],
        layers: &[
            "debian-bookworm",
            "bpd-bookworm-curl",
            "bpd-bookworm-scm",
            "bpd-bookworm",
            "python-deps-bookworm",
            "python-3.13-bookworm",
            "python-symlinks",
        ],
        env: PY_ENV,
        cmd: Some(&["python3"]),
        ..D
    },
    Def {
        repo: "docker.io/library/python",
        tags: &["3.13-slim", "3.13-slim-bookworm", "3-slim", "slim"],
        layers: &[
            "debian-bookworm-slim",
            "python-deps-slim",
            "python-3.13-slim",
            "python-symlinks",
        ],
        env: PY_ENV,
        cmd: Some(&["python3"]),
        ..D
    },
    Def {
        repo: "docker.io/library/python",
        tags: &["3.13-alpine", "3.13-alpine3.21", "3-alpine", "alpine"],
        layers: &[
            "alpine-3.21",
            "python-deps-alpine",
            "python-3.13-alpine",
            "python-symlinks",
        ],
        env: PY_ENV,
        cmd: Some(&["python3"]),
        ..D
    },
    Def {
        repo: "docker.io/library/python",
        tags: &["3.10-alpine"],
        layers: &[
            "alpine-3.21",
            "python-deps-alpine",
            "python-3.10-alpine",
            "python-symlinks",
        ],
        env: &[PY_ENV[0], PY_ENV[1], "PYTHON_VERSION=3.10.16"],
        cmd: Some(&["python3"]),
        ..D
    },
    Def {
        repo: "docker.io/library/python",
        tags: &["3.7-alpine"],
        layers: &[
            "alpine-3.17",
            "python-deps-alpine",
            "python-3.7-alpine",
            "python-symlinks",
        ],
        env: &[PY_ENV[0], "LANG=C.UTF-8", "PYTHON_VERSION=3.7.17"],
        cmd: Some(&["python3"]),
        ..D
    },
    Def {
        repo: "docker.io/library/golang",
        tags: &["1.23", "1.23-bookworm", "1.23.4", "latest"],
        layers: &[
            "debian-bookworm",
            "bpd-bookworm-curl",
            "bpd-bookworm-scm",
            "golang-deps-bookworm",
            "golang-1.23",
            "golang-gopath",
        ],
        env: GO_ENV,
        workdir: "/go",
        ..D
    },
    Def {
        repo: "docker.io/library/golang",
        tags: &["1.23-alpine", "1.23-alpine3.21", "alpine"],
        layers: &[
            "alpine-3.21",
            "golang-deps-alpine",
            "golang-1.23",
            "golang-gopath",
        ],
        env: GO_ENV,
        workdir: "/go",
        ..D
    },
    Def {
        repo: "docker.io/library/golang",
        tags: &["1.18-alpine"],
        layers: &[
            "alpine-3.17",
            "golang-deps-alpine",
            "golang-1.18-alpine",
            "golang-gopath",
        ],
        env: &[GO_ENV[0], "GOLANG_VERSION=1.18.10", "GOPATH=/go"],
        workdir: "/go",
        ..D
    },
    Def {
        repo: "docker.io/library/nginx",
        tags: &["1.27", "1.27.3", "1", "mainline", "latest"],
        layers: &["debian-bookworm-slim", "nginx-1.27", "nginx-scripts"],
        env: NGINX_ENV,
        entrypoint: NGINX_EP,
        cmd: NGINX_CMD,
        ports: &["80/tcp"],
        stop_signal: "SIGQUIT",
        ..D
    },
    Def {
        repo: "docker.io/library/nginx",
        tags: &["1.27-alpine", "1.27.3-alpine", "alpine", "mainline-alpine"],
        layers: &["alpine-3.21", "nginx-1.27-alpine", "nginx-scripts"],
        env: NGINX_ENV,
        entrypoint: NGINX_EP,
        cmd: NGINX_CMD,
        ports: &["80/tcp"],
        stop_signal: "SIGQUIT",
        ..D
    },
    Def {
        repo: "docker.io/library/redis",
        tags: &["7.2-alpine", "7.2.7-alpine", "7.2-alpine3.21"],
        layers: &["alpine-3.21", "redis-7.2-alpine", "redis-entrypoint"],
        env: &[PATH_STD, "REDIS_VERSION=7.2.7"],
        entrypoint: Some(&["docker-entrypoint.sh"]),
        cmd: Some(&["redis-server"]),
        workdir: "/data",
        ports: &["6379/tcp"],
        volumes: &["/data"],
        ..D
    },
    Def {
        repo: "gcr.io/distroless/static-debian12",
        tags: &["latest", "nonroot"],
        layers: &["distroless-static"],
        env: &[PATH_STD, "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"],
        ..D
    },
    Def {
        repo: "gcr.io/distroless/nodejs22-debian12",
        tags: &["latest", "nonroot"],
        layers: &[
            "distroless-static",
            "distroless-base",
            "distroless-cc",
            "distroless-nodejs22",
        ],
        env: &[PATH_STD, "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"],
        entrypoint: Some(&["/nodejs/bin/node"]),
        ..D
    },
    Def {
        repo: "docker.io/library/maven",
        tags: &["3.6.3-jdk-11"],
        layers: &[
            "debian-buster",
            "bpd-buster-curl",
            "bpd-buster-scm",
            "openjdk-11-jdk",
            "maven-3.6.3",
        ],
        env: &[
            "PATH=/usr/local/openjdk-11/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "JAVA_HOME=/usr/local/openjdk-11",
            "MAVEN_HOME=/usr/share/maven",
        ],
        entrypoint: Some(&["/usr/local/bin/mvn-entrypoint.sh"]),
        cmd: Some(&["mvn"]),
        ..D
    },
    Def {
        repo: "docker.io/library/openjdk",
        tags: &["11-jre-slim"],
        layers: &[
            "debian-buster-slim",
            "openjdk-11-jre-deps",
            "openjdk-11-jre",
        ],
        env: &[
            "PATH=/usr/local/openjdk-11/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "JAVA_HOME=/usr/local/openjdk-11",
            "JAVA_VERSION=11.0.16",
        ],
        ..D
    },
    Def {
        repo: "docker.io/gloursdocker/docker",
        tags: &["latest"],
        layers: &["docker-cli-tools"],
        env: &[],
        ..D
    },
];

/// A parsed image reference (`docker.io/library/node:22`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// Registry host (`docker.io`).
    pub domain: String,
    /// Repository path (`library/node`).
    pub path: String,
    /// Tag (`latest` when none and no digest).
    pub tag: Option<String>,
    /// Digest pin, if any.
    pub digest: Option<String>,
}

impl Reference {
    /// Parses and normalises like `docker pull` (Docker Hub, `library/`, `latest`).
    pub fn parse(s: &str) -> Result<Reference, String> {
        let invalid = || format!("invalid reference format: {s}");
        if s.is_empty() || s != s.trim() || s.chars().any(char::is_whitespace) {
            return Err(invalid());
        }
        let (name, digest) = match s.split_once('@') {
            Some((n, d)) => (
                n,
                Some(Digest::parse(d).map_err(|_| invalid())?.to_string()),
            ),
            None => (s, None),
        };
        let (name, tag) = match name.rfind(':') {
            Some(i) if !name[i..].contains('/') => (&name[..i], Some(name[i + 1..].to_string())),
            _ => (name, None),
        };
        if let Some(t) = &tag
            && (t.is_empty()
                || t.len() > 128
                || !t
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
                || t.starts_with(['.', '-']))
        {
            return Err(invalid());
        }
        let (domain, path) = match name.split_once('/') {
            Some((d, rest)) if d.contains(['.', ':']) || d == "localhost" => {
                (d.to_string(), rest.to_string())
            }
            _ => ("docker.io".to_string(), name.to_string()),
        };
        let path = if domain == "docker.io" && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        if path.is_empty()
            || path.split('/').any(|c| {
                c.is_empty()
                    || !c.chars().all(|ch| {
                        ch.is_ascii_lowercase() || ch.is_ascii_digit() || "._-".contains(ch)
                    })
            })
        {
            return Err(invalid());
        }
        let tag = match (tag, &digest) {
            (None, None) => Some("latest".to_string()),
            (t, _) => t,
        };
        Ok(Reference {
            domain,
            path,
            tag,
            digest,
        })
    }

    /// `domain/path` (`docker.io/library/node`).
    pub fn repository(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// The full normalised reference (`docker.io/library/node:22`).
    pub fn full(&self) -> String {
        let mut s = self.repository();
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }
}

/// A base image in the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseImage {
    /// Repository (`docker.io/library/node`).
    pub repository: String,
    /// Tags that resolve to this image (first = canonical).
    pub tags: Vec<String>,
    /// The image (config + layers).
    pub image: Image,
    /// Manifest digest.
    pub digest: Digest,
    /// Extra manifest digests (pins found in real Dockerfiles) that resolve here.
    pub pinned: Vec<String>,
}

/// The catalog of base images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Catalog {
    images: Vec<BaseImage>,
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog::standard()
    }
}

/// A layer of the catalog by key.
pub fn layer(key: &str) -> Option<Layer> {
    LAYERS
        .iter()
        .find(|(k, ..)| *k == key)
        .map(|(k, by, u, c)| Layer::synthetic(&format!("catalog:{k}"), *u, *c, by))
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

impl Catalog {
    /// The built-in catalog (build once and share; it is plain data).
    pub fn standard() -> Catalog {
        let images = DEFS
            .iter()
            .map(|d| {
                let layers: Vec<Layer> = d.layers.iter().filter_map(|k| layer(k)).collect();
                let mut cfg = ImageConfig::scratch();
                cfg.config = ContainerConfig {
                    user: d.user.to_string(),
                    exposed_ports: d.ports.iter().map(|p| (p.to_string(), Empty {})).collect(),
                    env: strings(d.env),
                    entrypoint: d.entrypoint.map(strings),
                    cmd: d.cmd.map(strings),
                    volumes: d
                        .volumes
                        .iter()
                        .map(|p| (p.to_string(), Empty {}))
                        .collect(),
                    working_dir: d.workdir.to_string(),
                    stop_signal: d.stop_signal.to_string(),
                    ..ContainerConfig::default()
                };
                cfg.rootfs.diff_ids = layers.iter().map(|l| l.diff_id.clone()).collect();
                cfg.history = layers
                    .iter()
                    .map(|l| History {
                        created_by: l.created_by.clone(),
                        comment: String::new(),
                        empty_layer: false,
                    })
                    .collect();
                let image = Image {
                    config: cfg,
                    layers,
                };
                BaseImage {
                    repository: d.repo.to_string(),
                    tags: strings(d.tags),
                    digest: image.manifest_digest(),
                    image,
                    pinned: strings(d.pinned),
                }
            })
            .collect();
        Catalog { images }
    }

    /// Every image.
    pub fn images(&self) -> &[BaseImage] {
        &self.images
    }

    /// Resolves a reference as `docker build` does, with its error text when it cannot:
    /// `docker.io/library/nodee:22: not found` style messages.
    pub fn resolve(&self, reference: &str) -> Result<&BaseImage, String> {
        let r = Reference::parse(reference)?;
        let repo = r.repository();
        let in_repo: Vec<&BaseImage> = self
            .images
            .iter()
            .filter(|i| i.repository == repo)
            .collect();
        let full = r.full();
        let prefix = format!("failed to resolve source metadata for {full}");
        if in_repo.is_empty() {
            return Err(format!(
                "{prefix}: pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"
            ));
        }
        let found = in_repo.into_iter().find(|i| match (&r.tag, &r.digest) {
            (_, Some(d)) => i.digest.as_str() == d || i.pinned.iter().any(|p| p == d),
            (Some(t), None) => i.tags.iter().any(|x| x == t),
            (None, None) => false,
        });
        found.ok_or_else(|| format!("{prefix}: {full}: not found"))
    }

    /// `resolve` with BuildKit's full error line, for build output.
    pub fn resolve_for_build(&self, reference: &str) -> Result<&BaseImage, String> {
        self.resolve(reference)
            .map_err(|e| format!("ERROR: failed to solve: {reference}: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_normalise() {
        let r = Reference::parse("node").unwrap();
        assert_eq!(r.full(), "docker.io/library/node:latest");
        let r = Reference::parse("gcr.io/distroless/static-debian12").unwrap();
        assert_eq!(r.repository(), "gcr.io/distroless/static-debian12");
        assert!(Reference::parse("Node:22").is_err());
        assert!(Reference::parse("node:").is_err());
    }

    #[test]
    fn sizes_and_shared_layers() {
        let c = Catalog::standard();
        let node = &c.resolve("node:22").unwrap().image;
        let debian = &c.resolve("debian:bookworm").unwrap().image;
        let gb = node.size() as f64 / 1e9;
        assert!((1.0..1.25).contains(&gb), "node:22 is ~1.1 GB, got {gb}");
        assert_eq!(node.layers[0].digest, debian.layers[0].digest);
        let distroless = c.resolve("gcr.io/distroless/static-debian12").unwrap();
        assert!(distroless.image.size() < 3 * MB);
        let golang = c.resolve("golang:1.23").unwrap().image.size();
        assert!((750 * MB..900 * MB).contains(&golang));
        for def in DEFS {
            for l in def.layers {
                assert!(layer(l).is_some(), "{} uses unknown layer {l}", def.repo);
            }
        }
    }

    #[test]
    fn unknown_images_fail_like_buildkit() {
        let c = Catalog::standard();
        assert_eq!(
            c.resolve("node:99").unwrap_err(),
            "failed to resolve source metadata for docker.io/library/node:99: docker.io/library/node:99: not found"
        );
        assert!(
            c.resolve("nodee:22")
                .unwrap_err()
                .contains("pull access denied")
        );
        assert!(
            c.resolve(
                "alpine@sha256:eece025e432126ce23f223450a0326fbebde39cdf496a85d8c016293fc851978"
            )
            .is_ok()
        );
    }
}
