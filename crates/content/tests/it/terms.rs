//! The checker's term whitelist as manuscripts see it: a term a unit declared correct
//! is not flagged in its manuscripts (or its departments'), the same words elsewhere
//! still are; edits need the version seen; another unit's term is "not found".

use crate::common::{account_of, add_user, county};
use chrono::TimeZone;
use govmedia_content::{self as manuscripts, ManuscriptInput};
use govmedia_core::ServiceError;
use govmedia_core::checker_terms::{self, TermInput};

fn outdated(findings: &[govmedia_content::check::CheckFinding]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.category.contains("过时"))
        .map(|f| f.text.clone())
        .collect()
}

#[tokio::test]
async fn a_whitelisted_term_is_never_flagged_in_the_units_manuscripts() {
    let c = county(
        "checker_terms",
        chrono::Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap(),
    )
    .await;
    let editor_a = add_user(&c.svc, "editor_a", c.unit_a, "editor").await;
    let editor_b = add_user(&c.svc, "editor_b", c.unit_b, "editor").await;
    // The old residential compound keeps its name; the commission itself is abolished.
    let acc_a = c
        .account(account_of("测试县教育", c.unit_a, "wechat_subscription"))
        .await;
    let acc_b = c.account(account_of("健康测试县", c.unit_b, "weibo")).await;
    let body = "<p>卫计委家属院改造完工。</p><p>国家卫计委曾发文部署。</p>";
    let write = |who: &govmedia_core::Actor, unit: i64| {
        let target = if unit == c.unit_a { acc_a } else { acc_b };
        let who = who.clone();
        let svc = c.svc.clone();
        async move {
            let m = manuscripts::create(
                &svc,
                &who,
                &ManuscriptInput {
                    unit_id: Some(unit),
                    title: "老旧小区改造".into(),
                    body_html: body.into(),
                    kind: "日常信息".into(),
                    origin: "原创".into(),
                    targets: vec![target],
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            let view = manuscripts::get(&svc, &who, m.id).await.unwrap();
            outdated(&view.versions[0].findings)
        }
    };
    let before = write(&editor_a, c.unit_a).await;
    assert_eq!(before.len(), 2, "{before:?}");

    // The county declares the compound's name correct for itself and every unit below.
    let term = checker_terms::add(
        &c.svc,
        &c.admin,
        &TermInput {
            unit_id: Some(c.root.id),
            term: "卫计委家属院".into(),
            note: "本县小区名称".into(),
        },
    )
    .await
    .unwrap();
    let after = write(&editor_a, c.unit_a).await;
    assert_eq!(after, vec!["国家卫计委".to_string()], "{after:?}");
    // The check page (API) of a user of the county's departments applies it too.
    let checked =
        govmedia_core::textcheck::check_text(&c.svc, &editor_b, "卫计委家属院和国家卫计委")
            .await
            .unwrap();
    let texts: Vec<&str> = checked.findings.iter().map(|f| f.text.as_str()).collect();
    assert_eq!(texts, vec!["国家卫计委"], "{texts:?}");

    // A term of 教育局 (A) does not hold for 卫健委 (B).
    checker_terms::add(
        &c.svc,
        &c.host_a,
        &TermInput {
            unit_id: None,
            term: "国家卫计委".into(),
            note: String::new(),
        },
    )
    .await
    .unwrap();
    assert!(write(&editor_a, c.unit_a).await.is_empty());
    assert_eq!(
        write(&editor_b, c.unit_b).await,
        vec!["国家卫计委".to_string()]
    );

    // The same term twice for one unit, an empty or spaced term: refused in words.
    for (t, field) in [
        ("卫计委家属院", "term"),
        ("卫", "term"),
        ("两个 词", "term"),
    ] {
        match checker_terms::add(
            &c.svc,
            &c.admin,
            &TermInput {
                unit_id: Some(c.root.id),
                term: t.into(),
                note: String::new(),
            },
        )
        .await
        {
            Err(ServiceError::Validation(e)) => assert_eq!(e[0].field, field, "{t}"),
            other => panic!("{t}: {other:?}"),
        }
    }

    // Scope: 卫健委's administrator neither sees nor edits the county's term.
    let listed_b = checker_terms::list(&c.svc, &c.host_b).await.unwrap();
    assert!(listed_b.is_empty(), "{listed_b:?}");
    assert!(matches!(
        checker_terms::get(&c.svc, &c.host_b, term.id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        checker_terms::remove(&c.svc, &c.host_b, term.id, term.version).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        checker_terms::remove(&c.svc, &editor_a, term.id, term.version).await,
        Err(ServiceError::Forbidden)
    ));

    // A stale edit is refused; the fresh one moves the version; removal needs it.
    let edited = checker_terms::update(
        &c.svc,
        &c.admin,
        term.id,
        term.version,
        &TermInput {
            unit_id: None,
            term: "卫计委家属院".into(),
            note: "城关镇老旧小区".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(edited.version, term.version + 1);
    assert!(matches!(
        checker_terms::remove(&c.svc, &c.admin, term.id, term.version).await,
        Err(ServiceError::Stale(_))
    ));
    checker_terms::remove(&c.svc, &c.admin, term.id, edited.version)
        .await
        .unwrap();
    let listed = checker_terms::list(&c.svc, &c.admin).await.unwrap();
    assert_eq!(
        listed.iter().map(|t| t.term.as_str()).collect::<Vec<_>>(),
        vec!["国家卫计委"]
    );
    // Every change is audited with the term.
    let audit = govmedia_core::audit::list(
        &c.svc,
        &c.admin,
        govmedia_store::audit::AuditQuery {
            entity: Some("checker_term".into()),
            page: 1,
            per_page: 50,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let actions: Vec<&str> = audit.items.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "create").count(),
        2,
        "{actions:?}"
    );
    assert!(
        actions.contains(&"update") && actions.contains(&"delete"),
        "{actions:?}"
    );
}
