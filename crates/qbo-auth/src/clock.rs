//! Time, injectable so that expiry can be tested without waiting: `qbo-api`'s clock, which
//! `qbo-sandbox` reads too, so that one manual clock can drive both.
//!
//! ```
//! use chrono::TimeDelta;
//! use qbo_auth::clock::{Clock, ManualClock};
//! let clock = ManualClock::starting_now();
//! let t0 = clock.now();
//! clock.advance(TimeDelta::hours(2));
//! assert_eq!(clock.now() - t0, TimeDelta::hours(2));
//! ```

pub use qbo_api::clock::{Clock, ManualClock, SystemClock};
