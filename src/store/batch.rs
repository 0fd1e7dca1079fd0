//! Preparing one input's records for the store *without* holding its lock: times parsed,
//! content hashed, principals normalised, and every facet value interned into a small
//! per-file table. Values repeat heavily inside a file (same account, region, caller), so
//! the locked phase in [`super::Store::append`] only maps each file's few distinct values
//! to global ids — the workers spend their time in parallel, not queued on the lock.

use std::borrow::Cow;
use std::cell::RefCell;

use hashbrown::HashTable;
use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::xxh3_64;

use super::facet::Facet;
use super::flags;
use super::interner::{hash_str, same_bytes, NONE};
use super::known::{self, Generation};
use super::raw::{self, Locator, PreparedRaw};
use crate::analysis::at_ingest;
use crate::ingest::discover::{FoundRecord, RawBytes};
use crate::ingest::fastscan::{read_identity, IdentityBlock};
use crate::model::event::IdentityFields;
use crate::model::identity::principal_of;
use crate::model::time::{parse_event_time, UNTIMED};

/// Number of single-valued facets (columns).
pub const COLUMNS: usize = Facet::SINGLE.len();

/// The column number [`LocalValues`] uses for resource ARNs and types.
pub(super) const RESOURCE_COLUMN: u8 = COLUMNS as u8;

/// One distinct value of one input: its column ([`RESOURCE_COLUMN`] for resources), text
/// and [`hash_str`] hash, which the store's interner reuses under its lock.
pub struct LocalValue<'a> {
    pub(super) column: u8,
    pub(super) text: Cow<'a, str>,
    pub(super) hash: u64,
}

thread_local! {
    /// Each worker's lookup table for [`LocalValues`], kept between inputs: one table per
    /// column per input, grown from empty each time, was a good part of the load's
    /// allocations.
    static LOCAL_TABLE: RefCell<HashTable<u32>> = const { RefCell::new(HashTable::new()) };
}

/// The distinct values of every column within one input, in first-seen order; a value's
/// local id is its index in `list`.
pub struct LocalValues<'a> {
    /// Local ids by hash of (column, value); borrowed from [`LOCAL_TABLE`] while preparing.
    table: HashTable<u32>,
    pub(super) list: Vec<LocalValue<'a>>,
    /// Per column, the local id of the value interned last ([`NONE`] at first): records
    /// of one file often repeat their neighbour's region, account, type or caller, and a
    /// comparison is much cheaper than hashing and probing.
    last: [u32; COLUMNS + 1],
}

impl Default for LocalValues<'_> {
    fn default() -> Self {
        Self { table: HashTable::new(), list: Vec::new(), last: [NONE; COLUMNS + 1] }
    }
}

/// The lookup key of a value in a column: its hash mixed with the column.
pub(super) fn keyed(hash: u64, column: u8) -> u64 {
    hash ^ u64::from(column).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

impl<'a> LocalValues<'a> {
    /// The local id of a value that borrows from the input (no copy when borrowed).
    /// Inlined, with [`LocalValues::lookup`]: see there.
    #[inline(always)]
    fn intern_cow(&mut self, column: u8, value: Cow<'a, str>) -> u32 {
        match self.lookup(column, &value) {
            Ok(id) => id,
            Err(hash) => self.insert(column, value, hash),
        }
    }

    /// The local id of a derived value (copied only the first time it is seen).
    fn intern_str(&mut self, column: u8, value: &str) -> u32 {
        match self.lookup(column, value) {
            Ok(id) => id,
            Err(hash) => self.insert(column, Cow::Owned(value.to_owned()), hash),
        }
    }

    /// The local id of `value` in `column`, or its hash when it is new. Inlined: ~20
    /// calls per event, most of them settled by the comparison with the column's last
    /// value (the compiler's choice flips with unrelated changes, and the call costs more).
    #[inline(always)]
    fn lookup(&mut self, column: u8, value: &str) -> Result<u32, u64> {
        let last = self.last[column as usize];
        if last != NONE && same_bytes(self.list[last as usize].text.as_bytes(), value.as_bytes()) {
            return Ok(last);
        }
        let hash = hash_str(value);
        let id = self.find(column, value, hash).ok_or(hash)?;
        self.last[column as usize] = id;
        Ok(id)
    }

    fn find(&self, column: u8, value: &str, hash: u64) -> Option<u32> {
        let list = &self.list;
        self.table
            .find(keyed(hash, column), |&id| {
                list[id as usize].column == column && same_bytes(list[id as usize].text.as_bytes(), value.as_bytes())
            })
            .copied()
    }

    fn insert(&mut self, column: u8, text: Cow<'a, str>, hash: u64) -> u32 {
        let id = self.list.len() as u32;
        let list = &self.list;
        self.table.insert_unique(keyed(hash, column), id, |&id| {
            let v = &list[id as usize];
            keyed(v.hash, v.column)
        });
        self.list.push(LocalValue { column, text, hash });
        self.last[column as usize] = id;
        id
    }
}

/// Marks an id in [`PreparedEvent::values`] as a global id the worker remembered (see
/// [`known::recall_identity`]) rather than a local one: local ids index a file's values
/// and stay far below it, and global ids at or above it are never remembered.
pub(super) const GLOBAL: u32 = 1 << 31;

/// One record, ready to be appended.
pub struct PreparedEvent<'a> {
    pub(super) bytes: Cow<'a, [u8]>,
    pub(super) content_hash: u64,
    pub(super) event_id: Option<Cow<'a, str>>,
    /// [`super::dedup::id_hash`] of `event_id`, computed here rather than under the lock.
    pub(super) id_hash: u64,
    pub(super) request_id: Option<Cow<'a, str>>,
    pub(super) time: i64,
    pub(super) flags: u8,
    /// Local value ids per column ([`NONE`] when absent, [`GLOBAL`] marks a global id);
    /// `File` is filled by the store.
    pub(super) values: [u32; COLUMNS],
    /// Local ids of resources, `resources[start..end]` of the batch.
    pub(super) resources: (u32, u32),
    pub(super) locator: Locator,
}

/// One input's records, prepared.
pub struct PreparedBatch<'a> {
    pub(super) path: &'a str,
    pub(super) blobs: Vec<raw::Blob>,
    pub(super) events: Vec<PreparedEvent<'a>>,
    pub(super) values: LocalValues<'a>,
    pub(super) resources: Vec<u32>,
    identities: IdentityBlocks,
    /// The numbers of the identity blocks whose columns this batch worked out (rather than
    /// recalled), for the worker to remember once the store has given them global ids.
    worked_out: Vec<u64>,
    /// The store the batch is prepared for (see [`known`]).
    generation: Generation,
    /// The global id of each of `values` that this worker remembers ([`NONE`] where it
    /// does not, or empty): see [`super::known`]. Complete after the store appended it.
    pub(super) known: Vec<u32>,
    /// Whether the append found global ids the worker did not remember.
    pub(super) learned: bool,
}

/// Whether `s` may start or end with whitespace (as `str::trim` sees it). Values from
/// logs almost never do; checking the two end bytes first spares the Unicode-aware trim
/// (a few percent of the load). Every byte that can begin or end a Unicode whitespace
/// character is either ASCII up to the space, or not ASCII.
fn may_need_trim(s: &str) -> bool {
    let plain = |b: u8| b > b' ' && b.is_ascii();
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&first), Some(&last)) => !(plain(first) && plain(last)),
        _ => false,
    }
}

/// Trims a value, keeping it borrowed when it was; empty values are absent. Inlined: it
/// runs for every value of every event, and the call moved the value in and out.
#[inline(always)]
fn clean(value: Option<Cow<'_, str>>) -> Option<Cow<'_, str>> {
    let value = value?;
    if !may_need_trim(&value) {
        return (!value.is_empty()).then_some(value);
    }
    match value {
        Cow::Borrowed(s) => Some(s.trim()).filter(|s| !s.is_empty()).map(Cow::Borrowed),
        Cow::Owned(s) if s.trim().len() == s.len() => (!s.is_empty()).then_some(Cow::Owned(s)),
        Cow::Owned(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()).map(Cow::Owned),
    }
}

impl<'a> PreparedBatch<'a> {
    /// Prepares `records` found in `data` (the decompressed input named `path`) for the
    /// store of `generation`.
    pub fn new(
        path: &'a str,
        data: &'a [u8],
        mut records: Vec<FoundRecord<'a>>,
        raw: PreparedRaw,
        generation: Generation,
    ) -> Self {
        let mut batch = PreparedBatch {
            path,
            blobs: raw.blobs,
            events: Vec::with_capacity(records.len()),
            values: LocalValues {
                table: LOCAL_TABLE.take(),
                list: Vec::with_capacity(records.len() * 4),
                ..LocalValues::default()
            },
            resources: Vec::with_capacity(records.len() * 2),
            identities: IdentityBlocks::default(),
            worked_out: Vec::new(),
            generation,
            known: Vec::new(),
            learned: false,
        };
        batch.values.table.clear();
        for (record, locator) in records.iter_mut().zip(raw.locators) {
            batch.add(record, data, locator);
        }
        let mut table = std::mem::take(&mut batch.values.table);
        table.clear();
        LOCAL_TABLE.set(table);
        batch
    }

    /// Looks up the global ids this worker remembers for the batch's values, so the
    /// store maps only the others under its lock.
    pub fn recall_known(&mut self) {
        self.known = known::recall(self.generation, &self.values.list);
    }

    /// After the store appended the batch (and outside its lock): remembers the global
    /// ids it learned, and the identity columns of the blocks it worked out, for the
    /// worker's next inputs.
    pub fn remember_known(&self) {
        if self.learned {
            known::remember(self.generation, &self.values.list, &self.known);
        }
        let global = |local: u32| match local {
            NONE => Some(NONE),
            local => self.known.get(local as usize).copied().filter(|&id| id != NONE && id < GLOBAL),
        };
        let blocks = self.worked_out.iter().filter_map(|&number| {
            let ids = self.identities.find(number)?;
            let mut globals: IdentityIds = [NONE; IDENTITY_FACETS.len()];
            for (g, local) in globals.iter_mut().zip(ids) {
                *g = global(local)?;
            }
            Some((number, globals))
        });
        known::remember_identities(self.generation, blocks);
    }

    /// Prepares one record, taking its values. By reference: a record with its fields is
    /// ~500 bytes, and moving each one in was a copy per event.
    fn add(&mut self, record: &mut FoundRecord<'a>, data: &'a [u8], locator: Locator) {
        let FoundRecord { raw, fields, partial, identity_block, members } = record;
        let (partial, identity_block, members) = (*partial, identity_block.take(), members.take());
        let bytes: Cow<'a, [u8]> = match raw {
            RawBytes::Span { start, len } => Cow::Borrowed(&data[*start..*start + *len]),
            RawBytes::Owned(b) => Cow::Owned(std::mem::take(b).into_vec()),
        };
        let time = fields.time_text().and_then(parse_event_time);
        let mut fl = 0u8;
        if time.is_none() {
            fl |= flags::UNTIMED;
        }
        if partial {
            fl |= flags::PARTIAL;
        }
        if fields.insight {
            fl |= flags::INSIGHT;
        }
        let mut values = [NONE; COLUMNS];
        let read_only = fields.read_only_flag().map(|b| Cow::Borrowed(if b { "true" } else { "false" }));
        let identity = fields.identity.take();
        let who = match identity_block {
            Some(block) => match self.identities.find(block.number) {
                Some(ids) => ids,
                None => {
                    let ids = self.block_ids(block, identity, data);
                    self.identities.add(block.number, ids);
                    ids
                }
            },
            None => self.identity_ids(identity),
        };
        for (facet, id) in IDENTITY_FACETS.into_iter().zip(who) {
            values[col(facet)] = id;
        }
        // The call first: the ingest-time reading plan (see `at_ingest::Plan`) is the
        // call's as indexed (trimmed, unescaped).
        for (facet, value) in
            [(Facet::EventName, fields.event_name.take()), (Facet::EventSource, fields.event_source.take())]
        {
            if let Some(v) = clean(value) {
                values[col(facet)] = self.values.intern_cow(colu(facet), v);
            }
        }
        let plan = match (values[col(Facet::EventSource)], values[col(Facet::EventName)]) {
            (NONE, _) | (_, NONE) => None,
            (source, name) => {
                let list = &self.values.list;
                at_ingest::plan(&list[source as usize].text, &list[name as usize].text)
            }
        };
        let facts = plan.and_then(|p| p.read(&bytes, members.as_ref())).unwrap_or_default();
        if facts.notable_condition {
            fl |= flags::NOTABLE_CONDITION;
        }
        let direct = [
            (Facet::Region, fields.aws_region.take()),
            (Facet::RecipientAccount, fields.recipient_account.take()),
            (Facet::SourceIp, fields.source_ip.take()),
            (Facet::UserAgent, fields.user_agent.take()),
            (Facet::ErrorCode, fields.error_code.take()),
            (Facet::ReadOnly, read_only),
            (Facet::EventType, fields.event_type.take()),
            (Facet::EventCategory, fields.event_category.take()),
            (Facet::ErrorMessage, fields.error_message.take()),
            (Facet::MintedKey, facts.minted_key.map(Cow::Owned)),
            (Facet::MintSharedEventId, facts.mint_shared_event_id.map(Cow::Owned)),
        ];
        for (facet, value) in direct {
            if let Some(v) = clean(value) {
                values[col(facet)] = self.values.intern_cow(colu(facet), v);
            }
        }
        let start = self.resources.len() as u32;
        for r in fields.resources.drain(..) {
            if let Some(r) = clean(Some(r)) {
                let id = self.values.intern_cow(RESOURCE_COLUMN, r);
                if !self.resources[start as usize..].contains(&id) {
                    self.resources.push(id);
                }
            }
        }
        let event_id = clean(fields.event_id.take());
        self.events.push(PreparedEvent {
            content_hash: xxh3_64(&bytes),
            bytes,
            id_hash: event_id.as_deref().map_or(0, super::dedup::id_hash),
            event_id,
            request_id: clean(fields.request_id.take()),
            time: time.unwrap_or(UNTIMED),
            flags: fl,
            values,
            resources: (start, self.resources.len() as u32),
            locator,
        });
    }
}

/// The columns that come from `userIdentity` alone, in the order of [`IdentityIds`].
const IDENTITY_FACETS: [Facet; 12] = [
    Facet::Principal,
    Facet::SessionIssuer,
    Facet::IdentityAccount,
    Facet::IdentityType,
    Facet::AccessKey,
    Facet::IdentityArn,
    Facet::UserName,
    Facet::PrincipalId,
    Facet::SourceIdentity,
    Facet::SessionCreated,
    Facet::MfaAuthenticated,
    Facet::CredentialsIssuedTo,
];

/// Ids of one `userIdentity`'s columns ([`IDENTITY_FACETS`] order, [`NONE`] when absent):
/// local ids, [`GLOBAL`]-marked ids, or (in [`known`]) plain global ids.
pub(super) type IdentityIds = [u32; IDENTITY_FACETS.len()];

/// The identity columns of each distinct `userIdentity` block of one input, by the block's
/// number (`FoundRecord::identity_block`): the events of a trail file come from a handful
/// of sessions, and a block met before gives all twelve columns at the cost of a lookup.
/// A map, not a vector indexed by number: numbers are unique per worker thread, and count
/// every block its reader met.
#[derive(Default)]
pub(super) struct IdentityBlocks {
    by_number: FxHashMap<u64, IdentityIds>,
}

impl IdentityBlocks {
    fn find(&self, block: u64) -> Option<IdentityIds> {
        self.by_number.get(&block).copied()
    }

    fn add(&mut self, block: u64, ids: IdentityIds) {
        self.by_number.insert(block, ids);
    }
}

impl<'a> PreparedBatch<'a> {
    /// The identity columns of a block met for the first time in this input: the global ids
    /// the worker remembers for it (a block recognised by its bytes comes without fields),
    /// or else its fields interned — read now if the reader only recognised it.
    fn block_ids(
        &mut self,
        block: IdentityBlock,
        read: Option<Box<IdentityFields<'a>>>,
        data: &'a [u8],
    ) -> IdentityIds {
        if read.is_none() {
            if let Some(globals) = known::recall_identity(self.generation, block.number) {
                return globals.map(|id| if id == NONE { NONE } else { id | GLOBAL });
            }
        }
        let fields = read.or_else(|| read_identity(data, &block));
        // Only a block actually read is remembered (a failed read cannot happen for a block
        // the reader accepted, but must not stick to its number if it did).
        debug_assert!(fields.is_some(), "an accepted block reads again");
        if fields.is_some() {
            self.worked_out.push(block.number);
        }
        self.identity_ids(fields)
    }

    /// Interns the columns of one `userIdentity`.
    fn identity_ids(&mut self, identity: Option<Box<IdentityFields<'a>>>) -> IdentityIds {
        let mut ids: IdentityIds = [NONE; IDENTITY_FACETS.len()];
        let Some(identity) = identity else { return ids };
        if let Some(p) = principal_of(&identity) {
            ids[0] = self.values.intern_str(colu(Facet::Principal), p.name.trim());
            if let Some(issuer) = p.issuer.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                ids[1] = self.values.intern_str(colu(Facet::SessionIssuer), issuer);
            }
        }
        let i = *identity;
        let fields = [
            i.account_id,
            i.kind,
            i.access_key_id,
            i.arn,
            i.user_name,
            i.principal_id,
            i.source_identity,
            i.session_created,
            i.mfa_authenticated,
            i.credentials_issued_to,
        ];
        for (k, value) in fields.into_iter().enumerate() {
            if let Some(v) = clean(value) {
                ids[k + 2] = self.values.intern_cow(colu(IDENTITY_FACETS[k + 2]), v);
            }
        }
        ids
    }
}

pub(super) fn col(f: Facet) -> usize {
    f.column().expect("single-valued facet")
}

/// [`col`] as a [`LocalValue`] column number.
fn colu(f: Facet) -> u8 {
    col(f) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::discover::FoundRecord;
    use crate::ingest::input::decode_input;
    use crate::ingest::Limits;

    /// Each event's value of every identity column, as text (local ids only).
    fn identity_columns(batch: &PreparedBatch<'_>) -> Vec<Vec<Option<String>>> {
        let text = |id: u32| (id != NONE).then(|| batch.values.list[id as usize].text.to_string());
        batch.events.iter().map(|e| IDENTITY_FACETS.iter().map(|&f| text(e.values[col(f)])).collect()).collect()
    }

    fn prepare<'a>(data: &'a [u8], records: Vec<FoundRecord<'a>>, generation: Generation) -> PreparedBatch<'a> {
        let raw = PreparedRaw::build(&records, data, None);
        PreparedBatch::new("f", data, records, raw, generation)
    }

    /// The ingest-time rules see the call as it is indexed: trimmed and unescaped, however
    /// the file spells it.
    #[test]
    fn ingest_rules_read_the_call_as_indexed() {
        let data = br#"{"Records":[
            {"eventSource":"ssm.amazonaws.com","eventName":"GetParameter","requestParameters":{"withDecryption":true}},
            {"eventSource":" ssm.amazonaws.com","eventName":"GetParameter ","requestParameters":{"withDecryption":true}},
            {"eventSource":"ssm.amazonaws.com","eventName":"Get\u0050arameter","requestParameters":{"withDecryption":true}},
            {"eventSource":"ssm.amazonaws.com","eventName":"GetParameter","requestParameters":{"withDecryption":false}},
            {"eventSource":"ssm.amazonaws.com","eventName":"GetParameters","requestParameters":{"withDecryption":true}},
            {"eventSource":"s3.amazonaws.com","eventName":"GetParameter","requestParameters":{"withDecryption":true}}
        ]}"#;
        let decoded = decode_input(data, &Limits::default(), None);
        let batch = prepare(data, decoded.records, Generation::default());
        let notable: Vec<bool> = batch.events.iter().map(|e| e.flags & flags::NOTABLE_CONDITION != 0).collect();
        assert_eq!(notable, [true, true, true, false, true, false]);
    }

    #[test]
    fn repeated_identity_blocks_give_the_same_columns_as_working_them_out() {
        let role = r#"{"type":"AssumedRole","principalId":"AROA:s","arn":"arn:aws:sts::1:assumed-role/R/s","accountId":"1","accessKeyId":"ASIA1","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::1:role/R"},"attributes":{"mfaAuthenticated":"false","creationDate":"2024-01-01T00:00:00Z"}}}"#;
        let user =
            r#"{"type":"IAMUser","principalId":"AIDA","arn":"arn:aws:iam::1:user/u","accountId":"1","userName":"u"}"#;
        let record = |n: u32, who: &str| {
            format!(
                r#"{{"eventID":"e{n}","eventTime":"2024-01-01T00:00:0{n}Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{who}}}"#
            )
        };
        let records =
            [record(1, role), record(2, user), record(3, role), record(4, user), record(5, "null"), record(6, role)];
        let json = format!(r#"{{"Records":[{}]}}"#, records.join(","));
        let data = json.as_bytes();
        let generation = Generation::default();
        let decoded = decode_input(data, &Limits::default(), None);
        assert_eq!(decoded.records.len(), 6);
        let numbers: Vec<Option<u64>> = decoded.records.iter().map(|r| r.identity_block.map(|b| b.number)).collect();
        assert!(numbers[0].is_some() && numbers[1].is_some() && numbers[0] != numbers[1]);
        assert_eq!([numbers[2], numbers[5], numbers[3], numbers[4]], [numbers[0], numbers[0], numbers[1], None]);
        let remembered = prepare(data, decoded.records, generation);

        // The same text again: every block is recognised (no fields), and the batch reads
        // them afresh (nothing was appended, so the worker remembers no global ids).
        let decoded = decode_input(data, &Limits::default(), None);
        assert!(decoded.records.iter().all(|r| r.fields.identity.is_none()));
        let recognised = prepare(data, decoded.records, generation);

        // Without block numbers: every record's block worked out on its own.
        let mut decoded = decode_input(data, &Limits::default(), None);
        for r in &mut decoded.records {
            if let Some(block) = r.identity_block.take() {
                r.fields.identity = read_identity(data, &block);
            }
        }
        let worked_out = prepare(data, decoded.records, generation);

        let columns = identity_columns(&remembered);
        assert_eq!(columns, identity_columns(&worked_out));
        assert_eq!(columns, identity_columns(&recognised));
        assert_eq!(columns[0], columns[2]);
        assert_eq!(columns[1][0].as_deref(), Some("arn:aws:iam::1:user/u"));
        assert_eq!(columns[0][1].as_deref(), Some("arn:aws:iam::1:role/R"));
        assert!(columns[4].iter().all(Option::is_none), "userIdentity null");
        assert_eq!(remembered.identities.by_number.len(), 2, "two distinct objects (null is none)");
    }

    /// Once a batch is appended, the worker remembers its blocks' global ids: the next input
    /// with the same blocks gets them marked [`GLOBAL`], without interning anything, and the
    /// store gives both inputs' events the same values.
    #[test]
    fn appended_blocks_come_back_as_global_ids() {
        let user =
            r#"{"type":"IAMUser","principalId":"AIDA","arn":"arn:aws:iam::1:user/u","accountId":"1","userName":"u"}"#;
        let file = |n: u32| {
            format!(
                r#"{{"Records":[{{"eventID":"e{n}","eventTime":"2024-01-01T00:00:0{n}Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{user}}}]}}"#
            )
        };
        let mut store = crate::store::Store::new();
        for n in 1..=2 {
            let json = file(n);
            let data = json.as_bytes();
            let decoded = decode_input(data, &Limits::default(), None);
            let mut batch = prepare(data, decoded.records, store.generation());
            let who = batch.events[0].values[col(Facet::IdentityArn)];
            if n == 1 {
                assert!(who != NONE && who & GLOBAL == 0, "read and interned locally");
            } else {
                assert!(who != NONE && who & GLOBAL != 0, "recalled");
                assert!(batch.values.list.iter().all(|v| v.column != colu(Facet::IdentityArn)), "nothing interned");
            }
            batch.recall_known();
            store.append(&mut batch);
            batch.remember_known();
        }
        store.finish();
        for e in 0..2 {
            assert_eq!(store.value(e, Facet::IdentityArn), Some("arn:aws:iam::1:user/u"));
            assert_eq!(store.value(e, Facet::UserName), Some("u"));
        }
    }

    /// Block numbers count the blocks of records the reader declined too (here non-events):
    /// the batch's memory holds only the blocks of its own records.
    #[test]
    fn identity_memory_grows_with_the_records_kept_not_the_blocks_met() {
        let declined: Vec<String> = (0..500).map(|n| format!(r#"{{"userIdentity":{{"arn":"a{n}"}}}}"#)).collect();
        let event = r#"{"eventID":"e","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/u"}}"#;
        let json = format!(r#"{{"Records":[{},{event}]}}"#, declined.join(","));
        let data = json.as_bytes();
        let decoded = decode_input(data, &Limits::default(), None);
        assert_eq!(decoded.records.len(), 1);
        let batch = prepare(data, decoded.records, Generation::default());
        assert_eq!(batch.identities.by_number.len(), 1);
        assert_eq!(identity_columns(&batch)[0][5].as_deref(), Some("arn:aws:iam::1:user/u"));
    }

    #[test]
    fn clean_trims_exactly_like_str_trim() {
        let samples = [
            "",
            " ",
            "x",
            " x",
            "x ",
            "\tx\n",
            "\u{a0}x",
            "x\u{a0}",
            "x\u{3000}",
            "\u{85}x",
            "é",
            "éx é",
            "\u{1f}x\u{1f}",
            "\u{7f}",
            "a b",
            "\u{2028}",
            "日本",
        ];
        for s in samples {
            let expected = Some(s.trim()).filter(|t| !t.is_empty());
            assert_eq!(clean(Some(Cow::Borrowed(s))).as_deref(), expected, "{s:?}");
            assert_eq!(clean(Some(Cow::Owned(s.to_owned()))).as_deref(), expected, "{s:?}");
        }
    }

    #[test]
    fn local_values_intern_once_per_column() {
        let mut v = LocalValues::default();
        let a = v.intern_cow(0, Cow::Borrowed("a"));
        let b = v.intern_str(0, "b");
        let a1 = v.intern_str(1, "a");
        assert_eq!(v.intern_str(0, "a"), a);
        assert_eq!(v.intern_cow(0, Cow::Owned("b".to_owned())), b);
        assert_eq!(v.intern_cow(1, Cow::Borrowed("a")), a1);
        assert_ne!(a, a1);
        let seen: Vec<(u8, &str, u64)> = v.list.iter().map(|l| (l.column, &*l.text, l.hash)).collect();
        assert_eq!(seen, [(0, "a", hash_str("a")), (0, "b", hash_str("b")), (1, "a", hash_str("a"))]);
    }
}
