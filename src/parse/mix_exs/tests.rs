//! The awkward corners of `mix.exs` files.
#![allow(clippy::unwrap_used)]

use super::*;

fn project(text: &str) -> MixProject {
    let parsed = parse(&SourceFile::new("mix.exs", text));
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    parsed
}

/// `name requirement only` for every dependency.
fn summary(project: &MixProject) -> Vec<String> {
    project
        .dependencies
        .iter()
        .map(|d| {
            format!(
                "{} {} [{}]{}",
                d.name,
                d.requirement.as_deref().unwrap_or("-"),
                d.only.join(","),
                if d.in_umbrella { " umbrella" } else { "" }
            )
        })
        .collect()
}

const PHOENIX: &str = r##"defmodule Shop.MixProject do
  use Mix.Project

  @version "0.1.0"

  def project do
    [
      app: :shop_web,
      version: @version,
      elixir: "~> 1.15",
      elixirc_paths: elixirc_paths(Mix.env()),
      start_permanent: Mix.env() == :prod,
      aliases: aliases(),
      deps: deps()
    ]
  end

  # Configuration for the OTP application.
  def application do
    [mod: {Shop.Application, []}, extra_applications: [:logger, :runtime_tools]]
  end

  defp elixirc_paths(:test), do: ["lib", "test/support"]
  defp elixirc_paths(_), do: ["lib"]

  defp deps do
    [
      {:phoenix, "~> 1.7.14"},
      # {:commented_out, "~> 1.0"},
      {:phoenix_live_view,
       "~> 1.0",
       override: true},
      {:credo, "~> 1.7", only: [:dev, :test], runtime: false},
      {:floki, ">= 0.30.0", only: :test},
      {:heroicons, github: "tailwindlabs/heroicons", tag: "v2.1.1", app: false},
      {:shop, in_umbrella: true},
      {:local, path: "../local"},
      {:jason, @version},
      {:opt, "~> 1.0", [optional: true, only: ~w(dev)a]}
    ]
  end

  defp aliases do
    [
      setup: ["deps.get", "ecto.setup"],
      "assets.build": ["tailwind shop", "esbuild shop"],
      test: ["ecto.create --quiet", "test"]
    ]
  end
end
"##;

#[test]
fn a_phoenix_project() {
    let parsed = project(PHOENIX);
    let src = SourceFile::new("mix.exs", PHOENIX);
    let (app, span) = parsed.app.clone().unwrap();
    assert_eq!(app, "shop_web");
    assert_eq!(src.line(span.start), 8);
    assert_eq!(parsed.apps_path, None);
    assert_eq!(parsed.escript, None);
    assert_eq!(
        summary(&parsed),
        [
            "phoenix ~> 1.7.14 []",
            "phoenix_live_view ~> 1.0 []",
            "credo ~> 1.7 [dev,test]",
            "floki >= 0.30.0 [test]",
            "heroicons - []",
            "shop - [] umbrella",
            "local - []",
            "jason - []",
            "opt ~> 1.0 [dev]",
        ]
    );
    let deps = &parsed.dependencies;
    assert_eq!(src.line(deps[1].span.start), 30);
    assert_eq!(deps[6].path.as_deref(), Some("../local"));
    assert!(deps[8].optional);
}

#[test]
fn an_umbrella_root_and_an_escript() {
    let umbrella = project(
        "defmodule Root.MixProject do\n  use Mix.Project\n  def project, do: [apps_path: \"apps\", version: \"0.1.0\", deps: deps()]\n  defp deps, do: [{:credo, \"~> 1.7\", only: :dev}]\nend\n",
    );
    assert_eq!(umbrella.apps_path.as_ref().unwrap().0, "apps");
    assert_eq!(umbrella.app, None);
    assert_eq!(summary(&umbrella), ["credo ~> 1.7 [dev]"]);

    let tool = project(
        "defmodule Tool.MixProject do\n  def project do\n    [app: :tool, escript: [main_module: Tool.CLI], deps: [{:optimus, \"~> 0.2\"}]]\n  end\nend\n",
    );
    assert!(tool.escript.is_some());
    assert_eq!(summary(&tool), ["optimus ~> 0.2 []"]);
}

#[test]
fn the_app_name_may_come_from_a_module_attribute() {
    let text = "defmodule Fw.MixProject do\n  @app :firmware\n  def project, do: [app: @app, version: @version]\nend\n";
    let (app, span) = project(text).app.unwrap();
    assert_eq!(app, "firmware");
    // The evidence is where the attribute is set.
    assert_eq!(SourceFile::new("mix.exs", text).line(span.start), 2);
}

#[test]
fn conditional_and_multi_clause_dependencies_are_all_read() {
    let parsed = project(
        r##"defmodule X.MixProject do
  def project, do: [app: :x, deps: deps(Mix.env())]

  defp deps(:prod) do
    base() ++ [{:sentry, "~> 10.0"}]
  end

  defp deps(_env) when is_atom(_env) do
    deps = [{:a, "~> 1.0"}]
    if System.get_env("WITH_B") do
      deps ++ [{:b, "~> 2.0"}]
    else
      Enum.map(deps, fn {name, req} -> {name, req} end)
    end
  end
end
"##,
    );
    assert_eq!(
        summary(&parsed),
        ["sentry ~> 10.0 []", "a ~> 1.0 []", "b ~> 2.0 []"]
    );
}

#[test]
fn literals_holding_braces_and_keywords_do_not_confuse_the_reader() {
    let parsed = project(
        r##"defmodule Y.MixProject do
  @moduledoc """
  defp deps do [{:not_a_dep, "1"}] end
  """
  def project do
    [app: :y, description: "deps: {end", docs: [extras: ~w(README.md)], deps: deps()]
  end

  defp deps do
    [
      {:regex_user, "~> 1.0"},   # {:nope, "1"}
      {:sigils, ~S"~> 1.0"},
      {:chars, "~> 1.0", only: if(?{ == 123, do: :test, else: :dev)}
    ]
  end
end
"##,
    );
    assert_eq!(parsed.app.unwrap().0, "y");
    let names: Vec<&str> = parsed
        .dependencies
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(names, ["regex_user", "sigils", "chars"]);
}

#[test]
fn a_broken_file_gives_what_it_can() {
    // Unbalanced: a missing `end` and a missing `]`.
    let parsed = project(
        "defmodule Z do\n  def project do\n    [app: :z\n  defp deps do\n    [{:a, \"1\"}, {:b, \"2\"\n",
    );
    assert_eq!(parsed.app.unwrap().0, "z");
    let names: Vec<&str> = parsed
        .dependencies
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(names, ["a", "b"]);

    let parsed = parse(&SourceFile::new(
        "mix.exs",
        "def project, do: [app: :z, x: \"open\n",
    ));
    assert_eq!(parsed.errors.len(), 1);
    assert_eq!(parsed.app.unwrap().0, "z");
}

#[test]
fn hostile_input_terminates() {
    let _ = parse(&SourceFile::new(
        "mix.exs",
        "defp deps, do: (\n".repeat(20_000),
    ));
    let _ = parse(&SourceFile::new("mix.exs", "def deps\n".repeat(20_000)));
    let _ = parse(&SourceFile::new("mix.exs", "{".repeat(50_000)));
    let nested = "defp deps do [".to_string() + &"{:a, ".repeat(20_000) + "]";
    let parsed = parse(&SourceFile::new("mix.exs", nested));
    assert_eq!(parsed.dependencies.len(), 1);
}

#[test]
fn every_prefix_parses_without_panicking() {
    for end in 0..=PHOENIX.len() {
        if let Some(prefix) = PHOENIX.get(..end) {
            let _ = parse(&SourceFile::new("mix.exs", prefix));
        }
    }
}
