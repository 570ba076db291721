//! Expected values are etree v1.7's (checked against it with a Go program) and, for the Windows
//! samples, the hub's parser.assert files.
use super::*;

/// The hub's .tests/windows-logs sample, shortened: text around and inside the elements ("- ")
/// as copied from the Event Viewer.
const WINDOWS_LOGON_FAILURE: &str = concat!(
    r#"- <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">- <System>  "#,
    r#"<Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-a5ba-3e3b0328c30d}" />   "#,
    r#"<EventID>4625</EventID>   <Version>0</Version>   <Level>0</Level>   <Task>12544</Task>   "#,
    r#"<TimeCreated SystemTime="2022-04-28T16:09:28.9443547Z" />   <EventRecordID>2524</EventRecordID>   "#,
    r#"<Execution ProcessID="712" ThreadID="11528" />   <Channel>Security</Channel>   "#,
    r#"<Computer>exchange-1.mydomain.test</Computer>   <Security />   </System>- <EventData>  "#,
    r#"<Data Name="SubjectUserName">EXCHANGE-1$</Data>   <Data Name="TargetUserName">testuser@mydomain.test</Data>   "#,
    r#"<Data Name="Status">0xc000006d</Data>   <Data Name="SubStatus">0xc0000064</Data>   "#,
    r#"<Data Name="LogonType">8</Data>   <Data Name="IpAddress">192.168.9.212</Data>   </EventData>  </Event>"#,
);

/// From the hub's .tests/iis-xml-logs sample: an escaped query and a Security element with a user.
const IIS_REQUEST: &str = concat!(
    r#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"> <System>   "#,
    r#"<Provider Name="Microsoft-Windows-IIS-Logging" /> <EventID>6200</EventID> "#,
    r#"<Channel>Microsoft-IIS-Logging/Logs</Channel> <Security UserID="S-1-5-18" /> </System> <EventData> "#,
    r#"<Data Name="date">2022-10-01</Data> <Data Name="time">11:25:51</Data> "#,
    r#"<Data Name="cs-uri-query">bla=powershell&amp;CorrelationID=;&amp;cafeReqId=f1;</Data> "#,
    r#"<Data Name="CustomFields" /> </EventData> </Event>"#,
);

/// For the path syntax: nested and repeated names, a prefixed element, attributes.
const BOOKS: &str = concat!(
    r#"<r xmlns:p="urn:p"><a id="1">one<b>x</b></a><a id="2"><b>y</b><b>z</b></a>"#,
    r#"<p:a>pa</p:a><c><a id="3">deep</a></c></r>"#,
);

#[test]
fn hub_windows_paths() {
    let node = |path| node_value(WINDOWS_LOGON_FAILURE, path);
    let attr = |path, name| attribute_value(WINDOWS_LOGON_FAILURE, path, name);
    assert_eq!(
        attr("/Event/System[1]/TimeCreated", "SystemTime"),
        "2022-04-28T16:09:28.9443547Z"
    );
    assert_eq!(node("/Event/System[1]/Channel"), "Security");
    assert_eq!(node("/Event/System[1]/EventID"), "4625");
    assert_eq!(
        attr("/Event/System[1]/Provider", "Name"),
        "Microsoft-Windows-Security-Auditing"
    );
    assert_eq!(
        node("/Event/System[1]/Computer"),
        "exchange-1.mydomain.test"
    );
    assert_eq!(attr("/Event/System[1]/Security", "UserID"), "");
    assert_eq!(
        node("/Event/EventData[1]/Data[@Name='TargetUserName']"),
        "testuser@mydomain.test"
    );
    assert_eq!(
        node("/Event/EventData[1]/Data[@Name='IpAddress']"),
        "192.168.9.212"
    );
    assert_eq!(
        node("/Event/EventData[1]/Data[@Name='Status']"),
        "0xc000006d"
    );
    assert_eq!(node("//Data[@Name='LogonType']"), "8");
    assert_eq!(node("/Event/EventData[1]/Data[1]"), "EXCHANGE-1$");
    assert_eq!(node("/Event/EventData[1]/Data[3]"), "0xc000006d");
    assert_eq!(
        node("/Event/EventData[1]/Data[@Name='WorkstationName']"),
        ""
    );
    // The text before the first child, here what the Event Viewer put there.
    assert_eq!(node("/Event"), "- ");
}

#[test]
fn hub_iis_paths() {
    let node = |path| node_value(IIS_REQUEST, path);
    assert_eq!(
        node("/Event/EventData[1]/Data[@Name='cs-uri-query']"),
        "bla=powershell&CorrelationID=;&cafeReqId=f1;"
    );
    assert_eq!(
        node("/Event/EventData[1]/Data[@Name='date']")
            + " "
            + &node("/Event/EventData[1]/Data[@Name='time']"),
        "2022-10-01 11:25:51"
    );
    assert_eq!(node("/Event/EventData[1]/Data[@Name='CustomFields']"), "");
    assert_eq!(
        attribute_value(IIS_REQUEST, "/Event/System[1]/Security", "UserID"),
        "S-1-5-18"
    );
    assert_eq!(
        node("/Event/System[1]/Channel"),
        "Microsoft-IIS-Logging/Logs"
    );
}

#[test]
fn path_selectors_and_filters() {
    let cases = [
        ("/r/a", "one"),
        ("r/a[2]/b", "y"),
        ("//a[@id='3']", "deep"),
        (r#"//a[@id="2"]/b"#, "y"),
        ("//a[@id]", "one"),
        // A name without a prefix matches any prefix, so p:a is the third `a`.
        ("/r/a[-1]", "pa"),
        ("/r/a[0]", "one"),
        ("/r/p:a", "pa"),
        ("/r/*[3]", "pa"),
        // Breadth first: r's first `a` child comes before the one under c.
        ("//a", "one"),
        ("//c/a/.", "deep"),
        ("/r/c/a/../../a", "one"),
        ("/r/c//", "deep"),
        ("/r/a[text()]", "one"),
        ("//b[text()='z']", "z"),
        ("/r/*[local-name()='a'][3]", "pa"),
        ("//*[name()='p:a']", "pa"),
        ("//*[namespace-prefix()='p']", "pa"),
        ("//*[namespace-uri()='urn:p']", "pa"),
    ];
    for (path, expected) in cases {
        assert_eq!(node_value(BOOKS, path), expected, "{path}");
    }
    let id = |path| attribute_value(BOOKS, path, "id");
    assert_eq!(id("/r/a[b='z']"), "2");
    assert_eq!(id("//b[text()='z']/.."), "2");
    assert_eq!(id("/r/a[b]"), "1");
    // [b] keeps an element once per matching child: a#1 once, a#2 twice.
    assert_eq!(id("/r/a[b][3]"), "2");
    assert_eq!(id("/r/a[text()='one']"), "1");
    assert_eq!(id("//a[2]"), "2");
    assert_eq!(attribute_value(BOOKS, "/r", "xmlns:p"), "urn:p");
}

#[test]
fn nothing_found_is_empty() {
    for path in ["/r/q:a", "/r/a[9]", "a", "/r/a[@id='4']", "//nope"] {
        assert_eq!(node_value(BOOKS, path), "", "{path}");
    }
    assert_eq!(attribute_value(BOOKS, "/r/a", "nope"), "");
    assert_eq!(attribute_value(BOOKS, "/r/c", "id"), "");
}

#[test]
fn invalid_path_is_empty() {
    for path in [
        "/r/a[@",
        "/r/a[]",
        "/r/a[@id='1]",
        "/r/a[foo()]",
        "/r/a[='x']",
        "/r/a[@='1']",
    ] {
        assert!(Path::compile(path).is_none(), "{path}");
        assert_eq!(node_value(BOOKS, path), "", "{path}");
    }
    assert!(Path::compile("/r/a[@id='1']").is_some());
}

#[test]
fn malformed_xml_is_empty() {
    for xml in [
        "<root><",
        "<a>",
        "<a><b></a>",
        "</a>",
        "<a>&nbsp;</a>",
        "<a>&#1;</a>",
        "<a x=1/>",
        "<a x=\"<\"/>",
        "<a>]]></a>",
        "<a><!-- -- --></a>",
        "<a:b:c/>",
    ] {
        assert!(Tree::parse(xml).is_none(), "{xml}");
        assert_eq!(node_value(xml, "/a"), "", "{xml}");
        assert_eq!(attribute_value(xml, "/a", "x"), "", "{xml}");
    }
    // Go's decoder wants no single root: text and several elements at the top are fine.
    assert_eq!(node_value("text <a>x</a><a>y</a> text", "/a"), "x");
    assert_eq!(node_value("", "/a"), "");
}

#[test]
fn text_as_etree_reads_it() {
    assert_eq!(node_value("<a>x<!--c-->y<b/>z</a>", "/a"), "xy");
    assert_eq!(node_value("<a>x<?pi?>y</a>", "/a"), "x");
    assert_eq!(
        node_value("<a><![CDATA[<x>]]>&amp;&#65;&#x42;</a>", "/a"),
        "<x>&AB"
    );
    assert_eq!(node_value("<a>l1\r\nl2\rl3</a>", "/a"), "l1\nl2\nl3");
    // A repeated attribute keeps its last value; references and \r\n are decoded.
    assert_eq!(
        attribute_value(r#"<a v="1&amp;2" v="3&#10;4&#x9;"/>"#, "/a", "v"),
        "3\n4\t"
    );
    assert_eq!(attribute_value("<a v=\"x\r\ny\"/>", "/a", "v"), "x\ny");
}

#[test]
fn nesting_limit_is_etrees() {
    let nested = |depth| "<a>".repeat(depth) + &"</a>".repeat(depth);
    assert!(Tree::parse(&nested(1024)).is_some());
    assert!(Tree::parse(&nested(1025)).is_none());
}

#[test]
fn last_document_is_reused_until_the_text_changes() {
    assert_eq!(node_value("<a>1</a>", "/a"), "1");
    assert_eq!(node_value("<a>1</a>", "/a"), "1");
    assert_eq!(node_value("<a>2</a>", "/a"), "2");
    assert_eq!(node_value("<a>", "/a"), "");
    assert_eq!(node_value("<a>1</a>", "/a"), "1");
}
