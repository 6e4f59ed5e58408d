//! Azure Pipelines tasks: the command line a task that wraps a CLI runs
//! (`DotNetCoreCLI` with `command: test` runs `dotnet test`), the input that
//! decides what a task does (`HelmDeploy/upgrade`), and the directory it runs
//! in. What those commands and tasks *are* (test, deploy...) stays in
//! `rules/ci-steps.toml`. Input names are case-insensitive, as Azure reads them.

use crate::detect::ci::jobs::resolve_dir;
use crate::detect::parent_dir;
use crate::parse::yaml::Node;

/// An input of a task, by case-insensitive name.
pub fn input<'n>(inputs: Option<&'n Node>, name: &str) -> Option<&'n str> {
    inputs?
        .entries()
        .iter()
        .find(|(k, _)| k.as_str().is_some_and(|k| k.eq_ignore_ascii_case(name)))
        .and_then(|(_, v)| v.as_str())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// `Task@2` → `Task`.
pub fn task_name(reference: &str) -> &str {
    reference.split('@').next().unwrap_or(reference).trim()
}

/// The input that selects what a multi-purpose task does (`command: upgrade`,
/// `action: deploy`), for the `Task/<value>` reference.
pub fn mode(inputs: Option<&Node>) -> Option<&str> {
    input(inputs, "command").or_else(|| input(inputs, "action"))
}

/// The command line a CLI-wrapping task runs, with its defaults.
pub fn command(task: &str, inputs: Option<&Node>) -> Option<String> {
    let get = |name: &str| input(inputs, name);
    let with_args = |base: String, args: Option<&str>| match args {
        Some(args) => format!("{base} {args}"),
        None => base,
    };
    let lower = task.to_ascii_lowercase();
    let line = match lower.as_str() {
        "dotnetcorecli" => match get("command").unwrap_or("build") {
            "custom" => with_args(format!("dotnet {}", get("custom")?), get("arguments")),
            "push" => "dotnet nuget push".to_string(),
            other => with_args(format!("dotnet {other}"), get("arguments")),
        },
        "maven" => with_args(
            format!("mvn {}", get("goals").unwrap_or("package")),
            get("options"),
        ),
        "gradle" => with_args(
            format!("gradle {}", get("tasks").unwrap_or("build")),
            get("options"),
        ),
        "npm" => match get("command").unwrap_or("install") {
            "custom" => format!("npm {}", get("customCommand")?),
            other => format!("npm {other}"),
        },
        "docker" => match get("command").unwrap_or("buildAndPush") {
            "buildAndPush" => "docker build\ndocker push".to_string(),
            // Docker@0 and @1 spell their commands out.
            "Build an image" => "docker build".to_string(),
            "Push an image" | "Push images" => "docker push".to_string(),
            "Run an image" => "docker run".to_string(),
            other => with_args(format!("docker {other}"), get("arguments")),
        },
        "kubernetes" => with_args(format!("kubectl {}", get("command")?), get("arguments")),
        "helmdeploy" => format!("helm {}", get("command")?),
        "bash" | "cmdline" | "powershell" | "pwsh" => match get("script") {
            Some(script) => script.to_string(),
            None => format!("bash {}", get("filePath")?),
        },
        "azurecli" => match get("inlineScript") {
            Some(script) => script.to_string(),
            None => get("scriptPath")?.to_string(),
        },
        "azurepowershell" => get("Inline")?.to_string(),
        _ if lower.starts_with("terraformtask") || lower == "terraformcli" => {
            format!("terraform {}", get("command")?)
        }
        _ => return None,
    };
    Some(line)
}

/// The directory a task runs in, from the inputs that say.
pub fn directory(task: &str, inputs: Option<&Node>) -> Option<String> {
    for key in ["workingDirectory", "workingDir", "cwd"] {
        if let Some(dir) = input(inputs, key) {
            return resolve_dir(None, dir);
        }
    }
    let file = match task.to_ascii_lowercase().as_str() {
        "maven" => input(inputs, "mavenPomFile"),
        "gradle" => input(inputs, "gradleWrapperFile"),
        "dotnetcorecli" => input(inputs, "projects").filter(|p| !p.contains(['*', '?', '\n'])),
        _ => None,
    }?;
    resolve_dir(None, parent_dir(file.trim()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::parse::yaml::parse_str;

    fn inputs(text: &str) -> Node {
        parse_str(text).unwrap().remove(0)
    }

    #[test]
    fn cli_tasks_become_their_commands_with_defaults() {
        let test = inputs("Command: test\nprojects: api/Api.Tests/Api.Tests.csproj\n");
        assert_eq!(
            command("DotNetCoreCLI", Some(&test)).as_deref(),
            Some("dotnet test")
        );
        assert_eq!(
            directory("DotNetCoreCLI", Some(&test)).as_deref(),
            Some("api/Api.Tests")
        );
        assert_eq!(
            command("DotNetCoreCLI", None).as_deref(),
            Some("dotnet build")
        );
        assert_eq!(command("Maven", None).as_deref(), Some("mvn package"));
        let docker = inputs("command: buildAndPush\n");
        assert_eq!(
            command("Docker", Some(&docker)).as_deref(),
            Some("docker build\ndocker push")
        );
        let helm = inputs("command: upgrade\n");
        assert_eq!(mode(Some(&helm)), Some("upgrade"));
        assert_eq!(
            command("HelmDeploy", Some(&helm)).as_deref(),
            Some("helm upgrade")
        );
        let custom = inputs("command: custom\n");
        assert_eq!(command("Npm", Some(&custom)), None);
        assert_eq!(command("PublishTestResults", None), None);
        let tf = inputs("command: apply\n");
        assert_eq!(
            command("TerraformTaskV4", Some(&tf)).as_deref(),
            Some("terraform apply")
        );
    }

    #[test]
    fn directories_come_from_the_inputs_that_name_them() {
        let maven = inputs("mavenPomFile: 'api/pom.xml'\n");
        assert_eq!(directory("Maven", Some(&maven)).as_deref(), Some("api"));
        let globbed = inputs("projects: '**/*.csproj'\n");
        assert_eq!(directory("DotNetCoreCLI", Some(&globbed)), None);
        let wd = inputs("workingDir: web\n");
        assert_eq!(directory("Npm", Some(&wd)).as_deref(), Some("web"));
    }
}
