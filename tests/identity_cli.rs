//! `trailscope identities` and `trailscope trace` on the hand-written incident fixture
//! (tests/fixtures/identity; story in tests/fixtures/make_identity.py): the JSON contracts
//! of docs/identities-json.md and docs/trace-json.md, the text output and the exit codes.
//! Expected values are worked out by hand from the story (tests/identity.rs checks the same
//! analysis in-process).

mod common;

use serde_json::Value;

const A: &str = "111122223333";
const SHARED: &str = "5e0c0c1a-7d1e-4a52-9b61-0f4d5c6e7a01";
const ALICE: &str = "arn:aws:iam::111122223333:user/dev-alice";

#[test]
fn identities_cli_json_and_text() {
    let run = common::trailscope(["identities", "--json", common::fixture("identity").to_str().unwrap()]);
    run.assert_code(0);
    let v = run.json();
    assert_eq!(
        (v["events"].as_u64(), v["principals"].as_u64(), v["sort"].as_str()),
        (Some(33), Some(14), Some("count"))
    );
    let summaries = v["summaries"].as_array().unwrap();
    let alice = summaries.iter().find(|s| s["principal"] == ALICE).unwrap();
    assert_eq!(alice["first_seen"], "2024-03-01T09:00:00Z");
    assert_eq!(alice["access_denied"], 7);
    assert_eq!(alice["kind"], "iam-user");
    let carol = summaries.iter().find(|s| s["label"] == "carol").unwrap();
    assert_eq!(carol["console_logins"][0]["event"], "e20-carol-consolelogin");
    assert_eq!(carol["console_logins"][0]["mfa_used"], false);
    assert_eq!(carol["sessions"][0]["first_event"], "e21-carol-describeinstances");
    let first_group = &v["groups"][0];
    assert_eq!(first_group["account"], A);
    assert_eq!(first_group["kinds"][2]["kind"], "role-session");
    assert_eq!(first_group["kinds"][2]["entries"][0]["entry"], "role");
    assert_eq!(first_group["kinds"][2]["entries"][0]["role"], "arn:aws:iam::111122223333:role/deploy-role");

    let run = common::trailscope([
        "identities",
        "--sort",
        "errors",
        "-f",
        "account:444455556666",
        common::fixture("identity").to_str().unwrap(),
    ]);
    run.assert_code(0);
    // account:B selects the 5 events recorded in B (the copy by "account A" and pivot's 4).
    assert!(run.stdout.starts_with("2 principals in 5 events (sorted by errors)"), "{run}");
    assert!(run.stdout.contains("role data-reader"), "{run}");
    assert!(run.stdout.contains("session ASIAPIVOTSESSION0001 pivot  4 events"), "{run}");
}

#[test]
fn trace_cli_json_and_text() {
    let dir = common::fixture("identity");
    let run = common::trailscope(["trace", "ASIAPIVOTSESSION0001", dir.to_str().unwrap(), "--json"]);
    run.assert_code(0);
    let v = run.json();
    assert_eq!(v["target"], serde_json::json!({"kind": "access-key", "value": "ASIAPIVOTSESSION0001"}));
    let steps = v["chains"][0]["steps"].as_array().unwrap();
    let keys: Vec<_> = steps.iter().map(|s| s["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["ASIAPIVOTSESSION0001", "ASIADEPLOYSESSION001", "AKIASVCBACKUPNEW0001", "AKIAALICELEAKED00001"]);
    assert_eq!(steps[0]["minted_by"]["mint"]["event"], "e15b-assumerole-crossaccount-copy");
    assert_eq!(steps[0]["minted_by"]["caller_event"], "e15a-deploy-assumerole-crossaccount");
    assert_eq!(steps[0]["minted_by"]["linked_by"], SHARED);
    assert_eq!(steps[0]["usage"]["first_seen"], "2024-03-01T10:08:00Z");
    assert_eq!(steps[0]["usage"]["events"][3], "e19-pivot-stoplogging");
    assert_eq!(steps[3]["minted_by"], Value::Null);
    assert_eq!(
        v["chains"][0]["end"],
        serde_json::json!({"reason": "mint-not-loaded", "key": "AKIAALICELEAKED00001", "console_session": false})
    );

    let run = common::trailscope(["trace", "e09-alice-createaccesskey", dir.to_str().unwrap()]);
    run.assert_code(0);
    assert!(run.stdout.contains("The event that minted AKIAALICELEAKED00001 is not in the loaded data."), "{run}");
    assert!(run.stdout.contains("What was done with AKIASVCBACKUPNEW0001:"), "{run}");

    let run = common::trailscope(["trace", "AKIANOTINTHEDATA0000", dir.to_str().unwrap()]);
    run.assert_code(1);
    assert!(run.stderr.contains("not an access key, eventID or ARN"), "{run}");
}

/// Hostile strings from the log never reach the terminal raw, in either command.
#[test]
fn hostile_strings_are_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hostile.json");
    let ua = "evil\u{1b}]0;pwned\u{7}\u{202e}agent\u{9b}31m";
    let event = serde_json::json!({"Records": [{
        "eventTime": "2024-03-01T10:00:00Z", "eventSource": "sts.amazonaws.com", "eventName": "GetCallerIdentity",
        "eventID": "h1", "userAgent": ua, "sourceIPAddress": "203.0.113.9",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/x\u{1b}[2J", "accessKeyId": "AKIAHOSTILE\u{0}0001"}}]});
    std::fs::write(&path, event.to_string()).unwrap();
    for args in [vec!["identities"], vec!["identities", "--json"], vec!["trace", "h1"], vec!["trace", "h1", "--json"]] {
        let mut all = args.clone();
        all.push(path.to_str().unwrap());
        let run = common::trailscope(&all);
        run.assert_code(0);
        let raw = run.stdout.chars().any(|c| c != '\n' && trailscope::sanitize::is_unsafe_char(c));
        assert!(!raw, "{args:?} printed raw controls:\n{run}");
        assert!(run.stdout.contains("AKIAHOSTILE"), "{args:?}:\n{run}");
    }
}
