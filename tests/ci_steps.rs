//! The built-in `rules/ci-steps.toml` on the commands and actions CI files
//! really hold: what each one does, which tool it runs, and the look-alikes
//! that must do nothing (`echo pytest`, `terraform plan`, `docker pull`).
#![allow(clippy::unwrap_used)]

use stacklint::detect::ci::steps::StepRules;
use stacklint::model::Stage;

fn rules() -> StepRules {
    StepRules::builtin().unwrap_or_else(|e| panic!("{e}"))
}

fn stage_names(stages: impl IntoIterator<Item = Stage>) -> Vec<&'static str> {
    stages.into_iter().map(Stage::as_str).collect()
}

/// Every command does exactly these stages and runs at least these tools.
fn check_commands(cases: &[(&str, &[&str], &[&str])]) {
    let rules = rules();
    let mut wrong = Vec::new();
    for (command, stages, tools) in cases {
        let class = rules.classify_command(command);
        let got = stage_names(class.stages.iter().copied());
        let missing: Vec<&&str> = tools
            .iter()
            .filter(|t| !class.tools.iter().any(|c| c == **t))
            .collect();
        if got != *stages || !missing.is_empty() {
            wrong.push(format!(
                "{command:?}: stages {got:?} (want {stages:?}), tools {:?} (want {tools:?})",
                class.tools
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

fn check_actions(cases: &[(&str, &[&str], &[&str])]) {
    let rules = rules();
    let mut wrong = Vec::new();
    for (reference, stages, tools) in cases {
        let class = rules.classify_action(reference);
        let got = stage_names(class.stages.iter().copied());
        let tools_got: Vec<&str> = class.tools.iter().map(String::as_str).collect();
        if got != *stages || tools_got != *tools {
            wrong.push(format!(
                "{reference:?}: stages {got:?} (want {stages:?}), tools {tools_got:?} (want {tools:?})"
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

const NONE: &[&str] = &[];

#[test]
fn look_alikes_do_nothing() {
    check_commands(&[
        ("echo pytest", NONE, NONE),
        ("echo \"run pytest now\"", NONE, NONE),
        ("pip install pytest pytest-cov", NONE, NONE),
        ("pip install -r requirements-dev.txt && echo ok", NONE, NONE),
        ("poetry install --with test", NONE, NONE),
        ("npm ci", NONE, NONE),
        ("npm install --save-dev jest", NONE, NONE),
        ("yarn install --frozen-lockfile", NONE, NONE),
        ("pnpm install", NONE, NONE),
        ("terraform init", NONE, NONE),
        ("terraform plan -out=tfplan", NONE, NONE),
        ("tofu plan", NONE, NONE),
        ("pulumi preview --diff", NONE, NONE),
        ("cdk synth", NONE, NONE),
        ("cdk diff", NONE, NONE),
        ("docker pull postgres:16", NONE, NONE),
        ("docker login -u $USER --password-stdin", NONE, NONE),
        ("docker compose up -d db", NONE, NONE),
        (
            "docker run -d --name db -e POSTGRES_PASSWORD=x postgres:16",
            NONE,
            NONE,
        ),
        ("kubectl get pods", NONE, NONE),
        ("kubectl rollout status deployment/api", NONE, NONE),
        ("kubectl apply --dry-run=client -f k8s/", NONE, NONE),
        ("kubectl diff -f k8s/", NONE, NONE),
        ("kustomize build overlays/prod > out.yaml", NONE, NONE),
        ("helm template api ./chart", NONE, NONE),
        ("helm upgrade --install api ./chart --dry-run", NONE, NONE),
        (
            "helm plugin install https://github.com/databus23/helm-diff",
            NONE,
            NONE,
        ),
        (
            "helm repo add bitnami https://charts.bitnami.com/bitnami",
            NONE,
            NONE,
        ),
        ("go mod download", NONE, NONE),
        (
            "go install golang.org/x/vuln/cmd/govulncheck@latest",
            NONE,
            NONE,
        ),
        ("cargo install cargo-audit", NONE, NONE),
        ("cargo fetch", NONE, NONE),
        ("rustup component add clippy rustfmt", NONE, NONE),
        ("black .", NONE, NONE),
        ("prettier --write .", NONE, NONE),
        ("isort .", NONE, NONE),
        ("npx prettier --write src", NONE, NONE),
        ("pytest --version", NONE, NONE),
        ("bundle install --jobs 4", NONE, NONE),
        ("composer install --no-interaction", NONE, NONE),
        ("dotnet restore", NONE, NONE),
        ("mvn -B dependency:go-offline", NONE, NONE),
        ("./gradlew dependencies", NONE, NONE),
        ("gh pr comment 1 --body test", NONE, NONE),
        ("git push origin main", NONE, NONE),
        ("test -f package-lock.json", NONE, NONE),
        ("curl -sSL https://example.com/install.sh | sh", NONE, NONE),
        ("apt-get install -y shellcheck", NONE, NONE),
        ("brew install trivy", NONE, NONE),
        ("# pytest is run below", NONE, NONE),
        ("aws s3 sync dist/ s3://bucket", NONE, NONE),
        (
            "aws ecr get-login-password | docker login --password-stdin",
            NONE,
            NONE,
        ),
        ("gcloud auth configure-docker", NONE, NONE),
        ("semgrep login", NONE, NONE),
        ("snyk auth $SNYK_TOKEN", NONE, NONE),
        ("trivy --version", NONE, NONE),
        ("goreleaser check", NONE, NONE),
    ]);
}

#[test]
fn tests_in_every_ecosystem() {
    check_commands(&[
        ("pytest -q", &["test"], &["pytest"]),
        ("python -m pytest --cov=app tests/", &["test"], &["pytest"]),
        ("poetry run pytest", &["test"], &["pytest"]),
        ("uv run --frozen pytest -x", &["test"], &["pytest"]),
        ("coverage run -m pytest", &["test"], &["pytest"]),
        ("python manage.py test --parallel", &["test"], NONE),
        ("python -m unittest discover", &["test"], NONE),
        ("tox -e py312", &["test"], &["tox"]),
        ("nox -s tests", &["test"], &["nox"]),
        ("hatch test", &["test"], NONE),
        ("npm test", &["test"], NONE),
        ("npm run test:e2e", &["test"], NONE),
        ("npm run test -- --coverage", &["test"], NONE),
        ("npm test --workspaces", &["test"], NONE),
        ("npm -w packages/api test", &["test"], NONE),
        ("yarn test --ci", &["test"], NONE),
        ("yarn workspace api test", &["test"], NONE),
        ("pnpm test", &["test"], NONE),
        ("pnpm -r test", &["test"], NONE),
        ("pnpm -r run test:unit", &["test"], NONE),
        ("pnpm --filter api test", &["test"], NONE),
        ("pnpm vitest run", &["test"], &["vitest"]),
        ("npx jest --ci", &["test"], &["jest"]),
        ("yarn jest", &["test"], &["jest"]),
        ("npx playwright test", &["test"], &["playwright"]),
        ("npx cypress run --browser chrome", &["test"], &["cypress"]),
        ("bun test", &["test"], NONE),
        ("deno test -A", &["test"], NONE),
        ("node --test", &["test"], NONE),
        ("nx run-many -t test", &["test"], &["nx"]),
        (
            "npx nx affected --target=test --parallel=3",
            &["test"],
            &["nx"],
        ),
        (
            "nx run-many -t lint,test,build",
            &["build", "test", "lint"],
            &["nx"],
        ),
        ("turbo run test", &["test"], &["turborepo"]),
        (
            "npx turbo run build test --filter=...[origin/main]",
            &["build", "test"],
            &["turborepo"],
        ),
        ("go test ./...", &["test"], NONE),
        (
            "go test -race -coverprofile=cover.out ./...",
            &["test"],
            NONE,
        ),
        ("gotestsum --format testname -- ./...", &["test"], NONE),
        ("cargo test --workspace --all-features", &["test"], NONE),
        ("cargo nextest run --workspace", &["test"], &["nextest"]),
        (
            "cargo llvm-cov --workspace --lcov --output-path lcov.info",
            &["test"],
            NONE,
        ),
        ("cargo test --no-run --locked", &["build"], NONE),
        ("mvn -B verify", &["build", "test"], &["maven"]),
        (
            "./mvnw -B -ntp clean install",
            &["build", "test"],
            &["maven"],
        ),
        ("mvn -B package -DskipTests", &["build"], &["maven"]),
        ("./gradlew test", &["test"], &["gradle"]),
        ("./gradlew --no-daemon :api:test", &["test"], &["gradle"]),
        ("./gradlew build -x test", &["build"], &["gradle"]),
        ("./gradlew integrationTest", &["test"], &["gradle"]),
        ("gradle check", &["test"], &["gradle"]),
        (
            "sbt clean coverage test coverageReport",
            &["test"],
            &["sbt"],
        ),
        (
            "dotnet test --no-build --configuration Release",
            &["test"],
            NONE,
        ),
        ("bundle exec rspec", &["test"], &["rspec"]),
        ("bin/rails test", &["test"], NONE),
        ("bundle exec rake spec", &["test"], &["rspec"]),
        (
            "vendor/bin/phpunit --coverage-clover clover.xml",
            &["test"],
            &["phpunit"],
        ),
        ("php artisan test --parallel", &["test"], NONE),
        ("./vendor/bin/pest", &["test"], &["pest"]),
        ("composer test", &["test"], NONE),
        ("mix test --cover", &["test"], NONE),
        ("swift test", &["test"], NONE),
        ("flutter test", &["test"], NONE),
        ("make test", &["test"], NONE),
        ("make -C services/api test-integration", &["test"], NONE),
        ("ctest --output-on-failure", &["test"], NONE),
        ("bazel test //...", &["test"], &["bazel"]),
        ("k6 run load/smoke.js", &["test"], &["k6"]),
        (
            "docker compose run --rm api pytest -q",
            &["test"],
            &["pytest"],
        ),
        (
            "docker run --rm -v $PWD:/app -w /app node:20 npm test",
            &["test"],
            NONE,
        ),
        ("CI=true npm test", &["test"], NONE),
        ("timeout 10m go test ./...", &["test"], NONE),
        ("xvfb-run -a npm run test:e2e", &["test"], NONE),
    ]);
}

#[test]
fn linters_formatter_checks_and_type_checkers() {
    check_commands(&[
        ("ruff check .", &["lint"], &["ruff"]),
        ("ruff format --check .", &["lint"], &["ruff"]),
        ("uvx ruff check", &["lint"], &["ruff"]),
        ("flake8 src tests", &["lint"], &["flake8"]),
        ("pylint app", &["lint"], &["pylint"]),
        ("black --check .", &["lint"], &["black"]),
        ("black . --check --diff", &["lint"], &["black"]),
        ("isort --check-only --diff .", &["lint"], &["isort"]),
        ("mypy --strict app", &["lint"], &["mypy"]),
        ("poetry run mypy .", &["lint"], &["mypy"]),
        ("pyright", &["lint"], &["pyright"]),
        ("npx eslint . --max-warnings=0", &["lint"], &["eslint"]),
        ("npm run lint", &["lint"], NONE),
        ("pnpm -r lint", &["lint"], NONE),
        ("yarn lint:ci", &["lint"], NONE),
        ("npx prettier --check .", &["lint"], &["prettier"]),
        ("prettier . --list-different", &["lint"], &["prettier"]),
        ("npx @biomejs/biome ci .", &["lint"], &["biome"]),
        ("biome check --write .", NONE, NONE),
        ("npx tsc --noEmit", &["lint"], NONE),
        ("tsc -p tsconfig.json --noEmit", &["lint"], NONE),
        ("npm run typecheck", &["lint"], NONE),
        ("nx affected -t lint", &["lint"], &["nx"]),
        (
            "golangci-lint run --timeout 5m",
            &["lint"],
            &["golangci-lint"],
        ),
        ("staticcheck ./...", &["lint"], &["staticcheck"]),
        ("go vet ./...", &["lint"], NONE),
        ("gofmt -l .", &["lint"], NONE),
        (
            "cargo clippy --all-targets -- -D warnings",
            &["lint"],
            &["clippy"],
        ),
        ("cargo fmt --all -- --check", &["lint"], &["rustfmt"]),
        ("cargo fmt --check", &["lint"], &["rustfmt"]),
        ("cargo +nightly fmt -- --check", &["lint"], &["rustfmt"]),
        ("bundle exec rubocop --parallel", &["lint"], &["rubocop"]),
        ("bundle exec standardrb", &["lint"], &["standardrb"]),
        (
            "vendor/bin/phpstan analyse --memory-limit=1G",
            &["lint"],
            &["phpstan"],
        ),
        (
            "php -d memory_limit=-1 vendor/bin/psalm",
            &["lint"],
            &["psalm"],
        ),
        (
            "vendor/bin/php-cs-fixer fix --dry-run --diff",
            &["lint"],
            &["php-cs-fixer"],
        ),
        ("./vendor/bin/pint --test", &["lint"], &["laravel-pint"]),
        (
            "dotnet format --verify-no-changes",
            &["lint"],
            &["dotnet-format"],
        ),
        ("ktlint \"src/**/*.kt\"", &["lint"], &["ktlint"]),
        ("./gradlew detekt", &["lint"], &["detekt"]),
        ("./gradlew spotlessCheck", &["lint"], &["spotless"]),
        ("mvn -B checkstyle:check", &["lint"], &["checkstyle"]),
        ("hadolint Dockerfile", &["lint"], &["hadolint"]),
        (
            "docker run --rm -i hadolint/hadolint < Dockerfile",
            &["lint"],
            &["hadolint"],
        ),
        ("shellcheck scripts/*.sh", &["lint"], &["shellcheck"]),
        ("tflint --recursive", &["lint"], &["tflint"]),
        ("terraform fmt -check -recursive", &["lint"], NONE),
        ("terraform -chdir=infra validate", &["lint"], NONE),
        ("pre-commit run --all-files", &["lint"], &["pre-commit"]),
        ("actionlint", &["lint"], &["actionlint"]),
        ("yamllint -s .", &["lint"], &["yamllint"]),
        ("helm lint charts/api", &["lint"], &["helm"]),
        ("mix format --check-formatted", &["lint"], NONE),
        ("mix credo --strict", &["lint"], &["credo"]),
    ]);
}

#[test]
fn security_scanners() {
    check_commands(&[
        (
            "npm audit --audit-level=high",
            &["security"],
            &["npm-audit"],
        ),
        ("pnpm audit --prod", &["security"], &["npm-audit"]),
        ("yarn npm audit --all", &["security"], &["npm-audit"]),
        (
            "pip-audit -r requirements.txt",
            &["security"],
            &["pip-audit"],
        ),
        ("uvx pip-audit", &["security"], &["pip-audit"]),
        ("safety check --full-report", &["security"], &["safety"]),
        ("bandit -r app -ll", &["security"], &["bandit"]),
        ("cargo audit", &["security"], &["cargo-audit"]),
        ("cargo deny check", &["security"], &["cargo-deny"]),
        ("govulncheck ./...", &["security"], &["govulncheck"]),
        (
            "go run golang.org/x/vuln/cmd/govulncheck@latest ./...",
            &["security"],
            &["govulncheck"],
        ),
        ("gosec ./...", &["security"], &["gosec"]),
        ("osv-scanner -r .", &["security"], &["osv-scanner"]),
        (
            "snyk test --severity-threshold=high",
            &["security"],
            &["snyk"],
        ),
        ("npx snyk monitor", &["security"], &["snyk"]),
        (
            "trivy image --exit-code 1 app:latest",
            &["security"],
            &["trivy"],
        ),
        (
            "docker run --rm aquasec/trivy:0.50.0 fs .",
            &["security"],
            &["trivy"],
        ),
        ("grype dir:.", &["security"], &["grype"]),
        (
            "codeql database analyze db --format=sarif-latest",
            &["security"],
            &["codeql"],
        ),
        ("semgrep ci", &["security"], &["semgrep"]),
        ("semgrep scan --config auto", &["security"], &["semgrep"]),
        ("bundle exec brakeman -q -w2", &["security"], &["brakeman"]),
        (
            "bundle audit check --update",
            &["security"],
            &["bundler-audit"],
        ),
        (
            "bundle exec bundler-audit",
            &["security"],
            &["bundler-audit"],
        ),
        (
            "dependency-check.sh --project api --scan .",
            &["security"],
            &["owasp-dependency-check"],
        ),
        (
            "./gradlew dependencyCheckAnalyze",
            &["security"],
            &["owasp-dependency-check"],
        ),
        (
            "mvn org.owasp:dependency-check-maven:check",
            &["security"],
            &["owasp-dependency-check"],
        ),
        (
            "sonar-scanner -Dsonar.projectKey=api",
            &["security"],
            &["sonarqube"],
        ),
        ("./gradlew sonar", &["security"], &["sonarqube"]),
        (
            "mvn -B verify sonar:sonar",
            &["build", "test", "security"],
            &["maven", "sonarqube"],
        ),
        (
            "gitleaks detect --source . -v",
            &["security"],
            &["gitleaks"],
        ),
        (
            "trufflehog git file://. --only-verified",
            &["security"],
            &["trufflehog"],
        ),
        ("checkov -d infra", &["security"], &["checkov"]),
        ("zizmor .github/workflows", &["security"], &["zizmor"]),
        ("tfsec infra", &["security"], &["tfsec"]),
        ("kics scan -p infra", &["security"], &["kics"]),
        ("composer audit", &["security"], NONE),
        (
            "dotnet list package --vulnerable --include-transitive",
            &["security"],
            NONE,
        ),
        ("mix sobelow --config", &["security"], &["sobelow"]),
    ]);
}

#[test]
fn builds() {
    check_commands(&[
        (
            "docker build -t app:$CI_COMMIT_SHA .",
            &["build"],
            &["docker"],
        ),
        (
            "docker buildx build --platform linux/amd64 -t app .",
            &["build"],
            &["docker"],
        ),
        (
            "docker buildx build --push -t ghcr.io/acme/app .",
            &["build", "release"],
            &["docker"],
        ),
        (
            "docker compose -f compose.ci.yml build",
            &["build"],
            &["docker"],
        ),
        (
            "/kaniko/executor --context $CI_PROJECT_DIR --destination $IMAGE",
            &["build"],
            &["kaniko"],
        ),
        ("npm run build", &["build"], NONE),
        ("pnpm -r build", &["build"], NONE),
        ("yarn build", &["build"], NONE),
        ("tsc -p tsconfig.build.json", &["build"], NONE),
        ("npx vite build", &["build"], NONE),
        ("python -m build", &["build"], NONE),
        ("uv build", &["build"], NONE),
        ("poetry build", &["build"], NONE),
        ("go build -o bin/api ./cmd/api", &["build"], NONE),
        ("CGO_ENABLED=0 GOOS=linux go build ./...", &["build"], NONE),
        ("cargo build --release --locked", &["build"], NONE),
        ("./gradlew bootJar", &["build"], &["gradle"]),
        ("./gradlew assemble", &["build"], &["gradle"]),
        ("dotnet publish -c Release -o out", &["build"], NONE),
        ("mix release", &["build"], NONE),
        ("make build", &["build"], NONE),
        ("nx build api", &["build"], &["nx"]),
        (
            "goreleaser release --snapshot --clean",
            &["build"],
            &["goreleaser"],
        ),
        ("gcloud builds submit --tag gcr.io/p/app", &["build"], NONE),
    ]);
}

#[test]
fn deploys_and_releases() {
    check_commands(&[
        ("kubectl apply -f k8s/", &["deploy"], &["kubernetes"]),
        (
            "kubectl -n prod apply -k overlays/prod",
            &["deploy"],
            &["kubernetes"],
        ),
        (
            "kustomize build overlays/prod | kubectl apply -f -",
            &["deploy"],
            &["kubernetes"],
        ),
        (
            "kubectl set image deployment/api api=$IMAGE",
            &["deploy"],
            &["kubernetes"],
        ),
        (
            "kubectl rollout restart deployment/api",
            &["deploy"],
            &["kubernetes"],
        ),
        (
            "helm upgrade --install api ./chart -f values-prod.yaml",
            &["deploy"],
            &["helm"],
        ),
        ("helmfile -e prod apply", &["deploy"], &["helmfile"]),
        ("argocd app sync api --prune", &["deploy"], &["argocd"]),
        ("flyctl deploy --remote-only", &["deploy"], &["fly-io"]),
        ("fly deploy", &["deploy"], &["fly-io"]),
        ("npx serverless deploy --stage prod", &["deploy"], NONE),
        ("sls deploy", &["deploy"], NONE),
        ("terraform apply -auto-approve tfplan", &["deploy"], NONE),
        (
            "terraform -chdir=infra apply -input=false",
            &["deploy"],
            NONE,
        ),
        ("tofu apply", &["deploy"], NONE),
        ("pulumi up --yes --stack prod", &["deploy"], NONE),
        (
            "npx cdk deploy --all --require-approval never",
            &["deploy"],
            NONE,
        ),
        ("sam deploy --no-confirm-changeset", &["deploy"], NONE),
        (
            "gcloud run deploy api --image $IMAGE --region europe-west1",
            &["deploy"],
            &["google-cloud-run"],
        ),
        (
            "gcloud app deploy app.yaml",
            &["deploy"],
            &["google-app-engine"],
        ),
        (
            "az webapp deploy --name api --src-path app.zip",
            &["deploy"],
            &["azure-app-service"],
        ),
        (
            "az containerapp update -n api --image $IMAGE",
            &["deploy"],
            &["azure-container-apps"],
        ),
        (
            "aws ecs update-service --cluster prod --service api --force-new-deployment",
            &["deploy"],
            &["aws-ecs"],
        ),
        ("vercel deploy --prebuilt --prod", &["deploy"], &["vercel"]),
        (
            "npx vercel --prod --token=$VERCEL_TOKEN",
            &["deploy"],
            &["vercel"],
        ),
        (
            "netlify deploy --prod --dir=dist",
            &["deploy"],
            &["netlify"],
        ),
        (
            "git push https://heroku:$KEY@git.heroku.com/app.git HEAD:main",
            &["deploy"],
            &["heroku"],
        ),
        ("railway up --service api", &["deploy"], &["railway"]),
        ("npx wrangler deploy", &["deploy"], &["cloudflare-workers"]),
        ("kamal deploy", &["deploy"], NONE),
        (
            "npm publish --provenance --access public",
            &["release"],
            NONE,
        ),
        ("pnpm -r publish --no-git-checks", &["release"], NONE),
        ("npx changeset publish", &["release"], &["changesets"]),
        ("npx semantic-release", &["release"], &["semantic-release"]),
        ("twine upload dist/*", &["release"], NONE),
        ("uv publish", &["release"], NONE),
        ("cargo publish -p core", &["release"], NONE),
        ("cargo publish --dry-run", NONE, NONE),
        ("goreleaser release --clean", &["release"], &["goreleaser"]),
        ("gem push pkg/*.gem", &["release"], NONE),
        (
            "mvn -B deploy -DskipTests",
            &["build", "release"],
            &["maven"],
        ),
        ("./gradlew publish", &["release"], &["gradle"]),
        (
            "dotnet nuget push *.nupkg --source nuget.org",
            &["release"],
            NONE,
        ),
        (
            "docker push ghcr.io/acme/api:1.2.3",
            &["release"],
            &["docker"],
        ),
        (
            "gh release create v1.2.3 dist/* --generate-notes",
            &["release"],
            NONE,
        ),
        (
            "release-cli create --name $CI_COMMIT_TAG --tag-name $CI_COMMIT_TAG",
            &["release"],
            NONE,
        ),
    ]);
}

#[test]
fn actions_and_templates() {
    check_actions(&[
        ("actions/checkout@v4", NONE, NONE),
        ("actions/setup-python@v5", NONE, NONE),
        ("actions/cache@v4", NONE, NONE),
        ("github/codeql-action/init@v3", &["security"], &["codeql"]),
        (
            "github/codeql-action/analyze@v3",
            &["security"],
            &["codeql"],
        ),
        ("github/codeql-action/upload-sarif@v3", NONE, NONE),
        (
            "actions/dependency-review-action@v4",
            &["security"],
            &["dependency-review"],
        ),
        (
            "aquasecurity/trivy-action@0.28.0",
            &["security"],
            &["trivy"],
        ),
        ("docker://aquasec/trivy:0.50.0", &["security"], &["trivy"]),
        ("snyk/actions/node@master", &["security"], &["snyk"]),
        (
            "ossf/scorecard-action@v2.4.0",
            &["security"],
            &["ossf-scorecard"],
        ),
        ("gitleaks/gitleaks-action@v2", &["security"], &["gitleaks"]),
        (
            "zizmorcore/zizmor-action@v0.1.1",
            &["security"],
            &["zizmor"],
        ),
        (
            "SonarSource/sonarqube-scan-action@v5",
            &["security"],
            &["sonarqube"],
        ),
        (
            "pypa/gh-action-pip-audit@v1.1.0",
            &["security"],
            &["pip-audit"],
        ),
        (
            "golangci/golangci-lint-action@v6",
            &["lint"],
            &["golangci-lint"],
        ),
        ("astral-sh/ruff-action@v3", &["lint"], &["ruff"]),
        ("pre-commit/action@v3.0.1", &["lint"], &["pre-commit"]),
        ("hadolint/hadolint-action@v3.1.0", &["lint"], &["hadolint"]),
        ("cypress-io/github-action@v6", &["test"], &["cypress"]),
        ("docker/build-push-action@v6", &["build"], &["docker"]),
        ("docker/setup-buildx-action@v3", NONE, &["docker"]),
        (
            "aws-actions/amazon-ecs-deploy-task-definition@v2",
            &["deploy"],
            &["aws-ecs"],
        ),
        (
            "azure/webapps-deploy@v3",
            &["deploy"],
            &["azure-app-service"],
        ),
        (
            "google-github-actions/deploy-cloudrun@v2",
            &["deploy"],
            &["google-cloud-run"],
        ),
        ("azure/k8s-deploy@v5", &["deploy"], &["kubernetes"]),
        ("superfly/flyctl-actions@master", &["deploy"], &["fly-io"]),
        (
            "superfly/flyctl-actions/setup-flyctl@master",
            NONE,
            &["fly-io"],
        ),
        ("actions/deploy-pages@v4", &["deploy"], NONE),
        ("softprops/action-gh-release@v2", &["release"], NONE),
        ("pypa/gh-action-pypi-publish@release/v1", &["release"], NONE),
        (
            "goreleaser/goreleaser-action@v6",
            &["release"],
            &["goreleaser"],
        ),
        ("changesets/action@v1", &["release"], &["changesets"]),
        (
            "googleapis/release-please-action@v4",
            &["release"],
            &["release-please"],
        ),
        ("codecov/codecov-action@v5", NONE, &["codecov"]),
        ("template:Security/SAST.gitlab-ci.yml", &["security"], NONE),
        (
            "template:Jobs/SAST-IaC.latest.gitlab-ci.yml",
            &["security"],
            NONE,
        ),
        (
            "template:Security/Secret-Detection.gitlab-ci.yml",
            &["security"],
            NONE,
        ),
        (
            "template:Jobs/Dependency-Scanning.gitlab-ci.yml",
            &["security"],
            NONE,
        ),
        (
            "template:Security/Container-Scanning.gitlab-ci.yml",
            &["security"],
            NONE,
        ),
        ("template:DAST.gitlab-ci.yml", &["security"], NONE),
        ("template:Code-Quality.gitlab-ci.yml", &["lint"], NONE),
        ("template:Jobs/Code-Quality.gitlab-ci.yml", &["lint"], NONE),
        ("template:Jobs/Build.gitlab-ci.yml", &["build"], NONE),
        ("template:Jobs/Deploy.gitlab-ci.yml", &["deploy"], NONE),
        (
            "template:Auto-DevOps.gitlab-ci.yml",
            &["build", "test", "lint", "security"],
            NONE,
        ),
        (
            "template:Workflows/MergeRequest-Pipelines.gitlab-ci.yml",
            NONE,
            NONE,
        ),
        ("template:Terraform/Base.gitlab-ci.yml", NONE, NONE),
        ("component:components/sast/sast@2.0.2", &["security"], NONE),
        (
            "component:components/secret-detection/secret-detection@1",
            &["security"],
            NONE,
        ),
        (
            "component:components/code-quality/code-quality@1",
            &["lint"],
            NONE,
        ),
    ]);
}

#[test]
fn names_say_what_a_job_does() {
    let rules = rules();
    let named = |name: &str| stage_names(rules.stages_named(name));
    assert_eq!(named("codeql-analysis"), ["security"]);
    assert_eq!(named("deploy-prod"), ["deploy"]);
    assert_eq!(named("production"), ["deploy"]);
    assert_eq!(named("release"), ["release"]);
    assert_eq!(named("e2e-tests"), ["test"]);
    assert!(named("ci").is_empty());
    assert!(named(".post").is_empty());
    assert!(rules.is_deploy_job_name("Deploy to Production"));
    assert!(!rules.is_deploy_job_name("redeploy-check"));
    assert!(!rules.is_deploy_job_name("build-image"));
}

#[test]
fn unlisted_actions_named_after_a_tool_run_that_tool() {
    check_actions(&[
        (
            "temporalio/public-actions/golang/govulncheck@main",
            &["security"],
            &["govulncheck"],
        ),
        ("acme/trivy-action@v1", &["security"], &["trivy"]),
        ("acme/deploy-helper@v2", NONE, NONE),
        ("actions/checkout@v4", NONE, NONE),
        ("./.github/actions/pytest", NONE, NONE),
    ]);
    check_commands(&[(
        "sfw uv run pre-commit run --all",
        &["lint"],
        &["pre-commit"],
    )]);
}

#[test]
fn provider_workspace_prefixes_are_the_root() {
    use stacklint::detect::ci::normalize_dir;
    assert_eq!(
        normalize_dir("/workspace/src/api").as_deref(),
        Some("src/api")
    );
    assert_eq!(normalize_dir("/workspaces/repo"), None);
    assert_eq!(
        normalize_dir("$CODEBUILD_SRC_DIR/backend").as_deref(),
        Some("backend")
    );
    assert_eq!(
        normalize_dir("$(Build.SourcesDirectory)/src/Shop").as_deref(),
        Some("src/Shop")
    );
    assert_eq!(normalize_dir("/workspace/src/$TEAM"), None);
    assert_eq!(normalize_dir("./web/").as_deref(), Some("web"));
}
