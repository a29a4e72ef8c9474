//! A GitLab job that points the Docker client at `tcp://docker:2375` while its `docker:dind`
//! service (19.03 or later) has TLS on, so the daemon listens on 2376 only.

use super::{point_finding, Rule};
use crate::lint::checkpoint::{Checkpoint, Context, GitlabService, GitlabVariable};
use crate::report::Finding;

pub struct DindTlsPortMismatch;

/// Whether an image is the Docker-in-Docker image at a version that turns TLS on by default
/// (19.03 and later): `docker:dind`, `docker:27-dind`, `docker:24.0.5-dind`,
/// `docker:27.3.1-dind-alpine3.20`, with any registry or mirror in front. Rootless, `stable`,
/// `edge` and other tags are not judged.
fn dind_with_tls_default(image: &str) -> bool {
    let image = image.split('@').next().unwrap_or(image).trim();
    let last = image.rsplit('/').next().unwrap_or(image);
    let Some((repo, tag)) = last.split_once(':') else {
        return false; // `docker` alone is the CLI image, not dind
    };
    if repo != "docker" {
        return false;
    }
    let (version, suffix) = match tag.split_once("-dind") {
        Some(parts) => parts,
        None if tag == "dind" => return true,
        None => return false,
    };
    if !(suffix.is_empty() || suffix.starts_with("-alpine")) {
        return false;
    }
    if version.is_empty() {
        return true; // `dind-alpine3.20`
    }
    let mut parts = version.split('.');
    let major: Option<u32> = parts.next().and_then(|p| p.parse().ok());
    let minor: Option<u32> = parts
        .next()
        .map(|p| p.split('-').next().unwrap_or(p))
        .and_then(|p| p.parse().ok());
    match (major, minor) {
        (Some(m), _) if m >= 20 => true,
        (Some(19), Some(n)) => n >= 3,
        (Some(19), None) => true, // 19.03 is the only 19.x
        _ => false,
    }
}

/// The names a service answers to: its aliases and the names GitLab derives from its image
/// (`docker`; `registry.example.com__group__docker` and `registry.example.com-group-docker`),
/// and `localhost` (the Kubernetes executor runs services in the job's pod).
fn hostnames(s: &GitlabService) -> Vec<String> {
    let image = s.image.split('@').next().unwrap_or(&s.image);
    let name = match image.rsplit_once(':') {
        Some((n, tag)) if !tag.contains('/') => n,
        _ => image,
    };
    let mut out: Vec<String> = s.aliases.clone();
    out.push(name.replace('/', "__"));
    out.push(name.replace('/', "-"));
    if let Some(plain) = name
        .strip_prefix("docker.io/library/")
        .or_else(|| name.strip_prefix("library/"))
        .or_else(|| name.strip_prefix("docker.io/"))
    {
        out.push(plain.to_string());
    }
    out.extend(["localhost".to_string(), "127.0.0.1".to_string()]);
    out
}

/// `tcp://HOST:2375` → HOST.
fn plain_port_host(docker_host: &str) -> Option<&str> {
    let rest = docker_host.trim().strip_prefix("tcp://")?;
    let rest = rest.trim_end_matches('/');
    rest.strip_suffix(":2375")
}

/// A literal value: not a reference to another variable, not null.
fn literal(v: &GitlabVariable) -> Option<&str> {
    let value = v.value.as_ref()?;
    (!value.null && !value.text.contains('$')).then_some(value.text.as_str())
}

impl Rule for DindTlsPortMismatch {
    fn id(&self) -> &'static str {
        "dind-tls-port-mismatch"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/dind-tls-port-mismatch.yaml")
    }

    fn check_point(&self, cp: &Checkpoint<'_>, ctx: &Context, out: &mut Vec<Finding>) {
        let Checkpoint::GitlabJob(job) = cp else {
            return;
        };
        let Some(host_var) = job.variable("DOCKER_HOST") else {
            return;
        };
        let Some(host) = literal(host_var).and_then(plain_port_host) else {
            return;
        };
        for s in &job.services {
            if s.custom_start || !dind_with_tls_default(&s.image) {
                continue;
            }
            if !hostnames(s).iter().any(|h| h == host) {
                continue;
            }
            // The service sees the job's variables, its own win.
            let certdir = s
                .variables
                .iter()
                .rev()
                .find(|v| v.name == "DOCKER_TLS_CERTDIR")
                .or_else(|| job.variable("DOCKER_TLS_CERTDIR"));
            let tls = match certdir {
                None => "`DOCKER_TLS_CERTDIR` is not set, so the image's default `/certs` applies"
                    .to_string(),
                Some(v) => match literal(v) {
                    Some("") => continue,
                    Some(dir) => format!("`DOCKER_TLS_CERTDIR: {dir}`"),
                    None => continue, // decided elsewhere
                },
            };
            let value = host_var.value.as_ref().map_or("", |v| v.text.as_str());
            let (primary, primary_msg) = if host_var.place.is_in(ctx) {
                (host_var.place.span.clone(), "port 2375: no TLS")
            } else if s.place.is_in(ctx) {
                (s.place.span.clone(), "TLS on: the daemon listens on 2376")
            } else {
                (job.name_span.clone(), "this job")
            };
            let mut f = point_finding(
                ctx,
                self.id(),
                None,
                format!(
                    "job `{}` sets `DOCKER_HOST: {value}` but its `{}` service has TLS on ({tls}): the daemon listens on 2376 only, so Docker commands fail with `Cannot connect to the Docker daemon at tcp://{host}:2375. Is the docker daemon running?`",
                    job.name, s.image
                ),
                (primary.clone(), primary_msg),
                Vec::new(),
                "use TLS: `DOCKER_HOST: tcp://docker:2376`, `DOCKER_TLS_CERTDIR: \"/certs\"`, `DOCKER_TLS_VERIFY: 1`, `DOCKER_CERT_PATH: \"$DOCKER_TLS_CERTDIR/client\"`; or turn TLS off for port 2375 with `DOCKER_TLS_CERTDIR: \"\"`".to_string(),
                None,
            );
            if s.place.span != primary || !s.place.is_in(ctx) {
                s.place
                    .label(ctx, "TLS on: the daemon listens on 2376", &mut f);
            }
            if host_var.place.span != primary || !host_var.place.is_in(ctx) {
                host_var.place.label(ctx, "port 2375: no TLS", &mut f);
            }
            if let Some(v) = certdir {
                v.place.label(ctx, "turns TLS on", &mut f);
            }
            out.push(f);
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::dind_with_tls_default as dind;

    #[test]
    fn dind_versions_with_tls_by_default() {
        for yes in [
            "docker:dind",
            "docker:27-dind",
            "docker:24.0.5-dind",
            "docker:19.03-dind",
            "docker:19.03.12-dind",
            "docker:20.10.16-dind",
            "docker:27.3.1-dind-alpine3.20",
            "docker.io/library/docker:dind",
            "registry.example.com/mirror/docker:25-dind",
            "docker:26-dind@sha256:abc",
        ] {
            assert!(dind(yes), "{yes}");
        }
        for no in [
            "docker:18.09-dind",
            "docker:18.09.7-dind",
            "docker:dind-rootless",
            "docker:27-dind-rootless",
            "docker:stable-dind",
            "docker:27",
            "docker",
            "docker:git",
            "mydocker:dind",
        ] {
            assert!(!dind(no), "{no}");
        }
    }
}
