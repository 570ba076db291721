//! Syntax tree → typed node tree: resolves host paths through the `Schema`, checks types as far
//! as they are static, loads data files and regexes, and folds constants.
use crate::helpers::{self, Function, Helper};
use crate::node::{ChainAccess, ChainStep, Node, Ty, WriteKind};
use crate::optimize;
use crate::parser::{Ast, Expr};
use crate::paths::flatten;
use crate::value::{List, Val};
use crate::{CompileError, DataFiles, Schema};

pub(crate) type Typed = (Node, Ty);

pub(crate) struct Compiler<'s> {
    pub schema: &'s dyn Schema,
    pub data: &'s DataFiles,
    pub warnings: Vec<String>,
    /// Static type of `#` in each enclosing closure, innermost last.
    item_types: Vec<Ty>,
    /// Variables of the enclosing `let`s, innermost last.
    vars: Vec<(String, Binding)>,
    next_slot: u32,
}

/// What a `let` variable compiles to: a slot the evaluator fills, or the constant it was bound to.
#[derive(Clone)]
enum Binding {
    Slot(u32, Ty),
    Const(Val<'static>),
}

pub(crate) fn err<T>(message: impl Into<String>, offset: usize) -> Result<T, CompileError> {
    Err(CompileError {
        message: message.into(),
        offset,
    })
}

pub(crate) fn ty_of(v: &Val<'_>) -> Ty {
    match v {
        Val::Nil => Ty::Nil,
        Val::Bool(_) => Ty::Bool,
        Val::Int(_) => Ty::Int,
        Val::Float(_) => Ty::Float,
        Val::Str(_) => Ty::Str,
        Val::List(_) => Ty::List,
        Val::Map(_) => Ty::Map,
        Val::Json(j) if j.is_array() => Ty::List,
        Val::Json(_) => Ty::Map,
    }
}

impl<'s> Compiler<'s> {
    pub fn new(schema: &'s dyn Schema, data: &'s DataFiles) -> Self {
        Compiler {
            schema,
            data,
            warnings: Vec::new(),
            item_types: Vec::new(),
            vars: Vec::new(),
            next_slot: 0,
        }
    }

    pub fn expr(&mut self, e: &Expr) -> Result<Typed, CompileError> {
        let at = e.offset;
        Ok(match &e.ast {
            Ast::Nil => (Node::Const(Val::Nil), Ty::Nil),
            Ast::Bool(b) => (Node::Const(Val::Bool(*b)), Ty::Bool),
            Ast::Int(i) => (Node::Const(Val::Int(*i)), Ty::Int),
            Ast::Float(f) => (Node::Const(Val::Float(*f)), Ty::Float),
            Ast::Str(s) => (Node::Const(Val::Str(s.clone().into())), Ty::Str),
            Ast::Item => match self.item_types.last() {
                Some(ty) => (Node::Item, *ty),
                None => return err("'#' can only be used inside a closure", at),
            },
            Ast::Ident(name) if self.var(name).is_some() => match self.var(name) {
                Some(Binding::Slot(slot, ty)) => (Node::Var(slot), ty),
                Some(Binding::Const(v)) => {
                    let ty = ty_of(&v);
                    (Node::Const(v), ty)
                }
                None => return err(format!("unknown name {name}"), at),
            },
            Ast::OptMember(..) => self.optional_chain(e)?,
            Ast::Member(..) | Ast::Index(..) if chain_has_optional(e) => self.optional_chain(e)?,
            Ast::Member(..) | Ast::Index(..)
                if root_name(e).is_some_and(|n| self.var(n).is_some()) =>
            {
                self.dynamic_access(e)?
            }
            Ast::Let(name, value, body) => self.let_binding(name, value, body)?,
            Ast::Sequence(items) => {
                let mut nodes = Vec::with_capacity(items.len());
                let mut ty = Ty::Nil;
                for item in items {
                    let (node, t) = self.expr(item)?;
                    nodes.push(node);
                    ty = t;
                }
                (Node::Sequence(nodes), ty)
            }
            Ast::Ident(_) | Ast::Member(..) | Ast::Index(..) => {
                let mut path = Vec::new();
                if flatten(e, &mut path) {
                    return self.path(&path);
                }
                self.dynamic_access(e)?
            }
            Ast::Call(callee, args) => self.call(callee, args, at)?,
            Ast::Slice(base, from, to) => {
                let (base, bt) = self.expr(base)?;
                if !matches!(bt, Ty::Any | Ty::Str | Ty::List) {
                    return err(format!("cannot slice {}", bt.name()), at);
                }
                let mut bound = |b: &Option<Box<Expr>>| -> Result<Option<Box<Node>>, CompileError> {
                    let Some(b) = b else { return Ok(None) };
                    let (node, ty) = self.expr(b)?;
                    if !ty.may_be(Ty::Int) {
                        return err(
                            format!("non-integer slice index (type {})", ty.name()),
                            b.offset,
                        );
                    }
                    Ok(Some(Box::new(node)))
                };
                let (from, to) = (bound(from)?, bound(to)?);
                self.fold(Node::Slice(Box::new(base), from, to), bt)
            }
            Ast::Unary(op, x) => self.unary(op, x, at)?,
            Ast::Binary(op, l, r) => self.binary(op, l, r, at)?,
            Ast::Cond(c, yes, no) => {
                let (c, ct) = self.expr(c)?;
                if !ct.may_be(Ty::Bool) && ct != Ty::Nil {
                    return err(
                        format!("non-bool expression (type {}) used as condition", ct.name()),
                        at,
                    );
                }
                let (yes, yt) = self.expr(yes)?;
                let (no, nt) = self.expr(no)?;
                let ty = if yt == nt { yt } else { Ty::Any };
                match c.as_const() {
                    Some(Val::Bool(true)) => (yes, yt),
                    Some(Val::Bool(false)) => (no, nt),
                    _ => (Node::Cond(Box::new(c), Box::new(yes), Box::new(no)), ty),
                }
            }
            Ast::List(items) => {
                let mut nodes = Vec::with_capacity(items.len());
                for item in items {
                    nodes.push(self.expr(item)?.0);
                }
                self.fold(Node::ListLit(nodes), Ty::List)
            }
            Ast::Map(entries) => {
                let mut nodes = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    nodes.push((k.clone(), self.expr(v)?.0));
                }
                self.fold(Node::MapLit(nodes), Ty::Map)
            }
            Ast::Closure(_) => {
                return err(
                    "a closure can only be an argument of all/none/any/one/filter/map/count",
                    at,
                )
            }
        })
    }

    fn var(&self, name: &str) -> Option<Binding> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.clone())
    }

    /// `let name = value; body`: a constant value is substituted, anything else gets a slot.
    fn let_binding(
        &mut self,
        name: &str,
        value: &Expr,
        body: &Expr,
    ) -> Result<Typed, CompileError> {
        let (value, vt) = self.expr(value)?;
        let binding = match value.as_const() {
            Some(v) => Binding::Const(v.clone()),
            None => {
                self.next_slot += 1;
                Binding::Slot(self.next_slot - 1, vt)
            }
        };
        self.vars.push((name.to_string(), binding.clone()));
        let body = self.expr(body);
        self.vars.pop();
        let (body, bt) = body?;
        Ok(match binding {
            Binding::Const(_) => (body, bt),
            Binding::Slot(slot, _) => (Node::Let(slot, Box::new(value), Box::new(body)), bt),
        })
    }

    /// `a.b?.c.d`: the part before the first `?.` as usual, then the steps, any of which may
    /// end the chain with nil (see `Node::Chain`).
    fn optional_chain(&mut self, e: &Expr) -> Result<Typed, CompileError> {
        let mut steps = Vec::new();
        let mut cur = e;
        let mut base = e;
        let mut first_optional = 0;
        loop {
            match &cur.ast {
                Ast::Member(b, name) => {
                    steps.push((false, Ok(name.as_str())));
                    cur = b;
                }
                Ast::OptMember(b, name) => {
                    steps.push((true, Ok(name.as_str())));
                    cur = b;
                    base = b;
                    first_optional = steps.len();
                }
                Ast::Index(b, index) => {
                    steps.push((false, Err(&**index)));
                    cur = b;
                }
                _ => break,
            }
        }
        // `steps` runs from the outermost access inwards; keep those above the innermost `?.`.
        steps.truncate(first_optional);
        steps.reverse();
        let (base, _) = self.expr(base)?;
        let mut compiled = Vec::with_capacity(steps.len());
        for (optional, access) in steps {
            let access = match access {
                Ok(name) => ChainAccess::Member(name.to_string()),
                Err(index) => ChainAccess::Index(self.expr(index)?.0),
            };
            compiled.push(ChainStep { optional, access });
        }
        Ok((Node::Chain(Box::new(base), compiled), Ty::Any))
    }

    fn call(&mut self, callee: &Expr, args: &[Expr], at: usize) -> Result<Typed, CompileError> {
        let name = match &callee.ast {
            Ast::Ident(name) => name,
            Ast::Member(recv, method) => return self.method(recv, method, args, callee.offset),
            _ => return err("expression is not callable", at),
        };
        if let Some((id, ft)) = self.schema.resolve_method(&[], name) {
            return self.host_call(id, ft, name, args);
        }
        let Some(function) = helpers::lookup(name) else {
            return err(format!("unknown func {name}"), callee.offset);
        };
        match function {
            Function::Unsupported => err(format!("helper {name} is not supported"), callee.offset),
            Function::Closure(kind) => {
                let [list, closure] = args else {
                    return err(
                        format!("{name} expects 2 arguments (a list and a closure)"),
                        callee.offset,
                    );
                };
                let Ast::Closure(body) = &closure.ast else {
                    return err(
                        format!("the second argument of {name} must be a closure {{...}}"),
                        closure.offset,
                    );
                };
                let (list, lt) = self.expr(list)?;
                if !lt.may_be(Ty::List) && lt != Ty::Map {
                    return err(
                        format!("builtin {name} takes only array (got {})", lt.name()),
                        at,
                    );
                }
                self.item_types
                    .push(list.as_const().map_or(Ty::Any, item_type));
                let body_result = self.expr(body);
                self.item_types.pop();
                let (body, bt) = body_result?;
                optimize::closure(self, kind, list, body, bt, body_offset(closure))
            }
            Function::File => {
                let name = self.data_file_name("File", args, 0, 1, callee.offset)?;
                let list = match self.data.strings.get(&name) {
                    Some(lines) => helpers::string_list(lines.clone()),
                    None => {
                        self.warnings.push(format!(
                            "file '{name}' (type:string) not found in expr library"
                        ));
                        Val::List(List::Owned(Vec::new()))
                    }
                };
                Ok((Node::Const(list), Ty::List))
            }
            Function::RegexpInFile => {
                let file = self.data_file_name("RegexpInFile", args, 1, 2, callee.offset)?;
                let (subject, st) = self.expr(&args[0])?;
                self.expect_ty(st, Ty::Str, "RegexpInFile", args[0].offset)?;
                let regexps = self.data.regexps.get(&file).cloned().unwrap_or_else(|| {
                    self.warnings.push(format!(
                        "file '{file}' (type:regexp) not found in expr library"
                    ));
                    Default::default()
                });
                let union = Box::new(crowdwatch_grok::RegexUnion::new(&regexps));
                Ok((Node::RegexpInFile(Box::new(subject), union), Ty::Bool))
            }
            Function::LookupFile => {
                let file = self.data_file_name("LookupFile", args, 1, 2, callee.offset)?;
                let (subject, st) = self.expr(&args[0])?;
                self.expect_ty(st, Ty::Str, "LookupFile", args[0].offset)?;
                let map = self.data.maps.get(&file).cloned().unwrap_or_else(|| {
                    self.warnings.push(format!(
                        "file '{file}' (type:map) not found in expr library"
                    ));
                    std::sync::Arc::new(crate::FileMap::parse("").0)
                });
                Ok((Node::LookupFile(Box::new(subject), map), Ty::Str))
            }
            Function::FileMap => {
                let file = self.data_file_name("FileMap", args, 0, 1, callee.offset)?;
                let rows = self.data.maps.get(&file).map_or_else(Vec::new, |m| {
                    m.rows
                        .iter()
                        .map(|r| {
                            Val::Map(
                                r.iter()
                                    .map(|(k, v)| (k.clone(), Val::Str(v.clone().into())))
                                    .collect(),
                            )
                        })
                        .collect()
                });
                Ok((Node::Const(Val::List(List::Owned(rows))), Ty::List))
            }
            Function::Helper(h) => self.helper(h, name, args, callee.offset),
            Function::Writer(kind) => self.writer(kind, name, args, callee.offset),
            Function::Operator(op) => match args {
                [a, b] => self.binary(op, a, b, callee.offset),
                [_] | [] => err(
                    format!("not enough arguments to call {name}"),
                    callee.offset,
                ),
                _ => err(format!("too many arguments to call {name}"), callee.offset),
            },
        }
    }

    /// `UnmarshalJSON(text, evt.Unmarshaled, key)` and its kin: the second argument must be a
    /// host field holding JSON, which the call fills.
    fn writer(
        &mut self,
        kind: WriteKind,
        name: &str,
        args: &[Expr],
        at: usize,
    ) -> Result<Typed, CompileError> {
        let [text, target, key] = args else {
            return err(format!("{name} expects 3 arguments"), at);
        };
        let field = match self.expr(target)? {
            (Node::Field(id), Ty::Any) => id,
            _ => {
                return err(
                    format!("the second argument of {name} must be a JSON map of the host (evt.Unmarshaled)"),
                    target.offset,
                )
            }
        };
        let mut nodes = Vec::with_capacity(2);
        for arg in [text, key] {
            let (node, ty) = self.expr(arg)?;
            self.expect_ty(ty, Ty::Str, name, arg.offset)?;
            nodes.push(node);
        }
        let [text, key]: [Node; 2] = nodes.try_into().map_err(|_| CompileError {
            message: "internal: two arguments".into(),
            offset: at,
        })?;
        Ok((Node::Write(kind, field, Box::new([text, key])), Ty::Any))
    }

    /// The literal data-file name argument of File()/RegexpInFile().
    fn data_file_name(
        &mut self,
        f: &str,
        args: &[Expr],
        index: usize,
        arity: usize,
        at: usize,
    ) -> Result<String, CompileError> {
        if args.len() != arity {
            return err(
                format!("{f} expects {arity} argument(s), got {}", args.len()),
                at,
            );
        }
        match self.expr(&args[index])?.0 {
            Node::Const(Val::Str(s)) => Ok(s.into_owned()),
            _ => err(
                format!("the data file name of {f} must be a constant string"),
                args[index].offset,
            ),
        }
    }

    fn helper(
        &mut self,
        h: Helper,
        name: &str,
        args: &[Expr],
        at: usize,
    ) -> Result<Typed, CompileError> {
        let sig = h.signature();
        if args.len() < sig.params.len() {
            return err(format!("not enough arguments to call {name}"), at);
        }
        if args.len() > sig.params.len() && sig.rest.is_none() {
            return err(format!("too many arguments to call {name}"), at);
        }
        let mut nodes = Vec::with_capacity(args.len());
        for (i, arg) in args.iter().enumerate() {
            let (node, ty) = self.expr(arg)?;
            let want = sig.params.get(i).copied().or(sig.rest).unwrap_or(Ty::Any);
            if h == Helper::Len
                && !matches!(ty, Ty::Any | Ty::Str | Ty::List | Ty::Map | Ty::StrMap)
            {
                return err(
                    format!("invalid argument for len (type {})", ty.name()),
                    arg.offset,
                );
            }
            if h == Helper::Len && ty == Ty::StrMap {
                return err("len of a host map is not supported", arg.offset);
            }
            if want != Ty::Any {
                self.expect_ty(ty, want, name, arg.offset)?;
            }
            nodes.push(node);
        }
        let node = Node::Call(h, nodes);
        Ok(if sig.pure {
            self.fold(node, sig.ret)
        } else {
            (node, sig.ret)
        })
    }

    pub fn expect_ty(&self, got: Ty, want: Ty, what: &str, at: usize) -> Result<(), CompileError> {
        if got.may_be(want) {
            return Ok(());
        }
        err(
            format!(
                "cannot use {} as argument (type {}) to call {what}",
                got.name(),
                want.name()
            ),
            at,
        )
    }

    /// Evaluate `node` now when every operand is a constant.
    pub fn fold(&self, node: Node, ty: Ty) -> Typed {
        if !optimize::operands_const(&node) {
            return (node, ty);
        }
        match crate::eval::eval(&node, &crate::eval::NoHost, Default::default()) {
            Ok(v) => {
                let v = v.into_static();
                let t = ty_of(&v);
                (Node::Const(v), t)
            }
            Err(_) => (node, ty),
        }
    }
}

/// Whether a member/index chain has a `?.` anywhere along it.
fn chain_has_optional(e: &Expr) -> bool {
    match &e.ast {
        Ast::OptMember(..) => true,
        Ast::Member(b, _) | Ast::Index(b, _) => chain_has_optional(b),
        _ => false,
    }
}

/// The name a member/index chain starts from (`x` of `x.a[0]`).
fn root_name(e: &Expr) -> Option<&str> {
    match &e.ast {
        Ast::Ident(name) => Some(name),
        Ast::Member(b, _) | Ast::Index(b, _) | Ast::OptMember(b, _) => root_name(b),
        _ => None,
    }
}

/// The common type of a constant list's items (`Any` when mixed or not a list).
fn item_type(list: &Val<'static>) -> Ty {
    let Val::List(l) = list else { return Ty::Any };
    let mut types = l.items().iter().map(ty_of).collect::<Vec<_>>();
    types.dedup();
    match types.as_slice() {
        [one] => *one,
        _ => Ty::Any,
    }
}

fn body_offset(closure: &Expr) -> usize {
    match &closure.ast {
        Ast::Closure(body) => body.offset,
        _ => closure.offset,
    }
}
