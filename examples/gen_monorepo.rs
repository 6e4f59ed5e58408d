//! Generates a large synthetic monorepo for benchmarks (see BENCHMARKS.md).
//!
//! ```sh
//! cargo run --release --example gen_monorepo -- /tmp/stacklint-bench 30000
//! ```
//!
//! The tree is deterministic for a given file count: services in Node,
//! Python, Go, Java and Rust with manifests, lockfiles, sources, tests and
//! Dockerfiles; a compose file, Kubernetes manifests and CI workflows at the
//! root; and a gitignored `node_modules` the scan must skip.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

const ECOSYSTEMS: [&str; 5] = ["node", "python", "go", "java", "rust"];
/// Files written per package besides its sources.
const FIXED_FILES_PER_PACKAGE: usize = 6;
const SOURCES_PER_PACKAGE: usize = 94;

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(out) = args.next().map(PathBuf::from) else {
        eprintln!("usage: gen_monorepo OUT_DIR [FILES (default 30000)]");
        std::process::exit(2);
    };
    let target: usize = match args.next().map(|n| n.parse()) {
        None => 30_000,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("FILES must be a whole number");
            std::process::exit(2);
        }
    };
    if out.exists() {
        fs::remove_dir_all(&out)?;
    }
    fs::create_dir_all(&out)?;

    let mut written = 0usize;
    written += root_files(&out)?;
    let per_package = FIXED_FILES_PER_PACKAGE + SOURCES_PER_PACKAGE;
    let packages = target.saturating_sub(written + 2_000) / per_package;
    let mut services = Vec::new();
    for i in 0..packages {
        let eco = ECOSYSTEMS[i % ECOSYSTEMS.len()];
        let name = format!("{eco}-svc-{i:04}");
        let dir = out.join("services").join(&name);
        written += package(&dir, eco, &name, i)?;
        services.push(name);
    }
    written += deploy_files(&out, &services)?;
    // Ignored dependency trees: listed by nobody, skipped by the walker.
    written += ignored_tree(&out, target.saturating_sub(written))?;
    eprintln!(
        "wrote {written} files ({packages} packages) to {}",
        out.display()
    );
    Ok(())
}

fn write(path: &Path, text: &str) -> io::Result<usize> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, text)?;
    Ok(1)
}

fn root_files(out: &Path) -> io::Result<usize> {
    let mut n = 0;
    n += write(
        &out.join(".gitignore"),
        "node_modules/\ntarget/\n.venv/\ndist/\n",
    )?;
    n += write(
        &out.join("README.md"),
        "# Synthetic monorepo\n\nGenerated for stacklint benchmarks.\n",
    )?;
    n += write(
        &out.join("package.json"),
        "{\n  \"name\": \"bench-root\",\n  \"private\": true,\n  \"workspaces\": [\"services/node-*\"],\n  \"devDependencies\": { \"eslint\": \"^9.0.0\", \"prettier\": \"^3.3.0\" }\n}\n",
    )?;
    n += write(
        &out.join("package-lock.json"),
        "{\n  \"lockfileVersion\": 3\n}\n",
    )?;
    n += write(
        &out.join(".github/workflows/ci.yml"),
        "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci && npm test\n",
    )?;
    n += write(
        &out.join(".github/dependabot.yml"),
        "version: 2\nupdates: []\n",
    )?;
    Ok(n)
}

fn package(dir: &Path, eco: &str, name: &str, index: usize) -> io::Result<usize> {
    let mut n = 0;
    let (manifest, lock, ext) = match eco {
        "node" => (
            (
                "package.json",
                format!(
                    "{{\n  \"name\": \"@bench/{name}\",\n  \"version\": \"1.0.{index}\",\n  \"dependencies\": {{\n    \"express\": \"^4.19.2\",\n    \"pg\": \"^8.12.0\",\n    \"pino\": \"^9.3.0\",\n    \"prom-client\": \"^15.1.0\"\n  }},\n  \"devDependencies\": {{ \"jest\": \"^29.7.0\" }}\n}}\n"
                ),
            ),
            None,
            "ts",
        ),
        "python" => (
            (
                "pyproject.toml",
                format!(
                    "[project]\nname = \"{name}\"\nversion = \"1.0.{index}\"\ndependencies = [\n  \"fastapi>=0.111\",\n  \"sqlalchemy>=2.0\",\n  \"psycopg[binary]>=3.1\",\n  \"structlog>=24.1\",\n]\n\n[dependency-groups]\ndev = [\"pytest>=8\", \"ruff>=0.5\"]\n"
                ),
            ),
            Some(("uv.lock", "version = 1\n")),
            "py",
        ),
        "go" => (
            (
                "go.mod",
                format!(
                    "module example.com/bench/{name}\n\ngo 1.22\n\nrequire (\n\tgithub.com/go-chi/chi/v5 v5.0.12\n\tgithub.com/jackc/pgx/v5 v5.6.0\n\tgo.uber.org/zap v1.27.0\n)\n"
                ),
            ),
            Some(("go.sum", "github.com/go-chi/chi/v5 v5.0.12 h1:abc=\n")),
            "go",
        ),
        "java" => (
            (
                "pom.xml",
                format!(
                    "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n  <modelVersion>4.0.0</modelVersion>\n  <groupId>com.example.bench</groupId>\n  <artifactId>{name}</artifactId>\n  <version>1.0.{index}</version>\n  <dependencies>\n    <dependency>\n      <groupId>org.springframework.boot</groupId>\n      <artifactId>spring-boot-starter-web</artifactId>\n    </dependency>\n    <dependency>\n      <groupId>org.postgresql</groupId>\n      <artifactId>postgresql</artifactId>\n    </dependency>\n  </dependencies>\n</project>\n"
                ),
            ),
            None,
            "java",
        ),
        _ => (
            (
                "Cargo.toml",
                format!(
                    "[package]\nname = \"{name}\"\nversion = \"1.0.{index}\"\nedition = \"2021\"\n\n[dependencies]\naxum = \"0.7\"\ntokio = {{ version = \"1\", features = [\"full\"] }}\nsqlx = {{ version = \"0.8\", features = [\"postgres\"] }}\ntracing = \"0.1\"\n"
                ),
            ),
            Some(("Cargo.lock", "version = 3\n")),
            "rs",
        ),
    };
    n += write(&dir.join(manifest.0), &manifest.1)?;
    match lock {
        Some((file, text)) => n += write(&dir.join(file), text)?,
        None => n += write(&dir.join("NOTES.md"), "No lockfile in this ecosystem.\n")?,
    }
    n += write(
        &dir.join("Dockerfile"),
        &format!("FROM alpine:3.20\nWORKDIR /app\nCOPY . .\nUSER 1000\nCMD [\"/app/{name}\"]\n"),
    )?;
    n += write(&dir.join("README.md"), &format!("# {name}\n"))?;
    n += write(&dir.join("docs/design.md"), "Design notes.\n")?;
    n += write(&dir.join(".env.example"), "DATABASE_URL=\n")?;
    for file in 0..SOURCES_PER_PACKAGE {
        let (sub, stem) = if file % 10 == 0 {
            ("tests", format!("test_module_{file}"))
        } else {
            ("src", format!("module_{file}"))
        };
        let path = dir.join(sub).join(format!("{stem}.{ext}"));
        n += write(&path, &source_text(ext, file))?;
    }
    Ok(n)
}

/// About 1.5 KiB of plausible source text.
fn source_text(ext: &str, seed: usize) -> String {
    let comment = match ext {
        "py" => "#",
        _ => "//",
    };
    let mut text = String::new();
    for line in 0..40 {
        let _ = writeln!(
            text,
            "{comment} generated line {line} of module {seed}: lorem ipsum dolor sit amet"
        );
    }
    text
}

fn deploy_files(out: &Path, services: &[String]) -> io::Result<usize> {
    let mut n = 0;
    let mut compose = String::from("services:\n");
    for name in services.iter().take(40) {
        let _ = writeln!(
            compose,
            "  {name}:\n    build: ./services/{name}\n    depends_on: [db]\n    environment:\n      DATABASE_URL: postgres://app:app@db:5432/app"
        );
    }
    compose.push_str("  db:\n    image: postgres:16-alpine\n");
    n += write(&out.join("docker-compose.yml"), &compose)?;
    for name in services.iter().take(200) {
        let manifest = format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: {name}\n          image: registry.example.com/{name}:1.0.0\n          resources:\n            limits:\n              memory: 256Mi\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector:\n    app: {name}\n  ports:\n    - port: 80\n"
        );
        n += write(
            &out.join("deploy/k8s").join(format!("{name}.yaml")),
            &manifest,
        )?;
    }
    Ok(n)
}

/// Up to 2,000 files under a gitignored `node_modules`.
fn ignored_tree(out: &Path, budget: usize) -> io::Result<usize> {
    let mut n = 0;
    for i in 0..budget.min(2_000) {
        let pkg = out.join("node_modules").join(format!("dep-{}", i / 4));
        let file = if i % 4 == 0 {
            pkg.join("package.json")
        } else {
            pkg.join(format!("lib/file{i}.js"))
        };
        let text = if i % 4 == 0 {
            format!("{{\"name\": \"dep-{}\", \"version\": \"1.0.0\"}}\n", i / 4)
        } else {
            "module.exports = {};\n".to_string()
        };
        n += write(&file, &text)?;
    }
    Ok(n)
}
