//! Every Dockerfile under `fixtures/files/dockerfile/` parsed through the
//! public API, with the facts later rules rely on checked by line number.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use stacklint::parse::dockerfile::{
    self, Arguments, Dockerfile, ImageRef, ImageSource, Keyword, Stage,
};
use stacklint::source::{SourceFile, Span};

fn load(name: &str) -> SourceFile {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/files/dockerfile")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    SourceFile::new(format!("fixtures/files/dockerfile/{name}"), text)
}

fn parse(name: &str) -> (SourceFile, Dockerfile) {
    let src = load(name);
    let file = dockerfile::parse(&src).unwrap_or_else(|e| panic!("{name}: {e}"));
    (src, file)
}

fn lines(src: &SourceFile, span: Span) -> (u32, u32) {
    (src.line(span.start), src.line(span.end))
}

fn image(stage: &Stage) -> &ImageRef {
    match &stage.base.source {
        ImageSource::Image(image) => image,
        other => panic!("stage {} is built from {other:?}", stage.index),
    }
}

#[test]
fn node_multistage_build() {
    let (src, file) = parse("node-multistage.Dockerfile");
    assert_eq!(file.directives[0].name, "syntax");
    assert_eq!(file.directives[0].value, "docker/dockerfile:1.7");
    let globals: Vec<_> = file
        .global_args
        .iter()
        .map(|a| (a.name.as_str(), a.default.as_deref()))
        .collect();
    assert_eq!(
        globals,
        [("NODE_VERSION", Some("20.12")), ("ALPINE_VERSION", None)]
    );
    assert_eq!(file.stages.len(), 3);

    let deps = &file.stages[0];
    assert_eq!(deps.name.as_ref().unwrap().text, "deps");
    assert_eq!(deps.base.resolved.as_deref(), Some("node:20.12-alpine"));
    assert_eq!(image(deps).tag.as_deref(), Some("20.12-alpine"));
    assert_eq!(deps.platform.as_ref().unwrap().text, "$BUILDPLATFORM");
    assert_eq!(src.line(deps.base.span.start), 7);
    let install = &deps.instructions[3];
    assert_eq!(install.keyword, Keyword::Run);
    assert_eq!(lines(&src, install.span), (10, 12));
    let mount = install.flag("mount").unwrap();
    assert_eq!(
        mount.value.as_deref(),
        Some("type=cache,id=pnpm,target=/root/.local/share/pnpm/store")
    );
    assert_eq!(
        install.args.text(),
        "corepack enable &&     pnpm install --frozen-lockfile"
    );

    let build = &file.stages[1];
    assert_eq!(build.base.source, ImageSource::Stage(0));
    assert!(build.effective_user(&file).is_none());

    let runtime = file.final_stage().unwrap();
    assert_eq!(runtime.base.resolved, None);
    assert_eq!(runtime.base.unresolved, ["ALPINE_VERSION"]);
    assert_eq!(runtime.base.source, ImageSource::Unresolved);
    let env: Vec<_> = runtime
        .env
        .iter()
        .map(|kv| (kv.key.as_str(), kv.value.as_str()))
        .collect();
    assert_eq!(env, [("NODE_ENV", "production"), ("PORT", "3000")]);
    assert_eq!(src.line(runtime.env[1].span.start), 22);
    let sources: Vec<_> = runtime.copy_from.iter().map(|c| &c.source).collect();
    assert_eq!(sources, [&ImageSource::Stage(1), &ImageSource::Stage(1)]);
    let user = runtime.effective_user(&file).unwrap();
    assert_eq!(
        (user.name.as_str(), src.line(user.span.start)),
        ("node", 26)
    );
    assert_eq!(runtime.exposes[0].start, Some(3000));
    let cmd = runtime.cmd.as_ref().unwrap();
    assert_eq!(src.line(cmd.span.start), 28);
    assert!(matches!(&cmd.args, Arguments::Exec(a) if a[1].text == "dist/server.js"));
    assert!(runtime.healthcheck.is_none());
}

#[test]
fn windows_dockerfile_with_backtick_escape() {
    let (src, file) = parse("windows.Dockerfile");
    assert_eq!(file.escape, '`');
    let build = &file.stages[0];
    let sdk = image(build);
    assert_eq!(sdk.registry(), Some("mcr.microsoft.com"));
    assert_eq!(sdk.repository(), "dotnet/framework/sdk");
    assert_eq!(sdk.tag.as_deref(), Some("4.8-windowsservercore-ltsc2022"));
    let shell = &build.instructions[1];
    assert_eq!(shell.keyword, Keyword::Shell);
    assert!(matches!(&shell.args, Arguments::Exec(a) if a.len() == 3));
    assert_eq!(
        build.instructions[4].args.text(),
        "Billing.Api\\Billing.Api.csproj Billing.Api\\"
    );
    let msbuild = build.instructions.last().unwrap();
    assert_eq!(lines(&src, msbuild.span), (11, 13));
    assert!(msbuild.args.text().ends_with("/p:OutputPath=C:\\out\\"));

    let final_stage = file.final_stage().unwrap();
    assert_eq!(
        final_stage.workdir.as_ref().unwrap().text,
        "C:\\inetpub\\wwwroot"
    );
    assert_eq!(final_stage.copy_from[0].source, ImageSource::Stage(0));
    let user = final_stage.effective_user(&file).unwrap();
    assert_eq!(
        (user.name.as_str(), src.line(user.span.start)),
        ("ContainerUser", 19)
    );
    let entry = final_stage.entrypoint.as_ref().unwrap();
    assert!(matches!(&entry.args, Arguments::Exec(a) if a[0].text == "C:\\ServiceMonitor.exe"));
}

#[test]
fn heredoc_heavy_dockerfile() {
    let (src, file) = parse("heredocs.Dockerfile");
    let stage = file.final_stage().unwrap();
    assert_eq!(file.stages.len(), 1);
    assert_eq!(image(stage).tag.as_deref(), Some("bookworm-slim"));
    let keywords: Vec<_> = stage
        .instructions
        .iter()
        .map(|i| i.keyword.as_str())
        .collect();
    assert_eq!(
        keywords,
        ["FROM", "RUN", "COPY", "RUN", "RUN", "EXPOSE", "USER", "CMD"]
    );

    let setup = &stage.instructions[1].heredocs[0];
    assert_eq!(setup.name, "EOF");
    assert_eq!(setup.body.lines().count(), 4);
    assert_eq!(lines(&src, setup.body_span), (5, 9));
    assert_eq!(lines(&src, stage.instructions[1].span), (4, 9));

    let copy = &stage.instructions[2];
    let names: Vec<_> = copy.heredocs.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["nginx.conf", "index.html"]);
    assert!(copy.heredocs[0].body.starts_with("server {\n"));
    assert_eq!(copy.heredocs[1].body, "<h1>$HOSTNAME is up</h1>\n");
    assert!(copy.heredocs[0].expand && !copy.heredocs[1].expand);
    assert_eq!(lines(&src, copy.span), (11, 18));

    let check = &stage.instructions[3].heredocs[0];
    assert!(check.strip_tabs && !check.expand);
    assert_eq!(check.body, "nginx -t\ntest -f /etc/nginx/index.html\n");

    let motd = &stage.instructions[4];
    assert_eq!(motd.heredocs[0].name, "PY");
    assert_eq!(motd.heredocs[0].body, "print(\"built with heredocs\")\n");

    let user = stage.user.as_ref().unwrap();
    assert_eq!(
        (user.name.as_str(), src.line(user.span.start)),
        ("www-data", 30)
    );
}

#[test]
fn distroless_final_stage_with_nonroot_user() {
    let (src, file) = parse("distroless.Dockerfile");
    let builder = &file.stages[0];
    let compile = &builder.instructions[5];
    let mounts: Vec<_> = compile
        .flags
        .iter()
        .filter(|f| f.name == "mount")
        .map(|f| f.value.as_deref().unwrap())
        .collect();
    assert_eq!(
        mounts,
        [
            "type=cache,target=/go/pkg/mod",
            "type=cache,target=/root/.cache/go-build"
        ]
    );
    assert_eq!(lines(&src, compile.span), (8, 10));

    let runtime = file.final_stage().unwrap();
    let base = image(runtime);
    assert_eq!(base.name, "gcr.io/distroless/static-debian12");
    assert_eq!(base.tag.as_deref(), Some("nonroot"));
    assert_eq!(src.line(runtime.base.span.start), 12);
    assert_eq!(runtime.copy_from[0].source, ImageSource::Stage(0));
    let user = runtime.effective_user(&file).unwrap();
    assert_eq!(
        (user.name.as_str(), user.group.as_deref()),
        ("nonroot", Some("nonroot"))
    );
    assert!(!user.is_root());
    assert_eq!(src.line(user.instruction_span.start), 14);
    let ports: Vec<_> = runtime
        .exposes
        .iter()
        .map(|p| (p.start, p.protocol.as_str()))
        .collect();
    assert_eq!(ports, [(Some(8080), "tcp"), (Some(9090), "tcp")]);
}

#[test]
fn python_image_with_healthcheck_and_numeric_user() {
    let (src, file) = parse("python.Dockerfile");
    let stage = file.final_stage().unwrap();
    let base = image(stage);
    assert_eq!(base.tag.as_deref(), Some("3.12-slim"));
    assert!(base.digest.as_deref().unwrap().starts_with("sha256:2be8"));
    let env: Vec<_> = stage
        .env
        .iter()
        .map(|kv| (kv.key.as_str(), kv.value.as_str()))
        .collect();
    assert_eq!(
        env,
        [
            ("PYTHONDONTWRITEBYTECODE", "1"),
            ("PYTHONUNBUFFERED", "1"),
            ("PIP_NO_CACHE_DIR", "off")
        ]
    );
    let user = stage.user.as_ref().unwrap();
    assert_eq!(
        (user.text.as_str(), src.line(user.span.start)),
        ("1000", 13)
    );
    assert!(!user.is_root());

    let check = stage.effective_healthcheck(&file).unwrap();
    assert!(!check.disabled);
    assert_eq!(lines(&src, check.span), (15, 16));
    let flags: Vec<_> = check
        .flags
        .iter()
        .map(|f| (f.name.as_str(), f.value.as_deref().unwrap()))
        .collect();
    assert_eq!(
        flags,
        [
            ("interval", "30s"),
            ("timeout", "5s"),
            ("start-period", "10s"),
            ("retries", "3")
        ]
    );
    let Some(Arguments::Shell(command)) = &check.command else {
        panic!("{:?}", check.command);
    };
    assert!(
        command
            .text
            .starts_with("python -c \"import urllib.request;")
    );
    assert!(command.text.ends_with("|| exit 1"));
    assert_eq!(src.line(command.span.start), 16);
    assert_eq!(stage.exposes[0].start, Some(8000));
    assert!(
        matches!(&stage.cmd.as_ref().unwrap().args, Arguments::Exec(a) if a[0].text == "gunicorn")
    );
}

#[test]
fn broken_dockerfile_reports_the_misspelled_instruction() {
    let src = load("broken.Dockerfile");
    let err = dockerfile::parse(&src).unwrap_err();
    let problem = err.to_problem(&src);
    assert_eq!((problem.line, problem.column), (7, 1));
    assert_eq!(problem.message, "unknown instruction: ENTRYPIONT");
    assert_eq!(problem.path, "fixtures/files/dockerfile/broken.Dockerfile");
}

#[test]
fn every_fixture_is_covered_by_a_test() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/files/dockerfile");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "broken.Dockerfile",
            "distroless.Dockerfile",
            "heredocs.Dockerfile",
            "node-multistage.Dockerfile",
            "python.Dockerfile",
            "windows.Dockerfile"
        ]
    );
}
