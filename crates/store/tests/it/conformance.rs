//! Store conformance: the same queries give the same answers on SQLite and on
//! PostgreSQL. `scripts/test.sh` runs this file twice, the second time with
//! `GOVMEDIA_TEST_POSTGRES_URL` set, so every test here runs on both backends.

use chrono::{Duration, TimeZone, Utc};
use govmedia_domain::account::{AccountStatus, OperatingMode, PlannedMeasure, Platform};
use govmedia_store::accounts::{self, AccountQuery, AccountRow, SortBy};
use govmedia_store::audit::{self, AuditQuery, AuditRow};
use govmedia_store::units::{self, UnitRow};
use govmedia_store::users::{self, SessionRow, TokenRow, UserRow};
use govmedia_store::{DatabaseConnection, DbError};

async fn fresh(label: &str) -> DatabaseConnection {
    let url = govmedia_fixtures::fresh_test_database_url(label)
        .await
        .expect("test database");
    govmedia_store::connect(&url, 2).await.expect("connect")
}

fn at(day: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 9, 0, 0).unwrap()
}

/// An audit record as the service builds it (no chain fields: `append` sets them).
fn record(day: u32, path: &str, action: &str, entity: &str) -> AuditRow {
    AuditRow {
        id: 0,
        at: at(day),
        user_id: None,
        username: "system".into(),
        action: action.into(),
        entity: entity.into(),
        entity_id: Some(1),
        unit_path: path.into(),
        summary: format!("第{day}天"),
        before_json: None,
        after_json: Some("{\"name\":\"甲\"}".into()),
        seq: None,
        prev_hash: None,
        hash: None,
    }
}

fn unit(name: &str) -> UnitRow {
    UnitRow {
        version: 1,
        id: 0,
        parent_id: None,
        path: String::new(),
        name: name.into(),
        short_name: None,
        level: "county".into(),
        kind: "department".into(),
        region_code: None,
        supervisor_id: None,
        created_at: at(1),
        updated_at: at(1),
    }
}

fn account(name: &str, unit: &UnitRow, platform: &str, status: &str, followers: i64) -> AccountRow {
    AccountRow {
        version: 1,
        id: 0,
        name: name.into(),
        platform: Platform::parse(platform).unwrap(),
        platform_other: None,
        account_code: Some(format!("code-{name}")),
        url: None,
        registered_on: None,
        operating_on: None,
        host_unit_id: unit.id,
        supervisor_unit_id: None,
        operator_name: None,
        positioning: None,
        verified: true,
        verified_subject: Some(unit.name.clone()),
        news_licence: false,
        menu_json: "[]".into(),
        team_sealed: "v1:sealed".into(),
        operating_mode: OperatingMode::SelfRun,
        budget_yuan: None,
        followers: Some(followers),
        reads: None,
        push_frequency: None,
        operator_count: None,
        functions: String::new(),
        status: AccountStatus::parse(status).unwrap(),
        planned_measure: None,
        interaction_open: false,
        ipv6: None,
        remarks: None,
        created_at: at(1),
        updated_at: at(1),
    }
}

/// root → a → a1, and root → b.
struct Tree {
    root: UnitRow,
    a: UnitRow,
    a1: UnitRow,
    b: UnitRow,
}

async fn tree(db: &DatabaseConnection) -> Tree {
    let root = units::insert(db, unit("根"), None).await.unwrap();
    let a = units::insert(db, unit("甲局"), Some(&root)).await.unwrap();
    let a1 = units::insert(db, unit("甲局办公室"), Some(&a))
        .await
        .unwrap();
    let b = units::insert(db, unit("乙局"), Some(&root)).await.unwrap();
    Tree { root, a, a1, b }
}

fn user(name: &str, unit: &UnitRow) -> UserRow {
    UserRow {
        version: 1,
        id: 0,
        username: name.into(),
        display_name: name.into(),
        password_hash: "$argon2id$placeholder".into(),
        unit_id: unit.id,
        role: "editor".into(),
        active: true,
        created_at: at(1),
        updated_at: at(1),
    }
}

fn query(scope: &str) -> AccountQuery {
    AccountQuery {
        scope_path: scope.into(),
        page: 1,
        per_page: 10,
        ..Default::default()
    }
}

/// Rows as a batch prepares them (built without an id, then given the reserved one).
fn prepared(rows: &[AccountRow]) -> Vec<accounts::PreparedAccount> {
    rows.iter()
        .map(|row| {
            let mut p = accounts::PreparedAccount::new(AccountRow {
                id: 0,
                ..row.clone()
            });
            p.set_id(row.id);
            p
        })
        .collect()
}

fn names(rows: &[AccountRow]) -> Vec<&str> {
    rows.iter().map(|r| r.name.as_str()).collect()
}

#[tokio::test]
async fn migrations_run_again_without_change() {
    let url = govmedia_fixtures::fresh_test_database_url("remigrate")
        .await
        .unwrap();
    let db = govmedia_store::connect(&url, 2).await.unwrap();
    units::insert(&db, unit("根"), None).await.unwrap();
    db.close().await.unwrap();
    // A second start applies nothing and keeps the data.
    let db = govmedia_store::connect(&url, 2).await.unwrap();
    assert_eq!(units::all(&db).await.unwrap().len(), 1);
}

/// Several servers starting on one database: every start finishes (the migration
/// lock is never left held), each step is applied once, and the registry version
/// moves with every write that changes the account list.
#[tokio::test]
async fn servers_start_together_and_share_the_registry_version() {
    let url = govmedia_fixtures::fresh_test_database_url("together")
        .await
        .unwrap();
    let start = || async { govmedia_store::connect(&url, 3).await.unwrap() };
    let limit = std::time::Duration::from_secs(60);
    let (one, two) = tokio::time::timeout(limit, async { tokio::join!(start(), start()) })
        .await
        .expect("both servers start");
    let three = tokio::time::timeout(limit, start())
        .await
        .expect("a later server starts too");
    let v0 = govmedia_store::registry::version(&one).await.unwrap();
    let root = units::insert(&one, unit("根"), None).await.unwrap();
    let a = units::insert(&one, unit("甲"), Some(&root)).await.unwrap();
    let b = units::insert(&one, unit("乙"), Some(&root)).await.unwrap();
    // A new unit changes no list result.
    assert_eq!(govmedia_store::registry::version(&two).await.unwrap(), v0);
    let row = accounts::insert(&two, account("甲发布", &a, "weibo", "normal", 1))
        .await
        .unwrap();
    let v1 = govmedia_store::registry::version(&three).await.unwrap();
    assert!(v1 > v0);
    accounts::update(&three, row).await.unwrap();
    let v2 = govmedia_store::registry::version(&one).await.unwrap();
    assert!(v2 > v1);
    units::move_subtree(&one, &a, Some(&b)).await.unwrap();
    assert!(govmedia_store::registry::version(&two).await.unwrap() > v2);
}

#[tokio::test]
async fn unit_paths_subtrees_and_moves() {
    let db = fresh("units").await;
    let t = tree(&db).await;
    assert_eq!(t.root.path, format!("/{}/", t.root.id));
    assert_eq!(t.a1.path, format!("/{}/{}/{}/", t.root.id, t.a.id, t.a1.id));
    let sub: Vec<i64> = units::subtree(&db, &t.a.path)
        .await
        .unwrap()
        .iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(sub, vec![t.a.id, t.a1.id]);

    // Moving 甲局 under 乙局 re-scopes 甲局办公室 too.
    units::move_subtree(&db, &t.a, Some(&t.b)).await.unwrap();
    let a1 = units::get(&db, t.a1.id).await.unwrap();
    assert_eq!(a1.path, format!("{}{}/{}/", t.b.path, t.a.id, t.a1.id));
    let a = units::get(&db, t.a.id).await.unwrap();
    assert_eq!(a.parent_id, Some(t.b.id));
    assert_eq!(units::subtree(&db, &t.b.path).await.unwrap().len(), 3);

    let deps = units::dependents(&db, t.b.id).await.unwrap();
    assert!(deps.children > 0);
    assert!(matches!(
        units::get(&db, 999_999).await,
        Err(DbError::NotFound)
    ));
}

#[tokio::test]
async fn account_list_filters_scope_sorting_and_pages_agree() {
    let db = fresh("accounts").await;
    let t = tree(&db).await;
    for (name, u, platform, status, followers) in [
        ("甲局发布", &t.a, "weibo", "normal", 300),
        ("甲局服务", &t.a, "douyin", "normal", 100),
        ("甲局办公室之声", &t.a1, "weibo", "paused", 200),
        ("乙局发布", &t.b, "weibo", "normal", 900),
        ("50%_折扣", &t.b, "weibo", "closed", 10),
        ("Gov Weibo", &t.b, "weibo", "normal", 100),
    ] {
        accounts::insert(&db, account(name, u, platform, status, followers))
            .await
            .unwrap();
    }
    // Scope: 甲局's subtree sees its three accounts only.
    let page = accounts::list(&db, &query(&t.a.path)).await.unwrap();
    assert_eq!(page.total, 3);
    let mut got = names(&page.items);
    got.sort();
    assert_eq!(got, vec!["甲局办公室之声", "甲局发布", "甲局服务"]);

    // Platform and status filters.
    let mut q = query(&t.root.path);
    q.platform = Some(Platform::Weibo);
    q.status = Some(AccountStatus::Normal);
    let page = accounts::list(&db, &q).await.unwrap();
    let mut got = names(&page.items);
    got.sort();
    assert_eq!(got, vec!["Gov Weibo", "乙局发布", "甲局发布"]);

    // Text search treats % and _ literally and matches Chinese substrings.
    let mut q = query(&t.root.path);
    q.text = Some("50%_".into());
    assert_eq!(
        names(&accounts::list(&db, &q).await.unwrap().items),
        vec!["50%_折扣"]
    );
    q.text = Some("%".into());
    assert_eq!(accounts::list(&db, &q).await.unwrap().total, 1);
    q.text = Some("发布".into());
    assert_eq!(accounts::list(&db, &q).await.unwrap().total, 2);
    // …and ignores ASCII case on both backends.
    q.text = Some("gov WEIBO".into());
    assert_eq!(
        names(&accounts::list(&db, &q).await.unwrap().items),
        vec!["Gov Weibo"]
    );

    // Sorting by followers descending, ties broken by id, then pages of two.
    let mut q = query(&t.root.path);
    q.sort = SortBy::parse("followers").unwrap();
    q.descending = true;
    q.per_page = 2;
    let first = accounts::list(&db, &q).await.unwrap();
    assert_eq!(first.total, 6);
    assert_eq!(first.pages(), 3);
    assert_eq!(names(&first.items), vec!["乙局发布", "甲局发布"]);
    q.page = 3;
    let last = accounts::list(&db, &q).await.unwrap();
    assert_eq!(names(&last.items), vec!["Gov Weibo", "50%_折扣"]);
    q.page = 9;
    assert!(accounts::list(&db, &q).await.unwrap().items.is_empty());

    // A unit filter inside the scope; and the scope still applies.
    let mut q = query(&t.a.path);
    q.unit_path = Some(t.b.path.clone());
    assert_eq!(accounts::list(&db, &q).await.unwrap().total, 0);

    // Grouped counts.
    let mut by_platform = accounts::count_by(&db, &t.root.path, accounts::CountBy::Platform)
        .await
        .unwrap();
    by_platform.sort();
    assert_eq!(by_platform, vec![("douyin".into(), 1), ("weibo".into(), 5)]);
    let mut by_platform = accounts::count_by_platform(&db, &t.root.path)
        .await
        .unwrap();
    by_platform.sort();
    assert_eq!(
        by_platform,
        vec![(Platform::Weibo, 5), (Platform::Douyin, 1)]
    );
    let mut by_status = accounts::count_by_status(&db, &t.root.path).await.unwrap();
    by_status.sort();
    assert_eq!(
        by_status,
        vec![
            (AccountStatus::Normal, 4),
            (AccountStatus::Paused, 1),
            (AccountStatus::Closed, 1)
        ]
    );
    assert_eq!(
        accounts::active_on_platform(&db, t.a.id, Platform::Weibo)
            .await
            .unwrap(),
        1
    );
    let found = accounts::find_active_by_name(&db, &[Platform::Weibo], " 乙局发布 ")
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].platform, found[0].status),
        (Platform::Weibo, AccountStatus::Normal)
    );
}

/// A code written around the application (or by a later version) is an error that
/// names the table, column and code wherever accounts are read, never a panic or a
/// silently skipped row.
#[tokio::test]
async fn an_unknown_account_code_is_unreadable_not_a_panic() {
    let db = fresh("account_codes").await;
    let t = tree(&db).await;
    let row = accounts::insert(&db, account("甲局发布", &t.a, "weibo", "normal", 1))
        .await
        .unwrap();
    let other = accounts::insert(&db, account("乙局发布", &t.b, "douyin", "normal", 1))
        .await
        .unwrap();
    let unreadable = |e: DbError, column: &str, code: &str| match e {
        DbError::Unreadable {
            table,
            column: c,
            code: v,
        } => assert_eq!((table, c, v.as_str()), ("accounts", column, code)),
        other => panic!("expected Unreadable, got {other:?}"),
    };
    use govmedia_store::ConnectionTrait;
    let set = |sql: &'static str| {
        let db = db.clone();
        async move {
            db.execute_raw(govmedia_store::Statement::from_string(
                db.get_database_backend(),
                sql,
            ))
            .await
            .unwrap();
        }
    };
    set("UPDATE accounts SET platform = 'myspace' WHERE name = '甲局发布'").await;
    unreadable(
        accounts::get(&db, row.id).await.unwrap_err(),
        "platform",
        "myspace",
    );
    unreadable(
        accounts::list(&db, &query(&t.root.path)).await.unwrap_err(),
        "platform",
        "myspace",
    );
    unreadable(
        govmedia_store::duties::accounts_in(&db, &t.root.path)
            .await
            .unwrap_err(),
        "platform",
        "myspace",
    );
    unreadable(
        accounts::count_by_platform(&db, &t.root.path)
            .await
            .unwrap_err(),
        "platform",
        "myspace",
    );
    // Another subtree's rows are read as before.
    assert_eq!(
        accounts::get(&db, other.id).await.unwrap().platform,
        Platform::Douyin
    );
    set("UPDATE accounts SET platform = 'weibo', status = '正常' WHERE name = '甲局发布'").await;
    unreadable(
        accounts::get(&db, row.id).await.unwrap_err(),
        "status",
        "正常",
    );
    set("UPDATE accounts SET status = 'normal', planned_measure = 'merge' WHERE name = '甲局发布'")
        .await;
    unreadable(
        accounts::get(&db, row.id).await.unwrap_err(),
        "planned_measure",
        "merge",
    );
    set("UPDATE accounts SET planned_measure = 'keep' WHERE name = '甲局发布'").await;
    assert_eq!(
        accounts::get(&db, row.id).await.unwrap().planned_measure,
        Some(PlannedMeasure::Keep)
    );

    // The account's credentials name their platform the same way.
    use govmedia_store::credentials::{self, NewCredential};
    let new = NewCredential {
        account_id: row.id,
        platform: Platform::Weibo,
        public_hint: "ab****cd",
        sealed: "v1:x",
        expires_at: None,
        updated_by: None,
        updated_by_name: "自动监测",
        now: at(1),
        callback_key: None,
    };
    let stored = credentials::insert(&db, &new).await.unwrap();
    assert_eq!(stored.platform, Platform::Weibo);
    set("UPDATE account_credentials SET platform = 'wechat'").await;
    match credentials::of(&db, row.id).await.unwrap_err() {
        DbError::Unreadable {
            table,
            column,
            code,
        } => assert_eq!(
            (table, column, code.as_str()),
            ("account_credentials", "platform", "wechat")
        ),
        other => panic!("expected Unreadable, got {other:?}"),
    }
}

#[tokio::test]
async fn users_sessions_and_tokens() {
    let db = fresh("users").await;
    let t = tree(&db).await;
    let ua = users::insert(&db, user("alice", &t.a1)).await.unwrap();
    users::insert(&db, user("bob", &t.b)).await.unwrap();
    assert!(matches!(
        users::insert(&db, user("alice", &t.b)).await,
        Err(DbError::Conflict(_))
    ));
    let in_a: Vec<String> = users::in_subtree(&db, &t.a.path)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(in_a, vec!["alice"]);
    assert!(users::by_username(&db, "nobody").await.unwrap().is_none());

    users::insert_session(
        &db,
        SessionRow {
            token_hash: "h1".into(),
            user_id: ua.id,
            csrf_token: "c1".into(),
            created_at: at(2),
            expires_at: at(2) + Duration::hours(12),
        },
    )
    .await
    .unwrap();
    assert!(users::session(&db, "h1", at(2)).await.unwrap().is_some());
    assert!(users::session(&db, "h1", at(3)).await.unwrap().is_none());
    assert_eq!(users::delete_expired_sessions(&db, at(3)).await.unwrap(), 1);

    let token = users::insert_token(
        &db,
        TokenRow {
            id: 0,
            user_id: ua.id,
            label: "脚本".into(),
            token_hash: "th".into(),
            created_at: at(2),
            last_used_at: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        users::token_by_hash(&db, "th").await.unwrap().map(|t| t.id),
        Some(token.id)
    );
    users::delete_token(&db, ua.id, token.id).await.unwrap();
    assert!(users::tokens_of(&db, ua.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn audit_filters_by_scope_entity_and_time() {
    let db = fresh("audit").await;
    let t = tree(&db).await;
    for (day, path, action, entity) in [
        (2, &t.a.path, "create", "account"),
        (3, &t.a1.path, "update", "account"),
        (4, &t.b.path, "update", "account"),
        (5, &t.a.path, "create", "unit"),
    ] {
        audit::append(
            &db,
            vec![AuditRow {
                summary: format!("第{day}天"),
                ..record(day, path, action, entity)
            }],
        )
        .await
        .unwrap();
    }
    let q = |scope: &str| AuditQuery {
        scope_path: scope.into(),
        page: 1,
        per_page: 50,
        ..Default::default()
    };
    assert_eq!(audit::list(&db, &q(&t.a.path)).await.unwrap().total, 3);
    assert_eq!(audit::list(&db, &q(&t.root.path)).await.unwrap().total, 4);
    let mut filtered = q(&t.root.path);
    filtered.action = Some("update".into());
    filtered.entity = Some("account".into());
    filtered.from = Some(at(3));
    filtered.until = Some(at(3) + Duration::hours(1));
    let rows = audit::list_all(&db, &filtered).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].summary, "第3天");
}

#[tokio::test]
async fn selfcheck_reports_are_one_per_quarter_and_trainings_filter_by_scope_and_day() {
    use govmedia_store::duties::{self, ReportRow, TrainingRow};
    let db = fresh("duties").await;
    let t = tree(&db).await;
    let a1 = accounts::insert(&db, account("甲一", &t.a1, "weibo", "normal", 1))
        .await
        .unwrap();
    let a2 = accounts::insert(&db, account("甲二", &t.a, "douyin", "closed", 1))
        .await
        .unwrap();
    let b1 = accounts::insert(&db, account("乙一", &t.b, "weibo", "paused", 1))
        .await
        .unwrap();
    let clerk = users::insert(&db, user("zhangsan", &t.a)).await.unwrap();
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let report = |u: &UnitRow, q: i32| ReportRow {
        id: 0,
        unit_id: u.id,
        unit_path: u.path.clone(),
        year: 2026,
        quarter: q,
        problems: String::new(),
        summary: "小结".into(),
        submitted_on: day(3, 30),
        submitted_by: clerk.id,
        submitted_by_name: "张三".into(),
        created_at: at(30),
        revised_at: None,
        reviewed_at: None,
        reviewed_by_name: None,
        review_comment: None,
    };
    let ra = duties::insert_report(&db, report(&t.a, 1)).await.unwrap();
    assert!(matches!(
        duties::insert_report(&db, report(&t.a, 1)).await,
        Err(DbError::Conflict(_))
    ));
    let rb = duties::insert_report(&db, report(&t.b, 1)).await.unwrap();
    duties::replace_checks(&db, ra.id, &[a2.id, a1.id])
        .await
        .unwrap();
    duties::replace_checks(&db, ra.id, &[a1.id]).await.unwrap();
    duties::replace_checks(&db, rb.id, &[b1.id]).await.unwrap();
    assert_eq!(duties::checks_of(&db, ra.id).await.unwrap(), vec![a1.id]);
    assert_eq!(
        duties::report_of(&db, t.a.id, 2026, 1)
            .await
            .unwrap()
            .map(|r| r.id),
        Some(ra.id)
    );
    assert!(
        duties::report_of(&db, t.a.id, 2026, 2)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        duties::checks_in(&db, &t.a.path, 2026).await.unwrap(),
        vec![duties::CheckedAccount {
            reporter_path: t.a.path.clone(),
            quarter: 1,
            account_id: a1.id
        }]
    );
    assert_eq!(
        duties::checks_in(&db, &t.root.path, 2026)
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(
        duties::checks_in(&db, &t.root.path, 2025)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        duties::report_days_in(&db, &t.a.path, 2026).await.unwrap(),
        vec![(ra.id, t.a.id, 1, day(3, 30))]
    );
    assert_eq!(
        duties::report_days_in(&db, &t.root.path, 2026)
            .await
            .unwrap()
            .len(),
        2
    );
    let mut accounts = duties::accounts_in(&db, &t.a.path).await.unwrap();
    accounts.sort();
    assert_eq!(
        accounts,
        vec![
            (a1.id, t.a1.id, Platform::Weibo, AccountStatus::Normal),
            (a2.id, t.a.id, Platform::Douyin, AccountStatus::Closed)
        ]
    );
    // Content is replaced until the report is reviewed; a review happens once.
    assert!(
        duties::replace_content(&db, ra.id, "问题", "更正", at(31))
            .await
            .unwrap()
    );
    assert!(
        duties::mark_reviewed(&db, ra.id, at(31), "李四", None)
            .await
            .unwrap()
    );
    assert!(
        !duties::mark_reviewed(&db, ra.id, at(31), "王五", Some("再阅"))
            .await
            .unwrap()
    );
    assert!(
        !duties::replace_content(&db, ra.id, "", "再改", at(31))
            .await
            .unwrap()
    );
    let stored = duties::get_report(&db, ra.id).await.unwrap();
    assert_eq!(
        (
            stored.summary.as_str(),
            stored.reviewed_by_name.as_deref(),
            stored.review_comment
        ),
        ("更正", Some("李四"), None)
    );
    assert!(stored.revised_at.is_some());
    let training = |u: &UnitRow, held_on| TrainingRow {
        id: 0,
        unit_id: u.id,
        unit_path: u.path.clone(),
        held_on,
        title: "业务培训".into(),
        participants: 12,
        organiser: "县政府办".into(),
        note: None,
        recorded_by: clerk.id,
        recorded_by_name: "张三".into(),
        created_at: at(1),
    };
    let ta = duties::insert_training(&db, training(&t.a, day(5, 1)))
        .await
        .unwrap();
    duties::insert_training(&db, training(&t.b, day(5, 1)))
        .await
        .unwrap();
    duties::insert_training(
        &db,
        training(
            &t.a1,
            chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
        ),
    )
    .await
    .unwrap();
    let in_a = duties::trainings_in(&db, &t.a.path, day(1, 1), day(12, 31))
        .await
        .unwrap();
    assert_eq!(in_a.iter().map(|r| r.id).collect::<Vec<_>>(), vec![ta.id]);
    duties::delete_training(&db, ta.id).await.unwrap();
    assert!(matches!(
        duties::get_training(&db, ta.id).await,
        Err(DbError::NotFound)
    ));
}

/// Migration 10 moves each assessment entry's proof file to its own table: a file
/// written before the upgrade is still there after it, and entries read without it.
#[tokio::test]
async fn step_10_keeps_the_proof_files_of_existing_entries() {
    let url = govmedia_fixtures::fresh_test_database_url("step10")
        .await
        .expect("test database");
    let db = govmedia_store::open(&url, 2).await.unwrap();
    let applied = govmedia_store::migrate_through(&db, 9).await.unwrap();
    assert_eq!(applied.last(), Some(&9));
    let insert = |id: i64, file: Option<Vec<u8>>| {
        govmedia_store::sql(
            db.get_database_backend(),
            "INSERT INTO assessment_entries (id, unit_id, unit_path, year, kind, count, evidence, \
             status, file_name, file_mime, file_content, entered_by, entered_by_name, created_at) \
             VALUES (?, 1, '/1/', 2026, 'commend_city', 1, '表彰', 'claimed', ?, ?, ?, 1, '张三', ?)",
            vec![
                id.into(),
                file.as_ref().map(|_| "表彰.pdf".to_string()).into(),
                file.as_ref().map(|_| "application/pdf".to_string()).into(),
                file.into(),
                at(2).into(),
            ],
        )
    };
    use sea_orm::ConnectionTrait;
    db.execute_raw(insert(1, Some(b"%PDF-1.7 proof".to_vec())))
        .await
        .unwrap();
    db.execute_raw(insert(2, None)).await.unwrap();
    assert_eq!(
        govmedia_store::migrate_through(&db, 10).await.unwrap(),
        vec![10]
    );

    use govmedia_store::assessment;
    assert_eq!(
        assessment::entry_file(&db, 1).await.unwrap(),
        b"%PDF-1.7 proof".to_vec()
    );
    assert!(matches!(
        assessment::entry_file(&db, 2).await,
        Err(DbError::NotFound)
    ));
    let entries = assessment::entries_in(&db, "/1/", 2026, None)
        .await
        .unwrap();
    assert_eq!(
        entries
            .iter()
            .map(|e| (e.id, e.file_name.as_deref()))
            .collect::<Vec<_>>(),
        vec![(2, None), (1, Some("表彰.pdf"))]
    );
}

#[tokio::test]
async fn reserved_account_ids_are_fresh_and_never_reused() {
    use govmedia_store::TransactionTrait;
    let db = fresh("reserve").await;
    let t = tree(&db).await;
    // On an empty table, then after ordinary inserts.
    let txn = db.begin().await.unwrap();
    let first = accounts::reserve_ids(&txn, 3).await.unwrap();
    assert_eq!(first.len(), 3);
    // Every field as given, the reserved id included.
    let expected: Vec<AccountRow> = first
        .iter()
        .enumerate()
        .map(|(i, id)| AccountRow {
            id: *id,
            ..account(&format!("预留{i}"), &t.a, "weibo", "normal", 1)
        })
        .collect();
    let rows = prepared(&expected);
    let version = govmedia_store::registry::version(&txn).await.unwrap();
    accounts::insert_with_ids(&txn, rows, 2).await.unwrap();
    assert_eq!(
        govmedia_store::registry::version(&txn).await.unwrap(),
        version + 1,
        "one bump for the batch"
    );
    txn.commit().await.unwrap();
    for row in &expected {
        assert_eq!(&accounts::get(&db, row.id).await.unwrap(), row);
    }
    let next = accounts::insert(&db, account("之后", &t.a, "weibo", "normal", 1))
        .await
        .unwrap();
    assert!(
        first.iter().all(|id| *id < next.id),
        "{first:?} {}",
        next.id
    );

    // Ids reserved by a transaction that rolled back are not handed out again.
    let txn = db.begin().await.unwrap();
    let dropped = accounts::reserve_ids(&txn, 5).await.unwrap();
    txn.rollback().await.unwrap();
    let txn = db.begin().await.unwrap();
    let again = accounts::reserve_ids(&txn, 2).await.unwrap();
    txn.commit().await.unwrap();
    let mut all: Vec<i64> = first.iter().chain(&again).copied().collect();
    all.push(next.id);
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 6, "distinct ids");
    assert!(again.iter().all(|id| *id > next.id));
    // SQLite rolls the counter back with the transaction; PostgreSQL's sequence does not:
    // either way the new ids are above every committed one.
    let _ = dropped;
    assert!(accounts::reserve_ids(&db, 0).await.unwrap().is_empty());

    let mut names: Vec<(i64, String)> = units::subtree_names(&db, &t.a.path)
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            (t.a.id, "甲局".to_string()),
            (t.a1.id, "甲局办公室".to_string())
        ]
    );
}

#[tokio::test]
async fn a_bulk_transaction_writes_reads_commits_and_rolls_back_like_any_other() {
    use govmedia_store::bulk_txn;
    let db = fresh("bulk_txn").await;
    let t = tree(&db).await;

    // Written, read back inside the transaction, committed: every field as given.
    let txn = bulk_txn::begin(&db).await.unwrap();
    let ids = accounts::reserve_ids(&txn, 3).await.unwrap();
    let expected: Vec<AccountRow> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| AccountRow {
            id: *id,
            remarks: Some(format!("第{i}行 'quoted' \"text\"")),
            ..account(&format!("批量{i}"), &t.a, "douyin", "normal", 7)
        })
        .collect();
    accounts::insert_with_ids(&txn, prepared(&expected), 2)
        .await
        .unwrap();
    assert_eq!(accounts::get(&txn, ids[1]).await.unwrap(), expected[1]);
    let head = audit::append(
        &txn,
        vec![AuditRow {
            entity_id: None,
            summary: "批量".into(),
            after_json: Some("{\"n\":3}".into()),
            ..record(3, &t.a.path, "import", "account")
        }],
    )
    .await
    .unwrap();
    assert_eq!(head.seq, 1, "the record is the chain's first");
    txn.commit().await.unwrap();
    for row in &expected {
        assert_eq!(&accounts::get(&db, row.id).await.unwrap(), row);
    }
    let records = audit::list_all(
        &db,
        &AuditQuery {
            scope_path: "/".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        records
            .iter()
            .map(|r| (r.id, r.summary.as_str()))
            .collect::<Vec<_>>(),
        vec![(records[0].id, "批量")]
    );

    // Dropped without a commit: nothing it wrote remains, and the pool works on.
    let txn = bulk_txn::begin(&db).await.unwrap();
    let dropped = accounts::reserve_ids(&txn, 1).await.unwrap();
    let row = AccountRow {
        id: dropped[0],
        ..account("未提交", &t.a, "weibo", "normal", 1)
    };
    accounts::insert_with_ids(&txn, prepared(std::slice::from_ref(&row)), 2)
        .await
        .unwrap();
    drop(txn);
    assert!(matches!(
        accounts::get(&db, dropped[0]).await,
        Err(DbError::NotFound)
    ));
    let txn = bulk_txn::begin(&db).await.unwrap();
    assert!(matches!(
        accounts::get(&txn, dropped[0]).await,
        Err(DbError::NotFound)
    ));
    // A duplicate is refused with the database's error, as through sea-orm's own
    // transaction (PostgreSQL then fails the whole transaction; it is dropped).
    let again = accounts::insert_with_ids(&txn, prepared(&expected[..1]), 2).await;
    assert!(
        matches!(&again, Err(DbError::Other(e)) if e.to_string().contains("UNIQUE") || e.to_string().contains("duplicate key")),
        "{again:?}"
    );
}

/// Five records in two appends, checked; then each kind of tampering on a copy of
/// that history is found at the record where it happened.
#[tokio::test]
async fn the_audit_chain_finds_an_edited_deleted_or_reordered_record() {
    use govmedia_store::audit::BreakKind;
    use govmedia_store::{ConnectionTrait, Statement};
    async fn history(label: &str) -> DatabaseConnection {
        let db = fresh(label).await;
        let mut rows: Vec<AuditRow> = (1..=5)
            .map(|d| record(d, "/1/", "update", "account"))
            .collect();
        // Nanoseconds are cut to the microseconds both databases keep.
        rows[0].at += Duration::nanoseconds(123_456_789);
        let rest = rows.split_off(2);
        audit::append(&db, rows).await.unwrap();
        let head = audit::append(&db, rest).await.unwrap();
        assert_eq!(head.seq, 5);
        db
    }
    async fn run(db: &DatabaseConnection, sql: &str) {
        db.execute_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap();
    }
    let seq_of = |db: &DatabaseConnection| {
        let db = db.clone();
        async move {
            let r = audit::verify(&db).await.unwrap();
            r.broken.map(|b| (b.seq, b.kind))
        }
    };

    let db = history("chain_ok").await;
    let report = audit::verify(&db).await.unwrap();
    assert_eq!((report.checked, report.broken), (5, None));
    assert_eq!(report.head, audit::head(&db).await.unwrap());

    let db = history("chain_edit").await;
    run(&db, "UPDATE audit_log SET summary = '改过' WHERE seq = 3").await;
    assert_eq!(seq_of(&db).await, Some((Some(3), BreakKind::Edited)));

    let db = history("chain_time").await;
    run(&db, "UPDATE audit_log SET entity_id = 99 WHERE seq = 1").await;
    assert_eq!(seq_of(&db).await, Some((Some(1), BreakKind::Edited)));

    let db = history("chain_delete").await;
    run(&db, "DELETE FROM audit_log WHERE seq = 2").await;
    assert_eq!(seq_of(&db).await, Some((Some(3), BreakKind::Missing)));

    let db = history("chain_renumber").await;
    run(&db, "DELETE FROM audit_log WHERE seq = 2").await;
    run(&db, "UPDATE audit_log SET seq = seq - 1 WHERE seq > 2").await;
    assert_eq!(seq_of(&db).await, Some((Some(2), BreakKind::Relinked)));

    let db = history("chain_swap").await;
    run(&db, "UPDATE audit_log SET seq = -1 WHERE seq = 2").await;
    run(&db, "UPDATE audit_log SET seq = 2 WHERE seq = 4").await;
    run(&db, "UPDATE audit_log SET seq = 4 WHERE seq = -1").await;
    assert_eq!(seq_of(&db).await, Some((Some(2), BreakKind::Relinked)));

    let db = history("chain_truncate").await;
    run(&db, "DELETE FROM audit_log WHERE seq = 5").await;
    assert_eq!(seq_of(&db).await, Some((Some(5), BreakKind::Truncated)));

    let db = history("chain_outside").await;
    run(
        &db,
        "INSERT INTO audit_log (at, username, action, entity, unit_path, summary) \
         VALUES ('2026-03-09T09:00:00Z', 'x', 'update', 'account', '/1/', '绕过')",
    )
    .await;
    assert_eq!(seq_of(&db).await, Some((None, BreakKind::Unchained)));
}

/// Records written before the chain existed are chained by the migration, in the
/// order they were written, and later records continue the chain.
#[tokio::test]
async fn the_migration_chains_the_records_written_before_it() {
    use govmedia_store::{ConnectionTrait, Statement};
    let url = govmedia_fixtures::fresh_test_database_url("chain_upgrade")
        .await
        .unwrap();
    let db = govmedia_store::open(&url, 2).await.unwrap();
    govmedia_store::migrate_through(&db, 16).await.unwrap();
    for day in 1..=3 {
        db.execute_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "INSERT INTO audit_log (at, username, action, entity, unit_path, summary) \
                 VALUES ('2026-03-0{day}T09:00:00.5Z', 'system', 'update', 'account', '/1/', '第{day}天')"
            ),
        ))
        .await
        .unwrap();
    }
    govmedia_store::migrate(&db).await.unwrap();
    let db = govmedia_store::connect(&url, 2).await.unwrap();
    let report = audit::verify(&db).await.unwrap();
    assert_eq!((report.checked, report.broken), (3, None));
    audit::append(&db, vec![record(4, "/1/", "update", "account")])
        .await
        .unwrap();
    let report = audit::verify(&db).await.unwrap();
    assert_eq!(
        (report.checked, report.broken, report.head.seq),
        (4, None, 4)
    );
    // The migration's records keep encoding version 1; the one appended since is of
    // version 2 (its hash is not the version-1 hash of its content).
    let last = audit::list(
        &db,
        &AuditQuery {
            scope_path: "/".into(),
            per_page: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .items;
    let v1_of = |r: &AuditRow| {
        use govmedia_domain::audit_chain::v1;
        v1::hash(
            r.prev_hash.as_deref().unwrap(),
            &v1::Content {
                seq: r.seq.unwrap(),
                at: r.at,
                user_id: r.user_id,
                username: &r.username,
                action: &r.action,
                entity: &r.entity,
                entity_id: r.entity_id,
                unit_path: &r.unit_path,
                summary: &r.summary,
                before_json: r.before_json.as_deref(),
                after_json: r.after_json.as_deref(),
            },
        )
    };
    let newest = &last[0];
    assert_eq!(newest.seq, Some(4));
    assert_ne!(newest.hash.as_deref(), Some(v1_of(newest).as_str()));
    assert_eq!(last[1].hash.as_deref(), Some(v1_of(&last[1]).as_str()));
    // A version-1 hash after a record of version 2 does not hold: an old encoding
    // cannot be used to rewrite a record written since.
    audit::append(&db, vec![record(5, "/1/", "update", "account")])
        .await
        .unwrap();
    let fifth = audit::list(
        &db,
        &AuditQuery {
            scope_path: "/".into(),
            per_page: 1,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .items
    .remove(0);
    let forged = v1_of(&fifth);
    db.execute_raw(govmedia_store::sql(
        db.get_database_backend(),
        "UPDATE audit_log SET hash = ? WHERE seq = 5",
        vec![forged.clone().into()],
    ))
    .await
    .unwrap();
    db.execute_raw(govmedia_store::sql(
        db.get_database_backend(),
        "UPDATE audit_chain_head SET hash = ? WHERE id = 1",
        vec![forged.into()],
    ))
    .await
    .unwrap();
    let report = audit::verify(&db).await.unwrap();
    assert_eq!(
        report.broken.map(|b| (b.seq, b.kind)),
        Some((Some(5), audit::BreakKind::Edited))
    );
}

/// Version 26 refuses while a row names a missing parent, and once the rows are valid
/// adds the references on both backends, keeping every row, index and id counter.
#[tokio::test]
async fn foreign_keys_are_added_only_over_valid_rows() {
    use govmedia_store::{ConnectionTrait, Statement};
    let url = govmedia_fixtures::fresh_test_database_url("foreign_keys")
        .await
        .unwrap();
    let db = govmedia_store::open(&url, 2).await.unwrap();
    govmedia_store::migrate_through(&db, 25).await.unwrap();
    let t = tree(&db).await;
    let a1 = accounts::insert(&db, account("甲一", &t.a1, "weibo", "normal", 1))
        .await
        .unwrap();
    let run = |sql: String| {
        let db = db.clone();
        async move {
            db.execute_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
        }
    };
    // A post of an account that does not exist, as an old unchecked write left it.
    let orphan = "INSERT INTO posts (account_id, source, platform_post_id, title, \
                  first_seen_at) VALUES ({account}, 'feed', 'p1', '标题', '2026-03-01T09:00:00Z')";
    run(orphan.replace("{account}", "999999")).await.unwrap();
    let refused = govmedia_store::migrate(&db).await.unwrap_err().to_string();
    assert!(
        refused.contains("posts.account_id") && refused.contains("999999"),
        "{refused}"
    );
    run("DELETE FROM posts".into()).await.unwrap();
    run(orphan.replace("{account}", &a1.id.to_string()))
        .await
        .unwrap();
    assert_eq!(
        govmedia_store::migrate_through(&db, 26).await.unwrap(),
        vec![26]
    );
    govmedia_store::migrate(&db).await.unwrap();

    let db = govmedia_store::connect(&url, 2).await.unwrap();
    // Rows, the self-reference of units and the list's index survive.
    let subtree = units::subtree(&db, &t.a.path).await.unwrap();
    assert_eq!(subtree.len(), 2);
    let page = accounts::list(&db, &query(&t.root.path)).await.unwrap();
    assert_eq!(page.total, 1);
    // A new unit takes a new id, never one used before.
    let later = units::insert(&db, unit("丙局"), Some(&t.root))
        .await
        .unwrap();
    assert!(later.id > t.b.id);
    // The references hold now: a post of a missing account and a unit under a
    // missing parent are refused; deleting a unit that still hosts accounts is too.
    let refused = run(orphan.replace("{account}", "888888"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused.sql_err(),
            Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_))
        ),
        "{refused}"
    );
    assert!(
        run(format!(
            "UPDATE units SET parent_id = 777777 WHERE id = {}",
            later.id
        ))
        .await
        .is_err()
    );
    assert!(matches!(
        units::delete(&db, t.a1.id).await,
        Err(DbError::Conflict(_))
    ));
    units::delete(&db, later.id).await.unwrap();
}

/// Version 37: the automatic monitor's recorder, written as 0, becomes NULL; the
/// step refuses while another value names a missing user, then the references hold
/// on both backends, keeping the rows, the rows that name them and the id counter.
#[tokio::test]
async fn step_37_makes_the_automatic_recorder_null_and_references_users() {
    use govmedia_store::credentials;
    use govmedia_store::{ConnectionTrait, Statement};
    let url = govmedia_fixtures::fresh_test_database_url("step37")
        .await
        .unwrap();
    let db = govmedia_store::open(&url, 2).await.unwrap();
    govmedia_store::migrate_through(&db, 36).await.unwrap();
    let backend = db.get_database_backend();
    let t = tree(&db).await;
    let clerk = users::insert(&db, user("clerk", &t.a1)).await.unwrap();
    let a1 = accounts::insert(&db, account("甲一", &t.a1, "weibo", "normal", 1))
        .await
        .unwrap();
    let run = |sql: &str, values: Vec<sea_orm::Value>| {
        let db = db.clone();
        let stmt = govmedia_store::sql(backend, sql, values);
        async move { db.execute_raw(stmt).await }
    };
    // Findings told apart by their count: by the monitor (0), by the clerk, and one
    // naming a user that does not exist.
    let finding = |count: i64, recorded_by: Option<i64>| {
        run(
            "INSERT INTO findings (unit_id, unit_path, indicator_set, item_code, count, source, \
             status, seen_on, recorded_by, recorded_by_name, created_at, updated_at) \
             VALUES (?, ?, '2019', 'veto_no_update', ?, 'monitoring', 'open', ?, ?, '自动监测', ?, ?)",
            vec![
                t.a1.id.into(),
                t.a1.path.clone().into(),
                count.into(),
                at(1).date_naive().into(),
                recorded_by.into(),
                at(1).into(),
                at(1).into(),
            ],
        )
    };
    let id_of = |count: i64| {
        let db = db.clone();
        async move {
            db.query_one_raw(govmedia_store::sql(
                backend,
                "SELECT id, recorded_by FROM findings WHERE count = ?",
                vec![count.into()],
            ))
            .await
            .unwrap()
            .map(|r| {
                (
                    r.try_get::<i64>("", "id").unwrap(),
                    r.try_get::<Option<i64>>("", "recorded_by").unwrap(),
                )
            })
        }
    };
    finding(1, Some(0)).await.unwrap();
    finding(2, Some(clerk.id)).await.unwrap();
    finding(3, Some(555_555)).await.unwrap();
    let (by_monitor, _) = id_of(1).await.unwrap();
    let (removed, _) = id_of(3).await.unwrap();
    // A screenshot names the monitor's finding: the rebuild must keep it valid.
    run(
        "INSERT INTO finding_screenshots (finding_id, file_name, mime, size, content, uploaded_by, uploaded_at) \
         VALUES (?, 'a.png', 'image/png', 1, ?, ?, ?)",
        vec![
            by_monitor.into(),
            vec![0u8].into(),
            clerk.id.into(),
            at(1).into(),
        ],
    )
    .await
    .unwrap();
    run(
        "INSERT INTO account_credentials (account_id, platform, public_hint, sealed, version, \
         updated_by, updated_by_name, created_at, updated_at) \
         VALUES (?, 'weibo', 'ab****cd', 'v1:x', 1, 0, '自动监测', ?, ?)",
        vec![a1.id.into(), at(1).into(), at(1).into()],
    )
    .await
    .unwrap();

    let refused = govmedia_store::migrate(&db).await.unwrap_err().to_string();
    assert!(
        refused.contains("findings.recorded_by") && refused.contains("555555"),
        "{refused}"
    );
    run("DELETE FROM findings WHERE id = ?", vec![removed.into()])
        .await
        .unwrap();
    assert_eq!(
        govmedia_store::migrate_through(&db, 37).await.unwrap(),
        vec![37]
    );

    let db = govmedia_store::connect(&url, 2).await.unwrap();
    assert_eq!(id_of(1).await, Some((by_monitor, None)));
    assert_eq!(id_of(2).await.map(|(_, by)| by), Some(Some(clerk.id)));
    let kept = db
        .query_one_raw(govmedia_store::sql(
            backend,
            "SELECT COUNT(*) AS n FROM finding_screenshots WHERE finding_id = ?",
            vec![by_monitor.into()],
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(kept, 1);
    let creds = credentials::of(&db, a1.id).await.unwrap().unwrap();
    assert_eq!(creds.updated_by, None);
    // NULL is allowed, a missing user is not, and ids are never reused.
    let run = |sql: &str, values: Vec<sea_orm::Value>| {
        let db = db.clone();
        let stmt = govmedia_store::sql(backend, sql, values);
        async move { db.execute_raw(stmt).await }
    };
    run(
        "INSERT INTO findings (unit_id, unit_path, indicator_set, item_code, count, source, \
         status, seen_on, recorded_by, recorded_by_name, created_at, updated_at) \
         VALUES (?, ?, '2019', 'veto_no_update', 4, 'monitoring', 'open', ?, NULL, '自动监测', ?, ?)",
        vec![
            t.a1.id.into(),
            t.a1.path.clone().into(),
            at(1).date_naive().into(),
            at(1).into(),
            at(1).into(),
        ],
    )
    .await
    .unwrap();
    assert!(id_of(4).await.unwrap().0 > removed);
    for sql in [
        "UPDATE findings SET recorded_by = 444444 WHERE count = 2",
        "UPDATE account_credentials SET updated_by = 444444",
    ] {
        let refused = db
            .execute_raw(Statement::from_string(backend, sql))
            .await
            .unwrap_err();
        assert!(
            matches!(
                refused.sql_err(),
                Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_))
            ),
            "{sql}: {refused}"
        );
    }
}

/// Migration 30 fills the impact of every posting written before it (the SQL formula
/// equals `knowledge::impact`, within the rounding the search's bound allows) and
/// each term's document frequency.
#[tokio::test]
async fn step_30_fills_impacts_and_document_frequencies() {
    use govmedia_store::knowledge;
    use sea_orm::ConnectionTrait;
    let url = govmedia_fixtures::fresh_test_database_url("step30")
        .await
        .expect("test database");
    let db = govmedia_store::open(&url, 2).await.unwrap();
    govmedia_store::migrate_through(&db, 25).await.unwrap();
    let backend = db.get_database_backend();
    // A real unit, so the foreign keys of later steps hold.
    db.execute_raw(govmedia_store::sql(
        backend,
        "INSERT INTO units (id, path, name, level, kind, created_at, updated_at) \
         VALUES (1, '/1/', '测试县人民政府', 'county', 'people_government', ?, ?)",
        vec![at(1).into(), at(1).into()],
    ))
    .await
    .unwrap();
    let lens = [3i64, 40, 64, 150, 900];
    for (n, len) in lens.iter().enumerate() {
        db.execute_raw(govmedia_store::sql(
            backend,
            "INSERT INTO kb_entries (id, unit_id, question, answer, topic, source, attention, public, \
             status, doc_len, created_at, updated_at, version) \
             VALUES (?, 1, '问', '答', '社会保险', '', 0, ?, 'active', ?, ?, ?, 1)",
            vec![
                (n as i64 + 1).into(),
                false.into(),
                (*len).into(),
                at(1).into(),
                at(1).into(),
            ],
        ))
        .await
        .unwrap();
        for (term, tf) in [("社保", 1i64), ("缴费", n as i64 + 1)] {
            db.execute_raw(govmedia_store::sql(
                backend,
                "INSERT INTO kb_postings (term, entry_id, tf) VALUES (?, ?, ?)",
                vec![term.into(), (n as i64 + 1).into(), tf.into()],
            ))
            .await
            .unwrap();
        }
    }
    assert!(
        govmedia_store::migrate_through(&db, 30)
            .await
            .unwrap()
            .contains(&30)
    );
    let rows = db
        .query_all_raw(govmedia_store::sql(
            backend,
            "SELECT p.tf, p.impact, e.doc_len FROM kb_postings p JOIN kb_entries e ON e.id = p.entry_id",
            vec![],
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 10);
    for r in rows {
        let (tf, impact, len): (i64, i64, i64) = (
            r.try_get("", "tf").unwrap(),
            r.try_get("", "impact").unwrap(),
            r.try_get("", "doc_len").unwrap(),
        );
        let want = knowledge::impact(tf, len);
        assert!(
            want > 0 && (impact - want).abs() <= 1,
            "tf {tf} len {len}: {impact} vs {want}"
        );
    }
    let df = knowledge::document_frequencies(&db, &["社保".into(), "缴费".into(), "医保".into()])
        .await
        .unwrap();
    assert_eq!(df.len(), 2);
    assert!(df.iter().all(|(_, n)| *n == 5), "{df:?}");
}

/// A filing's kind and status, and its steps' status, leave the store as the domain's
/// enumerations; a code the domain does not know is an error naming where it was read.
#[tokio::test]
async fn filings_leave_the_store_typed() {
    use govmedia_domain::filing::{FilingKind, FilingStatus, StepStatus};
    use govmedia_store::ConnectionTrait;
    use govmedia_store::filings::{self, FilingRow, StepRow};
    let db = fresh("filing_codes").await;
    let t = tree(&db).await;
    let clerk = users::insert(&db, user("clerk", &t.a)).await.unwrap();
    let filing = filings::insert(
        &db,
        FilingRow {
            id: 0,
            kind: FilingKind::Pause,
            status: FilingStatus::Pending,
            account_id: None,
            host_unit_id: t.a.id,
            applicant_user_id: clerk.id,
            applicant_name: "张三".into(),
            title: "甲局发布".into(),
            reason: "维护".into(),
            effective_on: None,
            notice_url: None,
            proposal_sealed: None,
            diff_json: None,
            profile_id: "default".into(),
            period_json: None,
            forwarding_json: None,
            filed_on: None,
            accepted_on: None,
            forwarded_at: None,
            created_at: at(1),
            updated_at: at(1),
            version: 1,
            record_number: None,
            record_authority: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (filing.kind, filing.status),
        (FilingKind::Pause, FilingStatus::Pending)
    );
    let step = StepRow {
        id: 0,
        filing_id: filing.id,
        position: 1,
        label: "主办单位负责人".into(),
        approver: "host_head".into(),
        unit_id: Some(t.a.id),
        authority: None,
        recorded_by_unit_id: None,
        status: StepStatus::Waiting,
        decided_by: None,
        decided_by_name: None,
        decided_at: None,
        comment: None,
        document: None,
    };
    filings::replace_steps(&db, filing.id, vec![step])
        .await
        .unwrap();
    let mut steps = filings::steps_of(&db, &[filing.id]).await.unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].status, StepStatus::Waiting);
    steps[0].status = StepStatus::Approved;
    let saved = filings::update_step(&db, steps.remove(0)).await.unwrap();
    assert_eq!(saved.status, StepStatus::Approved);
    assert_eq!(
        filings::with_status(&db, FilingStatus::Pending)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        filings::in_subtree(&db, &t.a.path, Some(FilingStatus::Accepted))
            .await
            .unwrap()
            .is_empty()
    );

    let set = |sql: &'static str| {
        let db = db.clone();
        async move {
            db.execute_raw(govmedia_store::Statement::from_string(
                db.get_database_backend(),
                sql,
            ))
            .await
            .unwrap();
        }
    };
    let unreadable = |e: DbError| match e {
        DbError::Unreadable {
            table,
            column,
            code,
        } => (table, column, code),
        other => panic!("expected Unreadable, got {other:?}"),
    };
    set("UPDATE filings SET kind = 'merge'").await;
    assert_eq!(
        unreadable(filings::get(&db, filing.id).await.unwrap_err()),
        ("filings", "kind", "merge".to_string())
    );
    set("UPDATE filings SET kind = 'pause', status = '审批中'").await;
    assert_eq!(
        unreadable(
            filings::in_subtree(&db, &t.root.path, None)
                .await
                .unwrap_err()
        ),
        ("filings", "status", "审批中".to_string())
    );
    set("UPDATE filing_steps SET status = 'skipped'").await;
    assert_eq!(
        unreadable(filings::steps_of(&db, &[filing.id]).await.unwrap_err()),
        ("filing_steps", "status", "skipped".to_string())
    );
}
