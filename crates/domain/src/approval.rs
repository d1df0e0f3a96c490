//! The approval engine shared by filings (备案审批) and manuscripts (稿件审核): an
//! ordered chain of steps decided in turn — approve, return with a comment, or
//! reject with a comment — by the entitled decider of the current step, never by
//! the applicant themself.
//!
//! The engine knows nothing of what is being approved. Each caller checks its own
//! status first (a filing must be 审批中, a manuscript 审核中), resolves whether the
//! acting user is entitled to the step (the unit tree and role for filings, the
//! named reviewers for manuscripts), and maps the [`Outcome`] to its own status.

use crate::code_enum;

code_enum! {
    /// 审批步骤状态
    StepStatus, "审批步骤状态" {
        Waiting = ("waiting", "待审批"),
        Approved = ("approved", "同意"),
        Returned = ("returned", "退回"),
        Rejected = ("rejected", "不同意"),
    }
}

code_enum! {
    /// 审批意见: what an approver decides.
    Decision, "审批意见" {
        Approve = ("approve", "同意"),
        Return = ("return", "退回修改"),
        Reject = ("reject", "驳回"),
    }
}

/// A refused decision. The message is shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalError {
    #[error("{0}")]
    Refused(String),
    #[error("{field}：{message}")]
    Field {
        field: &'static str,
        message: String,
    },
}

/// Who is deciding, as far as the engine needs to know.
pub struct Decider {
    pub user_id: i64,
    /// Whether the decider is entitled to decide the step (the caller checks the
    /// unit tree, the role or the named reviewers).
    pub entitled: bool,
}

/// What a decision does to the whole application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Approved, and another step follows.
    Next,
    /// The last step approved: the application is approved.
    Approved,
    /// Returned to the applicant, who may edit and submit again.
    Returned,
    /// Refused for good.
    Rejected,
}

/// The result of a decision: the step decided, its new status, and the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decided {
    pub step: usize,
    pub step_status: StepStatus,
    pub outcome: Outcome,
}

/// The index of the step whose decision is awaited.
pub fn current_step(steps: &[StepStatus]) -> Option<usize> {
    steps.iter().position(|s| *s == StepStatus::Waiting)
}

/// Submitting (again): every step waits again, from the first.
pub fn restart(steps: &mut [StepStatus]) {
    steps.iter_mut().for_each(|s| *s = StepStatus::Waiting);
}

/// The fewest characters of a comment that returns or rejects.
pub const MIN_COMMENT_CHARS: usize = 2;

/// Decides step `step` of a chain waiting for decisions, in turn, never on one's
/// own application. Return and reject need a comment. `noun` names the thing in
/// the messages (申请, 稿件).
pub fn decide(
    steps: &[StepStatus],
    step: usize,
    applicant_user_id: i64,
    who: &Decider,
    decision: Decision,
    comment: &str,
    noun: &str,
) -> Result<Decided, ApprovalError> {
    let refuse = |m: String| Err(ApprovalError::Refused(m));
    if who.user_id == applicant_user_id {
        return refuse(format!("不能审批本人提交的{noun}"));
    }
    let Some(current) = current_step(steps) else {
        return refuse(format!("该{noun}没有待审批的步骤"));
    };
    if step != current {
        return if step < current {
            refuse("该审批步骤已经处理过".into())
        } else {
            refuse("尚未轮到该审批步骤，请等待前面的步骤审批".into())
        };
    }
    if !who.entitled {
        return refuse("您不是该审批步骤的审批人".into());
    }
    if decision != Decision::Approve && comment.trim().chars().count() < MIN_COMMENT_CHARS {
        return Err(ApprovalError::Field {
            field: "comment",
            message: "退回或驳回须写明意见".into(),
        });
    }
    let last = current + 1 == steps.len();
    let (step_status, outcome) = match decision {
        Decision::Approve if !last => (StepStatus::Approved, Outcome::Next),
        Decision::Approve => (StepStatus::Approved, Outcome::Approved),
        Decision::Return => (StepStatus::Returned, Outcome::Returned),
        Decision::Reject => (StepStatus::Rejected, Outcome::Rejected),
    };
    Ok(Decided {
        step: current,
        step_status,
        outcome,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use StepStatus::*;

    fn who(user_id: i64, entitled: bool) -> Decider {
        Decider { user_id, entitled }
    }

    #[test]
    fn steps_are_decided_in_turn_to_the_last() {
        let steps = [Approved, Waiting, Waiting];
        let d = decide(&steps, 1, 7, &who(8, true), Decision::Approve, "", "稿件").unwrap();
        assert_eq!((d.step, d.outcome), (1, Outcome::Next));
        let steps = [Approved, Approved, Waiting];
        let d = decide(&steps, 2, 7, &who(8, true), Decision::Approve, "", "稿件").unwrap();
        assert_eq!(d.outcome, Outcome::Approved);
        let early = decide(
            &[Waiting, Waiting],
            1,
            7,
            &who(8, true),
            Decision::Approve,
            "",
            "稿件",
        );
        assert!(matches!(early, Err(ApprovalError::Refused(m)) if m.contains("尚未轮到")));
        let late = decide(
            &[Approved, Waiting],
            0,
            7,
            &who(8, true),
            Decision::Approve,
            "",
            "稿件",
        );
        assert!(matches!(late, Err(ApprovalError::Refused(m)) if m.contains("已经处理过")));
    }

    #[test]
    fn the_applicant_never_decides_even_when_entitled() {
        let r = decide(
            &[Waiting],
            0,
            7,
            &who(7, true),
            Decision::Approve,
            "",
            "稿件",
        );
        assert_eq!(
            r,
            Err(ApprovalError::Refused("不能审批本人提交的稿件".into()))
        );
    }

    #[test]
    fn only_the_entitled_decider_and_return_or_reject_need_a_comment() {
        let r = decide(
            &[Waiting],
            0,
            7,
            &who(8, false),
            Decision::Approve,
            "",
            "稿件",
        );
        assert!(matches!(r, Err(ApprovalError::Refused(m)) if m.contains("不是该审批步骤")));
        for d in [Decision::Return, Decision::Reject] {
            let r = decide(&[Waiting], 0, 7, &who(8, true), d, " 。 ", "稿件");
            assert!(matches!(
                r,
                Err(ApprovalError::Field {
                    field: "comment",
                    ..
                })
            ));
        }
        let r = decide(
            &[Waiting, Waiting],
            0,
            7,
            &who(8, true),
            Decision::Return,
            "数据有误",
            "稿件",
        );
        assert_eq!(r.unwrap().outcome, Outcome::Returned);
        let r = decide(
            &[Waiting],
            0,
            7,
            &who(8, true),
            Decision::Reject,
            "不宜发布",
            "稿件",
        );
        assert_eq!(r.unwrap().step_status, Rejected);
        assert_eq!(
            decide(
                &[Rejected],
                0,
                7,
                &who(8, true),
                Decision::Approve,
                "",
                "稿件"
            ),
            Err(ApprovalError::Refused("该稿件没有待审批的步骤".into()))
        );
    }

    #[test]
    fn restart_makes_every_step_wait() {
        let mut steps = [Approved, Returned];
        restart(&mut steps);
        assert_eq!(steps, [Waiting, Waiting]);
        assert_eq!(current_step(&steps), Some(0));
    }
}
