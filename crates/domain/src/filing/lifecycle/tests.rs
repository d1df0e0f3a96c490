use super::*;
use AccountStatus as S;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn msg(r: Result<impl std::fmt::Debug, FilingError>) -> String {
    r.unwrap_err().to_string()
}

#[test]
fn kinds_apply_only_to_fitting_account_states() {
    // (kind, account status, allowed)
    #[rustfmt::skip]
    let table: &[(FilingKind, Option<AccountStatus>, bool)] = &[
        (FilingKind::Open, None, true),
        (FilingKind::Open, Some(S::Normal), false),
        (FilingKind::Change, None, false),
        (FilingKind::Change, Some(S::Normal), true),
        (FilingKind::Change, Some(S::Paused), true),
        (FilingKind::Change, Some(S::Deregistered), false),
        (FilingKind::TeamChange, Some(S::Exited), false),
        (FilingKind::Close, Some(S::Normal), true),
        (FilingKind::Close, Some(S::Paused), true),
        (FilingKind::Close, Some(S::Closed), false),
        (FilingKind::Pause, Some(S::Paused), false),
        (FilingKind::Pause, Some(S::Closed), false),
        (FilingKind::Deregister, Some(S::Closed), true),
        (FilingKind::Deregister, Some(S::Deregistered), false),
        (FilingKind::Exit, Some(S::Normal), true),
        (FilingKind::Exit, Some(S::Exited), false),
    ];
    for (kind, status, ok) in table {
        assert_eq!(
            check_applicable(*kind, *status).is_ok(),
            *ok,
            "{kind:?} {status:?}"
        );
    }
    assert_eq!(
        msg(check_applicable(FilingKind::Close, Some(S::Closed))),
        "该账号已经关停，不能重复关停"
    );
    assert_eq!(
        msg(check_applicable(FilingKind::Change, Some(S::Deregistered))),
        "该账号已注销，不能再办理变更、关停等备案"
    );
}

#[test]
fn fields_are_checked_per_kind() {
    let base = FilingFields {
        kind: FilingKind::Close,
        reason: "无力维护",
        effective_on: Some(d("2026-03-02")),
        notice_url: Some("https://weibo.com/notice"),
        has_account_data: false,
    };
    assert!(check_fields(&base).is_ok());
    assert!(
        msg(check_fields(&FilingFields {
            notice_url: None,
            ..base
        }))
        .contains("停更说明链接")
    );
    assert!(
        msg(check_fields(&FilingFields {
            notice_url: Some("weibo.com"),
            ..base
        }))
        .contains("http")
    );
    assert!(
        msg(check_fields(&FilingFields {
            reason: " ",
            ..base
        }))
        .contains("理由")
    );
    assert!(
        msg(check_fields(&FilingFields {
            effective_on: None,
            ..base
        }))
        .contains("生效日期")
    );
    let open = FilingFields {
        kind: FilingKind::Open,
        effective_on: None,
        notice_url: None,
        ..base
    };
    assert!(msg(check_fields(&open)).contains("账号信息"));
    assert!(
        check_fields(&FilingFields {
            has_account_data: true,
            ..open
        })
        .is_ok()
    );
}

fn who(user_id: i64) -> Decider {
    Decider {
        user_id,
        entitled: true,
    }
}

#[test]
fn steps_are_decided_in_turn_and_never_by_the_applicant() {
    let mut steps = vec![StepStatus::Approved, StepStatus::Approved];
    assert_eq!(
        submit(FilingStatus::Draft, &mut steps),
        Ok(FilingStatus::Pending)
    );
    assert_eq!(steps, [StepStatus::Waiting, StepStatus::Waiting]);
    let k = FilingKind::Open;
    let p = FilingStatus::Pending;
    assert_eq!(
        msg(decide(k, p, &steps, 0, 7, &who(7), Decision::Approve, "")),
        "不能审批本人提交的申请"
    );
    assert_eq!(
        msg(decide(k, p, &steps, 1, 7, &who(8), Decision::Approve, "")),
        "尚未轮到该审批步骤，请等待前面的步骤审批"
    );
    let not_entitled = Decider {
        user_id: 8,
        entitled: false,
    };
    assert_eq!(
        msg(decide(
            k,
            p,
            &steps,
            0,
            7,
            &not_entitled,
            Decision::Approve,
            ""
        )),
        "您不是该审批步骤的审批人"
    );
    let first = decide(k, p, &steps, 0, 7, &who(8), Decision::Approve, "").unwrap();
    assert_eq!(
        (first.step_status, first.filing_status),
        (StepStatus::Approved, FilingStatus::Pending)
    );
    steps[0] = first.step_status;
    assert_eq!(
        msg(decide(k, p, &steps, 0, 7, &who(8), Decision::Approve, "")),
        "该审批步骤已经处理过"
    );
    let last = decide(k, p, &steps, 1, 7, &who(9), Decision::Approve, "同意").unwrap();
    assert_eq!(last.filing_status, FilingStatus::Approved);
    let change = decide(
        FilingKind::Change,
        p,
        &steps,
        1,
        7,
        &who(9),
        Decision::Approve,
        "",
    )
    .unwrap();
    assert_eq!(change.filing_status, FilingStatus::Accepted);
    assert!(
        msg(decide(
            k,
            FilingStatus::Approved,
            &steps,
            1,
            7,
            &who(9),
            Decision::Approve,
            ""
        ))
        .contains("不在审批中")
    );
}

#[test]
fn return_and_reject_need_a_comment_and_return_allows_resubmission() {
    let mut steps = vec![StepStatus::Waiting, StepStatus::Waiting];
    let p = FilingStatus::Pending;
    let k = FilingKind::Close;
    assert!(msg(decide(k, p, &steps, 0, 1, &who(2), Decision::Return, " ")).contains("意见"));
    let r = decide(
        k,
        p,
        &steps,
        0,
        1,
        &who(2),
        Decision::Return,
        "请补充停更说明",
    )
    .unwrap();
    assert_eq!(r.filing_status, FilingStatus::Returned);
    steps[0] = r.step_status;
    assert!(editable(FilingStatus::Returned));
    assert_eq!(
        submit(FilingStatus::Returned, &mut steps),
        Ok(FilingStatus::Pending)
    );
    assert_eq!(steps, [StepStatus::Waiting, StepStatus::Waiting]);
    let r = decide(k, p, &steps, 0, 1, &who(2), Decision::Reject, "不符合规定").unwrap();
    assert_eq!(r.filing_status, FilingStatus::Rejected);
    assert!(submit(FilingStatus::Rejected, &mut steps).is_err());
    assert!(submit(FilingStatus::Pending, &mut steps).is_err());
    assert!(submit(FilingStatus::Draft, &mut []).is_err());
}

#[test]
fn only_approved_openings_are_recorded_opened() {
    let today = d("2026-03-02");
    assert_eq!(
        record_opened(FilingKind::Open, FilingStatus::Approved, today, today),
        Ok(FilingStatus::Accepted)
    );
    assert!(
        msg(record_opened(
            FilingKind::Open,
            FilingStatus::Pending,
            today,
            today
        ))
        .contains("尚未批准")
    );
    assert!(
        msg(record_opened(
            FilingKind::Open,
            FilingStatus::Accepted,
            today,
            today
        ))
        .contains("已经登记开通")
    );
    assert!(record_opened(FilingKind::Close, FilingStatus::Approved, today, today).is_err());
    assert!(
        record_opened(
            FilingKind::Open,
            FilingStatus::Approved,
            d("2026-03-03"),
            today
        )
        .is_err()
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// One attempted action: who (user 0 is the applicant), which step, what.
    fn action() -> impl Strategy<Value = (i64, usize, u8, bool, bool)> {
        (0i64..3, 0usize..4, 0u8..4, any::<bool>(), any::<bool>())
    }

    proptest! {
        /// Whatever is attempted, in any order: steps are approved strictly in
        /// order, never by the applicant, the filing is final only after every step
        /// agreed, and a refused action changes nothing.
        #[test]
        fn approvals_stay_in_turn(kind_open in any::<bool>(), n in 1usize..4, actions in proptest::collection::vec(action(), 0..40)) {
            let kind = if kind_open { FilingKind::Open } else { FilingKind::Change };
            let mut steps = vec![StepStatus::Waiting; n];
            let mut status = submit(FilingStatus::Draft, &mut steps).unwrap();
            for (user, step, what, entitled, comment) in actions {
                let decision = match what { 0 | 3 => Decision::Approve, 1 => Decision::Return, _ => Decision::Reject };
                if what == 3 && editable(status) {
                    status = submit(status, &mut steps).unwrap();
                    continue;
                }
                let before = (status, steps.clone());
                let who = Decider { user_id: user, entitled };
                match decide(kind, status, &steps, step, 0, &who, decision, if comment { "意见" } else { "" }) {
                    Ok(d) => {
                        prop_assert_eq!(user == 0, false);
                        prop_assert!(entitled);
                        prop_assert_eq!(Some(d.step), current_step(&steps));
                        prop_assert!(steps[..d.step].iter().all(|s| *s == StepStatus::Approved));
                        steps[d.step] = d.step_status;
                        status = d.filing_status;
                    }
                    Err(_) => prop_assert_eq!((status, steps.clone()), before),
                }
                let all_approved = steps.iter().all(|s| *s == StepStatus::Approved);
                prop_assert_eq!(matches!(status, FilingStatus::Approved | FilingStatus::Accepted), all_approved);
                if status == FilingStatus::Pending {
                    prop_assert!(current_step(&steps).is_some());
                }
            }
        }
    }
}
