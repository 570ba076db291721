//! The promise itself: on events that lack every needle, each filter evaluates to `Ok(false)`.
use super::{program, Ctx};

/// Events for the soundness check: matching and not, mixed case, runes Go's case mapping turns
/// into ASCII, escapes, empty and absent values, and a raw line that is not a string.
fn events() -> Vec<Ctx> {
    let paths = [
        "/remote/FGT_lang?lang=/../../..//",
        "/Ghost/API/admin/session",
        "/aaa",
        "/x/.%2e/.%2E/etc",
        "/ſıx/%2e%2e/%2E%2E",
        "/ſix",
        "/\u{212A}el",
        "/ıNDEX.php",
        "/INDEX.PHP",
        "/index%2Ephp",
        "/ui/vcav-bootstrap/rest/vcav-providers/provider-logo?url=file",
        "/public/plugins/x/../../",
        "/.env",
        "/a/.git/config",
        ".Git/Config.old",
        "",
        "/é",
        "SELECT  1",
        "/%65tc/passwd",
        "/ETC/PASSWD",
        "/etc%2",
        "/c%61talog-portal/x",
        "/catalog-portal+x",
        "/a b",
        "/a+b",
        "/a%20b",
        "/..%2f..%2fwin.ini",
    ];
    let mut out = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let mut evt = Ctx::default();
        evt.meta.insert(
            "log_type".into(),
            ["http_access-log", "http_error-log", "x"][i % 3].into(),
        );
        evt.meta.insert("http_path".into(), path.to_string());
        evt.meta
            .insert("http_status".into(), ["401", "404"][i % 2].into());
        evt.parsed
            .insert("verb".into(), ["post", "POST", "pOſt", "GET"][i % 4].into());
        evt.parsed.insert("request".into(), path.to_string());
        evt.parsed.insert(
            "file_name".into(),
            [
                "w00tw00t.at.ISC.SANS.DFind",
                "W00TW00T.AT.ISC.SANS.DFIND",
                "x",
            ][i % 3]
                .into(),
        );
        evt.parsed.insert(
            "http_user_agent".into(),
            [
                "Report Runner",
                "report runner",
                "report ſunner",
                "-",
                "sqlmap/1.5",
                "Nikto",
                "nessus",
            ][i % 7]
                .into(),
        );
        evt.raw = (i % 5 != 0).then(|| format!("GET {path}{}", [" w00t", " W00T"][i % 2]));
        out.push(evt);
    }
    out.push(Ctx::default());
    out
}

const SOUNDNESS_FILTERS: &[&str] = &[
    "evt.Meta.log_type in ['http_access-log', 'http_error-log'] and Upper(evt.Meta.http_path) contains Upper('/remote/fgt_lang?lang=/../../..')",
    "Upper(evt.Meta.http_path) contains Upper('/ghost/api/admin/session') && Upper(evt.Parsed.verb) == 'POST' && evt.Meta.http_status == '404'",
    "( Upper(evt.Meta.http_path) contains Upper('/aaa') || Upper(evt.Meta.http_path) contains Upper('/bbb') ) and evt.Meta.http_status startsWith ('40')",
    "evt.Meta.log_type == 'http_access-log' && evt.Parsed.file_name contains 'w00tw00t.at.ISC.SANS.DFind'",
    "Upper(evt.Meta.http_path) contains '/.%2E/.%2E/' or Upper(evt.Meta.http_path) contains '/%2E%2E/%2E%2E'",
    "Upper(evt.Meta.http_path) contains 'SIX' or Lower(evt.Meta.http_path) contains 'kel'",
    "Lower(evt.Meta.http_path) contains '/index.php' && Upper(evt.Parsed.verb) == 'POST'",
    "Lower(evt.Parsed.http_user_agent) == 'report runner'",
    "Upper(evt.Parsed.verb) == 'POST' and Lower(evt.Parsed.verb) == 'post'",
    "evt.Meta.http_path matches '/ui/vcav-bootstrap/rest/vcav-providers/provider-logo\\\\?url=(file|http)'",
    "Upper(evt.Meta.http_path) matches '/PUBLIC/PLUGINS/[^/]+/../[./]+/' or Upper(evt.Meta.http_path) matches '(SELECT|UNION) +'",
    "any(File('files'), {evt.Parsed.request endsWith #})",
    "any(File('files'), {Upper(evt.Parsed.request) startsWith Upper(#)})",
    "evt.Line.Raw contains 'w00t'",
    "evt.Meta.log_type == 'x' && evt.Line.Raw endsWith 'w00t'",
    "Upper(PathUnescape(evt.Meta.http_path)) contains Upper('/etc/passwd')",
    "PathUnescape(Upper(evt.Meta.http_path)) contains '/ETC/PASSWD'",
    "QueryUnescape(evt.Meta.http_path) startsWith '/catalog-portal '",
    "Upper(QueryUnescape(evt.Meta.http_path)) startsWith Upper('/catalog-portal/')",
    "PathUnescape(evt.Meta.http_path) == '/a b' or QueryUnescape(evt.Meta.http_path) == '/a b'",
    "any(File('paths'), {evt.Meta.http_path contains #})",
    "any(File('paths'), {Upper(evt.Meta.http_path) contains Upper(#)})",
    "any(File('paths'), {Upper(PathUnescape(evt.Meta.http_path)) contains Upper(#)})",
    "any(File('agents'), {Lower(evt.Parsed.http_user_agent) matches #})",
    "RegexpInFile(evt.Parsed.http_user_agent, 'agents.regex')",
];

#[test]
fn a_filter_whose_needles_are_all_missing_evaluates_to_false() {
    for filter in SOUNDNESS_FILTERS {
        let p = program(filter);
        let req = p
            .required_literals()
            .unwrap_or_else(|| panic!("no requirement for {filter}"));
        let (mut skipped, mut passed) = (0, 0);
        for evt in events() {
            let result = p.eval_bool(&evt);
            if !req.may_match(&evt) {
                assert_eq!(
                    result,
                    Ok(false),
                    "{filter} on {:?} {:?} {:?}",
                    evt.meta,
                    evt.parsed,
                    evt.raw
                );
                skipped += 1;
            }
            passed += usize::from(result == Ok(true));
        }
        // Each filter is both ruled out and passed by some event, so the check means something.
        assert!(
            skipped > 0 && passed > 0,
            "{filter}: {skipped} skipped, {passed} passed"
        );
    }
}
