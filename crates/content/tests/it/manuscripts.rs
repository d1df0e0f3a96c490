//! Manuscripts and their review (先审后发) through the use cases, on a fresh database
//! per test (SQLite, or PostgreSQL when GOVMEDIA_TEST_POSTGRES_URL is set).

use crate::common::{County, account_of, add_user, county, links_not_followed};
use chrono::TimeZone;
use govmedia_content::{self as manuscripts, DecideInput, GateInput, ManuscriptInput};
use govmedia_core::{Actor, ServiceError, todo};
use govmedia_domain::manuscript::{Gate, ManuscriptStatus};

struct World {
    county: County,
    editor_a: Actor,
    rev_a: Actor,
    head_a: Actor,
    leader: Actor,
    rev_b: Actor,
    acc_a1: i64,
    acc_a2: i64,
    acc_b: i64,
}
county_world!(World);

/// 测试县 with an editor, a reviewer and a section head in 教育局 (A), a leader at the
/// county named for every unit below it, and a reviewer in 卫健委 (B); two accounts of
/// A on two platforms and one of B.
async fn world(label: &str) -> World {
    let c = county(
        label,
        chrono::Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap(),
    )
    .await;
    // A manuscript here links a shop, which a test does not reach.
    links_not_followed(&c).await;
    let editor_a = add_user(&c.svc, "editor_a", c.unit_a, "editor").await;
    let rev_a = add_user(&c.svc, "rev_a", c.unit_a, "reviewer").await;
    let head_a = add_user(&c.svc, "head_a", c.unit_a, "reviewer").await;
    let leader = add_user(&c.svc, "leader", c.root.id, "reviewer").await;
    let rev_b = add_user(&c.svc, "rev_b", c.unit_b, "reviewer").await;
    for (unit, who, duty) in [
        (c.unit_a, &rev_a, "reviewer"),
        (c.unit_a, &head_a, "section_head"),
        (c.root.id, &leader, "leader"),
        (c.unit_b, &rev_b, "reviewer"),
    ] {
        manuscripts::name_reviewer(&c.svc, &c.admin, unit, who.user_id, duty)
            .await
            .unwrap();
    }
    let acc_a1 = c
        .account(account_of("测试县教育", c.unit_a, "wechat_subscription"))
        .await;
    let acc_a2 = c
        .account(account_of("测试县教育发布", c.unit_a, "weibo"))
        .await;
    let acc_b = c.account(account_of("健康测试县", c.unit_b, "weibo")).await;
    World {
        county: c,
        editor_a,
        rev_a,
        head_a,
        leader,
        rev_b,
        acc_a1,
        acc_a2,
        acc_b,
    }
}

fn input(w: &World, kind: &str, body: &str) -> ManuscriptInput {
    ManuscriptInput {
        title: "全县中小学开展防溺水安全教育".into(),
        body_html: body.into(),
        kind: kind.into(),
        origin: "原创".into(),
        targets: vec![w.acc_a1, w.acc_a2],
        ..Default::default()
    }
}

const BODY: &str = "<h2>防溺水安全教育</h2><p>近日，全县中小学开展防溺水安全教育活动。</p><p>各校通过主题班会等形式开展教育。</p>";

fn gates(objection: Option<(Gate, &str)>) -> Vec<GateInput> {
    Gate::ALL
        .iter()
        .map(|g| match objection {
            Some((o, comment)) if o == *g => GateInput {
                gate: g.label().into(),
                verdict: "有异议".into(),
                comment: comment.into(),
            },
            _ => GateInput {
                gate: g.code().into(),
                verdict: "pass".into(),
                comment: String::new(),
            },
        })
        .collect()
}

async fn version(w: &World, id: i64) -> i64 {
    manuscripts::get(&w.svc, &w.admin, id)
        .await
        .unwrap()
        .summary
        .version
}

async fn decide(
    w: &World,
    who: &Actor,
    id: i64,
    step: i32,
    decision: &str,
    comment: &str,
    objection: Option<(Gate, &str)>,
) -> Result<ManuscriptStatus, ServiceError> {
    let v = version(w, id).await;
    manuscripts::decide(
        &w.svc,
        who,
        id,
        &DecideInput {
            step,
            decision: decision.into(),
            comment: comment.into(),
            gates: gates(objection),
            version: v,
        },
    )
    .await
}

fn field(r: Result<impl std::fmt::Debug, ServiceError>) -> (&'static str, String) {
    match r {
        Err(ServiceError::Validation(f)) => (f[0].field, f[0].message.clone()),
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn todo_keys(w: &World, who: &Actor) -> Vec<String> {
    todo::list(&w.svc, who)
        .await
        .unwrap()
        .into_iter()
        .filter(|i| i.kind == todo::TodoKind::ReviewManuscript)
        .map(|i| i.key)
        .collect()
}

#[tokio::test]
async fn a_routine_manuscript_passes_one_named_reviewer_who_signs_the_five_gates() {
    let w = world("manuscript_routine").await;
    let m = manuscripts::create(&w.svc, &w.editor_a, &input(&w, "日常信息", BODY))
        .await
        .unwrap();
    assert_eq!(m.status, ManuscriptStatus::Draft);
    manuscripts::submit(&w.svc, &w.editor_a, m.id, version(&w, m.id).await, "")
        .await
        .unwrap();
    // The named reviewer has it on the to-do list; the sibling's reviewer, the section
    // head (not this kind's duty) and the editor do not.
    assert_eq!(
        todo_keys(&w, &w.rev_a).await,
        vec![format!("manuscript:{}", m.id)]
    );
    assert!(todo_keys(&w, &w.rev_b).await.is_empty());
    assert!(todo_keys(&w, &w.head_a).await.is_empty());
    // A sibling unit's reviewer: as if it did not exist.
    assert!(matches!(
        manuscripts::get(&w.svc, &w.rev_b, m.id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        decide(&w, &w.rev_b, m.id, 0, "approve", "", None).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        manuscripts::asset(&w.svc, &w.rev_b, m.id, 1).await,
        Err(ServiceError::NotFound)
    ));
    // A reviewer in scope but not named for the step's duty.
    assert!(matches!(
        decide(&w, &w.head_a, m.id, 0, "approve", "", None).await,
        Err(ServiceError::Conflict(msg)) if msg.contains("不是该审批步骤的审批人")
    ));
    // Four gates are not enough.
    let mut four = gates(None);
    four.pop();
    let r = manuscripts::decide(
        &w.svc,
        &w.rev_a,
        m.id,
        &DecideInput {
            step: 0,
            decision: "approve".into(),
            gates: four,
            version: version(&w, m.id).await,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(field(r).0, "gates");
    // An objection with its comment cannot be approved over.
    assert!(matches!(
        decide(&w, &w.rev_a, m.id, 0, "approve", "", Some((Gate::Wording, "标点有误"))).await,
        Err(ServiceError::Conflict(msg)) if msg.contains("文字关有异议")
    ));
    assert_eq!(
        decide(&w, &w.rev_a, m.id, 0, "同意", "", None)
            .await
            .unwrap(),
        ManuscriptStatus::Approved
    );
    let view = manuscripts::get(&w.svc, &w.editor_a, m.id).await.unwrap();
    assert_eq!(view.summary.status, ManuscriptStatus::Approved);
    assert_eq!(view.steps[0].decided_by.as_deref(), Some("rev_a"));
    assert_eq!(view.steps[0].gates.len(), 5);
    assert_eq!(view.targets.len(), 2);
    assert!(todo_keys(&w, &w.rev_a).await.is_empty());
    // Every step is in the audit log.
    let audit: i64 = count(
        &w,
        &format!(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'manuscript' AND entity_id = {}",
            m.id
        ),
    )
    .await;
    assert_eq!(audit, 3, "create, submit, approve");
}

async fn count(w: &World, sql: &str) -> i64 {
    use govmedia_store::ConnectionTrait;
    let row = w
        .svc
        .db
        .query_one_raw(govmedia_store::sql(
            w.svc.db.get_database_backend(),
            sql,
            vec![],
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test]
async fn an_editor_never_approves_their_own_manuscript() {
    let w = world("manuscript_self").await;
    // The host administrator writes and is also named reviewer of the unit.
    manuscripts::name_reviewer(&w.svc, &w.admin, w.unit_a, w.host_a.user_id, "reviewer")
        .await
        .unwrap();
    let m = manuscripts::create(&w.svc, &w.host_a, &input(&w, "日常信息", BODY))
        .await
        .unwrap();
    manuscripts::submit(&w.svc, &w.host_a, m.id, version(&w, m.id).await, "")
        .await
        .unwrap();
    assert!(todo_keys(&w, &w.host_a).await.is_empty());
    assert!(matches!(
        decide(&w, &w.host_a, m.id, 0, "approve", "", None).await,
        Err(ServiceError::Conflict(msg)) if msg == "不能审批本人提交的稿件"
    ));
    assert_eq!(
        decide(&w, &w.rev_a, m.id, 0, "approve", "", None)
            .await
            .unwrap(),
        ManuscriptStatus::Approved
    );
}

#[tokio::test]
async fn a_policy_interpretation_goes_to_the_section_head_then_the_leader_who_sees_the_diff() {
    let w = world("manuscript_chain").await;
    let m = manuscripts::create(&w.svc, &w.editor_a, &input(&w, "政策解读", BODY))
        .await
        .unwrap();
    manuscripts::submit(&w.svc, &w.editor_a, m.id, version(&w, m.id).await, "")
        .await
        .unwrap();
    let view = manuscripts::get(&w.svc, &w.head_a, m.id).await.unwrap();
    let labels: Vec<&str> = view.steps.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, ["科室负责人审核", "分管领导审签"]);
    // The routine reviewer is not the section head; the leader waits for step 1.
    assert!(todo_keys(&w, &w.rev_a).await.is_empty());
    assert!(todo_keys(&w, &w.leader).await.is_empty());
    assert!(matches!(
        decide(&w, &w.leader, m.id, 1, "approve", "", None).await,
        Err(ServiceError::Conflict(msg)) if msg.contains("尚未轮到")
    ));
    // Returning needs a comment; the section head objects to the wording and returns.
    assert_eq!(
        field(
            decide(
                &w,
                &w.head_a,
                m.id,
                0,
                "return",
                "",
                Some((Gate::Wording, "第二段表述不准确"))
            )
            .await
        )
        .0,
        "comment"
    );
    assert_eq!(
        decide(
            &w,
            &w.head_a,
            m.id,
            0,
            "return",
            "请修改第二段",
            Some((Gate::Wording, "第二段表述不准确"))
        )
        .await
        .unwrap(),
        ManuscriptStatus::Returned
    );
    // The editor fixes it: version 2, submitted again.
    let mut fixed = input(
        &w,
        "政策解读",
        "<h2>防溺水安全教育</h2><p>近日，全县中小学开展防溺水安全教育活动。</p><p>各校通过主题班会、家长会等形式开展教育。</p>",
    );
    fixed.version = Some(version(&w, m.id).await);
    let edited = manuscripts::update(&w.svc, &w.editor_a, m.id, &fixed)
        .await
        .unwrap();
    assert_eq!(edited.current_version, 2);
    manuscripts::submit(&w.svc, &w.editor_a, m.id, edited.version, "")
        .await
        .unwrap();
    // The section head sees what changed since the version they returned.
    let view = manuscripts::get(&w.svc, &w.head_a, m.id).await.unwrap();
    assert_eq!(view.seen_version, Some(1));
    use govmedia_domain::manuscript::DiffLine;
    assert!(view.diff.contains(&DiffLine::Removed(
        "各校通过主题班会等形式开展教育。".into()
    )));
    assert!(view.diff.contains(&DiffLine::Added(
        "各校通过主题班会、家长会等形式开展教育。".into()
    )));
    assert!(view.diff.contains(&DiffLine::Same(
        "近日，全县中小学开展防溺水安全教育活动。".into()
    )));
    assert_eq!(view.versions.len(), 2);
    assert_eq!(
        decide(&w, &w.head_a, m.id, 0, "approve", "", None)
            .await
            .unwrap(),
        ManuscriptStatus::Pending
    );
    // The leader, named at the county for every unit below it, decides the last step.
    assert_eq!(
        todo_keys(&w, &w.leader).await,
        vec![format!("manuscript:{}", m.id)]
    );
    assert_eq!(
        decide(&w, &w.leader, m.id, 1, "approve", "", None)
            .await
            .unwrap(),
        ManuscriptStatus::Approved
    );
}

#[tokio::test]
async fn a_veto_finding_blocks_submission_and_a_deduct_finding_needs_a_reason() {
    let w = world("manuscript_check").await;
    let m = manuscripts::create(
        &w.svc,
        &w.editor_a,
        &input(&w, "日常信息", "<p>关于转发绝密★文件的通知。</p>"),
    )
    .await
    .unwrap();
    let view = manuscripts::get(&w.svc, &w.editor_a, m.id).await.unwrap();
    let findings = &view.versions[0].findings;
    assert!(
        findings
            .iter()
            .any(|f| f.severity == "veto" && f.place == "body"),
        "{findings:?}"
    );
    assert!(matches!(
        manuscripts::submit(&w.svc, &w.editor_a, m.id, m.version, "原文如此，确认无误").await,
        Err(ServiceError::Conflict(msg)) if msg.contains("否决项")
    ));
    // Fixed, but with a mobile number (deduct) and a shop link (deduct).
    let mut fixed = input(
        &w,
        "日常信息",
        r#"<p>咨询电话13812345678。</p><p><a href="https://item.taobao.com/item.htm?id=1">购买救生衣</a></p>"#,
    );
    fixed.version = Some(m.version);
    let edited = manuscripts::update(&w.svc, &w.editor_a, m.id, &fixed)
        .await
        .unwrap();
    let (f, message) =
        field(manuscripts::submit(&w.svc, &w.editor_a, m.id, edited.version, " ").await);
    assert_eq!(f, "override_reason");
    assert!(
        message.contains("扣分项") || message.contains("问题"),
        "{message}"
    );
    manuscripts::submit(
        &w.svc,
        &w.editor_a,
        m.id,
        edited.version,
        "电话为学校公开值班电话，链接已与学校核实",
    )
    .await
    .unwrap();
    let view = manuscripts::get(&w.svc, &w.rev_a, m.id).await.unwrap();
    assert_eq!(
        view.override_reason.as_deref(),
        Some("电话为学校公开值班电话，链接已与学校核实")
    );
    let current = view.versions.last().unwrap();
    assert!(current.findings.iter().any(|f| f.category == "商业链接"));
    assert_eq!(current.links[0].host, "item.taobao.com");
}

#[tokio::test]
async fn an_image_caption_is_checked_and_the_stored_body_is_sanitised() {
    let w = world("manuscript_assets").await;
    let m = manuscripts::create(
        &w.svc,
        &w.editor_a,
        &input(
            &w,
            "日常信息",
            r#"<p onclick="x()">防溺水<script>alert(1)</script>教育</p>"#,
        ),
    )
    .await
    .unwrap();
    // A PNG header declaring 2×1 pixels (the upload reads the declared size).
    let png = [
        &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a][..],
        b"\x00\x00\x00\x0dIHDR\x00\x00\x00\x02\x00\x00\x00\x01\x08\x06\x00\x00\x00",
        &[0u8; 64],
    ]
    .concat();
    let too_big = vec![0x89u8; manuscripts::UploadLimits::default().image_bytes + 1];
    assert_eq!(
        field(
            manuscripts::add_asset(&w.svc, &w.editor_a, m.id, "image", "a.png", "", &too_big).await
        )
        .0,
        "file"
    );
    assert_eq!(
        field(
            manuscripts::add_asset(
                &w.svc,
                &w.editor_a,
                m.id,
                "image",
                "a.exe",
                "",
                b"MZ\x90\x00"
            )
            .await
        )
        .0,
        "file"
    );
    let image = manuscripts::add_asset(
        &w.svc,
        &w.editor_a,
        m.id,
        "image",
        "../现场.png",
        "绝密★现场照片",
        &png,
    )
    .await
    .unwrap();
    assert_eq!(image.file_name, "现场.png");
    let mut edit = input(
        &w,
        "日常信息",
        &format!(
            r#"<p>防溺水教育</p><img src="{}" alt="活动现场"><img src="/manuscripts/999/assets/1">"#,
            image.path
        ),
    );
    edit.version = Some(m.version);
    let edited = manuscripts::update(&w.svc, &w.editor_a, m.id, &edit)
        .await
        .unwrap();
    let view = manuscripts::get(&w.svc, &w.editor_a, m.id).await.unwrap();
    let first = &view.versions[0].body_html;
    assert!(!first.contains("script") && !first.contains("onclick") && first.contains("防溺水"));
    let second = &view.versions[1].body_html;
    assert!(second.contains(&image.path) && !second.contains("/manuscripts/999/"));
    // The caption carries a veto term: submission is refused.
    assert!(matches!(
        manuscripts::submit(&w.svc, &w.editor_a, m.id, edited.version, "").await,
        Err(ServiceError::Conflict(msg)) if msg.contains("否决项")
    ));
    let bytes = manuscripts::asset(&w.svc, &w.rev_a, m.id, image.id)
        .await
        .unwrap();
    assert_eq!(bytes.content, png);
}

#[tokio::test]
async fn reposts_come_only_from_the_whitelisted_source_units() {
    let w = world("manuscript_repost").await;
    let mut repost = input(&w, "转载信息", BODY);
    repost.origin = "转载".into();
    repost.source = "某某自媒体".into();
    let (f, message) = field(manuscripts::create(&w.svc, &w.editor_a, &repost).await);
    assert_eq!(f, "source");
    assert!(message.contains("尚未确定稿源单位名单"), "{message}");
    // The county's whitelist applies to its departments.
    manuscripts::add_source(&w.svc, &w.admin, w.root.id, "新华社")
        .await
        .unwrap();
    assert!(matches!(
        manuscripts::add_source(&w.svc, &w.admin, w.root.id, "新华社").await,
        Err(ServiceError::Conflict(_))
    ));
    let (_, message) = field(manuscripts::create(&w.svc, &w.editor_a, &repost).await);
    assert!(
        message.contains("“某某自媒体”不在本单位的稿源单位名单中") && message.contains("新华社")
    );
    repost.source = "新华社".into();
    let m = manuscripts::create(&w.svc, &w.editor_a, &repost)
        .await
        .unwrap();
    assert_eq!(m.origin, govmedia_domain::manuscript::Origin::Repost);
    // A unit administrator of a sibling cannot edit the county's whitelist.
    assert!(matches!(
        manuscripts::add_source(&w.svc, &w.host_b, w.root.id, "人民日报").await,
        Err(ServiceError::NotFound)
    ));
}

#[tokio::test]
async fn a_stale_edit_is_refused_and_targets_stay_in_the_editor_s_scope() {
    let w = world("manuscript_stale").await;
    let mut other = input(&w, "日常信息", BODY);
    other.targets = vec![w.acc_a1, w.acc_b];
    assert_eq!(
        field(manuscripts::create(&w.svc, &w.editor_a, &other).await).0,
        "targets"
    );
    let m = manuscripts::create(&w.svc, &w.editor_a, &input(&w, "日常信息", BODY))
        .await
        .unwrap();
    let mut edit = input(&w, "日常信息", "<p>第一次修改。</p>");
    edit.version = Some(m.version);
    manuscripts::update(&w.svc, &w.editor_a, m.id, &edit)
        .await
        .unwrap();
    let mut late = input(&w, "日常信息", "<p>基于旧版本的修改。</p>");
    late.version = Some(m.version);
    assert!(matches!(
        manuscripts::update(&w.svc, &w.host_a, m.id, &late).await,
        Err(ServiceError::Stale(msg)) if msg.contains("editor_a") || msg.contains("修改")
    ));
    let view = manuscripts::get(&w.svc, &w.editor_a, m.id).await.unwrap();
    assert_eq!(view.versions.len(), 2);
    // A sibling's administrator neither reads nor edits it; a submitted one is not editable.
    assert!(matches!(
        manuscripts::update(&w.svc, &w.host_b, m.id, &late).await,
        Err(ServiceError::NotFound)
    ));
    manuscripts::submit(&w.svc, &w.editor_a, m.id, view.summary.version, "")
        .await
        .unwrap();
    let mut again = input(&w, "日常信息", "<p>审核中修改。</p>");
    again.version = Some(version(&w, m.id).await);
    assert!(matches!(
        manuscripts::update(&w.svc, &w.editor_a, m.id, &again).await,
        Err(ServiceError::Conflict(msg)) if msg.contains("审核中")
    ));
    // Lists keep to the subtree.
    assert_eq!(
        manuscripts::list(&w.svc, &w.rev_a, None)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        manuscripts::list(&w.svc, &w.rev_b, None)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn reviewers_are_named_from_the_unit_or_above_with_a_reviewing_role() {
    let w = world("manuscript_reviewers").await;
    // An editor cannot be named; nor can a sibling's reviewer for unit A.
    assert_eq!(
        field(
            manuscripts::name_reviewer(&w.svc, &w.admin, w.unit_a, w.editor_a.user_id, "reviewer")
                .await
        )
        .0,
        "user_id"
    );
    assert_eq!(
        field(
            manuscripts::name_reviewer(&w.svc, &w.admin, w.unit_a, w.rev_b.user_id, "leader").await
        )
        .0,
        "user_id"
    );
    // A unit's administrator names only within their subtree.
    assert!(matches!(
        manuscripts::name_reviewer(&w.svc, &w.host_b, w.unit_a, w.rev_b.user_id, "reviewer").await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        manuscripts::name_reviewer(&w.svc, &w.editor_a, w.unit_a, w.rev_a.user_id, "leader").await,
        Err(ServiceError::Forbidden)
    ));
    let listed = manuscripts::reviewers(&w.svc, &w.host_a).await.unwrap();
    assert_eq!(
        listed.len(),
        2,
        "rev_a and head_a of unit A; not the county's leader"
    );
    // Without a named section head a policy interpretation cannot be submitted.
    let head = listed.iter().find(|r| r.username == "head_a").unwrap().id;
    manuscripts::remove_reviewer(&w.svc, &w.admin, head)
        .await
        .unwrap();
    let m = manuscripts::create(&w.svc, &w.editor_a, &input(&w, "领导活动", BODY))
        .await
        .unwrap();
    assert!(matches!(
        manuscripts::submit(&w.svc, &w.editor_a, m.id, m.version, "").await,
        Err(ServiceError::Conflict(msg)) if msg.contains("尚未指定科室负责人")
    ));
}

#[tokio::test]
async fn the_review_sheet_prints_the_steps_gates_and_opinions_as_docx_and_pdf() {
    let w = world("manuscript_sheet").await;
    let m = manuscripts::create(&w.svc, &w.editor_a, &input(&w, "政策解读", BODY))
        .await
        .unwrap();
    manuscripts::submit(&w.svc, &w.editor_a, m.id, m.version, "")
        .await
        .unwrap();
    decide(&w, &w.head_a, m.id, 0, "approve", "同意发布", None)
        .await
        .unwrap();
    decide(
        &w,
        &w.leader,
        m.id,
        1,
        "reject",
        "时机不当",
        Some((Gate::Policy, "与新政策口径不一致")),
    )
    .await
    .unwrap();
    let view = manuscripts::get(&w.svc, &w.admin, m.id).await.unwrap();
    let sheet = manuscripts::sheet::sheet(&w.svc, &view);
    let text: String = sheet
        .rows
        .iter()
        .flatten()
        .map(|c| c.text.clone())
        .collect::<Vec<_>>()
        .join("|");
    for expected in [
        "全县中小学开展防溺水安全教育",
        "第1步 科室负责人审核（科室负责人）",
        "head_a",
        "政治关：通过",
        "同意。同意发布",
        "政策关：有异议（与新政策口径不一致）",
        "不同意。时机不当",
        "测试县教育（微信订阅号）",
        "2026-12-07 10:00",
    ] {
        assert!(text.contains(expected), "{expected} not in {text}");
    }
    let docx = manuscripts::sheet::sheet_docx(&w.svc, &w.admin, m.id)
        .await
        .unwrap();
    assert!(docx.starts_with(b"PK\x03\x04"));
    let pdf = manuscripts::sheet::sheet_pdf(&w.svc, &w.admin, m.id)
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(matches!(
        manuscripts::sheet::sheet_pdf(&w.svc, &w.rev_b, m.id).await,
        Err(ServiceError::NotFound)
    ));
}
