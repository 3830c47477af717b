//! Numbers for people: reading the whole numbers a learner types, digit grouping, durations and
//! the rounding of published figures.

use std::ops::RangeInclusive;

/// Reads a whole number as a learner types it, with `,`, `_` or spaces between the digits, or
/// says why it is not one: `“ten” is not a whole number.`
pub fn read_whole(text: &str) -> Result<u64, String> {
    without_separators(text).parse().map_err(|_| format!("“{}” is not a whole number.", text.trim()))
}

/// A number as the learner typed it, without the digit separators we accept (`,`, `_`, spaces),
/// ready for `str::parse`: the one rule every field of the site follows.
pub fn without_separators(text: &str) -> String {
    text.chars().filter(|c| !matches!(c, '_' | ',' | ' ')).collect()
}

/// Reads a whole number typed by the learner (see [`read_whole`]), refusing what is not one or
/// lies outside `limits`, with a reason naming `what`.
pub fn parse_whole(text: &str, what: &str, limits: RangeInclusive<u64>) -> Result<u64, String> {
    let value = read_whole(text).map_err(|why| format!("{what}: {why}"))?;
    if limits.contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "{what} must be from {} to {} (you asked for {}).",
            group_digits(*limits.start()),
            group_digits(*limits.end()),
            group_digits(value)
        ))
    }
}

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

/// `x` rounded to `decimals` places, for figures published as JSON.
pub fn round_to(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}

/// `x` rounded to one decimal (a wall time in ms, say).
pub fn round1(x: f64) -> f64 {
    round_to(x, 1)
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

    // Learner input: separators accepted; garbage and out-of-range refused, naming the field.
    #[test]
    fn reads_whole_numbers() {
        assert_eq!(read_whole(" 1_000,000 "), Ok(1_000_000));
        assert_eq!(read_whole("4 194 304"), Ok(4_194_304));
        assert_eq!(read_whole("ten").unwrap_err(), "“ten” is not a whole number.");
        assert!(read_whole("-5").is_err() && read_whole("").is_err() && read_whole("1.5").is_err());
        assert_eq!(parse_whole("12", "Items", 1..=20), Ok(12));
        assert_eq!(parse_whole("x", "Items", 1..=20).unwrap_err(), "Items: “x” is not a whole number.");
        assert_eq!(
            parse_whole("6000000", "Increments per thread", 1..=5_000_000).unwrap_err(),
            "Increments per thread must be from 1 to 5,000,000 (you asked for 6,000,000)."
        );
    }

    // Rounding as the published figures use it.
    #[test]
    fn rounds() {
        assert_eq!(round1(12.345), 12.3);
        assert_eq!(round_to(1.23456, 3), 1.235);
        assert_eq!(round_to(0.123456, 4), 0.1235);
        assert_eq!(round1(-0.04), -0.0);
    }
}
