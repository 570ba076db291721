//! Tokens of the expr language, each with the byte offset where it starts (for error messages).
use crate::CompileError;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Ident(String),
    Str(String),
    Int(i64),
    Float(f64),
    /// Operators and punctuation, including `#`.
    Op(&'static str),
    Eof,
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub tok: Tok,
    pub offset: usize,
}

/// Longest operators first so `==` wins over `=` and `..` over `.`.
const OPERATORS: [&str; 32] = [
    "==", "!=", "<=", ">=", "&&", "||", "**", "..", "??", "?.", "<", ">", "!", "+", "-", "*", "/",
    "%", "(", ")", "[", "]", "{", "}", ",", ":", "?", ".", "#", "=", "^", ";",
];

pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, CompileError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c == b'\'' || c == b'"' {
            let (s, end) = string_literal(src, i)?;
            out.push(Token {
                tok: Tok::Str(s),
                offset: start,
            });
            i = end;
        } else if c.is_ascii_digit()
            || (c == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            let (tok, end) = number(src, i)?;
            out.push(Token { tok, offset: start });
            i = end;
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'$')
            {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(src[start..i].to_string()),
                offset: start,
            });
        } else if let Some(op) = OPERATORS.iter().find(|op| src[i..].starts_with(**op)) {
            out.push(Token {
                tok: Tok::Op(op),
                offset: start,
            });
            i += op.len();
        } else {
            let ch = src[i..].chars().next().unwrap_or('?');
            return Err(CompileError {
                message: format!("unexpected character {ch:?}"),
                offset: start,
            });
        }
    }
    out.push(Token {
        tok: Tok::Eof,
        offset: src.len(),
    });
    Ok(out)
}

fn number(src: &str, start: usize) -> Result<(Tok, usize), CompileError> {
    let bytes = src.as_bytes();
    let mut i = start;
    let mut is_float = false;
    if src[i..].starts_with("0x") || src[i..].starts_with("0X") {
        i += 2;
        while i < bytes.len() && (bytes[i].is_ascii_hexdigit() || bytes[i] == b'_') {
            i += 1;
        }
        let digits: String = src[start + 2..i].chars().filter(|c| *c != '_').collect();
        return i64::from_str_radix(&digits, 16)
            .map(|v| (Tok::Int(v), i))
            .map_err(|_| CompileError {
                message: format!("invalid number {}", &src[start..i]),
                offset: start,
            });
    }
    while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'_') {
        i += 1;
    }
    // A '.' followed by another '.' is the range operator, not a fraction.
    if i < bytes.len() && bytes[i] == b'.' && bytes.get(i + 1) != Some(&b'.') {
        is_float = true;
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        let mut j = i + 1;
        if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
            j += 1;
        }
        if j < bytes.len() && bytes[j].is_ascii_digit() {
            is_float = true;
            i = j;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    let text: String = src[start..i].chars().filter(|c| *c != '_').collect();
    let bad = || CompileError {
        message: format!("invalid number {}", &src[start..i]),
        offset: start,
    };
    let tok = if is_float {
        Tok::Float(text.parse().map_err(|_| bad())?)
    } else {
        Tok::Int(text.parse().map_err(|_| bad())?)
    };
    Ok((tok, i))
}

/// A quoted string with Go-style escapes, as expr's scanner reads them.
fn string_literal(src: &str, start: usize) -> Result<(String, usize), CompileError> {
    let quote = src.as_bytes()[start] as char;
    let mut out = String::new();
    let mut chars = src[start + 1..].char_indices().peekable();
    let err = |msg: &str, at: usize| CompileError {
        message: msg.to_string(),
        offset: at,
    };
    while let Some((rel, c)) = chars.next() {
        let at = start + 1 + rel;
        if c == quote {
            return Ok((out, at + 1));
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let (_, e) = chars
            .next()
            .ok_or_else(|| err("unterminated string literal", start))?;
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'v' => out.push('\x0b'),
            '\\' | '\'' | '"' => out.push(e),
            'x' | 'u' | 'U' => {
                let len = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut code = 0u32;
                for _ in 0..len {
                    let (_, h) = chars
                        .next()
                        .ok_or_else(|| err("invalid escape in string", at))?;
                    code = code * 16
                        + h.to_digit(16)
                            .ok_or_else(|| err("invalid escape in string", at))?;
                }
                out.push(char::from_u32(code).ok_or_else(|| err("invalid escape in string", at))?);
            }
            '0'..='7' => {
                let mut code = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    let (_, o) = chars
                        .next()
                        .ok_or_else(|| err("invalid escape in string", at))?;
                    code = code * 8
                        + o.to_digit(8)
                            .ok_or_else(|| err("invalid escape in string", at))?;
                }
                out.push(char::from_u32(code).ok_or_else(|| err("invalid escape in string", at))?);
            }
            _ => return Err(err("invalid escape in string", at)),
        }
    }
    Err(err("unterminated string literal", start))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        tokenize(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(
            toks(r#"'a\'b' "c\"d\n\x41\u00e9""#)[..2],
            [Tok::Str("a'b".into()), Tok::Str("c\"d\nAé".into())]
        );
        assert_eq!(toks(r"'\\?'")[0], Tok::Str(r"\?".into()));
        assert!(tokenize("'open").is_err());
        assert!(tokenize(r"'\q'").is_err());
    }

    #[test]
    fn numbers_and_operators() {
        assert_eq!(
            toks("1 2.5 1e3 1_000 a.b >= #"),
            [
                Tok::Int(1),
                Tok::Float(2.5),
                Tok::Float(1000.0),
                Tok::Int(1000),
                Tok::Ident("a".into()),
                Tok::Op("."),
                Tok::Ident("b".into()),
                Tok::Op(">="),
                Tok::Op("#"),
                Tok::Eof
            ]
        );
        let t = tokenize("a  == 'x'").unwrap();
        assert_eq!((t[1].offset, t[2].offset), (3, 6));
    }
}
