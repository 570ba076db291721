//! GeoIP databases mapped instead of read: a city database is tens of MiB, of which a few pages
//! are touched; mapped, the kernel shares and evicts them instead of holding them in the heap.
use std::path::Path;

use crowdwatch_core::geoip::Bytes;

/// `LoadOptions::map_file` for the engine: the file mapped read-only.
pub fn map_file(path: &Path) -> std::io::Result<Bytes> {
    let file = std::fs::File::open(path)?;
    // SAFETY: the map is read-only and private to this process. A database file rewritten in
    // place while mapped would show the engine mixed bytes; the MaxMind DB reader checks every
    // offset against the buffer's length, so that misreads a record but cannot read out of
    // bounds. Databases are replaced by rename (a new file), which leaves this map intact.
    let map = unsafe { memmap2::Mmap::map(&file)? };
    Ok(Bytes(Box::new(map)))
}
