//! A clerk's pages (issue 19) over HTTP: the 自查 form's accounts grouped by unit
//! with the right words and its select-all links for a browser without
//! JavaScript; the global search (page and API) — each kind found, a sibling's
//! objects never, an empty or oversize query answered cleanly; the help page.

use crate::common::*;
use axum::http::StatusCode;

#[tokio::test]
async fn the_selfcheck_form_groups_accounts_by_unit_and_names_them_right() {
    let w = world("clerk_selfcheck").await;
    let admin = actor(&w.svc, 1).await;
    // An account run by the education bureau's internal organ.
    govmedia_registry::accounts::create(&w.svc, &admin, &account_input("测试教育办公", w.unit_a1))
        .await
        .unwrap();
    add_user(&w.svc, "a_host_admin", w.unit_a, "host_admin").await;
    let office = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let unit_a = login(&w.app, "a_host_admin", PASSWORD).await.ok().unwrap();

    // The county reports for units below it: grouped, each group named with its kind.
    let root = w.root.to_string();
    let form = office
        .get(&format!(
            "/selfchecks/new?unit_id={root}&year=2026&quarter=1"
        ))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    let b = &form.body;
    assert!(b.contains("本单位及下属单位的在用账号，共3个"), "{b}");
    assert!(!b.contains("本单位及内设机构"), "{b}");
    for unit in ["测试县教育局", "测试县教育局办公室", "测试县卫生健康委员会"]
    {
        assert!(
            b.contains(&format!("<strong>{unit}</strong>")),
            "{unit}: {b}"
        );
    }
    assert_eq!(
        b.matches("details class=\"account-group\"").count(),
        3,
        "{b}"
    );
    assert!(b.contains("（内设机构）") && b.contains("已选 <span class=\"ticked\">0</span> / 1"));
    assert!(b.contains("/static/app.js"), "the enhancement is loaded");
    // Without JavaScript: the links tick all accounts, or one group's.
    let all = office
        .get(&format!(
            "/selfchecks/new?unit_id={root}&year=2026&quarter=1&check=all"
        ))
        .await;
    assert_eq!(all.body.matches(" checked").count(), 3, "{}", all.body);
    let one = office
        .get(&format!(
            "/selfchecks/new?unit_id={root}&year=2026&quarter=1&check={}",
            w.unit_b
        ))
        .await;
    assert_eq!(one.body.matches(" checked").count(), 1, "{}", one.body);
    assert!(
        one.body
            .contains(&format!("value=\"{}\" checked", w.account_b))
    );

    // The bureau's own form: itself and its internal organ.
    let form = unit_a.get("/selfchecks/new").await;
    assert!(
        form.body.contains("本单位及内设机构的在用账号，共2个"),
        "{}",
        form.body
    );
    assert!(!form.body.contains("测试健康"));
    // A unit outside the subtree is not found, also through the select-all link.
    let foreign = unit_a
        .get(&format!("/selfchecks/new?unit_id={}&check=all", w.unit_b))
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    // The ticked accounts are what the report holds.
    let r = office
        .post_form(
            "/selfchecks/new",
            &[
                ("unit_id", &root),
                ("year", "2026"),
                ("quarter", "1"),
                ("account_ids", &w.account_a.to_string()),
                ("account_ids", &w.account_b.to_string()),
                ("summary", "全县检查两个账号"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let report = office.get(r.location.as_deref().unwrap()).await;
    assert!(report.body.contains("测试教育") && report.body.contains("测试健康"));
}

#[tokio::test]
async fn global_search_finds_each_kind_in_scope_only() {
    let w = world("clerk_search").await;
    let inspector = add_user(&w.svc, "inspector", w.root, "inspector").await;
    update_late_finding(&w.svc, inspector, w.account_a).await;
    update_late_finding(&w.svc, inspector, w.account_b).await;
    add_user(&w.svc, "a_host_admin", w.unit_a, "host_admin").await;
    let office = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let unit_a = login(&w.app, "a_host_admin", PASSWORD).await.ok().unwrap();
    let unit_b = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let r = unit_a
        .post_form(
            "/filings/new",
            &[
                ("filing_kind", "open"),
                ("intent", "submit"),
                ("reason", "发布教育政策信息"),
                ("name", "测试教育新号"),
                ("platform", "wechat_subscription"),
                ("host_unit_id", &w.unit_a.to_string()),
                ("team_role_0", "administrator"),
                ("team_name_0", "赵六"),
                ("team_mobile_0", "13900001111"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The redirect may carry a notice after the filing's address.
    let filing = r.location.unwrap().split('?').next().unwrap().to_string();

    // The header's box on every page.
    assert!(unit_a.get("/").await.body.contains("action=\"/search\""));

    // Each kind: an account by name, a unit by name, the filing by its title, the
    // finding by its problem in words and by its account's name.
    let page = office.get(&format!("/search?q={}", enc("教育"))).await;
    assert_eq!(page.status, StatusCode::OK);
    let b = &page.body;
    for kind in ["账号（", "单位（", "备案（", "检查问题（"] {
        assert!(b.contains(kind), "{kind}: {b}");
    }
    assert!(
        b.contains(&format!("href=\"/accounts/{}\"", w.account_a)),
        "{b}"
    );
    assert!(
        b.contains(&format!("href=\"/accounts?unit={}\"", w.unit_a)),
        "{b}"
    );
    assert!(b.contains(&format!("href=\"{filing}\"")), "{b}");
    assert!(b.contains("内容更新不及时"), "{b}");
    let by_problem = office
        .api(
            "GET",
            &format!("/api/v1/search?q={}", enc("更新不及时")),
            None,
        )
        .await;
    assert_eq!(by_problem.status, StatusCode::OK, "{}", by_problem.body);
    let json: serde_json::Value = serde_json::from_str(&by_problem.body).unwrap();
    let findings = json["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == "finding")
        .unwrap();
    assert_eq!(findings["kind_label"], "检查问题");
    assert_eq!(findings["hits"].as_array().unwrap().len(), 2, "{json}");

    // Scope: the health commission sees its own finding and nothing of the bureau.
    let theirs = unit_b
        .api("GET", &format!("/api/v1/search?q={}", enc("测试")), None)
        .await;
    let json: serde_json::Value = serde_json::from_str(&theirs.body).unwrap();
    let text = json.to_string();
    assert!(text.contains("测试健康"), "{text}");
    for foreign in ["测试教育", "测试县教育局", "测试县人民政府", &filing] {
        assert!(!text.contains(foreign), "{foreign} leaked: {text}");
    }
    let page = unit_b.get(&format!("/search?q={}", enc("教育"))).await;
    assert!(page.body.contains("没有找到"), "{}", page.body);
    assert!(!page.body.contains("href=\"/accounts/"), "{}", page.body);

    // An empty query shows the form; an oversize one says why; neither fails.
    let empty = unit_a.get("/search?q=").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(!empty.body.contains("没有找到"));
    let long = "长".repeat(51);
    let page = unit_a.get(&format!("/search?q={}", enc(&long))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("搜索文字不超过50个字"), "{}", page.body);
    let api = unit_a
        .api("GET", &format!("/api/v1/search?q={}", enc(&long)), None)
        .await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.body);
    assert!(api.body.contains("搜索文字不超过50个字"));
    let api = unit_a.api("GET", "/api/v1/search?q=%20", None).await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.body);
    // Literal text: LIKE's wildcards match only themselves.
    let wild = office.api("GET", "/api/v1/search?q=%25", None).await;
    let json: serde_json::Value = serde_json::from_str(&wild.body).unwrap();
    assert_eq!(json["total"], 0, "{json}");
    // Not logged in: refused.
    assert_eq!(
        anonymous(&w.app, "/api/v1/search?q=a").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_help_page_renders_the_user_guide() {
    let w = world("clerk_help").await;
    let clerk = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    assert!(clerk.get("/").await.body.contains("href=\"/help\""));
    let help = clerk.get("/help").await;
    assert_eq!(help.status, StatusCode::OK);
    assert!(
        help.body.contains("<h1>政务新媒体管理平台用户手册</h1>"),
        "{}",
        help.body
    );
    assert!(
        help.body.contains("href=\"/todo\""),
        "links to the pages it explains"
    );
}

/// The demo's year of history (issue 19): on a day in December, the city's ranking
/// spreads over more than five scores; its self-inspection table has reports on
/// time, late and missing; findings of two past quarters are verified and overdue;
/// the office's to-do list has overdue rectifications.
#[tokio::test]
async fn the_demo_has_a_year_of_history() {
    use chrono::TimeZone;
    use govmedia_core::FixedClock;
    use govmedia_domain::duties::ReportStatus;
    let clock = std::sync::Arc::new(FixedClock::new(
        chrono::Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap(),
    ));
    let svc = demo("clerk_history", clock).await;
    let user = govmedia_store::users::by_username(&svc.db, "admin")
        .await
        .unwrap()
        .unwrap();
    let admin = govmedia_core::auth::actor_for(&svc.db, &user)
        .await
        .unwrap();

    let ranking = govmedia_supervision::inspection::assessment::ranking(&svc, &admin, 2026)
        .await
        .unwrap();
    let scores: std::collections::BTreeSet<String> = ranking
        .iter()
        .filter(|a| a.rank.is_some())
        .map(|a| format!("{:?}", a.result.total))
        .collect();
    assert!(scores.len() > 5, "distinct scores: {scores:?}");

    let table = govmedia_supervision::duties::selfcheck::overview(&svc, &admin, 2026)
        .await
        .unwrap();
    let statuses: Vec<ReportStatus> = table
        .iter()
        .flat_map(|r| r.quarters.iter().map(|q| q.status))
        .collect();
    for s in [
        ReportStatus::OnTime,
        ReportStatus::Late,
        ReportStatus::Missing,
    ] {
        assert!(statuses.contains(&s), "{s:?} in {statuses:?}");
    }

    let findings = govmedia_supervision::inspection::findings::list(
        &svc,
        &admin,
        govmedia_store::inspection::FindingQuery {
            page: 1,
            per_page: 500,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let status = |s: &str| {
        findings
            .items
            .iter()
            .filter(|f| f.status.code() == s)
            .count()
    };
    assert!(status("verified") >= 3, "verified rectifications");
    let overdue = govmedia_supervision::inspection::findings::overdue(&svc, &admin)
        .await
        .unwrap();
    assert!(
        overdue.len() >= 2,
        "overdue rectifications: {}",
        overdue.len()
    );

    let filings = govmedia_store::filings::in_subtree(&svc.db, admin.unit_path.as_str(), None)
        .await
        .unwrap();
    let earliest = filings.iter().filter_map(|f| f.filed_on).min().unwrap();
    assert!(
        earliest < chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        "{earliest}"
    );
}

/// The history is dated relative to today: the demo seeds on the first days of a
/// year and on a quarter's last day as well.
#[tokio::test]
async fn the_demo_seeds_on_any_day() {
    use chrono::TimeZone;
    for (i, (y, m, d)) in [(2027, 1, 2), (2026, 6, 30), (2026, 4, 1)]
        .into_iter()
        .enumerate()
    {
        let clock = std::sync::Arc::new(govmedia_core::FixedClock::new(
            chrono::Utc.with_ymd_and_hms(y, m, d, 2, 0, 0).unwrap(),
        ));
        demo(&format!("clerk_history_day{i}"), clock).await;
    }
}

/// The calendar as a table form: a system administrator adds a year row by row,
/// removes a day, is refused a stale edit and a bad day in words; others may not.
#[tokio::test]
async fn the_calendar_is_edited_as_a_table() {
    let w = world("clerk_calendar").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let clerk = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    assert_eq!(
        clerk.get("/calendar/edit?year=2027").await.status,
        StatusCode::FORBIDDEN
    );
    assert!(
        admin
            .get("/calendar")
            .await
            .body
            .contains("/calendar/edit?year=2026")
    );
    // Without a year the form opens this year's (the world's clock stands in 2026).
    let this_year = admin.get("/calendar/edit").await;
    assert_eq!(this_year.status, StatusCode::OK);
    assert!(this_year.body.contains("编辑2026年节假日安排"));
    let form = admin.get("/calendar/edit?year=2027").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("编辑2027年节假日安排"), "{}", form.body);
    let version = admin.form_version("/calendar/edit?year=2027").await;
    let rows = |extra: &[(&'static str, &'static str)]| {
        let mut f = vec![
            ("year", "2027"),
            ("title", "国务院办公厅关于2027年部分节假日安排的通知"),
            ("document_number", "国办发明电〔2026〕1号"),
            ("h_name_0", "元旦"),
            ("h_start_0", "2027-01-01"),
            ("h_end_0", "2027-01-03"),
            ("h_name_1", "春节"),
            ("h_start_1", "2027-02-06"),
            ("h_end_1", "2027-02-13"),
            ("m_name_0", "春节调休上班"),
            ("m_date_0", "2027-01-30"),
        ];
        f.extend_from_slice(extra);
        f
    };
    let mut fields = rows(&[]);
    fields.push(("version", &version));
    let r = admin.post_form("/calendar/edit", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = admin.get("/calendar").await.body;
    assert!(
        page.contains("2027年") && page.contains("2027-02-06 至 2027-02-13"),
        "{page}"
    );
    assert!(page.contains("2027-01-30（春节调休上班）"), "{page}");
    // The deadline calculator counts the new year: 2027-02-05 (Fri) + 1 skips the holiday.
    let calc = admin
        .get("/calendar?from=2027-02-05&working_days=1")
        .await
        .body;
    assert!(calc.contains("是 2027-02-15"), "{calc}");

    // The same old version again: refused as stale, the input kept.
    let again = admin.post_form("/calendar/edit", &fields).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body.contains("国办发明电〔2026〕1号"));

    // Removing the make-up day; a weekday as a make-up day is refused in words.
    let version = admin.form_version("/calendar/edit?year=2027").await;
    let form = admin.get("/calendar/edit?year=2027").await.body;
    assert!(form.contains("value=\"2027-01-30\""), "{form}");
    let mut fields = rows(&[("m_remove_0", "1")]);
    fields.push(("version", &version));
    let r = admin.post_form("/calendar/edit", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(!admin.get("/calendar").await.body.contains("2027-01-30"));
    let version = admin.form_version("/calendar/edit?year=2027").await;
    let mut fields = rows(&[("m_date_0", "2027-01-28")]);
    fields.retain(|(k, v)| !(*k == "m_date_0" && *v == "2027-01-30"));
    fields.push(("version", &version));
    let bad = admin.post_form("/calendar/edit", &fields).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("周四"), "{}", bad.body);
    let mut fields = rows(&[("h_start_2", "2027-13-01"), ("h_name_2", "劳动节")]);
    fields.push(("version", &version));
    let bad = admin.post_form("/calendar/edit", &fields).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("劳动节的放假首日不是有效的日期"),
        "{}",
        bad.body
    );

    // Each save is in the audit log.
    let audit = admin.get("/audit").await.body;
    assert!(audit.matches("2027").count() >= 2, "{audit}");
}

/// The policy profile as a form: Chinese labels with the seed clause of each
/// value; a system administrator changes a deadline and a review duty, the comments
/// of the file stay, a stale or bad value is refused; others may not.
#[tokio::test]
async fn the_policy_values_are_edited_through_a_form() {
    let w = world("clerk_policy").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let clerk = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let page = admin.get("/policy").await.body;
    assert!(
        page.contains("修改配置") && page.contains("开设备案期限（生效后天数）"),
        "{page}"
    );
    assert!(page.contains("昆政办发〔2019〕162号二（二）"), "{page}");
    assert!(page.contains("（文件未规定具体数值，为本办设定）"));
    assert!(!clerk.get("/policy").await.body.contains("修改配置"));
    let version = admin.form_version("/policy").await;
    let r = admin
        .post_form(
            "/policy/form",
            &[
                ("version", &version),
                ("deadlines.open.days", "3"),
                // The review chains posted whole: the second chain's first step
                // changes its duty, the rest is as it was.
                ("review.chains.count", "2"),
                ("review.chains.0.kinds", "日常信息"),
                ("review.chains.0.kinds", "通知公告"),
                ("review.chains.0.kinds", "转载信息"),
                ("review.chains.0.steps.count", "1"),
                ("review.chains.0.steps.0.label", "审核员审核"),
                ("review.chains.0.steps.0.duty", "reviewer"),
                ("review.chains.1.kinds", "政策解读"),
                ("review.chains.1.kinds", "领导活动"),
                ("review.chains.1.steps.count", "2"),
                ("review.chains.1.steps.0.label", "科室负责人审核"),
                ("review.chains.1.steps.0.duty", "reviewer"),
                ("review.chains.1.steps.1.label", "分管领导审签"),
                ("review.chains.1.steps.1.duty", "leader"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = admin.get("/policy").await.body;
    assert!(page.contains("生效后3个工作日"), "{page}");
    // The TOML keeps the seed comments.
    assert!(page.contains("# 003 二(二)"), "{page}");
    // The old version again: stale; a bad number: in words; a clerk: forbidden.
    let stale = admin
        .post_form(
            "/policy/form",
            &[("version", &version), ("deadlines.open.days", "4")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    let version = admin.form_version("/policy").await;
    let bad = admin
        .post_form(
            "/policy/form",
            &[("version", &version), ("deadlines.open.days", "两天")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(
        bad.body
            .contains("“开设备案期限（生效后天数）”应为0到60之间的整数"),
        "{}",
        bad.body
    );
    let other = clerk
        .post_form(
            "/policy/form",
            &[("version", &version), ("deadlines.open.days", "5")],
        )
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    assert!(admin.get("/audit").await.body.contains("政策配置"));
}

/// The lists of the profile through the same form: an approval chain gains a step
/// to an authority outside the platform, an opening rule changes, each row shows
/// its seed clause; an empty chain or an approver that is not a choice is refused
/// in words, a stale form is refused, and the clerk may not.
#[tokio::test]
async fn the_approval_chains_and_opening_rules_are_edited_through_the_form() {
    let w = world("clerk_policy_lists").await;
    let admin = login(&w.app, "root_admin", PASSWORD).await.ok().unwrap();
    let clerk = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let page = admin.get("/policy").await.body;
    for words in [
        "备案审批流程",
        "第1条审批流程",
        "新增审批流程（填写后保存即添加）",
        "主办单位主要负责同志",
        "开设规则",
        "不得开设",
        "稿件审核流程（先审后发）",
        "依据：昆政办发〔2019〕162号二（二）",
    ] {
        assert!(page.contains(words), "{words}: {page}");
    }
    let chain = |extra: &[(&'static str, &'static str)]| -> Vec<(&'static str, &'static str)> {
        let mut f = vec![("chains.count", "2")];
        for k in [
            "open",
            "change",
            "pause",
            "close",
            "deregister",
            "team_change",
            "exit",
        ] {
            f.push(("chains.0.kinds", k));
        }
        f.extend([
            ("chains.0.steps.0.approver", "host_head"),
            ("chains.0.steps.0.label", "主办单位意见（单位盖章）"),
            ("chains.0.steps.1.approver", "office"),
            ("chains.0.steps.1.level", "county"),
            ("chains.0.steps.1.label", "市政府办公室意见"),
            ("chains.0.steps.1.authority", "昆山市人民政府办公室"),
        ]);
        f.extend_from_slice(extra);
        f
    };
    let version = admin.form_version("/policy").await;
    let with_version = |mut f: Vec<(&'static str, &'static str)>, v: &str| {
        let v: &'static str = Box::leak(v.to_string().into_boxed_str());
        f.insert(0, ("version", v));
        f
    };
    let fields = with_version(
        chain(&[
            ("chains.0.steps.count", "3"),
            ("chains.0.steps.2.approver", "upper"),
            ("chains.0.steps.2.label", "苏州市政府办公室备案"),
            ("chains.0.steps.2.authority", "苏州市人民政府办公室"),
            // The blank new chain as the page posts it.
            ("chains.1.steps.count", "2"),
            ("opening.count", "3"),
            ("opening.0.kinds", "internal_organ"),
            ("opening.0.stance", "forbidden"),
            ("opening.1.levels", "town"),
            ("opening.1.kinds", "people_government"),
            ("opening.1.kinds", "town_street"),
            ("opening.1.stance", "may"),
        ]),
        &version,
    );
    let r = admin.post_form("/policy/form", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = admin.get("/policy").await.body;
    assert!(
        page.contains("主办单位意见（单位盖章） → 市政府办公室意见 → 苏州市政府办公室备案"),
        "{page}"
    );
    // The file keeps its comments; the opening rule changed in place.
    assert!(
        page.contains("# 003 二(二): &quot;新开设政务新媒体应提前"),
        "{page}"
    );
    assert!(page.contains("stance = &quot;may&quot;"), "{page}");

    // The same old version again: stale.
    let stale = admin.post_form("/policy/form", &fields).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);

    let version = admin.form_version("/policy").await;
    let empty = admin
        .post_form(
            "/policy/form",
            &with_version(
                vec![
                    ("chains.count", "1"),
                    ("chains.0.kinds", "open"),
                    ("chains.0.steps.count", "1"),
                    ("chains.0.steps.0.label", ""),
                ],
                &version,
            ),
        )
        .await;
    assert_eq!(
        empty.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        empty.body
    );
    assert!(
        empty
            .body
            .contains("第1条审批流程没有审批步骤：请至少填写一个步骤，或勾选“删除此流程”"),
        "{}",
        empty.body
    );
    let unknown = admin
        .post_form(
            "/policy/form",
            &with_version(
                chain(&[
                    ("chains.0.steps.count", "3"),
                    ("chains.0.steps.2.approver", "mayor"),
                    ("chains.0.steps.2.label", "市长签字"),
                ]),
                &version,
            ),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.body.contains(
            "第1条审批流程第3步“市长签字”的审批人“mayor”不是可选的审批人，应为：主办单位主要负责同志、政府办公室、平台外的上级机关（报上级）"
        ),
        "{}",
        unknown.body
    );
    // The refused form shows the values as typed.
    assert!(
        unknown.body.contains("value=\"市长签字\""),
        "{}",
        unknown.body
    );
    let other = clerk
        .post_form(
            "/policy/form",
            &with_version(chain(&[("chains.0.steps.count", "2")]), &version),
        )
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let audit = admin.get("/audit").await.body;
    assert!(audit.contains("政策配置"), "{audit}");
}

/// The user guide shows its screenshots: served to a logged-in user as PNG, an
/// unknown name not found, and nothing to someone not logged in.
#[tokio::test]
async fn the_help_page_shows_the_guide_with_its_screenshots() {
    let w = world("clerk_help_images").await;
    let clerk = login(&w.app, "b_host_admin", PASSWORD).await.ok().unwrap();
    let page = clerk.get("/help").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("<img src=\"/help/images/todo-clerk.png\" alt=\"单位的待办事项\""),
        "{}",
        page.body
    );
    for (name, bytes) in govmedia_web::GUIDE_IMAGES {
        let r = clerk.get(&format!("/help/images/{name}")).await;
        assert_eq!(r.status, StatusCode::OK, "{name}");
        assert_eq!(r.content_type, "image/png");
        assert_eq!(&r.bytes, bytes);
    }
    assert_eq!(
        clerk.get("/help/images/secret.png").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        clerk.get("/help/images/..%2F..%2FCargo.toml").await.status,
        StatusCode::NOT_FOUND
    );
    let r = anonymous(&w.app, "/help/images/dashboard.png").await;
    assert_ne!(r.status, StatusCode::OK);
    assert!(!r.content_type.starts_with("image/"));
}
