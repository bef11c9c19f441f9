//! The smallest typst world that renders our report: one template, one
//! data file, embedded text fonts (and the system's emoji font), no other
//! file and no network.

use crate::ReportError;
use std::sync::OnceLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

/// The report's layout, kept in the repository.
pub const TEMPLATE: &str = include_str!("../templates/review.typ");

const FONT_FILES: &[&[u8]] = &[
    include_bytes!(concat!(env!("OUT_DIR"), "/DejaVuSans.ttf")),
    include_bytes!(concat!(env!("OUT_DIR"), "/DejaVuSans-Bold.ttf")),
    include_bytes!(concat!(env!("OUT_DIR"), "/DejaVuSans-Oblique.ttf")),
    include_bytes!(concat!(env!("OUT_DIR"), "/DejaVuSansMono.ttf")),
    include_bytes!(concat!(env!("OUT_DIR"), "/DroidSansFallbackFull.ttf")),
];

/// Where distributions put Noto Color Emoji (Debian and Ubuntu first; the
/// package depends on fonts-noto-color-emoji). Read from the system rather
/// than embedded: 11 MB of bitmaps the desktop has already. The PDF embeds
/// the glyphs it uses, so the report reads the same everywhere.
const EMOJI_FONT_PATHS: &[&str] = &[
    "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
    "/usr/share/fonts/noto/NotoColorEmoji.ttf",
    "/usr/share/fonts/google-noto-color-emoji-fonts/NotoColorEmoji.ttf",
];

/// The system's emoji font, if there is one. Without it, emoji print as
/// empty boxes — and the log says which package brings them.
fn system_emoji_font() -> Option<Bytes> {
    let found = EMOJI_FONT_PATHS
        .iter()
        .find_map(|path| std::fs::read(path).ok());
    if found.is_none() {
        tracing::warn!(
            looked_in = EMOJI_FONT_PATHS.join(", "),
            "no emoji font: emoji in reports print as boxes (install fonts-noto-color-emoji)"
        );
    }
    found.map(Bytes::new)
}

struct Assets {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

/// Fonts and library are parsed once per process.
fn assets() -> &'static Assets {
    static ASSETS: OnceLock<Assets> = OnceLock::new();
    ASSETS.get_or_init(|| {
        let fonts: Vec<Font> = FONT_FILES
            .iter()
            .map(|data| Bytes::new(*data))
            .chain(system_emoji_font())
            .flat_map(Font::iter)
            .collect();
        Assets {
            library: LazyHash::new(Library::builder().build()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    })
}

fn file_id(path: &str) -> Option<FileId> {
    VirtualPath::new(path)
        .ok()
        .map(|vpath| RootedPath::new(VirtualRoot::Project, vpath).intern())
}

struct ReportWorld {
    main: Source,
    data_id: FileId,
    data: Bytes,
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &assets().library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &assets().book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        assets().fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// Typesets `template` with `data` (served as `/data.json`) into a PDF.
pub fn render(data: Vec<u8>, template: &str) -> Result<Vec<u8>, ReportError> {
    let (Some(main_id), Some(data_id)) = (file_id("/review.typ"), file_id("/data.json")) else {
        return Err(ReportError::Template("bad virtual paths".into()));
    };
    let world = ReportWorld {
        main: Source::new(main_id, template.to_owned()),
        data_id,
        data: Bytes::new(data),
    };
    let document: PagedDocument = typst::compile(&world)
        .output
        .map_err(|errors| ReportError::Template(describe(&errors)))?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|errors| ReportError::Pdf(describe(&errors)))
}

fn describe(errors: &[typst::diag::SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| e.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}
