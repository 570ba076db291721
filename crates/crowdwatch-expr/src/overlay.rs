//! The context a program that writes is evaluated in: the host's, with the writes made so far
//! on top, so `UnmarshalJSON(…, evt.Unmarshaled, "k") in ["", nil] && evt.Unmarshaled.k.x == 1`
//! reads what it just wrote. The host applies the writes once the expression is done.
use std::borrow::Cow;

use elsa::FrozenVec;
use serde_json::Value as Json;

use crate::host::Write;
use crate::{Context, FieldId, HostValue};

pub(crate) struct Overlay<'h> {
    host: &'h dyn Context,
    /// Append-only, so `map_get` can lend an entry's value while later writes are pushed.
    writes: FrozenVec<Box<Write>>,
}

impl<'h> Overlay<'h> {
    pub fn new(host: &'h dyn Context) -> Self {
        Overlay {
            host,
            writes: FrozenVec::new(),
        }
    }

    pub fn into_writes(self) -> impl Iterator<Item = Write> {
        self.writes.into_vec().into_iter().map(|w| *w)
    }

    fn writes(&self) -> impl DoubleEndedIterator<Item = &Write> {
        (0..self.writes.len()).filter_map(|i| self.writes.get(i))
    }
}

impl Context for Overlay<'_> {
    fn field(&self, id: FieldId) -> HostValue<'_> {
        let touched = |w: &Write| w.field() == id && !matches!(w, Write::Entry { .. });
        if !self.writes().any(touched) {
            return self.host.field(id);
        }
        // Only inside the expression that wrote: a copy of the object with the writes applied.
        let mut merged = match self.host.field(id) {
            HostValue::Json(j) => j.into_owned(),
            _ => Json::Object(Default::default()),
        };
        for w in self.writes().filter(|w| touched(w)) {
            w.apply_to_json(&mut merged);
        }
        HostValue::Json(Cow::Owned(merged))
    }

    fn map_get(&self, id: FieldId, key: &str) -> Option<&str> {
        let written = self.writes().rev().find_map(|w| match w {
            Write::Entry {
                field,
                key: k,
                value,
            } if *field == id && k == key => Some(value.as_str()),
            _ => None,
        });
        written.or_else(|| self.host.map_get(id, key))
    }

    fn call_method(&self, id: FieldId, args: &[&str]) -> HostValue<'_> {
        self.host.call_method(id, args)
    }

    fn call_value_method(&self, method: &str, receiver: &Json, args: &[&str]) -> Option<Json> {
        self.host.call_value_method(method, receiver, args)
    }

    fn write(&self, w: Write) -> bool {
        self.writes.push(Box::new(w));
        true
    }
}
