//! Platform files: where and how an app is deployed without Kubernetes.
//!
//! - `Procfile` (Heroku and friends): each process is a service of its
//!   directory.
//! - `fly.toml` (Fly.io), Google App Engine `app.yaml`, DigitalOcean App
//!   Platform `.do/app.yaml`: platform apps, with build, health checks,
//!   instances and environment ([`apps`]).
//! - `vercel.json` and Azure Functions `host.json`: serverless functions
//!   ([`functions`]).
//! - `netlify.toml`, `cdk.json`, `Pulumi.yaml`: checked for validity (the
//!   technologies themselves are marker files); Netlify's `[functions]` is
//!   evidence.
//!
//! A file that does not parse is a problem; values of the wrong shape are
//! problems at their position and the rest of the file is still read.

mod apps;
mod functions;
#[cfg(test)]
mod tests;

use crate::detect::{DetectContext, Facts, ServiceFact, parent_dir};
use crate::model::ServiceOrigin;
use crate::parse::json::{self, Strictness};
use crate::parse::toml::{key_span, parse_toml, table_at};
use crate::parse::{procfile, yaml};
use crate::source::SourceFile;
use crate::walk::FileKind;

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    for (kind, src) in files {
        match kind {
            FileKind::Procfile => read_procfile(src, &mut facts),
            FileKind::FlyToml => apps::fly(ctx, src, &mut facts),
            FileKind::AppYaml => apps::app_yaml(ctx, src, &mut facts),
            FileKind::VercelJson => functions::vercel(src, &mut facts),
            FileKind::HostJson => functions::host_json(ctx, src, &mut facts),
            FileKind::NetlifyToml => netlify(ctx, src, &mut facts),
            FileKind::CdkJson => {
                if let Err(err) = json::parse(src, Strictness::Strict) {
                    facts.problems.push(err.to_problem(src));
                }
            }
            FileKind::PulumiYaml => {
                if let Err(err) = yaml::parse(src) {
                    facts.problems.push(err.to_problem(src));
                }
            }
            _ => {}
        }
    }
    facts
}

/// Each process is a service built from the Procfile's directory; the
/// processes of one directory are merged into one service by `assemble`.
fn read_procfile(src: &SourceFile, facts: &mut Facts) {
    let procfile = procfile::parse(src);
    for issue in &procfile.issues {
        facts.problems.push(issue.to_problem(src));
    }
    let dir = parent_dir(&src.path);
    for process in procfile.processes {
        let line = src.line(process.name_span.start);
        let mut service = ServiceFact::new(ServiceOrigin::Procfile, &process.name, &src.path, line);
        service.build_context = Some(dir.to_string());
        facts.services.push(service);
    }
}

/// `netlify.toml`: valid TOML; `[functions]` says the site deploys functions.
fn netlify(ctx: &DetectContext<'_>, src: &SourceFile, facts: &mut Facts) {
    let doc = match parse_toml(src) {
        Ok(doc) => doc,
        Err(err) => {
            facts.problems.push(err.to_problem(src));
            return;
        }
    };
    let root = doc.as_table();
    let Some(functions) = table_at(root, &["functions"]) else {
        return;
    };
    let Some(tech) = ctx.catalog.id_of("netlify") else {
        return;
    };
    let offset = key_span(root, "functions").map_or(0, |s| s.start);
    let reason = match functions.get("directory").and_then(|d| d.as_str()) {
        Some(directory) => format!("functions directory {directory}"),
        None => "functions".to_string(),
    };
    facts.detect(tech, src, offset, reason);
}
