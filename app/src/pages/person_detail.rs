//! One person of the org, for its admins and auditors: role, status, when added, what gives
//! them access and what they granted, and their latest audit entries. Rendered whole on the
//! server, so it needs no JavaScript and an unknown person answers 404.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::history::History;
use crate::components::ui::{
    encode_component, DataTable, EmptyState, ErrorNotice, LocalTime, BADGE_GREEN_CLASSES,
    BADGE_GREY_CLASSES, TD_CLASSES,
};
use crate::domain::access::Grant;
use crate::server_fns::details::{get_person, PersonDetail};
use crate::server_fns::AppError;

#[component]
pub fn PersonDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = Resource::new(id, get_person);
    view! {
        <Title text="Person" />
        <p class="mb-2 text-sm"><a href="/users" class="text-indigo-700 hover:underline">"← Users"</a></p>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <PersonView detail /> }.into_any(),
                    Err(error) => view! { <Missing error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// An error, with its status (404 for another org's person, 403 for a member).
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

#[component]
fn PersonView(detail: PersonDetail) -> impl IntoView {
    let user = detail.user;
    let access_link = format!("/access?person={}", encode_component(&user.username));
    let last = user.last_sign_in_at.clone();
    view! {
        <div class="mb-6">
            <div class="flex flex-wrap items-center gap-3">
                <h1 class="text-2xl font-bold tracking-tight break-all" data-testid="person-title">{user.username.clone()}</h1>
                <span class=BADGE_GREY_CLASSES data-testid="person-role">{user.role.as_str()}</span>
                {if user.active {
                    view! { <span class=BADGE_GREEN_CLASSES data-testid="person-status">"active"</span> }.into_any()
                } else {
                    view! { <span class=BADGE_GREY_CLASSES data-testid="person-status">"deactivated"</span> }.into_any()
                }}
            </div>
            <dl class="mt-3 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
                <dt class="text-slate-500">"Email"</dt>
                <dd class="break-all">{user.email.clone()}</dd>
                <dt class="text-slate-500">"Added"</dt>
                <dd><LocalTime stored=user.created_at.clone() /></dd>
                <dt class="text-slate-500">"Last sign-in"</dt>
                <dd>{match last { Some(at) => view! { <LocalTime stored=at /> }.into_any(), None => "never".into_any() }}</dd>
                {user.deactivated_at.clone().map(|at| view! {
                    <dt class="text-slate-500">"Deactivated"</dt>
                    <dd><LocalTime stored=at /></dd>
                })}
            </dl>
            <p class="mt-2 text-sm text-slate-600">"Role and status are changed on the " <a href="/users" class="text-indigo-700 underline">"Users"</a> " page."</p>
        </div>
        <section class="mt-6" aria-labelledby="access-title">
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <h2 id="access-title" class="text-lg font-semibold">"Has access to"</h2>
                <a href=access_link class="text-sm font-medium text-indigo-700 hover:underline" data-testid="person-access-link">
                    {format!("Who has access: all {} for {}", detail.access_total, user.username)}
                </a>
            </div>
            <p class="mb-2 text-sm text-slate-600">"What is shared with them, and what their organization was given."</p>
            <GrantTable grants=detail.access test_id="person-access" empty="Nothing is shared with them." />
        </section>
        <section class="mt-6" aria-labelledby="granted-title">
            <h2 id="granted-title" class="mb-2 text-lg font-semibold">"Shared by them"</h2>
            <GrantTable grants=detail.granted test_id="person-granted" empty="They have not shared anything." />
        </section>
        <History events=detail.history />
    }
}

#[component]
fn GrantTable(grants: Vec<Grant>, test_id: &'static str, empty: &'static str) -> impl IntoView {
    if grants.is_empty() {
        return view! { <EmptyState title=empty hint="" /> }.into_any();
    }
    let rows = grants
        .into_iter()
        .map(|grant| {
            view! {
                <tr>
                    <td class=TD_CLASSES><span class="break-all">{grant.item_name}</span></td>
                    <td class=TD_CLASSES>{grant.kind.label()}</td>
                    <td class=TD_CLASSES>{grant.grantee_name}</td>
                    <td class=TD_CLASSES>{grant.access.unwrap_or_default()}</td>
                    <td class=TD_CLASSES>{grant.status}</td>
                    <td class=TD_CLASSES><LocalTime stored=grant.granted_at /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable test_id=test_id headers=&["Item", "Kind", "With", "Access", "Status", "Granted"]>{rows}</DataTable>
    }
    .into_any()
}
