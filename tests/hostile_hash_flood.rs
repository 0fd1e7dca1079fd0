//! Hash flooding: values an attacker picks (user agents, role session names) that all
//! have one hash under a public hash function must not make the load quadratic. Each value
//! used to probe past every earlier one with the same hash: 65,536 such user agents (this
//! construction with two more chunks) took 123 s to load in a release build
//! (src/store/interner.rs, `hash_str`).

mod hostile;

use std::hash::BuildHasher;
use std::time::{Duration, Instant};

use hostile::*;
use rustc_hash::FxBuildHasher;
use serde_json::json;
use trailscope::ingest::Limits;
use trailscope::store::interner::hash_str;
use trailscope::store::Facet;

/// Sixteen 16-byte chunks, each but the first two with an alternative that leaves FxHash's
/// state unchanged. rustc-hash 2 mixes a chunk (words x, y) as `mix(s ^ x, K ^ y)`, where
/// `s` is its state from two chunks before, `K` a published constant and `mix` symmetric;
/// so the chunk (y ^ s ^ K, x ^ s ^ K) mixes the same. When every byte of `s ^ K` is below
/// 0x20, that alternative of a chunk of the letters 0x40-0x5f is letters too: each chunk
/// was found by brute force (~2^24 tries, two seconds in all) so that the state it leaves
/// allows this for the chunk two on. Any choice of alternatives, followed by [`TAIL`],
/// gives strings of one length with one FxHash: 2^14 of them.
const CHUNKS: [(&str, &str); 16] = [
    ("L^OI_SQLYMP@FAAA", "L^OI_SQLYMP@FAAA"),
    ("Y_XNL[LHM\\QIDAAA", "Y_XNL[LHM\\QIDAAA"),
    ("ZIAU\\FYDLTBQBAAA", "HGM@_HHP^ZNDAOPU"),
    ("\\JRADFT]DF@SEAAA", "NJCXWUQOVFQJVRDS"),
    ("D@CACKJA^RKGCAAA", "MUVX\\D\\FWG^^\\NWF"),
    ("SCIRONZA^GZRFAAA", "ZJNAKRGZWN]AB]\\Z"),
    ("XBKR\\PVSRVQ]HAAA", "B[AQNKBUHO[^ZZUG"),
    ("G@^QEQFUXJ_PDAAA", "C^]IZAUF\\T\\H[QRR"),
    ("XTQSNMUEN\\JDCAAA", "LK_Y@]ZSZCDNMQNW"),
    ("KXCL\\T\\S[QTRHAAA", "LH[LASXY\\ALRUFEK"),
    ("]NU_PWK]QMWUBAAA", "XWNB@BQNTTLHRT[R"),
    ("Y]XNTZ]R_D^LCAAA", "DCNHGRI[BZHJPIUH"),
    ("SISR\\E^CUA\\ADAAA", "]]ITHTJW[UFGPPUU"),
    ("CD\\V^GAQNQ^RHAAA", "F\\EMWO\\GKIGIAI\\W"),
    ("AAAAAAAAAAAAAAAA", "_Y\\PGRAU_Y\\PGRAU"),
    ("AAAAAAAAAAAAAAAA", "WV^SG_HMWV^SG_HM"),
];
const TAIL: &str = "-the-last-chunk-!";

fn colliding_agents() -> Vec<String> {
    (0u32..1 << 14)
        .map(|bits| {
            let mut s = String::new();
            for (i, (plain, alternative)) in CHUNKS.iter().enumerate() {
                s.push_str(if i >= 2 && bits >> (i - 2) & 1 == 1 { alternative } else { plain });
            }
            s + TAIL
        })
        .collect()
}

#[test]
fn user_agents_that_share_a_public_hash_load_in_linear_time() {
    let agents = colliding_agents();
    let fx = FxBuildHasher.hash_one(&agents[0]);
    assert!(agents.iter().all(|a| FxBuildHasher.hash_one(a) == fx), "the fixture must collide under FxHash");
    let distinct: std::collections::HashSet<u64> = agents.iter().map(|a| hash_str(a)).collect();
    assert_eq!(distinct.len(), agents.len(), "the interners' hash must tell the agents apart");
    let records: Vec<_> = agents
        .iter()
        .enumerate()
        .map(|(i, agent)| {
            let mut r = record(&format!("{i:08x}-0000-4000-8000-000000000000"));
            r["userAgent"] = json!(agent);
            r
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flood.json");
    std::fs::write(&path, records_file(&records)).unwrap();

    let start = Instant::now();
    let store = load_with(&[&path], Limits::default());
    let took = start.elapsed();
    assert_eq!(store.len(), agents.len(), "{:?}", store.report.problems);
    let view = store.facet(Facet::UserAgent);
    assert_eq!(view.len(), agents.len(), "every user agent is its own value");
    assert!(agents.iter().all(|a| view.id_of(a).is_some()));
    // A hang guard, not a benchmark (the hash check above is the test in a release build):
    // keyed, this load takes about a second in a debug build; with FxHash, 35-55 s.
    assert!(took < Duration::from_secs(20), "loading {} colliding values took {took:?}", agents.len());
}
