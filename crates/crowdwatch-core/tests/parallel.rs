//! The parallel mode (parse on a second thread, pour on this one) gives exactly what the
//! sequential path gives: the same alerts in the same order, the same counters, the same
//! per-scenario and per-parser-node statistics, batch after batch.
mod support;

use crowdwatch_core::config::LoadOptions;
use crowdwatch_core::event::ExpectMode;
use crowdwatch_core::{Engine, EngineOptions, Timestamp};
use support::{repo, source};

fn engine(parallel: bool) -> (Engine, usize, usize) {
    let root = repo();
    let opts = EngineOptions {
        load: LoadOptions {
            config_dirs: vec![root.join("scenarios")],
            base_patterns: Some(root.join("scenarios/patterns/base")),
            geoip: Default::default(),
            reverse_dns: Default::default(),
        },
        mode: ExpectMode::TimeMachine,
        max_line_bytes: 65536,
    };
    let (mut e, _) = Engine::load(&opts).unwrap_or_else(|r| panic!("{:?}", r.diagnostics));
    e.set_parallel(parallel);
    let nginx = source(&mut e, "nginx");
    let syslog = source(&mut e, "syslog");
    (e, nginx, syslog)
}

/// nginx traffic: benign requests from many clients, 404 probing and sensitive paths from a few,
/// a line that is not nginx, and one with invalid UTF-8.
fn nginx_batch(part: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..3000 {
        let second = part * 3000 + i;
        let time = format!(
            "24/Nov/2026:10:{:02}:{:02} +0000",
            (second / 60) % 60,
            second % 60
        );
        let line = match i % 10 {
            0..=6 => format!("198.51.100.{} - - [{time}] \"GET /articles/{i}.html HTTP/1.1\" 200 5120 \"-\" \"Mozilla/5.0\"\n", i % 200),
            7 => format!("203.0.113.{} - - [{time}] \"GET /probe-{i}.php HTTP/1.1\" 404 153 \"-\" \"Mozilla/5.0\"\n", i % 7),
            8 => format!("203.0.113.{} - - [{time}] \"GET /.env HTTP/1.1\" 403 153 \"-\" \"curl/8\"\n", 50 + i % 3),
            _ => "this is not an access log line\n".to_string(),
        };
        out.extend_from_slice(line.as_bytes());
    }
    out.extend_from_slice(
        b"192.0.2.1 - - [24/Nov/2026:10:00:00 +0000] \"GET /\xff HTTP/1.1\" 404 1 \"-\" \"x\"\n",
    );
    out
}

/// sshd password failures from a pool of addresses, among other syslog lines.
fn sshd_batch(part: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..3000 {
        let second = part * 3000 + i;
        let time = format!("Nov 24 10:{:02}:{:02}", (second / 60) % 60, second % 60);
        let line = match i % 4 {
            0 => format!("{time} gw CRON[{i}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)\n"),
            _ => format!("{time} gw sshd[{i}]: Failed password for invalid user u{} from 192.0.2.{} port {} ssh2\n", i % 9, i % 40, 20000 + i),
        };
        out.extend_from_slice(line.as_bytes());
    }
    out
}

#[test]
fn the_parallel_mode_gives_the_sequential_output() {
    let now = Timestamp::now();
    let (mut seq, seq_nginx, seq_syslog) = engine(false);
    let (mut par, par_nginx, par_syslog) = engine(true);
    assert!(par.parallel());
    let mut alerts = 0;
    for part in 0..3 {
        for (batch, (s, p)) in [
            (nginx_batch(part), (seq_nginx, par_nginx)),
            (sshd_batch(part), (seq_syslog, par_syslog)),
        ] {
            assert!(
                batch.len() >= 64 * 1024,
                "large enough for the parallel path"
            );
            let a = seq.process_batch(s, &batch, now);
            let b = par.process_batch(p, &batch, now);
            assert_eq!(
                serde_json::to_string(&b).unwrap(),
                serde_json::to_string(&a).unwrap(),
                "part {part}"
            );
            alerts += a.alerts.len();
        }
    }
    assert!(alerts > 10, "the batches trip scenarios ({alerts} alerts)");
    let (a, b) = (seq.stats(), par.stats());
    assert_eq!(
        serde_json::to_string(&b).unwrap(),
        serde_json::to_string(&a).unwrap()
    );
}

#[test]
fn small_batches_stay_on_one_thread_with_the_same_output() {
    let now = Timestamp::now();
    let (mut seq, s, _) = engine(false);
    let (mut par, p, _) = engine(true);
    let batch = &nginx_batch(0)[..4000];
    let cut = batch.iter().rposition(|&b| b == b'\n').unwrap() + 1;
    let a = seq.process_batch(s, &batch[..cut], now);
    let b = par.process_batch(p, &batch[..cut], now);
    assert_eq!(
        serde_json::to_string(&b).unwrap(),
        serde_json::to_string(&a).unwrap()
    );
}
