//! Grok matching with captures: our nginx access and sshd failure patterns over matching lines,
//! and the nginx pattern over sshd lines (a miss, which the prefilter should make cheap).
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use crowdwatch_grok::{compile, PatternLibrary};
use crowdwatch_stage_benches::{nginx_lines, repo_root, sshd_lines};

fn library() -> PatternLibrary {
    let root = repo_root();
    let mut lib = PatternLibrary::new();
    let base = std::fs::read_to_string(root.join("scenarios/patterns/base")).expect("base patterns");
    lib.load_text(&base, "base");
    lib.load_dir(&root.join("scenarios/patterns")).expect("pattern dir");
    lib
}

fn grok(c: &mut Criterion) {
    let lib = library();
    let nginx = compile("%{CW_NGINX_ACCESS}", &lib).expect("nginx pattern");
    let sshd = compile("%{CW_SSHD_FAILED_AUTH}", &lib).expect("sshd pattern");
    let nginx_in = nginx_lines(1000);
    // The sshd pattern runs on the syslog message (what the syslog stage leaves in `message`).
    let sshd_in: Vec<String> = sshd_lines(1000, 1000).iter().map(|l| l.split_once("]: ").map_or("", |(_, m)| m).to_string()).collect();
    let mut g = c.benchmark_group("grok");
    g.throughput(Throughput::Elements(1000));
    for (name, pattern, input) in [("nginx access (match)", &nginx, &nginx_in), ("sshd failure (match)", &sshd, &sshd_in), ("nginx access on sshd (miss)", &nginx, &sshd_in)] {
        let mut m = pattern.new_match();
        let expected = if name.ends_with("(miss)") { 0 } else { input.len() };
        assert_eq!(input.iter().filter(|l| pattern.match_into(l.as_bytes(), &mut m)).count(), expected, "{name}");
        g.bench_function(name, |b| b.iter(|| input.iter().filter(|l| pattern.match_into(l.as_bytes(), &mut m)).count()));
    }
    g.finish();
}

criterion_group!(benches, grok);
criterion_main!(benches);
