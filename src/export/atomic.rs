//! Atomic output files: written to a temporary file in the target's folder, renamed into
//! place only when complete, so a failed or interrupted export never leaves a partial file
//! under the target name; an existing file is replaced only with `force`.

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// A file being written; nothing appears at `target` until [`AtomicFile::commit`].
pub struct AtomicFile {
    target: PathBuf,
    temp: NamedTempFile,
    force: bool,
}

impl AtomicFile {
    pub fn create(target: &Path, force: bool) -> io::Result<Self> {
        if !force && target.exists() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} already exists (use --force to replace it)", target.display()),
            ));
        }
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        // An export is an ordinary file: the usual mode (umask applies), or the mode of
        // the file it replaces — not the owner-only mode of a temporary file.
        let permissions = match std::fs::metadata(target) {
            Ok(m) => m.permissions(),
            Err(_) => default_permissions(),
        };
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".partial")
            .permissions(permissions)
            .tempfile_in(dir)?;
        Ok(Self { target: target.to_path_buf(), temp, force })
    }

    /// A buffered writer on the temporary file.
    pub fn writer(&mut self) -> BufWriter<&mut File> {
        BufWriter::with_capacity(1 << 20, self.temp.as_file_mut())
    }

    /// Flushes to disk and moves the file into place.
    pub fn commit(self) -> io::Result<PathBuf> {
        self.temp.as_file().sync_all()?;
        let result =
            if self.force { self.temp.persist(&self.target) } else { self.temp.persist_noclobber(&self.target) };
        result.map_err(|e| {
            if e.error.kind() == io::ErrorKind::AlreadyExists {
                io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} appeared while exporting (use --force to replace it)", self.target.display()),
                )
            } else {
                e.error
            }
        })?;
        Ok(self.target)
    }
}

#[cfg(unix)]
fn default_permissions() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(0o666)
}

#[cfg(not(unix))]
fn default_permissions() -> std::fs::Permissions {
    std::fs::File::open(".").and_then(|f| f.metadata()).map(|m| m.permissions()).unwrap_or_else(|_| unreachable!())
}

/// Writes a file atomically, gzip-compressed when its name ends in `.gz`.
pub fn write_file(path: &Path, force: bool, body: impl FnOnce(&mut dyn io::Write) -> io::Result<()>) -> io::Result<()> {
    let mut file = AtomicFile::create(path, force)?;
    {
        let mut w = file.writer();
        if wants_gzip(path) {
            let mut gz = flate2::write::GzEncoder::new(&mut w, flate2::Compression::default());
            body(&mut gz)?;
            gz.finish()?;
        } else {
            body(&mut w)?;
        }
        io::Write::flush(&mut w)?;
    }
    file.commit()?;
    Ok(())
}

/// Whether a path asks for gzip output.
pub fn wants_gzip(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}
