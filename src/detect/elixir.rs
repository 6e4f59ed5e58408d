//! Elixir: Mix's `mix.exs`. The `app:` name names the component; an
//! umbrella's `apps_path` makes its applications workspace members; an
//! `escript:` makes the project an executable. Dependencies used only in the
//! `dev` and `test` environments are development dependencies; sibling
//! applications of an umbrella (`in_umbrella: true`) are not dependencies.

use crate::detect::{DetectContext, Facts, Manifest, ManifestRole};
use crate::model::{Dependency, DependencyScope, Ecosystem};
use crate::parse::mix_exs::{self, MixDependency};
use crate::source::SourceFile;
use crate::walk::FileKind;

/// Mix environments that never run in production.
const DEV_ENVIRONMENTS: [&str; 2] = ["dev", "test"];

pub fn detect(_ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    for (kind, src) in files {
        if *kind == FileKind::MixExs {
            read_mix_exs(src, &mut facts);
        }
    }
    facts
}

fn read_mix_exs(src: &SourceFile, facts: &mut Facts) {
    let project = mix_exs::parse(src);
    facts
        .problems
        .extend(project.errors.iter().map(|err| err.to_problem(src)));
    let mut manifest = Manifest::new(&src.path, Ecosystem::Elixir, ManifestRole::Package);
    manifest.name = project.app.map(|(name, _)| name).filter(|n| !n.is_empty());
    manifest.executable = project.escript.is_some();
    if let Some((apps_path, _)) = &project.apps_path {
        let apps_path = apps_path.trim().trim_end_matches('/');
        if !apps_path.is_empty() {
            manifest.workspace_members.push(format!("{apps_path}/*"));
        }
    }
    manifest.dependencies = project
        .dependencies
        .iter()
        .filter(|dep| !dep.in_umbrella)
        .map(|dep| Dependency {
            name: dep.name.clone(),
            scope: scope(dep),
            path: src.path.clone(),
            line: src.line(dep.span.start),
        })
        .collect();
    facts.manifests.push(manifest);
}

fn scope(dep: &MixDependency) -> DependencyScope {
    if !dep.only.is_empty()
        && dep
            .only
            .iter()
            .all(|env| DEV_ENVIRONMENTS.contains(&env.as_str()))
    {
        DependencyScope::Dev
    } else if dep.optional {
        DependencyScope::Optional
    } else {
        DependencyScope::Runtime
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::detect::testing::deps;

    #[test]
    fn umbrella_apps_dev_only_and_sibling_dependencies() {
        let src = SourceFile::new(
            "apps/shop_web/mix.exs",
            r#"defmodule ShopWeb.MixProject do
  def project do
    [app: :shop_web, apps_path: "apps/", escript: [main_module: ShopWeb.CLI], deps: deps()]
  end

  defp deps do
    [
      {:phoenix, "~> 1.7"},
      {:shop, in_umbrella: true},
      {:credo, "~> 1.7", only: [:dev, :test], runtime: false},
      {:recon, "~> 2.5", only: [:dev, :prod]},
      {:jason, "~> 1.4", optional: true}
    ]
  end
end
"#,
        );
        let mut facts = Facts::default();
        read_mix_exs(&src, &mut facts);
        let manifest = &facts.manifests[0];
        assert_eq!(manifest.name.as_deref(), Some("shop_web"));
        assert_eq!(manifest.dir, "apps/shop_web");
        assert!(manifest.executable);
        assert_eq!(manifest.workspace_members, ["apps/*"]);
        let deps = deps(manifest);
        assert_eq!(
            deps,
            [
                ("phoenix", DependencyScope::Runtime, 8),
                ("credo", DependencyScope::Dev, 10),
                ("recon", DependencyScope::Runtime, 11),
                ("jason", DependencyScope::Optional, 12),
            ]
        );
        assert!(facts.problems.is_empty());
    }

    #[test]
    fn an_unterminated_string_is_a_problem_and_the_manifest_is_kept() {
        let src = SourceFile::new(
            "mix.exs",
            "defmodule X do\n  def project, do: [app: :x, deps: [{:a, \"1\"}]]\n  @x \"open\nend\n",
        );
        let mut facts = Facts::default();
        read_mix_exs(&src, &mut facts);
        assert_eq!(facts.manifests[0].dependencies.len(), 1);
        assert_eq!(facts.problems.len(), 1);
        assert_eq!((facts.problems[0].line, facts.problems[0].column), (3, 6));
    }
}
