//! The untyped syntax tree the parser produces.

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ast {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Ident(String),
    /// `#`, the current closure item.
    Item,
    Member(Box<Expr>, String),
    /// `x?.name`: nil when `x` is nil, and then so is the rest of the chain it starts.
    OptMember(Box<Expr>, String),
    /// `a; b; c`: the value of the last.
    Sequence(Vec<Expr>),
    /// `let name = value; body`.
    Let(String, Box<Expr>, Box<Expr>),
    Index(Box<Expr>, Box<Expr>),
    /// `x[from:to]`, either bound optional.
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    /// `callee(args)`: callee is an `Ident` (function) or a `Member` (method).
    Call(Box<Expr>, Vec<Expr>),
    Unary(&'static str, Box<Expr>),
    Binary(&'static str, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    List(Vec<Expr>),
    Map(Vec<(String, Expr)>),
    Closure(Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expr {
    pub ast: Ast,
    pub offset: usize,
}
