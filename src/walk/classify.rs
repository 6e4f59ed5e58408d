//! Classifying a path into a [`FileKind`] by its name alone: which parser,
//! if any, will want the file. Nothing is read here.

/// What a file is, decided by its path alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    // Package manifests.
    PackageJson,
    PnpmWorkspace,
    CargoToml,
    PyProject,
    Requirements,
    Pipfile,
    SetupCfg,
    SetupPy,
    GoMod,
    GoWork,
    PomXml,
    BuildGradle,
    SettingsGradle,
    VersionCatalog,
    Gemfile,
    ComposerJson,
    DotnetProject,
    DirectoryPackagesProps,
    MixExs,
    /// A lockfile: only its existence matters, it is never read.
    Lockfile,
    /// `tsconfig.json`: marks a TypeScript component.
    TsConfig,
    // Containers and deployment.
    Dockerfile,
    Compose,
    HelmChart,
    HelmValues,
    Kustomization,
    Skaffold,
    Terraform,
    Serverless,
    CdkJson,
    PulumiYaml,
    Procfile,
    FlyToml,
    VercelJson,
    NetlifyToml,
    AppYaml,
    HostJson,
    DotEnv,
    // CI.
    GithubWorkflow,
    GithubAction,
    GitlabCi,
    CircleCi,
    AzurePipelines,
    Jenkinsfile,
    BitbucketPipelines,
    TravisCi,
    Buildkite,
    CloudBuild,
    CodeBuild,
    Drone,
    /// Any other YAML file: read when small enough, recognised by content
    /// (Kubernetes `apiVersion`/`kind`, CloudFormation, local CI includes).
    Yaml,
    /// A JSON file that may be a CloudFormation/SAM template.
    JsonTemplate,
    Other,
}

impl FileKind {
    /// Whether the file's content is read.
    pub fn needs_content(self) -> bool {
        !matches!(
            self,
            FileKind::Lockfile | FileKind::TsConfig | FileKind::Other
        )
    }
}

/// Classify a path (relative, `/`-separated) by its name.
pub fn classify(path: &str) -> FileKind {
    let (parent, name) = split_path(path);
    classify_parts(parent, name)
}

/// `(directory, file name)` of a relative path.
pub fn split_path(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

/// [`classify`] for a path already split into its directory and file name.
pub fn classify_parts(parent: &str, name: &str) -> FileKind {
    // Most names are lowercase already: borrow them rather than allocate.
    let lower: std::borrow::Cow<'_, str> = if name.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(name.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(name)
    };
    let lower = lower.as_ref();
    let ext = lower.rsplit_once('.').map(|(_, e)| e);
    let is_yaml = matches!(ext, Some("yml" | "yaml"));

    match name {
        "package.json" => return FileKind::PackageJson,
        "pnpm-workspace.yaml" | "pnpm-workspace.yml" => return FileKind::PnpmWorkspace,
        "Cargo.toml" => return FileKind::CargoToml,
        "pyproject.toml" => return FileKind::PyProject,
        "Pipfile" => return FileKind::Pipfile,
        "setup.cfg" => return FileKind::SetupCfg,
        "setup.py" => return FileKind::SetupPy,
        "go.mod" => return FileKind::GoMod,
        "go.work" => return FileKind::GoWork,
        "pom.xml" => return FileKind::PomXml,
        "build.gradle" | "build.gradle.kts" => return FileKind::BuildGradle,
        "settings.gradle" | "settings.gradle.kts" => return FileKind::SettingsGradle,
        "Gemfile" | "gems.rb" => return FileKind::Gemfile,
        "composer.json" => return FileKind::ComposerJson,
        "Directory.Packages.props" => return FileKind::DirectoryPackagesProps,
        "mix.exs" => return FileKind::MixExs,
        "tsconfig.json" => return FileKind::TsConfig,
        "package-lock.json"
        | "npm-shrinkwrap.json"
        | "yarn.lock"
        | "pnpm-lock.yaml"
        | "bun.lockb"
        | "bun.lock"
        | "Cargo.lock"
        | "poetry.lock"
        | "uv.lock"
        | "pdm.lock"
        | "Pipfile.lock"
        | "go.sum"
        | "Gemfile.lock"
        | "gems.locked"
        | "composer.lock"
        | "packages.lock.json"
        | "mix.lock"
        | "gradle.lockfile"
        | "pylock.toml" => {
            return FileKind::Lockfile;
        }
        "Chart.yaml" | "Chart.yml" => return FileKind::HelmChart,
        "kustomization.yaml" | "kustomization.yml" | "Kustomization" => {
            return FileKind::Kustomization;
        }
        "skaffold.yaml" | "skaffold.yml" => return FileKind::Skaffold,
        "serverless.yml" | "serverless.yaml" => return FileKind::Serverless,
        "cdk.json" => return FileKind::CdkJson,
        "Pulumi.yaml" | "Pulumi.yml" => return FileKind::PulumiYaml,
        "Procfile" => return FileKind::Procfile,
        "fly.toml" => return FileKind::FlyToml,
        "vercel.json" => return FileKind::VercelJson,
        "netlify.toml" => return FileKind::NetlifyToml,
        "app.yaml" | "app.yml" => return FileKind::AppYaml,
        "host.json" => return FileKind::HostJson,
        "Jenkinsfile" => return FileKind::Jenkinsfile,
        ".gitlab-ci.yml" | ".gitlab-ci.yaml" => return FileKind::GitlabCi,
        "bitbucket-pipelines.yml" | "bitbucket-pipelines.yaml" => {
            return FileKind::BitbucketPipelines;
        }
        ".travis.yml" | ".travis.yaml" => return FileKind::TravisCi,
        "cloudbuild.yaml" | "cloudbuild.yml" | "cloudbuild.json" => return FileKind::CloudBuild,
        ".drone.yml" | ".drone.yaml" => return FileKind::Drone,
        "azure-pipelines.yml" | "azure-pipelines.yaml" => return FileKind::AzurePipelines,
        _ => {}
    }

    if lower.starts_with("requirements") && (ext == Some("txt") || ext == Some("in"))
        || (parent == "requirements" || parent.ends_with("/requirements"))
            && matches!(ext, Some("txt" | "in"))
        || lower == "constraints.txt"
    {
        return FileKind::Requirements;
    }
    if name.ends_with(".versions.toml") && (parent == "gradle" || parent.ends_with("/gradle")) {
        return FileKind::VersionCatalog;
    }
    if matches!(ext, Some("csproj" | "fsproj" | "vbproj")) {
        return FileKind::DotnetProject;
    }
    if is_dockerfile_name(name) {
        return FileKind::Dockerfile;
    }
    if is_yaml && is_compose_name(lower) {
        return FileKind::Compose;
    }
    if lower == ".env" || lower.starts_with(".env.") || lower.ends_with(".env") {
        return FileKind::DotEnv;
    }
    if ext == Some("tf") {
        return FileKind::Terraform;
    }
    if name.starts_with("Jenkinsfile") || name.ends_with(".jenkinsfile") {
        return FileKind::Jenkinsfile;
    }
    if is_yaml {
        if parent == ".github/workflows" {
            return FileKind::GithubWorkflow;
        }
        if lower == "action.yml" || lower == "action.yaml" {
            return FileKind::GithubAction;
        }
        if parent == ".circleci" && lower.starts_with("config") {
            return FileKind::CircleCi;
        }
        if parent == ".buildkite" || lower == "buildkite.yml" || lower == "buildkite.yaml" {
            return FileKind::Buildkite;
        }
        if lower.starts_with("buildspec") {
            return FileKind::CodeBuild;
        }
        if lower.starts_with("azure-pipelines")
            || parent == ".azure-pipelines"
            || parent.starts_with(".azure-pipelines/")
            || parent == ".azuredevops"
            || parent.starts_with(".azuredevops/")
        {
            return FileKind::AzurePipelines;
        }
        if (lower.starts_with("values") || lower.ends_with("values.yaml")) && is_in_chart(parent) {
            return FileKind::HelmValues;
        }
        if lower.starts_with("app.") && parent == ".do" {
            return FileKind::AppYaml;
        }
        return FileKind::Yaml;
    }
    if matches!(ext, Some("json" | "template")) && looks_like_cfn_name(lower) {
        return FileKind::JsonTemplate;
    }
    FileKind::Other
}

fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower == "dockerfile" || lower == "containerfile" {
        return true;
    }
    if lower.ends_with(".dockerfile") || lower.ends_with(".containerfile") {
        return true;
    }
    // `Dockerfile.prod`, `Dockerfile.alpine`: a variant. But not a source
    // file, document or template about Dockerfiles (`dockerfile.rs`,
    // `Dockerfile.md`, `Dockerfile.j2`).
    let variant = lower
        .strip_prefix("dockerfile.")
        .or_else(|| lower.strip_prefix("containerfile."));
    variant.is_some_and(|suffix| !NOT_DOCKERFILE_SUFFIXES.contains(&suffix))
}

/// Endings after `Dockerfile.` that make a file something else.
const NOT_DOCKERFILE_SUFFIXES: &[&str] = &[
    "rs", "go", "py", "js", "ts", "mjs", "cjs", "rb", "java", "kt", "cs", "php", "ex", "exs", "sh",
    "ps1", "md", "txt", "rst", "adoc", "json", "yml", "yaml", "toml", "xml", "lock", "j2", "jinja",
    "jinja2", "tmpl", "tpl", "template", "in", "erb", "mustache", "gotmpl", "hbs", "ejs", "bak",
    "orig", "swp", "example", "sample",
];

fn is_compose_name(lower: &str) -> bool {
    lower.starts_with("docker-compose")
        || lower.starts_with("compose.")
        || lower.starts_with("compose-")
}

/// A Helm chart's files sit next to its `Chart.yaml`; values files are read only
/// there. The walker knows no siblings, so it goes by the conventional layout
/// (a directory named `chart`/`charts`/`helm` somewhere above).
fn is_in_chart(parent: &str) -> bool {
    parent.split('/').any(|c| {
        matches!(
            c,
            "chart" | "charts" | "helm" | "deploy" | "deployment" | "deployments"
        ) || c.ends_with("-chart")
            || c.ends_with("-helm")
    })
}

fn looks_like_cfn_name(lower: &str) -> bool {
    lower.starts_with("template")
        || lower.contains("cloudformation")
        || lower.contains(".cfn.")
        || lower.ends_with(".template")
        || lower.ends_with(".template.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_are_classified_by_name() {
        assert_eq!(classify("package.json"), FileKind::PackageJson);
        assert_eq!(classify("api/requirements-dev.txt"), FileKind::Requirements);
        assert_eq!(classify("requirements/base.txt"), FileKind::Requirements);
        assert_eq!(
            classify("gradle/libs.versions.toml"),
            FileKind::VersionCatalog
        );
        assert_eq!(classify("src/App/App.csproj"), FileKind::DotnetProject);
        assert_eq!(classify("docs/readme.txt"), FileKind::Other);
    }

    #[test]
    fn containers_and_ci_are_classified_by_name() {
        assert_eq!(classify("Dockerfile"), FileKind::Dockerfile);
        assert_eq!(classify("docker/api.Dockerfile"), FileKind::Dockerfile);
        assert_eq!(classify("Dockerfile.prod"), FileKind::Dockerfile);
        assert_eq!(classify("tests/dockerfile.rs"), FileKind::Other);
        assert_eq!(classify("templates/Dockerfile.j2"), FileKind::Other);
        assert_eq!(classify("Containerfile"), FileKind::Dockerfile);
        assert_eq!(classify("docker-compose.override.yml"), FileKind::Compose);
        assert_eq!(classify("deploy/compose.yaml"), FileKind::Compose);
        assert_eq!(
            classify(".github/workflows/ci.yml"),
            FileKind::GithubWorkflow
        );
        assert_eq!(
            classify(".github/actions/setup/action.yml"),
            FileKind::GithubAction
        );
        assert_eq!(classify(".circleci/config.yml"), FileKind::CircleCi);
        assert_eq!(classify("k8s/deployment.yaml"), FileKind::Yaml);
        assert_eq!(classify("infra/main.tf"), FileKind::Terraform);
        assert_eq!(classify(".env.production"), FileKind::DotEnv);
        assert_eq!(classify("charts/api/values.yaml"), FileKind::HelmValues);
    }
}
