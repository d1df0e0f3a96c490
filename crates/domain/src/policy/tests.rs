use super::*;
use crate::filing::FilingKind as K;
use Level::*;
use UnitKind as U;

fn all() -> Vec<PolicyProfile> {
    BUILTIN
        .iter()
        .map(|(id, _)| PolicyProfile::builtin(id).unwrap_or_else(|e| panic!("{id}: {e}")))
        .collect()
}

#[test]
fn every_builtin_profile_parses_and_covers_every_kind() {
    let profiles = all();
    assert_eq!(profiles.len(), 5);
    for p in &profiles {
        assert_eq!(
            BUILTIN
                .iter()
                .find(|(id, _)| *id == p.id)
                .map(|(id, _)| *id),
            Some(p.id.as_str())
        );
        assert!(p.announcement_days >= 30, "{}", p.id);
        for kind in K::ALL {
            for (level, unit_kind) in [
                (County, U::Department),
                (Town, U::TownStreet),
                (City, U::Department),
            ] {
                assert!(
                    p.chain_for(*kind, level, unit_kind).is_some(),
                    "{} {kind:?} {level:?}",
                    p.id
                );
            }
        }
    }
    assert!(PolicyProfile::builtin(DEFAULT_PROFILE).is_ok());
    assert!(matches!(
        PolicyProfile::builtin("nowhere"),
        Err(PolicyError::Unknown(_))
    ));
}

fn w(days: u32) -> Option<Period> {
    Some(Period {
        days,
        count: DayCount::Working,
    })
}

fn c(days: u32) -> Option<Period> {
    Some(Period {
        days,
        count: DayCount::Calendar,
    })
}

#[test]
fn deadlines_per_profile_follow_the_seeds() {
    // (profile, kind, deadline)
    #[rustfmt::skip]
    let table: &[(&str, K, Option<Period>)] = &[
        ("dehui", K::Open, w(3)), ("dehui", K::Deregister, w(3)),
        ("guangdong", K::Open, c(3)), ("guangdong", K::Close, c(3)),
        ("kunshan", K::Open, w(2)), ("kunshan", K::Change, w(2)),
        ("hengnan", K::Change, w(7)), ("hengnan", K::TeamChange, w(7)), ("hengnan", K::Open, None),
        ("tongchuan", K::Open, None), ("tongchuan", K::Exit, None),
    ];
    for (id, kind, expected) in table {
        assert_eq!(
            PolicyProfile::builtin(id).unwrap().deadline(*kind),
            *expected,
            "{id} {kind:?}"
        );
    }
    let forwarding: Vec<(String, Option<Period>)> =
        all().into_iter().map(|p| (p.id, p.forwarding)).collect();
    for (id, f) in forwarding {
        assert_eq!(f, if id == "kunshan" { w(1) } else { None }, "{id}");
    }
}

#[test]
fn opening_stances_per_profile() {
    #[rustfmt::skip]
    let table: &[(&str, Level, U, Stance)] = &[
        ("kunshan", County, U::InternalOrgan, Stance::Forbidden),
        ("kunshan", Town, U::TownStreet, Stance::Should),
        ("kunshan", County, U::Department, Stance::May),
        ("dehui", County, U::Department, Stance::Should),
        ("dehui", Town, U::InternalOrgan, Stance::Forbidden),
        ("guangdong", County, U::PeopleGovernment, Stance::Should),
        ("guangdong", City, U::Department, Stance::May),
        ("guangdong", County, U::Department, Stance::NotInPrinciple),
        ("guangdong", Town, U::TownStreet, Stance::NotInPrinciple),
        ("hengnan", County, U::Department, Stance::NotInPrinciple),
        ("tongchuan", County, U::Department, Stance::May),
    ];
    for (id, level, kind, stance) in table {
        assert_eq!(
            PolicyProfile::builtin(id)
                .unwrap()
                .opening_stance(*level, *kind),
            *stance,
            "{id} {level:?} {kind:?}"
        );
    }
}

fn unit(id: i64, name: &str, level: Level, kind: U, parent: Option<i64>) -> UnitFacts {
    UnitFacts {
        id,
        name: name.into(),
        level,
        kind,
        parent_id: parent,
        supervisor_id: None,
    }
}

/// A district deployment: 区政府 (1) with its office (2), a department (3); and a
/// county-level city like 昆山 with its office as a sibling of the departments.
fn district() -> Vec<UnitFacts> {
    vec![
        unit(1, "王益区人民政府", County, U::PeopleGovernment, None),
        unit(
            2,
            "王益区人民政府办公室",
            County,
            U::GovernmentOffice,
            Some(1),
        ),
        unit(3, "王益区教育局", County, U::Department, Some(1)),
    ]
}

fn deciders(profile: &str, kind: K, units: &[UnitFacts], applicant: i64) -> Vec<Decider> {
    let p = PolicyProfile::builtin(profile).unwrap();
    let a = units.iter().find(|u| u.id == applicant).unwrap();
    let steps = p.chain_for(kind, a.level, a.kind).unwrap();
    resolve_chain(steps, units, a)
        .into_iter()
        .map(|s| s.decider)
        .collect()
}

fn upper(authority: &str, recorded_by: i64) -> Decider {
    Decider::Upper {
        authority: authority.into(),
        recorded_by,
    }
}

#[test]
fn tongchuan_goes_up_to_the_province_and_to_the_state_council_for_exit() {
    let units = district();
    assert_eq!(
        deciders("tongchuan", K::Open, &units, 3),
        vec![
            Decider::Unit { unit_id: 3 },
            Decider::Unit { unit_id: 2 },
            upper("铜川市人民政府办公室", 2),
            upper("陕西省人民政府办公厅", 2),
        ]
    );
    let exit = deciders("tongchuan", K::Exit, &units, 3);
    assert_eq!(exit.len(), 5);
    assert_eq!(exit[4], upper("国务院办公厅", 2));
    assert_eq!(deciders("tongchuan", K::Change, &units, 3).len(), 3);
    assert_eq!(
        deciders("tongchuan", K::Deregister, &units, 3)[3],
        upper("陕西省人民政府办公厅", 2)
    );
}

#[test]
fn kunshan_and_hengnan_go_to_the_host_head_then_the_office() {
    let mut units = district();
    units[2].supervisor_id = Some(2);
    for id in ["kunshan", "hengnan"] {
        assert_eq!(
            deciders(id, K::Open, &units, 3),
            vec![Decider::Unit { unit_id: 3 }, Decider::Unit { unit_id: 2 }],
            "{id}"
        );
    }
    assert_eq!(
        deciders("dehui", K::Close, &units, 3),
        vec![Decider::Unit { unit_id: 2 }]
    );
}

#[test]
fn guangdong_chains_depend_on_the_applicant_level() {
    let units = vec![
        unit(1, "广东省人民政府", Province, U::PeopleGovernment, None),
        unit(
            2,
            "广东省人民政府办公厅",
            Province,
            U::GovernmentOffice,
            Some(1),
        ),
        unit(3, "广东省教育厅", Province, U::Department, Some(1)),
        unit(4, "广州市人民政府", City, U::PeopleGovernment, Some(1)),
        unit(5, "广州市教育局", City, U::Department, Some(4)),
        unit(6, "从化区人民政府", County, U::PeopleGovernment, Some(4)),
        unit(7, "从化区教育局", County, U::Department, Some(6)),
    ];
    // 省直部门 and 地级以上市人民政府 → province; 市直部门 and 县级人民政府 → city (no city office unit: the government itself).
    assert_eq!(
        deciders("guangdong", K::Open, &units, 3),
        vec![Decider::Unit { unit_id: 2 }]
    );
    assert_eq!(
        deciders("guangdong", K::Open, &units, 4),
        vec![Decider::Unit { unit_id: 2 }]
    );
    assert_eq!(
        deciders("guangdong", K::Open, &units, 5),
        vec![Decider::Unit { unit_id: 4 }]
    );
    assert_eq!(
        deciders("guangdong", K::Open, &units, 6),
        vec![Decider::Unit { unit_id: 4 }]
    );
    assert_eq!(
        deciders("guangdong", K::Open, &units, 7),
        vec![Decider::Unit { unit_id: 6 }, Decider::Unit { unit_id: 4 }]
    );
    // A city deployment (no province unit): the province step is 报上级, recorded by the top unit.
    let city: Vec<UnitFacts> = units[3..]
        .iter()
        .cloned()
        .map(|mut u| {
            if u.id == 4 {
                u.parent_id = None;
            }
            u
        })
        .collect();
    assert_eq!(
        deciders("guangdong", K::Open, &city, 4),
        vec![upper("广东省人民政府办公厅", 4)]
    );
}

#[test]
fn bad_profiles_are_refused_with_a_reason() {
    let (_, kunshan) = BUILTIN.iter().find(|(id, _)| *id == "kunshan").unwrap();
    let short = kunshan.replace("announcement_days = 30", "announcement_days = 7");
    assert!(
        PolicyProfile::from_toml(&short)
            .unwrap_err()
            .to_string()
            .contains("不得少于30天")
    );
    let typo = kunshan.replace("[deadlines]", "[deadline]");
    assert!(matches!(
        PolicyProfile::from_toml(&typo),
        Err(PolicyError::Syntax(_))
    ));
    let no_level = kunshan.replace(
        "approver = \"office\", level = \"county\", ",
        "approver = \"office\", ",
    );
    assert!(
        PolicyProfile::from_toml(&no_level)
            .unwrap_err()
            .to_string()
            .contains("层级")
    );
    let bad_kind = kunshan.replace("\"exit\"]", "\"retire\"]");
    assert!(PolicyProfile::from_toml(&bad_kind).is_err());
}

#[test]
fn monitoring_settings_come_from_the_profile_with_defaults_and_checks() {
    use crate::update_clock::ClockPolicy;
    let (_, kunshan) = BUILTIN.iter().find(|(id, _)| *id == "kunshan").unwrap();
    let p = PolicyProfile::from_toml(kunshan).unwrap();
    assert_eq!(p.monitoring, ClockPolicy::default());
    // A profile without the section gets the defaults.
    let (_, hengnan) = BUILTIN.iter().find(|(id, _)| *id == "hengnan").unwrap();
    assert_eq!(
        PolicyProfile::from_toml(hengnan).unwrap().monitoring,
        ClockPolicy::default()
    );
    let stricter = kunshan
        .replace("warn_after = [10, 13]", "warn_after = [5]")
        .replace("veto_after = 14", "veto_after = 7")
        .replace("originals_only = false", "originals_only = true");
    let p = PolicyProfile::from_toml(&stricter).unwrap();
    assert_eq!(
        (
            p.monitoring.warn_after,
            p.monitoring.veto_after,
            p.monitoring.originals_only
        ),
        (vec![5], 7, true)
    );
    for (from, to, words) in [
        ("warn_after = [10, 13]", "warn_after = [13, 10]", "从小到大"),
        (
            "warn_after = [10, 13]",
            "warn_after = [10, 20]",
            "否决天数之间",
        ),
        ("veto_after = 14", "veto_after = 0", "1至60天"),
        ("max_blind_days = 2", "max_blind_days = 0", "1至30天"),
    ] {
        let bad = kunshan.replace(from, to);
        let err = PolicyProfile::from_toml(&bad).unwrap_err().to_string();
        assert!(err.contains(words), "{to}: {err}");
    }
    let unknown = kunshan.replace("max_blind_days = 2", "max_blind = 2");
    assert!(matches!(
        PolicyProfile::from_toml(&unknown),
        Err(PolicyError::Syntax(_))
    ));
}

#[test]
fn interaction_limits_come_from_the_profile_with_defaults_and_checks() {
    use crate::interaction::{InteractionPolicy, ItemKind};
    use crate::time_limit::Limit;
    let (_, kunshan) = BUILTIN.iter().find(|(id, _)| *id == "kunshan").unwrap();
    let p = PolicyProfile::from_toml(kunshan).unwrap();
    assert_eq!(p.interaction, InteractionPolicy::default());
    let (_, hengnan) = BUILTIN.iter().find(|(id, _)| *id == "hengnan").unwrap();
    assert_eq!(
        PolicyProfile::from_toml(hengnan).unwrap().interaction,
        InteractionPolicy::default()
    );
    let hours = kunshan.replace("comment = { working_days = 2 }", "comment = { hours = 24 }");
    let p = PolicyProfile::from_toml(&hours).unwrap();
    assert_eq!(
        p.interaction.limit(ItemKind::Comment),
        Some(Limit::Hours(24))
    );
    let zero = kunshan.replace("comment = { working_days = 2 }", "comment = { hours = 0 }");
    let err = PolicyProfile::from_toml(&zero).unwrap_err().to_string();
    assert!(err.contains("评论"), "{err}");
    let unknown = kunshan.replace("comment = { working_days = 2 }", "chat = { hours = 2 }");
    assert!(matches!(
        PolicyProfile::from_toml(&unknown),
        Err(PolicyError::Syntax(_))
    ));
}
