//! 错敏检测 for users: text pasted into a page or sent to the API, or an uploaded
//! .txt or .docx, checked by the deployment's shared [`Checker`].
//!
//! The checker is built once per process and shared (`Services::checker`): building
//! it compiles every dictionary into one automaton, and the language model is a 17 MB
//! file. `Services::new` takes the built-in rules without the model (what tests and
//! offline commands need); the server loads the model at start ([`load_checker`]),
//! so a configured model that cannot be read stops the start with the reason rather
//! than leaving typos silently unchecked. Checking reads nothing from the database and
//! writes nothing, so it is no unit of work and leaves no audit record.
//!
//! Every input is bounded before the checker sees it: [`MAX_CHARS`] of text, and an
//! upload's bytes, and a .docx passes `archive::check` with [`archive::DOCX`] before
//! its `word/document.xml` is read, with the extracted text bounded again.

use crate::{Actor, ServiceError, ServiceResult, Services, archive};
use govmedia_textcheck::Checker;
use govmedia_textcheck::charlm::CharLm;
use govmedia_textcheck::lm::LmDetector;
/// The checker's own types, for callers that show findings (the web layer knows no
/// other crate of the checker).
pub use govmedia_textcheck::{Category, Finding, Severity};
use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// The longest text checked at once, in characters: about a hundred pages of a
/// report, checked in well under a second.
pub const MAX_CHARS: usize = 200_000;

/// The largest uploaded file, in bytes (the router's body limit is a little higher).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// The deployment's checker and whether it has the language model (a page says
/// which typos were looked for).
#[derive(Debug, Clone)]
pub struct TextChecker {
    pub checker: Arc<Checker>,
    pub language_model: bool,
}

/// The checker with the built-in dictionaries, detectors and typo model, without the
/// language model; built once per process.
pub fn default_checker() -> TextChecker {
    static DEFAULT: OnceLock<Arc<Checker>> = OnceLock::new();
    TextChecker {
        checker: DEFAULT
            .get_or_init(|| Arc::new(Checker::with_defaults()))
            .clone(),
        language_model: false,
    }
}

/// Why the server's checker could not be built: the model file exists but is not a
/// usable model. The message is Chinese and names the file.
#[derive(Debug, thiserror::Error)]
#[error("{0}（可在配置项 language_model 中指向可用的模型文件，或留空以不使用语言模型）")]
pub struct ModelError(pub String);

/// The server's checker: the built-in rules plus the language-model typo detector
/// over the model at `model`. No path (the option left empty) or a path where no file
/// is: the checker without the model, with a warning in the log. A file that cannot
/// be loaded (unreadable, not KenLM, corrupt) is an error.
pub fn load_checker(model: Option<&Path>) -> Result<TextChecker, ModelError> {
    let Some(path) = model else {
        tracing::info!("错敏检测未配置语言模型，错别字只按词典和同音词模型检查");
        return Ok(default_checker());
    };
    if !path.exists() {
        tracing::warn!(
            "错敏检测的语言模型文件 {} 不存在，本次运行不使用语言模型（Debian 可安装 libime-data-language-model）",
            path.display()
        );
        return Ok(default_checker());
    }
    let mut lm = LmDetector::load(path).map_err(|e| ModelError(e.to_string()))?;
    // The character model of the every-position test: GOVMEDIA_CHAR_LM, or where
    // scripts/install-char-lm.sh puts it; without one the word model works alone.
    if let Some((char_path, _)) = CharLm::configured_path() {
        let chars = CharLm::open(&char_path).map_err(|e| ModelError(e.to_string()))?;
        tracing::info!("错敏检测已载入字模型 {}", char_path.display());
        lm = lm.with_char_model(chars);
    }
    let checker = Checker::builder()
        .with_defaults()
        .language_model(Some(Arc::new(lm)))
        .build()
        .map_err(|e| ModelError(format!("无法建立错敏检测器：{e}")))?;
    tracing::info!("错敏检测已载入语言模型 {}", path.display());
    Ok(TextChecker {
        checker: Arc::new(checker),
        language_model: true,
    })
}

/// A checked text: the text as checked, its findings in order (char offsets into
/// `text`), and how many there are of each severity.
#[derive(Debug, Clone)]
pub struct Checked {
    pub text: String,
    pub findings: Vec<Finding>,
    /// Findings per severity, the gravest first (单项否决, 扣分, 注意, 提示).
    pub counts: Vec<(Severity, usize)>,
    /// Whether the language-model typo detector took part.
    pub language_model: bool,
}

/// Checks `text` for any logged-in user. Empty or longer than [`MAX_CHARS`] is a
/// field error of `text`.
pub async fn check_text(svc: &Services, actor: &Actor, text: &str) -> ServiceResult<Checked> {
    let text = bounded(text, "text")?;
    run(svc, actor, text).await
}

/// Checks an uploaded file: `.txt` (UTF-8, or GB18030 when it is not UTF-8) or
/// `.docx` (the text of its main document), chosen by the file name's extension.
pub async fn check_file(
    svc: &Services,
    actor: &Actor,
    file_name: &str,
    bytes: Vec<u8>,
) -> ServiceResult<Checked> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ServiceError::field(
            "file",
            format!("文件过大：上限{}MB", MAX_FILE_BYTES / 1024 / 1024),
        ));
    }
    let lower = file_name.to_lowercase();
    let text = if lower.ends_with(".docx") {
        // Inflating and parsing take CPU time in proportion to the file: off the
        // async workers.
        tokio::task::spawn_blocking(move || docx_text(&bytes))
            .await
            .map_err(|e| ServiceError::Internal(e.into()))??
    } else if lower.ends_with(".txt") {
        txt_text(&bytes)
    } else {
        return Err(ServiceError::field(
            "file",
            "只能检测 .txt 或 .docx 文件（.doc 请在 Word 中另存为 .docx）",
        ));
    };
    let text = bounded(&text, "file")?;
    run(svc, actor, text).await
}

fn bounded<'t>(text: &'t str, field: &'static str) -> ServiceResult<&'t str> {
    if text.trim().is_empty() {
        return Err(ServiceError::field(
            field,
            if field == "file" {
                "文件中没有文字"
            } else {
                "请粘贴或输入要检测的文字"
            },
        ));
    }
    // Counting stops one past the limit, so an oversized text costs no full count.
    if text.chars().take(MAX_CHARS + 1).count() > MAX_CHARS {
        return Err(ServiceError::field(
            field,
            format!("文字过长：一次最多检测{MAX_CHARS}字，请分段检测"),
        ));
    }
    Ok(text)
}

async fn run(svc: &Services, actor: &Actor, text: &str) -> ServiceResult<Checked> {
    let checker = svc.checker.checker.clone();
    let owned = text.to_string();
    // The terms the user's unit (and those above it) declared correct are not flagged.
    let whitelist = crate::checker_terms::Whitelist::of(svc, actor.unit_path.as_str()).await?;
    // A long text takes tens of milliseconds with the language model: off the async
    // workers.
    let (text, findings) = tokio::task::spawn_blocking(move || {
        let findings = whitelist.check(&checker, &owned);
        (owned, findings)
    })
    .await
    .map_err(|e| ServiceError::Internal(e.into()))?;
    tracing::debug!(
        user = actor.user_id,
        chars = text.chars().count(),
        findings = findings.len(),
        "错敏检测"
    );
    let counts = [
        Severity::Veto,
        Severity::Deduct,
        Severity::Warn,
        Severity::Info,
    ]
    .into_iter()
    .map(|s| (s, findings.iter().filter(|f| f.severity == s).count()))
    .collect();
    Ok(Checked {
        text,
        findings,
        counts,
        language_model: svc.checker.language_model,
    })
}

/// A .txt file's text: UTF-8 (a byte-order mark dropped), else GB18030, the encoding
/// Windows' Notepad long wrote Chinese in (a superset of GBK and GB2312).
fn txt_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

/// The text of a .docx: its `word/document.xml`, paragraph by paragraph, after the
/// archive guard.
fn docx_text(bytes: &[u8]) -> ServiceResult<String> {
    archive::check(bytes, &archive::DOCX).map_err(|r| ServiceError::field("file", r.0))?;
    let damaged = || {
        ServiceError::field(
            "file",
            "无法读取该文件，文件可能已损坏（请在Word中重新保存后再试）",
        )
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| damaged())?;
    let mut entry = zip.by_name("word/document.xml").map_err(|_| {
        ServiceError::field(
            "file",
            "该文件不是Word文档（.docx），请在Word中另存为.docx后再试",
        )
    })?;
    // The guard bounded every entry's inflated size; read no more than that even so.
    let mut xml = String::new();
    entry
        .by_ref()
        .take(archive::DOCX.entry_bytes + 1)
        .read_to_string(&mut xml)
        .map_err(|_| damaged())?;
    document_text(&xml).ok_or_else(damaged)
}

/// The visible text of WordprocessingML: the runs' text (`w:t`), a tab for `w:tab`,
/// a line break for `w:br`/`w:cr` and the end of a paragraph. Deleted text
/// (`w:delText` of tracked changes) is not text of the document and is left out.
/// Stops once the text is past [`MAX_CHARS`] (the caller refuses it then).
fn document_text(xml: &str) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = String::new();
    let mut chars = 0usize;
    let mut in_text = false;
    loop {
        let before = out.len();
        match reader.read_event().ok()? {
            Event::Start(e) if e.local_name().as_ref() == "t" => in_text = true,
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" => out.push('\n'),
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "tab" => out.push('\t'),
                "br" | "cr" => out.push('\n'),
                "p" => out.push('\n'),
                _ => {}
            },
            Event::Text(t) if in_text => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => out.extend(crate::xml::reference_char(&r)),
            Event::Eof => break,
            _ => {}
        }
        chars += out[before..].chars().count();
        if chars > MAX_CHARS {
            break;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_text_reads_runs_paragraphs_and_entities() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>第一段</w:t></w:r><w:r><w:t xml:space="preserve">，A&amp;B</w:t></w:r></w:p>
<w:p><w:r><w:tab/><w:t>第二段&#x4E00;</w:t><w:delText>删掉的</w:delText></w:r></w:p>
</w:body></w:document>"#;
        assert_eq!(document_text(xml).unwrap(), "第一段，A&B\n\t第二段一\n");
    }

    #[test]
    fn a_txt_file_in_gb18030_is_decoded() {
        let (gb, _, _) = encoding_rs::GB18030.encode("贯彻落实");
        assert_eq!(txt_text(&gb), "贯彻落实");
        assert_eq!(txt_text("\u{FEFF}贯彻".as_bytes()), "贯彻");
    }

    #[test]
    fn oversized_and_empty_text_is_refused_in_chinese() {
        let long = "字".repeat(MAX_CHARS + 1);
        let err = bounded(&long, "text").unwrap_err();
        assert!(format!("{err:?}").contains("文字过长"), "{err:?}");
        assert!(bounded(&"字".repeat(MAX_CHARS), "text").is_ok());
        assert!(bounded("  \n", "text").is_err());
    }
}
