//! Tampering (网页篡改) in plain text: spam written by the project in the common patterns of
//! hacked government pages, found with exact spans; official text that names gambling stays
//! clean.

use govmedia_textcheck::{Category, Checker, Severity};

/// The tampering findings of `text`: (char start, char end, text, rule).
fn tampering(text: &str) -> Vec<(usize, usize, String, String)> {
    Checker::with_defaults()
        .check(text)
        .into_iter()
        .filter(|f| f.category == Category::Tampering)
        .map(|f| {
            assert_eq!(f.severity, Severity::Veto, "{f:?}");
            let span: String = text.chars().skip(f.start).take(f.end - f.start).collect();
            assert_eq!(span, f.text.as_ref());
            // A dictionary rule is named by its file (its line number moves with edits).
            let rule = f.rule.split(':').next().unwrap_or_default().to_string();
            (f.start, f.end, f.text.to_string(), rule)
        })
        .collect()
}

#[test]
fn spam_is_found_with_exact_spans() {
    // A keyword chain as the title of a hacked page.
    let t = "开元棋牌_ky开元官方网站_开元app下载\n关于做好冬季安全生产工作的通知";
    // The chain, and the brand name inside it.
    assert_eq!(
        tampering(t),
        vec![
            (
                0,
                4,
                "开元棋牌".to_string(),
                "default/tampering.txt".to_string()
            ),
            (
                0,
                21,
                "开元棋牌_ky开元官方网站_开元app下载".to_string(),
                "tamper.keyword_chain".to_string()
            )
        ]
    );
    // Brand names glued into official text.
    let t = "某某县人民政府澳门新葡京欢迎您。";
    let f = tampering(t);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!((f[0].0, f[0].1, f[0].2.as_str()), (7, 12, "澳门新葡京"));
    let t = "最新消息：BET365亚洲版备用网址已更新";
    let f: Vec<String> = tampering(t).into_iter().map(|x| x.2).collect();
    assert_eq!(f, vec!["BET365".to_string(), "备用网址".to_string()]);
    // The same token glued into the site's name in every heading.
    let t =
        "某某市人民政府ky888\n某某市人民政府ky888关于印发方案的通知\n版权所有：某某市人民政府ky888";
    let f = tampering(t);
    assert_eq!(f.len(), 3, "{f:?}");
    for (s, e, text, rule) in &f {
        assert_eq!(text, "ky888");
        assert_eq!(e - s, 5);
        assert_eq!(rule, "tamper.glued_token");
    }
    assert_eq!(f[0].0, 7);
    // Porn spam.
    let t = "午夜福利_国产精品视频_无码av在线观看";
    assert!(!tampering(t).is_empty());
}

#[test]
fn official_text_is_clean() {
    for t in [
        "严厉打击网络赌博违法犯罪活动，切实维护人民群众财产安全。",
        "公安机关依法打击澳门新葡京等境外赌博网站的招赌活动。",
        "通知公告_某某市人民政府门户网站",
        "首页_政务公开_政策文件_某某县人民政府",
        "某某市人民政府办公室关于印发《2024年政务公开工作要点》的通知",
        "G20峰会在杭州召开。市政府G20工作领导小组办公室、市政府G20筹备办公室联合发文。",
    ] {
        let f = tampering(t);
        assert!(f.is_empty(), "{t}: {f:?}");
    }
}
