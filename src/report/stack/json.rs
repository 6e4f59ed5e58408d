//! `--format json`: the model itself, schema `stacklint/stack/v1`.

use crate::model::Stack;

pub fn render(stack: &Stack) -> String {
    let mut out = serde_json::to_string_pretty(stack).unwrap_or_else(|e| {
        // Serializing plain structs of strings and numbers cannot fail; if it
        // ever does, say so in the output rather than panic.
        format!("{{\"error\": \"cannot serialize the stack: {e}\"}}")
    });
    out.push('\n');
    out
}
