//! The server functions' answers: the JSON server_fn writes, read back as text.
//!
//! server_fn's own `Json` output reads an answer with `serde_json::from_slice`, while the
//! resources a page sends with its HTML are read at hydration with `serde_json::from_str`.
//! Both are generic over every answer type, so the browser bundle carried two copies of every
//! answer's deserializer, one per reader (about 265 KB of the 4 MB unoptimised wasm, issue
//! #15). This output encoding sends the same JSON and reads it with `from_str`, the one
//! reader hydration already needs.

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::de::{DeserializeOwned, Error as _};
use serde::Serialize;

/// `application/json`, written as server_fn's `Json` writes it, read as text.
pub struct TextJsonEncoding;

impl ContentType for TextJsonEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for TextJsonEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for TextJsonEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for TextJsonEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde_json::Error::custom)?;
        serde_json::from_str(text)
    }
}

/// The output encoding of every server function (`#[server(output = TextJson)]`).
pub type TextJson = Post<TextJsonEncoding>;
