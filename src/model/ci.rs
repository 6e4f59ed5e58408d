//! CI pipelines: providers, jobs, the stages each job covers and the job graph.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Ci {
    pub providers: Vec<String>,
    pub stages: Vec<Stage>,
    pub pipelines: Vec<Pipeline>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Pipeline {
    pub provider: String,
    pub path: String,
    pub jobs: Vec<Job>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Job {
    pub id: String,
    pub line: u32,
    pub stages: Vec<Stage>,
    /// Ids of the jobs this one waits for (directly).
    pub needs: Vec<String>,
    /// The directory the job's commands run in, relative to the root.
    pub directory: Option<String>,
    /// The job's display name, when it has one besides its id.
    pub name: Option<String>,
    /// Deployment environment (`environment:` in GitHub Actions and GitLab CI).
    pub environment: Option<String>,
    /// The steps or commands of the job, in order.
    pub steps: Vec<Step>,
}

/// One step of a job: a command it runs or an action it uses.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Step {
    pub line: u32,
    pub name: Option<String>,
    /// The command text (`run:`, `script:` line, `sh '...'`).
    pub run: Option<String>,
    /// A reusable action or orb (`actions/checkout@v4`, `docker/build-push-action@v6`).
    pub uses: Option<String>,
    /// Where the step runs, relative to the root, when it says.
    pub directory: Option<String>,
    pub stages: Vec<Stage>,
    /// Technology ids of the tools the step runs (`pytest`, `trivy`).
    pub tools: Vec<String>,
}

/// What a CI job does.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Build,
    Test,
    Lint,
    Security,
    Deploy,
    Release,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Build,
        Stage::Test,
        Stage::Lint,
        Stage::Security,
        Stage::Deploy,
        Stage::Release,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Build => "build",
            Stage::Test => "test",
            Stage::Lint => "lint",
            Stage::Security => "security",
            Stage::Deploy => "deploy",
            Stage::Release => "release",
        }
    }
}
