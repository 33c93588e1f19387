//! The [`Claim`] trait (argmin-style: one required method, [`Claim::check`], besides the
//! declaration) and its small types: what a claim states ([`Info`]), which cases it can apply to
//! ([`Scope`]) and why it does not apply to a case ([`NotApplicable`]).
//!
//! Families declare their claims with [`claim!`](crate::claims::claim), which writes the unit
//! struct and its `Claim` impl from the id, source, statement, escalation and scope; the family
//! writes only the struct's inherent `run(&self, ctx) -> Outcome`.

use super::{CaseContext, Outcome};
use crate::case::{Case, ModelKind};

/// What a claim states, as claims.md lists it.
#[derive(Debug)]
pub struct Info {
    /// The id used in YAML cases, reports and the CLI (claims.md).
    pub id: &'static str,
    /// The paper or section of claims.md the statement comes from.
    pub source: &'static str,
    /// The statement being checked, in the project's conventions (the ½ in the loss).
    pub statement: &'static str,
    /// Does a higher MPFR precision help when the check leaves points undecided? When it does,
    /// the runner repeats an inconclusive check at twice the precision, up to `--max-precision`,
    /// before reporting it (claims whose undecided points are a matter of principle, or that
    /// raise the precision themselves, say no).
    pub escalates: bool,
}

/// Which cases a claim can apply to: a case outside its scope is refused before the claim's own
/// check runs ([`Scope::refusal`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope {
    /// The model kinds the claim concerns (`model.kind`); empty: every kind.
    pub kinds: &'static [ModelKind],
    /// What the claim needs of the data X (`data.x`).
    pub data: Data,
    /// The depths L the claim concerns, inclusive (`model.dims`).
    pub depth: (usize, usize),
    /// The widths d_0, …, d_L the claim concerns (`model.dims`).
    pub widths: Widths,
    /// The points the claim's statement is about.
    pub points: Points,
}

/// What a claim needs of the data X (every case's X has full row rank: loading checks it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Data {
    /// Any X; the statement does not involve it.
    Any,
    /// Any X, and the statement is about general data X (not only X = I).
    General,
    /// Matrix factorization: X = I.
    Identity,
}

/// The points a claim's statement is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Points {
    /// Points of the family's own making (the ZL balls around minimizers, the WJ balanced points).
    Own,
    /// Zero-loss minimizers: the case's point or the generated ones.
    Minimizers,
    /// Zero-loss minimizers under a premise about flatness or constant c_i, which random
    /// minimizers rarely meet.
    Flat,
    /// The critical points of the case's problem.
    Critical,
    /// Every point.
    Every,
}

/// What a claim needs of the widths d_0, …, d_L.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Widths {
    /// Any widths.
    Any,
    /// Scalar networks: every width 1.
    Scalar,
    /// Matrix networks: some width above 1.
    Matrix,
    /// Square layers: every width equal.
    Square,
}

impl Scope {
    /// Every case.
    pub const ANY: Scope = Scope {
        kinds: &[],
        data: Data::Any,
        depth: (1, usize::MAX),
        widths: Widths::Any,
        points: Points::Own,
    };

    /// The scope in words, one line per case field it constrains (`model.kind`, `model.dims`,
    /// `data.x`, `point`), as `dlncheck explain` prints it.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        let kinds = if self.kinds.is_empty() {
            "every model kind".to_string()
        } else {
            let k: Vec<String> = self.kinds.iter().map(ToString::to_string).collect();
            k.join(" or ")
        };
        let depth = match self.depth {
            (lo, hi) if lo == hi => format!("depth L = {lo}"),
            (lo, usize::MAX) => format!("depth L ≥ {lo}"),
            (lo, hi) => format!("depth {lo} ≤ L ≤ {hi}"),
        };
        let widths = match self.widths {
            Widths::Any => "any widths",
            Widths::Scalar => "every width 1 (scalar network)",
            Widths::Matrix => "some width above 1 (matrix network)",
            Widths::Square => "all widths equal (square layers)",
        };
        let data = match self.data {
            Data::Any => "any X of full row rank",
            Data::General => "any X of full row rank (the statement is about general data)",
            Data::Identity => "X = I (matrix factorization)",
        };
        let points = match self.points {
            Points::Own => "points the claim's family makes itself (seeded samples, balanced points)",
            Points::Minimizers => "zero-loss minimizers: the case's point and generated ones",
            Points::Flat => {
                "zero-loss minimizers meeting a flatness or constant-c_i premise (give such a point)"
            }
            Points::Critical => {
                "the critical points of the case's problem (constructed, and the case's point when it is critical)"
            }
            Points::Every => "every point, the case's own included",
        };
        vec![
            ("model.kind", kinds),
            ("model.dims", format!("{depth}, {widths}")),
            ("data.x", data.to_string()),
            ("point", points.to_string()),
        ]
    }

    /// Why the claim `id` with this scope does not apply to `case`, naming the field that rules
    /// the case out; `None` when the case is within the scope.
    pub fn refusal(&self, id: &str, case: &Case) -> Option<NotApplicable> {
        if !self.kinds.is_empty() && !self.kinds.contains(&case.kind) {
            let kinds: Vec<String> = self.kinds.iter().map(ToString::to_string).collect();
            return Some(NotApplicable::new(
                "model.kind",
                format!(
                    "{id} concerns kind {}, not {}",
                    kinds.join(" or "),
                    case.kind
                ),
            ));
        }
        let (lo, hi) = self.depth;
        let l = case.depth();
        if l < lo || l > hi {
            let want = if lo == hi {
                format!("depth L = {lo} (dims of length {})", lo + 1)
            } else if hi == usize::MAX {
                format!("depth L ≥ {lo}")
            } else {
                format!("depth {lo} ≤ L ≤ {hi}")
            };
            return Some(NotApplicable::new(
                "model.dims",
                format!("{id} concerns {want}"),
            ));
        }
        let d = &case.dims;
        let widths = match self.widths {
            Widths::Any => None,
            Widths::Scalar => d
                .iter()
                .any(|&w| w != 1)
                .then_some("scalar networks: every width must be 1"),
            Widths::Matrix => d
                .iter()
                .all(|&w| w == 1)
                .then_some("matrix networks (some width above 1)"),
            Widths::Square => d
                .windows(2)
                .any(|w| w[0] != w[1])
                .then_some("square layers (all widths equal)"),
        };
        if let Some(want) = widths {
            return Some(NotApplicable::new(
                "model.dims",
                format!("{id} concerns {want}"),
            ));
        }
        if self.data == Data::Identity && !case.x_is_identity {
            return Some(NotApplicable::new(
                "data.x",
                format!("{id} concerns matrix factorization: X must be the identity"),
            ));
        }
        None
    }
}

/// Why a claim does not apply to a case: the case's field that rules it out and the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotApplicable {
    /// The case field, as `case::Case::error` names it (`model.kind`, `data.x`, …).
    pub field: String,
    /// What the claim needs that the field does not give.
    pub message: String,
}

impl NotApplicable {
    /// The refusal at `field` with `message`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        NotApplicable {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The `error` outcome reporting it at its field of `case` (file, field and line).
    pub fn outcome(&self, case: &Case) -> Outcome {
        Outcome::error(case.error(&self.field, self.message.clone()).to_string())
    }

    /// The `error` outcome reporting it at `checks[i]` of `case`, the check it refuses (file,
    /// the check's line, then the field that rules the case out).
    pub fn at_check(&self, case: &Case, i: usize) -> Outcome {
        let message = format!("{}: {}", self.field, self.message);
        Outcome::error(case.error(&format!("checks[{i}]"), message).to_string())
    }
}

/// One checkable statement (argmin-style: one required method besides the declaration).
pub trait Claim: Sync {
    /// What the claim states.
    fn info(&self) -> &'static Info;
    /// Which cases the claim can apply to.
    fn scope(&self) -> Scope {
        Scope::ANY
    }
    /// Check the claim on a case (the `error` outcome of a [`NotApplicable`] when the case is
    /// outside the claim's scope or its own premises).
    fn check(&self, ctx: &CaseContext) -> Outcome;
    /// Does precision escalation help ([`Info::escalates`])?
    fn escalates(&self) -> bool {
        self.info().escalates
    }
}

/// Declare a claim: the unit struct `$ty`, its [`Info`] (`Self::INFO`) and its [`Claim`] impl,
/// whose `check` refuses cases outside `scope` (default [`Scope::ANY`]) and otherwise calls the
/// struct's inherent `fn run(&self, ctx: &CaseContext) -> Outcome`, written by hand or, for a
/// claim that is one shared check applied under its id, declared as `run: |id, ctx| body` (the
/// body sees the claim's id and the case context); doc comments before the name are added to the
/// struct's.
///
/// ```ignore
/// claim! {
///     KpDepth2 {
///         id: "KP-depth2",
///         source: "[KP]",
///         statement: "For L = 2 and X = I, λ_max = ‖W_2‖₂² + ‖W_1‖₂².",
///         escalates: true,
///         scope: Scope { data: Data::Identity, depth: (2, 2), ..Scope::ANY },
///     }
/// }
/// ```
macro_rules! claim {
    ($(#[$attr:meta])* $ty:ident {
        id: $id:literal,
        source: $source:expr,
        statement: $statement:expr,
        escalates: $escalates:expr
        $(, scope: $scope:expr)?
        $(, run: |$rid:ident, $rctx:ident| $rbody:expr)? $(,)?
    }) => {
        #[doc = concat!("Claim ", $id, ".")]
        $(#[$attr])*
        pub struct $ty;
        impl $ty {
            /// What the claim states.
            pub const INFO: $crate::claims::Info = $crate::claims::Info {
                id: $id,
                source: $source,
                statement: $statement,
                escalates: $escalates,
            };
            $(fn run(&self, $rctx: &$crate::claims::CaseContext) -> $crate::claims::Outcome {
                let $rid = $id;
                $rbody
            })?
        }
        impl $crate::claims::Claim for $ty {
            fn info(&self) -> &'static $crate::claims::Info {
                &Self::INFO
            }
            $(fn scope(&self) -> $crate::claims::Scope {
                $scope
            })?
            fn check(&self, ctx: &$crate::claims::CaseContext) -> $crate::claims::Outcome {
                match $crate::claims::Claim::scope(self).refusal($id, ctx.case) {
                    Some(na) => na.outcome(ctx.case),
                    None => self.run(ctx),
                }
            }
        }
    };
}
pub(crate) use claim;
