//! The awkward corners of Bundler's DSL.
#![allow(clippy::unwrap_used)]

use super::*;

fn gemfile(text: &str) -> Gemfile {
    parse(&SourceFile::new("Gemfile", text))
}

/// `name [groups]` for every gem, in order.
fn summary(text: &str) -> Vec<String> {
    let parsed = gemfile(text);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    parsed
        .gems
        .iter()
        .map(|g| format!("{} [{}]", g.name, g.groups.join(",")))
        .collect()
}

#[test]
fn gems_with_requirements_and_options() {
    let text = r##"source "https://rubygems.org"
ruby "3.3.0"

gem "rails", "~> 7.1"
gem 'pg', '>= 1.1', '< 2', require: false
gem("puma")
gem "bootsnap", require: false # reduces boot times
"##;
    let parsed = gemfile(text);
    let src = SourceFile::new("Gemfile", text);
    let names: Vec<&str> = parsed.gems.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["rails", "pg", "puma", "bootsnap"]);
    assert_eq!(parsed.gems[1].requirements, [">= 1.1", "< 2"]);
    assert_eq!(src.line(parsed.gems[1].span.start), 5);
    assert!(parsed.gems.iter().all(|g| g.groups.is_empty()));
}

#[test]
fn every_way_of_naming_groups() {
    let text = r##"
gem "a", group: :test
gem "b", groups: [:development, "test"]
gem "c", :group => :development
gem "d", :groups => %i[development test]
gem "e", { group: :ci }
group :development, :test do
  gem "f"
  gem "g", group: :lint
end
group(:production) { gem "h" }
gem "i"
"##;
    assert_eq!(
        summary(text),
        [
            "a [test]",
            "b [development,test]",
            "c [development]",
            "d [development,test]",
            "e [ci]",
            "f [development,test]",
            "g [development,test,lint]",
            "h [production]",
            "i []",
        ]
    );
}

#[test]
fn nested_blocks_keep_the_outer_groups() {
    let text = r##"
group :test do
  platforms :jruby do
    gem "jdbc"
  end
  path "engines" do
    gem "billing"
  end
  git "https://example.com/tools.git" do
    gem "tool"
  end
  install_if -> { RUBY_PLATFORM =~ /darwin/ } do
    gem "mac"
  end
  install_if ->() { Gem.win_platform? } do
    gem "win"
  end
  gem "after"
end
gem "outside"
"##;
    assert_eq!(
        summary(text),
        [
            "jdbc [test]",
            "billing [test]",
            "tool [test]",
            "mac [test]",
            "win [test]",
            "after [test]",
            "outside []",
        ]
    );
}

#[test]
fn both_branches_of_a_conditional_are_read() {
    let text = r##"
if ENV["RAILS_EDGE"]
  gem "rails", github: "rails/rails", branch: "main"
elsif ENV.fetch("X") { "y" } == "z"
  gem "rails", "~> 7.0"
else
  gem "rails", "~> 7.1"
end
unless RUBY_ENGINE == "jruby" then gem "oj" end
gem "debug", platforms: %i[mri windows] if RUBY_VERSION >= "3"
case ENV["DB"]
when "mysql" then gem "mysql2"
else gem "pg"
end
gem "last"
"##;
    assert_eq!(
        summary(text),
        [
            "rails []",
            "rails []",
            "rails []",
            "oj []",
            "debug []",
            "mysql2 []",
            "pg []",
            "last []"
        ]
    );
}

#[test]
fn gemspec_and_source_blocks_do_not_stop_the_reading() {
    let text = r##"git_source(:github) { |repo| "https://github.com/#{repo}.git" }
source "https://gems.example.com" do
  gem "private-gem"
end
gemspec path: "."
eval_gemfile "Gemfile.local"
plugin "bundler-inject"
gem "rake", ">= 13"
"##;
    let parsed = gemfile(text);
    assert!(parsed.errors.is_empty());
    assert!(parsed.gemspec.is_some());
    let names: Vec<&str> = parsed.gems.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["private-gem", "rake"]);
}

#[test]
fn multi_line_gems_and_code_that_looks_like_gems() {
    let text = r##"
# gem "commented-out" do
gem "sentry-ruby",
    "~> 5.0",
    require: "sentry"
gem(
  "lograge",
  group: :production
)
NOTE = <<~TEXT
  gem "inside-a-heredoc"
  end
TEXT
=begin
gem "inside-a-block-comment"
=end
%w[a b].each { |name| gem name }
gem "#{prefix}-interpolated"
gem "x", "1" ; gem "y"
def helper(x) = x
gem "after-endless-def"
__END__
gem "after-end-marker"
"##;
    assert_eq!(
        summary(text),
        [
            "sentry-ruby []",
            "lograge [production]",
            "x []",
            "y []",
            // An endless `def` opens a block that never closes: the gem is
            // still read, with the groups it had.
            "after-endless-def []",
        ]
    );
}

#[test]
fn unbalanced_blocks_never_fail_the_file() {
    // A missing `end`: the group stays open to the end of the file.
    assert_eq!(
        summary("group :test do\n  gem \"a\"\ngem \"b\"\n"),
        ["a [test]", "b [test]"]
    );
    // A stray `end` and `}` are ignored.
    assert_eq!(summary("end\n}\ngem \"a\"\n"), ["a []"]);
    // An unclosed parenthesis is closed by the block's `end`.
    assert_eq!(
        summary("group :test do\n  gem(\"a\"\nend\ngem \"b\"\n"),
        ["a [test]", "b []"]
    );
    // `end while` is a modifier, not a new block.
    assert_eq!(
        summary("group :test do\nbegin\ngem \"a\"\nend while false\nend\ngem \"b\"\n"),
        ["a [test]", "b []"]
    );
}

#[test]
fn an_unterminated_string_is_reported_and_the_rest_is_read() {
    let text = "gem \"rails\ngem 'pg', group: :test\n";
    let parsed = gemfile(text);
    assert_eq!(parsed.errors.len(), 1);
    assert!(parsed.errors[0].message.contains("unterminated string"));
    assert_eq!(parsed.errors[0].offset, 4);
    let names: Vec<&str> = parsed.gems.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["pg"]);
}

#[test]
fn an_unterminated_heredoc_is_reported() {
    let parsed = gemfile("x = <<~EOS\ngem 'a'\n");
    assert_eq!(parsed.errors.len(), 1);
    assert!(parsed.errors[0].message.contains("EOS"));
    assert_eq!(parsed.gems.len(), 1);
}

#[test]
fn crlf_and_byte_order_mark() {
    let text = "\u{feff}group :test do\r\n  gem 'a',\r\n    require: false\r\nend\r\ngem 'b'\r\n";
    assert_eq!(summary(text), ["a [test]", "b []"]);
}

#[test]
fn hostile_input_terminates() {
    let deep = "group :a do\n".repeat(10_000) + "gem 'x'\n" + &"end\n".repeat(10_000);
    let parsed = gemfile(&deep);
    assert_eq!(parsed.gems.len(), 1);
    assert_eq!(parsed.gems[0].groups, ["a"]);

    let many_groups = format!(
        "group {} do\ngem 'x'\nend\n",
        (0..1000)
            .map(|i| format!(":g{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert_eq!(gemfile(&many_groups).gems[0].groups.len(), MAX_GROUPS);

    // Each unterminated literal would scan to the end of the file.
    let parsed = gemfile(&"%(\n".repeat(50_000));
    assert!(parsed.errors.len() <= 10);
    let parsed = gemfile(&"(/#{".repeat(50_000));
    assert!(parsed.gems.is_empty());
    let parsed = gemfile(&"\"#{".repeat(10_000));
    assert!(!parsed.errors.is_empty());
}

#[test]
fn every_prefix_of_a_gemfile_parses_without_panicking() {
    let text = "source 'https://rubygems.org'\ngit_source(:gh) { |r| \"https://github.com/#{r}\" }\n\
        group :development, :test do\n  gem \"rspec-rails\", '~> 6'\n  x = <<~EOS\n  body\n  EOS\n\
        end\ngem 'ü', %w[a b], :group => [:test]\n=begin\nc\n=end\n";
    for end in 0..=text.len() {
        if let Some(prefix) = text.get(..end) {
            let _ = gemfile(prefix);
        }
    }
}
