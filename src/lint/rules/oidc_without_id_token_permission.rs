//! A cloud login action that asks for GitHub's OIDC token in a job whose `GITHUB_TOKEN` lacks
//! `id-token: write` (ci-failures.md §H, row H6). Medium confidence: warnings only.

use super::{point_finding, Rule};
use crate::lint::checkpoint::{Checkpoint, Context, PermissionsFrom, PermissionsValue, Uses};
use crate::lint::facts::runner_labels;
use crate::report::{Finding, Label, Severity};

pub struct OidcWithoutIdTokenPermission;

/// Credentials an earlier setting may already provide to configure-aws-credentials, which then
/// assumes the role with them (role chaining) instead of asking for an OIDC token.
const AWS_CREDENTIAL_ENV: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
];

/// Which OIDC login a step asks for, and how it fails without the token.
struct Login {
    what: &'static str,
    input: &'static str,
    fails_with: &'static str,
}

fn login(u: &Uses<'_>) -> Option<Login> {
    let set = |name: &str| u.input(name).is_some_and(|(_, v, _)| !v.trim().is_empty());
    let is_true = |name: &str| {
        u.input(name)
            .is_some_and(|(_, v, _)| v.trim().eq_ignore_ascii_case("true"))
    };
    match u.action.as_str() {
        "aws-actions/configure-aws-credentials"
            if set("role-to-assume")
                && !set("aws-access-key-id")
                && !set("web-identity-token-file")
                && !is_true("role-chaining") =>
        {
            Some(Login {
                what: "`role-to-assume` without `aws-access-key-id`",
                input: "role-to-assume",
                fails_with: "`Credentials could not be loaded, please check your action inputs: Could not load credentials from any providers`",
            })
        }
        "google-github-actions/auth"
            if set("workload_identity_provider") && !set("credentials_json") =>
        {
            Some(Login {
                what: "`workload_identity_provider`",
                input: "workload_identity_provider",
                fails_with: "`GitHub Actions did not inject $ACTIONS_ID_TOKEN_REQUEST_TOKEN or $ACTIONS_ID_TOKEN_REQUEST_URL into this job`",
            })
        }
        "azure/login"
            if set("client-id")
                && !set("creds")
                && !u
                    .input("auth-type")
                    .is_some_and(|(_, v, _)| v.trim().eq_ignore_ascii_case("identity")) =>
        {
            Some(Login {
                what: "`client-id` without `creds`",
                input: "client-id",
                fails_with: "`Please make sure to give write permissions to id-token in the workflow.`",
            })
        }
        _ => None,
    }
}

impl Rule for OidcWithoutIdTokenPermission {
    fn id(&self) -> &'static str {
        "oidc-without-id-token-permission"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/oidc-without-id-token-permission.yaml")
    }

    fn check_point(&self, cp: &Checkpoint<'_>, ctx: &Context, out: &mut Vec<Finding>) {
        let Checkpoint::Uses(u) = cp else { return };
        // In a composite action the caller's job decides.
        let Some(job) = &u.job_facts else { return };
        let Some(login) = login(u) else { return };
        let perms = &job.permissions;
        let (why, related) = match perms.from {
            PermissionsFrom::Caller => return, // a reusable workflow: the caller's permissions
            PermissionsFrom::Default => (
                "no `permissions:` block grants `id-token: write`, and the default `GITHUB_TOKEN` has no `id-token` permission".to_string(),
                Vec::new(),
            ),
            PermissionsFrom::Job | PermissionsFrom::Workflow => {
                match perms.explicit("id-token") {
                    Some("write") | None => return,
                    Some(access) => {
                        let detail = match &perms.value {
                            PermissionsValue::ReadAll => "`read-all` does not include it".to_string(),
                            PermissionsValue::Scopes(entries)
                                if entries.iter().any(|(n, ..)| n == "id-token") =>
                            {
                                format!("they set `id-token: {access}`")
                            }
                            _ => "every scope they do not name is `none`".to_string(),
                        };
                        let level = if perms.from == PermissionsFrom::Job {
                            "job's"
                        } else {
                            "workflow's"
                        };
                        let related = perms
                            .span
                            .clone()
                            .map(|span| Label {
                                span,
                                message: "no `id-token: write` here".to_string(),
                            })
                            .into_iter()
                            .collect();
                        (
                            format!(
                                "the {level} `permissions:` do not grant `id-token: write` ({detail})"
                            ),
                            related,
                        )
                    }
                }
            }
        };
        if u.action == "aws-actions/configure-aws-credentials" && !aws_needs_oidc(u, job) {
            return;
        }
        let primary = u
            .input(login.input)
            .map_or_else(|| u.span.clone(), |(_, _, span)| span.clone());
        out.push(point_finding(
            ctx,
            self.id(),
            Some(Severity::Warning),
            format!(
                "`{}` asks for an OIDC token ({}), but {why}: no token is issued and the step is likely to fail with {}",
                u.action, login.what, login.fails_with
            ),
            (primary, "an OIDC login"),
            related,
            "grant it on the job that logs in, with the other scopes the job needs: `permissions: { id-token: write, contents: read }`".to_string(),
            None,
        ));
    }
}

/// configure-aws-credentials without an OIDC token falls back to credentials already in the
/// environment (role chaining): a self-hosted runner's instance role, keys in `env:`, or an
/// earlier login step. Only a GitHub-hosted runner with none of these is sure to fail.
fn aws_needs_oidc(u: &Uses<'_>, job: &crate::lint::checkpoint::JobFacts) -> bool {
    let labels = runner_labels();
    let hosted = !job.labels.is_empty()
        && job.labels.iter().all(
            |leg| matches!(leg.as_slice(), [one] if one != "self-hosted" && labels.is_hosted(one)),
        );
    let env_credentials = job
        .env
        .iter()
        .chain(&u.step_env)
        .any(|n| AWS_CREDENTIAL_ENV.contains(&n.as_str()));
    let earlier_login = job
        .steps
        .iter()
        .take(u.step_index)
        .any(|a| a == "aws-actions/configure-aws-credentials");
    hosted && !env_credentials && !earlier_login
}
