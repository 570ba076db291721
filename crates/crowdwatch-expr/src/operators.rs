//! Typing of unary and binary operators (expr v1.9's checker rules) and their compiled nodes.
use crate::compile::{err, Compiler, Typed};
use crate::node::{BinOp, Node, RegexLiterals, Ty};
use crate::optimize;
use crate::parser::Expr;
use crate::value::Val;
use crate::CompileError;

impl Compiler<'_> {
    pub(crate) fn unary(&mut self, op: &str, x: &Expr, at: usize) -> Result<Typed, CompileError> {
        let (node, ty) = self.expr(x)?;
        match op {
            "!" if ty.may_be(Ty::Bool) => Ok(self.fold(Node::Not(Box::new(node)), Ty::Bool)),
            "-" | "+" if ty == Ty::Any || ty.is_number() => Ok(if op == "-" {
                self.fold(Node::Neg(Box::new(node)), ty)
            } else {
                (node, ty)
            }),
            _ => err(
                format!("invalid operation: {op} (mismatched type {})", ty.name()),
                at,
            ),
        }
    }

    pub(crate) fn binary(
        &mut self,
        op: &str,
        l: &Expr,
        r: &Expr,
        at: usize,
    ) -> Result<Typed, CompileError> {
        let (ln, lt) = self.expr(l)?;
        let (rn, rt) = self.expr(r)?;
        let mismatch = || {
            err(
                format!(
                    "invalid operation: {op} (mismatched types {} and {})",
                    lt.name(),
                    rt.name()
                ),
                at,
            )
        };
        let numeric = |t: Ty| t == Ty::Any || t.is_number();
        let stringy = |t: Ty| t.may_be(Ty::Str);
        let (bin, ty) = match op {
            "??" => {
                // The left value unless it is nil; the right one is evaluated only then.
                let ty = match (lt, rt) {
                    (Ty::Nil, t) | (t, Ty::Nil) => t,
                    (a, b) if a == b => a,
                    _ => Ty::Any,
                };
                return Ok(self.fold(Node::Coalesce(Box::new(ln), Box::new(rn)), ty));
            }
            "&&" | "||" => {
                if !(lt.may_be(Ty::Bool) && rt.may_be(Ty::Bool)) {
                    return mismatch();
                }
                let node = if op == "&&" {
                    Node::And(Box::new(ln), Box::new(rn))
                } else {
                    Node::Or(Box::new(ln), Box::new(rn))
                };
                return Ok(self.fold(node, Ty::Bool));
            }
            "==" | "!=" => {
                let comparable = lt == rt
                    || lt == Ty::Any
                    || rt == Ty::Any
                    || lt == Ty::Nil
                    || rt == Ty::Nil
                    || (lt.is_number() && rt.is_number());
                if !comparable || lt == Ty::StrMap || rt == Ty::StrMap {
                    return mismatch();
                }
                (if op == "==" { BinOp::Eq } else { BinOp::Ne }, Ty::Bool)
            }
            "<" | ">" | "<=" | ">=" => {
                let ok = (numeric(lt) && numeric(rt)) || (stringy(lt) && stringy(rt));
                if !ok {
                    return mismatch();
                }
                let o = match op {
                    "<" => BinOp::Lt,
                    ">" => BinOp::Gt,
                    "<=" => BinOp::Le,
                    _ => BinOp::Ge,
                };
                (o, Ty::Bool)
            }
            "+" => match (lt, rt) {
                (Ty::Str, Ty::Str) => (BinOp::Add, Ty::Str),
                (Ty::Int, Ty::Int) => (BinOp::Add, Ty::Int),
                (a, b) if a.is_number() && b.is_number() => (BinOp::Add, Ty::Float),
                (a, b)
                    if (a == Ty::Any || b == Ty::Any)
                        && (numeric(a) || stringy(a))
                        && (numeric(b) || stringy(b)) =>
                {
                    (BinOp::Add, Ty::Any)
                }
                _ => return mismatch(),
            },
            "-" | "*" | "/" | "%" | "**" => {
                if !(numeric(lt) && numeric(rt))
                    || (op == "%" && (lt == Ty::Float || rt == Ty::Float))
                {
                    return mismatch();
                }
                let ty = match op {
                    "/" | "**" => Ty::Float,
                    _ if lt == Ty::Int && rt == Ty::Int => Ty::Int,
                    _ if lt == Ty::Any || rt == Ty::Any => Ty::Any,
                    _ => Ty::Float,
                };
                let o = match op {
                    "-" => BinOp::Sub,
                    "*" => BinOp::Mul,
                    "/" => BinOp::Div,
                    "%" => BinOp::Mod,
                    _ => BinOp::Pow,
                };
                (o, ty)
            }
            "contains" | "startsWith" | "endsWith" => {
                if !(stringy(lt) && stringy(rt)) {
                    return mismatch();
                }
                let o = match op {
                    "contains" => BinOp::Contains,
                    "startsWith" => BinOp::StartsWith,
                    _ => BinOp::EndsWith,
                };
                (o, Ty::Bool)
            }
            "matches" => {
                if !(stringy(lt) && stringy(rt)) {
                    return mismatch();
                }
                return Ok(match rn {
                    Node::Const(Val::Str(pattern)) => {
                        match crowdwatch_grok::LazyRegex::new(&pattern) {
                            Ok((re, hir)) => {
                                let literals = crowdwatch_grok::Prefilter::literals_of(&hir);
                                let literals = Box::new(RegexLiterals(literals));
                                let node = Node::Matches(Box::new(ln), re, literals);
                                self.fold(node, Ty::Bool)
                            }
                            Err(e) => {
                                return err(format!("invalid regular expression: {e}"), r.offset)
                            }
                        }
                    }
                    rn => (
                        Node::MatchesDyn(Box::new(ln), Box::new(rn), Box::default()),
                        Ty::Bool,
                    ),
                });
            }
            "in" => {
                if rt == Ty::StrMap {
                    let Node::StrMapRef(id) = rn else {
                        return mismatch();
                    };
                    if !stringy(lt) {
                        return mismatch();
                    }
                    return Ok((Node::MapHas(id, Box::new(ln)), Ty::Bool));
                }
                if !matches!(rt, Ty::Any | Ty::List | Ty::Map | Ty::Nil) {
                    return mismatch();
                }
                return Ok(optimize::membership(self, ln, rn));
            }
            _ => return err(format!("operator {op} is not supported"), at),
        };
        if bin == BinOp::Eq {
            if let (Node::MapGet(id, key), Node::Const(Val::Str(lit)))
            | (Node::Const(Val::Str(lit)), Node::MapGet(id, key)) = (&ln, &rn)
            {
                return Ok((Node::MapEq(*id, key.clone(), lit.to_string()), Ty::Bool));
            }
        }
        Ok(self.fold(Node::Bin(bin, Box::new(ln), Box::new(rn)), ty))
    }
}
