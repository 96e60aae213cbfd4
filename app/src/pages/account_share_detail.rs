//! One account share (Cloudflare, EnableNow): its recipients and their association status,
//! its resources, its history; rename it, move its expiry, delete it. Rendered whole on the
//! server (the data and the forms work without JavaScript); with JavaScript the recipients'
//! status is read again every 10 seconds while the page is visible.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::history::History;
use crate::components::ui::{
    encode_component, DataTable, ErrorNotice, FormError, LocalTime, BADGE_AMBER_CLASSES,
    BADGE_GREEN_CLASSES, BADGE_GREY_CLASSES, BADGE_RED_CLASSES, CARD_CLASSES,
    DANGER_BUTTON_CLASSES, INPUT_CLASSES, LABEL_CLASSES, SECONDARY_BUTTON_CLASSES, TD_CLASSES,
};
use crate::server_fns::details::{
    get_account_share, AccountShareDetail, DeleteAccountShare, RecipientRow, RenameAccountShare,
    SetAccountShareExpiry,
};
use crate::server_fns::AppError;

/// How often the page reads the recipients' status again while it is visible.
const REFRESH: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Clone, Copy)]
struct Actions {
    rename: ServerAction<RenameAccountShare>,
    expiry: ServerAction<SetAccountShareExpiry>,
    delete: ServerAction<DeleteAccountShare>,
}

#[component]
pub fn AccountShareDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let actions = Actions {
        rename: ServerAction::new(),
        expiry: ServerAction::new(),
        delete: ServerAction::new(),
    };
    let refresh = RwSignal::new(0_u32);
    let versions = move || {
        (
            id(),
            actions.rename.version().get(),
            actions.expiry.version().get(),
            actions.delete.version().get(),
        )
    };
    let detail = Resource::new(versions, |(id, ..)| get_account_share(id));
    // The recipients are read on their own, so that looking again never redraws (and
    // empties) the forms above them.
    let live =
        Resource::new(move || (versions(), refresh.get()), |((id, ..), _)| get_account_share(id));
    // In the browser only (effects do not run on the server): look again while visible.
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || {
                if !document().hidden() {
                    refresh.update(|n| *n += 1);
                }
            },
            REFRESH,
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    });

    view! {
        <Title text="Account share" />
        <p class="mb-2 text-sm"><a href="/shared?kind=resource" class="text-indigo-700 hover:underline">"← Shared"</a></p>
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <ShareHead detail actions /> }.into_any(),
                    Err(error) => view! { <Missing error /> }.into_any(),
                }
            })}
        </Transition>
        // Three sibling sections rather than one nested in another: a suspense inside a
        // suspense can fail to hydrate.
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                live.await.ok().map(|now| view! { <Recipients recipients=now.recipients /> })
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                detail.await.ok().map(|detail| view! { <ShareRest detail actions /> })
            })}
        </Transition>
    }
}

/// An error, with a 404 status where the share is not the viewer's to see.
#[component]
fn Missing(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = axum::http::StatusCode::from_u16(error.status()) {
            response.set_status(status);
        }
    }
    view! { <ErrorNotice error /> }
}

fn association_badge(association: &str) -> &'static str {
    match association {
        "associated" => BADGE_GREEN_CLASSES,
        "associating" | "disassociating" => BADGE_AMBER_CLASSES,
        _ => BADGE_GREY_CLASSES,
    }
}

#[component]
fn ShareHead(detail: AccountShareDetail, actions: Actions) -> impl IntoView {
    let share = detail.share.clone();
    let status_class = match share.status.as_str() {
        "active" => BADGE_GREEN_CLASSES,
        "deleted" => BADGE_GREY_CLASSES,
        _ => BADGE_AMBER_CLASSES,
    };
    let expiry = match &share.expires_at {
        None => view! { <span data-testid="share-expiry">"never"</span> }.into_any(),
        Some(at) => {
            let class = if share.expired {
                BADGE_RED_CLASSES
            } else if share.expires_soon {
                BADGE_AMBER_CLASSES
            } else {
                ""
            };
            let left = share.time_left.clone().unwrap_or_default();
            view! {
                <span data-testid="share-expiry" data-soon=share.expires_soon.to_string()>
                    <LocalTime stored=at.clone() />
                    " "
                    <span class=class>{if share.expires_soon { format!("{left} — expires soon") } else { left }}</span>
                </span>
            }
            .into_any()
        }
    };
    let who_has_access = format!("/access?item_kind=share&item={}", encode_component(&share.id));
    view! {
        {(share.status != "active").then(|| view! {
            <p role="status" data-testid="share-gone" class="mb-4 rounded-md border border-slate-200 bg-slate-50 p-3 text-sm">
                {if share.status == "deleting" { "This share is being deleted: its recipients are losing access." } else { "This share was deleted: it grants nothing any more." }}
            </p>
        })}
        <div class="mb-6">
            <div class="flex flex-wrap items-center gap-3">
                <h1 class="text-2xl font-bold tracking-tight break-all" data-testid="share-title">{share.name.clone()}</h1>
                <span class=status_class data-testid="share-status">{share.status.clone()}</span>
                <span class=BADGE_GREY_CLASSES>{share.face.clone()}</span>
            </div>
            <dl class="mt-3 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
                <dt class="text-slate-500">{if detail.sent { "Shared by" } else { "From" }}</dt>
                <dd data-testid="share-owner">{detail.owner_org_name.clone()}</dd>
                <dt class="text-slate-500">"Created"</dt>
                <dd><LocalTime stored=share.created_at.clone() /></dd>
                <dt class="text-slate-500">"Expires"</dt>
                <dd>{expiry}</dd>
                <dt class="text-slate-500">"Shared with"</dt>
                <dd>{if detail.target_type == "organization" { "organizations (each with its child accounts)" } else { "accounts" }}</dd>
                {detail.reference.clone().map(|reference| view! {
                    <dt class="text-slate-500">"Reference"</dt>
                    <dd><code class="break-all">{reference}</code></dd>
                })}
            </dl>
            {detail.sent.then(|| view! {
                <a href=who_has_access class="mt-2 inline-block text-sm font-medium text-indigo-700 hover:underline">"Who has access"</a>
            })}
        </div>
        {detail.can_change.then(|| view! { <EditSection detail=detail.clone() actions /> })}
    }
}

#[component]
fn Recipients(recipients: Vec<RecipientRow>) -> impl IntoView {
    let rows = recipients
        .into_iter()
        .map(|recipient| {
            view! {
                <tr>
                    <td class=TD_CLASSES><span title=recipient.org_id>{recipient.org_name}</span></td>
                    <td class=TD_CLASSES>
                        <span class=association_badge(&recipient.association) data-testid="recipient-status">{recipient.association.clone()}</span>
                    </td>
                    <td class=TD_CLASSES><LocalTime stored=recipient.since /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="mt-6" aria-labelledby="recipients-title">
            <h2 id="recipients-title" class="text-lg font-semibold">"Recipients"</h2>
            <p class="mb-2 text-sm text-slate-600">"Cloudflare recipients associate in the background; with JavaScript this list is read again every 10 seconds."</p>
            <DataTable test_id="share-recipients" headers=&["Organization", "Status", "Since"]>{rows}</DataTable>
        </section>
    }
}

#[component]
fn ShareRest(detail: AccountShareDetail, actions: Actions) -> impl IntoView {
    let resources = if detail.resources.is_empty() {
        view! { <p class="mt-2 text-sm text-slate-500">"No resources."</p> }.into_any()
    } else {
        let rows = detail
            .resources
            .iter()
            .cloned()
            .map(|resource| {
                view! {
                    <tr>
                        <td class=TD_CLASSES>{resource.resource_type}</td>
                        <td class=TD_CLASSES><code class="break-all">{resource.resource_id}</code></td>
                        <td class=TD_CLASSES><code class="break-all">{resource.resource_account_id}</code></td>
                        <td class=TD_CLASSES>{resource.status}</td>
                    </tr>
                }
            })
            .collect_view();
        view! { <DataTable test_id="share-resources" headers=&["Type", "Resource", "Account", "Status"]>{rows}</DataTable> }.into_any()
    };
    view! {
        <section class="mt-6" aria-labelledby="resources-title">
            <h2 id="resources-title" class="text-lg font-semibold">"Resources"</h2>
            <div class="mt-2">{resources}</div>
        </section>
        {detail.can_change.then(|| view! { <DeleteSection detail=detail.clone() actions /> })}
        {detail.history.clone().map(|events| view! { <History events /> })}
    }
}

#[component]
fn EditSection(detail: AccountShareDetail, actions: Actions) -> impl IntoView {
    let share = detail.share;
    let (rename_id, expiry_id) = (share.id.clone(), share.id.clone());
    // `datetime-local` wants `2026-12-24T18:00`; the stored time is UTC.
    let current_expiry =
        share.expires_at.as_deref().and_then(|at| at.get(..16)).unwrap_or_default().to_owned();
    view! {
        <section class=format!("{CARD_CLASSES} grid gap-4 md:grid-cols-2") aria-label="Change the share">
            <div>
                <ActionForm action=actions.rename attr:class="flex flex-wrap items-end gap-2">
                    <input type="hidden" name="id" value=rename_id />
                    <div class="min-w-0 flex-1">
                        <label for="share-name" class=LABEL_CLASSES>"Name"</label>
                        <input id="share-name" name="name" required maxlength="512" value=share.name class=format!("{INPUT_CLASSES} mt-1") />
                    </div>
                    <button type="submit" class=SECONDARY_BUTTON_CLASSES>"Rename"</button>
                </ActionForm>
                <FormError action=actions.rename />
                {move || actions.rename.value().get().and_then(Result::ok).map(|_| view! { <p role="status" class="mt-2 text-sm text-green-800">"Renamed."</p> })}
            </div>
            <div>
                <ActionForm action=actions.expiry attr:class="flex flex-wrap items-end gap-2">
                    <input type="hidden" name="id" value=expiry_id />
                    <div class="min-w-0 flex-1">
                        <label for="share-expires" class=LABEL_CLASSES>"Expires (UTC)"</label>
                        <input id="share-expires" name="expires_at" type="datetime-local" required value=current_expiry class=format!("{INPUT_CLASSES} mt-1") />
                    </div>
                    <button type="submit" class=SECONDARY_BUTTON_CLASSES>"Save expiry"</button>
                </ActionForm>
                <FormError action=actions.expiry />
                {move || actions.expiry.value().get().and_then(Result::ok).map(|_| view! { <p role="status" class="mt-2 text-sm text-green-800">"Expiry saved."</p> })}
            </div>
        </section>
    }
}

/// Delete behind a disclosure that states the consequence (works without JavaScript).
#[component]
fn DeleteSection(detail: AccountShareDetail, actions: Actions) -> impl IntoView {
    let count = detail.recipients_with_access;
    let consequence = format!(
        "Deleting “{}”: {count} {} access. This cannot be undone.",
        detail.share.name,
        if count == 1 { "recipient loses" } else { "recipients lose" }
    );
    let id = detail.share.id;
    view! {
        <section class="mt-8" aria-label="Delete the share">
            <details class="text-sm" data-testid="delete-share">
                <summary class=format!("{DANGER_BUTTON_CLASSES} cursor-pointer list-none")>"Delete share…"</summary>
                <div class="mt-2 max-w-md rounded-md border border-red-200 bg-red-50 p-3">
                    <p class="text-red-900" data-testid="delete-consequence">{consequence}</p>
                    <ActionForm action=actions.delete attr:class="mt-2">
                        <input type="hidden" name="id" value=id />
                        <button type="submit" class=DANGER_BUTTON_CLASSES>"Delete share"</button>
                    </ActionForm>
                </div>
            </details>
            <FormError action=actions.delete />
            {move || actions.delete.value().get().and_then(Result::ok).map(|_| view! { <p role="status" class="mt-2 text-sm text-green-800">"Share deleted."</p> })}
        </section>
    }
}
