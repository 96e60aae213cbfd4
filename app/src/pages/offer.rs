use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::badges::OfferStateBadge;
use crate::components::feedback::{use_feedback, Confirm};
use crate::components::ui::{LocalTime, BUTTON_CLASSES, CARD_CLASSES, DANGER_BUTTON_CLASSES};
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
    use_feedback(answer);

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
    let partner = offer.partner_org_name.clone().unwrap_or_else(|| offer.partner_org_id.clone());
    let outcome = match offer.status {
        OfferState::Pending => None,
        OfferState::Accepted => {
            Some(format!("Accepted: “{}” is now shared with {partner}.", offer.title))
        }
        OfferState::Declined => Some(format!("Declined by {partner}: the offer is closed.")),
        OfferState::Unavailable => {
            Some("Taken: another partner accepted this offer first, so it is closed.".to_owned())
        }
        OfferState::Expired => Some("Expired: this offer can no longer be accepted.".to_owned()),
    };
    let pending = offer.status == OfferState::Pending;
    let decline_token = token.clone();
    let error = move || {
        answer.value().get().and_then(Result::err).map(|error| {
            view! { <p role="alert" class="mt-3 text-sm text-red-700">{error.to_string()}</p> }
        })
    };
    let grants = offer.grants.clone();
    let decline_consequence = format!(
        "The offer closes for {partner}: it cannot be accepted later, and {} is told that you declined.",
        offer.sharing_org_name
    );
    let role = match (&offer.role_name, grants.is_empty()) {
        (Some(role), false) => format!("with the role “{role}”, which grants:"),
        (Some(role), true) => format!("with the role “{role}” (it grants nothing yet)."),
        (None, _) => {
            "with the access your partnership with them gives (no role is assigned yet).".to_owned()
        }
    };
    let (verb, until) = if pending {
        ("Accepting shares", "The offer is open until")
    } else {
        ("The offer shares", "It was open until")
    };
    view! {
        <section class=format!("{CARD_CLASSES} mx-auto max-w-xl") data-testid="offer">
            <p class="text-sm text-slate-500" data-testid="offer-parties">
                {format!("{} offers this to {partner}", offer.sharing_org_name)}
            </p>
            <h1 class="mt-1 break-words text-2xl font-bold tracking-tight">{offer.title.clone()}</h1>
            <div class="mt-4 space-y-2 text-sm" data-testid="offer-grants">
                <p>
                    {verb} " the " {offer.schema.clone()} " “" {offer.title.clone()} "” ("
                    <code class="break-all">{offer.entity_id.clone()}</code> ") of "
                    <strong>{offer.sharing_org_name.clone()}</strong> " with "
                    <strong>{partner.clone()}</strong> " " {role}
                </p>
                {(!grants.is_empty()).then(|| view! {
                    <ul class="list-inside list-disc font-mono text-xs">
                        {grants.into_iter().map(|grant| view! {
                            <li class="break-all">
                                {format!("{} {}", grant.action, grant.resource)}
                                {grant.effect.filter(|effect| effect != "allow").map(|effect| format!(" ({effect})"))}
                            </li>
                        }).collect_view()}
                    </ul>
                })}
                <p>{until} " " <strong><LocalTime stored=offer.expires_at.clone() /></strong> "."</p>
            </div>
            <dl class="mt-4 grid grid-cols-2 gap-2 text-sm">
                <dt class="text-slate-500">"From"</dt><dd class="break-words">{offer.sharing_org_name.clone()}</dd>
                <dt class="text-slate-500">"For"</dt>
                <dd class="break-words" title=offer.partner_org_id.clone()>{partner.clone()}</dd>
                <dt class="text-slate-500">"Kind"</dt><dd>{offer.schema.clone()}</dd>
                <dt class="text-slate-500">"Offered"</dt><dd><LocalTime stored=offer.offered_at.clone() /></dd>
                <dt class="text-slate-500">"Open until"</dt><dd><LocalTime stored=offer.expires_at.clone() /></dd>
                <dt class="text-slate-500">"Status"</dt><dd><OfferStateBadge state=offer.status /></dd>
            </dl>
            {outcome.map(|text| view! { <p role="status" class="mt-4 rounded-md bg-slate-50 p-3 text-sm" data-testid="offer-outcome">{text}</p> })}
            {pending.then(move || view! {
                <div class="mt-6 flex flex-wrap items-start gap-3">
                    <ActionForm action=answer>
                        <input type="hidden" name="token" value=token />
                        <input type="hidden" name="decision" value="accept" />
                        <button type="submit" class=BUTTON_CLASSES>"Accept"</button>
                    </ActionForm>
                    <Confirm action="Decline…" consequence=decline_consequence plain=true>
                        <ActionForm action=answer>
                            <input type="hidden" name="token" value=decline_token />
                            <input type="hidden" name="decision" value="decline" />
                            <button type="submit" class=DANGER_BUTTON_CLASSES>"Decline the offer"</button>
                        </ActionForm>
                    </Confirm>
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
