#![forbid(unsafe_code)]
//! crowdwatch's expression language: the subset of expr that CrowdSec content uses (antonmedv/expr
//! v1.9's, growing towards expr-lang v1.17 for CrowdSec 1.7: `??`, `not matches` and the like, `^`).
//!
//! Expressions are compiled once, at load, against a host `Schema` (type and path errors are
//! reported with a byte offset the host turns into file:line), then evaluated many times against
//! a host `Context`. Nothing here knows about events: see `host`.
mod access;
mod ast;
mod compile;
mod eval;
mod helpers;
pub mod host;
mod lexer;
mod literals;
mod node;
mod operators;
mod optimize;
mod overlay;
mod parser;
mod paths;
mod value;
mod write;

pub use helpers::file_map::FileMap;
pub use host::{Context, FieldId, FieldType, HostValue, Schema, Write};
pub use literals::{Needle, Requirement, ValueSource, MAX_NEEDLES, MIN_LITERAL_LEN};

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use node::{Node, Ty};

/// Data files referenced by `File()` and `RegexpInFile()`, keyed by their `dest_file` name.
#[derive(Default, Clone)]
pub struct DataFiles {
    pub strings: HashMap<String, Arc<Vec<String>>>,
    /// Checked, compiled on first use (see [`crowdwatch_grok::LazyRegex`]).
    pub regexps: HashMap<String, Arc<Vec<crowdwatch_grok::LazyRegex>>>,
    /// `type: map` files, for `LookupFile()` and `FileMap()`.
    pub maps: HashMap<String, Arc<FileMap>>,
}

/// A compile error: what is wrong and where (byte offset into the expression text).
#[derive(Debug, Clone, PartialEq)]
pub struct CompileError {
    pub message: String,
    pub offset: usize,
}

/// A run-time error (nil member access, bad argument type...). Hosts count these; never a panic.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError {
    pub message: String,
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at offset {})", self.message, self.offset)
    }
}

impl std::error::Error for CompileError {}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EvalError {}

/// A compiled expression. `Send + Sync`: one program serves every worker thread.
pub struct Program {
    root: Node,
    ty: Ty,
    guards: Vec<(FieldId, String, Vec<String>)>,
    /// Whether the program writes into its host (see [`Write`]).
    writes: bool,
}

/// A compiled expression plus the warnings the compiler had (e.g. `File('x')` naming a missing file).
pub struct Compiled {
    pub program: Program,
    pub warnings: Vec<String>,
}

/// An evaluated value, as hosts see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Value>),
    Map(Vec<(String, Value)>),
}

/// A result of [`Program::eval_borrowed`]: a string, possibly borrowed, or another value.
pub enum Evaluated<'a> {
    Text(Cow<'a, str>),
    Other(Value),
}

pub fn compile(
    source: &str,
    schema: &dyn Schema,
    data: &DataFiles,
) -> Result<Compiled, CompileError> {
    let ast = parser::parse(source)?;
    let mut compiler = compile::Compiler::new(schema, data);
    let (root, ty) = compiler.expr(&ast)?;
    let guards = node::equality_guards(&root);
    let writes = root.writes();
    Ok(Compiled {
        program: Program {
            root,
            ty,
            guards,
            writes,
        },
        warnings: compiler.warnings,
    })
}

/// Like `compile`, for a filter: an expression whose static type is known and not bool is
/// rejected here rather than failing on every event.
pub fn compile_filter(
    source: &str,
    schema: &dyn Schema,
    data: &DataFiles,
) -> Result<Compiled, CompileError> {
    let compiled = compile(source, schema, data)?;
    let ty = compiled.program.ty;
    if !ty.may_be(Ty::Bool) {
        return Err(CompileError {
            message: format!("expression must return a bool, not {}", ty.name()),
            offset: 0,
        });
    }
    Ok(compiled)
}

impl Program {
    /// Evaluate to a value.
    pub fn eval(&self, ctx: &dyn Context) -> Result<Value, EvalError> {
        Ok(eval::eval(&self.root, ctx, Default::default())?.to_public())
    }
    /// `eval`, with a string result borrowed when it can be (a host string, a literal): what
    /// statics evaluate on every line is mostly `evt.Parsed.<key>`, copied as is.
    pub fn eval_borrowed<'a>(&'a self, ctx: &'a dyn Context) -> Result<Evaluated<'a>, EvalError> {
        if let Some(text) = self.map_get(ctx) {
            return Ok(Evaluated::Text(Cow::Borrowed(text)));
        }
        Ok(match eval::eval(&self.root, ctx, Default::default())? {
            value::Val::Str(s) => Evaluated::Text(s),
            other => Evaluated::Other(other.to_public()),
        })
    }
    /// The value of an expression that is one map read (`evt.Parsed.<key>`, "" when absent),
    /// without going through the evaluator: most statics and group-by keys are just that, and
    /// on nginx lines the evaluator's dispatch around them was a measurable share of a line.
    #[inline]
    fn map_get<'a>(&'a self, ctx: &'a dyn Context) -> Option<&'a str> {
        match &self.root {
            Node::MapGet(id, key) => Some(ctx.map_get(*id, key).unwrap_or("")),
            _ => None,
        }
    }
    /// Evaluate a filter: a non-bool result is an error, as in CrowdSec.
    pub fn eval_bool(&self, ctx: &dyn Context) -> Result<bool, EvalError> {
        eval::truth(&self.root, ctx, Default::default())
    }
    /// Evaluate to a string the way CrowdSec statics/groupby do: strings as is, ints and floats
    /// formatted, bools "true"/"false"; nil is ""; lists and maps are an error.
    pub fn eval_string(&self, ctx: &dyn Context) -> Result<String, EvalError> {
        Ok(self.eval_text(ctx)?.into_owned())
    }
    /// `eval_string` without the copy when the result is a host string or a literal (groupby
    /// keys are usually `evt.Meta.source_ip`).
    pub fn eval_text<'a>(&'a self, ctx: &'a dyn Context) -> Result<Cow<'a, str>, EvalError> {
        if let Some(text) = self.map_get(ctx) {
            return Ok(Cow::Borrowed(text));
        }
        match eval::eval(&self.root, ctx, Default::default())? {
            value::Val::Str(s) => Ok(s),
            other => Ok(Cow::Owned(other.to_text()?.into_owned())),
        }
    }
    /// Whether the program writes into its host (`UnmarshalJSON(…, evt.Unmarshaled, …)`,
    /// `evt.SetMeta(…)`): such a program must be evaluated with the `*_writing` entry points,
    /// elsewhere its writes are run-time errors.
    #[inline]
    pub fn writes(&self) -> bool {
        self.writes
    }
    /// `eval`, for a program that writes: its writes, in order, are appended to `out` (even
    /// when the evaluation then fails, as they happened), and it reads them back as it goes.
    pub fn eval_writing(
        &self,
        ctx: &dyn Context,
        out: &mut Vec<Write>,
    ) -> Result<Value, EvalError> {
        let overlay = overlay::Overlay::new(ctx);
        let result = eval::eval(&self.root, &overlay, Default::default()).map(|v| v.to_public());
        out.extend(overlay.into_writes());
        result
    }
    /// `eval_bool`, for a program that writes (see `eval_writing`).
    pub fn eval_bool_writing(
        &self,
        ctx: &dyn Context,
        out: &mut Vec<Write>,
    ) -> Result<bool, EvalError> {
        let overlay = overlay::Overlay::new(ctx);
        let result = eval::truth(&self.root, &overlay, Default::default());
        out.extend(overlay.into_writes());
        result
    }
    /// Whether the result is statically known to be a bool (false = unknown or another type).
    pub fn returns_bool(&self) -> bool {
        self.ty == Ty::Bool
    }
    /// Whether the compiler folded the whole expression to a constant.
    pub fn is_constant(&self) -> bool {
        self.root.as_const().is_some()
    }
    /// The leading `&&`-conjuncts of the form `<StrMap field>.<key> == 'literal'` or
    /// `<StrMap field>.<key> in ['a', 'b']`: (field id, key, accepted literals), where an absent
    /// entry reads as "". The engine indexes scenarios by them so a filter runs only on events
    /// that can pass it. Only conjuncts before the first other one count: those are evaluated
    /// first and never fail, so when one rejects an event the filter is false without having
    /// evaluated (or failed on) anything else. Empty = no guard.
    pub fn equality_guards(&self) -> Vec<(FieldId, String, Vec<String>)> {
        self.guards.clone()
    }
    /// Literals of which one must occur in a host value for the filter to be true (see
    /// [`Requirement`]): when none does, the filter evaluates to `Ok(false)`, so a host may
    /// skip it. None = no such literals known.
    pub fn required_literals(&self) -> Option<Requirement> {
        literals::requirement(&self.root)
    }
}
