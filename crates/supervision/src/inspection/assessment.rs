//! Annual assessment of units with 003 附件3 (`annual-assessment-kunshan`).
//!
//! # How a year is read: once, set-based
//!
//! A province assesses 10,000 units over 100,000 accounts and a million findings,
//! so nothing here queries per unit. [`YearFacts::load`] reads each kind of fact
//! of the year once, for the whole subtree, with the few columns its item needs
//! (`store::assessment`); every fact is attached to the unit it happened in. A
//! unit's assessment then takes the facts of its subtree — a fact counts for its
//! unit and for every ancestor, as the seed's “本区镇、本部门的政务新媒体” includes
//! the accounts of the bodies below — and runs the pure engine
//! (`domain::scoring::score`). Each counted finding keeps its evidence (a finding
//! id, a filing, an account list, an entry), so every point on screen is traceable.
//!
//! # Where each item comes from
//!
//! | item | source |
//! |---|---|
//! | `veto_upper_check` | 2+ distinct accounts of the subtree 不合格 in the year's notified campaigns; or an office entry (上级抽查严重错误) |
//! | `veto_town_not_opened` | a 乡镇/街道 whose subtree has no account in use |
//! | `veto_no_regular_check`, `veto_fraud` | office entries |
//! | `rectify_overdue` | findings whose deadline fell in the year, still owed after it or rectified after it |
//! | `duplicate_accounts` | 3+ accounts in use of one host unit on one platform, one per group |
//! | `closed_not_closed`, `out_of_scope` | office entries (the monitoring issue will add findings) |
//! | `opened_without_application` | accounts registered (开通) in the year with no opening filing |
//! | `filing_late` | filings whose deadline fell in the year, filed late or overdue |
//! | `not_in_performance` | no verified claim 已纳入年度绩效考核 for the year |
//! | `commend_city`, `commend_province`, `pass_rate_full` | verified claims of the unit |
//! | `selfcheck_late` | the unit's quarterly self-inspection reports late or missing (`duties::year_facts`) |
//! | `selfcheck_coverage` | the year's reports did not check every account in use; judged once the year is over |
//! | `check_ratio_full`, `check_ratio_70` | each quarter's reports of the subtree checked 100 % (or ≥ 70 %) of the accounts in use; judged once the year is over |
//!
//! Entries (claims and office entries) and self-inspection facts are about the unit
//! itself and do not roll up.

use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::NaiveDate;
use govmedia_domain::account::Platform;
use govmedia_domain::assessment::{EntryKind, EntryStatus, NOT_IN_PERFORMANCE};
use govmedia_domain::role::Permission;
use govmedia_domain::scoring::{self, CountedFinding, Evidence, IndicatorSet, ScoreResult};
use govmedia_domain::unit::{UnitKind, UnitPath};
use govmedia_store::assessment as store;
use govmedia_store::units::UnitRow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The indicator set of the annual assessment.
pub const SET: &str = "annual-assessment-kunshan";

/// Items of the set this module computes from the registry, filings and findings;
/// the others come from entries (see the module documentation).
pub const COMPUTED: &[&str] = &[
    "veto_upper_check",
    "veto_town_not_opened",
    "rectify_overdue",
    "duplicate_accounts",
    "opened_without_application",
    "filing_late",
    "selfcheck_late",
    "selfcheck_coverage",
    "check_ratio_full",
    "check_ratio_70",
];

/// One unit's assessment: the findings counted, and the score.
#[derive(Debug, Clone)]
pub struct UnitAssessment {
    pub unit: UnitRow,
    pub findings: Vec<CountedFinding>,
    pub result: ScoreResult,
    /// The unit's place in a ranking (ties share it, the next place skips: 1, 1,
    /// 3); `None` outside a ranking and for units of kinds the office does not rank.
    pub rank: Option<u32>,
    /// Whether another unit shares `rank` (并列).
    pub tied: bool,
    /// The assessment entry (claim or office entry) behind a finding, by the
    /// finding's index in `findings`, so its explanation links to the entry.
    pub entries: BTreeMap<usize, i64>,
}

impl UnitAssessment {
    /// “并列第1名”, “第3名”, or “不参加排名”.
    pub fn rank_label(&self) -> String {
        match (self.rank, self.tied) {
            (Some(n), true) => format!("并列第{n}名"),
            (Some(n), false) => format!("第{n}名"),
            (None, _) => "不参加排名".into(),
        }
    }
}

fn text(t: String) -> Option<Evidence> {
    Some(Evidence::Text(t))
}

fn counted(item: &str, evidence: Option<Evidence>) -> CountedFinding {
    CountedFinding {
        item: item.into(),
        count: 1,
        evidence,
    }
}

/// Overdue rectifications of a unit (or a subtree, once rolled up): how many, and
/// a few finding ids as links (each unit's first); the rest are listed by the
/// findings page.
#[derive(Debug, Clone, Default)]
struct Overdue {
    count: u32,
    first: Vec<i64>,
}

/// How many overdue findings are shown one by one as evidence.
const OVERDUE_LINKS: usize = 10;

impl Overdue {
    fn add(&mut self, other: &Overdue) {
        self.count += other.count;
        self.first.extend_from_slice(&other.first);
        self.first.sort_unstable();
        self.first.truncate(OVERDUE_LINKS);
    }

    /// One counted finding per linked id, and one for the rest.
    fn findings(&self) -> Vec<CountedFinding> {
        let mut out: Vec<CountedFinding> = self
            .first
            .iter()
            .map(|id| counted("rectify_overdue", Some(Evidence::Id(*id))))
            .collect();
        let rest = self.count.saturating_sub(self.first.len() as u32);
        if rest > 0 {
            out.push(CountedFinding {
                item: "rectify_overdue".into(),
                count: rest,
                evidence: text(format!(
                    "另有{rest}条逾期未整改或逾期整改的问题（见整改页“逾期”）"
                )),
            });
        }
        out
    }
}

/// Everything a year's assessment of a subtree reads, loaded once.
pub struct YearFacts {
    set: IndicatorSet,
    units: Vec<UnitRow>,
    /// Findings that count for their unit and every ancestor, by the unit they
    /// happened in.
    rolled: HashMap<i64, Vec<CountedFinding>>,
    /// Overdue rectifications, by the unit of the finding (rolled up like `rolled`).
    overdue: HashMap<i64, Overdue>,
    /// Accounts in use, by host unit.
    active: HashMap<i64, u32>,
    /// Accounts judged 不合格 in the year's notified campaigns, by unit.
    failed: HashMap<i64, Vec<i64>>,
    /// Verified entries, by the unit they are about.
    entries: HashMap<i64, Vec<store::EntryRow>>,
    /// Self-inspection reports and coverage, by unit.
    selfchecks: std::collections::BTreeMap<i64, crate::duties::SelfcheckFacts>,
    /// Whether the year is over: the yearly coverage (全覆盖) is judged only then.
    year_over: bool,
    /// How long each read took (for the benchmark's breakdown).
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// “账号#3、账号#5”.
fn account_list<'a>(ids: impl IntoIterator<Item = &'a i64>) -> String {
    ids.into_iter()
        .map(|id| format!("账号#{id}"))
        .collect::<Vec<_>>()
        .join("、")
}

fn ancestors_or_self(path: &str) -> impl Iterator<Item = i64> + '_ {
    path.split('/').filter_map(|s| s.parse().ok())
}

impl YearFacts {
    /// Reads the facts of `year` for the subtree at `scope` (as of `today`).
    pub async fn load(
        svc: &Services,
        scope: &UnitPath,
        year: i32,
        today: NaiveDate,
    ) -> ServiceResult<Self> {
        let set =
            scoring::builtin(SET).map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
        let (first, last) = year_bounds(year)?;
        let mut timings = Vec::new();
        let mut clock = std::time::Instant::now();
        let mut lap = |name: &'static str| {
            timings.push((name, clock.elapsed()));
            clock = std::time::Instant::now();
        };
        let units = govmedia_store::units::subtree(&svc.db, scope.as_str()).await?;
        let unit_ids: HashMap<i64, ()> = units.iter().map(|u| (u.id, ())).collect();
        let in_scope = |id: i64| unit_ids.contains_key(&id);
        let unit_of_path = |path: &str| ancestors_or_self(path).last();
        let names: HashMap<i64, &str> = units.iter().map(|u| (u.id, u.name.as_str())).collect();
        let unit_name = |id: i64| names.get(&id).copied().unwrap_or_default().to_string();
        let mut rolled: HashMap<i64, Vec<CountedFinding>> = HashMap::new();
        lap("units");

        // 集约整合 and 开设情况: the accounts in use.
        let mut active: HashMap<i64, u32> = HashMap::new();
        // Keyed by the platform's code: the groups come out in the order they always had.
        let mut groups: BTreeMap<(i64, &str), (Platform, Vec<i64>)> = BTreeMap::new();
        let accounts = govmedia_store::duties::accounts_in(&svc.db, scope.as_str()).await?;
        for (id, unit, platform, status) in &accounts {
            if in_scope(*unit) && status.is_active() {
                *active.entry(*unit).or_default() += 1;
                groups
                    .entry((*unit, platform.code()))
                    .or_insert_with(|| (*platform, vec![]))
                    .1
                    .push(*id);
            }
        }
        for ((unit, _), (platform, ids)) in
            groups.into_iter().filter(|(_, (_, ids))| ids.len() >= 3)
        {
            let name = platform.label();
            rolled.entry(unit).or_default().push(counted(
                "duplicate_accounts",
                text(format!(
                    "{}在{name}有{}个在用账号：{}",
                    unit_name(unit),
                    ids.len(),
                    account_list(&ids)
                )),
            ));
        }

        // 新开设未申请.
        for (id, unit, name, on) in store::opened_without_filing(&svc.db, first, last).await? {
            if in_scope(unit) {
                rolled.entry(unit).or_default().push(counted(
                    "opened_without_application",
                    text(format!("账号#{id}“{name}”于{on}开通，无开设申请")),
                ));
            }
        }

        lap("accounts");

        // 通报整改.
        let mut overdue: HashMap<i64, Overdue> = HashMap::new();
        for (unit, n, first_id) in
            store::late_rectifications_by_unit(&svc.db, first, last, today).await?
        {
            if in_scope(unit) {
                overdue.insert(
                    unit,
                    Overdue {
                        count: u32::try_from(n).unwrap_or(u32::MAX),
                        first: vec![first_id],
                    },
                );
            }
        }
        lap("rectifications");

        // 开设备案.
        for (unit, f) in govmedia_filings::late_filings_in_year(svc, year).await? {
            if in_scope(unit) {
                rolled.entry(unit).or_default().push(f);
            }
        }

        lap("filings");

        // 上级抽查检查情况: accounts found 不合格 in the year's notified campaigns.
        let mut failed: HashMap<i64, Vec<i64>> = HashMap::new();
        for (account, path) in store::failed_samples(&svc.db, first, last).await? {
            if let Some(unit) = unit_of_path(&path).filter(|u| in_scope(*u)) {
                failed.entry(unit).or_default().push(account);
            }
        }

        let mut entries: HashMap<i64, Vec<store::EntryRow>> = HashMap::new();
        for e in store::entries_in(
            &svc.db,
            scope.as_str(),
            year,
            Some(EntryStatus::Verified.code()),
        )
        .await?
        {
            entries.entry(e.unit_id).or_default().push(e);
        }

        lap("campaigns, entries");
        let selfchecks =
            crate::duties::year_facts_over(svc, &units, &accounts, scope.as_str(), year, today)
                .await?;
        lap("self-inspection");

        Ok(YearFacts {
            set,
            units,
            rolled,
            overdue,
            active,
            failed,
            entries,
            selfchecks,
            year_over: today > last,
            timings,
        })
    }

    /// The units of the subtree, by path.
    pub fn units(&self) -> &[UnitRow] {
        &self.units
    }

    /// Assesses every unit of the subtree. Each fact is visited once per ancestor,
    /// so the cost is the number of facts times the depth of the tree.
    pub fn assess_all(&self) -> ServiceResult<Vec<UnitAssessment>> {
        let mut findings: HashMap<i64, Vec<CountedFinding>> = HashMap::new();
        let mut active: HashMap<i64, u32> = HashMap::new();
        let mut failed: HashMap<i64, BTreeSet<i64>> = HashMap::new();
        let depth_path: HashMap<i64, &str> =
            self.units.iter().map(|u| (u.id, u.path.as_str())).collect();
        for (unit, facts) in &self.rolled {
            if let Some(path) = depth_path.get(unit) {
                for a in ancestors_or_self(path).filter(|a| depth_path.contains_key(a)) {
                    findings.entry(a).or_default().extend(facts.iter().cloned());
                }
            }
        }
        let mut overdue: HashMap<i64, Overdue> = HashMap::new();
        for (unit, o) in &self.overdue {
            if let Some(path) = depth_path.get(unit) {
                for a in ancestors_or_self(path) {
                    overdue.entry(a).or_default().add(o);
                }
            }
        }
        for (unit, n) in &self.active {
            if let Some(path) = depth_path.get(unit) {
                for a in ancestors_or_self(path) {
                    *active.entry(a).or_default() += n;
                }
            }
        }
        for (unit, accounts) in &self.failed {
            if let Some(path) = depth_path.get(unit) {
                for a in ancestors_or_self(path) {
                    failed.entry(a).or_default().extend(accounts);
                }
            }
        }
        self.units
            .iter()
            .map(|u| {
                let mut own = findings.remove(&u.id).unwrap_or_default();
                if let Some(o) = overdue.get(&u.id) {
                    own.extend(o.findings());
                }
                self.finish(
                    u,
                    own,
                    active.get(&u.id).copied().unwrap_or(0),
                    failed.get(&u.id),
                )
            })
            .collect()
    }

    /// Assesses one unit of the subtree over its own subtree.
    pub fn assess(&self, unit: &UnitRow) -> ServiceResult<UnitAssessment> {
        let inside: HashMap<i64, ()> = self
            .units
            .iter()
            .filter(|u| u.path.starts_with(&unit.path))
            .map(|u| (u.id, ()))
            .collect();
        let mut own: Vec<CountedFinding> = self
            .rolled
            .iter()
            .filter(|(id, _)| inside.contains_key(id))
            .flat_map(|(_, facts)| facts.iter().cloned())
            .collect();
        let mut overdue = Overdue::default();
        for (_, o) in self
            .overdue
            .iter()
            .filter(|(id, _)| inside.contains_key(id))
        {
            overdue.add(o);
        }
        own.extend(overdue.findings());
        let active = self
            .active
            .iter()
            .filter(|(id, _)| inside.contains_key(id))
            .map(|(_, n)| n)
            .sum();
        let failed: BTreeSet<i64> = self
            .failed
            .iter()
            .filter(|(id, _)| inside.contains_key(id))
            .flat_map(|(_, a)| a.iter().copied())
            .collect();
        self.finish(unit, own, active, Some(&failed))
    }

    fn finish(
        &self,
        unit: &UnitRow,
        mut findings: Vec<CountedFinding>,
        active: u32,
        failed: Option<&BTreeSet<i64>>,
    ) -> ServiceResult<UnitAssessment> {
        // Stable order whatever the hash maps did: by item, then evidence.
        findings.sort_by(|a, b| {
            (a.item.as_str(), evidence_key(&a.evidence))
                .cmp(&(b.item.as_str(), evidence_key(&b.evidence)))
        });
        if unit.kind == "town_street" && active == 0 {
            findings.push(counted(
                "veto_town_not_opened",
                text(format!("{}没有在用的政务新媒体账号", unit.name)),
            ));
        }
        if let Some(failed) = failed.filter(|f| f.len() >= 2) {
            findings.push(counted(
                "veto_upper_check",
                text(format!(
                    "{}个账号检查不合格：{}",
                    failed.len(),
                    account_list(failed)
                )),
            ));
        }
        if let Some(s) = self.selfchecks.get(&unit.id) {
            findings.extend(s.assessment_findings().into_iter().filter(|f| {
                self.year_over || !crate::duties::JUDGED_AFTER_THE_YEAR.contains(&f.item.as_str())
            }));
        }
        let entries = self.entries.get(&unit.id).map(Vec::as_slice).unwrap_or(&[]);
        let mut in_performance = false;
        let mut entry_of = BTreeMap::new();
        for e in entries {
            match EntryKind::parse(&e.kind) {
                Ok(EntryKind::InPerformance) => in_performance = true,
                Ok(kind) => {
                    entry_of.insert(findings.len(), e.id);
                    findings.push(CountedFinding {
                        item: kind.item().unwrap_or_default().into(),
                        count: u32::try_from(e.count).unwrap_or(1),
                        evidence: text(format!("申报#{}：{}", e.id, e.evidence)),
                    })
                }
                Err(_) => {}
            }
        }
        if !in_performance {
            findings.push(counted(
                NOT_IN_PERFORMANCE,
                text("本年度没有经核实的“已纳入年度绩效考核”申报".into()),
            ));
        }
        let result = scoring::score(&self.set, &findings)
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
        Ok(UnitAssessment {
            unit: unit.clone(),
            findings,
            result,
            rank: None,
            tied: false,
            entries: entry_of,
        })
    }
}

fn evidence_key(e: &Option<Evidence>) -> (i64, &str) {
    match e {
        Some(Evidence::Id(id)) => (*id, ""),
        Some(Evidence::Text(t)) => (0, t.as_str()),
        None => (0, ""),
    }
}

fn year_bounds(year: i32) -> ServiceResult<(NaiveDate, NaiveDate)> {
    match (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(ServiceError::field("year", "年份无效")),
    }
}

/// Assesses `unit` (over its subtree) for `year`, as of today.
pub async fn assess(
    svc: &Services,
    actor: &Actor,
    unit: &UnitRow,
    year: i32,
) -> ServiceResult<UnitAssessment> {
    actor.require(Permission::ReviewRectification)?;
    if !actor.sees(&unit.path) {
        return Err(ServiceError::NotFound);
    }
    let scope = UnitPath::from_stored(&unit.path)
        .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("bad unit path")))?;
    let facts = YearFacts::load(svc, &scope, year, svc.today()).await?;
    facts.assess(unit)
}

/// The key a ranking orders by: 合格 before 不合格, then the total. Units with equal
/// keys share a place (并列).
fn rank_key(x: &UnitAssessment) -> (bool, i64) {
    (
        x.result.vetoed_by.is_empty(),
        x.result.total.map(|t| t.tenths()).unwrap_or(i64::MIN),
    )
}

/// Ranks the units of the kinds in `ranked` (competition ranking: equal keys share
/// a place and the next place skips, 1, 1, 3; the name only orders rows inside a
/// tie) and lists the others after them, unranked, by name.
pub fn rank(rows: &mut Vec<UnitAssessment>, ranked: &[UnitKind]) {
    let takes_part =
        |a: &UnitAssessment| UnitKind::parse(&a.unit.kind).is_ok_and(|k| ranked.contains(&k));
    let (mut inside, mut outside): (Vec<_>, Vec<_>) =
        std::mem::take(rows).into_iter().partition(takes_part);
    inside.sort_by(|a, b| {
        rank_key(b)
            .cmp(&rank_key(a))
            .then_with(|| a.unit.name.cmp(&b.unit.name))
    });
    let keys: Vec<(bool, i64)> = inside.iter().map(rank_key).collect();
    let mut place = 0u32;
    for (i, a) in inside.iter_mut().enumerate() {
        if i == 0 || keys[i - 1] != keys[i] {
            place = u32::try_from(i + 1).unwrap_or(u32::MAX);
        }
        a.rank = Some(place);
        a.tied = (i > 0 && keys[i - 1] == keys[i]) || keys.get(i + 1) == Some(&keys[i]);
    }
    outside.sort_by(|a, b| a.unit.name.cmp(&b.unit.name));
    for a in &mut outside {
        a.rank = None;
        a.tied = false;
    }
    inside.extend(outside);
    *rows = inside;
}

/// The setting holding which kinds of units an office ranks, per office unit.
fn ranked_kinds_key(unit_id: i64) -> String {
    format!("assessment.ranked_kinds.{unit_id}")
}

/// The kinds ranked when the office has not chosen: units that own accounts, not
/// internal organs (内设机构, which may not open accounts) nor contractors.
pub fn default_ranked_kinds() -> Vec<UnitKind> {
    UnitKind::ALL
        .iter()
        .copied()
        .filter(|k| !matches!(k, UnitKind::InternalOrgan | UnitKind::OperatorCompany))
        .collect()
}

fn parse_kinds(stored: &str) -> Vec<UnitKind> {
    UnitKind::ALL
        .iter()
        .copied()
        .filter(|k| stored.split(',').any(|c| c == k.code()))
        .collect()
}

fn kinds_text(kinds: &[UnitKind]) -> String {
    kinds.iter().map(|k| k.code()).collect::<Vec<_>>().join(",")
}

fn kinds_words(kinds: &[UnitKind]) -> String {
    kinds
        .iter()
        .map(|k| k.label())
        .collect::<Vec<_>>()
        .join("、")
}

/// The kinds of units the actor's office ranks, and the stored text they were read
/// from (`None`: the default), which a change names to refuse a stale edit.
pub async fn ranked_kinds(
    svc: &Services,
    actor: &Actor,
) -> ServiceResult<(Vec<UnitKind>, Option<String>)> {
    actor.require(Permission::ReviewRectification)?;
    let stored = govmedia_store::settings::get(&svc.db, &ranked_kinds_key(actor.unit_id)).await?;
    let kinds = stored
        .as_deref()
        .map(parse_kinds)
        .unwrap_or_else(default_ranked_kinds);
    Ok((kinds, stored))
}

/// The version of the ranked kinds as read (the API's `ETag`): `default` while the
/// office has not chosen, else a digest of the stored choice.
pub fn ranked_kinds_version(stored: Option<&str>) -> String {
    use sha2::Digest;
    match stored {
        None => "default".into(),
        Some(text) => sha2::Sha256::digest(text.as_bytes())
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect(),
    }
}

/// [`set_ranked_kinds`] against the version the caller read
/// ([`ranked_kinds_version`]); another change since that read is refused as stale.
pub async fn set_ranked_kinds_at(
    svc: &Services,
    actor: &Actor,
    codes: &[String],
    version: &str,
) -> ServiceResult<Vec<UnitKind>> {
    let (_, stored) = ranked_kinds(svc, actor).await?;
    if ranked_kinds_version(stored.as_deref()) != version {
        return Err(ServiceError::Stale(crate::error::STALE.to_string()));
    }
    set_ranked_kinds(svc, actor, codes, stored.as_deref()).await
}

/// At most this many kind codes are read from a form.
const MAX_KIND_CODES: usize = 32;

/// Sets the kinds of units the actor's office ranks, audited. `read` is the stored
/// text the form was shown with (`None`: the default); another change since then
/// is refused as stale.
pub async fn set_ranked_kinds(
    svc: &Services,
    actor: &Actor,
    codes: &[String],
    read: Option<&str>,
) -> ServiceResult<Vec<UnitKind>> {
    actor.require(Permission::ReviewRectification)?;
    if codes.len() > MAX_KIND_CODES {
        return Err(ServiceError::field("kinds", "选择的单位类型过多"));
    }
    let mut chosen = Vec::new();
    for c in codes {
        let k = UnitKind::parse(c)
            .map_err(|_| ServiceError::field("kinds", "单位类型无效，请从列表中选择"))?;
        if !chosen.contains(&k) {
            chosen.push(k);
        }
    }
    if chosen.is_empty() {
        return Err(ServiceError::field(
            "kinds",
            "请至少选择一种参加排名的单位类型",
        ));
    }
    let kinds: Vec<UnitKind> = UnitKind::ALL
        .iter()
        .copied()
        .filter(|k| chosen.contains(k))
        .collect();
    let key = ranked_kinds_key(actor.unit_id);
    let value = kinds_text(&kinds);
    let mut work = svc.work(Some(actor)).await?;
    let before = govmedia_store::settings::get(&work, &key).await?;
    if before.as_deref() != read
        || !govmedia_store::settings::compare_and_set(&work, &key, read, &value).await?
    {
        return Err(ServiceError::Stale(crate::error::STALE.to_string()));
    }
    let old = before
        .as_deref()
        .map(parse_kinds)
        .unwrap_or_else(default_ranked_kinds);
    work.record(crate::audit::Change {
        action: "assessment_ranked_kinds",
        entity: "setting",
        entity_id: None,
        unit_path: actor.unit_path.as_str(),
        summary: format!("年度考核参加排名的单位类型改为：{}", kinds_words(&kinds)),
        before: Some(crate::audit::AuditJson::from(
            serde_json::json!({"参加排名的单位类型": kinds_words(&old)}),
        )),
        after: Some(crate::audit::AuditJson::from(
            serde_json::json!({"参加排名的单位类型": kinds_words(&kinds)}),
        )),
    });
    work.commit().await?;
    Ok(kinds)
}

/// Assesses every unit directly below the actor's unit: the kinds the office ranks
/// first, ranked (并列 for ties), then the others, unranked.
pub async fn ranking(
    svc: &Services,
    actor: &Actor,
    year: i32,
) -> ServiceResult<Vec<UnitAssessment>> {
    actor.require(Permission::ReviewRectification)?;
    let facts = YearFacts::load(svc, &actor.unit_path, year, svc.today()).await?;
    let mut out: Vec<UnitAssessment> = facts
        .assess_all()?
        .into_iter()
        .filter(|a| a.unit.parent_id == Some(actor.unit_id))
        .collect();
    let (kinds, _) = ranked_kinds(svc, actor).await?;
    rank(&mut out, &kinds);
    Ok(out)
}

/// Assesses every unit of the actor's subtree (each over its own subtree), ranked:
/// the province-wide table and the benchmark's workload.
pub async fn assess_subtree(
    svc: &Services,
    actor: &Actor,
    year: i32,
) -> ServiceResult<Vec<UnitAssessment>> {
    actor.require(Permission::ReviewRectification)?;
    let facts = YearFacts::load(svc, &actor.unit_path, year, svc.today()).await?;
    let mut out = facts.assess_all()?;
    let (kinds, _) = ranked_kinds(svc, actor).await?;
    rank(&mut out, &kinds);
    Ok(out)
}

/// Where an explanation's evidence is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceLink {
    /// A finding (问题), on its page.
    Finding(i64),
    /// A claim or office entry (考核申报), in the year's list of entries.
    Entry(i64),
}

/// One deduction, bonus or veto of a unit's assessment, said in a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub sentence: String,
    pub link: Option<EvidenceLink>,
}

/// Says in a sentence why each point was taken or added (or why a claim added
/// nothing: a veto, the bonus gate, a cap), each with a link to its evidence.
pub fn explain(a: &UnitAssessment) -> Vec<Explanation> {
    use govmedia_domain::scoring::ItemKind;
    let set = scoring::builtin(SET).ok();
    let per = |code: &str| {
        set.as_ref()
            .and_then(|s| s.item(code))
            .and_then(|i| i.points)
    };
    let r = &a.result;
    let vetoed = !r.vetoed_by.is_empty();
    let mut out = Vec::new();
    for item in r.items.iter().filter(|i| i.count > 0) {
        for f in &item.findings {
            let link = match &f.evidence {
                Some(Evidence::Id(id)) => Some(EvidenceLink::Finding(*id)),
                _ => a.entries.get(&f.index).map(|id| EvidenceLink::Entry(*id)),
            };
            let what = match &f.evidence {
                Some(Evidence::Id(id)) => format!("问题#{id}"),
                Some(Evidence::Text(t)) => t.clone(),
                None => "本系统记录".into(),
            };
            let times = if f.count > 1 {
                format!("{}次", f.count)
            } else {
                String::new()
            };
            let points = per(&item.code)
                .map(|p| p.times(u64::from(f.count)).to_string())
                .unwrap_or_default();
            let sentence = match item.kind {
                ItemKind::Veto => format!(
                    "“{}”属单项否决：{what}。本年度考核为不合格，不计算得分。",
                    item.name
                ),
                ItemKind::Deduct if vetoed => {
                    format!("“{}”{times}：{what}。因单项否决，本项不再扣分。", item.name)
                }
                ItemKind::Deduct => format!("“{}”{times}：{what}，扣{points}分。", item.name),
                ItemKind::Bonus if vetoed => {
                    format!("“{}”{times}：{what}。因单项否决，加分不计入。", item.name)
                }
                ItemKind::Bonus if !r.bonus_gate_passed => {
                    let gate = set
                        .as_ref()
                        .and_then(|s| s.bonus_gate())
                        .map(|g| g.to_string())
                        .unwrap_or_default();
                    let base = r.deduction_score.map(|d| d.to_string()).unwrap_or_default();
                    format!(
                        "“{}”{times}：{what}。加分项仅在扣分后得分高于{gate}分时计入，本单位扣分后得分为{base}分，本项不加分。",
                        item.name
                    )
                }
                ItemKind::Bonus => format!("“{}”{times}：{what}，加{points}分。", item.name),
            };
            out.push(Explanation { sentence, link });
        }
        if item.capped && !vetoed && (item.kind != ItemKind::Bonus || r.bonus_gate_passed) {
            out.push(Explanation {
                sentence: format!(
                    "“{}”合计{}分，超过本项上限，按{}分计。",
                    item.name, item.uncapped, item.points
                ),
                link: None,
            });
        }
    }
    if !vetoed {
        for g in r.groups.iter().filter(|g| g.capped) {
            if g.kind == ItemKind::Bonus && !r.bonus_gate_passed {
                continue;
            }
            out.push(Explanation {
                sentence: format!(
                    "“{}”各项合计{}分，超过该项上限{}分，按{}分计。",
                    g.name, g.uncapped, g.cap, g.points
                ),
                link: None,
            });
        }
        if r.bonus_capped {
            let cap = set
                .as_ref()
                .and_then(|s| s.bonus_cap())
                .map(|c| c.to_string())
                .unwrap_or_default();
            out.push(Explanation {
                sentence: format!(
                    "加分合计超过加分上限{cap}分，按{}分计。",
                    r.bonus.map(|b| b.to_string()).unwrap_or_default()
                ),
                link: None,
            });
        }
    }
    out
}
