//! The font the committee's chart is drawn with: `HIKESHI_CHART_FONT`, or
//! the first of the usual Debian font files found. A font with Japanese
//! glyphs (fonts-noto-cjk, fonts-ipafont-gothic, …) gives Japanese labels;
//! otherwise a Latin one (fonts-dejavu-core) gives English labels.

use std::path::Path;

/// Japanese fonts, as Debian's packages install them.
const JAPANESE: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/truetype/vlgothic/VL-Gothic-Regular.ttf",
    "/usr/share/fonts/truetype/takao-gothic/TakaoGothic.ttf",
];

/// Latin fonts.
const LATIN: &[&str] =
    &["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"];

/// The font's bytes (read once, kept for the process) and whether it has
/// Japanese glyphs; `None` when no font is to be found.
pub fn chart_font() -> Option<(&'static [u8], bool)> {
    static FONT: std::sync::OnceLock<Option<(&'static [u8], bool)>> = std::sync::OnceLock::new();
    *FONT.get_or_init(|| {
        let read = |p: &Path| std::fs::read(p).ok().map(|b| &*Box::leak(b.into_boxed_slice()));
        if let Some(path) = std::env::var_os("HIKESHI_CHART_FONT") {
            let path = Path::new(&path);
            // Told which: Japanese if the file is one of the known ones or
            // its name says so.
            let name = path.to_string_lossy().to_ascii_lowercase();
            let japanese = ["cjk", "ipa", "gothic", "jp", "noto"].iter().any(|k| name.contains(k));
            return read(path).map(|b| (b, japanese));
        }
        JAPANESE
            .iter()
            .find_map(|p| read(Path::new(p)).map(|b| (b, true)))
            .or_else(|| LATIN.iter().find_map(|p| read(Path::new(p)).map(|b| (b, false))))
    })
}

/// What to install when no font is found.
pub const NO_FONT: &str = "no font to draw the chart with: install fonts-dejavu-core (English labels) or fonts-noto-cjk / fonts-ipafont-gothic (Japanese labels), or set HIKESHI_CHART_FONT to a .ttf/.ttc file";
