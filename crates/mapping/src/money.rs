//! Exact money arithmetic, the way QBO checks it.
//!
//! QBO computes line amounts at two decimals and refuses (fault 6070) a sales line whose
//! `Amount` is not `Qty × UnitPrice` rounded half-up (midpoint away from zero) to cents. The
//! functions here compute on the integer mantissas of the decimals (`i128`), so a product of
//! two 15-digit numbers is exact before it is rounded once; nothing here can panic, an
//! overflow is `None`.

use rust_decimal::Decimal;

/// The scale of amounts: cents.
pub const CENTS: u32 = 2;

/// `(mantissa, scale)` of a decimal with trailing zeros removed.
fn parts(value: Decimal) -> (i128, u32) {
    let n = value.normalize();
    (n.mantissa(), n.scale())
}

/// `10^exp`, or `None` past `i128`.
fn pow10(exp: u32) -> Option<i128> {
    10i128.checked_pow(exp)
}

/// Rounds `mantissa × 10^-scale` half away from zero to `target` decimals.
fn round_scaled(mantissa: i128, scale: u32, target: u32) -> Option<Decimal> {
    if scale <= target {
        let up = mantissa.checked_mul(pow10(target - scale)?)?;
        return Decimal::try_from_i128_with_scale(up, target).ok();
    }
    let Some(divisor) = pow10(scale - target) else {
        // |mantissa| < 2^127 < 10^39 / 5: the value is below half a unit of `target`.
        return Decimal::try_from_i128_with_scale(0, target).ok();
    };
    let quotient = mantissa / divisor;
    let remainder = (mantissa % divisor).abs();
    // `divisor` is a power of ten of at least 10, so it is even and `divisor / 2` is exact.
    let rounded = if remainder >= divisor / 2 {
        quotient.checked_add(mantissa.signum())?
    } else {
        quotient
    };
    Decimal::try_from_i128_with_scale(rounded, target).ok()
}

/// Rounds half away from zero to `dp` decimals (the result has exactly `dp` decimals).
pub fn round_half_up(value: Decimal, dp: u32) -> Option<Decimal> {
    let (mantissa, scale) = parts(value);
    round_scaled(mantissa, scale, dp)
}

/// `qty × unit_price` rounded half-up to cents: the only `Amount` QBO accepts on a sales
/// line that has both (fault 6070 otherwise).
///
/// ```
/// use mapping::money::line_amount;
/// use rust_decimal::Decimal;
/// // 128.35 kg at 14.50 is 1861.075, which QBO rounds up.
/// assert_eq!(
///     line_amount(Decimal::new(12835, 2), Decimal::new(1450, 2)),
///     Some(Decimal::new(186108, 2))
/// );
/// ```
pub fn line_amount(qty: Decimal, unit_price: Decimal) -> Option<Decimal> {
    let (qm, qs) = parts(qty);
    let (pm, ps) = parts(unit_price);
    round_scaled(qm.checked_mul(pm)?, qs + ps, CENTS)
}

/// `percent` % of `base`, rounded half-up to cents.
pub fn percent_of(base: Decimal, percent: Decimal) -> Option<Decimal> {
    let (bm, bs) = parts(base);
    let (pm, ps) = parts(percent);
    round_scaled(bm.checked_mul(pm)?, bs + ps + 2, CENTS)
}

/// The amount in cents (`None` when it has more than two decimals or is too large).
pub(crate) fn to_cents(amount: Decimal) -> Option<i128> {
    let (mantissa, scale) = parts(amount);
    if scale > CENTS {
        return None;
    }
    mantissa.checked_mul(pow10(CENTS - scale)?)
}

/// Cents as an amount with two decimals.
pub(crate) fn from_cents(cents: i128) -> Option<Decimal> {
    Decimal::try_from_i128_with_scale(cents, CENTS).ok()
}

/// Splits `total` cents over `weights` in proportion, exactly: each share is rounded down,
/// then the cents left go one each to the largest remainders (the earliest first on ties).
///
/// The shares add up to `total`, and a share never exceeds its weight when `total` does not
/// exceed the sum of the weights. `None` when the weights are all zero while `total` is not,
/// when a weight or the total is negative, or on overflow.
pub(crate) fn allocate(total: i128, weights: &[i128]) -> Option<Vec<i128>> {
    if total < 0 || weights.iter().any(|w| *w < 0) {
        return None;
    }
    let sum = weights
        .iter()
        .try_fold(0i128, |acc, w| acc.checked_add(*w))?;
    if sum == 0 {
        return (total == 0).then(|| vec![0; weights.len()]);
    }
    let mut shares = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (index, weight) in weights.iter().enumerate() {
        let product = total.checked_mul(*weight)?;
        shares.push(product / sum);
        remainders.push((product % sum, index));
    }
    let given = shares
        .iter()
        .try_fold(0i128, |acc, s| acc.checked_add(*s))?;
    let left = usize::try_from(total.checked_sub(given)?).ok()?;
    // Largest remainder first; on equal remainders the earlier line.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, index) in remainders.into_iter().take(left) {
        let share = shares.get_mut(index)?;
        *share = share.checked_add(1)?;
    }
    Some(shares)
}

/// The unit price with the fewest decimals (2 to `max_dp`) for which
/// `line_amount(qty, price) == amount`, or `None` when there is none (or `qty` is not above
/// zero). Used when a line shows a price after discounts or without included tax.
pub fn unit_price_for(amount: Decimal, qty: Decimal, max_dp: u32) -> Option<Decimal> {
    if qty <= Decimal::ZERO {
        return None;
    }
    let (am, a_scale) = parts(amount);
    let (qm, q_scale) = parts(qty);
    for dp in CENTS..=max_dp {
        // price × 10^dp = amount / qty × 10^dp = am × 10^(q_scale + dp) / (qm × 10^a_scale)
        let numerator = am.checked_mul(pow10(q_scale + dp)?)?;
        let denominator = qm.checked_mul(pow10(a_scale)?)?;
        let quotient = numerator / denominator;
        let remainder = (numerator % denominator).abs();
        let rounded = if remainder.checked_mul(2)? >= denominator {
            quotient.checked_add(numerator.signum())?
        } else {
            quotient
        };
        let price = Decimal::try_from_i128_with_scale(rounded, dp).ok()?;
        if line_amount(qty, price) == Some(amount) {
            return Some(price.normalize());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn line_amounts_round_half_away_from_zero() {
        assert_eq!(line_amount(dec!(128.35), dec!(14.50)), Some(dec!(1861.08)));
        assert_eq!(line_amount(dec!(3), dec!(0.335)), Some(dec!(1.01)));
        assert_eq!(line_amount(dec!(1), dec!(0.004999)), Some(dec!(0.00)));
        assert_eq!(line_amount(dec!(1), dec!(-0.005)), Some(dec!(-0.01)));
        assert_eq!(line_amount(dec!(0.0001), dec!(49.99)), Some(dec!(0.00)));
        assert_eq!(line_amount(dec!(2.5), dec!(3.3)), Some(dec!(8.25)));
        assert_eq!(line_amount(dec!(7), dec!(10)).unwrap().scale(), 2);
    }

    #[test]
    fn fifteen_digit_products_stay_exact() {
        // 0.004999999999999995 is below the half cent by its last digit: 0.00, not 0.01.
        assert_eq!(
            line_amount(dec!(0.005), dec!(0.999999999999999)),
            Some(dec!(0.00))
        );
        // 30 significant digits, beyond a decimal's 28: still exact, still half-up.
        assert_eq!(
            line_amount(dec!(123456789.012345), dec!(0.0000405)),
            Some(dec!(5000.00)),
            "4999.9999549999725"
        );
        assert_eq!(
            line_amount(dec!(999999999999.999), dec!(99.9999999999999)),
            Some(dec!(99999999999999.80)),
            "99999999999999.8000000000000001"
        );
        assert_eq!(
            line_amount(dec!(999999999999999), dec!(999999999999999)),
            None,
            "beyond a decimal's 96 bits"
        );
    }

    #[test]
    fn percentages_round_to_cents() {
        assert_eq!(percent_of(dec!(19.99), dec!(10)), Some(dec!(2.00)));
        assert_eq!(percent_of(dec!(0.05), dec!(10)), Some(dec!(0.01)));
        assert_eq!(percent_of(dec!(100), dec!(8.875)), Some(dec!(8.88)));
    }

    #[test]
    fn allocation_is_exact_and_fair() {
        assert_eq!(allocate(100, &[1, 1, 1]), Some(vec![34, 33, 33]));
        assert_eq!(allocate(0, &[0, 0]), Some(vec![0, 0]));
        assert_eq!(allocate(1, &[0, 0]), None);
        assert_eq!(allocate(10, &[0, 5, 5]), Some(vec![0, 5, 5]));
        assert_eq!(allocate(-1, &[1]), None);
    }

    #[test]
    fn unit_prices_reproduce_amounts() {
        assert_eq!(
            unit_price_for(dec!(10.00), dec!(3), 7),
            Some(dec!(3.333)),
            "3 × 3.33 = 9.99"
        );
        assert_eq!(unit_price_for(dec!(9.99), dec!(3), 7), Some(dec!(3.33)));
        assert_eq!(unit_price_for(dec!(10.01), dec!(3), 7), Some(dec!(3.337)));
        assert_eq!(unit_price_for(dec!(0.00), dec!(5), 7), Some(dec!(0)));
        assert_eq!(unit_price_for(dec!(1.00), dec!(0), 7), None);
        // A cent over a huge quantity cannot be reached with two decimals.
        assert_eq!(unit_price_for(dec!(0.01), dec!(1000), 2), None);
        assert_eq!(
            unit_price_for(dec!(0.01), dec!(1000), 7),
            Some(dec!(0.00001))
        );
    }

    proptest! {
        #[test]
        fn allocation_sums_and_respects_weights(
            weights in proptest::collection::vec(0i128..1_000_000, 1..50),
            fraction in 0u32..=100,
        ) {
            let sum: i128 = weights.iter().sum();
            let total = sum * i128::from(fraction) / 100;
            let shares = allocate(total, &weights).unwrap();
            prop_assert_eq!(shares.iter().sum::<i128>(), total);
            for (share, weight) in shares.iter().zip(&weights) {
                prop_assert!(*share >= 0 && share <= weight);
            }
        }

        #[test]
        fn unit_price_for_satisfies_the_6070_rule(
            cents in 0i64..100_000_000,
            qty_m in 1i64..1_000_000,
            qty_scale in 0u32..=4,
        ) {
            let amount = Decimal::new(cents, 2);
            let qty = Decimal::new(qty_m, qty_scale);
            if let Some(price) = unit_price_for(amount, qty, 10) {
                prop_assert_eq!(line_amount(qty, price), Some(amount));
                prop_assert!(price.scale() <= 10);
            }
        }
    }
}

/// Exact reading of amounts from JSON, for `#[serde(deserialize_with)]`.
///
/// An amount may be a JSON string (`"19.99"`) or a JSON number (`19.99`, `1.5e3`); either
/// way the decimal is parsed from the JSON text itself (through
/// [`serde_json::value::RawValue`]), never through an `f64`, so `12345678901234567.89` and
/// `0.1` are what they say. Beyond `Decimal`'s range (±79228162514264337593543950335), or
/// with more than its 28 decimal places, is an error, never a rounding.
pub mod exact {
    use rust_decimal::Decimal;
    use serde::Deserialize;
    use serde::de::{Deserializer, Error};
    use serde_json::value::RawValue;

    fn parse<E: Error>(text: &str) -> Result<Decimal, E> {
        let t = text.trim();
        // `from_str_exact` refuses what it would have to round (more than 28 decimals).
        let exact = if t.contains(['e', 'E']) {
            Decimal::from_scientific(t)
        } else {
            Decimal::from_str_exact(t)
        };
        exact.map_err(|_| {
            E::custom(format!(
                "not a decimal number within ±79228162514264337593543950335 and 28 \
                     decimal places: {t:?}"
            ))
        })
    }

    /// The raw JSON text of the value, `None` for `null`.
    fn raw<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        let raw = <Box<RawValue>>::deserialize(d)?;
        let text = raw.get().trim();
        match text.as_bytes().first() {
            Some(b'"') => {
                let s: String = serde_json::from_str(text).map_err(D::Error::custom)?;
                parse(&s).map(Some)
            }
            Some(b'-' | b'0'..=b'9') => parse(text).map(Some),
            _ if text == "null" => Ok(None),
            _ => Err(D::Error::custom(format!(
                "expected a decimal number (a JSON number or string), found {}",
                match text.as_bytes().first() {
                    Some(b'[') => "an array",
                    Some(b'{') => "an object",
                    _ => "a bool",
                }
            ))),
        }
    }

    /// A required amount: a JSON number or string, read exactly; `null` is an error.
    ///
    /// # Errors
    /// Anything but a decimal number within `Decimal`'s range.
    pub fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        raw(d)?.ok_or_else(|| D::Error::custom("expected a decimal number, found null"))
    }

    /// An optional amount: `null` is `None`, otherwise as [`decimal`].
    ///
    /// # Errors
    /// As [`decimal`].
    pub fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        raw(d)
    }
}
