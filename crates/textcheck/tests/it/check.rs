//! Table tests of the default rules: one row per behaviour, `t!(name, text, expected)` where
//! `expected` lists `(category, matched original text, suggestion)` or is empty for clean text.

use govmedia_textcheck::{Category, Checker, Defaults, Finding, Severity, SharedChecker};
use std::sync::{Arc, OnceLock};

fn checker() -> &'static Checker {
    static C: OnceLock<Checker> = OnceLock::new();
    C.get_or_init(Checker::with_defaults)
}

/// Checks the finding invariants and returns `(category, text, suggestion)` triples.
fn run(text: &str) -> Vec<(Category, String, Option<String>)> {
    let findings = checker().check(text);
    assert_offsets(text, &findings);
    findings
        .into_iter()
        .map(|f| (f.category, f.text.into(), f.suggestion))
        .collect()
}

fn assert_offsets(text: &str, findings: &[Finding]) {
    let chars: Vec<char> = text.chars().collect();
    for f in findings {
        assert!(f.start < f.end && f.end <= chars.len(), "{f:?}");
        let slice: String = chars[f.start..f.end].iter().collect();
        assert_eq!(
            slice, f.text,
            "span does not match the original text: {f:?}"
        );
    }
}

macro_rules! t {
    ($name:ident, $text:expr, [$(($cat:ident, $found:expr, $sugg:expr)),* $(,)?]) => {
        #[test]
        fn $name() {
            let got = run($text);
            let want: Vec<(Category, String, Option<String>)> = vec![
                $((Category::$cat, $found.to_string(), Option::<&str>::from($sugg).map(str::to_string))),*
            ];
            assert_eq!(got, want, "text: {}", $text);
        }
    };
}

// expression
t!(
    taiwan_as_state,
    "台湾国的说法错误",
    [(Expression, "台湾国", "台湾；中国台湾")]
);
t!(
    taiwan_leader,
    "台湾总统发表讲话",
    [(Expression, "台湾总统", "台湾地区领导人")]
);
t!(
    core_formulation,
    "以习近平总书记为核心的党中央",
    [(
        Expression,
        "以习近平总书记为核心的党中央",
        "以习近平同志为核心的党中央"
    )]
);
t!(correct_formulation_clean, "以习近平同志为核心的党中央", []);
t!(
    he_yu_in_institution,
    "文化与旅游部发布通知",
    [(Expression, "文化与旅游部", "文化和旅游部")]
);
t!(
    post_name_order,
    "习近平同志总书记指出",
    [(Expression, "习近平同志总书记", "习近平总书记")]
);
t!(
    miscount,
    "坚决做到两个维护，不说三个维护",
    [(Expression, "三个维护", "两个维护")]
);
t!(historical_roc_ok, "中华民国时期的档案", []);

// outdated_name
t!(
    outdated_health,
    "国家卫生和计划生育委员会印发",
    [(
        OutdatedName,
        "国家卫生和计划生育委员会",
        "国家卫生健康委员会"
    )]
);
t!(
    outdated_culture,
    "文化部和国家旅游局",
    [
        (OutdatedName, "文化部", "文化和旅游部"),
        (OutdatedName, "国家旅游局", "文化和旅游部")
    ]
);
t!(culture_department_ok, "各级文化部门要加强管理", []);
t!(historical_prefix_ok, "原国土资源部的职责", []);
t!(
    longest_match_wins,
    "国家工商行政管理总局",
    [(OutdatedName, "国家工商行政管理总局", "国家市场监督管理总局")]
);

// secret
t!(
    secret_mark,
    "机密★5年 关于某事的报告",
    [(Secret, "机密★", "删除涉密内容")]
);
t!(
    internal_material,
    "内部资料 注意保密",
    [(Secret, "内部资料 注意保密", "删除内部资料")]
);
t!(
    talking_about_secrets_ok,
    "不得发布涉及国家秘密的信息，严守保密关",
    []
);

// harmful categories and the mention rule
t!(mention_is_not_commit, "严禁发布反动、暴力、色情内容", []);
t!(sweep_porn_ok, "开展扫黄打非专项行动", []);
t!(
    gambling_site,
    "最新赌博网站入口",
    [(Gambling, "赌博网站", None)]
);
t!(gambling_fight_ok, "严厉打击网络赌博和赌博网站", []);
t!(porn_dodged, "免费裸*聊", [(Porn, "裸*聊", None)]);
t!(
    porn_traditional,
    "裸聊與約炮",
    [(Porn, "裸聊", None), (Porn, "約炮", None)]
);
t!(
    superstition,
    "大师帮你算命改运",
    [(Superstition, "算命", None), (Superstition, "改运", None)]
);
t!(superstition_fight_ok, "破除封建迷信，反对算命", []);
t!(
    reactionary,
    "法轮大法好",
    [(Reactionary, "法轮大法好", None)]
);
t!(violence, "网上有炸药配方", [(Violence, "炸药配方", None)]);
t!(
    clause_break_ends_context,
    "严禁赌博。今晚百家乐开局",
    [(Gambling, "百家乐", None)]
);

// ads
t!(
    ads_phrase,
    "全网最低价，限时抢购",
    [(Ads, "全网最低价", None), (Ads, "限时抢购", None)]
);
t!(
    price_with_contact,
    "特价99元，加微信abc123",
    [(Ads, "99元，加微信", None)]
);
t!(no_ads_in_notice, "不得刊登商业广告或链接商业广告页面", []);

// privacy
t!(
    id_number,
    "身份证号11010519491231002X",
    [(Privacy, "11010519491231002X", "110105********002X")]
);
t!(id_bad_checksum, "编号110105194912310021", []);
t!(
    mobile,
    "联系电话：13812345678",
    [(Privacy, "13812345678", "138****5678")]
);
t!(
    mobile_full_width,
    "电话１３８１２３４５６７８",
    [(Privacy, "１３８１２３４５６７８", "138****5678")]
);
t!(
    bank_card,
    "卡号 4111 1111 1111 1111",
    [(Privacy, "4111 1111 1111 1111", "4111********1111")]
);
t!(
    email,
    "发送至zhang@example.com",
    [(Privacy, "zhang@example.com", "z***@example.com")]
);

// improper
t!(vulgar, "卧槽，太好了", [(Improper, "卧槽", None)]);
t!(
    idol,
    "为爱豆应援",
    [(Improper, "爱豆", None), (Improper, "应援", None)]
);

// typo (curated list and homophone model)
t!(
    typo_curated,
    "我们要再接再励",
    [(Typo, "再接再励", "再接再厉")]
);
t!(typo_install, "请按装最新版本", [(Typo, "按装", "安装")]);

// link
t!(
    link_with_host,
    "详见 https://www.gov.cn/zhengce/a.htm。",
    [(Link, "https://www.gov.cn/zhengce/a.htm", None)]
);
t!(
    commercial_link,
    "购买https://item.taobao.com/x",
    [
        (Link, "https://item.taobao.com/x", None),
        (Ads, "taobao.com", None)
    ]
);

// normalisation, offsets back into the original text
t!(
    pinyin_annotation,
    "國家工商(gōng)行政管理總局",
    [(
        OutdatedName,
        "國家工商(gōng)行政管理總局",
        "国家市场监督管理总局"
    )]
);
t!(
    zero_width,
    "台\u{200B}湾国",
    [(Expression, "台\u{200B}湾国", "台湾；中国台湾")]
);
t!(full_width_latin, "ＡＶ女优", [(Porn, "ＡＶ女优", None)]);
t!(ascii_term_needs_word_boundary, "average", []);

#[test]
fn empty_and_whitespace() {
    assert!(checker().check("").is_empty());
    assert!(checker().check("   \n\t").is_empty());
}

#[test]
fn link_message_names_host() {
    let f = checker().check("见http://example.org/a?b=1");
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("example.org"), "{}", f[0].message);
    assert_eq!(f[0].severity, Severity::Info);
}

#[test]
fn outdated_message_has_date() {
    let f = checker().check("国土资源部");
    assert!(f[0].message.contains("2018年"), "{}", f[0].message);
    assert_eq!(
        f[0].rule.split(':').next(),
        Some("default/outdated_name.txt")
    );
}

#[test]
fn deployment_dictionary_overrides_and_exempts() {
    let c = Checker::builder()
        .with_defaults()
        .add_dict_str(
            "local.txt",
            "@category ads\n团购\n!国土资源部\n台湾国\texpression\twarn\n",
            Defaults::default(),
        )
        .unwrap()
        .build()
        .unwrap();
    let f = c.check("团购国土资源部台湾国");
    let got: Vec<_> = f
        .iter()
        .map(|f| (f.category, f.text.as_str(), f.severity))
        .collect();
    assert_eq!(
        got,
        vec![
            (Category::Ads, "团购", Severity::Deduct),
            (Category::Expression, "台湾国", Severity::Warn),
        ]
    );
}

#[test]
fn context_word_suppresses_deployment_terms() {
    let c = Checker::builder()
        .add_dict_str(
            "cats.txt",
            "@category porn\n色情\n暴力\tviolence\n~严禁",
            Defaults::default(),
        )
        .unwrap()
        .build()
        .unwrap();
    assert!(c.check("严禁发布反动、暴力、色情内容").is_empty());
    assert_eq!(c.check("色情内容免费看").len(), 1);
    // A clause break ends the reach of the context word.
    assert_eq!(c.check("严禁赌博。色情内容免费看").len(), 1);
}

#[test]
fn plain_list_with_loader_default() {
    let c = Checker::builder()
        .add_dict_str(
            "plain.txt",
            "敏感词\n赌 博\n",
            Defaults {
                category: Some(Category::Gambling),
                severity: Some(Severity::Veto),
            },
        )
        .unwrap()
        .build()
        .unwrap();
    let f = c.check("这是敏*感*词，还有賭　博");
    assert_eq!(f.len(), 2, "{f:?}");
    assert_eq!(f[0].text, "敏*感*词");
    assert_eq!(f[1].text, "賭　博");
    assert!(f.iter().all(|f| f.severity == Severity::Veto));
}

#[test]
fn shared_checker_reload_while_scanning() {
    let shared = Arc::new(SharedChecker::new(Checker::with_defaults()));
    let scanners: Vec<_> = (0..4)
        .map(|_| {
            let s = Arc::clone(&shared);
            std::thread::spawn(move || {
                for _ in 0..200 {
                    let f = s.check("台湾国");
                    assert_eq!(f.len(), 1);
                }
            })
        })
        .collect();
    for _ in 0..5 {
        let c = Checker::builder()
            .with_defaults()
            .add_dict_str("x", "新词\tads", Defaults::default())
            .unwrap()
            .build()
            .unwrap();
        shared.store(c);
    }
    for s in scanners {
        s.join().unwrap();
    }
    assert_eq!(shared.check("新词").len(), 1);
}

#[test]
fn checker_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Checker>();
    assert_send_sync::<SharedChecker>();
}

#[test]
fn json_fields() {
    let f = checker().check("国土资源部");
    let v = serde_json::to_value(&f[0]).unwrap();
    for key in [
        "category",
        "severity",
        "start",
        "end",
        "text",
        "rule",
        "message",
        "suggestion",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["category"], "outdated_name");
    assert_eq!(v["severity"], "deduct");
}
