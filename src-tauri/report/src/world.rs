//! The smallest typst world that renders our report: one template, one
//! data file, embedded fonts, no file system and no network.

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
            .flat_map(|data| Font::iter(Bytes::new(*data)))
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
