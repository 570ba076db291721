use serde_json::json;

use super::*;

const PROFILES: &str = r#"name: repeat_offenders
filters:
  - Alert.Remediation == true && Alert.GetScope() == "Ip" && GetDecisionsSinceCount(Alert.GetValue(), "24h") >= 2
decisions:
  - type: ban
    duration: 4h
duration_expr: Sprintf('%dh', (GetDecisionsCount(Alert.GetValue()) + 1) * 4)
on_success: break
---
name: default_ip_remediation
filters:
 - Alert.Remediation == true && Alert.GetScope() == "Ip"
decisions:
 - type: ban
   duration: 4h
on_success: break
---
name: captcha_for_ranges
filters:
 - Alert.GetScope() == "Range" && Alert.GetScenario() contains "http"
decisions:
 - type: captcha
   duration: 30m
   scope: Range
"#;

fn alert(scope: &str, value: &str, remediation: bool) -> Value {
    json!({
        "scenario": "crowdwatch/http-probing", "remediation": remediation, "simulated": false,
        "events_count": 11, "source": {"scope": scope, "value": value},
        "meta": [{"key": "service", "value": "http"}]
    })
}

fn history(value: &str, ages_h: &[i64]) -> DecisionHistory {
    let now = 1_800_000_000_000;
    DecisionHistory {
        value: value.into(),
        created_at_ms: ages_h.iter().map(|h| now - h * 3_600_000).collect(),
        now_ms: now,
    }
}

#[test]
fn first_matching_profile_decides_and_breaks() {
    let (p, warnings) = Profiles::parse("profiles.yaml", PROFILES).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let out = p.evaluate(&alert("Ip", "192.0.2.1", true), &history("192.0.2.1", &[]));
    assert_eq!(out.matched, ["default_ip_remediation"]);
    assert_eq!(out.decisions.len(), 1);
    let d = &out.decisions[0];
    assert_eq!(
        (
            d.kind.as_str(),
            d.scope.as_str(),
            d.value.as_str(),
            d.origin.as_str()
        ),
        ("ban", "Ip", "192.0.2.1", "crowdsec")
    );
    assert_eq!(d.duration_ns, 4 * 3_600_000_000_000);
}

#[test]
fn repeat_offender_ban_escalates_with_history() {
    let (p, _) = Profiles::parse("profiles.yaml", PROFILES).unwrap();
    // Two decisions in the last day and one older: 3 in all, so (3 + 1) * 4 = 16h.
    let out = p.evaluate(
        &alert("Ip", "192.0.2.1", true),
        &history("192.0.2.1", &[1, 5, 48]),
    );
    assert_eq!(out.matched, ["repeat_offenders"]);
    assert_eq!(out.decisions[0].duration_ns, 16 * 3_600_000_000_000);
    // Only one recent decision: the default profile applies.
    let out = p.evaluate(
        &alert("Ip", "192.0.2.1", true),
        &history("192.0.2.1", &[1, 48]),
    );
    assert_eq!(out.matched, ["default_ip_remediation"]);
}

#[test]
fn no_remediation_no_decision_and_scope_override() {
    let (p, _) = Profiles::parse("profiles.yaml", PROFILES).unwrap();
    assert!(p
        .evaluate(
            &alert("Ip", "192.0.2.1", false),
            &DecisionHistory::default()
        )
        .decisions
        .is_empty());
    let out = p.evaluate(
        &alert("Range", "198.51.100.0/24", false),
        &DecisionHistory::default(),
    );
    assert_eq!(out.matched, ["captcha_for_ranges"]);
    assert_eq!(out.decisions[0].kind, "captcha");
    assert_eq!(out.decisions[0].value, "198.51.100.0/24");
}

#[test]
fn simulated_alert_gives_simulated_decisions() {
    let (p, _) = Profiles::parse("profiles.yaml", PROFILES).unwrap();
    let mut a = alert("Ip", "192.0.2.9", true);
    a["simulated"] = json!(true);
    assert!(p.evaluate(&a, &DecisionHistory::default()).decisions[0].simulated);
}

#[test]
fn errors_carry_file_and_line() {
    let bad = "name: a\nfilters:\n  - Alert.Remediation == true\ndecisions:\n  - type: ban\n    duration: 4h\n---\nname: b\nfilters:\n  - Alert.Nope == 1\ndecisions:\n  - type: ban\n    duration: forever\n";
    let diags = Profiles::parse("p.yaml", bad).err().expect("must fail");
    let text: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
    assert!(
        text.iter()
            .any(|t| t.starts_with("p.yaml:10: error:") && t.contains("Nope")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|t| t.starts_with("p.yaml:13: error:") && t.contains("forever")),
        "{text:?}"
    );
    let unknown = "name: a\nfilters: [ 'true' ]\nbogus: 1\n";
    let diags = Profiles::parse("p.yaml", unknown)
        .err()
        .expect("unknown key must fail");
    assert_eq!(diags[0].line, 3, "{diags:?}");
}

#[test]
fn local_overlay_profiles_run_first_and_keep_their_own_file_and_line() {
    let dir = std::env::temp_dir().join(format!("crowdwatch-profiles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = dir.join("profiles.yaml");
    std::fs::write(&base, PROFILES).unwrap();
    let (p, _) = Profiles::load(&base).unwrap();
    assert_eq!(p.len(), 3, "no .local: the shipped file alone");

    let local = dir.join("profiles.yaml.local");
    std::fs::write(&local, "name: short_bans_here\nfilters:\n  - Alert.GetScope() == \"Ip\"\ndecisions:\n  - type: ban\n    duration: 15m\non_success: break\n").unwrap();
    let (p, _) = Profiles::load(&base).unwrap();
    assert_eq!(p.len(), 4);
    let out = p.evaluate(&alert("Ip", "192.0.2.1", true), &history("192.0.2.1", &[]));
    assert_eq!(
        out.matched,
        ["short_bans_here"],
        "the local profile runs first and breaks"
    );
    assert_eq!(out.decisions[0].duration_ns, 15 * 60_000_000_000);

    std::fs::write(&local, "name: broken\nfilters:\n  - Alert.Nope == 1\n").unwrap();
    let diags = Profiles::load(&base)
        .err()
        .expect("a broken .local refuses the set");
    assert!(
        diags
            .iter()
            .any(|d| d.to_string().contains("profiles.yaml.local:3: error:")),
        "{diags:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
