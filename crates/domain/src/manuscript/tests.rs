use super::*;
use crate::policy::{BUILTIN, PolicyProfile};

fn duties(profile: &str, kind: &str, level: Level) -> Vec<(String, ReviewDuty)> {
    PolicyProfile::builtin(profile)
        .unwrap()
        .review
        .chain_for(kind, level)
        .unwrap_or_else(|| panic!("{profile} {kind} {level:?} has no chain"))
        .iter()
        .map(|s| (s.label.clone(), s.duty))
        .collect()
}

#[test]
fn chains_per_profile_kind_and_level() {
    use ReviewDuty::*;
    let one = vec![("审核员审核".to_string(), Reviewer)];
    let two = vec![
        ("科室负责人审核".to_string(), SectionHead),
        ("分管领导审签".to_string(), Leader),
    ];
    // (profile, kind, level, duties)
    let table = [
        ("kunshan", "日常信息", Level::County, one.clone()),
        ("kunshan", "通知公告", Level::Town, one.clone()),
        ("kunshan", "政策解读", Level::County, two.clone()),
        ("kunshan", "领导活动", Level::Town, two.clone()),
        ("dehui", "转载信息", Level::County, one.clone()),
        ("tongchuan", "政策解读", Level::County, two.clone()),
        ("hengnan", "领导活动", Level::County, two.clone()),
        ("guangdong", "日常信息", Level::Province, one.clone()),
        ("guangdong", "领导活动", Level::City, two.clone()),
        (
            "guangdong",
            "领导活动",
            Level::Province,
            [two.clone(), vec![("办公厅审核".to_string(), Reviewer)]].concat(),
        ),
    ];
    for (profile, kind, level, expected) in table {
        assert_eq!(
            duties(profile, kind, level),
            expected,
            "{profile} {kind} {level:?}"
        );
    }
    // Every shipped profile gives every kind a chain at every level.
    for (id, _) in BUILTIN {
        let p = PolicyProfile::builtin(id).unwrap();
        assert_eq!(p.review.problem(), None, "{id}");
        assert!(p.review.chain_for("不存在的类别", Level::County).is_none());
    }
}

#[test]
fn a_profile_without_review_gets_the_default_and_bad_sections_are_refused() {
    let (_, kunshan) = BUILTIN.iter().find(|(i, _)| *i == "kunshan").unwrap();
    let cut = kunshan.find("[review]").unwrap();
    let without = PolicyProfile::from_toml(&kunshan[..cut]).unwrap();
    assert_eq!(without.review, ReviewPolicy::default());
    let bad = [
        (
            "[review]\nkinds = [\"日常信息\", \"政策解读\"]\n[[review.chains]]\nkinds = [\"日常信息\"]\nsteps = [{ label = \"审核\", duty = \"reviewer\" }]\n",
            "没有审核流程",
        ),
        (
            "[review]\nkinds = [\"日常信息\"]\n[[review.chains]]\nkinds = [\"其他\"]\nsteps = [{ label = \"审核\", duty = \"reviewer\" }]\n",
            "不在 review.kinds 中",
        ),
        (
            "[review]\nkinds = [\"日常信息\"]\n[[review.chains]]\nkinds = [\"日常信息\"]\nsteps = []\n",
            "缺少稿件类别或审核步骤",
        ),
        (
            "[review]\nkinds = [\"日常信息\"]\n[[review.chains]]\nkinds = [\"日常信息\"]\nsteps = [{ label = \"审核\", duty = \"boss\" }]\n",
            "格式有误",
        ),
    ];
    for (section, expected) in bad {
        let text = format!("{}{section}", &kunshan[..cut]);
        let err = PolicyProfile::from_toml(&text).unwrap_err().to_string();
        assert!(err.contains(expected), "{section}: {err}");
    }
}

fn sign(verdict: GateVerdict) -> Vec<GateSign> {
    Gate::ALL
        .iter()
        .map(|g| GateSign {
            gate: *g,
            verdict,
            comment: if verdict == GateVerdict::Object {
                "表述不当".into()
            } else {
                String::new()
            },
        })
        .collect()
}

#[test]
fn all_five_gates_are_signed_and_an_objection_blocks_approval() {
    assert_eq!(
        check_gates(&sign(GateVerdict::Pass), Decision::Approve),
        Ok(())
    );
    let mut four = sign(GateVerdict::Pass);
    four.retain(|g| g.gate != Gate::Secrecy);
    assert!(matches!(
        check_gates(&four, Decision::Approve),
        Err(ManuscriptError::Field { message, .. }) if message.contains("保密关")
    ));
    let mut twice = sign(GateVerdict::Pass);
    twice.push(twice[0].clone());
    assert!(check_gates(&twice, Decision::Approve).is_err());
    let mut objection = sign(GateVerdict::Pass);
    objection[1] = GateSign {
        gate: Gate::Legal,
        verdict: GateVerdict::Object,
        comment: String::new(),
    };
    assert!(matches!(
        check_gates(&objection, Decision::Return),
        Err(ManuscriptError::Field { message, .. }) if message.contains("法律关有异议的，请写明意见")
    ));
    objection[1].comment = "引用的条例已废止".into();
    assert!(matches!(
        check_gates(&objection, Decision::Approve),
        Err(ManuscriptError::Refused(m)) if m.contains("法律关有异议")
    ));
    assert_eq!(check_gates(&objection, Decision::Return), Ok(()));
    assert_eq!(
        check_gates(&sign(GateVerdict::Object), Decision::Reject),
        Ok(())
    );
}

#[test]
fn a_veto_blocks_submission_and_a_deduct_needs_a_reason() {
    use FindingWeight::*;
    let draft = ManuscriptStatus::Draft;
    assert_eq!(check_submission(draft, &[Hint], ""), Ok(()));
    assert!(matches!(
        check_submission(draft, &[Deduct, Veto], "我确认无误，原文如此"),
        Err(ManuscriptError::Refused(m)) if m.contains("1处严重问题")
    ));
    assert!(matches!(
        check_submission(draft, &[Deduct, Deduct], "  好 "),
        Err(ManuscriptError::Field { field: "override_reason", message }) if message.contains("2处问题")
    ));
    assert_eq!(
        check_submission(ManuscriptStatus::Returned, &[Deduct], "专有名词，原文如此"),
        Ok(())
    );
    assert!(check_submission(ManuscriptStatus::Pending, &[], "").is_err());
    assert!(check_submission(ManuscriptStatus::Approved, &[], "").is_err());
}

#[test]
fn fields_follow_the_kinds_and_reposts_name_their_source() {
    let review = ReviewPolicy::default();
    let ok = ManuscriptFields {
        title: "关于开展消防安全检查的通知",
        body_text: "各单位：……",
        kind: "通知公告",
        origin: Origin::Original,
        source: None,
        targets: 2,
    };
    assert_eq!(check_fields(&ok, &review), Ok(()));
    let field_of = |f: &ManuscriptFields<'_>| match check_fields(f, &review) {
        Err(ManuscriptError::Field { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(field_of(&ManuscriptFields { title: " ", ..ok }), "title");
    let long = "长".repeat(MAX_TITLE_CHARS + 1);
    assert_eq!(field_of(&ManuscriptFields { title: &long, ..ok }), "title");
    assert_eq!(
        field_of(&ManuscriptFields {
            kind: "娱乐", ..ok
        }),
        "kind"
    );
    assert_eq!(
        field_of(&ManuscriptFields {
            origin: Origin::Repost,
            ..ok
        }),
        "source"
    );
    assert_eq!(
        field_of(&ManuscriptFields {
            source: Some("新华社"),
            ..ok
        }),
        "source"
    );
    assert_eq!(field_of(&ManuscriptFields { targets: 0, ..ok }), "targets");
    assert_eq!(
        field_of(&ManuscriptFields {
            body_text: "\n",
            ..ok
        }),
        "body"
    );
}

#[test]
fn the_diff_keeps_common_paragraphs_and_marks_the_changes() {
    let old = "第一段\n第二段\n第三段";
    let new = "第一段\n第二段（修改）\n第三段\n第四段";
    assert_eq!(
        diff_paragraphs(old, new),
        vec![
            DiffLine::Same("第一段".into()),
            DiffLine::Added("第二段（修改）".into()),
            DiffLine::Removed("第二段".into()),
            DiffLine::Same("第三段".into()),
            DiffLine::Added("第四段".into()),
        ]
    );
    assert_eq!(diff_paragraphs("", ""), vec![]);
}
