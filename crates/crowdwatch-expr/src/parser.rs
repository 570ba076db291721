//! Pratt parser producing an untyped syntax tree; precedences follow expr-lang v1.17.
pub(crate) use crate::ast::{Ast, Expr};
use crate::lexer::{tokenize, Tok, Token};
use crate::CompileError;

const CLOSURE_BUILTINS: [&str; 7] = ["all", "none", "any", "one", "filter", "map", "count"];

fn binary_precedence(op: &str) -> Option<(u8, bool)> {
    // (precedence, right-associative)
    Some(match op {
        "or" | "||" => (10, false),
        "and" | "&&" => (15, false),
        "==" | "!=" | "<" | ">" | "<=" | ">=" | "in" | "matches" | "contains" | "startsWith"
        | "endsWith" => (20, false),
        ".." => (25, false),
        "+" | "-" => (30, false),
        "*" | "/" | "%" => (60, false),
        // Above the unary minus (90): `-2 ** 2` is -4.
        "**" | "^" => (100, true),
        // expr-lang gives it 500: above everything, only the ordering matters.
        "??" => (200, false),
        _ => return None,
    })
}

/// Canonical spelling so later phases only see one name per operator.
fn canonical(op: &str) -> &'static str {
    match op {
        "or" | "||" => "||",
        "and" | "&&" => "&&",
        "not" | "!" => "!",
        "==" => "==",
        "!=" => "!=",
        "<" => "<",
        ">" => ">",
        "<=" => "<=",
        ">=" => ">=",
        "in" => "in",
        "matches" => "matches",
        "contains" => "contains",
        "startsWith" => "startsWith",
        "endsWith" => "endsWith",
        ".." => "..",
        "+" => "+",
        "-" => "-",
        "*" => "*",
        "/" => "/",
        "%" => "%",
        "??" => "??",
        _ => "**",
    }
}

pub(crate) fn parse(src: &str) -> Result<Expr, CompileError> {
    let mut p = Parser {
        toks: tokenize(src)?,
        pos: 0,
    };
    let e = p.sequence()?;
    match &p.peek().tok {
        Tok::Eof => Ok(e),
        t => Err(p.error(format!("unexpected token {t:?}"))),
    }
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.toks[self.pos]
    }
    fn next(&mut self) -> Token {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }
    fn error(&self, message: String) -> CompileError {
        CompileError {
            message,
            offset: self.peek().offset,
        }
    }
    fn is_op(&self, op: &str) -> bool {
        matches!(&self.peek().tok, Tok::Op(o) if *o == op)
    }
    fn expect(&mut self, op: &str) -> Result<(), CompileError> {
        if self.is_op(op) {
            self.next();
            Ok(())
        } else {
            Err(self.error(format!("expected '{op}'")))
        }
    }

    /// The binary operator at the cursor, with how many tokens it spans (`not in` is two).
    fn binary_op(&self) -> Option<(&'static str, bool, usize)> {
        match &self.peek().tok {
            Tok::Op(o) => binary_precedence(o).map(|_| (canonical(o), false, 1)),
            // `not in`, `not matches`, `not contains`, `not startsWith`, `not endsWith`.
            Tok::Ident(w) if w == "not" => match &self.toks.get(self.pos + 1).map(|t| &t.tok) {
                Some(Tok::Ident(n))
                    if matches!(
                        n.as_str(),
                        "in" | "matches" | "contains" | "startsWith" | "endsWith"
                    ) =>
                {
                    Some((canonical(n), true, 2))
                }
                _ => None,
            },
            Tok::Ident(w) => binary_precedence(w).map(|_| (canonical(w), false, 1)),
            _ => None,
        }
    }

    fn expression(&mut self, min_prec: u8) -> Result<Expr, CompileError> {
        if min_prec == 0 {
            if let Some(bound) = self.let_binding()? {
                return Ok(bound);
            }
            if let Some(conditional) = self.conditional_if()? {
                return Ok(conditional);
            }
        }
        let mut left = self.unary()?;
        while let Some((op, negated, width)) = self.binary_op() {
            let (prec, right_assoc) = binary_precedence(op).unwrap_or((0, false));
            if prec < min_prec {
                break;
            }
            let offset = self.peek().offset;
            for _ in 0..width {
                self.next();
            }
            let right = self.expression(if right_assoc { prec } else { prec + 1 })?;
            let bin = Expr {
                ast: Ast::Binary(op, Box::new(left), Box::new(right)),
                offset,
            };
            left = if negated {
                Expr {
                    ast: Ast::Unary("!", Box::new(bin)),
                    offset,
                }
            } else {
                bin
            };
        }
        if min_prec == 0 && self.is_op("?") {
            let offset = self.next().offset;
            let yes = self.expression(0)?;
            self.expect(":")?;
            let no = self.expression(0)?;
            left = Expr {
                ast: Ast::Cond(Box::new(left), Box::new(yes), Box::new(no)),
                offset,
            };
        }
        Ok(left)
    }

    /// `a; b; c`: each evaluated in turn, the value is the last one's.
    fn sequence(&mut self) -> Result<Expr, CompileError> {
        let first = self.expression(0)?;
        if !self.is_op(";") {
            return Ok(first);
        }
        let offset = first.offset;
        let mut items = vec![first];
        while self.is_op(";") {
            self.next();
            items.push(self.expression(0)?);
        }
        Ok(Expr {
            ast: Ast::Sequence(items),
            offset,
        })
    }

    /// `if cond { a } else { b }` and `else if` (expr-lang v1.17): a conditional.
    fn conditional_if(&mut self) -> Result<Option<Expr>, CompileError> {
        if !matches!(&self.peek().tok, Tok::Ident(w) if w == "if") {
            return Ok(None);
        }
        let offset = self.next().offset;
        let cond = self.expression(0)?;
        self.expect("{")?;
        let yes = self.sequence()?;
        self.expect("}")?;
        if !matches!(&self.peek().tok, Tok::Ident(w) if w == "else") {
            return Err(self.error("expected 'else' after the if block".into()));
        }
        self.next();
        let no = match self.conditional_if()? {
            Some(chained) => chained,
            None => {
                self.expect("{")?;
                let no = self.sequence()?;
                self.expect("}")?;
                no
            }
        };
        Ok(Some(Expr {
            ast: Ast::Cond(Box::new(cond), Box::new(yes), Box::new(no)),
            offset,
        }))
    }

    /// `let name = value; body` (expr-lang: only where a whole expression may start).
    fn let_binding(&mut self) -> Result<Option<Expr>, CompileError> {
        let is_let = matches!(&self.peek().tok, Tok::Ident(w) if w == "let")
            && matches!(
                self.toks.get(self.pos + 1).map(|t| &t.tok),
                Some(Tok::Ident(_))
            )
            && matches!(
                self.toks.get(self.pos + 2).map(|t| &t.tok),
                Some(Tok::Op("="))
            );
        if !is_let {
            return Ok(None);
        }
        let offset = self.next().offset;
        let Tok::Ident(name) = self.next().tok else {
            return Err(self.error("expected a variable name after let".into()));
        };
        self.expect("=")?;
        let value = self.expression(0)?;
        self.expect(";")?;
        let body = self.sequence()?;
        Ok(Some(Expr {
            ast: Ast::Let(name, Box::new(value), Box::new(body)),
            offset,
        }))
    }

    fn unary(&mut self) -> Result<Expr, CompileError> {
        let offset = self.peek().offset;
        let op = match &self.peek().tok {
            Tok::Op("!") => Some(("!", 50)),
            Tok::Ident(w) if w == "not" => Some(("!", 50)),
            Tok::Op("-") => Some(("-", 90)),
            Tok::Op("+") => Some(("+", 90)),
            _ => None,
        };
        if let Some((op, prec)) = op {
            self.next();
            let operand = self.expression(prec)?;
            return Ok(Expr {
                ast: Ast::Unary(op, Box::new(operand)),
                offset,
            });
        }
        let primary = self.primary()?;
        self.postfix(primary)
    }

    fn primary(&mut self) -> Result<Expr, CompileError> {
        let t = self.next();
        let offset = t.offset;
        let ast = match t.tok {
            Tok::Int(v) => Ast::Int(v),
            Tok::Float(v) => Ast::Float(v),
            Tok::Str(s) => Ast::Str(s),
            Tok::Op("#") => Ast::Item,
            // `.field` inside a closure is `#.field`, and `.Method(…)` is `#.Method(…)`.
            Tok::Op(".") => match self.next().tok {
                Tok::Ident(name) => {
                    let member = Ast::Member(
                        Box::new(Expr {
                            ast: Ast::Item,
                            offset,
                        }),
                        name,
                    );
                    if self.is_op("(") {
                        self.next();
                        let args = self.call_args(false)?;
                        Ast::Call(
                            Box::new(Expr {
                                ast: member,
                                offset,
                            }),
                            args,
                        )
                    } else {
                        member
                    }
                }
                _ => {
                    return Err(CompileError {
                        message: "expected a member name after '.'".into(),
                        offset,
                    })
                }
            },
            Tok::Op("(") => {
                let e = self.expression(0)?;
                self.expect(")")?;
                return Ok(e);
            }
            Tok::Op("[") => Ast::List(self.list("]")?),
            Tok::Op("{") => Ast::Map(self.map_literal()?),
            Tok::Ident(name) => match name.as_str() {
                "true" => Ast::Bool(true),
                "false" => Ast::Bool(false),
                "nil" => Ast::Nil,
                _ if self.is_op("(") => {
                    self.next();
                    let args = self.call_args(CLOSURE_BUILTINS.contains(&name.as_str()))?;
                    Ast::Call(
                        Box::new(Expr {
                            ast: Ast::Ident(name),
                            offset,
                        }),
                        args,
                    )
                }
                _ => Ast::Ident(name),
            },
            other => {
                return Err(CompileError {
                    message: format!("unexpected token {other:?}"),
                    offset,
                })
            }
        };
        Ok(Expr { ast, offset })
    }

    fn postfix(&mut self, mut e: Expr) -> Result<Expr, CompileError> {
        loop {
            if self.is_op("?.") {
                self.next();
                let t = self.next();
                let Tok::Ident(name) = t.tok else {
                    return Err(CompileError {
                        message: "expected a member name after '?.'".into(),
                        offset: t.offset,
                    });
                };
                e = Expr {
                    ast: Ast::OptMember(Box::new(e), name),
                    offset: t.offset,
                };
            } else if self.is_op(".") {
                self.next();
                let t = self.next();
                let name = match t.tok {
                    Tok::Ident(n) => n,
                    _ => {
                        return Err(CompileError {
                            message: "expected a member name after '.'".into(),
                            offset: t.offset,
                        })
                    }
                };
                let member = Expr {
                    ast: Ast::Member(Box::new(e), name),
                    offset: t.offset,
                };
                e = if self.is_op("(") {
                    self.next();
                    let args = self.call_args(false)?;
                    Expr {
                        ast: Ast::Call(Box::new(member), args),
                        offset: t.offset,
                    }
                } else {
                    member
                };
            } else if self.is_op("[") {
                let offset = self.next().offset;
                let from = if self.is_op(":") {
                    None
                } else {
                    Some(Box::new(self.expression(0)?))
                };
                if self.is_op(":") {
                    self.next();
                    let to = if self.is_op("]") {
                        None
                    } else {
                        Some(Box::new(self.expression(0)?))
                    };
                    self.expect("]")?;
                    e = Expr {
                        ast: Ast::Slice(Box::new(e), from, to),
                        offset,
                    };
                    continue;
                }
                let Some(index) = from else {
                    return Err(self.error("expected an index".into()));
                };
                self.expect("]")?;
                e = Expr {
                    ast: Ast::Index(Box::new(e), index),
                    offset,
                };
            } else {
                return Ok(e);
            }
        }
    }

    fn call_args(&mut self, closure_builtin: bool) -> Result<Vec<Expr>, CompileError> {
        let mut args = Vec::new();
        while !self.is_op(")") {
            if !args.is_empty() {
                self.expect(",")?;
            }
            if closure_builtin && args.len() == 1 {
                // A predicate: `{ a; b }`, or since expr-lang v1.17 a bare expression.
                let offset = self.peek().offset;
                let body = if self.is_op("{") {
                    self.next();
                    let body = self.sequence()?;
                    self.expect("}")?;
                    body
                } else {
                    self.expression(0)?
                };
                args.push(Expr {
                    ast: Ast::Closure(Box::new(body)),
                    offset,
                });
            } else {
                args.push(self.expression(0)?);
            }
        }
        self.next();
        Ok(args)
    }

    fn list(&mut self, close: &str) -> Result<Vec<Expr>, CompileError> {
        let mut items = Vec::new();
        while !self.is_op(close) {
            if !items.is_empty() {
                self.expect(",")?;
                if self.is_op(close) {
                    break; // trailing comma
                }
            }
            items.push(self.expression(0)?);
        }
        self.next();
        Ok(items)
    }

    fn map_literal(&mut self) -> Result<Vec<(String, Expr)>, CompileError> {
        let mut entries = Vec::new();
        while !self.is_op("}") {
            if !entries.is_empty() {
                self.expect(",")?;
                if self.is_op("}") {
                    break;
                }
            }
            let key = match self.next().tok {
                Tok::Ident(k) | Tok::Str(k) => k,
                Tok::Int(i) => i.to_string(),
                _ => return Err(self.error("expected a map key".into())),
            };
            self.expect(":")?;
            entries.push((key, self.expression(0)?));
        }
        self.next();
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(e: &Expr) -> String {
        match &e.ast {
            Ast::Binary(op, l, r) => format!("({} {op} {})", shape(l), shape(r)),
            Ast::Unary(op, x) => format!("({op}{})", shape(x)),
            Ast::Ident(n) => n.clone(),
            Ast::Member(x, n) => format!("{}.{n}", shape(x)),
            Ast::Int(i) => i.to_string(),
            Ast::Str(s) => format!("'{s}'"),
            Ast::Item => "#".into(),
            Ast::Call(c, args) => format!(
                "{}({})",
                shape(c),
                args.iter().map(shape).collect::<Vec<_>>().join(",")
            ),
            Ast::Closure(b) => format!("{{{}}}", shape(b)),
            Ast::Cond(c, a, b) => format!("({} ? {} : {})", shape(c), shape(a), shape(b)),
            Ast::Let(n, v, b) => format!("(let {n} = {}; {})", shape(v), shape(b)),
            Ast::Sequence(items) => format!(
                "({})",
                items.iter().map(shape).collect::<Vec<_>>().join("; ")
            ),
            Ast::OptMember(x, n) => format!("({}?.{n})", shape(x)),
            other => format!("{other:?}"),
        }
    }

    fn p(s: &str) -> String {
        shape(&parse(s).unwrap())
    }

    #[test]
    fn precedence() {
        assert_eq!(p("a == 1 && b or c"), "(((a == 1) && b) || c)");
        assert_eq!(p("a + b * c == d"), "((a + (b * c)) == d)");
        assert_eq!(p("not a in b"), "((!a) in b)");
        assert_eq!(p("a not in b"), "(!(a in b))");
        assert_eq!(p("a not matches b"), "(!(a matches b))");
        assert_eq!(p("a not startsWith b or c"), "((!(a startsWith b)) || c)");
        assert_eq!(p("a ?? b ?? c + d"), "(((a ?? b) ?? c) + d)");
        assert_eq!(p("2 ^ 3 ** 2"), "(2 ** (3 ** 2))");
        assert_eq!(p("a ? 'x' : b ? 'y' : 'z'"), "(a ? 'x' : (b ? 'y' : 'z'))");
        assert_eq!(
            p("let x = a + 1; let y = x; y == 2 || b"),
            "(let x = (a + 1); (let y = x; ((y == 2) || b)))"
        );
        assert_eq!(p("a?.b.c ?? d"), "((a?.b).c ?? d)");
        assert_eq!(
            p("if a { b } else if c { d } else { e; f }"),
            "(a ? b : (c ? d : (e; f)))"
        );
        // A name that merely starts with let, and `let` as a plain name, stay names.
        assert_eq!(p("letter == lets"), "(letter == lets)");
    }

    #[test]
    fn calls_members_and_closures() {
        assert_eq!(p("evt.GetMeta('k')"), "evt.GetMeta('k')");
        assert_eq!(
            p("any(File('x'), {Upper(#) contains 'a'})"),
            "any(File('x'),{(Upper(#) contains 'a')})"
        );
        assert_eq!(p("any(l, {.key == 'u'})"), "any(l,{(#.key == 'u')})");
        assert_eq!(
            p("all(l, {.GetMeta('x') == 'u'})"),
            "all(l,{(#.GetMeta('x') == 'u')})"
        );
        assert_eq!(
            p("count(l, #.a == 'x' or #.b)"),
            "count(l,{((#.a == 'x') || #.b)})"
        );
        let e = parse("evt.Meta.x  == 'y'").unwrap();
        assert_eq!(e.offset, 12);
        assert!(parse("a ==").is_err());
        assert!(parse("(a").is_err());
    }
}
