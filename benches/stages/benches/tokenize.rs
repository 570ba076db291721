//! Line splitting: a 1 MiB batch of nginx lines cut into lines (CRLF, overlong and invalid
//! UTF-8 handling included), doing nothing with them.
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use crowdwatch_core::line::{for_each_line, Counters};
use crowdwatch_stage_benches::{batch, nginx_lines};

fn tokenize(c: &mut Criterion) {
    let lines = nginx_lines(6000);
    let data = batch(&lines);
    let mut g = c.benchmark_group("tokenize");
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.bench_function("nginx 1 MiB batch", |b| {
        b.iter(|| {
            let mut counters = Counters::default();
            let mut bytes = 0usize;
            for_each_line(&data, 64 * 1024, &mut counters, |l| bytes += l.len());
            bytes
        })
    });
    g.finish();
}

criterion_group!(benches, tokenize);
criterion_main!(benches);
