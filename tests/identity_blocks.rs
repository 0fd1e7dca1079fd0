//! A worker recognises `userIdentity` blocks it read in earlier inputs by their bytes and
//! reuses the identity columns it remembers for them (`ingest::seen`, `store::known`).
//! Whatever path a block takes — read afresh, recognised with remembered ids, recognised
//! but read again because the store is another or its first record was declined — every
//! event must get exactly the identity columns written in its own block. The expected
//! values are the texts in the blocks below, typed by hand.

use std::sync::RwLock;

use trailscope::ingest::{load_bytes, Limits};
use trailscope::store::{Facet, Store};

const ROLE_A: &str = r#"{"type":"AssumedRole","principalId":"AROAEXAMPLE:alice","arn":"arn:aws:sts::111122223333:assumed-role/Ops/alice","accountId":"111122223333","accessKeyId":"ASIAAAAAAAAAAAAAAAA1","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::111122223333:role/Ops","accountId":"111122223333","userName":"Ops"},"attributes":{"creationDate":"2024-05-01T10:00:00Z","mfaAuthenticated":"true"}}}"#;
/// The same session name with other credentials: same first bytes, one key differs.
const ROLE_A2: &str = r#"{"type":"AssumedRole","principalId":"AROAEXAMPLE:alice","arn":"arn:aws:sts::111122223333:assumed-role/Ops/alice","accountId":"111122223333","accessKeyId":"ASIAAAAAAAAAAAAAAAA2","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::111122223333:role/Ops","accountId":"111122223333","userName":"Ops"},"attributes":{"creationDate":"2024-05-01T11:00:00Z","mfaAuthenticated":"false"}}}"#;
const USER: &str = r#"{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/bob","accountId":"111122223333","accessKeyId":"AKIAEXAMPLEKEY000001","userName":"bob"}"#;
const SERVICE: &str = r#"{"type":"AWSService","invokedBy":"cloudtrail.amazonaws.com"}"#;

/// The identity columns expected for each block, by hand:
/// (identity ARN, access key, user name, session issuer, creation date, MFA, type,
/// principal id, account).
fn expected(block: &str) -> [Option<&'static str>; 9] {
    match block {
        ROLE_A => [
            Some("arn:aws:sts::111122223333:assumed-role/Ops/alice"),
            Some("ASIAAAAAAAAAAAAAAAA1"),
            None,
            Some("arn:aws:iam::111122223333:role/Ops"),
            Some("2024-05-01T10:00:00Z"),
            Some("true"),
            Some("AssumedRole"),
            Some("AROAEXAMPLE:alice"),
            Some("111122223333"),
        ],
        ROLE_A2 => [
            Some("arn:aws:sts::111122223333:assumed-role/Ops/alice"),
            Some("ASIAAAAAAAAAAAAAAAA2"),
            None,
            Some("arn:aws:iam::111122223333:role/Ops"),
            Some("2024-05-01T11:00:00Z"),
            Some("false"),
            Some("AssumedRole"),
            Some("AROAEXAMPLE:alice"),
            Some("111122223333"),
        ],
        USER => [
            Some("arn:aws:iam::111122223333:user/bob"),
            Some("AKIAEXAMPLEKEY000001"),
            Some("bob"),
            None,
            None,
            None,
            Some("IAMUser"),
            Some("AIDAEXAMPLE"),
            Some("111122223333"),
        ],
        SERVICE => [None, None, None, None, None, None, Some("AWSService"), None, None],
        _ => unreachable!(),
    }
}

const FACETS: [Facet; 9] = [
    Facet::IdentityArn,
    Facet::AccessKey,
    Facet::UserName,
    Facet::SessionIssuer,
    Facet::SessionCreated,
    Facet::MfaAuthenticated,
    Facet::IdentityType,
    Facet::PrincipalId,
    Facet::IdentityAccount,
];

/// A trail file of one record per `(eventID, block)`; `padding` bytes of request
/// parameters make a record too big for a small record limit.
fn trail_file(records: &[(&str, &str, usize)]) -> Vec<u8> {
    let records: Vec<String> = records
        .iter()
        .map(|(id, who, padding)| {
            format!(
                r#"{{"eventVersion":"1.08","userIdentity":{who},"eventTime":"2024-05-01T12:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","requestParameters":{{"pad":"{}"}},"eventID":"{id}"}}"#,
                "x".repeat(*padding)
            )
        })
        .collect();
    format!(r#"{{"Records":[{}]}}"#, records.join(",")).into_bytes()
}

/// Checks every event of `store` whose eventID is in `records` against its block.
fn check(store: &Store, records: &[(&str, &str, usize)], what: &str) -> usize {
    let mut checked = 0;
    for event in 0..store.len() as u32 {
        let Some(id) = store.event_id(event) else { continue };
        let Some((_, block, _)) = records.iter().find(|(i, ..)| *i == id) else { continue };
        let got: Vec<Option<&str>> = FACETS.iter().map(|&f| store.value(event, f)).collect();
        assert_eq!(got, expected(block), "{what}: event {id}");
        checked += 1;
    }
    checked
}

fn load(store: &RwLock<Store>, name: &str, records: &[(&str, &str, usize)], limits: &Limits) {
    load_bytes(store, name, trail_file(records), limits);
}

#[test]
fn every_path_of_a_block_gives_the_columns_written_in_it() {
    let first: &[(&str, &str, usize)] = &[("a1", ROLE_A, 0), ("a2", USER, 0), ("a3", SERVICE, 0)];
    // Blocks met in the first file (recognised, their ids remembered), a near copy, and
    // the same blocks in another order.
    let second: &[(&str, &str, usize)] =
        &[("b1", USER, 0), ("b2", ROLE_A2, 0), ("b3", ROLE_A, 0), ("b4", SERVICE, 0), ("b5", ROLE_A2, 0)];
    let limits = Limits::default();

    let store = RwLock::new(Store::new());
    load(&store, "first.json", first, &limits);
    load(&store, "second.json", second, &limits);
    let store = store.into_inner().unwrap();
    assert_eq!(store.len(), 8);
    assert_eq!(check(&store, first, "first file") + check(&store, second, "second file"), 8);

    // A new store on the same thread: the blocks are recognised, but the ids remembered
    // belong to the other store, so they are read again.
    let again = RwLock::new(Store::new());
    load(&again, "second.json", second, &limits);
    let again = again.into_inner().unwrap();
    assert_eq!(check(&again, second, "another store"), 5);
}

/// A block first read in a record that is then declined (over the record limit), and
/// recognised in the next: the store never saw it, so the batch reads it again. On a
/// thread of its own, so that the block is new to the worker's memory.
#[test]
fn a_block_whose_first_record_was_declined_is_read_again() {
    std::thread::spawn(|| {
        let small = Limits { max_record_bytes: 4000, ..Limits::default() };
        let declined: &[(&str, &str, usize)] = &[("c1", ROLE_A2, 10_000), ("c2", ROLE_A2, 0), ("c3", USER, 0)];
        let store = RwLock::new(Store::new());
        load(&store, "declined.json", declined, &small);
        let store = store.into_inner().unwrap();
        assert_eq!(store.len(), 2, "the big record is skipped");
        assert_eq!(check(&store, declined, "first record declined"), 2);
    })
    .join()
    .unwrap();
}

/// Records of a trail file held in a JSON string (a CloudWatch `message`, a Cribl `_raw`, an
/// array of strings) are copied out of the unescaped string: a block recognised there must
/// be read before its span is lost.
#[test]
fn blocks_in_a_trail_file_inside_a_json_string_keep_their_columns() {
    let records: &[(&str, &str, usize)] = &[("d1", ROLE_A, 0), ("d2", ROLE_A, 0), ("d3", USER, 0), ("d4", USER, 0)];
    let inner = String::from_utf8(trail_file(records)).unwrap();
    let wrapped = format!("[{}]", serde_json::to_string(&inner).unwrap());
    let store = RwLock::new(Store::new());
    load_bytes(&store, "wrapped.json", wrapped.into_bytes(), &Limits::default());
    let store = store.into_inner().unwrap();
    assert_eq!(store.len(), 4);
    assert_eq!(check(&store, records, "inside a JSON string"), 4);
}
