//! Number formatting for people: digit grouping and durations.

/// `1234567` → `"1,234,567"`.
pub fn group_digits(n: u64) -> String {
    group_decimal(&n.to_string())
}

/// Groups a string of decimal digits by thousands (for numbers of any size).
pub fn group_decimal(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Milliseconds as a short human duration: `"840 ms"`, `"1.24 s"`.
pub fn duration_ms(ms: f64) -> String {
    if ms < 1.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Grouping at every length boundary, and durations in each unit.
    #[test]
    fn formats() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1000), "1,000");
        assert_eq!(group_digits(78_498), "78,498");
        assert_eq!(group_digits(12_345_678), "12,345,678");
        assert_eq!(group_decimal("99561092450391000"), "99,561,092,450,391,000");
        assert_eq!(duration_ms(0.5), "0.50 ms");
        assert_eq!(duration_ms(840.2), "840 ms");
        assert_eq!(duration_ms(1240.0), "1.24 s");
    }
}
