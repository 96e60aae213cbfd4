use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::feedback::{use_feedback, CopyField};
use crate::components::layout::Can;
use crate::components::ui::{
    EmptyState, ErrorNotice, FormError, LocalTime, PageHeader, BADGE_GREEN_CLASSES,
    BADGE_GREY_CLASSES, BADGE_RED_CLASSES, BUTTON_CLASSES, CARD_CLASSES, INPUT_CLASSES,
    LABEL_CLASSES,
};
use crate::domain::authz::Operation;
use crate::domain::notifications::{EndpointWithSecret, WebhookEndpoint, EVENT_TYPES};
use crate::server_fns::webhooks::{list_webhooks, take_webhook_secret, CreateWebhook};

/// The org's webhook endpoints: admins register them here (the secret shown once); readonly
/// users see them. Rows are cards, so the page never scrolls sideways on a phone.
#[component]
pub fn WebhooksPage() -> impl IntoView {
    let create = ServerAction::<CreateWebhook>::new();
    let endpoints = Resource::new(move || create.version().get(), |_| list_webhooks());
    // A secret made by a form posted without JavaScript comes back through the session. Taken
    // before the page starts streaming: the session is saved with the response's head, so a
    // removal made later would be lost and the secret shown again.
    let kept_secret = Resource::new_blocking(|| (), |_| take_webhook_secret());
    use_feedback(create);

    view! {
        <Title text="Webhooks" />
        <PageHeader
            title="Webhooks"
            summary="Endpoints of your systems that Sharewell tells of every share, offer and access request, as signed POSTs that Standard Webhooks libraries verify."
        />
        <Can op=Operation::WebhooksManage>
            <RegisterForm create />
        </Can>
        {move || create.value().get().and_then(Result::ok).map(|created| view! { <SecretNotice created /> })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                kept_secret.await.ok().flatten().map(|created| view! { <SecretNotice created /> })
            })}
        </Suspense>
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading endpoints…"</p> }>
            {move || Suspend::new(async move {
                match endpoints.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(endpoints) if endpoints.is_empty() => view! {
                        <EmptyState
                            title="No endpoints yet"
                            hint="An admin registers one to have your systems told of every change."
                        />
                    }.into_any(),
                    Ok(endpoints) => view! {
                        <ul class="space-y-3" data-testid="webhook-list">
                            {endpoints.into_iter().map(|endpoint| view! { <EndpointCard endpoint /> }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn RegisterForm(create: ServerAction<CreateWebhook>) -> impl IntoView {
    view! {
        <section class=format!("{CARD_CLASSES} mb-6")>
            <h2 class="text-base font-semibold">"Register an endpoint"</h2>
            <ActionForm action=create attr:class="mt-3 space-y-3">
                <div>
                    <label for="new-webhook-url" class=LABEL_CLASSES>"URL"</label>
                    <input
                        id="new-webhook-url"
                        name="url"
                        type="url"
                        required
                        maxlength="2048"
                        placeholder="https://example.com/hooks/sharewell"
                        class=format!("{INPUT_CLASSES} mt-1")
                    />
                </div>
                <div>
                    <label for="new-webhook-description" class=LABEL_CLASSES>"Description (optional)"</label>
                    <input
                        id="new-webhook-description"
                        name="description"
                        type="text"
                        maxlength="500"
                        class=format!("{INPUT_CLASSES} mt-1")
                    />
                </div>
                <EventCheckboxes chosen=Vec::new() />
                <button type="submit" class=BUTTON_CLASSES disabled=move || create.pending().get()>
                    {move || if create.pending().get() { "Registering…" } else { "Register endpoint" }}
                </button>
            </ActionForm>
            <FormError action=create />
        </section>
    }
}

/// One checkbox per event type, named `events[N]`; none ticked means every event type.
#[component]
pub fn EventCheckboxes(chosen: Vec<String>) -> impl IntoView {
    view! {
        <fieldset>
            <legend class=LABEL_CLASSES>"Events"</legend>
            <p class="text-xs text-slate-500">"Tick none to receive every event type, including those added later."</p>
            <div class="mt-2 grid gap-1 sm:grid-cols-2 lg:grid-cols-3">
                {EVENT_TYPES
                    .iter()
                    .enumerate()
                    .map(|(index, event)| {
                        let checked = chosen.iter().any(|chosen| chosen == event);
                        view! {
                            <label class="flex items-center gap-2 text-sm">
                                <input type="checkbox" name=format!("events[{index}]") value=*event checked=checked />
                                <code>{*event}</code>
                            </label>
                        }
                    })
                    .collect_view()}
            </div>
        </fieldset>
    }
}

/// A new or rotated signing secret, shown this once.
#[component]
pub fn SecretNotice(created: EndpointWithSecret) -> impl IntoView {
    let href = format!("/webhooks/{}", created.endpoint.id);
    view! {
        <div role="status" class="mb-6 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm" data-testid="webhook-secret-notice">
            <p class="font-medium text-amber-900">
                "Signing secret of "
                <a href=href class="break-all underline">{created.endpoint.url.clone()}</a>
                ". Copy it now; it won't be shown again."
            </p>
            <p class="mt-1 text-amber-900">
                "Your receiver verifies each delivery's "
                <code>"webhook-signature"</code>
                " with it (any Standard Webhooks library does)."
            </p>
            <CopyField value=created.secret label="the signing secret" test_id="webhook-secret" />
        </div>
    }
}

/// Enabled, or disabled (with why, when the worker disabled it).
#[component]
pub fn EndpointState(endpoint: WebhookEndpoint) -> impl IntoView {
    view! {
        <span class="flex flex-wrap items-center gap-2" data-testid="webhook-state">
            {if endpoint.enabled {
                view! { <span class=BADGE_GREEN_CLASSES>"enabled"</span> }.into_any()
            } else {
                view! { <span class=BADGE_GREY_CLASSES>"disabled"</span> }.into_any()
            }}
            {(!endpoint.enabled)
                .then_some(endpoint.disabled_reason)
                .flatten()
                .map(|reason| view! { <span class="text-xs text-slate-600">{reason}</span> })}
            {endpoint.failing_since.map(|since| view! {
                <span class=BADGE_RED_CLASSES>"failing since " <LocalTime stored=since.clone() /></span>
            })}
        </span>
    }
}

/// The event types an endpoint receives, in words.
pub fn events_text(events: &[String]) -> String {
    if events.is_empty() {
        "all events".to_owned()
    } else {
        events.join(", ")
    }
}

#[component]
fn EndpointCard(endpoint: WebhookEndpoint) -> impl IntoView {
    let href = format!("/webhooks/{}", endpoint.id);
    let events = events_text(&endpoint.events);
    let description = (!endpoint.description.is_empty()).then(|| endpoint.description.clone());
    view! {
        <li class=format!("{CARD_CLASSES} min-w-0 space-y-1")>
            <a href=href class="font-medium text-indigo-700 break-all hover:underline">{endpoint.url.clone()}</a>
            {description.map(|text| view! { <p class="text-sm text-slate-700 break-words">{text}</p> })}
            <EndpointState endpoint=endpoint.clone() />
            <p class="text-xs text-slate-500 break-words">"Events: " {events}</p>
            <p class="text-xs text-slate-500">"Registered " <LocalTime stored=endpoint.created_at.clone() /></p>
        </li>
    }
}
