//! Unit tests of template blanking: lines stay put, actions resolve when simple.

use super::*;
use crate::parse::yaml;

const VALUES: &str = "image:\n  repository: ghcr.io/acme/api\n  tag: \"\"\nreplicaCount: 2\nresources:\n  limits:\n    cpu: 500m\n    memory: 256Mi\nsecurityContext:\n  runAsNonRoot: true\n  runAsUser: 1000\nprobe:\n  path: /healthz\nname: \"db:main\"\n";

fn with_values<T>(f: impl FnOnce(&Context<'_>) -> T) -> T {
    let docs = yaml::parse_str(VALUES).unwrap();
    let ctx = Context {
        values: docs.first(),
        chart_name: Some("api"),
        chart_version: Some("0.3.0"),
        app_version: Some("1.4.2"),
    };
    f(&ctx)
}

fn resolved(rendered: &Rendered, text: &str) -> Option<String> {
    rendered.resolve(text).map(Cow::into_owned)
}

#[test]
fn every_line_stays_on_its_line() {
    let text = "{{- if .Values.enabled }}\na: {{ .Values.x }}\n{{/* a\nlong\ncomment */}}\nb: 1\r\n{{- end }}\n";
    let rendered = render(text, &Context::default());
    assert_eq!(rendered.text.lines().count(), text.lines().count());
    let lines: Vec<&str> = rendered.text.lines().collect();
    assert_eq!(lines, ["", "a: __tpl_0__", "", "", "", "b: 1", ""]);
    assert_eq!(rendered.placeholders, [None]);
}

#[test]
fn values_chart_fields_and_defaults_resolve() {
    with_values(|ctx| {
        let text = "image: \"{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}\"\nreplicas: {{ .Values.replicaCount }}\nname: {{ include \"api.fullname\" . }}\nalt: {{ default \"x\" .Values.missing }}\np: {{ printf \"%s-%s\" .Chart.Name .Release.Name }}\nq: {{ printf \"%s-%v\" .Chart.Name .Chart.Version | quote }}\nv: {{ $.Values.name | quote }}\n";
        let rendered = render(text, ctx);
        let docs = yaml::parse_str(&rendered.text).unwrap();
        let doc = &docs[0];
        let get = |k: &str| rendered.text(doc.get(k).unwrap()).map(Cow::into_owned);
        assert_eq!(get("image").as_deref(), Some("ghcr.io/acme/api:1.4.2"));
        assert_eq!(get("replicas").as_deref(), Some("2"));
        assert_eq!(get("name"), None);
        assert_eq!(get("alt").as_deref(), Some("x"));
        assert_eq!(get("p"), None);
        assert_eq!(get("q").as_deref(), Some("api-0.3.0"));
        assert_eq!(get("v").as_deref(), Some("db:main"));
    });
}

#[test]
fn to_yaml_of_values_becomes_flow_yaml_on_the_same_line() {
    with_values(|ctx| {
        let text = "spec:\n  securityContext:\n    {{- toYaml .Values.securityContext | nindent 4 }}\n  resources: {{- toYaml .Values.resources | nindent 4 }}\n  {{- with .Values.probe }}\n  livenessProbe:\n    httpGet:\n      {{- toYaml . | nindent 6 }}\n  {{- end }}\n  extra:\n    {{- toYaml .Values.nothing | nindent 4 }}\n  env:\n    {{- range .Values.env }}\n    - name: {{ .name }}\n    {{- end }}\n";
        let rendered = render(text, ctx);
        assert_eq!(rendered.text.lines().count(), text.lines().count());
        let docs = yaml::parse_str(&rendered.text).unwrap();
        let spec = docs[0].get("spec").unwrap();
        let security = spec.get("securityContext").unwrap();
        assert_eq!(security.get("runAsNonRoot").unwrap().as_bool(), Some(true));
        assert_eq!(security.get("runAsUser").unwrap().as_i64(), Some(1000));
        let limits = spec.path(&["resources", "limits"]).unwrap();
        assert_eq!(limits.get("memory").unwrap().as_str(), Some("256Mi"));
        let path = spec.path(&["livenessProbe", "httpGet", "path"]).unwrap();
        assert_eq!(path.as_str(), Some("/healthz"));
        assert!(spec.get("extra").unwrap().is_null());
        let env = spec.get("env").unwrap().seq();
        assert_eq!(rendered.text(env[0].get("name").unwrap()), None);
        // The flow text sits on the line of the action.
        let src = crate::source::SourceFile::new("t.yaml", rendered.text.clone());
        assert_eq!(src.line(security.span.start), 3);
    });
}

#[test]
fn flow_text_quotes_what_is_not_plain() {
    let docs =
        yaml::parse_str("a: \"1000\"\nb: 'x: y'\nc: ~\nd: [-1, true]\n\"k\\\"q\": \"é\\n\"\n")
            .unwrap();
    let mut budget = MAX_FLOW_TOTAL;
    let text = flow(&docs[0], &mut budget).unwrap();
    assert_eq!(
        text,
        r#"{a: "1000", b: "x: y", c: null, d: [-1, true], "k\"q": "é\n"}"#
    );
    let back = yaml::parse_str(&text).unwrap();
    assert_eq!(back[0].get("a").unwrap().as_i64(), None);
    assert_eq!(back[0].get("b").unwrap().as_str(), Some("x: y"));
}

#[test]
fn unterminated_and_odd_actions_do_not_panic() {
    for text in [
        "a: {{ .Values.x",
        "{{",
        "}}{{}}",
        "a: {{ \"}}\" }}",
        "é: {{ .Values.é }}ü\n",
        "{{ end }}{{ end }}{{ end }}\nx: 1",
        "{{ with .Values }}{{ toYaml . }}{{ end }}",
        "{{ (printf \"%s\" .Values.x) }}",
        "{{ printf \"%q\" .Values.x }}",
        "{{ .Values.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h }}",
    ] {
        let rendered = render(text, &Context::default());
        assert_eq!(
            rendered.text.matches('\n').count(),
            text.matches('\n').count(),
            "{text}"
        );
    }
    let deep = "{{ if . }}".repeat(10_000);
    render(&deep, &Context::default());
}

#[test]
fn placeholders_resolve_only_when_every_part_is_known() {
    let rendered = Rendered {
        text: String::new(),
        placeholders: vec![Some("a".into()), None],
    };
    assert_eq!(
        resolved(&rendered, "x-__tpl_0__-y").as_deref(),
        Some("x-a-y")
    );
    assert_eq!(resolved(&rendered, "__tpl_1__"), None);
    assert_eq!(resolved(&rendered, "__tpl_9__"), None);
    assert_eq!(resolved(&rendered, "__tpl_x"), None);
    assert_eq!(resolved(&rendered, "plain").as_deref(), Some("plain"));
}

#[test]
fn to_yaml_output_is_bounded_per_template() {
    let big: String = (0..5_000)
        .map(|i| format!("k{i}: {{a: [1, 2, 3]}}\n"))
        .collect();
    let docs = yaml::parse_str(&big).unwrap();
    let ctx = Context {
        values: docs.first(),
        ..Context::default()
    };
    let text = "x:\n  {{- toYaml .Values | nindent 2 }}\n".repeat(1_000);
    let rendered = render(&text, &ctx);
    assert!(
        rendered.text.len() < 2 * MAX_FLOW_TOTAL,
        "{}",
        rendered.text.len()
    );
    let mut budget = 10;
    assert_eq!(flow(&docs[0], &mut budget), None);
    assert_eq!(budget, 0);
}
