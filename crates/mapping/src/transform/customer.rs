//! Customers: registered store customers, and the customers of guest checkouts.

use qbo_api::{EmailAddress, TelephoneNumber};

use super::{Mapped, Transform, address, clash_name, hash_of, identity};
use crate::config::{DisplayNameSource, GuestMode, MappingConfig};
use crate::error::MappingError;
use crate::ids::EntityRef;
use crate::links::{GuestKey, Links, StoreRef};
use crate::model::{Address, Customer, Guest, Order, OrderCustomer};
use crate::text::{Cleaner, is_valid_email, limits};

/// The person or company behind a QBO customer, before mapping.
struct Person<'a> {
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    company: Option<&'a str>,
    email: Option<&'a str>,
    phone: Option<&'a str>,
    billing: Option<&'a Address>,
    shipping: Option<&'a Address>,
    active: bool,
}

/// The field named when no name at all is left.
const ANY_NAME: &str = "first_name/last_name/company/email";

/// Maps a person to a QBO customer; `display_name` overrides the configured source.
fn map_person(
    person: &Person<'_>,
    entity: &EntityRef,
    target: &StoreRef,
    display_name: Option<&str>,
    config: &MappingConfig,
    links: &Links,
) -> Result<Mapped<qbo_api::Customer>, MappingError> {
    let clean = Cleaner {
        entity,
        overlong: config.names.overlong,
    };
    let given = clean.opt_name("first_name", person.first_name, limits::PERSON_NAME)?;
    let family = clean.opt_name("last_name", person.last_name, limits::PERSON_NAME)?;
    let company = clean.opt_name("company", person.company, limits::PERSON_NAME)?;
    let email = clean.email("email", person.email, config.names.invalid_email)?;
    let display = match display_name {
        Some(name) => clean.name("display_name", name, limits::DISPLAY_NAME)?,
        None => {
            let full = match (&given, &family) {
                (Some(g), Some(f)) => Some(format!("{g} {f}")),
                (Some(one), None) | (None, Some(one)) => Some(one.clone()),
                (None, None) => None,
            };
            let order = match config.names.customer_display_name {
                DisplayNameSource::Name => [&full, &company, &email],
                DisplayNameSource::Company => [&company, &full, &email],
                DisplayNameSource::Email => [&email, &full, &company],
            };
            let chosen =
                order
                    .into_iter()
                    .flatten()
                    .next()
                    .ok_or_else(|| MappingError::Missing {
                        entity: entity.clone(),
                        field: ANY_NAME.to_owned(),
                    })?;
            clean.name(ANY_NAME, chosen, limits::DISPLAY_NAME)?
        }
    };
    let display = match links.rename_of(target) {
        Some(attempt) => clash_name(
            &display,
            entity,
            attempt,
            &config.names,
            limits::DISPLAY_NAME,
        )?,
        None => display,
    };
    let (id, sync_token) = identity(links, target);
    let customer = qbo_api::Customer {
        id,
        sync_token,
        display_name: Some(display),
        given_name: given,
        family_name: family,
        company_name: company,
        primary_email_addr: email.map(EmailAddress::new),
        primary_phone: clean
            .phone("phone", person.phone)?
            .map(TelephoneNumber::new),
        bill_addr: address(&clean, "billing_address", person.billing)?,
        ship_addr: address(&clean, "shipping_address", person.shipping)?,
        active: Some(person.active),
        ..qbo_api::Customer::default()
    };
    let hash = hash_of(entity, &customer)?;
    Ok(Mapped {
        entity: customer,
        hash,
    })
}

impl Transform for Customer {
    type Output = Mapped<qbo_api::Customer>;

    fn store_ref(&self) -> StoreRef {
        StoreRef::Customer(self.id.clone())
    }

    /// A customer depends on nothing.
    fn dependencies(&self, _config: &MappingConfig) -> Vec<StoreRef> {
        Vec::new()
    }

    fn map(&self, config: &MappingConfig, links: &Links) -> Result<Self::Output, MappingError> {
        let target = self.store_ref();
        let person = Person {
            first_name: self.first_name.as_deref(),
            last_name: self.last_name.as_deref(),
            company: self.company.as_deref(),
            email: self.email.as_deref(),
            phone: self.phone.as_deref(),
            billing: self.billing_address.as_ref(),
            shipping: self.shipping_address.as_ref(),
            active: self.active,
        };
        map_person(&person, &target.entity_ref(), &target, None, config, links)
    }
}

/// The e-mail address of a guest order: the guest's own, else the order's.
fn guest_email<'a>(order: &'a Order, guest: &'a Guest) -> Option<&'a str> {
    guest
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .or(order.email.as_deref())
}

/// The QBO customer a guest order is booked to, or `None` for a registered customer's
/// order: the shared guest customer, or (`guests.mode = "per_email"`) the customer of the
/// guest's e-mail address, lower-cased; a guest without a valid address goes to the shared
/// customer.
pub fn guest_key(order: &Order, config: &MappingConfig) -> Option<GuestKey> {
    let OrderCustomer::Guest(guest) = &order.customer else {
        return None;
    };
    match config.guests.mode {
        GuestMode::Shared => Some(GuestKey::Shared),
        GuestMode::PerEmail => {
            let email = guest_email(order, guest)
                .map(str::trim)
                .filter(|e| is_valid_email(e));
            Some(match email {
                Some(email) => GuestKey::Email(email.to_ascii_lowercase()),
                None => GuestKey::Shared,
            })
        }
    }
}

/// Maps the customer of a guest order (see [`guest_key`]); `None` for a registered
/// customer's order. The engine links it under [`StoreRef::Guest`] before the order.
///
/// The shared customer has only its display name (`guests.shared_name`), so every guest order
/// maps it the same way; a per-e-mail customer carries the guest's names, e-mail, telephone
/// and the order's addresses.
///
/// # Errors
/// As for a registered customer: a name that cleans to nothing, a telephone number over 21
/// characters, a bad country code.
pub fn map_guest(
    order: &Order,
    config: &MappingConfig,
    links: &Links,
) -> Result<Option<Mapped<qbo_api::Customer>>, MappingError> {
    let (Some(key), OrderCustomer::Guest(guest)) = (guest_key(order, config), &order.customer)
    else {
        return Ok(None);
    };
    let target = StoreRef::Guest(key.clone());
    let entity = target.entity_ref();
    let mapped = match key {
        GuestKey::Shared => {
            let person = Person {
                first_name: None,
                last_name: None,
                company: None,
                email: None,
                phone: None,
                billing: None,
                shipping: None,
                active: true,
            };
            map_person(
                &person,
                &entity,
                &target,
                Some(&config.guests.shared_name),
                config,
                links,
            )?
        }
        GuestKey::Email(_) => {
            let person = Person {
                first_name: guest.first_name.as_deref(),
                last_name: guest.last_name.as_deref(),
                company: guest.company.as_deref(),
                email: guest_email(order, guest),
                phone: guest.phone.as_deref(),
                billing: order.billing_address.as_ref(),
                shipping: order.shipping_address.as_ref(),
                active: true,
            };
            map_person(&person, &entity, &target, None, config, links)?
        }
    };
    Ok(Some(mapped))
}
