//! Instructions to stages: the preamble of global `ARG`s, one [`Stage`] per
//! `FROM` with its base image resolved (global `ARG` defaults substituted,
//! earlier stage names and `scratch` recognised), and each stage's facts.
//! `COPY --from` sources are resolved once every stage is known, since
//! BuildKit lets them name any stage.

use crate::parse::ParseError;

use super::expand::{self, ArgEnv, ArgValue};
use super::image::parse_image_ref;
use super::instruction::{Detail, Parsed};
use super::{
    BaseImage, Command, CopyFrom, Directive, Dockerfile, ImageSource, Keyword, Stage, Word,
};

/// Group parsed instructions into a [`Dockerfile`]; `start` is where the
/// file's text begins (for errors about the whole file).
pub(super) fn assemble(
    parsed: Vec<Parsed>,
    directives: Vec<Directive>,
    escape: char,
    start: usize,
) -> Result<Dockerfile, ParseError> {
    let mut file = Dockerfile {
        directives,
        escape,
        preamble: Vec::new(),
        global_args: Vec::new(),
        stages: Vec::new(),
    };
    let mut env = ArgEnv::new();
    for Parsed {
        instruction,
        detail,
    } in parsed
    {
        if let Detail::From {
            image,
            name,
            platform,
        } = detail
        {
            let base = resolve_base(image, &env, escape, &file.stages)?;
            file.stages.push(Stage {
                index: file.stages.len(),
                name,
                platform,
                base,
                instructions: vec![instruction],
                user: None,
                healthcheck: None,
                exposes: Vec::new(),
                entrypoint: None,
                cmd: None,
                workdir: None,
                env: Vec::new(),
                args: Vec::new(),
                copy_from: Vec::new(),
            });
            continue;
        }
        let Some(stage) = file.stages.last_mut() else {
            let Detail::Arg(decls) = detail else {
                return Err(ParseError::new(
                    instruction.keyword_span.start,
                    format!(
                        "{} before the first FROM: only ARG may come before it",
                        instruction.keyword
                    ),
                ));
            };
            for (decl, raw_default) in decls {
                let value = match raw_default {
                    Some(raw) => match expand::expand(&raw, escape, &env) {
                        Ok(e) if e.unresolved.is_empty() => ArgValue::Known(e.text),
                        _ => ArgValue::Unknown,
                    },
                    None => ArgValue::Unknown,
                };
                env.insert(decl.name.clone(), value);
                file.global_args.push(decl);
            }
            file.preamble.push(instruction);
            continue;
        };
        match instruction.keyword {
            Keyword::Cmd => {
                stage.cmd = Some(Command {
                    args: instruction.args.clone(),
                    span: instruction.span,
                });
            }
            Keyword::Entrypoint => {
                stage.entrypoint = Some(Command {
                    args: instruction.args.clone(),
                    span: instruction.span,
                });
            }
            _ => {}
        }
        match detail {
            Detail::Arg(decls) => stage.args.extend(decls.into_iter().map(|(d, _)| d)),
            Detail::Env(pairs) => stage.env.extend(pairs),
            Detail::User(user) => stage.user = Some(user),
            Detail::Expose(ports) => stage.exposes.extend(ports),
            Detail::Healthcheck(check) => stage.healthcheck = Some(check),
            Detail::Workdir(dir) => stage.workdir = Some(dir),
            Detail::CopyFrom(source) => stage.copy_from.push(CopyFrom {
                text: source.text,
                span: source.span,
                source: ImageSource::Unresolved,
            }),
            Detail::From { .. } | Detail::None => {}
        }
        stage.instructions.push(instruction);
    }
    if file.stages.is_empty() {
        let message = if file.preamble.is_empty() {
            "file with no instructions"
        } else {
            "no FROM instruction: a Dockerfile needs at least one build stage"
        };
        return Err(ParseError::new(start, message));
    }
    resolve_copy_sources(&mut file);
    Ok(file)
}

/// What a `FROM` builds on, after substituting the global `ARG`s.
fn resolve_base(
    image: Word,
    env: &ArgEnv,
    escape: char,
    earlier: &[Stage],
) -> Result<BaseImage, ParseError> {
    let expanded = expand::expand(&image.text, escape, env)
        .map_err(|e| ParseError::new(image.span.start, format!("FROM {}: {e}", image.text)))?;
    let (resolved, source) = if !expanded.unresolved.is_empty() {
        (None, ImageSource::Unresolved)
    } else {
        let source = match stage_by_name(earlier, &expanded.text) {
            Some(index) => ImageSource::Stage(index),
            None => image_source(&expanded.text),
        };
        (Some(expanded.text), source)
    };
    Ok(BaseImage {
        text: image.text,
        span: image.span,
        resolved,
        unresolved: expanded.unresolved,
        source,
    })
}

fn stage_by_name(stages: &[Stage], name: &str) -> Option<usize> {
    stages
        .iter()
        .find(|s| {
            s.name
                .as_ref()
                .is_some_and(|n| n.text.eq_ignore_ascii_case(name))
        })
        .map(|s| s.index)
}

fn image_source(text: &str) -> ImageSource {
    if text == "scratch" {
        return ImageSource::Scratch;
    }
    parse_image_ref(text).map_or(ImageSource::Invalid, ImageSource::Image)
}

/// `COPY --from=<name|index|image>`: a stage name (case-insensitive), a
/// stage index, else an image. BuildKit does not substitute variables there.
fn resolve_copy_sources(file: &mut Dockerfile) {
    let names: Vec<(usize, Option<String>)> = file
        .stages
        .iter()
        .map(|s| (s.index, s.name.as_ref().map(|n| n.text.clone())))
        .collect();
    let count = names.len();
    for stage in &mut file.stages {
        for copy in &mut stage.copy_from {
            let by_name = names
                .iter()
                .find(|(_, n)| {
                    n.as_ref()
                        .is_some_and(|n| n.eq_ignore_ascii_case(&copy.text))
                })
                .map(|(i, _)| *i);
            copy.source = if let Some(index) = by_name {
                ImageSource::Stage(index)
            } else if copy.text.contains('$') {
                ImageSource::Unresolved
            } else if let Ok(index) = copy.text.parse::<usize>() {
                if index < count {
                    ImageSource::Stage(index)
                } else {
                    ImageSource::Invalid
                }
            } else {
                image_source(&copy.text)
            };
        }
    }
}
