//! End-to-end tests of the Dockerfile parser: whole files through [`parse`]
//! and the awkward corners of the format.

use super::*;

fn parse_text(text: &str) -> Dockerfile {
    let src = SourceFile::new("Dockerfile", text);
    parse(&src).unwrap_or_else(|e| panic!("{e}\n---\n{text}"))
}

fn parse_err(text: &str) -> (ParseError, SourceFile) {
    let src = SourceFile::new("Dockerfile", text);
    let err = parse(&src).expect_err("should not parse");
    (err, src)
}

fn slice(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

fn resolved(stage: &Stage) -> Option<&str> {
    stage.base.resolved.as_deref()
}

#[test]
fn global_args_are_substituted_into_from() {
    let text = "ARG NODE_VERSION=20\nARG VARIANT=alpine\nARG FULL=${NODE_VERSION}-${VARIANT}\n\
                FROM node:${NODE_VERSION}-alpine AS deps\nFROM node:$FULL\nFROM node:${MISSING:-18}\n\
                FROM node:${VARIANT:+lts}\n";
    let file = parse_text(text);
    assert_eq!(file.global_args.len(), 3);
    assert_eq!(file.preamble.len(), 3);
    let got: Vec<_> = file.stages.iter().map(resolved).collect();
    assert_eq!(
        got,
        [
            Some("node:20-alpine"),
            Some("node:20-alpine"),
            Some("node:18"),
            Some("node:lts")
        ]
    );
    let ImageSource::Image(image) = &file.stages[0].base.source else {
        panic!("{:?}", file.stages[0].base.source);
    };
    assert_eq!(
        (image.name.as_str(), image.tag.as_deref()),
        ("node", Some("20-alpine"))
    );
    assert_eq!(file.stages[0].base.text, "node:${NODE_VERSION}-alpine");
    assert_eq!(
        slice(text, file.stages[0].base.span),
        "node:${NODE_VERSION}-alpine"
    );
}

#[test]
fn an_arg_without_default_leaves_from_unresolved() {
    let file = parse_text("ARG BASE\nARG TAG=1\nFROM ${BASE}:${TAG}\nFROM app:${UNDECLARED}\n");
    let base = &file.stages[0].base;
    assert_eq!(base.resolved, None);
    assert_eq!(base.unresolved, ["BASE"]);
    assert_eq!(base.source, ImageSource::Unresolved);
    assert_eq!(file.stages[1].base.unresolved, ["UNDECLARED"]);
    // An ARG declared after FROM belongs to the stage and is not global.
    let file = parse_text("FROM a\nARG V=1\nFROM b:$V\n");
    assert_eq!(file.stages[1].base.unresolved, ["V"]);
    assert_eq!(file.stages[0].args[0].name, "V");
}

#[test]
fn from_names_earlier_stages_scratch_and_images() {
    let text = "FROM golang:1.22 AS Build\nFROM build\nFROM scratch\nFROM later\nFROM 0\nFROM alpine AS later\n";
    let file = parse_text(text);
    let sources: Vec<_> = file.stages.iter().map(|s| s.base.source.clone()).collect();
    assert_eq!(sources[1], ImageSource::Stage(0));
    assert_eq!(sources[2], ImageSource::Scratch);
    // Only earlier stages count, and BuildKit reads `FROM 0` as an image.
    assert!(matches!(&sources[3], ImageSource::Image(r) if r.name == "later"));
    assert!(matches!(&sources[4], ImageSource::Image(r) if r.name == "0"));
    assert_eq!(file.stages[0].name.as_ref().unwrap().text, "build");
    assert_eq!(
        slice(text, file.stages[0].name.as_ref().unwrap().span),
        "Build"
    );
    assert_eq!(file.stage_named("LATER").unwrap().index, 5);
    assert_eq!(file.final_stage().unwrap().index, 5);
}

#[test]
fn platform_and_registry_ports_are_read() {
    let text = "FROM --platform=$BUILDPLATFORM localhost:5000/team/app:1.2 AS b\n";
    let file = parse_text(text);
    let stage = &file.stages[0];
    let platform = stage.platform.as_ref().unwrap();
    assert_eq!(platform.text, "$BUILDPLATFORM");
    assert_eq!(slice(text, platform.span), "$BUILDPLATFORM");
    let ImageSource::Image(image) = &stage.base.source else {
        panic!()
    };
    assert_eq!(image.name, "localhost:5000/team/app");
    assert_eq!(image.tag.as_deref(), Some("1.2"));
}

#[test]
fn copy_from_names_stages_indexes_or_images() {
    let text = "FROM node:20 AS build\nFROM nginx:1.27\nCOPY --from=BUILD /app/dist /usr/share/nginx/html\n\
                COPY --from=0 /a /b\nCOPY --from=7 /a /b\nCOPY --from=redis:7 /usr/local/bin/redis-cli /bin/\n\
                COPY --from=$X /a /b\nADD --chown=1000:1000 app.tar.gz /opt/\n";
    let file = parse_text(text);
    let copies = &file.stages[1].copy_from;
    let sources: Vec<_> = copies.iter().map(|c| c.source.clone()).collect();
    assert_eq!(sources[0], ImageSource::Stage(0));
    assert_eq!(sources[1], ImageSource::Stage(0));
    assert_eq!(sources[2], ImageSource::Invalid);
    assert!(matches!(&sources[3], ImageSource::Image(r) if r.name == "redis"));
    assert_eq!(sources[4], ImageSource::Unresolved);
    assert_eq!(slice(text, copies[0].span), "BUILD");
    let add = &file.stages[1].instructions[6];
    assert_eq!(add.keyword, Keyword::Add);
    assert_eq!(
        add.flag("chown").unwrap().value.as_deref(),
        Some("1000:1000")
    );
}

#[test]
fn user_is_split_and_inherited_through_stages() {
    let text = "FROM node:20 AS base\nUSER app:app\nFROM base AS test\nRUN npm test\nFROM node:20\nUSER 0\nFROM base\nUSER 1000\n";
    let file = parse_text(text);
    let base = &file.stages[0];
    let user = base.user.as_ref().unwrap();
    assert_eq!(
        (user.name.as_str(), user.group.as_deref()),
        ("app", Some("app"))
    );
    assert_eq!(slice(text, user.span), "app:app");
    assert_eq!(slice(text, user.instruction_span), "USER app:app");
    let test = &file.stages[1];
    assert!(test.user.is_none());
    assert_eq!(test.effective_user(&file).unwrap().name, "app");
    assert!(file.stages[2].effective_user(&file).unwrap().is_root());
    let last = file.final_stage().unwrap();
    assert_eq!(last.effective_user(&file).unwrap().text, "1000");
    assert!(!last.effective_user(&file).unwrap().is_root());
    let file = parse_text("FROM alpine\nRUN adduser -D app\n");
    assert!(file.final_stage().unwrap().effective_user(&file).is_none());
}

#[test]
fn healthchecks_recognise_none_and_both_command_forms() {
    let text = "FROM python:3.12\n\
                HEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://localhost:8000/health || exit 1\n\
                FROM python:3.12\nHEALTHCHECK CMD [\"python\", \"-m\", \"app.health\"]\n\
                FROM 1\nhealthcheck none\n";
    let file = parse_text(text);
    let shell = file.stages[0].healthcheck.as_ref().unwrap();
    assert!(!shell.disabled);
    let Some(Arguments::Shell(cmd)) = &shell.command else {
        panic!()
    };
    assert_eq!(cmd.text, "curl -f http://localhost:8000/health || exit 1");
    assert_eq!(shell.flags[0].name, "interval");
    assert_eq!(shell.flags[0].value.as_deref(), Some("30s"));
    let exec = file.stages[1].healthcheck.as_ref().unwrap();
    assert!(matches!(&exec.command, Some(Arguments::Exec(a)) if a.len() == 3));
    let none = file.stages[2].healthcheck.as_ref().unwrap();
    assert!(none.disabled && none.command.is_none());
    assert_eq!(
        file.stages[2].instructions[1].keyword.as_str(),
        "HEALTHCHECK"
    );
}

#[test]
fn expose_reads_ports_ranges_and_protocols() {
    let text = "FROM a\nEXPOSE 80 53/UDP 8000-8010/tcp ${PORT}\n";
    let file = parse_text(text);
    let ports = &file.stages[0].exposes;
    let got: Vec<_> = ports
        .iter()
        .map(|p| (p.start, p.end, p.protocol.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Some(80), Some(80), "tcp"),
            (Some(53), Some(53), "udp"),
            (Some(8000), Some(8010), "tcp"),
            (None, None, "tcp")
        ]
    );
    assert_eq!(slice(text, ports[2].span), "8000-8010/tcp");
}

#[test]
fn env_and_arg_accept_both_forms() {
    let text = "FROM a\nENV PATH=\"/app/bin:$PATH\" LANG=C.UTF-8\nENV APP_HOME /srv/my app\n\
                ARG VERSION\nARG BUILD_DATE=\"2024-01-01\"\nWORKDIR /srv/app\n";
    let file = parse_text(text);
    let stage = &file.stages[0];
    let env: Vec<_> = stage
        .env
        .iter()
        .map(|kv| (kv.key.as_str(), kv.value.as_str()))
        .collect();
    assert_eq!(
        env,
        [
            ("PATH", "/app/bin:$PATH"),
            ("LANG", "C.UTF-8"),
            ("APP_HOME", "/srv/my app")
        ]
    );
    assert_eq!(slice(text, stage.env[0].key_span), "PATH");
    assert_eq!(slice(text, stage.env[2].span), "APP_HOME /srv/my app");
    assert_eq!(stage.args[0].default, None);
    assert_eq!(stage.args[1].default.as_deref(), Some("2024-01-01"));
    assert_eq!(stage.workdir.as_ref().unwrap().text, "/srv/app");
}

#[test]
fn exec_form_needs_valid_json_else_it_is_shell_form() {
    let text = "FROM a\nCMD [\"node\", \"server.js\"]\nENTRYPOINT [node, server.js]\nRUN [ \"echo\" ] && true\n";
    let file = parse_text(text);
    let stage = &file.stages[0];
    let Arguments::Exec(cmd) = &stage.cmd.as_ref().unwrap().args else {
        panic!()
    };
    assert_eq!(cmd[1].text, "server.js");
    assert_eq!(slice(text, cmd[1].span), "\"server.js\"");
    let entry = &stage.entrypoint.as_ref().unwrap().args;
    assert_eq!(
        entry,
        &Arguments::Shell(Word {
            text: "[node, server.js]".into(),
            span: Span::new(
                text.find("[node").unwrap(),
                text.find("[node").unwrap() + 17
            ),
        })
    );
    assert!(!stage.instructions[3].args.is_exec());
    let (err, src) = parse_err("FROM a\nCMD [\"node\", 1]\n");
    assert_eq!(src.position(err.offset).line, 2);
    assert!(err.message.contains("strings only"));
}

#[test]
fn continued_instructions_span_all_their_lines() {
    let text = "FROM debian:bookworm\nrun apt-get update \\\n    # install curl\n\n    && apt-get install -y curl \\\t \n    && rm -rf /var/lib/apt/lists/*\nUSER nobody\n";
    let file = parse_text(text);
    let run = &file.stages[0].instructions[1];
    assert_eq!(run.keyword, Keyword::Run);
    assert_eq!(slice(text, run.keyword_span), "run");
    let src = SourceFile::new("Dockerfile", text);
    assert_eq!(src.line(run.span.start), 2);
    assert_eq!(src.line(run.span.end), 6);
    assert!(slice(text, run.span).ends_with("lists/*"));
    let Arguments::Shell(args) = &run.args else {
        panic!()
    };
    assert_eq!(
        args.text,
        "apt-get update     && apt-get install -y curl     && rm -rf /var/lib/apt/lists/*"
    );
    assert_eq!(
        src.line(file.stages[0].user.as_ref().unwrap().span.start),
        7
    );
}

#[test]
fn run_mount_flags_keep_their_values_and_spans() {
    let text = "FROM a\nRUN --mount=type=cache,target=/root/.cache \\\n    --mount=type=secret,id=npmrc --network=none \\\n    pip install -r requirements.txt\n";
    let file = parse_text(text);
    let run = &file.stages[0].instructions[1];
    let flags: Vec<_> = run
        .flags
        .iter()
        .map(|f| (f.name.as_str(), f.value.as_deref()))
        .collect();
    assert_eq!(
        flags,
        [
            ("mount", Some("type=cache,target=/root/.cache")),
            ("mount", Some("type=secret,id=npmrc")),
            ("network", Some("none"))
        ]
    );
    assert_eq!(
        slice(text, run.flags[1].span),
        "--mount=type=secret,id=npmrc"
    );
    assert_eq!(
        slice(text, run.flags[0].value_span.unwrap()),
        "type=cache,target=/root/.cache"
    );
    assert_eq!(run.args.text(), "pip install -r requirements.txt");
}

#[test]
fn heredocs_are_read_with_their_bodies() {
    let text = "FROM a\nRUN <<EOF\napt-get update\napt-get install -y git\nEOF\n\
                COPY <<a.txt <<\"b.txt\" /dst/\nalpha\na.txt\nbeta $X\nb.txt\n\
                RUN <<-SCRIPT bash\n\tset -e\n\t\techo indented\n\tSCRIPT\nUSER app\n";
    let file = parse_text(text);
    let stage = &file.stages[0];
    let run = &stage.instructions[1];
    assert_eq!(run.heredocs.len(), 1);
    assert_eq!(
        run.heredocs[0].body,
        "apt-get update\napt-get install -y git\n"
    );
    assert_eq!(slice(text, run.heredocs[0].body_span), run.heredocs[0].body);
    assert_eq!(slice(text, run.heredocs[0].marker_span), "<<EOF");
    assert!(slice(text, run.span).ends_with("git\nEOF"));
    let copy = &stage.instructions[2];
    let names: Vec<_> = copy.heredocs.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["a.txt", "b.txt"]);
    assert_eq!(copy.heredocs[1].body, "beta $X\n");
    assert!(copy.heredocs[0].expand && !copy.heredocs[1].expand);
    let script = &stage.instructions[3].heredocs[0];
    assert!(script.strip_tabs);
    assert_eq!(script.body, "set -e\necho indented\n");
    assert_eq!(stage.user.as_ref().unwrap().name, "app");
    let src = SourceFile::new("Dockerfile", text);
    assert_eq!(src.line(stage.user.as_ref().unwrap().span.start), 15);
}

#[test]
fn heredocs_are_not_read_in_exec_form_or_other_instructions() {
    let file = parse_text("FROM a\nRUN [\"cat\", \"<<EOF\"]\nENV X=<<EOF\n");
    assert!(
        file.stages[0]
            .instructions
            .iter()
            .all(|i| i.heredocs.is_empty())
    );
    let Err(err) = parse(&SourceFile::new(
        "D",
        "FROM a\nRUN [\"cat\", \"<<EOF\"]\nEOF\n",
    )) else {
        panic!("EOF is an unknown instruction");
    };
    assert!(err.message.contains("unknown instruction: EOF"));
}

#[test]
fn onbuild_triggers_can_have_heredocs() {
    let file = parse_text("FROM a\nONBUILD RUN <<EOF\necho hi\nEOF\n");
    assert_eq!(file.stages[0].instructions[1].heredocs[0].body, "echo hi\n");
    let (err, _) = parse_err("FROM a\nONBUILD FROM b\n");
    assert!(err.message.contains("ONBUILD trigger"));
}

#[test]
fn an_unterminated_heredoc_is_an_error_at_its_marker() {
    let text = "FROM a\nRUN python3 <<PY\nprint('hi')\nPY \n";
    let (err, src) = parse_err(text);
    assert_eq!(err.offset, text.find("<<PY").unwrap());
    assert_eq!(src.position(err.offset).line, 2);
    assert!(err.message.contains("unterminated heredoc"));
}

#[test]
fn windows_escape_directive_changes_continuations() {
    let text = "# escape=`\r\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\r\n\
                RUN powershell -Command `\r\n    New-Item -ItemType Directory C:\\app\r\nWORKDIR C:\\app\\\r\n";
    let file = parse_text(text);
    assert_eq!(file.escape, '`');
    assert_eq!(file.directives[0].name, "escape");
    let stage = &file.stages[0];
    assert_eq!(
        stage.instructions[1].args.text(),
        "powershell -Command     New-Item -ItemType Directory C:\\app"
    );
    assert_eq!(stage.workdir.as_ref().unwrap().text, "C:\\app\\");
}

#[test]
fn a_byte_order_mark_and_crlf_keep_spans_right() {
    let text = "\u{feff}# syntax=docker/dockerfile:1\r\nFROM alpine:3.20\r\nUSER app\r\n";
    let file = parse_text(text);
    assert_eq!(file.directives[0].value, "docker/dockerfile:1");
    assert_eq!(
        slice(text, file.directives[0].value_span),
        "docker/dockerfile:1"
    );
    let stage = &file.stages[0];
    assert_eq!(slice(text, stage.base.span), "alpine:3.20");
    assert_eq!(slice(text, stage.user.as_ref().unwrap().span), "app");
}

#[test]
fn instructions_before_from_other_than_arg_are_errors() {
    let text = "# a comment\nARG X=1\nRUN echo hi\nFROM a\n";
    let (err, src) = parse_err(text);
    assert_eq!(src.position(err.offset).line, 3);
    assert!(
        err.message.contains("RUN before the first FROM"),
        "{}",
        err.message
    );
}

#[test]
fn unknown_instructions_are_errors_at_the_keyword() {
    let text = "FROM a\n  RUNN echo hi\n";
    let (err, src) = parse_err(text);
    assert_eq!(err.offset, text.find("RUNN").unwrap());
    assert_eq!(src.position(err.offset).column, 3);
    assert_eq!(err.message, "unknown instruction: RUNN");
}

#[test]
fn malformed_from_lines_are_errors() {
    for (text, needle) in [
        ("FROM\n", "requires an image"),
        ("FROM --platform=linux/amd64\n", "requires an image"),
        ("FROM a b\n", "one or three"),
        ("FROM a AS\n", "one or three"),
        ("FROM a TO b\n", "one or three"),
        ("FROM a AS 1st\n", "invalid name"),
        ("ARG V=\"x\nFROM a:${V\n", "missing"),
    ] {
        let (err, _) = parse_err(text);
        assert!(err.message.contains(needle), "{text:?}: {}", err.message);
    }
}

#[test]
fn files_without_from_or_instructions_are_errors() {
    for (text, needle) in [
        ("", "no instructions"),
        ("\u{feff}", "no instructions"),
        ("# only a comment\n\n   \n", "no instructions"),
        ("ARG X=1\n", "no FROM"),
    ] {
        let (err, _) = parse_err(text);
        assert!(err.message.contains(needle), "{text:?}: {}", err.message);
    }
}

#[test]
fn argument_errors_follow_buildkit() {
    for (text, needle) in [
        ("FROM a\nUSER\n", "USER requires"),
        ("FROM a\nENV X\n", "two arguments"),
        ("FROM a\nENV X=1 Y\n", "can't find ="),
        ("FROM a\nARG =1\n", "blank"),
        ("FROM a\nEXPOSE\n", "EXPOSE requires"),
        ("FROM a\nHEALTHCHECK\n", "HEALTHCHECK requires"),
        ("FROM a\nHEALTHCHECK NONE CMD x\n", "takes no arguments"),
        ("FROM a\nHEALTHCHECK CMD\n", "missing command"),
        ("FROM a\nHEALTHCHECK RUN x\n", "unknown type"),
        ("FROM a\nCOPY onlyone\n", "at least two"),
        ("FROM a\nSHELL powershell\n", "JSON form"),
        ("FROM a\nWORKDIR\n", "WORKDIR requires"),
    ] {
        let (err, src) = parse_err(text);
        assert!(err.message.contains(needle), "{text:?}: {}", err.message);
        assert_eq!(src.position(err.offset).line, 2, "{text:?}");
    }
}

#[test]
fn crlf_heredoc_terminators_and_bare_flags() {
    let text = "FROM a\r\nCOPY --link <<EOF /x\r\nhello\r\nEOF\r\nUSER app\r\n";
    let file = parse_text(text);
    let copy = &file.stages[0].instructions[1];
    assert_eq!(copy.heredocs[0].body, "hello\r\n");
    let link = copy.flag("link").unwrap();
    assert_eq!((link.value.as_deref(), link.value_span), (None, None));
    assert_eq!(slice(text, link.span), "--link");
    assert_eq!(file.stages[0].user.as_ref().unwrap().text, "app");
}

#[test]
fn onbuild_exec_form_reads_no_heredoc() {
    let file = parse_text("FROM a\nONBUILD RUN [\"cat\", \"<<EOF\"]\nUSER x\n");
    assert!(file.stages[0].instructions[1].heredocs.is_empty());
    assert_eq!(file.stages[0].user.as_ref().unwrap().text, "x");
}

#[test]
fn keywords_round_trip_in_any_case() {
    for (keyword, name) in KEYWORDS {
        assert_eq!(Keyword::parse(&name.to_lowercase()), Some(keyword));
        assert_eq!(keyword.as_str(), name);
    }
    assert_eq!(Keyword::parse("FROMM"), None);
}

#[test]
fn labels_accept_both_forms_but_need_a_value() {
    parse_text(
        "FROM a\nLABEL org.opencontainers.image.source=\"https://example.com/x\" team=api\nLABEL legacy value here\n",
    );
    let (err, _) = parse_err("FROM a\nLABEL lonely\n");
    assert!(
        err.message.contains("LABEL must have two arguments"),
        "{}",
        err.message
    );
}

#[test]
fn heredoc_delimiters_follow_shell_quoting() {
    let text = "FROM a\n\
                RUN <<ab'c'\nbody\nabc\n\
                RUN <<ab\\'c\nbody\nab'c\n\
                RUN <<'a'b\\'c\nbody\nab'c\n\
                RUN <<'two words'\nbody\ntwo words\n\
                RUN <<$END\n$END\n\
                RUN <<  SPACED  > /out\nSPACED\n\
                COPY <<X <<Y /dst/\nY\nX\nX\nY\n";
    let file = parse_text(text);
    let docs: Vec<_> = file.stages[0]
        .instructions
        .iter()
        .flat_map(|i| i.heredocs.iter())
        .map(|h| (h.name.as_str(), h.expand, h.body.as_str()))
        .collect();
    assert_eq!(
        docs,
        [
            ("abc", false, "body\n"),
            ("ab'c", true, "body\n"),
            ("ab'c", false, "body\n"),
            ("two words", false, "body\n"),
            ("$END", true, ""),
            ("SPACED", true, ""),
            ("X", true, "Y\n"),
            ("Y", true, "X\n"),
        ]
    );
}
