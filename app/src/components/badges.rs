//! Status badges, one colour per state.

use leptos::prelude::*;

use crate::domain::partners::{OfferState, PartnerStatus};

const BADGE_GREEN_CLASSES: &str =
    "inline-flex rounded-full bg-green-100 px-2 py-0.5 text-xs font-medium text-green-800";
const BADGE_AMBER_CLASSES: &str =
    "inline-flex rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800";
const BADGE_GREY_CLASSES: &str =
    "inline-flex rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700";
const BADGE_RED_CLASSES: &str =
    "inline-flex rounded-full bg-red-100 px-2 py-0.5 text-xs font-medium text-red-800";

#[component]
pub fn PartnerStatusBadge(status: PartnerStatus) -> impl IntoView {
    match status {
        PartnerStatus::Registered => view! { <span class=BADGE_GREEN_CLASSES>"registered"</span> },
        PartnerStatus::Unregistered => {
            view! { <span class=BADGE_GREY_CLASSES>"not joined yet"</span> }
        }
    }
}

#[component]
pub fn OfferStateBadge(state: OfferState) -> impl IntoView {
    let class = match state {
        OfferState::Pending => BADGE_AMBER_CLASSES,
        OfferState::Accepted => BADGE_GREEN_CLASSES,
        OfferState::Declined | OfferState::Expired => BADGE_GREY_CLASSES,
        OfferState::Unavailable => BADGE_RED_CLASSES,
    };
    view! { <span class=class data-testid="offer-state">{state.as_str()}</span> }
}
