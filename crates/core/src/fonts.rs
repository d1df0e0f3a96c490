//! The fonts the PDFs embed, read from the server's disk.
//!
//! Noto Serif CJK SC and Noto Sans CJK SC (SIL Open Font License 1.1, which allows
//! embedding and redistribution) stand in for the styles GB/T 9704 names: the serif's
//! regular weight for 仿宋 (body) and 宋体 (page numbers), its bold for 小标宋 (the
//! issuer's mark and the title), the sans bold for 黑体 (headings). They are read from
//! a folder — by default Debian's `fonts-noto-cjk` at [`DEFAULT_FONT_DIR`], configurable
//! (`document_fonts`) — rather than shipped in the binary: the collections are 20–27 MB
//! each, a useful subset (GB 2312's 6 763 characters and more) still several MB per
//! weight, and the distribution keeps them updated. Each PDF embeds only the glyphs it
//! uses (krilla subsets the CFF outlines), a few hundred KB.
//!
//! A face is read on first use and kept for the life of the process (the PDFs of a
//! busy office would otherwise read 26 MB per download). A missing or unreadable font
//! is a clear error for the clerk and the administrator, never a PDF without text.

use crate::{ServiceError, ServiceResult};
use skrifa::MetadataProvider;
use skrifa::raw::{FileRef, TableProvider};
use skrifa::string::StringId;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Where Debian's `fonts-noto-cjk` installs the Noto CJK collections.
pub const DEFAULT_FONT_DIR: &str = "/usr/share/fonts/opentype/noto";

/// A typeface role of the standard and the open font that plays it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Face {
    /// 仿宋 and 宋体: Noto Serif CJK SC Regular.
    Serif,
    /// 小标宋: Noto Serif CJK SC Bold.
    SerifBold,
    /// 黑体: Noto Sans CJK SC Bold.
    SansBold,
}

impl Face {
    /// The collection file within the font folder.
    pub fn file(self) -> &'static str {
        match self {
            Face::Serif => "NotoSerifCJK-Regular.ttc",
            Face::SerifBold => "NotoSerifCJK-Bold.ttc",
            Face::SansBold => "NotoSansCJK-Bold.ttc",
        }
    }

    /// The family whose face is taken from the collection (the Simplified Chinese one).
    pub fn family(self) -> &'static str {
        match self {
            Face::Serif | Face::SerifBold => "Noto Serif CJK SC",
            Face::SansBold => "Noto Sans CJK SC",
        }
    }
}

/// One face, loaded: the font krilla draws with, and the bytes the layout measures.
pub struct LoadedFont {
    pub font: krilla::text::Font,
    data: Arc<Vec<u8>>,
    index: u32,
}

impl LoadedFont {
    /// A reader for the layout's glyph lookups.
    pub fn metrics(&self) -> ServiceResult<FontMetrics<'_>> {
        let font = skrifa::FontRef::from_index(&self.data, self.index)
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!("font: {e}")))?;
        Ok(FontMetrics {
            charmap: font.charmap(),
            glyphs: font.glyph_metrics(
                skrifa::instance::Size::unscaled(),
                skrifa::instance::LocationRef::default(),
            ),
            units_per_em: f32::from(font.head().map(|h| h.units_per_em()).unwrap_or(1000)),
        })
    }
}

/// Glyph ids and advances of one face.
pub struct FontMetrics<'a> {
    charmap: skrifa::charmap::Charmap<'a>,
    glyphs: skrifa::metrics::GlyphMetrics<'a>,
    units_per_em: f32,
}

impl FontMetrics<'_> {
    /// The glyph of `c` and its advance in ems, or `None` when the face lacks it.
    pub fn glyph(&self, c: char) -> Option<(u32, f32)> {
        let gid = self.charmap.map(c)?;
        let advance = self.glyphs.advance_width(gid).unwrap_or(self.units_per_em);
        Some((gid.to_u32(), advance / self.units_per_em))
    }
}

/// The font folder and the faces read from it so far.
pub struct DocumentFonts {
    dir: PathBuf,
    loaded: Mutex<HashMap<Face, Arc<LoadedFont>>>,
}

impl DocumentFonts {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        DocumentFonts {
            dir: dir.into(),
            loaded: Mutex::new(HashMap::new()),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The face, read on first use.
    pub fn get(&self, face: Face) -> ServiceResult<Arc<LoadedFont>> {
        if let Some(f) = self.lock().get(&face) {
            return Ok(f.clone());
        }
        let path = self.dir.join(face.file());
        let loaded = Arc::new(load(&path, face.family()).map_err(|reason| {
            tracing::error!(path = %path.display(), %reason, "公文字体无法读取");
            ServiceError::Conflict(format!(
                "无法生成 PDF：服务器上缺少公文所用的开源字体 {}（{}）。请系统管理员安装 Debian 软件包 fonts-noto-cjk，或在配置项 document_fonts 中指定存放该字体的文件夹。Word 文件不受影响，可先下载 .docx。",
                face.family(),
                face.file()
            ))
        })?);
        self.lock().insert(face, loaded.clone());
        Ok(loaded)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Face, Arc<LoadedFont>>> {
        // A panic while holding the map cannot leave it half-written (one insert).
        self.loaded.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Default for DocumentFonts {
    fn default() -> Self {
        DocumentFonts::new(DEFAULT_FONT_DIR)
    }
}

/// Reads the face of `family` from a font or collection file.
fn load(path: &Path, family: &str) -> Result<LoadedFont, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let index = face_index(&bytes, family)?;
    let data = Arc::new(bytes);
    let font = krilla::text::Font::new(data.clone().into(), index)
        .ok_or_else(|| "krilla cannot read the face".to_string())?;
    Ok(LoadedFont { font, data, index })
}

/// The index of the face whose family name is `family` (a single font: 0 if it is).
fn face_index(bytes: &[u8], family: &str) -> Result<u32, String> {
    let named = |f: &skrifa::FontRef<'_>| {
        f.localized_strings(StringId::FAMILY_NAME)
            .chain(f.localized_strings(StringId::TYPOGRAPHIC_FAMILY_NAME))
            .any(|s| s.chars().eq(family.chars()))
    };
    match FileRef::new(bytes).map_err(|e| e.to_string())? {
        FileRef::Font(f) if named(&f) => Ok(0),
        FileRef::Collection(c) => (0..c.len())
            .find(|&i| c.get(i).is_ok_and(|f| named(&f)))
            .ok_or_else(|| format!("no face of {family} in the collection")),
        FileRef::Font(_) => Err(format!("the font is not {family}")),
    }
}
