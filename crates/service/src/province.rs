//! A synthetic province-sized registry for benchmarks (`govmedia generate`): a tree of
//! 省 → 市 → 县区 → 部门/乡镇 units and accounts spread over them, deterministic for a
//! given seed, written through the same validation and insert path as real data
//! (sealed staff data, audit records).

use crate::{ServiceError, ServiceResult, Services};
use govmedia_domain::account::{AccountInput, Platform, TeamMember, TeamRole};
use govmedia_domain::unit::UnitDraft;
use govmedia_store::entities::unit::Model as UnitRow;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct ProvinceSize {
    pub units: usize,
    pub accounts: usize,
    pub seed: u64,
}

/// What was generated.
#[derive(Debug, Clone)]
pub struct Generated {
    pub root_unit_id: i64,
    pub units: usize,
    pub accounts: usize,
}

const CITIES: &[&str] = &[
    "江宁", "临川", "云阳", "青浦", "东平", "安和", "南陵", "泰宁", "长丰", "武原", "清河", "永定",
    "平阳",
];
const COUNTIES_PER_CITY: usize = 8;
const DEPARTMENTS: &[&str] = &[
    "教育局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水务局",
    "农业农村局",
    "商务局",
    "文化广电和旅游局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "城市管理局",
    "信访局",
    "数据局",
];
const TOWN_SUFFIXES: &[&str] = &["镇人民政府", "街道办事处"];
const ACCOUNT_SUFFIXES: &[&str] = &["发布", "政务", "服务", "之声", "在线", "资讯"];
const SURNAMES: &[char] = &['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];

fn yes_no_label(b: bool) -> String {
    if b { "是" } else { "否" }.into()
}

/// splitmix64: a tiny deterministic generator, enough to spread synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One planned unit: its name, level, kind and the index of its parent.
struct PlannedUnit {
    name: String,
    short_name: String,
    level: &'static str,
    kind: &'static str,
    parent: Option<usize>,
}

fn plan_units(total: usize) -> Vec<PlannedUnit> {
    let mut plan = vec![PlannedUnit {
        name: "示范省人民政府".into(),
        short_name: "示范省".into(),
        level: "province",
        kind: "people_government",
        parent: None,
    }];
    let mut counties = Vec::new();
    'cities: for city in CITIES {
        if plan.len() >= total {
            break;
        }
        plan.push(PlannedUnit {
            name: format!("{city}市人民政府"),
            short_name: format!("{city}市"),
            level: "city",
            kind: "people_government",
            parent: Some(0),
        });
        let city_index = plan.len() - 1;
        for n in 1..=COUNTIES_PER_CITY {
            if plan.len() >= total {
                break 'cities;
            }
            let county = format!(
                "{city}{}",
                ["东", "西", "南", "北", "中", "新", "长", "安"][n - 1]
            );
            plan.push(PlannedUnit {
                name: format!("{county}区人民政府"),
                short_name: format!("{county}区"),
                level: "county",
                kind: "people_government",
                parent: Some(city_index),
            });
            counties.push(plan.len() - 1);
        }
    }
    // The rest: departments and towns below the counties, round robin.
    let mut round = 0;
    while plan.len() < total && !counties.is_empty() {
        for &county in &counties {
            if plan.len() >= total {
                break;
            }
            let county_short = plan[county].short_name.clone();
            let unit = if round < DEPARTMENTS.len() {
                PlannedUnit {
                    name: format!("{county_short}{}", DEPARTMENTS[round]),
                    short_name: format!(
                        "{county_short}{}",
                        DEPARTMENTS[round].chars().take(2).collect::<String>()
                    ),
                    level: "county",
                    kind: "department",
                    parent: Some(county),
                }
            } else {
                let n = round - DEPARTMENTS.len() + 1;
                let suffix = TOWN_SUFFIXES[n % TOWN_SUFFIXES.len()];
                PlannedUnit {
                    name: format!("{county_short}第{n}{suffix}"),
                    short_name: format!("{county_short}第{n}"),
                    level: "town",
                    kind: "town_street",
                    parent: Some(county),
                }
            };
            plan.push(unit);
        }
        round += 1;
    }
    plan
}

fn account_input(rng: &mut Rng, unit: &UnitRow, short: &str, n: usize) -> AccountInput {
    let platform = Platform::ALL[rng.below(Platform::ALL.len() - 1)];
    let suffix = ACCOUNT_SUFFIXES[n % ACCOUNT_SUFFIXES.len()];
    let name = format!("{short}{suffix}{}", n / ACCOUNT_SUFFIXES.len() + 1);
    let mobile = format!("139{:08}", rng.below(100_000_000));
    AccountInput {
        name,
        platform: platform.code().into(),
        account_code: format!("gm{:07}", rng.below(10_000_000)),
        url: format!("https://example.gov.cn/a/{}", rng.next() % 1_000_000),
        registered_on: format!(
            "20{:02}-{:02}-{:02}",
            14 + rng.below(11),
            1 + rng.below(12),
            1 + rng.below(28)
        ),
        host_unit_id: unit.id.to_string(),
        operator_name: unit.name.clone(),
        positioning: "发布政务信息，解读政策，回应关切".into(),
        verified: yes_no_label(true),
        verified_subject: unit.name.clone(),
        news_licence: yes_no_label(false),
        team: vec![TeamMember {
            role: TeamRole::Administrator,
            name: format!("{}某", SURNAMES[rng.below(SURNAMES.len())]),
            unit_post: "科员".into(),
            office_phone: String::new(),
            mobile,
            qq: String::new(),
            wechat: String::new(),
        }],
        operating_mode: "self_run".into(),
        followers: rng.below(500_000).to_string(),
        reads: rng.below(5_000_000).to_string(),
        push_frequency: format!("每周{}次", 1 + rng.below(7)),
        operator_count: (1 + rng.below(4)).to_string(),
        status: if rng.below(20) == 0 {
            "paused"
        } else {
            "normal"
        }
        .into(),
        interaction_open: yes_no_label(rng.below(2) == 0),
        ..Default::default()
    }
}

/// Writes a synthetic province into an empty database, in one transaction.
pub async fn generate(svc: &Services, size: ProvinceSize) -> ServiceResult<Generated> {
    if !govmedia_store::units::all(&svc.db).await?.is_empty() {
        return Err(ServiceError::Conflict(
            "数据库中已有单位，请使用空数据库生成测试数据".into(),
        ));
    }
    let plan = plan_units(size.units.max(1));
    let now = svc.now();
    let mut rng = Rng(size.seed);
    let mut txn = svc.work(None).await?;
    let mut rows: Vec<UnitRow> = Vec::with_capacity(plan.len());
    for p in &plan {
        let draft = UnitDraft::parse(
            &p.name,
            Some(&p.short_name),
            p.level,
            p.kind,
            None,
            None,
            None,
        )
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("unit {}: {e:?}", p.name)))?;
        let parent = p.parent.map(|i| &rows[i]);
        let row =
            govmedia_store::units::insert(&txn, crate::units::new_row(&draft, now), parent).await?;
        rows.push(row);
    }
    let mut per_unit = vec![0usize; rows.len()];
    for _ in 0..size.accounts {
        let i = rng.below(rows.len());
        let unit = &rows[i];
        let short = plan[i].short_name.clone();
        let input = account_input(&mut rng, unit, &short, per_unit[i]);
        per_unit[i] += 1;
        let draft = input.validate().map_err(|e| {
            ServiceError::Internal(anyhow::anyhow!("account {}: {e:?}", input.name))
        })?;
        crate::accounts::insert_in(&mut txn, svc, &draft, &unit.path, now).await?;
    }
    txn.record(crate::audit::Change {
        action: "create",
        entity: "unit",
        entity_id: None,
        unit_path: "/",
        summary: format!("生成测试数据：新增{}个单位", rows.len()),
        before: None,
        after: None,
    });
    txn.commit().await?;
    Ok(Generated {
        root_unit_id: rows[0].id,
        units: rows.len(),
        accounts: size.accounts,
    })
}

/// Synthetic findings of one year over the accounts of a generated registry.
#[derive(Debug, Clone, Copy)]
pub struct FindingsSize {
    pub findings: usize,
    pub year: i32,
    pub seed: u64,
}

/// Adds `size.findings` findings of `size.year` to the registry's accounts, spread
/// over every status of the rectification lifecycle, with deadlines through the
/// year and some proofs after their deadline, so the annual assessment has real
/// work. Written in one transaction with one audit record for the batch.
pub async fn generate_findings(svc: &Services, size: FindingsSize) -> ServiceResult<usize> {
    use chrono::{Days, NaiveDate};
    use govmedia_domain::inspection::{FindingStatus, rectification_deadline};
    let units: std::collections::HashMap<i64, String> = govmedia_store::units::all(&svc.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.path))
        .collect();
    let accounts: Vec<(i64, i64)> = govmedia_store::duties::accounts_in(&svc.db, "/")
        .await?
        .into_iter()
        .filter(|(_, _, _, status)| matches!(status.as_str(), "normal" | "paused"))
        .map(|(id, unit, _, _)| (id, unit))
        .collect();
    if accounts.is_empty() {
        return Err(ServiceError::Conflict("请先生成单位和账号".into()));
    }
    let items = [
        "update_late",
        "improper_content",
        "name_irregular",
        "cert_irregular",
        "comment_review",
        "function_broken",
    ];
    let start = NaiveDate::from_ymd_opt(size.year, 1, 1)
        .ok_or_else(|| ServiceError::field("year", "年份无效"))?;
    let now = svc.now();
    let mut rng = Rng(size.seed ^ 0xF1D1_F1D1);
    let mut txn = svc.work(None).await?;
    const BATCH: usize = 10_000;
    let mut batch = Vec::with_capacity(BATCH);
    for n in 0..size.findings {
        let (account, unit) = &accounts[rng.below(accounts.len())];
        let seen_on = start + Days::new(rng.below(350) as u64);
        let status = [
            FindingStatus::Pending,
            FindingStatus::Notified,
            FindingStatus::Rectifying,
            FindingStatus::Rectified,
            FindingStatus::Verified,
            FindingStatus::Verified,
        ][rng.below(6)];
        let notified = (status != FindingStatus::Pending).then(|| seen_on + Days::new(3));
        let deadline = notified.map(rectification_deadline);
        let proof_on = match (status, deadline) {
            (FindingStatus::Rectified | FindingStatus::Verified, Some(d)) => {
                // One proof in eight comes after the deadline.
                Some(if rng.below(8) == 0 {
                    d + Days::new(2)
                } else {
                    d - Days::new(3)
                })
            }
            _ => None,
        };
        batch.push(govmedia_store::inspection::FindingRow {
            version: 1,
            id: 0,
            campaign_id: None,
            sample_id: None,
            account_id: Some(*account),
            unit_id: *unit,
            unit_path: units.get(unit).cloned().unwrap_or_default(),
            indicator_set: "account-check-2019".into(),
            item_code: items[rng.below(items.len())].into(),
            count: 1,
            source: "monitoring".into(),
            status: status.code().into(),
            url: Some(format!("https://example.gov.cn/post/{n}")),
            excerpt: None,
            seen_on,
            recorded_by: 0,
            recorded_by_name: "基准测试".into(),
            notice_published_on: notified,
            deadline,
            proof_text: proof_on.map(|_| "已整改".to_string()),
            proof_on,
            review_comment: None,
            created_at: now,
            updated_at: now,
        });
        if batch.len() >= BATCH {
            govmedia_store::inspection::insert_findings(&txn, std::mem::take(&mut batch), 500)
                .await?;
        }
    }
    govmedia_store::inspection::insert_findings(&txn, batch, 500).await?;
    txn.record(crate::audit::Change {
        action: "generate",
        entity: "finding",
        entity_id: None,
        unit_path: "/",
        summary: format!("生成{}年度基准测试问题{}条", size.year, size.findings),
        before: None,
        after: Some(
            serde_json::json!({"findings": size.findings, "year": size.year, "seed": size.seed})
                .into(),
        ),
    });
    txn.commit().await?;
    Ok(size.findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_exactly_the_requested_number_of_units_with_unique_names() {
        for total in [1, 14, 200, 10_000] {
            let plan = plan_units(total);
            assert_eq!(plan.len(), total);
            let names: std::collections::HashSet<_> = plan.iter().map(|p| &p.name).collect();
            assert_eq!(names.len(), total, "unit names repeat at {total}");
            assert!(plan.iter().skip(1).all(|p| p.parent.is_some()));
        }
    }

    #[tokio::test]
    async fn generates_the_requested_registry_once() {
        let url = govmedia_store::fresh_test_database_url("province")
            .await
            .unwrap();
        let svc = Services::new(
            govmedia_store::connect(&url, 2).await.unwrap(),
            crate::crypto::Sealer::from_base64(&crate::crypto::Sealer::generate_key()).unwrap(),
            std::sync::Arc::new(crate::SystemClock),
        );
        let size = ProvinceSize {
            units: 150,
            accounts: 400,
            seed: 3,
        };
        let generated = generate(&svc, size).await.unwrap();
        assert_eq!((generated.units, generated.accounts), (150, 400));
        let root = govmedia_store::units::get(&svc.db, generated.root_unit_id)
            .await
            .unwrap();
        assert_eq!(
            govmedia_store::units::subtree(&svc.db, &root.path)
                .await
                .unwrap()
                .len(),
            150
        );
        let q = govmedia_store::accounts::AccountQuery {
            scope_path: root.path.clone(),
            ..Default::default()
        };
        assert_eq!(
            govmedia_store::accounts::list_all(&svc.db, &q)
                .await
                .unwrap()
                .len(),
            400
        );
        assert!(matches!(
            generate(&svc, size).await,
            Err(ServiceError::Conflict(_))
        ));
    }

    #[test]
    fn the_generator_is_deterministic() {
        let (mut a, mut b) = (Rng(7), Rng(7));
        assert!((0..100).all(|_| a.next() == b.next()));
    }
}
