use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::feedback::{use_feedback, Confirm};
use crate::components::layout::Frame;
use crate::components::ui::{
    encode_component, short_time, EmptyState, ErrorNotice, FormError, LocalTime,
    BADGE_AMBER_CLASSES, BADGE_GREEN_CLASSES, BADGE_RED_CLASSES, BUTTON_CLASSES, CARD_CLASSES,
    DANGER_BUTTON_CLASSES, INPUT_CLASSES, LABEL_CLASSES, SECONDARY_BUTTON_CLASSES,
};
use crate::domain::authz::Operation;
use crate::domain::notifications::{Delivery, DeliveryPage, DeliveryStatus, WebhookEndpoint};
use crate::pages::webhooks::{events_text, EndpointState, EventCheckboxes, SecretNotice};
use crate::server_fns::webhooks::{
    get_webhook, list_webhook_deliveries, take_webhook_secret, DeleteWebhook,
    ResendWebhookDelivery, RotateWebhookSecret, SendTestWebhook, SetWebhookEnabled, UpdateWebhook,
};

/// The actions of the page, handed to its parts.
#[derive(Clone, Copy)]
struct Actions {
    update: ServerAction<UpdateWebhook>,
    enabled: ServerAction<SetWebhookEnabled>,
    rotate: ServerAction<RotateWebhookSecret>,
    delete: ServerAction<DeleteWebhook>,
    test: ServerAction<SendTestWebhook>,
    resend: ServerAction<ResendWebhookDelivery>,
}

/// One endpoint: its settings (admins change them), and its delivery log, newest first, a
/// page at a time (`?before=` in the URL, so every page of the log works without JavaScript).
#[component]
pub fn WebhookDetailPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let before = move || query.read().get("before").unwrap_or_default();
    let actions = Actions {
        update: ServerAction::new(),
        enabled: ServerAction::new(),
        rotate: ServerAction::new(),
        delete: ServerAction::new(),
        test: ServerAction::new(),
        resend: ServerAction::new(),
    };
    let endpoint = Resource::new(
        move || {
            (
                id(),
                actions.update.version().get(),
                actions.enabled.version().get(),
                actions.rotate.version().get(),
            )
        },
        |(id, ..)| get_webhook(id),
    );
    let deliveries = Resource::new(
        move || {
            (
                id(),
                before(),
                actions.enabled.version().get(),
                actions.test.version().get(),
                actions.resend.version().get(),
            )
        },
        |(id, before, ..)| list_webhook_deliveries(id, before),
    );
    let kept_secret = Resource::new_blocking(|| (), |_| take_webhook_secret());
    use_feedback(actions.update);
    use_feedback(actions.enabled);
    use_feedback(actions.rotate);
    use_feedback(actions.test);
    use_feedback(actions.resend);
    let frame = use_context::<Frame>();
    // Read with each list, not by a `Can` inside it: a suspense inside the list's own
    // fails to hydrate.
    let may_manage = move || async move {
        match frame {
            Some(frame) => frame.allows(Operation::WebhooksManage).await,
            None => false,
        }
    };

    view! {
        <Title text="Webhook endpoint" />
        <p class="mb-2 text-sm"><a href="/webhooks" class="text-indigo-700 hover:underline">"← All endpoints"</a></p>
        {move || actions.rotate.value().get().and_then(Result::ok).map(|created| view! { <SecretNotice created /> })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                kept_secret.await.ok().flatten().map(|created| view! { <SecretNotice created /> })
            })}
        </Suspense>
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let manage = may_manage().await;
                match endpoint.await {
                    Ok(endpoint) => view! { <EndpointView endpoint actions manage /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
        <section class="mt-8" aria-labelledby="log-heading">
            <h2 id="log-heading" class="text-lg font-semibold">"Delivery log"</h2>
            <p class="mb-3 text-sm text-slate-600">
                "Every event sent to this endpoint, newest first. Failed attempts are retried with growing pauses; reload to see the latest."
            </p>
            {move || actions.test.value().get().and_then(Result::ok).map(|_| view! {
                <p role="status" class="mb-3 text-sm text-green-800" data-testid="test-queued">
                    "A test event is queued; it appears below as pending until it is delivered."
                </p>
            })}
            <FormError action=actions.test />
            <FormError action=actions.resend />
            <Transition fallback=|| view! { <p class="text-slate-500">"Loading deliveries…"</p> }>
                {move || Suspend::new(async move {
                    let (id, before) = (id(), before());
                    let manage = may_manage().await;
                    match deliveries.await {
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        Ok(page) if page.deliveries.is_empty() => view! {
                            <EmptyState title="No deliveries" hint="Events appear here as they are sent. Send a test event to try the endpoint." />
                        }.into_any(),
                        Ok(page) => view! { <DeliveryLog id page paged=!before.is_empty() resend=actions.resend manage /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn EndpointView(endpoint: WebhookEndpoint, actions: Actions, manage: bool) -> impl IntoView {
    let description = (!endpoint.description.is_empty()).then(|| endpoint.description.clone());
    view! {
        <div class="mb-4 min-w-0">
            <h1 class="text-2xl font-bold tracking-tight break-all" data-testid="webhook-url">{endpoint.url.clone()}</h1>
            {description.map(|text| view! { <p class="mt-1 text-slate-600 break-words">{text}</p> })}
        </div>
        <section class=format!("{CARD_CLASSES} space-y-2 text-sm")>
            <EndpointState endpoint=endpoint.clone() />
            <p class="break-words">"Events: " {events_text(&endpoint.events)}</p>
            <p class="text-slate-500">
                "Registered " <LocalTime stored=endpoint.created_at.clone() /> " · changed " <LocalTime stored=endpoint.updated_at.clone() />
            </p>
            <p class="text-slate-500 break-all">"Id " <code>{endpoint.id.to_string()}</code></p>
        </section>
        {manage.then(|| view! { <ManageSection endpoint=endpoint.clone() actions /> })}
    }
}

/// What an admin can do with the endpoint.
#[component]
fn ManageSection(endpoint: WebhookEndpoint, actions: Actions) -> impl IntoView {
    let id = endpoint.id.to_string();
    let (test_id, enabled_id, rotate_id, delete_id) = (id.clone(), id.clone(), id.clone(), id);
    view! {
        <div class="mt-4 flex flex-wrap items-start gap-2">
            <ActionForm action=actions.test>
                <input type="hidden" name="id" value=test_id />
                <button type="submit" class=BUTTON_CLASSES disabled=move || actions.test.pending().get()>
                    "Send a test event"
                </button>
            </ActionForm>
            <ActionForm action=actions.enabled>
                <input type="hidden" name="id" value=enabled_id />
                <input type="hidden" name="enabled" value=(!endpoint.enabled).to_string() />
                <button type="submit" class=SECONDARY_BUTTON_CLASSES>
                    {if endpoint.enabled { "Disable" } else { "Enable" }}
                </button>
            </ActionForm>
            <Confirm
                action="Rotate secret…"
                consequence="The old secret stops working at once: every delivery from now on is signed with the new one, so your receiver must switch to it."
                plain=true
            >
                <ActionForm action=actions.rotate>
                    <input type="hidden" name="id" value=rotate_id />
                    <button type="submit" class=DANGER_BUTTON_CLASSES>"Rotate the secret"</button>
                </ActionForm>
            </Confirm>
        </div>
        <FormError action=actions.enabled />
        <FormError action=actions.rotate />
        <EditForm endpoint=endpoint update=actions.update />
        <section class="mt-6 rounded-lg border border-red-200 bg-white p-4" aria-labelledby="delete-heading">
            <h2 id="delete-heading" class="text-base font-semibold text-red-800">"Delete this endpoint"</h2>
            <div class="mt-3">
                <Confirm
                    action="Delete endpoint…"
                    consequence="Its whole delivery log is deleted, events not yet delivered are never sent, and its secret stops working at once. This cannot be undone."
                >
                    <ActionForm action=actions.delete>
                        <input type="hidden" name="id" value=delete_id />
                        <input type="hidden" name="confirm" value="yes" />
                        <button type="submit" class=DANGER_BUTTON_CLASSES>"Delete the endpoint"</button>
                    </ActionForm>
                </Confirm>
            </div>
            <FormError action=actions.delete />
        </section>
    }
}

#[component]
fn EditForm(endpoint: WebhookEndpoint, update: ServerAction<UpdateWebhook>) -> impl IntoView {
    let saved = move || matches!(update.value().get(), Some(Ok(_)));
    view! {
        // Folded away, so that on a phone the delivery log is not far below a long form; it
        // stays open after a save, to show the outcome.
        <details class=format!("{CARD_CLASSES} mt-6") open=move || update.value().get().is_some()>
            <summary class="cursor-pointer text-base font-semibold">"Change the URL, events or description"</summary>
            <ActionForm action=update attr:class="mt-3 space-y-3">
                <input type="hidden" name="id" value=endpoint.id.to_string() />
                <div>
                    <label for="webhook-url-input" class=LABEL_CLASSES>"URL"</label>
                    <input
                        id="webhook-url-input"
                        name="url"
                        type="url"
                        required
                        maxlength="2048"
                        value=endpoint.url.clone()
                        class=format!("{INPUT_CLASSES} mt-1")
                    />
                </div>
                <div>
                    <label for="webhook-description-input" class=LABEL_CLASSES>"Description"</label>
                    <input
                        id="webhook-description-input"
                        name="description"
                        type="text"
                        maxlength="500"
                        value=endpoint.description.clone()
                        class=format!("{INPUT_CLASSES} mt-1")
                    />
                </div>
                <EventCheckboxes chosen=endpoint.events.clone() />
                <button type="submit" class=BUTTON_CLASSES disabled=move || update.pending().get()>
                    {move || if update.pending().get() { "Saving…" } else { "Save changes" }}
                </button>
            </ActionForm>
            <FormError action=update />
            <Show when=saved>
                <p role="status" class="mt-3 text-sm text-green-800">"Saved."</p>
            </Show>
        </details>
    }
}

#[component]
fn DeliveryLog(
    id: String,
    page: DeliveryPage,
    paged: bool,
    resend: ServerAction<ResendWebhookDelivery>,
    manage: bool,
) -> impl IntoView {
    let older =
        page.next_before.map(|before| format!("?before={}", encode_component(&before.to_string())));
    view! {
        <ul class="space-y-2" data-testid="delivery-log">
            {page
                .deliveries
                .into_iter()
                .map(|delivery| view! { <DeliveryRow id=id.clone() delivery resend manage /> })
                .collect_view()}
        </ul>
        <nav aria-label="Delivery log pages" class="mt-4 flex flex-wrap justify-between gap-2 text-sm">
            {paged.then(|| view! { <a href="?" class="text-indigo-700 hover:underline">"← Newest"</a> })}
            {older.map(|href| view! { <a href=href class="ml-auto text-indigo-700 hover:underline" data-testid="older-deliveries">"Older →"</a> })}
        </nav>
    }
}

#[component]
fn DeliveryRow(
    id: String,
    delivery: Delivery,
    resend: ServerAction<ResendWebhookDelivery>,
    manage: bool,
) -> impl IntoView {
    let badge = match delivery.status {
        DeliveryStatus::Pending => BADGE_AMBER_CLASSES,
        DeliveryStatus::Delivered => BADGE_GREEN_CLASSES,
        DeliveryStatus::Failed => BADGE_RED_CLASSES,
    };
    let finished = delivery.status != DeliveryStatus::Pending;
    let when = short_time(delivery.delivered_at.as_deref().unwrap_or(&delivery.created_at));
    let code = delivery.last_status_code.map_or_else(|| "—".to_owned(), |code| code.to_string());
    let latency = delivery.last_latency_ms.map_or_else(|| "—".to_owned(), |ms| format!("{ms} ms"));
    let next = delivery.next_attempt_at.as_deref().filter(|_| !finished).map(short_time);
    let resend_label =
        format!("Send the {} event {} again", delivery.event_type, delivery.message_id);
    let delivery_id = delivery.id.to_string();
    view! {
        <li class=format!("{CARD_CLASSES} min-w-0 text-sm") data-testid="delivery" data-status=delivery.status.as_str()>
            <div class="flex flex-wrap items-center gap-2">
                <code class="font-medium">{delivery.event_type.clone()}</code>
                <span class=badge>{delivery.status.as_str()}</span>
                <span class="text-slate-500">{when}</span>
            </div>
            <dl class="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600">
                <div class="flex gap-1"><dt>"Attempts"</dt><dd class="font-medium text-slate-900">{delivery.attempts}</dd></div>
                <div class="flex gap-1"><dt>"Response"</dt><dd class="font-medium text-slate-900" data-testid="response-code">{code}</dd></div>
                <div class="flex gap-1"><dt>"Latency"</dt><dd class="font-medium text-slate-900">{latency}</dd></div>
                {next.map(|next| view! {
                    <div class="flex gap-1"><dt>"Next attempt"</dt><dd class="font-medium text-slate-900">{next}</dd></div>
                })}
                <div class="flex min-w-0 gap-1"><dt>"Id"</dt><dd class="break-all font-mono">{delivery.message_id.clone()}</dd></div>
            </dl>
            {delivery.last_error.clone().map(|error| view! {
                <p class="mt-1 break-words text-xs text-red-700">{error}</p>
            })}
            {(finished && manage).then(|| view! {
                <ActionForm action=resend attr:class="mt-2">
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="delivery" value=delivery_id />
                    <button type="submit" class=SECONDARY_BUTTON_CLASSES aria-label=resend_label>"Send again"</button>
                </ActionForm>
            })}
        </li>
    }
}
