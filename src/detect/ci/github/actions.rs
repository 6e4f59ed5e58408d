//! Local composite actions (`uses: ./.github/actions/setup`): the action's
//! `runs.steps` are classified as if the caller ran them, following nested
//! local actions up to [`MAX_NESTING`] deep and never around a cycle. The
//! tools an action runs are detected at their lines in its `action.yml`.

use super::{Github, MAX_NESTING, Summary};
use crate::parse::yaml::Node;

impl Github<'_> {
    /// What the local action in directory `dir` (root-relative) does.
    pub(super) fn action_summary(&mut self, dir: &str, depth: usize) -> Summary {
        if let Some(summary) = self.action_summaries.get(dir) {
            return summary.clone();
        }
        let key = format!("action:{dir}");
        if depth > MAX_NESTING || self.visiting.contains(&key) {
            return Summary::default();
        }
        let file = ["action.yml", "action.yaml"].iter().find_map(|name| {
            let path = if dir.is_empty() {
                (*name).to_string()
            } else {
                format!("{dir}/{name}")
            };
            self.load(&path)
        });
        let Some(file) = file else {
            return Summary::default();
        };
        self.visiting.insert(key.clone());
        let mut summary = Summary::default();
        let mut directories = Vec::new();
        let steps = file
            .root
            .path(&["runs", "steps"])
            .map_or(&[][..], Node::seq);
        for item in steps {
            // Composite steps' working directories are relative to the
            // workspace, like the caller's.
            if let Some(step) = self.step(&file.src, item, None, depth, true) {
                summary.add_step(&step);
                if !step.stages.is_empty() || step.directory.is_some() {
                    directories.push(step.directory);
                }
            }
        }
        self.visiting.remove(&key);
        // The action runs in one directory only when every step that says
        // where it runs says the same place.
        if let Some(Some(first)) = directories.first()
            && directories
                .iter()
                .all(|d| d.as_deref() == Some(first.as_str()))
        {
            summary.directory = Some(first.clone());
        }
        self.action_summaries
            .insert(dir.to_string(), summary.clone());
        summary
    }
}
