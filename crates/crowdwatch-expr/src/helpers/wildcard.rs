//! CrowdSec's `Match(pattern, name)`: `*` (any bytes) and `?` (one byte) wildcards, everything
//! else literal. CrowdSec recurses on the two strings, which takes exponential time on patterns
//! with many `*`; this computes the same answer, quirks included, row by row over the pattern in
//! O(pattern × name) time and O(name) memory. The quirk: an empty name matches only the patterns
//! `""` and `"*"` (so `"a**"` does not match `"a"`, though `"a*"` does).

/// Whether `name` matches `pattern` as CrowdSec's `Match` decides.
pub(crate) fn matches(pattern: &[u8], name: &[u8]) -> bool {
    let n = name.len();
    // `next[i]`: whether the pattern from the position after the current one matches name[i..].
    // Past the pattern's end, only the end of the name does.
    let mut next: Vec<bool> = (0..=n).map(|i| i == n).collect();
    let mut cur = vec![false; n + 1];
    for p in (0..pattern.len()).rev() {
        // An exhausted name: only a rest of exactly "*" (the rest is not empty here).
        cur[n] = &pattern[p..] == b"*";
        match pattern[p] {
            b'*' => {
                // Any split: the rest of the pattern matches name[k..] for some k >= i.
                let mut any = next[n];
                for i in (0..n).rev() {
                    any |= next[i];
                    cur[i] = any;
                }
            }
            c => {
                for i in 0..n {
                    cur[i] = (c == b'?' || c == name[i]) && next[i + 1];
                }
            }
        }
        std::mem::swap(&mut cur, &mut next);
    }
    next[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CrowdSec's recursion, as written there: the reference for the cases below.
    fn reference(p: &[u8], n: &[u8]) -> bool {
        if p.is_empty() {
            return n.is_empty();
        }
        if n.is_empty() {
            return p == b"*";
        }
        if p[0] == b'*' {
            return (0..=n.len()).any(|i| reference(&p[1..], &n[i..]));
        }
        (p[0] == b'?' || p[0] == n[0]) && reference(&p[1..], &n[1..])
    }

    #[test]
    fn same_answers_as_crowdsecs_recursion() {
        let words = [
            "", "*", "**", "?", "a", "a*", "a**", "*a", "a?c", "*b*", "?*?", "ab*c?",
        ];
        let names = [
            "", "a", "ab", "abc", "abcd", "aab", "cba", "xbx", "abcc", "abzcx",
        ];
        for p in words {
            for n in names {
                assert_eq!(
                    matches(p.as_bytes(), n.as_bytes()),
                    reference(p.as_bytes(), n.as_bytes()),
                    "Match({p:?}, {n:?})"
                );
            }
        }
        assert!(matches(b"*.php", b"/index.php"));
        assert!(!matches(b"a**", b"a"));
        assert!(matches(b"a*", b"a"));
    }

    #[test]
    fn many_stars_stay_fast() {
        // Exponential for the recursion; a row per pattern byte here.
        let pattern = b"*a*a*a*a*a*a*a*a*a*a*a*a*b";
        let name = vec![b'a'; 4000];
        assert!(!matches(pattern, &name));
    }
}
