//! "Did you mean …?": the nearest of the known names to a misspelt one, by edit distance.

/// The candidate nearest to `word` (case-insensitively, by Damerau–Levenshtein distance), when it
/// is near enough to be a misspelling: at most 2 edits, or a third of the word's length for long
/// words. Ties go to the earlier candidate.
pub fn nearest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let w = word.to_lowercase();
    let limit = 2.max(w.chars().count() / 3);
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        let d = strsim::damerau_levenshtein(&w, &c.to_lowercase());
        let better = match best {
            None => true,
            Some((bd, _)) => d < bd,
        };
        if d <= limit && better {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::nearest;

    #[test]
    fn finds_near_misspellings_only() {
        let known = ["KP-exact", "KP-trace", "KP-naive"];
        assert_eq!(nearest("KP-exatc", known), Some("KP-exact"));
        assert_eq!(nearest("kp-trace", known), Some("KP-trace"));
        assert_eq!(nearest("something", known), None);
    }
}
