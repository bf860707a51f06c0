//! Writing what was read as one `kind: List` JSON document, which a later scan of the file
//! reads back as the same objects.

use palisade_model::Object;
use std::io::{self, Write};

/// Write `objects` as `{"apiVersion": "v1", "kind": "List", "items": [...]}`, one item per
/// line, without copying their values.
pub fn write_snapshot(objects: &[Object], out: &mut dyn Write) -> io::Result<()> {
    out.write_all(b"{\"apiVersion\":\"v1\",\"kind\":\"List\",\"metadata\":{},\"items\":[")?;
    for (i, object) in objects.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"\n")?;
        serde_json::to_writer(&mut *out, &object.value)?;
    }
    out.write_all(b"\n]}\n")
}
