//! [`Errors`]: the independent errors of one case file, gathered section by section, so that a
//! file lists them all at once instead of stopping at the first.

use super::CaseError;

/// The errors found so far in one case file. [`Errors::check`] keeps the value of a section that
/// is valid and records the error of one that is not; a section that depends on another checks
/// only when that one gave a value, so an error is never followed by the errors it causes.
/// [`Errors::finish`] is the only way out: the value when no error was recorded, else the first
/// error recorded followed by the others in line order ([`CaseError::with_also`]).
#[derive(Default)]
#[must_use = "the errors are lost unless `finish` returns them"]
pub(super) struct Errors(Vec<CaseError>);

impl Errors {
    /// Record an error.
    pub(super) fn push(&mut self, e: CaseError) {
        self.0.push(e);
    }

    /// The value of a valid section, or `None` after recording its error (with the errors it
    /// carries in [`CaseError::also`]).
    pub(super) fn check<T>(&mut self, result: Result<T, CaseError>) -> Option<T> {
        result.map_err(|e| self.push(e)).ok()
    }

    /// `value` when no error was recorded; else the first error recorded, the others after it in
    /// line order. A `value` of `None` must come from a section whose error was recorded:
    /// `None` without any error is a bug of the caller and panics.
    pub(super) fn finish<T>(self, value: Option<T>) -> Result<T, CaseError> {
        let mut all = self.0.into_iter();
        match all.next() {
            Some(first) => Err(first.with_also(all)),
            None => Ok(value.expect("a section without a value recorded no error")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const SRC: &str = "a: 1\nb: 2\nc: 3\n";

    fn err(field: &str) -> CaseError {
        CaseError::at(Path::new("t.yaml"), SRC, field, format!("{field} is wrong"))
    }

    #[test]
    fn a_value_comes_out_only_without_errors() {
        let mut errors = Errors::default();
        assert_eq!(errors.check(Ok::<_, CaseError>(7)), Some(7));
        assert_eq!(errors.finish(Some(7)), Ok(7));

        let mut errors = Errors::default();
        assert_eq!(errors.check::<u8>(Err(err("b"))), None);
        // a value given after an error was recorded is not returned
        assert_eq!(errors.finish(Some(7)).unwrap_err().field, "b");
    }

    #[test]
    fn the_first_error_stays_first_and_the_others_follow_in_line_order() {
        let mut errors = Errors::default();
        errors.push(err("b"));
        errors.push(err("c"));
        // an error that carries others (a section's own list) gives them all
        assert_eq!(
            errors.check::<u8>(Err(err("c").with_also([err("a")]))),
            None
        );
        let e = errors.finish::<u8>(None).unwrap_err();
        let all: Vec<(&str, Option<usize>)> = e.all().map(|e| (e.field.as_str(), e.line)).collect();
        // `c` twice with the same message is listed once
        assert_eq!(all, vec![("b", Some(2)), ("a", Some(1)), ("c", Some(3))]);
    }

    #[test]
    #[should_panic(expected = "recorded no error")]
    fn a_missing_value_without_an_error_is_a_bug() {
        let _ = Errors::default().finish::<u8>(None);
    }
}
