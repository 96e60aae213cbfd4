use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::badges::OfferStateBadge;
use crate::components::ui::{short_time, BUTTON_CLASSES, CARD_CLASSES, SECONDARY_BUTTON_CLASSES};
use crate::domain::partners::{OfferState, OfferView};
use crate::server_fns::partners::{get_offer, AnswerOffer};

/// The public page a partner opens from an offer link: no account needed. Works without
/// JavaScript: the buttons post a form, and the page shows the outcome.
#[component]
pub fn OfferPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let answer = ServerAction::<AnswerOffer>::new();
    let offer =
        Resource::new(move || (token(), answer.version().get()), |(token, _)| get_offer(token));

    view! {
        <Title text="Offer" />
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading the offer…"</p> }>
            {move || Suspend::new(async move {
                match offer.await {
                    Ok(offer) => view! { <OfferCard offer token=token() answer /> }.into_any(),
                    Err(_) => view! { <UnknownOffer /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn OfferCard(offer: OfferView, token: String, answer: ServerAction<AnswerOffer>) -> impl IntoView {
    let outcome = match offer.status {
        OfferState::Pending => None,
        OfferState::Accepted => Some("Accepted: the entity is now shared with your organisation."),
        OfferState::Declined => Some("Declined: the offer is closed."),
        OfferState::Unavailable => Some("No longer available — another partner accepted first."),
        OfferState::Expired => Some("Expired: this offer can no longer be accepted."),
    };
    let pending = offer.status == OfferState::Pending;
    let decline_token = token.clone();
    let error = move || {
        answer.value().get().and_then(Result::err).map(|error| {
            view! { <p role="alert" class="mt-3 text-sm text-red-700">{error.to_string()}</p> }
        })
    };
    view! {
        <section class=format!("{CARD_CLASSES} mx-auto max-w-xl") data-testid="offer">
            <p class="text-sm text-slate-500">{format!("{} offers you", offer.sharing_org_name)}</p>
            <h1 class="mt-1 text-2xl font-bold tracking-tight">{offer.title.clone()}</h1>
            <dl class="mt-4 grid grid-cols-2 gap-2 text-sm">
                <dt class="text-slate-500">"Kind"</dt><dd>{offer.schema.clone()}</dd>
                <dt class="text-slate-500">"Offered"</dt><dd>{short_time(&offer.offered_at)}</dd>
                <dt class="text-slate-500">"Open until"</dt><dd>{short_time(&offer.expires_at)}</dd>
                <dt class="text-slate-500">"Status"</dt><dd><OfferStateBadge state=offer.status /></dd>
            </dl>
            {outcome.map(|text| view! { <p role="status" class="mt-4 rounded-md bg-slate-50 p-3 text-sm" data-testid="offer-outcome">{text}</p> })}
            {pending.then(move || view! {
                <div class="mt-6 flex gap-3">
                    <ActionForm action=answer>
                        <input type="hidden" name="token" value=token />
                        <input type="hidden" name="decision" value="accept" />
                        <button type="submit" class=BUTTON_CLASSES>"Accept"</button>
                    </ActionForm>
                    <ActionForm action=answer>
                        <input type="hidden" name="token" value=decline_token />
                        <input type="hidden" name="decision" value="decline" />
                        <button type="submit" class=SECONDARY_BUTTON_CLASSES>"Decline"</button>
                    </ActionForm>
                </div>
                <p class="mt-3 text-xs text-slate-500">"First come, first served: if several partners were offered this, the first to accept gets it."</p>
            })}
            {error}
        </section>
    }
}

/// An unknown or mistyped link: a 404 that says what to do.
#[component]
fn UnknownOffer() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="mx-auto max-w-lg py-12 text-center" data-testid="offer-not-found">
            <h1 class="text-2xl font-bold tracking-tight">"This offer link is not valid"</h1>
            <p class="mt-3 text-slate-600">"Check that the whole link was copied. If it was, the offer may have been withdrawn: ask whoever sent it for a new one."</p>
        </section>
    }
}
