//! Host paths: `evt.Meta.key`, `evt.Overflow.Alert.X`, `evt.GetMeta('k')`, resolved through the
//! `Schema` to field ids, and member/index access on computed values.
use crate::compile::{err, Compiler, Typed};
use crate::node::{Node, Ty, WriteKind};
use crate::parser::{Ast, Expr};
use crate::value::Val;
use crate::{CompileError, FieldId, FieldType};

pub(crate) fn field_ty(t: FieldType) -> Ty {
    match t {
        FieldType::Str => Ty::Str,
        FieldType::Int => Ty::Int,
        FieldType::Float => Ty::Float,
        FieldType::Bool => Ty::Bool,
        FieldType::StrMap => Ty::StrMap,
        FieldType::Json => Ty::Any,
    }
}

/// `a.b['c'].d` as a list of (name, offset), when the expression is such a static path.
pub(crate) fn flatten<'e>(e: &'e Expr, out: &mut Vec<(&'e str, usize)>) -> bool {
    match &e.ast {
        Ast::Ident(n) => {
            out.push((n, e.offset));
            true
        }
        Ast::Member(base, n) => {
            let ok = flatten(base, out);
            out.push((n, e.offset));
            ok
        }
        Ast::Index(base, index) => match &index.ast {
            Ast::Str(s) => {
                let ok = flatten(base, out);
                out.push((s, index.offset));
                ok
            }
            _ => false,
        },
        _ => false,
    }
}

impl Compiler<'_> {
    /// A static path from a root variable: the longest prefix the schema knows, then map keys or
    /// dynamic members.
    pub(crate) fn path(&mut self, path: &[(&str, usize)]) -> Result<Typed, CompileError> {
        let names: Vec<&str> = path.iter().map(|(n, _)| *n).collect();
        let resolved = (1..=names.len())
            .rev()
            .find_map(|n| self.schema.resolve(&names[..n]).map(|r| (n, r)));
        let Some((n, (id, ft))) = resolved else {
            let at = if path.len() > 1 && self.schema.is_root(names[0]) {
                path[1].1
            } else {
                path[0].1
            };
            return err(format!("unknown name {}", names.join(".")), at);
        };
        let rest = &path[n..];
        match (field_ty(ft), rest) {
            (Ty::StrMap, []) => Ok((Node::StrMapRef(id), Ty::StrMap)),
            (Ty::StrMap, [(key, _)]) => Ok((Node::MapGet(id, key.to_string()), Ty::Str)),
            (Ty::StrMap, [_, (name, at), ..]) => {
                err(format!("type string has no field {name}"), *at)
            }
            (Ty::Any, _) => {
                let mut node = Node::Field(id);
                for (name, _) in rest {
                    node = Node::Member(Box::new(node), name.to_string());
                }
                Ok((node, Ty::Any))
            }
            (ty, []) => Ok((Node::Field(id), ty)),
            (ty, [(name, at), ..]) => err(format!("type {} has no field {name}", ty.name()), *at),
        }
    }

    /// Member/index access on a computed value (a JSON field, a helper result, `#`).
    pub(crate) fn dynamic_access(&mut self, e: &Expr) -> Result<Typed, CompileError> {
        let at = e.offset;
        let (base, key): (&Expr, Result<&Expr, &str>) = match &e.ast {
            Ast::Member(base, name) => (base, Err(name.as_str())),
            Ast::Index(base, index) => (base, Ok(index)),
            Ast::Ident(name) => return err(format!("unknown name {name}"), at),
            _ => return err("invalid member access", at),
        };
        let (base, bt) = self.expr(base)?;
        let key = match key {
            Err(name) => (Node::Const(Val::Str(name.to_string().into())), Ty::Str),
            Ok(index) => self.expr(index)?,
        };
        if matches!(bt, Ty::Nil | Ty::Bool | Ty::Int | Ty::Float | Ty::Str) {
            return err(format!("type {} has no fields or elements", bt.name()), at);
        }
        if let Node::StrMapRef(id) = base {
            if !key.1.may_be(Ty::Str) {
                return err(format!("cannot use {} as a map key", key.1.name()), at);
            }
            return Ok(match key.0 {
                Node::Const(Val::Str(k)) => (Node::MapGet(id, k.into_owned()), Ty::Str),
                k => (Node::MapGetDyn(id, Box::new(k)), Ty::Str),
            });
        }
        Ok(match key.0 {
            Node::Const(Val::Str(k)) => {
                self.fold(Node::Member(Box::new(base), k.into_owned()), Ty::Any)
            }
            k => self.fold(Node::Index(Box::new(base), Box::new(k)), Ty::Any),
        })
    }

    pub(crate) fn method(
        &mut self,
        recv: &Expr,
        method: &str,
        args: &[Expr],
        at: usize,
    ) -> Result<Typed, CompileError> {
        let mut path = Vec::new();
        let resolved = if flatten(recv, &mut path) {
            let names: Vec<&str> = path.iter().map(|(n, _)| *n).collect();
            if let Some(field) = self.schema.resolve_setter(&names, method) {
                return self.setter(field, method, args, at);
            }
            self.schema.resolve_method(&names, method)
        } else {
            None
        };
        let Some((id, ft)) = resolved else {
            // Go's Stringer on a value that is already its text (`evt.Time.Weekday().String()`).
            if method == "String" && args.is_empty() {
                let (node, ty) = self.expr(recv)?;
                if ty == Ty::Str {
                    return Ok((node, ty));
                }
            }
            if self.schema.has_value_method(method) {
                return self.value_method(recv, method, args);
            }
            return err(format!("unknown method {method}"), at);
        };
        self.host_call(id, ft, method, args)
    }

    /// `evt.SetMeta(key, value)`: sets an entry of a host string map, answers true.
    fn setter(
        &mut self,
        field: FieldId,
        method: &str,
        args: &[Expr],
        at: usize,
    ) -> Result<Typed, CompileError> {
        let [key, value] = args else {
            return err(format!("{method} expects 2 arguments"), at);
        };
        let (key, kt) = self.expr(key)?;
        self.expect_ty(kt, Ty::Str, method, args[0].offset)?;
        let (value, vt) = self.expr(value)?;
        self.expect_ty(vt, Ty::Str, method, args[1].offset)?;
        Ok((
            Node::Write(WriteKind::SetEntry, field, Box::new([key, value])),
            Ty::Bool,
        ))
    }

    /// `<value>.Method(args)` on a computed value, answered by the host at run time.
    fn value_method(
        &mut self,
        recv: &Expr,
        method: &str,
        args: &[Expr],
    ) -> Result<Typed, CompileError> {
        let (recv, _) = self.expr(recv)?;
        let mut nodes = Vec::with_capacity(args.len());
        for arg in args {
            let (node, ty) = self.expr(arg)?;
            self.expect_ty(ty, Ty::Str, method, arg.offset)?;
            nodes.push(node);
        }
        Ok((
            Node::ValueMethod(method.to_string(), Box::new(recv), nodes),
            Ty::Any,
        ))
    }

    /// A call the host answers: a method, or a function the host provides (`resolve_method` with
    /// no receiver, e.g. `GetDecisionsCount` where profiles can reach the decision store).
    /// Arguments are strings.
    pub(crate) fn host_call(
        &mut self,
        id: FieldId,
        ft: FieldType,
        name: &str,
        args: &[Expr],
    ) -> Result<Typed, CompileError> {
        let mut nodes = Vec::with_capacity(args.len());
        for arg in args {
            let (node, ty) = self.expr(arg)?;
            self.expect_ty(ty, Ty::Str, name, arg.offset)?;
            nodes.push(node);
        }
        Ok((Node::Method(id, nodes), field_ty(ft)))
    }
}
